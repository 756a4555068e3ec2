"""The publisher's calls over Grafana 12/13's Kubernetes-style API (Grafana API §6).

The same methods as the legacy :class:`~triton_dashboards.grafana.client.GrafanaClient`
(whose session, auth, retries, timeouts and redaction it reuses), so the plan, apply,
folders, diff and pull run unchanged on either API. What differs is said here:

- one API version, chosen by :mod:`~triton_dashboards.grafana.discovery` (``v1`` on 13,
  ``v1beta1`` on 12), never the server's ``preferredVersion``;
- an update carries ``metadata.resourceVersion``: a concurrent writer makes it 409
  ``Conflict``, which the publisher answers by planning again;
- a write carries our ownership marks (:mod:`~triton_dashboards.grafana.ownership`), the
  save message as ``grafana.app/message`` and its origin (repository, commit, who) as
  annotations of their own (:mod:`~triton_dashboards.grafana.provenance`);
- :meth:`K8sApi.prefetch` lists the namespace's dashboards in pages, once, so a publish
  plans from the list: a dashboard the list holds is not read again, one it lacks is known
  to be missing. A second read (after a 409) goes to the server.
"""

from __future__ import annotations

import threading
import urllib.parse
from collections.abc import Iterable
from typing import Any

from triton_dashboards.grafana.client import GrafanaClient
from triton_dashboards.grafana.errors import Call, GrafanaError
from triton_dashboards.grafana.k8s_state import (
    A_FOLDER,
    A_MESSAGE,
    A_UPDATED,
    A_UPDATED_BY,
    K8sDashboard,
    annotations_of,
    folder_of,
)
from triton_dashboards.grafana.local import content_hash
from triton_dashboards.grafana.ownership import marks
from triton_dashboards.grafana.plan import Version
from triton_dashboards.grafana.provenance import origin_annotations

__all__ = ["LIST_LIMIT", "K8sApi"]

#: Items per list page (kubectl's default chunk).
LIST_LIMIT = 500
#: Pages read at most: a server whose ``continue`` never ends cannot loop us forever.
MAX_PAGES = 1000
_HISTORY = "grafana.app/get-history=true"
_DASHBOARDS = "dashboard.grafana.app"
_FOLDERS = "folder.grafana.app"


class K8sApi:
    """Dashboards and folders through ``/apis`` in one namespace and API version."""

    def __init__(
        self,
        client: GrafanaClient,
        *,
        version: str,
        folder_version: str,
        namespace: str,
        strict: bool,
        v2_version: str = "",
    ) -> None:
        self.client = client
        #: The schema v2 version Grafana serves that we publish v2 dashboards through ("v2"
        #: on Grafana 13), or "" where it serves none.
        self.v2_version = v2_version
        self._v2: K8sApi | None = None
        self.base_url = client.base_url
        self.version = version
        self.folder_version = folder_version
        self.namespace = namespace
        #: ``fieldValidation``: Strict where Grafana migrates a v1 spec on write (13),
        #: Ignore where it would refuse any schemaVersion but its latest (12; its UI does).
        self.validation = "Strict" if strict else "Ignore"
        self._listed: dict[str, dict[str, Any] | None] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"K8sApi({self.base_url!r}, {self.version}, namespace={self.namespace!r})"

    def __enter__(self) -> K8sApi:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.client.close()

    @property
    def v2(self) -> K8sApi | None:
        """The same namespace through the schema v2 version (None where it is not served):
        a v2 dashboard is read, compared and written v2 with v2, never converted."""
        if not self.v2_version:
            return None
        with self._lock:
            if self._v2 is None:
                self._v2 = K8sApi(
                    self.client,
                    version=self.v2_version,
                    folder_version=self.folder_version,
                    namespace=self.namespace,
                    strict=True,
                )
            return self._v2

    @property
    def label(self) -> str:
        return f"{_DASHBOARDS}/{self.version} (namespace {self.namespace})"

    # ------------------------------------------------------------------ paths and calls

    def _path(self, group: str, version: str, resource: str, name: str = "") -> str:
        path = f"/apis/{group}/{version}/namespaces/{self.namespace}/{resource}"
        return f"{path}/{urllib.parse.quote(name, safe='')}" if name else path

    def _dashboards(self, name: str = "", version: str = "") -> str:
        return self._path(_DASHBOARDS, version or self.version, "dashboards", name)

    def _folders(self, name: str = "") -> str:
        return self._path(_FOLDERS, self.folder_version, "folders", name)

    def _get(self, call: Call, kind: str) -> dict[str, Any] | None:
        """The object, or None when Grafana says it does not exist (404 for ``kind``)."""
        response = self.client.send(call, ok=frozenset({404}))
        body = self.client.json_of(call, response)
        if response.status_code == 404:
            details = body.get("details") if isinstance(body, dict) else None
            if isinstance(details, dict) and details.get("kind") == kind:
                return None
            raise GrafanaError(
                f"cannot {call.what}: {call.path} is not served (404); check that Grafana "
                "serves the Kubernetes-style API there, or run with --api legacy",
                status=404,
                fatal=True,
            )
        return body if isinstance(body, dict) else {}

    def _pages(self, call: Call, params: list[tuple[str, str]]) -> list[dict[str, Any]]:
        """Every item of a list, following ``metadata.continue`` (absent on the last page)."""
        items: list[dict[str, Any]] = []
        token = ""
        for _ in range(MAX_PAGES):
            query = [*params, ("limit", str(LIST_LIMIT))] + ([("continue", token)] if token else [])
            body = self.client.json_of(call, self.client.send(call, params=query))
            body = body if isinstance(body, dict) else {}
            items.extend(i for i in body.get("items") or [] if isinstance(i, dict))
            token = str((body.get("metadata") or {}).get("continue") or "")
            if not token:
                break
        return items

    # ------------------------------------------------------------------ dashboards

    def prefetch(self, uids: Iterable[str]) -> None:
        """List the namespace's dashboards once, so each of ``uids`` is planned from it."""
        call = Call("GET", self._dashboards(), "list dashboards", "dashboards:read")
        found = {str(o.get("metadata", {}).get("name")): o for o in self._pages(call, [])}
        with self._lock:
            self._listed = {uid: found.get(uid) for uid in uids}

    def get_dashboard(self, uid: str) -> K8sDashboard | None:
        """The dashboard read through our version; from the list once after ``prefetch``."""
        with self._lock:
            listed = uid in self._listed
            obj = self._listed.pop(uid, None)
        if not listed:
            call = Call("GET", self._dashboards(uid), f"read dashboard {uid}", "dashboards:read")
            obj = self._get(call, "dashboards")
        return K8sDashboard(obj) if obj is not None else None

    def get_object(self, uid: str, version: str) -> dict[str, Any] | None:
        """The dashboard read through ``version`` (``v2beta1``, say): what ``pull`` saves."""
        path = self._dashboards(uid, version)
        call = Call("GET", path, f"read dashboard {uid} as {version}", "dashboards:read")
        return self._get(call, "dashboards")

    def save_dashboard(
        self,
        dashboard: dict[str, Any],
        *,
        folder_uid: str,
        message: str,
        overwrite: bool = False,
        resource_version: str = "",
        source: str = "",
    ) -> dict[str, Any]:
        """Create (no ``version`` in ``dashboard``) or replace it; ``{"version": generation}``.

        An update carries ``resource_version`` unless ``overwrite``; without one it is an
        unconditional replace (Grafana API §6.4).
        """
        uid = str(dashboard.get("uid", ""))
        update = bool(dashboard.get("version")) or overwrite or bool(resource_version)
        spec = {k: v for k, v in dashboard.items() if k not in ("id", "uid", "version")}
        notes = marks(content_hash(dashboard), source)
        notes[A_MESSAGE] = message
        notes.update(origin_annotations(message))
        if folder_uid:
            notes[A_FOLDER] = folder_uid
        metadata: dict[str, Any] = {"name": uid, "annotations": notes}
        if update and resource_version and not overwrite:
            metadata["resourceVersion"] = resource_version
        if not update:
            notes["grafana.app/grant-permissions"] = "default"  # as the UI creates (§6.3)
        body = {
            "apiVersion": f"{_DASHBOARDS}/{self.version}",
            "kind": "Dashboard",
            "metadata": metadata,
            "spec": spec,
        }
        method, path = ("PUT", self._dashboards(uid)) if update else ("POST", self._dashboards())
        call = Call(method, path, f"save dashboard {uid}", "dashboards:write")
        params = [("fieldValidation", self.validation)]
        answer = self.client.json_of(call, self.client.send(call, params=params, body=body))
        generation = answer.get("metadata", {}).get("generation") if isinstance(answer, dict) else 0
        return {"uid": uid, "version": generation if isinstance(generation, int) else 0}

    def delete_dashboard(self, uid: str) -> bool:
        call = Call("DELETE", self._dashboards(uid), f"delete dashboard {uid}", "dashboards:delete")
        return self.client.send(call, ok=frozenset({404})).status_code != 404

    def versions(self, uid: str, limit: int = 1) -> list[Version]:
        """The newest ``limit`` saves, newest first (the list's history mode, §6.9)."""
        call = Call(
            "GET", self._dashboards(), f"read the history of dashboard {uid}", "dashboards:read"
        )
        params = [
            ("labelSelector", _HISTORY),
            ("fieldSelector", f"metadata.name={uid}"),
            ("limit", str(limit)),
        ]
        body = self.client.json_of(call, self.client.send(call, params=params))
        items = body.get("items") if isinstance(body, dict) else None
        found = []
        for item in items or []:
            if isinstance(item, dict):
                notes = annotations_of(item)
                generation = item.get("metadata", {}).get("generation")
                found.append(
                    Version(
                        version=generation if isinstance(generation, int) else 0,
                        message=notes.get(A_MESSAGE, ""),
                        created_by=notes.get(A_UPDATED_BY, ""),
                        created=notes.get(A_UPDATED, ""),
                    )
                )
        return found[:limit]

    def search_dashboards(self, folder_uid: str) -> list[dict[str, Any]]:
        """Every dashboard directly in a folder, as ``{"uid": name}`` (the list has no
        folder filter, §6.4: the annotation is read here)."""
        call = Call("GET", self._dashboards(), "list dashboards", "dashboards:read")
        return [
            {"uid": str(o.get("metadata", {}).get("name"))}
            for o in self._pages(call, [])
            if folder_of(o) == folder_uid
        ]

    # ------------------------------------------------------------------ folders

    def get_folder(self, uid: str) -> dict[str, Any] | None:
        """The folder as the legacy API shapes it (``uid``, ``title``, ``parentUid``)."""
        call = Call("GET", self._folders(uid), f"read folder {uid}", "folders:read")
        obj = self._get(call, "folders")
        return _folder(obj) if obj is not None else None

    def can_save_in(self, uid: str) -> bool | None:
        """Whether Grafana lets this credential save in the folder: its ``access``
        subresource (``FolderAccessInfo``), which the object itself does not carry. None
        where Grafana does not serve it. A dry run asks; a real run hears 403 on its write."""
        path = self._folders(uid) + "/access"
        call = Call("GET", path, f"read what this credential may do in folder {uid}", "none")
        response = self.client.send(call, ok=frozenset({404, 405}))
        if response.status_code in (404, 405):
            return None
        body = self.client.json_of(call, response)
        found = body.get("canSave") if isinstance(body, dict) else None
        return found if isinstance(found, bool) else None

    def user_permissions(self) -> dict[str, list[str]] | None:
        """What this credential may do (action -> scopes); ``/apis`` has no such question,
        so it is asked where Grafana 12 and 13 still answer it, under ``/api``."""
        return self.client.user_permissions()

    def list_folders(self, parent_uid: str | None = None) -> list[dict[str, Any]]:
        """The folders directly under ``parent_uid`` (the root when None)."""
        call = Call("GET", self._folders(), "list folders", "folders:read")
        folders = [_folder(o) for o in self._pages(call, [])]
        return [f for f in folders if f["parentUid"] == (parent_uid or "")]

    def create_folder(self, uid: str, title: str, parent_uid: str | None = None) -> dict[str, Any]:
        """Raises AlreadyExists (409) when the uid is taken."""
        call = Call("POST", self._folders(), f"create folder {title!r}", "folders:create")
        annotations = {A_FOLDER: parent_uid} if parent_uid else {}
        body = {
            "apiVersion": f"{_FOLDERS}/{self.folder_version}",
            "kind": "Folder",
            "metadata": {"name": uid, "annotations": annotations},
            "spec": {"title": title},
        }
        answer = self.client.json_of(call, self.client.send(call, body=body))
        return _folder(answer) if isinstance(answer, dict) else {}


def _folder(obj: dict[str, Any]) -> dict[str, Any]:
    spec = obj.get("spec") if isinstance(obj.get("spec"), dict) else {}
    return {
        "uid": str(obj.get("metadata", {}).get("name") or ""),
        "title": str((spec or {}).get("title") or ""),
        "parentUid": folder_of(obj),
    }

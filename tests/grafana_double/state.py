"""The stored model: orgs holding dashboards (with their version history) and folders.

``Store.save`` is the one way a dashboard is written, by the API and by scenario set-up alike,
so every write follows Grafana's rule: the version goes up by one whatever the JSON, and a
version record is kept.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from .errors import encode

VERSIONS_TO_KEEP = 20
_INTERNAL_ID = "grafana.app/deprecatedInternalID"  # the legacy id, as a label (Grafana API §6.3)


def now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def stripped(value: Any) -> str:
    """A JSON string field, trimmed; anything else reads as empty."""
    return value.strip() if isinstance(value, str) else ""


@dataclass
class Version:
    id: int
    version: int
    parent_version: int
    restored_from: int
    created: str
    created_by: str
    message: str
    data: dict[str, Any]
    # what the Kubernetes-style history shows of this save (Grafana API §6.9)
    resource_version: str = ""
    folder_uid: str = ""
    api_version: str = "v1beta1"
    annotations: dict[str, str] = field(default_factory=dict)
    updated: str = ""
    updated_by: str = ""


@dataclass
class Dashboard:
    id: int
    uid: str
    title: str
    data: dict[str, Any]
    version: int
    folder_uid: str
    created: str
    updated: str
    created_by: str
    updated_by: str
    provisioned: bool = False
    allow_ui_updates: bool = False
    external_id: str = ""
    plugin_id: str = ""
    versions: list[Version] = field(default_factory=list)  # oldest first
    encoded: bytes = b""  # ``data`` as JSON, encoded once per save: GETs are most requests
    # the Kubernetes-style object (Grafana API §6.3): the version it is stored in (§6.7), the
    # client's annotations (manager, source; the folder and message live above) and labels
    api_version: str = "v1beta1"
    annotations: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    resource_version: str = ""
    k8s_uid: str = ""


@dataclass
class Folder:
    id: int
    uid: str
    title: str
    parent_uid: str
    created: str
    updated: str
    created_by: str
    updated_by: str
    description: str = ""
    version: int = 1
    resource_version: str = ""
    k8s_uid: str = ""
    annotations: dict[str, str] = field(default_factory=dict)


@dataclass
class Org:
    dashboards: dict[str, Dashboard] = field(default_factory=dict)
    folders: dict[str, Folder] = field(default_factory=dict)


class Store:
    """Every org's dashboards and folders, and the ids handed out to them.

    Not locked: the double holds its lock around every use.
    """

    def __init__(self, org_ids: tuple[int, ...], seed: int) -> None:
        self.org_ids = org_ids
        self.orgs = {org: Org() for org in org_ids}
        # also draws the ids in 403 bodies, so one seed gives one run
        self.rng = random.Random(f"{seed}-ids")
        self._next_id = 0
        # Grafana 13's unified storage: a save moves ``version`` (the k8s generation) only
        # when the content or the folder changes (Grafana API §6.3); legacy storage always does
        self.unified = False
        self.legacy_api_version = "v1beta1"  # what a legacy /api save is stored as (§6.7)
        self._last_rv = 0

    def next_resource_version(self) -> str:
        """A new, increasing ``resourceVersion``: milliseconds in legacy storage (from
        ``updated``), microseconds in unified storage (Grafana API §6.3); opaque to clients."""
        scale = 1_000_000 if self.unified else 1_000
        self._last_rv = max(self._last_rv + 1, int(time.time() * scale))
        return str(self._last_rv)

    @property
    def resource_version(self) -> str:
        """The newest ``resourceVersion`` handed out, as a list's ``metadata`` carries it."""
        return str(self._last_rv)

    def new_k8s_uid(self) -> str:
        """``metadata.uid``: an internal k8s id, unlike the dashboard uid (``name``)."""
        chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
        return "".join(self.rng.choice(chars) for _ in range(44))

    def org(self, org_id: int) -> Org:
        try:
            return self.orgs[org_id]
        except KeyError:
            raise ValueError(
                f"org {org_id} is not one of the double's orgs {self.org_ids}"
            ) from None

    def find(self, org_id: int, uid: str) -> Dashboard | None:
        org = self.orgs.get(org_id)
        return org.dashboards.get(uid) if org else None

    def new_id(self) -> int:
        self._next_id += 1
        return self._next_id

    def new_uid(self) -> str:
        """Like Grafana 12's generated uids: 14 characters, a letter first."""
        letters = "abcdefghijklmnopqrstuvwxyz"
        rest = "".join(self.rng.choice(letters + "0123456789") for _ in range(13))
        return self.rng.choice(letters) + rest

    def add_folder(
        self, org: Org, uid: str, title: str, parent_uid: str, user: str, description: str
    ) -> Folder:
        stamp = now()
        folder = Folder(
            id=self.new_id(),
            uid=uid or self.new_uid(),
            title=title,
            parent_uid=parent_uid,
            created=stamp,
            updated=stamp,
            created_by=user,
            updated_by=user,
            description=description,
            resource_version=self.next_resource_version(),
            k8s_uid=self.new_k8s_uid(),
        )
        org.folders[folder.uid] = folder
        return folder

    def save(
        self,
        org: Org,
        existing: Dashboard | None,
        data: dict[str, Any],
        uid: str,
        folder_uid: str,
        user: str,
        message: str,
        *,
        restored_from: int = 0,
        api_version: str | None = None,
        annotations: dict[str, str] | None = None,
        labels: dict[str, str] | None = None,
    ) -> Dashboard:
        """Write one save: version + 1 (1 on create), a version record, whatever the JSON.

        In unified storage the version (generation) moves only when the content or the folder
        does; a save that changes nothing at all is not written. ``api_version``,
        ``annotations`` and ``labels`` come from the Kubernetes-style API; a legacy save keeps
        the stored annotations and labels and is stored as the legacy API version.
        """
        stamp = now()
        title = stripped(data.get("title"))
        api_version = api_version or self.legacy_api_version
        updated, editor = stamp, user
        if existing is not None and self.unified:
            unchanged = _content(existing.data) == _content(data) and (
                existing.folder_uid == folder_uid and existing.api_version == api_version
            )
            if unchanged and (
                (annotations is None or annotations == existing.annotations)
                and (
                    labels is None or {**labels, _INTERNAL_ID: str(existing.id)} == existing.labels
                )
                and message == existing.versions[-1].message
            ):
                return existing  # nothing to write: same resourceVersion, no history
            if unchanged:  # only metadata moved: a new resourceVersion, same generation
                updated, editor = existing.updated, existing.updated_by
                existing.version -= 1  # undone by the + 1 below
        if existing is None:
            dash = Dashboard(
                id=self.new_id(),
                uid=uid or self.new_uid(),
                title=title,
                data=data,
                version=1,
                folder_uid=folder_uid,
                created=stamp,
                updated=stamp,
                created_by=user,
                updated_by=user,
            )
            dash.k8s_uid = self.new_k8s_uid()
            org.dashboards[dash.uid] = dash
        else:
            dash = existing
            dash.version += 1
            dash.title, dash.data, dash.folder_uid = title, data, folder_uid
            dash.updated, dash.updated_by = updated, editor
        dash.api_version = api_version
        if annotations is not None:
            dash.annotations = dict(annotations)
        if labels is not None:
            dash.labels = dict(labels)
        dash.labels[_INTERNAL_ID] = str(dash.id)
        dash.resource_version = self.next_resource_version()
        if not api_version.startswith("v2"):  # a v2 spec has no id, uid or version (§6.11)
            data.update({"id": dash.id, "uid": dash.uid, "version": dash.version})
        dash.encoded = encode(data)
        dash.versions.append(
            Version(
                id=self.new_id(),
                version=dash.version,
                parent_version=dash.version - 1,
                restored_from=restored_from,
                created=stamp,
                created_by=user,
                message=message,
                data=data,  # stored models are never changed in place, so sharing is safe
                resource_version=dash.resource_version,
                folder_uid=folder_uid,
                api_version=api_version,
                annotations=dict(dash.annotations),
                updated=dash.updated,
                updated_by=dash.updated_by,
            )
        )
        del dash.versions[:-VERSIONS_TO_KEEP]
        return dash


def _content(data: dict[str, Any]) -> dict[str, Any]:
    """A model without the keys the server owns, for unified storage's deep-equal (§6.3)."""
    return {k: v for k, v in data.items() if k not in ("id", "uid", "version")}

"""What tests do to and read from the double around the Kubernetes-style API: a person saving
a dashboard in the UI as schema v2 (Grafana 13's dynamic dashboards, Grafana API §6.7), the object
as ``/apis`` would answer it, and requests counted per route, for benchmarks.
"""

from __future__ import annotations

import copy
import re
import threading
from collections import Counter
from typing import Any

from .auth import Identity
from .k8s_call import K8sCall, namespace_of
from .k8s_convert import is_v2, v1_to_v2
from .k8s_manager import read_only_in_ui
from .k8s_object import dashboard_object
from .profiles import Profile
from .recorded import Recorded
from .state import Store

_ROUTES = (
    (
        re.compile(r"^(/apis/[^/]+/[^/]+/namespaces)/[^/]+/([^/]+)/[^/]+/(dto|access)/?$"),
        r"\1/{ns}/\2/{name}/\3",
    ),
    (re.compile(r"^(/apis/[^/]+/[^/]+/namespaces)/[^/]+/([^/]+)/[^/]+/?$"), r"\1/{ns}/\2/{name}"),
    (re.compile(r"^(/apis/[^/]+/[^/]+/namespaces)/[^/]+/([^/]+)/?$"), r"\1/{ns}/\2"),
    (
        re.compile(r"^/api/dashboards/uid/[^/]+/versions/\d+$"),
        "/api/dashboards/uid/{uid}/versions/{n}",
    ),
    (
        re.compile(r"^/api/dashboards/uid/[^/]+(/versions|/restore)?$"),
        r"/api/dashboards/uid/{uid}\1",
    ),
    (re.compile(r"^/api/folders/[^/]+$"), "/api/folders/{uid}"),
)


def route_key(method: str, path: str) -> str:
    """``METHOD /route/template``: the path with names, uids and namespaces as placeholders."""
    for pattern, template in _ROUTES:
        if pattern.match(path):
            return f"{method} {pattern.sub(template, path)}"
    return f"{method} {path.rstrip('/') or '/'}"


class K8sScenarios:
    """Mixed into ``GrafanaDouble``."""

    _lock: threading.RLock
    store: Store
    stack_id: int | None
    requests: list[Recorded]

    @property
    def profile(self) -> Profile:
        raise NotImplementedError

    def route_counts(self) -> Counter[str]:
        """Requests so far by ``route_key``, e.g. ``GET /apis/dashboard.grafana.app/v1/
        namespaces/{ns}/dashboards``: 5."""
        with self._lock:
            return Counter(route_key(r.method, r.path) for r in self.requests)

    def ui_save_v2(
        self,
        uid: str,
        spec: dict[str, Any] | None = None,
        *,
        user: str = "alice",
        message: str = "",
        org_id: int = 1,
        version: str | None = None,
    ) -> int:
        """A person saving ``uid`` in the UI with dynamic dashboards on: stored as schema v2
        (``version``, default the profile's first v2 version). Without ``spec`` the stored
        dashboard is converted as the UI would. Returns the new generation."""
        stored_as = version or self.profile.v2_version
        with self._lock:
            org = self.store.org(org_id)
            dash = org.dashboards.get(uid)
            if dash is not None and read_only_in_ui(dash.annotations):
                raise PermissionError(
                    f"the UI shows {uid!r} read-only: its manager allows no edits"
                )
            if spec is None:
                if dash is None:
                    raise KeyError(f"no dashboard {uid!r} in org {org_id}")
                current = copy.deepcopy(dash.data)
                spec = current if is_v2(dash.api_version) else v1_to_v2(current)
            saved = self.store.save(
                org,
                dash,
                copy.deepcopy(spec),
                uid,
                dash.folder_uid if dash else "",
                user,
                message,
                api_version=stored_as,
                annotations=dash.annotations if dash else {},
                labels=dash.labels if dash else {},
            )
            return saved.version

    def k8s_object(
        self, uid: str, version: str | None = None, org_id: int = 1
    ) -> dict[str, Any] | None:
        """The dashboard as ``GET /apis/dashboard.grafana.app/<version>/…/<uid>`` answers
        (default: the version it is stored in)."""
        with self._lock:
            org = self.store.org(org_id)
            dash = org.dashboards.get(uid)
            if dash is None:
                return None
            call = K8sCall(
                self,  # type: ignore[arg-type]
                "GET",
                {},
                b"",
                Identity("admin", "Admin", False),
                org_id,
                org,
                namespace_of(org_id, self.stack_id),
                version or dash.api_version,
            )
            return copy.deepcopy(dashboard_object(call, dash))

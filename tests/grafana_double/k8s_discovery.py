"""``GET /apis``, ``/apis/<group>`` and ``/apis/<group>/<version>``: standard Kubernetes
discovery (Grafana API §6.1), listing versions in preference order, the preferred one first.

Only the two groups a publisher uses are listed. The resource list of a version names the
resources and verbs this double serves.
"""

from __future__ import annotations

from typing import Any

from .errors import Reply, ok
from .k8s_call import K8sSite
from .k8s_status import status
from .profiles import DASHBOARD_GROUP, FOLDER_GROUP

_VERBS = ["create", "delete", "get", "list", "update"]


def group_versions(site: K8sSite, group: str) -> tuple[str, ...]:
    """The versions of ``group`` served, preferred first; empty for a group not served."""
    if group == DASHBOARD_GROUP:
        return site.profile.ordered(site.new_layouts)
    if group == FOLDER_GROUP:
        return site.profile.folder_versions
    return ()


def api_group_list(site: K8sSite) -> Reply:
    return ok(
        {
            "kind": "APIGroupList",
            "apiVersion": "v1",
            "groups": [_group(site, g) for g in (DASHBOARD_GROUP, FOLDER_GROUP)],
        }
    )


def api_group(site: K8sSite, group: str) -> Reply:
    if not group_versions(site, group):
        return _page_not_found()
    return ok({"kind": "APIGroup", "apiVersion": "v1", **_group(site, group)})


def api_resources(site: K8sSite, group: str, version: str) -> Reply:
    if version not in group_versions(site, group):
        return _page_not_found()
    if group == DASHBOARD_GROUP:
        resources = [
            _resource("dashboards", "Dashboard", _VERBS),
            _resource("dashboards/dto", "Dashboard", ["get"]),
        ]
    else:
        resources = [
            _resource("folders", "Folder", _VERBS),
            _resource("folders/access", "FolderAccessInfo", ["get"]),
        ]
    return ok(
        {
            "kind": "APIResourceList",
            "apiVersion": "v1",
            "groupVersion": f"{group}/{version}",
            "resources": resources,
        }
    )


def _group(site: K8sSite, group: str) -> dict[str, Any]:
    versions = [{"groupVersion": f"{group}/{v}", "version": v} for v in group_versions(site, group)]
    return {"name": group, "versions": versions, "preferredVersion": versions[0]}


def _resource(name: str, kind: str, verbs: list[str]) -> dict[str, Any]:
    return {
        "name": name,
        "singularName": "" if "/" in name else kind.lower(),
        "namespaced": True,
        "kind": kind,
        "verbs": verbs,
    }


def _page_not_found() -> Reply:
    return status(404, "NotFound", "the server could not find the requested resource")

"""``GET`` and ``DELETE /api/dashboards/uid/:uid``, and the ``meta`` a GET carries (§3)."""

from __future__ import annotations

from typing import Any

from .auth import Identity
from .call import Call, Site
from .errors import DASHBOARD_NOT_FOUND, Reply, encode, error, ok
from .k8s_call import namespace_of
from .state import Dashboard, Org
from .urls import dashboard_url, folder_url, slugify


def stored(call: Call, uid: str) -> Dashboard | Reply:
    """The dashboard ``uid`` of the caller's org, or Grafana's 404 for a read."""
    dash = call.org.dashboards.get(uid)
    return DASHBOARD_NOT_FOUND if dash is None else dash


def get_dashboard(call: Call, uid: str) -> Reply:
    dash = stored(call, uid)
    if isinstance(dash, Reply):
        return dash
    if dash.api_version.startswith("v2"):  # stored as schema v2: only /apis serves it (§6.7)
        namespace = namespace_of(call.org_id, call.site.stack_id)
        return error(
            406,
            message="dashboard api version not supported, use /apis/dashboard.grafana.app/"
            f"{dash.api_version}/namespaces/{namespace}/dashboards/{uid} instead",
        )
    meta = encode(dashboard_meta(call.site, call.org, dash, call.who))
    return Reply(200, b'{"dashboard":' + dash.encoded + b',"meta":' + meta + b"}")


def delete_dashboard(call: Call, uid: str) -> Reply:
    dash = call.org.dashboards.get(uid)
    if dash is None:
        if uid in call.org.folders:
            return error(400, message="Use folders endpoint for deleting folders.")
        return error(404, message="Dashboard not found")
    if dash.provisioned:
        return error(400, message="provisioned dashboard cannot be deleted")
    del call.org.dashboards[uid]
    return ok({"title": dash.title, "message": f"Dashboard {dash.title} deleted", "uid": dash.uid})


def dashboard_meta(site: Site, org: Org, dash: Dashboard, who: Identity) -> dict[str, Any]:
    folder = org.folders.get(dash.folder_uid)
    can = who.can_write
    meta: dict[str, Any] = {
        "isStarred": False,
        "type": "db",
        "canSave": can,
        "canEdit": can,
        "canAdmin": who.role == "Admin",
        "canStar": who.can_read,
        "canDelete": can,
        "slug": slugify(dash.title),
        "url": dashboard_url(site.sub_path, dash),
        "expires": "0001-01-01T00:00:00Z",
        "created": dash.created,
        "updated": dash.updated,
        "updatedBy": dash.updated_by,
        "createdBy": dash.created_by,
        "version": dash.version,
        "hasAcl": False,
        "isFolder": False,
        "folderId": folder.id if folder else 0,
        "folderUid": dash.folder_uid,
        "folderTitle": folder.title if folder else "General",
        "folderUrl": folder_url(site.sub_path, folder) if folder else "",
        "provisioned": dash.provisioned and not dash.allow_ui_updates,
        "provisionedExternalId": dash.external_id,
        "annotationsPermissions": {
            "dashboard": {"canAdd": can, "canEdit": can, "canDelete": can},
            "organization": {"canAdd": can, "canEdit": can, "canDelete": can},
        },
        "publicDashboardEnabled": False,
    }
    if site.grafana12:
        meta["apiVersion"] = "v1beta1"
    return meta

"""A dashboard's version history: listing (paged differently by 11.2 and 12), one version,
and restoring one, which is a save like any other (Grafana API §3)."""

from __future__ import annotations

import base64
import binascii
import copy
from typing import Any

from .call import Call, first, json_object, query_int
from .dashboards import stored
from .errors import BAD_REQUEST_DATA, VERSION_NOT_FOUND, Reply, error, ok
from .state import Dashboard, Version
from .urls import dashboard_url, slugify


def list_versions(call: Call, uid: str) -> Reply:
    dash = stored(call, uid)
    if isinstance(dash, Reply):
        return dash
    limit = query_int(call.query, "limit") or 1000
    start = max(query_int(call.query, "start"), 0)
    token = first(call.query, "continueToken")
    grafana12 = call.site.grafana12
    if grafana12 and token:
        try:
            start = int(base64.urlsafe_b64decode(token.encode("ascii")).decode("ascii"))
        except (ValueError, binascii.Error):
            return error(400, message="invalid continue token")
    newest_first = list(reversed(dash.versions))
    page = [version_record(dash, v) for v in newest_first[start : start + limit]]
    if not grafana12:
        return ok(page)
    following = start + limit
    more = following < len(newest_first)
    next_token = base64.urlsafe_b64encode(str(following).encode()).decode() if more else ""
    return ok({"continueToken": next_token, "versions": page})


def get_version(call: Call, uid: str, number: str) -> Reply:
    dash = stored(call, uid)
    if isinstance(dash, Reply):
        return dash
    found = _find(dash, int(number))
    if found is None:
        return VERSION_NOT_FOUND
    return ok({**version_record(dash, found), "data": found.data})


def restore(call: Call, uid: str) -> Reply:
    dash = stored(call, uid)
    if isinstance(dash, Reply):
        return dash
    cmd = json_object(call.body)
    if cmd is None or "version" not in cmd:
        return BAD_REQUEST_DATA
    found = _find(dash, cmd["version"])
    if found is None:
        return VERSION_NOT_FOUND
    saved = call.site.store.save(
        call.org,
        dash,
        copy.deepcopy(found.data),
        uid,
        dash.folder_uid,
        call.who.login,
        f"Restored from version {found.version}",
        restored_from=found.version,
    )
    return ok(
        {
            "id": saved.id,
            "slug": slugify(saved.title),
            "status": "success",
            "uid": saved.uid,
            "url": dashboard_url(call.site.sub_path, saved),
            "version": saved.version,
        }
    )


def version_record(dash: Dashboard, version: Version) -> dict[str, Any]:
    return {
        "id": version.id,
        "dashboardId": dash.id,
        "uid": dash.uid,
        "parentVersion": version.parent_version,
        "restoredFrom": version.restored_from,
        "version": version.version,
        "created": version.created,
        "createdBy": version.created_by,
        "message": version.message,
    }


def _find(dash: Dashboard, number: Any) -> Version | None:
    return next((v for v in dash.versions if v.version == number), None)

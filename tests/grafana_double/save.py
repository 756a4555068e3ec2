"""``POST /api/dashboards/db``: the checks of Grafana API §2, in its order, then one save.

The order matters as much as the answers: a publisher sees the first check that fails, so a
stale version is a 412 only once the title, uid and folder have passed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .call import Call, Site, json_object
from .errors import BAD_REQUEST_DATA, Reply, error, ok, uid_error
from .state import Dashboard, Org, stripped
from .urls import dashboard_url, slugify

MAX_BODY_BYTES = 16 * 1024 * 1024  # k8s storage MaxRequestBodyBytes, Grafana 12 (§1 Limits)
MAX_MESSAGE_LENGTH = 500
MAX_TITLE_LENGTH = 5000
MIN_REFRESH = "5s"

_DURATION = re.compile(r"^(\d+)(ms|s|m|h|d|w|M|y)$")
_SECONDS = {
    "ms": 0.001,
    "s": 1,
    "m": 60,
    "h": 3600,
    "d": 86400,
    "w": 604800,
    "M": 2592000,
    "y": 31536000,
}
_COMMAND_TYPES: dict[str, tuple[type, ...]] = {
    "message": (str,),
    "folderUid": (str,),
    "overwrite": (bool,),
    "isFolder": (bool,),
    "folderId": (int,),
}


@dataclass(frozen=True)
class _Command:
    """The parts of a bound ``SaveDashboardCommand`` the checks read."""

    dashboard: dict[str, Any]  # parsed from this request: ours to keep
    title: str
    uid: str
    dash_id: int
    version: int
    message: str
    overwrite: bool
    folder_uid: str
    folder_id: int

    @classmethod
    def read(cls, cmd: dict[str, Any]) -> _Command:
        dash_in: dict[str, Any] = cmd["dashboard"]
        uid = stripped(dash_in.get("uid"))
        dash_id = int(dash_in["id"]) if _is_int(dash_in.get("id")) else 0
        version = 0
        if (dash_id or uid) and _is_int(dash_in.get("version")):
            version = int(dash_in["version"])
        return cls(
            dashboard=dash_in,
            title=stripped(dash_in.get("title")),
            uid=uid,
            dash_id=dash_id,
            version=version,
            message=cmd.get("message") or "",
            overwrite=bool(cmd.get("overwrite")),
            folder_uid=cmd.get("folderUid") or "",
            folder_id=cmd.get("folderId") or 0,
        )


def save_dashboard(call: Call) -> Reply:
    site, org = call.site, call.org
    if site.grafana12 and len(call.body) > site.max_body_bytes:
        return error(413, message="Dashboard is too large, max is 16 MB")
    bound = _bind(call.body)
    if bound is None:
        return BAD_REQUEST_DATA
    if bound.get("isFolder"):
        return error(400, message="Use folders endpoint for saving folders.")
    cmd = _Command.read(bound)
    creates = not cmd.dash_id and cmd.uid not in org.dashboards
    if creates and site.dashboard_quota is not None and len(org.dashboards) >= site.dashboard_quota:
        return error(403, message="Quota reached")
    # 2-4: title, message, uid
    refused = _field_error(site, cmd)
    if refused is not None:
        return refused
    # 6: the folder must exist
    folder_uid = _folder_uid(site, org, cmd)
    if isinstance(folder_uid, Reply):
        return folder_uid
    # 7: which stored dashboard this is, and the version rule
    found = _target(org, cmd)
    if isinstance(found, Reply):
        return found
    # 8: title uniqueness, Grafana <= 11.2 only
    if site.unique_titles:
        found = _unique_title(org, cmd, folder_uid, *found)
        if isinstance(found, Reply):
            return found
    target, uid = found
    # 10: file-provisioned dashboards
    if target is not None and target.provisioned and not target.allow_ui_updates:
        return error(400, message="Cannot save provisioned dashboard")
    _raise_refresh(cmd.dashboard)
    message = cmd.message or ("Initial save" if target is None else "")
    saved = site.store.save(org, target, cmd.dashboard, uid, folder_uid, call.who.login, message)
    return ok(
        {
            "id": saved.id,
            "uid": saved.uid,
            "url": dashboard_url(site.sub_path, saved),
            "status": "success",
            "version": saved.version,
            "slug": slugify(saved.title),
            "folderUid": saved.folder_uid,
        }
    )


def _bind(body: bytes) -> dict[str, Any] | None:
    """``SaveDashboardCommand`` binding: None where Go's JSON binding would fail (400)."""
    cmd = json_object(body)
    if cmd is None or not isinstance(cmd.get("dashboard"), dict):
        return None
    for key, allowed in _COMMAND_TYPES.items():
        value = cmd.get(key)
        if value is not None and (
            not isinstance(value, allowed) or (allowed == (int,) and isinstance(value, bool))
        ):
            return None
    return cmd


def _field_error(site: Site, cmd: _Command) -> Reply | None:
    if not cmd.title:
        return error(400, message="Dashboard title cannot be empty", status="empty-name")
    if site.grafana12 and len(cmd.title) > MAX_TITLE_LENGTH:
        return error(
            400,
            message="Dashboard title cannot contain more than 5 000 characters",
            status="title-too-long",
        )
    if site.grafana12 and len(cmd.message) > MAX_MESSAGE_LENGTH:
        return error(400, message="message too long, max 500 characters")
    return uid_error(cmd.uid)


def _folder_uid(site: Site, org: Org, cmd: _Command) -> str | Reply:
    folder_uid = cmd.folder_uid
    if not folder_uid and cmd.folder_id:  # deprecated folderId; folderUid wins when both come
        by_id = [f.uid for f in org.folders.values() if f.id == cmd.folder_id]
        folder_uid = by_id[0] if by_id else ""
        missing = not by_id
    else:
        missing = bool(folder_uid) and folder_uid not in org.folders
    if not missing:
        return folder_uid
    if site.grafana12:
        return error(400, message="folder not found")
    return error(404, message="Folder not found", traceID="")


def _target(org: Org, cmd: _Command) -> tuple[Dashboard | None, str] | Reply:
    """The stored dashboard the save replaces (None on create) and its uid."""
    uid = cmd.uid
    by_id = None
    if cmd.dash_id:
        by_id = next((d for d in org.dashboards.values() if d.id == cmd.dash_id), None)
        if by_id is None:
            return error(404, message="Dashboard not found", status="not-found")
        uid = uid or by_id.uid
    by_uid = org.dashboards.get(uid) if uid else None
    if by_id and by_uid and by_id is not by_uid:
        return error(400, message="A dashboard with the same uid already exists")
    target = by_id or by_uid
    if target is None and uid in org.folders:
        return error(400, message="Dashboard cannot be changed to a folder")
    if target is not None and not cmd.overwrite:
        if cmd.version != target.version:
            return error(
                412,
                message="The dashboard has been changed by someone else",
                status="version-mismatch",
            )
        if target.plugin_id:
            return error(
                412,
                message=f"The dashboard belongs to plugin {target.plugin_id}.",
                status="plugin-dashboard",
            )
    return target, uid


def _unique_title(
    org: Org, cmd: _Command, folder_uid: str, target: Dashboard | None, uid: str
) -> tuple[Dashboard | None, str] | Reply:
    """Grafana <= 11.2: one title per folder, shared with folders; ``overwrite`` takes the
    dashboard holding the title over."""
    if any(f.title == cmd.title and f.parent_uid == folder_uid for f in org.folders.values()):
        return error(
            400, message="Dashboard name cannot be the same as folder", status="name-match"
        )
    same_name = next(
        (
            d
            for d in org.dashboards.values()
            if d.title == cmd.title and d.folder_uid == folder_uid and d is not target
        ),
        None,
    )
    if same_name is None:
        return target, uid
    if not cmd.overwrite:
        return error(
            412,
            message="A dashboard with the same name in the folder already exists",
            status="name-exists",
        )
    return same_name, same_name.uid


def _raise_refresh(dashboard: dict[str, Any]) -> None:
    """A refresh below the server's minimum is replaced by it, not refused."""
    refresh = dashboard.get("refresh")
    if isinstance(refresh, str) and refresh:
        seconds = _seconds(refresh)
        if seconds is not None and seconds < (_seconds(MIN_REFRESH) or 0):
            dashboard["refresh"] = MIN_REFRESH


def _seconds(duration: str) -> float | None:
    found = _DURATION.match(duration)
    return int(found[1]) * _SECONDS[found[2]] if found else None


def _is_int(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)

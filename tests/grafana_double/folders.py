"""``/api/folders``: list, get, create and rename, nested up to eight deep (Grafana API §4).

Grafana 12 stores folders in k8s storage, so a taken uid is a 412 there and a 409 in 11.2;
11.2 also refuses two folders (or, at the root, a folder and a dashboard) with one title.
"""

from __future__ import annotations

from typing import Any

from .auth import Identity
from .call import Call, first, json_object, query_int
from .errors import (
    BAD_REQUEST_DATA,
    FOLDER_CHANGED,
    FOLDER_NOT_FOUND,
    FOLDER_TITLE_TAKEN,
    Reply,
    error,
    ok,
    uid_error,
)
from .state import Folder, Org, now
from .urls import folder_url

MAX_FOLDER_DEPTH = 8

_TITLE_EMPTY = error(400, message="folder title cannot be empty")


def list_folders(call: Call) -> Reply:
    if not call.who.can_read:
        return ok([])
    parent = first(call.query, "parentUid") or ""
    limit = query_int(call.query, "limit") or 1000
    page = max(query_int(call.query, "page"), 1)
    children = sorted(
        (f for f in call.org.folders.values() if f.parent_uid == parent),
        key=lambda f: (f.title, f.uid),
    )
    out: list[dict[str, Any]] = []
    for folder in children[(page - 1) * limit : page * limit]:
        item: dict[str, Any] = {"id": folder.id, "uid": folder.uid, "title": folder.title}
        if folder.parent_uid:
            item["parentUid"] = folder.parent_uid
        out.append(item)
    return ok(out)


def get_folder(call: Call, uid: str) -> Reply:
    folder = call.org.folders.get(uid)
    if folder is None:
        return FOLDER_NOT_FOUND
    return ok(folder_dto(call.site.sub_path, call.org, folder, call.who, call.org_id))


def create_folder(call: Call) -> Reply:
    cmd = _bind(call.body, ("uid", "title", "parentUid", "description"))
    if cmd is None:
        return BAD_REQUEST_DATA
    title = (cmd.get("title") or "").strip()
    uid = (cmd.get("uid") or "").strip()
    parent_uid = cmd.get("parentUid") or ""
    if not title:
        return _TITLE_EMPTY
    refused = uid_error(uid)
    if refused is not None:
        return refused
    if uid in call.org.folders or uid in call.org.dashboards:
        if call.site.grafana12:  # k8s storage maps AlreadyExists to version-mismatch
            return FOLDER_CHANGED
        return error(409, message="a folder/dashboard with the same uid already exists")
    if parent_uid and parent_uid not in call.org.folders:
        return FOLDER_NOT_FOUND
    if len(ancestors(call.org, parent_uid)) + 1 > MAX_FOLDER_DEPTH:
        return error(
            400,
            message="Maximum nested folder depth reached",
            messageId="folder.maximum-depth-reached",
        )
    if call.site.unique_titles and _title_taken(call.org, title, parent_uid):
        return FOLDER_TITLE_TAKEN
    folder = call.site.store.add_folder(
        call.org, uid, title, parent_uid, call.who.login, cmd.get("description") or ""
    )
    return ok(folder_dto(call.site.sub_path, call.org, folder, call.who, call.org_id))


def update_folder(call: Call, uid: str) -> Reply:
    """``PUT /api/folders/:uid``: a rename, guarded by the folder's version like a save."""
    cmd = _bind(call.body, ("title",))
    if cmd is None:
        return BAD_REQUEST_DATA
    folder = call.org.folders.get(uid)
    if folder is None:
        return FOLDER_NOT_FOUND
    title = (cmd.get("title") or "").strip()
    if not title:
        return _TITLE_EMPTY
    if not cmd.get("overwrite") and cmd.get("version") != folder.version:
        return FOLDER_CHANGED
    if (
        call.site.unique_titles
        and title != folder.title
        and _title_taken(call.org, title, folder.parent_uid)
    ):
        return FOLDER_TITLE_TAKEN
    folder.title, folder.version = title, folder.version + 1
    folder.updated, folder.updated_by = now(), call.who.login
    return ok(folder_dto(call.site.sub_path, call.org, folder, call.who, call.org_id))


def folder_dto(
    sub_path: str, org: Org, folder: Folder, who: Identity, org_id: int, *, parents: bool = True
) -> dict[str, Any]:
    """The folder as ``GET /api/folders/:uid`` returns it, parents root first."""
    dto: dict[str, Any] = {
        "id": folder.id,
        "uid": folder.uid,
        "orgId": org_id,
        "title": folder.title,
        "url": folder_url(sub_path, folder),
        "hasAcl": False,
        "canSave": who.can_write,
        "canEdit": who.can_write,
        "canAdmin": who.role == "Admin",
        "canDelete": who.can_write,
        "createdBy": folder.created_by,
        "created": folder.created,
        "updatedBy": folder.updated_by,
        "updated": folder.updated,
        "version": folder.version,
    }
    if folder.parent_uid and parents:
        dto["parentUid"] = folder.parent_uid
        dto["parents"] = [
            folder_dto(sub_path, org, p, who, org_id, parents=False)
            for p in ancestors(org, folder.parent_uid)
        ]
    return dto


def ancestors(org: Org, uid: str) -> list[Folder]:
    """The folder ``uid`` and its parents, root first."""
    chain: list[Folder] = []
    while uid and uid in org.folders and len(chain) <= MAX_FOLDER_DEPTH + 1:
        chain.append(org.folders[uid])
        uid = org.folders[uid].parent_uid
    return list(reversed(chain))


def _bind(body: bytes, fields: tuple[str, ...]) -> dict[str, Any] | None:
    """A folder command: None (400) unless a JSON object whose ``fields`` are strings."""
    cmd = json_object(body)
    if cmd is None or not all(isinstance(cmd.get(k) or "", str) for k in fields):
        return None
    return cmd


def _title_taken(org: Org, title: str, parent_uid: str) -> bool:
    if any(f.title == title and f.parent_uid == parent_uid for f in org.folders.values()):
        return True
    # at the root, folders and dashboards shared one namespace in 11.x
    return not parent_uid and any(
        d.title == title and not d.folder_uid for d in org.dashboards.values()
    )

"""``/apis/folder.grafana.app/<version>/namespaces/<ns>/folders`` (Grafana API §6.10), on the
folders the legacy ``/api/folders`` serves.

The parent is the ``grafana.app/folder`` annotation; a PUT that changes it moves the folder.
Choices where Grafana's docs are silent or unsure: a stale ``resourceVersion`` is 409 Conflict (the
docs' legacy-style 412 is unverified on ``/apis``; clients accept both); depth and title rules
are the legacy ones (§4); moving a folder under itself or a descendant is 400; DELETE removes
the folder's dashboards and subfolders. The generation moves with the title, description or
parent (every save, in legacy storage).
"""

from __future__ import annotations

import json
from typing import Any

from .errors import Reply, encode, ok, uid_error
from .folders import MAX_FOLDER_DEPTH, ancestors
from .k8s_call import K8sCall
from .k8s_list import label_selector, list_body, name_selector, page
from .k8s_object import A_CREATED_BY, A_FOLDER, A_UPDATED, A_UPDATED_BY, identity_ref, read_written
from .k8s_status import FOLDERS, already_exists, bad_request, conflict, not_found, success
from .state import Folder, Org, now


def folder_object(call: K8sCall, folder: Folder) -> dict[str, Any]:
    annotations = dict(folder.annotations)
    if folder.parent_uid:
        annotations[A_FOLDER] = folder.parent_uid
    annotations[A_CREATED_BY] = identity_ref(folder.created_by)
    annotations[A_UPDATED_BY] = identity_ref(folder.updated_by)
    annotations[A_UPDATED] = folder.updated
    spec: dict[str, Any] = {"title": folder.title}
    if folder.description:
        spec["description"] = folder.description
    return {
        "apiVersion": f"{FOLDERS.group}/{call.version}",
        "kind": "Folder",
        "metadata": {
            "name": folder.uid,
            "namespace": call.namespace,
            "uid": folder.k8s_uid,
            "resourceVersion": folder.resource_version,
            "generation": folder.version,
            "creationTimestamp": folder.created,
            "labels": {"grafana.app/deprecatedInternalID": str(folder.id)},
            "annotations": dict(sorted(annotations.items())),
        },
        "spec": spec,
        "status": {},
    }


def get(call: K8sCall, name: str) -> Reply:
    folder = call.org.folders.get(name)
    return not_found(FOLDERS, name) if folder is None else ok(folder_object(call, folder))


def get_access(call: K8sCall, name: str) -> Reply:
    """``…/folders/<name>/access``: what the caller may do in the folder (``FolderAccessInfo``,
    a subresource of Grafana's folder API; its integration test lists it in discovery)."""
    folder = call.org.folders.get(name)
    if folder is None:
        return not_found(FOLDERS, name)
    can = call.who.can_write
    return ok(
        {
            "kind": "FolderAccessInfo",
            "apiVersion": f"{FOLDERS.group}/{call.version}",
            "canSave": can,
            "canEdit": can,
            "canAdmin": call.who.role == "Admin",
            "canDelete": can,
        }
    )


def list_folders(call: K8sCall) -> Reply:
    selector = label_selector(call)
    if isinstance(selector, Reply):
        return selector
    name = name_selector(call)
    if isinstance(name, Reply):
        return name
    found = [
        f
        for uid, f in sorted(call.org.folders.items())
        if (name is None or uid == name)
        and selector.matches({"grafana.app/deprecatedInternalID": str(f.id)})
    ]
    paged = page(call, found)
    if isinstance(paged, Reply):
        return paged
    chunk, token = paged
    items = [folder_object(call, f) for f in chunk]
    api_version = f"{FOLDERS.group}/{call.version}"
    return ok(list_body("FolderList", api_version, call.site.store.resource_version, items, token))


def create(call: K8sCall) -> Reply:
    written = _read(call)
    if isinstance(written, Reply):
        return written
    name, title, description, parent, _ = written
    if not name:
        return bad_request("missing name")
    refused = _checks(call.org, name, title, parent)
    if refused is not None:
        return refused
    if name in call.org.folders or name in call.org.dashboards:
        return already_exists(FOLDERS, name)
    folder = call.site.store.add_folder(call.org, name, title, parent, call.who.login, description)
    return Reply(201, encode(folder_object(call, folder)))


def update(call: K8sCall, name: str) -> Reply:
    folder = call.org.folders.get(name)
    if folder is None:
        return not_found(FOLDERS, name)
    written = _read(call)
    if isinstance(written, Reply):
        return written
    _, title, description, parent, wanted_rv = written
    if wanted_rv and wanted_rv != folder.resource_version:
        return conflict(FOLDERS, name)
    refused = _checks(call.org, name, title, parent)
    if refused is not None:
        return refused
    if parent and (parent == name or name in {f.uid for f in ancestors(call.org, parent)}):
        return bad_request("cannot move a folder into itself or one of its subfolders")
    changed = (title, description, parent) != (folder.title, folder.description, folder.parent_uid)
    if changed or not call.site.store.unified:
        folder.title, folder.description, folder.parent_uid = title, description, parent
        folder.version += 1
        folder.updated, folder.updated_by = now(), call.who.login
        folder.resource_version = call.site.store.next_resource_version()
    return ok(folder_object(call, folder))


def delete(call: K8sCall, name: str) -> Reply:
    folder = call.org.folders.get(name)
    if folder is None:
        return not_found(FOLDERS, name)
    doomed = {name}
    while True:  # every subfolder, however deep
        more = {f.uid for f in call.org.folders.values() if f.parent_uid in doomed} - doomed
        if not more:
            break
        doomed |= more
    for uid in doomed:
        del call.org.folders[uid]
    for uid in [u for u, d in call.org.dashboards.items() if d.folder_uid in doomed]:
        del call.org.dashboards[uid]
    return ok(success(FOLDERS, name, folder.k8s_uid))


def _read(call: K8sCall) -> tuple[str, str, str, str, str] | Reply:
    """name, title, description, parent and resourceVersion of the folder a client sent."""
    if not _is_json(call.body):
        return bad_request("the body of the request was in an unknown format")
    written = read_written(call, FOLDERS, json.loads(call.body))
    if isinstance(written, Reply):
        return written
    title = written.spec.get("title")
    description = written.spec.get("description") or ""
    if not isinstance(title, str) or not isinstance(description, str):
        return bad_request("folder title cannot be empty")
    return written.name, title.strip(), description, written.folder, written.resource_version


def _checks(org: Org, name: str, title: str, parent: str) -> Reply | None:
    if not title:
        return bad_request("folder title cannot be empty")
    refused = uid_error(name)
    if refused is not None:
        return bad_request(json.loads(refused.body)["message"])
    if parent and parent not in org.folders:
        return not_found(FOLDERS, parent)
    if len(ancestors(org, parent)) + 1 > MAX_FOLDER_DEPTH:
        return bad_request("Maximum nested folder depth reached")
    return None


def _is_json(body: bytes) -> bool:
    try:
        json.loads(body)
    except ValueError:
        return False
    return True

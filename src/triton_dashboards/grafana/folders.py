"""The folder our dashboards live in: found or created by a uid derived from its title.

A fixed uid per title makes folder creation idempotent and lets ``--prune`` know which
folder is ours. ``GRAFANA_FOLDER`` may be a path, ``Team/Triton``, for nested folders
(Grafana 11+). When the derived uid is missing but a folder of that title already sits
at that level (made by hand, say), that folder is used rather than a look-alike twin.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

import attrs

from triton_dashboards.defaults import FOLDER as DEFAULT_FOLDER
from triton_dashboards.grafana.api import DashboardApi
from triton_dashboards.grafana.diagnose import forbidden
from triton_dashboards.grafana.errors import AlreadyExists, GrafanaError, VersionMismatch
from triton_dashboards.validation import MAX_UID_LENGTH

__all__ = [
    "DEFAULT_FOLDER",
    "Folder",
    "folder_path",
    "folder_uid",
    "grants",
    "resolve_folders",
]


@attrs.frozen
class Folder:
    """One level of our folder path, and what resolving it did."""

    title: str
    uid: str
    #: "exists", "created", "adopted" (found by title) or "would create" (dry run).
    state: str


def folder_path(title: str) -> list[str]:
    """``"Team / Triton"`` -> ``["Team", "Triton"]``; empty parts are dropped."""
    parts = [part.strip() for part in title.split("/")]
    return [part for part in parts if part]


def folder_uid(titles: list[str]) -> str:
    """A stable uid for a folder path: its slug, or a slug prefix and a hash when too long."""
    key = "/".join(titles)
    slug = re.sub(r"[^a-z0-9]+", "-", key.lower()).strip("-")
    if slug and len(slug) <= MAX_UID_LENGTH:
        return slug
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:12]
    prefix = slug[: MAX_UID_LENGTH - len(digest) - 1].strip("-") or "folder"
    return f"{prefix}-{digest}"


def _by_title(client: DashboardApi, title: str, parent_uid: str | None) -> str | None:
    for folder in client.list_folders(parent_uid):
        if str(folder.get("title", "")).strip() == title and folder.get("uid"):
            return str(folder["uid"])
    return None


def resolve_folders(
    client: DashboardApi, title: str, *, dry_run: bool, writable: bool = True
) -> list[Folder]:
    """Find or create every level of the folder path, top down; the last one is ours.

    Returns [] for the root (an empty title), where dashboards go to "General". With
    ``writable``, a folder Grafana says we cannot save in is refused (403) before anything.
    """
    titles = folder_path(title)
    resolved: list[Folder] = []
    parent: str | None = None
    missing_above = False
    for depth in range(len(titles)):
        name = titles[depth]
        uid = folder_uid(titles[: depth + 1])
        folder = (
            None if missing_above else _resolve_one(client, name, uid, parent, dry_run, writable)
        )
        if folder is None:
            missing_above = True
            folder = Folder(name, uid, "would create")
        resolved.append(folder)
        parent = folder.uid
    return resolved


def _writable(
    client: DashboardApi, title: str, uid: str, found: dict[str, Any], dry_run: bool
) -> None:
    """Refuse now, also in a dry run, when Grafana says our saves there would be refused:
    the legacy folder says ``canSave``; on ``/apis`` a dry run asks the folder's ``access``
    (a real run hears the same from its first write, a 403 that stops it)."""
    can = found.get("canSave")
    ask = getattr(client, "can_save_in", None)
    if can is None and dry_run and ask is not None:
        can = ask(uid)
    if can is False:
        raise forbidden(
            f"save dashboards in folder {title!r}", "canSave is false", "dashboards:write"
        )


def grants(permissions: dict[str, list[str]], action: str, scope: str) -> bool:
    """Whether ``action`` is held on ``scope``: an unscoped grant, the scope itself, or a
    wildcard over it (``folders:*``, ``folders:uid:*``, ``*``), as Grafana's RBAC matches."""
    return any(
        held in ("", scope) or (held.endswith("*") and scope.startswith(held[:-1]))
        for held in permissions.get(action, [])
    )


def _may_create(client: DashboardApi, title: str, parent: str | None) -> None:
    """Refuse a dry run's "would create" that the real run could not do: a folder is created
    with ``folders:create`` on its parent (``folders:uid:general`` at the root), which a
    Viewer lacks. Grafana lists the credential's permissions; where it does not, the dry run
    says "would create" and the real run hears the 403 on its create."""
    ask = getattr(client, "user_permissions", None)
    permissions = ask() if ask is not None else None
    if permissions is None:
        return
    scope = f"folders:uid:{parent or 'general'}"
    if not grants(permissions, "folders:create", scope):
        raise forbidden(
            f"create folder {title!r}",
            f"this credential's permissions hold no folders:create on {scope}",
            "folders:create",
        )


def _check_not_a_dashboard(client: DashboardApi, title: str, uid: str) -> None:
    """Folders and dashboards share uids: a dashboard holding ours blocks the folder for good."""
    taken = client.get_dashboard(uid)
    if taken is not None:
        raise GrafanaError(
            f"cannot create folder {title!r}: its uid {uid!r} (derived from the title) "
            f"is taken by the dashboard {taken.dashboard.get('title', uid)!r}; "
            "set GRAFANA_FOLDER (or --folder) to another title",
            fatal=True,
        )


def _resolve_one(
    client: DashboardApi, title: str, uid: str, parent: str | None, dry_run: bool, writable: bool
) -> Folder | None:
    found = client.get_folder(uid)
    if found is not None:
        if writable:
            _writable(client, title, uid, found, dry_run)
        return Folder(title, uid, "exists")
    adopted = _by_title(client, title, parent)
    if adopted is not None:
        if writable:
            _writable(client, title, adopted, client.get_folder(adopted) or {}, dry_run)
        return Folder(title, adopted, "adopted")
    if dry_run:
        _check_not_a_dashboard(client, title, uid)
        if writable:
            _may_create(client, title, parent)
        return None
    try:
        client.create_folder(uid, title, parent)
    except (AlreadyExists, VersionMismatch) as error:
        # Made meanwhile, or our own create whose answer was lost and was retried.
        if client.get_folder(uid) is not None:
            return Folder(title, uid, "exists")
        _check_not_a_dashboard(client, title, uid)
        raise GrafanaError(
            f"cannot create folder {title!r}: Grafana says its uid {uid!r} is taken "
            f"({error.status}), but no folder or dashboard this credential can read has it; "
            "set GRAFANA_FOLDER (or --folder) to another title",
            fatal=True,
        ) from None
    return Folder(title, uid, "created")

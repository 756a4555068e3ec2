"""The folder our dashboards live in: found or created by a uid derived from its title.

A fixed uid per title makes folder creation idempotent and lets ``--prune`` know which
folder is ours. ``GRAFANA_FOLDER`` may be a path, ``Team/Triton``, for nested folders
(Grafana 11+). When the derived uid is missing but a folder of that title already sits
at that level (made by hand, say), that folder is used rather than a look-alike twin.
"""

from __future__ import annotations

import hashlib
import re

import attrs

from triton_dashboards.grafana.client import GrafanaClient
from triton_dashboards.grafana.errors import AlreadyExists, GrafanaError, VersionMismatch

__all__ = ["DEFAULT_FOLDER", "Folder", "folder_path", "folder_uid", "resolve_folders"]

DEFAULT_FOLDER = "Triton"
_MAX_UID = 40


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
    if slug and len(slug) <= _MAX_UID:
        return slug
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:12]
    prefix = slug[: _MAX_UID - len(digest) - 1].strip("-") or "folder"
    return f"{prefix}-{digest}"


def _by_title(client: GrafanaClient, title: str, parent_uid: str | None) -> str | None:
    for folder in client.list_folders(parent_uid):
        if str(folder.get("title", "")).strip() == title and folder.get("uid"):
            return str(folder["uid"])
    return None


def resolve_folders(client: GrafanaClient, title: str, *, dry_run: bool) -> list[Folder]:
    """Find or create every level of the folder path, top down; the last one is ours.

    Returns [] for the root (an empty title), where dashboards go to "General".
    """
    titles = folder_path(title)
    resolved: list[Folder] = []
    parent: str | None = None
    missing_above = False
    for depth in range(len(titles)):
        name = titles[depth]
        uid = folder_uid(titles[: depth + 1])
        folder = None if missing_above else _resolve_one(client, name, uid, parent, dry_run)
        if folder is None:
            missing_above = True
            folder = Folder(name, uid, "would create")
        resolved.append(folder)
        parent = folder.uid
    return resolved


def _resolve_one(
    client: GrafanaClient, title: str, uid: str, parent: str | None, dry_run: bool
) -> Folder | None:
    if client.get_folder(uid) is not None:
        return Folder(title, uid, "exists")
    adopted = _by_title(client, title, parent)
    if adopted is not None:
        return Folder(title, adopted, "adopted")
    if dry_run:
        return None
    try:
        client.create_folder(uid, title, parent)
    except (AlreadyExists, VersionMismatch) as error:
        # Made meanwhile, or our own create whose answer was lost and was retried.
        if client.get_folder(uid) is not None:
            return Folder(title, uid, "exists")
        raise GrafanaError(
            f"cannot create folder {title!r} (uid {uid}): {error.message}; "
            "set GRAFANA_FOLDER to another title"
        ) from None
    return Folder(title, uid, "created")

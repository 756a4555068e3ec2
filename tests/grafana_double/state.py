"""The stored model: orgs holding dashboards (with their version history) and folders.

``Store.save`` is the one way a dashboard is written, by the API and by scenario set-up alike,
so every write follows Grafana's rule: the version goes up by one whatever the JSON, and a
version record is kept.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from .errors import encode

VERSIONS_TO_KEEP = 20


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
    ) -> Dashboard:
        """Write one save: version + 1 (1 on create), a version record, whatever the JSON."""
        stamp = now()
        title = stripped(data.get("title"))
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
            org.dashboards[dash.uid] = dash
        else:
            dash = existing
            dash.version += 1
            dash.title, dash.data, dash.folder_uid = title, data, folder_uid
            dash.updated, dash.updated_by = stamp, user
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
            )
        )
        del dash.versions[:-VERSIONS_TO_KEEP]
        return dash

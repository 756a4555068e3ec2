"""``GET /api/search``: folders and dashboards by text, tags, uids, ids and folder (Grafana API §3).

Folders come first, then dashboards, each by title; a hit at the root has no ``folder*`` keys.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .call import Call, first, query_int
from .errors import Reply, error, ok
from .state import Dashboard, Org
from .urls import dashboard_url, folder_url, slugify

SEARCH_DEFAULT_LIMIT = 1000
SEARCH_MAX_LIMIT = 5000

_NONE: frozenset[str] = frozenset()


@dataclass(frozen=True)
class _Item:
    """A folder or a dashboard, as search filters and answers it."""

    kind: str  # "dash-folder" | "dash-db"
    id: int
    uid: str
    title: str
    url: str
    parent_uid: str
    tags: frozenset[str]


@dataclass(frozen=True)
class _SearchFilter:
    """The ``GET /api/search`` filters (Grafana API §3); list parameters repeat, AND for tags."""

    text: str
    tags: frozenset[str]
    dashboard_uids: frozenset[str]
    dashboard_ids: frozenset[int]
    folder_uids: frozenset[str]  # "" is the root, sent as "general"
    folder_ids: frozenset[int]  # 0 is the root

    @classmethod
    def from_query(cls, q: Mapping[str, list[str]]) -> _SearchFilter:
        def ints(name: str) -> frozenset[int]:
            return frozenset(int(v) for v in q.get(name, []) if v.isdigit())

        return cls(
            text=(first(q, "query") or "").lower(),
            tags=frozenset(q.get("tag", [])),
            dashboard_uids=frozenset(q.get("dashboardUIDs", [])),
            dashboard_ids=ints("dashboardIds"),
            folder_uids=frozenset("" if f == "general" else f for f in q.get("folderUIDs", [])),
            folder_ids=ints("folderIds"),
        )

    def matches(self, org: Org, item: _Item) -> bool:
        parent = org.folders.get(item.parent_uid)
        return (
            self.text in item.title.lower()
            and self.tags <= item.tags
            and (not self.dashboard_uids or item.uid in self.dashboard_uids)
            and (not self.dashboard_ids or item.id in self.dashboard_ids)
            and (not self.folder_uids or item.parent_uid in self.folder_uids)
            and (not self.folder_ids or (parent.id if parent else 0) in self.folder_ids)
        )


def search(call: Call) -> Reply:
    q = call.query
    limit = query_int(q, "limit") or SEARCH_DEFAULT_LIMIT
    if limit > SEARCH_MAX_LIMIT:
        return error(
            422,
            message=(
                "Limit is above maximum allowed (5000), "
                "use page parameter to access hits beyond limit"
            ),
        )
    page = max(query_int(q, "page"), 1)
    uids = {*q.get("dashboardUIDs", []), *q.get("folderUIDs", [])}
    ids = {*q.get("dashboardIds", []), *q.get("folderIds", [])}
    if uids and ids:
        return error(400, message="search supports UIDs or IDs, not both")
    if not call.who.can_read or (first(q, "permission") == "Edit" and not call.who.can_write):
        return ok([])
    if first(q, "starred") == "true":
        return ok([])  # nothing is starred in the double
    kind = first(q, "type")
    wanted = _SearchFilter.from_query(q)
    sub_path, org = call.site.sub_path, call.org
    items: list[_Item] = []
    if kind != "dash-db" and not wanted.tags:  # folders carry no tags
        items += [
            _Item("dash-folder", f.id, f.uid, f.title, folder_url(sub_path, f), f.parent_uid, _NONE)
            for f in org.folders.values()
        ]
    if kind != "dash-folder":
        items += [
            _Item(
                "dash-db", d.id, d.uid, d.title, dashboard_url(sub_path, d), d.folder_uid, _tags(d)
            )
            for d in org.dashboards.values()
        ]
    hits = [_hit(sub_path, org, item) for item in items if wanted.matches(org, item)]
    sort = first(q, "sort")
    if sort in ("alpha-asc", "alpha-desc"):
        hits.sort(key=lambda h: h["title"].lower(), reverse=sort == "alpha-desc")
    else:
        hits.sort(key=lambda h: (h["type"] != "dash-folder", h["title"].lower()))
    return ok(hits[(page - 1) * limit : page * limit])


def _hit(sub_path: str, org: Org, item: _Item) -> dict[str, Any]:
    slug = slugify(item.title)
    return {
        "id": item.id,
        "uid": item.uid,
        "title": item.title,
        "uri": f"db/{slug}",
        "url": item.url,
        "slug": slug,
        "type": item.kind,
        "tags": sorted(item.tags),
        "isStarred": False,
        **_parent_keys(sub_path, org, item.parent_uid),
        "sortMeta": 0,
    }


def _parent_keys(sub_path: str, org: Org, folder_uid: str) -> dict[str, Any]:
    """The ``folder*`` keys of a search hit, omitted at the root (§3)."""
    folder = org.folders.get(folder_uid)
    if folder is None:
        return {}
    return {
        "folderId": folder.id,
        "folderUid": folder.uid,
        "folderTitle": folder.title,
        "folderUrl": folder_url(sub_path, folder),
    }


def _tags(dash: Dashboard) -> frozenset[str]:
    tags = dash.data.get("tags")
    return frozenset(t for t in tags if isinstance(t, str)) if isinstance(tags, list) else _NONE

"""Read-only views of Grafana next to git: ``diff`` (live against local) and ``pull``.

Both normalise the way publish does (:func:`publish_json.normalise`), so ``pull`` then
``diff`` is clean and ``diff`` shows exactly what a publish would change.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import attrs

from triton_dashboards.files import write_atomic
from triton_dashboards.grafana.client import GrafanaClient, LiveDashboard
from triton_dashboards.grafana.errors import NotFound
from triton_dashboards.grafana.local import LocalDashboard, diff_lines, dump, normalise
from triton_dashboards.grafana.publish import live_label

__all__ = ["DiffResult", "Pulled", "diff_dashboards", "pull_dashboards"]


@attrs.frozen
class DiffResult:
    """One local dashboard against Grafana's copy."""

    local: LocalDashboard
    live: LiveDashboard | None
    lines: tuple[str, ...]
    #: Set when the dashboard sits in another folder than ours ("" when it does not).
    folder_note: str = ""

    @property
    def differs(self) -> bool:
        return self.live is None or bool(self.lines) or bool(self.folder_note)

    def summary(self) -> str:
        """One line: ``ner: differs (12 lines)``, ``ner: missing in Grafana``..."""
        if self.live is None:
            return f"{self.local.label}: missing in Grafana (publish would create it)"
        if not self.differs:
            return f"{self.local.label}: identical (version {self.live.version})"
        parts = []
        if self.lines:
            parts.append(f"{len(self.lines)} diff lines")
        if self.folder_note:
            parts.append(self.folder_note)
        return f"{self.local.label}: differs ({', '.join(parts)})"


def _diff_one(client: GrafanaClient, local: LocalDashboard, folder_uid: str) -> DiffResult:
    live = client.get_dashboard(local.uid)
    if live is None:
        empty: dict[str, object] = {}
        lines = diff_lines(empty, local.dashboard, live_label(local.uid, None), local.source)
        return DiffResult(local, None, tuple(lines))
    lines = diff_lines(live.dashboard, local.dashboard, live_label(local.uid, live), local.source)
    note = ""
    if live.folder_uid != folder_uid:
        where = live.meta.get("folderTitle") or live.folder_uid or "General"
        note = f"in folder {where!r} in Grafana, not in ours"
    return DiffResult(local, live, tuple(lines), note)


def diff_dashboards(
    client: GrafanaClient,
    dashboards: Sequence[LocalDashboard],
    folder_uid: str,
    *,
    concurrency: int = 8,
) -> list[DiffResult]:
    """Each dashboard against Grafana, in the order given."""
    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        return list(pool.map(lambda local: _diff_one(client, local, folder_uid), dashboards))


@attrs.frozen
class Pulled:
    """A dashboard saved from Grafana into a file."""

    uid: str
    path: Path
    version: int
    #: "written", or "unchanged" when the file already held exactly this.
    state: str
    text: str = attrs.field(repr=False, default="")


def _pull_one(client: GrafanaClient, uid: str, directory: Path) -> Pulled:
    live = client.get_dashboard(uid)
    if live is None:
        raise NotFound(
            f"no dashboard with uid {uid!r} in Grafana; check the uid (the part after /d/ in "
            "its URL) and GRAFANA_ORG_ID",
            status=404,
        )
    path = directory / f"{uid}.json"
    text = dump(normalise(live.dashboard))
    same = path.is_file() and path.read_text(encoding="utf-8") == text
    return Pulled(uid, path, live.version, "unchanged" if same else "written", text)


def pull_dashboards(
    client: GrafanaClient, uids: Sequence[str], directory: Path, *, concurrency: int = 8
) -> list[Pulled]:
    """Save live dashboards as ``directory/<uid>.json``, normalised; all or nothing.

    Every dashboard is fetched before any file is written, so a uid that does not exist
    leaves the directory as it was.
    """
    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        fetched = list(pool.map(lambda uid: _pull_one(client, uid, directory), uids))
    directory.mkdir(parents=True, exist_ok=True)
    for item in fetched:
        if item.state == "written":
            write_atomic(item.path, item.text)
    return fetched

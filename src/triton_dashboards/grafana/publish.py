"""Publish dashboard JSON to Grafana: plan each dashboard against the live one, then apply.

Per dashboard (the grizzly way: prepare, get, compare, apply), in a bounded thread pool:

* GET it by uid. Missing: create it. Equal once normalised, and in our folder: unchanged,
  nothing written (a Grafana save always bumps the version, even for identical JSON).
* Different, and its latest version was saved by us (the message carries our mark): update
  it, sending the version we read, so a concurrent save makes Grafana answer 412 instead
  of losing one of the two.
* Different, and someone else saved the latest version (an edit in the UI since our last
  publish): a conflict. Not written, a diff shown, unless ``force``.

A 412 after a save whose answer was lost is success when the stored dashboard now equals
ours. Folders are resolved first (:mod:`publish_folders`); ``prune`` deletes dashboards in
our folder that are not being published, and only those whose latest version is ours.
This module works on dashboard JSON only, so it publishes any dashboard, ours or not.
"""

from __future__ import annotations

import enum
import functools
import re
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from typing import Any

import attrs

from triton_dashboards.grafana.client import DashboardVersion, GrafanaClient, LiveDashboard
from triton_dashboards.grafana.errors import GrafanaError, Provisioned, VersionMismatch
from triton_dashboards.grafana.folders import DEFAULT_FOLDER, Folder, resolve_folders
from triton_dashboards.grafana.local import (
    LocalDashboard,
    diff_lines,
    is_ours,
    normalise,
    save_message,
)

__all__ = ["Outcome", "Publisher", "Report", "Status", "live_label"]

DEFAULT_CONCURRENCY = 8


class Status(str, enum.Enum):
    """What happened to one dashboard (or, in a dry run, what would)."""

    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    CONFLICT = "conflict"
    FAILED = "failed"
    SKIPPED = "skipped"
    DELETED = "deleted"
    KEPT = "kept"
    WOULD_CREATE = "would create"
    WOULD_UPDATE = "would update"
    WOULD_DELETE = "would delete"


#: Statuses that let a publish exit 0.
GOOD = frozenset(
    {
        Status.CREATED,
        Status.UPDATED,
        Status.UNCHANGED,
        Status.DELETED,
        Status.KEPT,
        Status.WOULD_CREATE,
        Status.WOULD_UPDATE,
        Status.WOULD_DELETE,
    }
)


@attrs.frozen
class Outcome:
    """One dashboard's result: enough for a line of text and for ``--output json``."""

    label: str
    uid: str
    status: Status
    file: str | None = None
    version_before: int | None = None
    version_after: int | None = None
    #: For conflicts and failures: the one-line reason; else a short note.
    detail: str = ""
    diff: tuple[str, ...] = ()

    def line(self, width: int = 0) -> str:
        """``ner  updated (version 4 -> 5)``, the label padded to ``width``."""
        name = self.label.ljust(width)
        status = self.status
        if status is Status.CONFLICT:
            return f"{name}  CONFLICT: {self.detail}"
        if status is Status.FAILED:
            return f"{name}  FAILED: {self.detail}"
        if status in (Status.SKIPPED, Status.KEPT):
            return f"{name}  {status.value}: {self.detail}"
        versions = ""
        if self.version_before is not None and self.version_after is not None:
            versions = f"version {self.version_before} -> {self.version_after}"
        elif self.version_after is not None:
            versions = f"version {self.version_after}"
        elif self.version_before is not None:
            versions = f"version {self.version_before}"
        notes = ", ".join(part for part in (versions, self.detail) if part)
        return f"{name}  {status.value}" + (f" ({notes})" if notes else "")

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "uid": self.uid,
            "file": self.file,
            "status": self.status.value,
            "version_before": self.version_before,
            "version_after": self.version_after,
            "detail": self.detail,
            "diff": list(self.diff),
        }


@attrs.frozen
class Report:
    """A whole publish: the folders, every dashboard's outcome, and whether it all worked."""

    folders: tuple[Folder, ...]
    outcomes: tuple[Outcome, ...]
    dry_run: bool = False
    #: A fatal error (401, Grafana unreachable) that stopped the run, as one line.
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and all(o.status in GOOD for o in self.outcomes)

    def counts(self) -> Counter[Status]:
        return Counter(o.status for o in self.outcomes)

    def summary(self) -> str:
        """``1 updated, 1 unchanged, 1 conflict, 0 failed`` (plus what else happened)."""
        counts = self.counts()
        if self.dry_run:
            order = [Status.WOULD_CREATE, Status.WOULD_UPDATE, Status.UNCHANGED]
            order += [Status.CONFLICT, Status.FAILED]
            extra = [Status.WOULD_DELETE, Status.KEPT, Status.SKIPPED]
        else:
            order = [Status.CREATED, Status.UPDATED, Status.UNCHANGED]
            order += [Status.CONFLICT, Status.FAILED]
            extra = [Status.DELETED, Status.KEPT, Status.SKIPPED]
        parts = [_count(counts[s], s) for s in order]
        parts += [_count(counts[s], s) for s in extra if counts[s]]
        text = ", ".join(parts)
        return text + (" (dry run: nothing written)" if self.dry_run else "")

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "dry_run": self.dry_run,
            "error": self.error,
            "folders": [attrs.asdict(f) for f in self.folders],
            "dashboards": [o.to_dict() for o in self.outcomes],
            "summary": {s.value: n for s, n in sorted(self.counts().items())},
        }


def _count(n: int, status: Status) -> str:
    if status is Status.CONFLICT:
        return f"{n} conflict" + ("" if n == 1 else "s")
    if status.value.startswith("would "):
        return f"{n} to {status.value.removeprefix('would ')}"
    return f"{n} {status.value}"


def live_label(uid: str, live: LiveDashboard | None) -> str:
    """How a diff names the Grafana side: ``grafana:ner (version 5)``."""
    if live is None:
        return f"grafana:{uid} (missing)"
    return f"grafana:{uid} (version {live.version})"


def _when(created: str) -> str:
    """``2026-11-20T14:02:33Z`` -> ``2026-11-20 14:02 UTC``; anything else as it is."""
    match = re.match(r"(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})", created)
    if not match:
        return created or "an unknown time"
    utc = created.endswith("Z") or created.endswith("+00:00")
    return f"{match.group(1)} {match.group(2)}" + (" UTC" if utc else "")


def _who(version: DashboardVersion | None, live: LiveDashboard) -> str:
    if version is not None:
        by = version.created_by or "someone"
        return f"by {by} at {_when(version.created)}"
    by = live.meta.get("updatedBy") or "someone"
    return f"by {by} at {_when(str(live.meta.get('updated', '')))}"


#: label, uid, and the work that makes its outcome.
_Task = tuple[str, str, Callable[[], Outcome]]


class _Stop(Exception):
    """Raised inside a worker once a fatal error elsewhere has stopped the run."""


class Publisher:
    """Plans and applies a publish against one Grafana. ``publish`` is the entry point."""

    def __init__(
        self,
        client: GrafanaClient,
        *,
        folder: str = DEFAULT_FOLDER,
        concurrency: int = DEFAULT_CONCURRENCY,
        force: bool = False,
        dry_run: bool = False,
        prune: bool = False,
        diff_command: str = "triton-dashboards diff",
    ) -> None:
        self.client = client
        self.folder_title = folder
        self.concurrency = max(1, concurrency)
        self.force = force
        self.dry_run = dry_run
        self.prune = prune
        self.diff_command = diff_command
        self.folder_uid = ""
        self._stop = threading.Event()
        self._fatal: GrafanaError | None = None
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ the run

    def publish(
        self,
        dashboards: Sequence[LocalDashboard],
        on_outcome: Callable[[Outcome], None] | None = None,
    ) -> Report:
        """Publish every dashboard; ``on_outcome`` hears each result as it completes.

        A fatal error while resolving the folder is raised (nothing was published); one
        during the dashboards stops the rest (reported as skipped) and is in the report.
        """
        self._stop.clear()
        self._fatal = None
        folders = tuple(resolve_folders(self.client, self.folder_title, dry_run=self.dry_run))
        self.folder_uid = folders[-1].uid if folders else ""
        outcomes = self._run(
            [(local.label, local.uid, functools.partial(self._one, local)) for local in dashboards],
            on_outcome,
        )
        if self.prune and self._fatal is None and folders:
            try:
                stale = self._prune_tasks(dashboards)
            except GrafanaError as failure:
                self._fatal = failure
            else:
                outcomes += self._run(stale, on_outcome)
        fatal = self._fatal.message if self._fatal is not None else None
        return Report(folders, tuple(outcomes), dry_run=self.dry_run, error=fatal)

    def _run(
        self,
        tasks: Sequence[_Task],
        on_outcome: Callable[[Outcome], None] | None,
    ) -> list[Outcome]:
        outcomes: list[Outcome] = []
        with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
            futures: list[Future[Outcome]] = [pool.submit(self._guarded, *task) for task in tasks]
            for future in as_completed(futures):
                outcome = future.result()
                outcomes.append(outcome)
                if on_outcome is not None:
                    on_outcome(outcome)
        return outcomes

    def _guarded(self, label: str, uid: str, task: Callable[[], Outcome]) -> Outcome:
        """Run one task; a Grafana error becomes a failed outcome, a fatal one stops all."""
        skipped = Outcome(label, uid, Status.SKIPPED, detail="not attempted after an error")
        if self._stop.is_set():
            return skipped
        try:
            return task()
        except _Stop:
            return skipped
        except GrafanaError as error:
            with self._lock:
                if error.fatal and self._fatal is None:
                    self._fatal = error
                    self._stop.set()
            return Outcome(label, uid, Status.FAILED, detail=error.message)

    # ------------------------------------------------------------------ one dashboard

    def _same(self, live: LiveDashboard, local: LocalDashboard) -> bool:
        return live.folder_uid == self.folder_uid and normalise(live.dashboard) == normalise(
            local.dashboard
        )

    def _outcome(self, local: LocalDashboard, status: Status, **kwargs: Any) -> Outcome:
        file = str(local.path) if local.path is not None else None
        return Outcome(local.label, local.uid, status, file=file, **kwargs)

    def _one(self, local: LocalDashboard) -> Outcome:
        live = self.client.get_dashboard(local.uid)
        return self._plan_and_apply(local, live, retried=False)

    def _plan_and_apply(
        self, local: LocalDashboard, live: LiveDashboard | None, *, retried: bool
    ) -> Outcome:
        if self._stop.is_set():
            raise _Stop
        if live is None:
            if self.dry_run:
                return self._outcome(local, Status.WOULD_CREATE)
            return self._save(local, None, retried=retried)
        if self._same(live, local):
            return self._outcome(local, Status.UNCHANGED, version_before=live.version)
        if live.provisioned:
            raise Provisioned(
                f"cannot save dashboard {local.uid}: it is provisioned from files in Grafana; "
                "change it in Grafana's provisioning files, or remove it from provisioning "
                "to manage it here"
            )
        latest = self._latest(local.uid)
        ours = latest is not None and is_ours(latest.message)
        overwrote = ""
        if not ours:
            who = _who(latest, live)
            if not self.force:
                return self._conflict(local, live, who)
            overwrote = f"{'would overwrite' if self.dry_run else 'overwrote'} a change {who}"
        note = self._moved(live)
        detail = ", ".join(part for part in (note, overwrote) if part)
        if self.dry_run:
            return self._outcome(
                local, Status.WOULD_UPDATE, version_before=live.version, detail=detail
            )
        return self._save(local, live, retried=retried, detail=detail)

    def _latest(self, uid: str) -> DashboardVersion | None:
        versions = self.client.versions(uid, limit=1)
        return versions[0] if versions else None

    def _moved(self, live: LiveDashboard) -> str:
        if live.folder_uid == self.folder_uid:
            return ""
        where = live.meta.get("folderTitle") or live.folder_uid or "General"
        return f"moved from folder {where}"

    def _conflict(self, local: LocalDashboard, live: LiveDashboard, who: str) -> Outcome:
        target = local.source if local.path is not None else local.uid
        detail = (
            f"changed in Grafana {who}, not ours; see `{self.diff_command} {target}`, or --force"
        )
        diff = diff_lines(live.dashboard, local.dashboard, live_label(local.uid, live), target)
        return self._outcome(
            local, Status.CONFLICT, version_before=live.version, detail=detail, diff=tuple(diff)
        )

    def _save(
        self, local: LocalDashboard, live: LiveDashboard | None, *, retried: bool, detail: str = ""
    ) -> Outcome:
        payload = normalise(local.dashboard)
        if live is not None:
            payload["version"] = live.version
        try:
            answer = self.client.save_dashboard(
                payload, folder_uid=self.folder_uid, message=save_message(local.dashboard)
            )
        except VersionMismatch:
            # Either our own save landed and its answer was lost (the retry then met 412),
            # or someone saved in between: look again.
            again = self.client.get_dashboard(local.uid)
            if again is not None and self._same(again, local):
                status = Status.CREATED if live is None else Status.UPDATED
                before = None if live is None else live.version
                return self._outcome(
                    local, status, version_before=before, version_after=again.version, detail=detail
                )
            if retried:
                raise
            return self._plan_and_apply(local, again, retried=True)
        after = int(answer.get("version") or 0) or None
        if live is None:
            return self._outcome(local, Status.CREATED, version_after=after, detail=detail)
        return self._outcome(
            local, Status.UPDATED, version_before=live.version, version_after=after, detail=detail
        )

    # ------------------------------------------------------------------ prune

    def _prune_tasks(self, dashboards: Sequence[LocalDashboard]) -> list[_Task]:
        wanted = {local.uid for local in dashboards}
        hits = self.client.search_dashboards(self.folder_uid) if self.folder_uid else []
        stale = sorted({str(hit["uid"]) for hit in hits if hit.get("uid")} - wanted)
        return [(uid, uid, functools.partial(self._prune_one, uid)) for uid in stale]

    def _prune_one(self, uid: str) -> Outcome:
        latest = self._latest(uid)
        if latest is None or not is_ours(latest.message):
            who = f"by {latest.created_by or 'someone'}" if latest else "by someone"
            return Outcome(
                uid, uid, Status.KEPT, detail=f"not in git, but last saved {who}, not ours"
            )
        if self.dry_run:
            return Outcome(uid, uid, Status.WOULD_DELETE, detail="not in git")
        deleted = self.client.delete_dashboard(uid)
        return Outcome(uid, uid, Status.DELETED, detail="not in git" if deleted else "already gone")

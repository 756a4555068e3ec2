"""Publish dashboard JSON to Grafana: for each dashboard observe, plan, then apply.

Folders are resolved first (:mod:`~triton_dashboards.grafana.folders`); then every
dashboard, in a bounded thread pool, is read, planned (:mod:`~triton_dashboards.grafana.plan`:
create, update, unchanged, conflict, provisioned) and applied
(:mod:`~triton_dashboards.grafana.apply`), or in a dry run only described. Outcomes are
reported in the order of the input, whatever order the threads finish in, so two runs
print alike. ``prune`` deletes dashboards in our folder that are not being published, and
only those this repository owns: the latest version is a save of this tool from this
repository whose content is in this repository's history (another branch's new dashboard,
another repository's, and hand-made ones are kept); outside git, a save of this tool made
outside git. This module works on dashboard JSON only, so it
publishes any dashboard, ours or not, through either API (:mod:`~triton_dashboards.grafana.api`):
where the API can list dashboards with their content (the Kubernetes-style one), they are
listed once, in pages, and each is planned from the list instead of read one by one.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor

from triton_dashboards.grafana import settings
from triton_dashboards.grafana.api import DashboardApi
from triton_dashboards.grafana.apply import Target, api_for, apply, observe
from triton_dashboards.grafana.checkout import Checkout, checkout_of
from triton_dashboards.grafana.errors import GrafanaError
from triton_dashboards.grafana.folders import resolve_folders
from triton_dashboards.grafana.local import LocalDashboard
from triton_dashboards.grafana.plan import foreign
from triton_dashboards.grafana.provenance import parse
from triton_dashboards.grafana.report import Outcome, Report, Status

__all__ = ["Publisher"]


#: label, uid, and the work that makes its outcome.
_Task = tuple[str, str, Callable[[], Outcome]]


class _Stop(Exception):
    """Raised inside a worker once a fatal error elsewhere has stopped the run."""


class Publisher:
    """Plans and applies a publish against one Grafana. ``publish`` is the entry point."""

    def __init__(
        self,
        client: DashboardApi,
        *,
        folder: str = settings.FOLDER,
        concurrency: int = settings.CONCURRENCY,
        force: bool = False,
        dry_run: bool = False,
        prune: bool = False,
        diff_command: str = "triton-dashboards diff",
        checkout: Checkout | None = None,
    ) -> None:
        self.client = client
        self.folder_title = folder
        self.concurrency = max(1, concurrency)
        self.force = force
        self.dry_run = dry_run
        self.prune = prune
        self.diff_command = diff_command
        self.folder_uid = ""
        #: Where we publish from (None: found from the dashboards' files when publishing).
        self.checkout = checkout
        self._stop = threading.Event()
        self._fatal: GrafanaError | None = None
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ the run

    def publish(
        self,
        dashboards: Sequence[LocalDashboard],
        on_outcome: Callable[[Outcome], None] | None = None,
        on_labels: Callable[[Sequence[str]], None] | None = None,
    ) -> Report:
        """Publish every dashboard; ``on_outcome`` hears each result, in input order.

        ``on_labels`` hears every label an outcome will carry, the pruned dashboards' too,
        before the first outcome: the lines of text line up on the longest.
        A fatal error while resolving the folder is raised (nothing was published); one
        during the dashboards stops the rest (reported as skipped) and is in the report.
        """
        self._stop.clear()
        self._fatal = None
        if self.checkout is None:
            self.checkout = checkout_of(d.path for d in dashboards if d.path is not None)
        for local in dashboards:  # a v2 dashboard Grafana cannot take stops the run first
            api_for(self.client, local)
        prefetch = getattr(self.client, "prefetch", None)
        with ThreadPoolExecutor(max_workers=2) as side:
            # Where the API lists dashboards with their content, list them while the folder
            # is resolved, and hash ours meanwhile: the plan compares by hash there.
            listed = side.submit(prefetch, [d.uid for d in dashboards]) if prefetch else None
            hashed = side.submit(lambda: [d.content_hash for d in dashboards])
            folders = tuple(resolve_folders(self.client, self.folder_title, dry_run=self.dry_run))
            if listed is not None:
                listed.result()
            hashed.result()
        self.folder_uid = folders[-1].uid if folders else ""
        stale: list[_Task] = []
        if self.prune and folders:
            try:
                stale = self._prune_tasks(dashboards)
            except GrafanaError as failure:
                self._fatal = failure
        tasks = [
            (local.label, local.uid, functools.partial(self._one, local)) for local in dashboards
        ]
        if on_labels is not None:
            on_labels([label for label, _, _ in (*tasks, *stale)])
        outcomes = self._run(tasks, on_outcome)
        if stale and self._fatal is None:
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
            for future in futures:  # input order: the same lines in the same order every run
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

    def _one(self, local: LocalDashboard) -> Outcome:
        if self._stop.is_set():
            raise _Stop
        target = Target(
            self.folder_uid, self.force, self.dry_run, self.diff_command, self._checkout
        )
        return apply(self.client, local, observe(self.client, local, target), target)

    @property
    def _checkout(self) -> Checkout:
        return self.checkout if self.checkout is not None else Checkout()

    # ------------------------------------------------------------------ prune

    def _prune_tasks(self, dashboards: Sequence[LocalDashboard]) -> list[_Task]:
        wanted = {local.uid for local in dashboards}
        hits = self.client.search_dashboards(self.folder_uid) if self.folder_uid else []
        stale = sorted({str(hit["uid"]) for hit in hits if hit.get("uid")} - wanted)
        return [(uid, uid, functools.partial(self._prune_one, uid)) for uid in stale]

    def _prune_one(self, uid: str) -> Outcome:
        versions = self.client.versions(uid, limit=1)
        latest = versions[0] if versions else None
        saved = parse(latest.message) if latest is not None else None
        if saved is None:
            who = f"by {latest.created_by or 'someone'}" if latest else "by someone"
            return Outcome(
                uid, uid, Status.KEPT, detail=f"not in git, but last saved {who}, not ours"
            )
        checkout = self._checkout
        if foreign(saved, checkout.origin, checkout.anywhere()) is not None:
            return Outcome(
                uid,
                uid,
                Status.KEPT,
                detail=f"not ours: published from {saved.origin.describe()}",
            )
        if self.dry_run:
            return Outcome(uid, uid, Status.WOULD_DELETE, detail="not in git")
        deleted = self.client.delete_dashboard(uid)
        return Outcome(uid, uid, Status.DELETED, detail="not in git" if deleted else "already gone")

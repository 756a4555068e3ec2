"""A read-only view of Grafana next to git: ``diff``, live against local.

It normalises the way publish does (:func:`~triton_dashboards.grafana.local.normalise`),
so ``pull`` (:mod:`~triton_dashboards.grafana.pull`) then ``diff`` is clean, and plans each
dashboard exactly as ``publish`` does, so it names a conflict a conflict instead of
promising that publish would write it.

A dashboard Grafana stores as schema v2 (saved in Grafana 13's dynamic dashboards) is a
conflict in ``diff`` of v1 JSON. A schema v2 dashboard of ours (a ``dashboard.grafana.app/v2``
resource) is read through v2 and diffed spec with spec.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import attrs

from triton_dashboards.grafana import settings
from triton_dashboards.grafana.api import DashboardApi
from triton_dashboards.grafana.apply import Observed, Target, api_for, observe
from triton_dashboards.grafana.checkout import Checkout, checkout_of
from triton_dashboards.grafana.local import (
    LocalDashboard,
    diff_lines,
)
from triton_dashboards.grafana.plan import Kind
from triton_dashboards.grafana.report import live_label

__all__ = ["DiffResult", "diff_dashboards"]


@attrs.frozen
class DiffResult:
    """One local dashboard against Grafana's copy, and what publish would do with it."""

    local: LocalDashboard
    observed: Observed
    lines: tuple[str, ...]

    @property
    def kind(self) -> Kind:
        return self.observed.action.kind

    @property
    def differs(self) -> bool:
        return self.kind is not Kind.UNCHANGED

    @property
    def conflict(self) -> bool:
        return self.kind is Kind.CONFLICT

    def summary(self) -> str:
        """One line: ``ner: differs (12 diff lines)``, ``ner: missing in Grafana``..."""
        action, label = self.observed.action, self.local.label
        if self.kind is Kind.CREATE:
            return f"{label}: missing in Grafana (publish would create it)"
        if self.kind is Kind.UNCHANGED:
            return f"{label}: identical (version {action.version})"
        parts = [f"{len(self.lines)} diff lines"] if self.lines else []
        if action.moved_from:
            parts.append(f"in folder {action.moved_from!r} in Grafana, not in ours")
        if self.kind is Kind.CONFLICT and action.v2:
            parts.append(
                f"saved in Grafana as schema v2 ({action.v2}) {action.who}: publish refuses "
                f"it; pull it to keep it, or publish --force to replace it with ours"
            )
        elif self.kind is Kind.CONFLICT and action.foreign is not None:
            parts.append(f"published from {action.source.describe()}, not ours: publish refuses it")
        elif self.kind is Kind.CONFLICT:
            parts.append(f"changed in Grafana {action.who}, not ours: publish refuses it")
        if self.kind is Kind.MANAGED:
            parts.append(f"managed by {action.manager}: publish cannot write it")
        if self.kind is Kind.PROVISIONED:
            parts.append("provisioned from files in Grafana: publish cannot write it")
        names = {
            Kind.CONFLICT: "CONFLICT",
            Kind.PROVISIONED: "provisioned",
            Kind.MANAGED: "managed",
        }
        name = names.get(self.kind, "differs")
        return f"{label}: {name} ({', '.join(parts)})"


def _diff_one(client: DashboardApi, local: LocalDashboard, target: Target) -> DiffResult:
    observed = observe(client, local, target, writing=False)
    live = observed.live
    if observed.action.kind is Kind.UNCHANGED:
        # Unchanged by what we sent: a spec the server migrated is no difference of ours.
        return DiffResult(local, observed, ())
    before = live.dashboard if live is not None else {}
    label = live_label(local.uid, live.version if live is not None else None)
    lines = diff_lines(before, local.dashboard, label, local.source)
    return DiffResult(local, observed, tuple(lines) if before or live is None else ())


def diff_dashboards(
    client: DashboardApi,
    dashboards: Sequence[LocalDashboard],
    folder_uid: str,
    *,
    concurrency: int = settings.CONCURRENCY,
    checkout: Checkout | None = None,
) -> list[DiffResult]:
    """Each dashboard against Grafana, in the order given, planned as publish plans it
    (``checkout``: where we publish from; by default the one holding the files)."""
    if checkout is None:
        checkout = checkout_of(d.path for d in dashboards if d.path is not None)
    target = Target(folder_uid, dry_run=True, checkout=checkout)
    for local in dashboards:  # a v2 dashboard Grafana cannot take: one line, before reading
        api_for(client, local)
    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        return list(pool.map(lambda local: _diff_one(client, local, target), dashboards))

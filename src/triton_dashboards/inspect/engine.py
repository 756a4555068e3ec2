"""Run a rendered dashboard's queries as Grafana would, against a live Prometheus.

One refresh of one dashboard: the variables resolved (:mod:`.variables`), then every target
of every panel (rows' panels included) interpolated for its panel (its Min interval, Min
step, max data points: :mod:`.intervals`) and sent as Grafana's Prometheus data source sends
it: an instant query at the range's end for an instant target, a range query over the range
aligned to the step for the rest (a target that is both runs as both). The queries of a
dashboard run concurrently, at most ``workers`` at a time, so a big dashboard costs about
its slowest few queries rather than the sum of all.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import Any, Protocol

import attrs

from triton_dashboards.inspect.intervals import QueryContext
from triton_dashboards.inspect.prometheus import PrometheusError, PrometheusUnreachable
from triton_dashboards.inspect.variables import Source, Variables

__all__ = [
    "DEFAULT_WORKERS",
    "DashboardRun",
    "PanelRun",
    "Querier",
    "TargetRun",
    "has_data",
    "panel_targets",
    "run_dashboard",
    "run_target",
]

#: Queries of one dashboard in flight at once: enough to overlap Prometheus' work with the
#: round trips, few enough that a shared server is not flooded (Grafana itself sends a
#: dashboard's panels in parallel, a handful of connections per data source).
DEFAULT_WORKERS = 8


class Querier(Protocol):
    """What running targets needs from Prometheus (:class:`.prometheus.Prometheus` has it)."""

    def query(self, expr: str, time: float | None = None) -> list[dict[str, Any]]: ...

    def query_range(
        self, expr: str, start: float, end: float, step: float
    ) -> list[dict[str, Any]]: ...


def panel_targets(dashboard: Mapping[str, Any]) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """``(panel, target)`` for every Prometheus query, panels inside rows included."""
    for panel in dashboard.get("panels") or []:
        for p in (panel, *(panel.get("panels") or [])):
            for target in p.get("targets") or []:
                if target.get("expr"):
                    yield p, target


def run_target(
    prometheus: Querier,
    variables: Variables,
    panel: Mapping[str, Any],
    target: Mapping[str, Any],
) -> list[dict[str, Any]]:
    """Run one target as Grafana does: instant at the range's end, or range with its step.

    A target that is neither instant nor range runs as a range query (old dashboards);
    one that is both runs as both, and the results are concatenated.
    """
    context = variables.context.for_panel(panel, target)
    expr = variables.interpolate(target["expr"], context)
    results: list[dict[str, Any]] = []
    if target.get("instant"):
        results += prometheus.query(expr, time=context.end)
    if target.get("range") or not target.get("instant"):
        start, end = context.aligned()
        results += prometheus.query_range(expr, start, end, context.step)
    return results


def has_data(series: Sequence[Mapping[str, Any]]) -> bool:
    """Whether a panel would draw anything: some series with a number that is not NaN."""
    for s in series:
        points = s.get("values") or ([s["value"]] if "value" in s else [])
        if any(not math.isnan(float(v)) for _, v in points):
            return True
    return False


@attrs.frozen
class TargetRun:
    """One target of one panel as it ran: the expression sent and what came back.

    ``series`` are Prometheus' result items (``metric`` with ``value`` for an instant
    query, ``values`` for a range query); ``error`` is Prometheus' one-line error, if any.
    """

    ref_id: str
    template: str
    expr: str
    instant: bool
    context: QueryContext
    series: tuple[dict[str, Any], ...] = ()
    error: str | None = None

    @property
    def has_data(self) -> bool:
        return has_data(self.series)


@attrs.frozen
class PanelRun:
    """One panel: its JSON and each of its targets as it ran."""

    panel: dict[str, Any]
    targets: tuple[TargetRun, ...]

    @property
    def title(self) -> str:
        return str(self.panel.get("title") or f"panel {self.panel.get('id')}")

    @property
    def has_data(self) -> bool:
        return any(t.has_data for t in self.targets)

    @property
    def errors(self) -> list[str]:
        return [t.error for t in self.targets if t.error]


@attrs.frozen
class DashboardRun:
    """One refresh of a dashboard: the variables as resolved and every panel's results."""

    dashboard: dict[str, Any]
    variables: Variables
    panels: tuple[PanelRun, ...]

    @property
    def title(self) -> str:
        return str(self.dashboard.get("title") or "")

    @property
    def uid(self) -> str:
        return str(self.dashboard.get("uid") or "")


class _Prometheus(Source, Querier, Protocol):
    """Both: what variables and targets need."""


def _run_one(
    prometheus: Querier, variables: Variables, panel: dict[str, Any], target: dict[str, Any]
) -> TargetRun:
    context = variables.context.for_panel(panel, target)
    run = TargetRun(
        ref_id=str(target.get("refId") or ""),
        template=target["expr"],
        expr=variables.interpolate(target["expr"], context),
        instant=bool(target.get("instant")) and not target.get("range"),
        context=context,
    )
    try:
        series = run_target(prometheus, variables, panel, target)
    except PrometheusUnreachable:
        raise
    except PrometheusError as e:
        return attrs.evolve(run, error=str(e))
    return attrs.evolve(run, series=tuple(series))


def run_dashboard(
    dashboard: Mapping[str, Any],
    prometheus: _Prometheus,
    context: QueryContext,
    *,
    selected: Mapping[str, Sequence[str]] | None = None,
    all_values: bool = False,
    workers: int = DEFAULT_WORKERS,
    pool: Executor | None = None,
) -> DashboardRun:
    """Refresh ``dashboard`` over ``context`` (its range and scrape interval).

    Variables keep their saved selection unless ``selected`` names others (``["$__all"]``
    for All). A query Prometheus rejects is kept as the target's ``error``; an unreachable
    server raises :class:`.prometheus.PrometheusUnreachable`. ``pool`` runs the queries
    on an executor of yours (shared by several dashboards, so the bound holds for all).
    """
    board = dict(dashboard)
    variables = Variables(board, prometheus, context, selected=selected, all_values=all_values)
    pairs = list(panel_targets(board))

    def one(pair: tuple[dict[str, Any], dict[str, Any]]) -> TargetRun:
        return _run_one(prometheus, variables, *pair)

    if pool is not None:
        runs = list(pool.map(one, pairs))
    else:
        with ThreadPoolExecutor(max_workers=max(1, workers)) as own:
            runs = list(own.map(one, pairs))
    panels: dict[int, tuple[dict[str, Any], list[TargetRun]]] = {}
    for (panel, _), run in zip(pairs, runs, strict=True):
        panels.setdefault(id(panel), (panel, []))[1].append(run)
    return DashboardRun(
        dashboard=board,
        variables=variables,
        panels=tuple(PanelRun(panel, tuple(targets)) for panel, targets in panels.values()),
    )

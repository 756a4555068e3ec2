"""First-response histogram panels that show what the histogram knows, and no artefact.

Triton's default buckets for ``nv_inference_first_response_histogram_ms`` are 100, 500,
2000 and 5000 ms. A quantile inside the lowest bucket (or the +Inf one) is interpolated,
not measured, so these panels show the exact numbers: the share of first responses within
each finite bound (not +Inf, always 100 %) and the mean (``_sum / _count``); the quantile
panel (:func:`.timing.first_response_percentiles`) has values only where they are measured.
"""

from __future__ import annotations

from triton_dashboards import catalog
from triton_dashboards.dashboard.panels.base import Query, Unit
from triton_dashboards.dashboard.panels.factories import bar_gauge, stat, timeseries
from triton_dashboards.dashboard.panels.scoped import title_prefix, with_suffix
from triton_dashboards.dashboard.schema.panel import Panel
from triton_dashboards.query import recipes as q
from triton_dashboards.query.fleet import Counted
from triton_dashboards.query.histograms import in_bound_order
from triton_dashboards.query.scope import Scope

__all__ = [
    "first_response_mean",
    "first_response_mean_now",
    "first_response_shares",
    "first_response_shares_now",
]

_FLAG = (
    "From nv_inference_first_response_histogram_ms (Triton 24.11+, started with "
    "--metrics-config histogram_latencies=true). Empty without it."
)
_SHARES = (
    "Share of first responses at or below each finite bucket bound: exact, no "
    "interpolation (+Inf, always 100 %, is left out)."
)


def first_response_shares(scope: Scope) -> Panel:
    """Share of first responses within each bucket bound, over time."""
    return timeseries(
        f"{title_prefix(scope)}first responses within each bound",
        [Query(q.first_response_shares(scope), with_suffix(scope.legend, "≤ {{le}} ms"))],
        unit=Unit.RATIO,
        description=f"{_SHARES} {_FLAG}",
        min=0,
        max=1,
        legend_calcs=("lastNotNull",),
    )


def first_response_shares_now(scope: Scope, counted: Counted | None = None) -> Panel:
    """Share of first responses within each finite bucket bound now, one bar per bound;
    upwards where the scope totals every model
    (:func:`triton_dashboards.query.histograms.in_bound_order`).

    ``counted`` says which models the fleet-wide number covers (a headline).
    """
    prefix, sentence = _counted(scope, counted)
    return bar_gauge(
        f"{prefix}first responses within each bound",
        [Query(in_bound_order(q.first_response_shares(scope), scope.group),
               with_suffix(scope.legend, "≤ {{le}} ms"), instant=True)],
        unit=Unit.RATIO,
        max=1,
        description=f"{_SHARES} Over the rate window. {sentence} {_FLAG}",
        thresholds=((None, "blue"),),
    )  # fmt: skip


def first_response_mean(scope: Scope) -> Panel:
    """Mean time to first response, exact (``_sum / _count``)."""
    return timeseries(
        f"{title_prefix(scope)}mean time to first response",
        [Query(q.first_response_mean(scope), scope.legend)],
        unit=catalog.FIRST_RESPONSE_HISTOGRAM.unit,
        description=f"rate(_sum) / rate(_count) of the histogram: the exact mean. {_FLAG}",
        min=0,
    )


def first_response_mean_now(scope: Scope, counted: Counted | None = None) -> Panel:
    """Mean time to first response now, exact (``_sum / _count``), one instant query."""
    prefix, sentence = _counted(scope, counted)
    return stat(
        f"{prefix}mean time to first response now",
        [Query(q.first_response_mean(scope), scope.legend, instant=True)],
        unit=catalog.FIRST_RESPONSE_HISTOGRAM.unit,
        description="rate(_sum) / rate(_count) of the histogram over the rate window: the "
        f"exact mean. {sentence} History per model on the model dashboard. {_FLAG}",
        graph_mode="none",
    )


def _counted(scope: Scope, counted: Counted | None) -> tuple[str, str]:
    """Title prefix and description sentence: what a fleet-wide number counts."""
    if counted is None:
        return title_prefix(scope), "Every selected model."
    return f"{counted.title} ", counted.sentence

"""Stock panels on traffic: requests, failures and their reasons, instances, the models table.

Rates and ratios are derived numbers, so their units are written here; a column that
shows a family's own quantity (a time, a backlog) takes the family's unit from the catalog.
"""

from __future__ import annotations

from collections.abc import Sequence

from triton_dashboards import catalog
from triton_dashboards.catalog import Phase
from triton_dashboards.dashboard.panels.base import Query, Unit
from triton_dashboards.dashboard.panels.factories import series_override, stat, timeseries
from triton_dashboards.dashboard.panels.scoped import (
    FAILED,
    FAILURE_RATIO_THRESHOLDS,
    SUCCEEDED,
    title_prefix,
    with_suffix,
)
from triton_dashboards.dashboard.panels.table import table
from triton_dashboards.dashboard.schema.field import DataLink
from triton_dashboards.dashboard.schema.panel import Panel
from triton_dashboards.query import recipes as q
from triton_dashboards.query.scope import Scope

__all__ = [
    "execution_rate",
    "failure_ratio",
    "failures_by_reason",
    "failures_in_range",
    "instances",
    "models_table",
    "request_rate",
    "requests_per_minute",
    "successes_in_range",
]


def requests_per_minute(scope: Scope) -> Panel:
    """Requests per minute, succeeded and failed, failures in red.

    The panel the hand-written ``increase(nv_inference_count{model="ner_pipeline"}[1m])``
    meant to be: requests, not inferences, every pod and GPU counted once, and the
    failures that query could not show drawn next to the successes.
    """
    legend = scope.legend
    return timeseries(
        f"{title_prefix(scope)}requests per minute",
        [
            Query(q.requests_per_minute(scope), with_suffix(legend, "succeeded")),
            Query(q.failures_per_minute(scope), with_suffix(legend, "failed")),
        ],
        unit=Unit.REQUESTS_PER_MINUTE,
        description="Completed requests per minute (rate x 60), split into succeeded and "
        "failed. Failed requests add no inference count, so a panel of "
        "nv_inference_count alone hides them.",
        overrides=[
            series_override(".*succeeded$", SUCCEEDED),
            series_override(".*failed$", FAILED),
        ],
    )


def request_rate(scope: Scope, *, stack: bool = False) -> Panel:
    """Successful and failed requests per second for each series of the scope."""
    legend = scope.legend
    return timeseries(
        f"{title_prefix(scope)}requests per second",
        [
            Query(q.request_rate(scope), with_suffix(legend, "succeeded")),
            Query(q.failure_rate(scope), with_suffix(legend, "failed")),
        ],
        unit=Unit.REQUESTS_PER_SECOND,
        description="Requests completed per second. A request counts once whatever its "
        "batch size; response-cache hits count as successes.",
        stack=stack,
        overrides=[series_override(".*failed$", FAILED)],
    )


def execution_rate(scope: Scope) -> Panel:
    """Inferences and model executions per second (their ratio is the batch size)."""
    legend = scope.legend
    return timeseries(
        f"{title_prefix(scope)}inferences and executions per second",
        [
            Query(q.inference_rate(scope), with_suffix(legend, "inferences")),
            Query(q.execution_rate(scope), with_suffix(legend, "executions")),
        ],
        unit=Unit.OPS_PER_SECOND,
        description="Inferences add each request's batch size; executions add one per batch "
        "the backend runs. Cache hits and failures are neither.",
    )


def failures_by_reason(scope: Scope) -> Panel:
    """Failed requests per second by ``reason`` (REJECTED, CANCELED, BACKEND, OTHER)."""
    return timeseries(
        f"{title_prefix(scope)}failures by reason",
        [Query(q.failures_by_reason(scope), with_suffix(scope.legend, "{{reason}}"))],
        unit=Unit.REQUESTS_PER_SECOND,
        description="REJECTED: queue policy or timeout. CANCELED: cancelled by the client. "
        "BACKEND: the backend returned an error. OTHER: anything else, including every "
        "ensemble failure. The reason label exists from Triton 24.07.",
        draw_style="bars",
        fill_opacity=80,
        stack=True,
        overrides=[series_override(".*", FAILED)],
    )


def failure_ratio(scope: Scope, *, instant: bool = False) -> Panel:
    """Share of requests that failed; the panel turns red when failures outnumber successes.

    ``instant=True`` asks for the number now only (one evaluation, no sparkline).
    """
    return stat(
        f"{title_prefix(scope)}failure ratio",
        [Query(q.failure_ratio(scope), scope.legend, instant=instant)],
        unit=Unit.RATIO,
        description="failures / (successes + failures) over the rate window. Orange from 1 %, "
        "red from 50 %: more requests fail than succeed.",
        thresholds=FAILURE_RATIO_THRESHOLDS,
        color_mode="background",
        graph_mode="none" if instant else "area",
        decimals=1,
    )


def successes_in_range(scope: Scope) -> Panel:
    """Successful requests over the dashboard's time range."""
    return stat(
        f"{title_prefix(scope)}succeeded in range",
        [Query(q.successes_in(scope), scope.legend, instant=True)],
        unit=Unit.COUNT,
        description="Successful requests over the whole time range picked for the dashboard.",
        graph_mode="none",
        decimals=0,
    )


def failures_in_range(scope: Scope) -> Panel:
    """Failed requests over the dashboard's time range; red from the first one."""
    return stat(
        f"{title_prefix(scope)}failed in range",
        [Query(q.failures_in(scope), scope.legend, instant=True)],
        unit=Unit.COUNT,
        description="Failed requests over the whole time range picked for the dashboard.",
        thresholds=((None, "green"), (1, "red")),
        color_mode="background",
        graph_mode="none",
        decimals=0,
    )


def instances(scope: Scope) -> Panel:
    """How many Triton servers report models now (one instant query)."""
    return stat(
        "Triton instances",
        [Query(q.instances_up(scope), "instances", instant=True)],
        unit=Unit.COUNT,
        description="Triton servers scraped that report at least one loaded model.",
        thresholds=((None, "red"), (1, "green")),
        graph_mode="none",
        no_value="0",
    )


def models_table(scope: Scope, *, links: Sequence[DataLink] = ()) -> Panel:
    """One row per model: request rate, failure ratio, latency, batch size, backlog.

    ``links`` are data links on every cell, e.g. to the model dashboard for that row.
    """
    return table(
        "Models",
        [
            Query(q.request_rate(scope), column="requests/s", unit=Unit.REQUESTS_PER_SECOND),
            Query(q.failure_ratio(scope), column="failure ratio", unit=Unit.RATIO),
            Query(
                q.avg_latency(scope, Phase.REQUEST),
                column="avg request time",
                unit=Phase.REQUEST.duration.unit,
            ),
            Query(
                q.avg_latency(scope, Phase.QUEUE),
                column="avg queue time",
                unit=Phase.QUEUE.duration.unit,
            ),
            Query(q.avg_batch_size(scope), column="batch size", unit=Unit.NONE),
            Query(q.pending_requests(scope), column="pending", unit=catalog.PENDING_REQUESTS.unit),
        ],
        sort_by="requests/s",
        description="Each model and version over the rate window.",
        links=links,
    )

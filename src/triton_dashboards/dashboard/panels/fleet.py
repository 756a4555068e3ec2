"""Fleet panels: headline numbers that say what they count, the worst models, GPU and host tables.

They answer "is the fleet healthy, and where is it not" at any fleet size: every panel
here is an instant query (one evaluation at the end of the range, however long it is)
and lists at most ``$k`` models or one row per GPU or host, never a line per model.
The per-model time series are on the model dashboard, one click away (``links``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from triton_dashboards import catalog
from triton_dashboards.catalog import Phase
from triton_dashboards.dashboard.panels.base import Query, Threshold, Unit
from triton_dashboards.dashboard.panels.factories import (
    bar_gauge,
    stat,
    timeseries,
)
from triton_dashboards.dashboard.panels.scoped import (
    FAILURE_RATIO_THRESHOLDS,
    USAGE_THRESHOLDS,
)
from triton_dashboards.dashboard.panels.table import table
from triton_dashboards.dashboard.schema.field import DataLink
from triton_dashboards.dashboard.schema.panel import Panel
from triton_dashboards.query import recipes as q
from triton_dashboards.query.fleet import Ensemble, clients, counted, top
from triton_dashboards.query.scope import Scope

__all__ = [
    "client_failure_ratio",
    "client_latency",
    "client_requests",
    "fleet_failures",
    "fleet_latency",
    "fleet_traffic",
    "gpu_table",
    "host_table",
    "top_models",
    "worst_models",
]

Links = Sequence[DataLink]


def client_requests(fleet: Scope, ensembles: Sequence[Ensemble] = ()) -> Panel:
    """Requests per second now: client requests where the ensembles' steps are declared.

    Where they are not, the title and description say that every model and step counts.
    """
    what = counted(ensembles)
    return stat(
        f"{what.title} requests per second",
        [Query(q.request_rate(clients(fleet, ensembles)), "succeeded", instant=True)],
        unit=Unit.REQUESTS_PER_SECOND,
        description=f"Successful requests per second over the rate window. {what.sentence}",
        graph_mode="none",
    )


def client_failure_ratio(fleet: Scope, ensembles: Sequence[Ensemble] = ()) -> Panel:
    """Failure ratio now, over what :func:`client_requests` counts, and titled so.

    Over every model and step an ensemble's failure counts again in the step that failed,
    and each of its successes once per step: the ratio is neither the clients' nor any
    model's, so its title says what it counts, as its siblings' do.
    """
    what = counted(ensembles)
    return stat(
        f"{what.title} failure ratio",
        [Query(q.failure_ratio(clients(fleet, ensembles)), "failed", instant=True)],
        unit=Unit.RATIO,
        description="failures / (successes + failures) over the rate window. "
        f"{what.sentence} Orange from 1 %, red from 50 %.",
        thresholds=FAILURE_RATIO_THRESHOLDS,
        color_mode="background",
        graph_mode="none",
        decimals=1,
    )


def client_latency(fleet: Scope, ensembles: Sequence[Ensemble] = ()) -> Panel:
    """Average request time now, weighted by requests, over what :func:`client_requests` counts."""
    what = counted(ensembles)
    return stat(
        f"{what.title} average request time",
        [Query(q.avg_latency(clients(fleet, ensembles), Phase.REQUEST), "request", instant=True)],
        unit=Phase.REQUEST.duration.unit,
        description="End-to-end time per successful request over the rate window, weighted "
        f"by requests. {what.sentence}",
        graph_mode="none",
    )


def fleet_traffic(client: Scope, ensembles: Sequence[Ensemble] = ()) -> Panel:
    """Successful requests per second over time, counted as the headline counts.

    ``client`` is the fleet scope with the steps left out (:func:`.query.fleet.clients`).
    """
    what = counted(ensembles)
    return timeseries(
        f"{what.title} requests per second over time",
        [Query(q.request_rate(client), "succeeded")],
        unit=Unit.REQUESTS_PER_SECOND,
        description=f"Successful requests per second. {what.sentence} Failures are on the "
        "next panel, by reason.",
    )


def fleet_latency(client: Scope, ensembles: Sequence[Ensemble] = ()) -> Panel:
    """Average request time over time, weighted by requests, as the headline counts."""
    what = counted(ensembles)
    return timeseries(
        f"{what.title} average request time over time",
        [Query(q.avg_latency(client, Phase.REQUEST), "request")],
        unit=Phase.REQUEST.duration.unit,
        description=f"End-to-end time per successful request, weighted by requests. "
        f"{what.sentence}",
    )


def fleet_failures(fleet: Scope) -> Panel:
    """Failed requests per second by ``reason`` over time, every model and step together."""
    return timeseries(
        "Every model and step: failures by reason",
        [Query(q.failures_by_reason(fleet), "{{reason}}")],
        unit=Unit.REQUESTS_PER_SECOND,
        description="Failed requests per second, every selected model and step (a failed "
        "step also fails its ensemble: BACKEND for the step, OTHER for the ensemble). "
        "REJECTED: queue policy or timeout. CANCELED: by the client. BACKEND: the backend "
        "returned an error. OTHER: anything else.",
        draw_style="bars",
        fill_opacity=80,
        stack=True,
    )


def top_models(
    title: str,
    expr: Any,
    scope: Scope,
    *,
    unit: str,
    description: str,
    links: Links = (),
    thresholds: Sequence[Threshold] = ((None, "blue"),),
    max: float | None = None,
) -> Panel:
    """The ``$k`` models with the largest ``expr`` now, one bar each, linked to the model."""
    return bar_gauge(
        f"Top $k models by {title}",
        [Query(top(expr), scope.legend, instant=True)],
        unit=unit,
        max=max,
        description=f"{description} The $k largest now (dashboard variable k); click a bar "
        "for that model's dashboard.",
        thresholds=thresholds,
        links=links,
    )


def worst_models(scope: Scope, links: Links = ()) -> list[Panel]:
    """Top ``$k`` by traffic, failure ratio, request time and queue time."""
    return [
        top_models(
            "requests per second",
            q.request_rate(scope),
            scope,
            unit=Unit.REQUESTS_PER_SECOND,
            description="Successful requests per second over the rate window.",
            links=links,
        ),
        top_models(
            "failure ratio",
            q.failure_ratio(scope),
            scope,
            unit=Unit.RATIO,
            description="failures / (successes + failures) over the rate window.",
            thresholds=FAILURE_RATIO_THRESHOLDS,
            max=1,
            links=links,
        ),
        top_models(
            "average request time",
            q.avg_latency(scope, Phase.REQUEST),
            scope,
            unit=Phase.REQUEST.duration.unit,
            description="End-to-end time per successful request. An ensemble's includes its "
            "steps' times.",
            links=links,
        ),
        top_models(
            "average queue time",
            q.avg_latency(scope, Phase.QUEUE),
            scope,
            unit=Phase.QUEUE.duration.unit,
            description="Time per successful request spent waiting for an execution slot.",
            links=links,
        ),
    ]


def gpu_table(scope: Scope, *, links: Links = ()) -> Panel:
    """One row per GPU: utilization, memory in use, power draw now."""
    return table(
        "GPUs",
        [
            Query(
                q.gpu_utilization(scope), column="utilization", unit=catalog.GPU_UTILIZATION.unit
            ),
            Query(q.gpu_memory_used_ratio(scope), column="memory used", unit=Unit.RATIO),
            Query(q.gpu_power(scope), column="power", unit=catalog.GPU_POWER_USAGE.unit),
        ],
        sort_by="utilization",
        thresholds=USAGE_THRESHOLDS,
        description="Each GPU now; history per GPU on the GPU and host dashboard.",
        links=links,
    )


def host_table(scope: Scope, *, links: Links = ()) -> Panel:
    """One row per Triton instance: CPU, host memory and pinned memory in use now."""
    return table(
        "Hosts",
        [
            Query(q.cpu_utilization(scope), column="CPU", unit=catalog.CPU_UTILIZATION.unit),
            Query(q.cpu_memory_used_ratio(scope), column="memory used", unit=Unit.RATIO),
            Query(q.pinned_memory_used_ratio(scope), column="pinned pool used", unit=Unit.RATIO),
        ],
        sort_by="CPU",
        thresholds=USAGE_THRESHOLDS,
        description="Each Triton instance now (CPU and memory are node-wide); history on the "
        "GPU and host dashboard.",
        links=links,
    )

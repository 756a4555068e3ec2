"""Stock panels on time: latency per request and by phase, quantiles, queue, batching, loading.

A panel that shows a family's own quantity (the duration counters and summaries in µs,
the first-response histogram in ms, the load time in s) takes its unit from the catalog.
"""

from __future__ import annotations

from triton_dashboards import catalog
from triton_dashboards.catalog import STEPS, Phase
from triton_dashboards.dashboard.panels.base import Query, Unit
from triton_dashboards.dashboard.panels.factories import bar_gauge, timeseries
from triton_dashboards.dashboard.panels.scoped import title_prefix, unit_of, with_suffix
from triton_dashboards.dashboard.schema.panel import Panel
from triton_dashboards.query import recipes as q
from triton_dashboards.query.scope import Scope

__all__ = [
    "avg_queued_requests",
    "batch_size",
    "cache_hit_ratio",
    "first_response_percentiles",
    "latency",
    "latency_by_phase",
    "model_load_time",
    "pending_requests",
    "summary_percentiles",
]


def latency(scope: Scope, phase: Phase = Phase.REQUEST) -> Panel:
    """Average time per successful request in one phase (end to end by default)."""
    return timeseries(
        f"{title_prefix(scope)}average {phase.title} time per request",
        [Query(q.avg_latency(scope, phase), scope.legend)],
        unit=phase.duration.unit,
        description=f"rate of the {phase.duration.name} sum / rate of successful requests. "
        "Failed requests add no duration.",
    )


def latency_by_phase(scope: Scope) -> Panel:
    """Where the time of a request goes: queue, compute input, infer and output, stacked.

    The stacked phases add up to about the average request time (the rest is Triton's
    own overhead); for an ensemble the compute phases are the sum over its steps.
    """
    return timeseries(
        f"{title_prefix(scope)}time per request by phase",
        [
            Query(q.avg_latency(scope, phase), with_suffix(scope.legend, phase.title))
            for phase in STEPS
        ],
        unit=unit_of(*(phase.duration for phase in STEPS)),
        description="Average time per successful request spent queued, copying inputs, "
        "running the model and copying outputs. In a dynamic batch each request is "
        "charged the whole batch's compute time.",
        stack=True,
        fill_opacity=30,
    )


def batch_size(scope: Scope) -> Panel:
    """Average inferences per execution: the batch size the backend actually runs."""
    return timeseries(
        f"{title_prefix(scope)}average batch size",
        [Query(q.avg_batch_size(scope), scope.legend)],
        unit=Unit.NONE,
        description="rate(nv_inference_count) / rate(nv_inference_exec_count): inferences "
        "per model execution. 1 means the dynamic batcher is not batching.",
        min=0,
    )


def pending_requests(scope: Scope) -> Panel:
    """Requests waiting for an execution slot now (Triton 23.09+)."""
    return timeseries(
        f"{title_prefix(scope)}pending requests",
        [Query(q.pending_requests(scope), scope.legend)],
        unit=catalog.PENDING_REQUESTS.unit,
        description="nv_inference_pending_request_count: requests accepted and not yet "
        "executing. A backlog that only grows means the model cannot keep up.",
        min=0,
    )


def avg_queued_requests(scope: Scope) -> Panel:
    """Average number of requests in the queue over the window (Little's law)."""
    return timeseries(
        f"{title_prefix(scope)}average requests queued",
        [Query(q.avg_requests_in_queue(scope), scope.legend)],
        unit=Unit.COUNT,
        description="rate(nv_inference_queue_duration_us) / 1e6: the time-averaged number "
        "of requests waiting, including the ones that had finished by the scrape.",
        min=0,
    )


def cache_hit_ratio(scope: Scope) -> Panel:
    """Response-cache hit ratio, for models with the cache on."""
    return timeseries(
        f"{title_prefix(scope)}response cache hit ratio",
        [Query(q.cache_hit_ratio(scope), scope.legend)],
        unit=Unit.RATIO,
        description="hits / (hits + misses). Only models with response_cache enabled "
        "(and Triton started with --cache-config) have these counters.",
        min=0,
        max=1,
    )


def first_response_percentiles(
    scope: Scope,
    quantiles: tuple[float, ...] = (0.5, 0.95, 0.99),
) -> Panel:
    """Time to first response at ``quantiles``, from the aggregatable histogram."""
    return timeseries(
        f"{title_prefix(scope)}time to first response",
        [
            Query(
                q.first_response_quantile(scope, quantile),
                with_suffix(scope.legend, f"p{quantile * 100:g}"),
            )
            for quantile in quantiles
        ],
        unit=catalog.FIRST_RESPONSE_HISTOGRAM.unit,
        description="From nv_inference_first_response_histogram_ms (Triton 24.11+, started "
        "with --metrics-config histogram_latencies=true). Empty without it.",
    )


def summary_percentiles(
    scope: Scope,
    phase: Phase = Phase.REQUEST,
    quantiles: tuple[float, ...] = (0.5, 0.99),
) -> Panel:
    """Per-instance quantiles of one phase from Triton's summaries (not aggregatable)."""
    legend = with_suffix(scope.legend, "{{instance}}")
    return timeseries(
        f"{title_prefix(scope)}{phase.title} time quantiles per instance",
        [
            Query(
                q.summary_quantile(scope, phase, quantile),
                with_suffix(legend, f"p{quantile * 100:g}"),
            )
            for quantile in quantiles
        ],
        unit=phase.summary.unit,
        description="From the *_summary_us families (summary_latencies=true). Each Triton "
        "instance computes its own quantiles over a sliding window; they cannot be averaged "
        "across pods, so each instance is its own series.",
        legend_calcs=(),
    )


def model_load_time(scope: Scope) -> Panel:
    """How long each model took to load, slowest instance (Triton 24.11+)."""
    return bar_gauge(
        "Model load time",
        [Query(q.model_load_time(scope), scope.legend)],
        unit=catalog.MODEL_LOAD_DURATION.unit,
        description="nv_model_load_duration_secs: the last load of each model.",
    )

"""Stock Triton panels: a recipe from :mod:`triton_dashboards.query.recipes`, shown right.

Each function takes a :class:`~triton_dashboards.query.scope.Scope` and returns a ready panel
with the unit, thresholds and legend the number needs. They are what a dashboard file
for one deployment is written with::

    pipeline = Scope(namespace="triton").model("ner_pipeline")
    panels.requests_per_minute(pipeline)
"""

from __future__ import annotations

from grafanalib import core as g

from triton_dashboards.dashboard.panels.factories import (
    Query,
    Threshold,
    Unit,
    bar_gauge,
    series_override,
    stat,
    table,
    timeseries,
)
from triton_dashboards.query import recipes as q
from triton_dashboards.query.recipes import STEPS, Phase
from triton_dashboards.query.scope import Scope

__all__ = [
    "avg_queued_requests",
    "batch_size",
    "cache_hit_ratio",
    "cpu_memory",
    "cpu_utilization",
    "execution_rate",
    "failure_ratio",
    "failures_by_reason",
    "failures_in_range",
    "first_response_percentiles",
    "gpu_energy",
    "gpu_memory",
    "gpu_power",
    "gpu_utilization",
    "instances",
    "latency",
    "latency_by_phase",
    "model_load_time",
    "models_table",
    "pending_requests",
    "pinned_memory",
    "request_rate",
    "requests_per_minute",
    "successes_in_range",
    "summary_percentiles",
]

#: Failures are red wherever they appear, successes green.
_FAILED = "red"
_SUCCEEDED = "green"
#: A failure ratio is worth a look at 1 % and alarming once failures outnumber successes.
FAILURE_RATIO_THRESHOLDS: tuple[Threshold, ...] = ((None, "green"), (0.01, "orange"), (0.5, "red"))
#: Utilization and memory: fine below 80 %, tight above 90 %.
USAGE_THRESHOLDS: tuple[Threshold, ...] = ((None, "green"), (0.8, "orange"), (0.9, "red"))


def _model_name(scope: Scope) -> str:
    """The literal model a scope pins, for titles: ``"ner_pipeline: "`` or ``""``."""
    return f"{scope.model_name}: " if scope.model_name is not None else ""


def _with(legend: str, suffix: str) -> str:
    return f"{legend} {suffix}" if legend else suffix


def requests_per_minute(scope: Scope, *, width: int = 12, height: int = 8) -> g.Panel:
    """Requests per minute, succeeded and failed, failures in red.

    The panel the hand-written ``increase(nv_inference_count{model="ner_pipeline"}[1m])``
    meant to be: requests, not inferences, every pod and GPU counted once, and the
    failures that query could not show drawn next to the successes.
    """
    legend = scope.legend
    return timeseries(
        f"{_model_name(scope)}requests per minute",
        [
            Query(q.requests_per_minute(scope), _with(legend, "succeeded")),
            Query(q.failures_per_minute(scope), _with(legend, "failed")),
        ],
        unit=Unit.REQUESTS_PER_MINUTE,
        description="Completed requests per minute (rate x 60), split into succeeded and "
        "failed. Failed requests add no inference count, so a panel of "
        "nv_inference_count alone hides them.",
        overrides=[
            series_override(".*succeeded$", _SUCCEEDED),
            series_override(".*failed$", _FAILED),
        ],
        width=width,
        height=height,
    )


def request_rate(scope: Scope, *, stack: bool = False, width: int = 12, height: int = 8) -> g.Panel:
    """Successful and failed requests per second for each series of the scope."""
    legend = scope.legend
    return timeseries(
        f"{_model_name(scope)}requests per second",
        [
            Query(q.request_rate(scope), _with(legend, "succeeded")),
            Query(q.failure_rate(scope), _with(legend, "failed")),
        ],
        unit=Unit.REQUESTS_PER_SECOND,
        description="Requests completed per second. A request counts once whatever its "
        "batch size; response-cache hits count as successes.",
        stack=stack,
        overrides=[series_override(".*failed$", _FAILED)],
        width=width,
        height=height,
    )


def execution_rate(scope: Scope, *, width: int = 12, height: int = 8) -> g.Panel:
    """Inferences and model executions per second (their ratio is the batch size)."""
    legend = scope.legend
    return timeseries(
        f"{_model_name(scope)}inferences and executions per second",
        [
            Query(q.inference_rate(scope), _with(legend, "inferences")),
            Query(q.execution_rate(scope), _with(legend, "executions")),
        ],
        unit=Unit.OPS_PER_SECOND,
        description="Inferences add each request's batch size; executions add one per batch "
        "the backend runs. Cache hits and failures are neither.",
        width=width,
        height=height,
    )


def failures_by_reason(scope: Scope, *, width: int = 12, height: int = 8) -> g.Panel:
    """Failed requests per second by ``reason`` (REJECTED, CANCELED, BACKEND, OTHER)."""
    return timeseries(
        f"{_model_name(scope)}failures by reason",
        [Query(q.failures_by_reason(scope), _with(scope.legend, "{{reason}}"))],
        unit=Unit.REQUESTS_PER_SECOND,
        description="REJECTED: queue policy or timeout. CANCELED: cancelled by the client. "
        "BACKEND: the backend returned an error. OTHER: anything else, including every "
        "ensemble failure. The reason label exists from Triton 24.07.",
        draw_style="bars",
        fill_opacity=80,
        stack=True,
        overrides=[series_override(".*", _FAILED)],
        width=width,
        height=height,
    )


def failure_ratio(scope: Scope, *, width: int = 6, height: int = 4) -> g.Panel:
    """Share of requests that failed; the panel turns red when failures outnumber successes."""
    return stat(
        f"{_model_name(scope)}failure ratio",
        [Query(q.failure_ratio(scope), scope.legend)],
        unit=Unit.RATIO,
        description="failures / (successes + failures) over the rate window. Orange from 1 %, "
        "red from 50 %: more requests fail than succeed.",
        thresholds=FAILURE_RATIO_THRESHOLDS,
        color_mode="background",
        decimals=1,
        width=width,
        height=height,
    )


def successes_in_range(scope: Scope, *, width: int = 6, height: int = 4) -> g.Panel:
    """Successful requests over the dashboard's time range."""
    return stat(
        f"{_model_name(scope)}succeeded in range",
        [Query(q.successes_in(scope), scope.legend, instant=True)],
        unit=Unit.COUNT,
        description="Successful requests over the whole time range picked for the dashboard.",
        graph_mode="none",
        decimals=0,
        width=width,
        height=height,
    )


def failures_in_range(scope: Scope, *, width: int = 6, height: int = 4) -> g.Panel:
    """Failed requests over the dashboard's time range; red from the first one."""
    return stat(
        f"{_model_name(scope)}failed in range",
        [Query(q.failures_in(scope), scope.legend, instant=True)],
        unit=Unit.COUNT,
        description="Failed requests over the whole time range picked for the dashboard.",
        thresholds=((None, "green"), (1, "red")),
        color_mode="background",
        graph_mode="none",
        decimals=0,
        width=width,
        height=height,
    )


def latency(
    scope: Scope, phase: Phase = Phase.REQUEST, *, width: int = 12, height: int = 8
) -> g.Panel:
    """Average time per successful request in one phase (end to end by default)."""
    return timeseries(
        f"{_model_name(scope)}average {phase.title} time per request",
        [Query(q.avg_latency(scope, phase), scope.legend)],
        unit=Unit.MICROSECONDS,
        description=f"rate of the {phase.duration.name} sum / rate of successful requests. "
        "Failed requests add no duration.",
        width=width,
        height=height,
    )


def latency_by_phase(scope: Scope, *, width: int = 12, height: int = 8) -> g.Panel:
    """Where the time of a request goes: queue, compute input, infer and output, stacked.

    The stacked phases add up to about the average request time (the rest is Triton's
    own overhead); for an ensemble the compute phases are the sum over its steps.
    """
    return timeseries(
        f"{_model_name(scope)}time per request by phase",
        [Query(q.avg_latency(scope, phase), _with(scope.legend, phase.title)) for phase in STEPS],
        unit=Unit.MICROSECONDS,
        description="Average time per successful request spent queued, copying inputs, "
        "running the model and copying outputs. In a dynamic batch each request is "
        "charged the whole batch's compute time.",
        stack=True,
        fill_opacity=30,
        width=width,
        height=height,
    )


def batch_size(scope: Scope, *, width: int = 12, height: int = 8) -> g.Panel:
    """Average inferences per execution: the batch size the backend actually runs."""
    return timeseries(
        f"{_model_name(scope)}average batch size",
        [Query(q.avg_batch_size(scope), scope.legend)],
        unit=Unit.NONE,
        description="rate(nv_inference_count) / rate(nv_inference_exec_count): inferences "
        "per model execution. 1 means the dynamic batcher is not batching.",
        min=0,
        width=width,
        height=height,
    )


def pending_requests(scope: Scope, *, width: int = 12, height: int = 8) -> g.Panel:
    """Requests waiting for an execution slot now (Triton 23.09+)."""
    return timeseries(
        f"{_model_name(scope)}pending requests",
        [Query(q.pending_requests(scope), scope.legend)],
        unit=Unit.COUNT,
        description="nv_inference_pending_request_count: requests accepted and not yet "
        "executing. A backlog that only grows means the model cannot keep up.",
        min=0,
        width=width,
        height=height,
    )


def avg_queued_requests(scope: Scope, *, width: int = 12, height: int = 8) -> g.Panel:
    """Average number of requests in the queue over the window (Little's law)."""
    return timeseries(
        f"{_model_name(scope)}average requests queued",
        [Query(q.avg_requests_in_queue(scope), scope.legend)],
        unit=Unit.COUNT,
        description="rate(nv_inference_queue_duration_us) / 1e6: the time-averaged number "
        "of requests waiting, including the ones that had finished by the scrape.",
        min=0,
        width=width,
        height=height,
    )


def cache_hit_ratio(scope: Scope, *, width: int = 12, height: int = 8) -> g.Panel:
    """Response-cache hit ratio, for models with the cache on."""
    return timeseries(
        f"{_model_name(scope)}response cache hit ratio",
        [Query(q.cache_hit_ratio(scope), scope.legend)],
        unit=Unit.RATIO,
        description="hits / (hits + misses). Only models with response_cache enabled "
        "(and Triton started with --cache-config) have these counters.",
        min=0,
        max=1,
        width=width,
        height=height,
    )


def first_response_percentiles(
    scope: Scope,
    quantiles: tuple[float, ...] = (0.5, 0.95, 0.99),
    *,
    width: int = 12,
    height: int = 8,
) -> g.Panel:
    """Time to first response at ``quantiles``, from the aggregatable histogram."""
    return timeseries(
        f"{_model_name(scope)}time to first response",
        [
            Query(
                q.first_response_quantile(scope, quantile),
                _with(scope.legend, f"p{quantile * 100:g}"),
            )
            for quantile in quantiles
        ],
        unit=Unit.MILLISECONDS,
        description="From nv_inference_first_response_histogram_ms (Triton 24.11+, started "
        "with --metrics-config histogram_latencies=true). Empty without it.",
        width=width,
        height=height,
    )


def summary_percentiles(
    scope: Scope,
    phase: Phase = Phase.REQUEST,
    quantiles: tuple[float, ...] = (0.5, 0.99),
    *,
    width: int = 12,
    height: int = 8,
) -> g.Panel:
    """Per-instance quantiles of one phase from Triton's summaries (not aggregatable)."""
    legend = _with(scope.legend, "{{instance}}")
    return timeseries(
        f"{_model_name(scope)}{phase.title} time quantiles per instance",
        [
            Query(q.summary_quantile(scope, phase, quantile), _with(legend, f"p{quantile * 100:g}"))
            for quantile in quantiles
        ],
        unit=Unit.MICROSECONDS,
        description="From the *_summary_us families (summary_latencies=true). Each Triton "
        "instance computes its own quantiles over a sliding window; they cannot be averaged "
        "across pods, so each instance is its own series.",
        legend_calcs=(),
        width=width,
        height=height,
    )


def gpu_utilization(scope: Scope, *, width: int = 12, height: int = 8) -> g.Panel:
    """GPU utilization per GPU, 0-100 %."""
    return timeseries(
        "GPU utilization",
        [Query(q.gpu_utilization(scope), "{{gpu_uuid}}")],
        unit=Unit.RATIO,
        description="nv_gpu_utilization per GPU (DCGM, sampled every --metrics-interval-ms).",
        thresholds=USAGE_THRESHOLDS,
        min=0,
        max=1,
        width=width,
        height=height,
    )


def gpu_memory(scope: Scope, *, width: int = 12, height: int = 8) -> g.Panel:
    """Share of GPU framebuffer memory in use, per GPU."""
    return timeseries(
        "GPU memory used",
        [Query(q.gpu_memory_used_ratio(scope), "{{gpu_uuid}}")],
        unit=Unit.RATIO,
        description="nv_gpu_memory_used_bytes / nv_gpu_memory_total_bytes per GPU.",
        thresholds=USAGE_THRESHOLDS,
        show_thresholds=True,
        min=0,
        max=1,
        width=width,
        height=height,
    )


def gpu_power(scope: Scope, *, width: int = 12, height: int = 8) -> g.Panel:
    """GPU power draw and its limit, watts per GPU."""
    return timeseries(
        "GPU power",
        [
            Query(q.gpu_power(scope), "{{gpu_uuid}} draw"),
            Query(q.gpu_power_limit(scope), "{{gpu_uuid}} limit"),
        ],
        unit=Unit.WATT,
        description="nv_gpu_power_usage against nv_gpu_power_limit.",
        min=0,
        width=width,
        height=height,
    )


def gpu_energy(scope: Scope, *, width: int = 12, height: int = 8) -> g.Panel:
    """Average GPU power over the window from the energy counter, watts per GPU."""
    return timeseries(
        "GPU average power (from energy)",
        [Query(q.gpu_energy_rate(scope), "{{gpu_uuid}}")],
        unit=Unit.WATT,
        description="rate(nv_energy_consumption): joules per second over the rate window, "
        "an average rather than a sample.",
        min=0,
        width=width,
        height=height,
    )


def cpu_utilization(scope: Scope, *, width: int = 12, height: int = 8) -> g.Panel:
    """Host CPU utilization per Triton instance."""
    return timeseries(
        "CPU utilization",
        [Query(q.cpu_utilization(scope), "{{instance}}")],
        unit=Unit.RATIO,
        description="nv_cpu_utilization (Triton 22.09+). Triton reads /proc/stat: inside a "
        "container this is the whole node.",
        thresholds=USAGE_THRESHOLDS,
        min=0,
        max=1,
        width=width,
        height=height,
    )


def cpu_memory(scope: Scope, *, width: int = 12, height: int = 8) -> g.Panel:
    """Host memory in use per Triton instance, as a share of the total."""
    return timeseries(
        "Host memory used",
        [Query(q.cpu_memory_used_ratio(scope), "{{instance}}")],
        unit=Unit.RATIO,
        description="nv_cpu_memory_used_bytes / nv_cpu_memory_total_bytes (node-wide).",
        thresholds=USAGE_THRESHOLDS,
        min=0,
        max=1,
        width=width,
        height=height,
    )


def pinned_memory(scope: Scope, *, width: int = 12, height: int = 8) -> g.Panel:
    """Pinned host memory pool in use per Triton instance, bytes."""
    return timeseries(
        "Pinned memory pool used",
        [Query(q.pinned_memory_used(scope), "{{instance}}")],
        unit=Unit.BYTES,
        description="nv_pinned_memory_pool_used_bytes (Triton 24.01+); the pool size is set "
        "with --pinned-memory-pool-byte-size.",
        min=0,
        width=width,
        height=height,
    )


def model_load_time(scope: Scope, *, width: int = 12, height: int = 8) -> g.Panel:
    """How long each model took to load, slowest instance (Triton 24.11+)."""
    return bar_gauge(
        "Model load time",
        [Query(q.model_load_time(scope), scope.legend)],
        unit=Unit.SECONDS,
        description="nv_model_load_duration_secs: the last load of each model.",
        width=width,
        height=height,
    )


def instances(scope: Scope, *, width: int = 6, height: int = 4) -> g.Panel:
    """How many Triton servers report models."""
    return stat(
        "Triton instances",
        [Query(q.instances_up(scope), "instances")],
        unit=Unit.COUNT,
        description="Triton servers scraped that report at least one loaded model.",
        thresholds=((None, "red"), (1, "green")),
        graph_mode="none",
        no_value="0",
        width=width,
        height=height,
    )


def models_table(scope: Scope, *, width: int = 24, height: int = 8) -> g.Panel:
    """One row per model: request rate, failure ratio, latency, batch size, backlog."""
    return table(
        "Models",
        [
            q.request_rate(scope),
            q.failure_ratio(scope),
            q.avg_latency(scope, Phase.REQUEST),
            q.avg_latency(scope, Phase.QUEUE),
            q.avg_batch_size(scope),
            q.pending_requests(scope),
        ],
        columns={
            "A": ("requests/s", Unit.REQUESTS_PER_SECOND),
            "B": ("failure ratio", Unit.RATIO),
            "C": ("avg request time", Unit.MICROSECONDS),
            "D": ("avg queue time", Unit.MICROSECONDS),
            "E": ("batch size", Unit.NONE),
            "F": ("pending", Unit.COUNT),
        },
        sort_by="requests/s",
        description="Each model and version over the rate window.",
        width=width,
        height=height,
    )

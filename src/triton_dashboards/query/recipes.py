"""Triton query recipes: the domain math, written once.

Each recipe takes a :class:`~triton_dashboards.query.scope.Scope` and returns a PromQL
expression; its docstring says what the number means and why the math is right, after
Triton's semantics as docs/metrics.md describes them (its section names are cited below).
The rules they all follow:

* Per-model families are cumulative since the model was loaded and restart at 0 on a
  reload: always ``rate()``/``increase()``, never the raw counter ("Counters restart when a
  model loads").
* Series are summed by the scope's labels (``model, version`` by default) *before*
  dividing, which drops ``gpu_uuid`` and pod: ensembles and startup-loaded models have no
  ``gpu_uuid``, later-loaded ones do ("GPUs split per-model series"), and a request is
  counted once either way.
* Durations accumulate over successful requests only, so averages divide by
  ``nv_inference_request_success`` ("Durations count successful requests only").
* An average over zero requests is no value, not NaN: the denominator is filtered with
  ``> 0`` so idle models show a gap instead of noise.

The default window is Grafana's ``$__rate_interval``, which always spans at least four
scrapes; pass ``window="5m"`` for recording rules and alerts.

On a recorded scope the recipes read the recording rules' series where they have one
(:mod:`triton_dashboards.query.reading`). The GPU and host recipes live in
:mod:`triton_dashboards.query.hardware` and are re-exported here, as are :class:`Phase`
and :data:`STEPS` from the catalog and :data:`MIN_RATE` from
:mod:`triton_dashboards.query.ratios`.
"""

from __future__ import annotations

from triton_dashboards import catalog
from triton_dashboards.catalog import Phase
from triton_dashboards.promql import (
    RANGE,
    RATE_INTERVAL,
    Expr,
    Matcher,
    Selector,
    Window,
    aggregate,
    increase,
    max_by,
    rate,
    sum_by,
)
from triton_dashboards.query.hardware import (
    cpu_memory_used,
    cpu_memory_used_ratio,
    cpu_utilization,
    gpu_energy_rate,
    gpu_memory_used,
    gpu_memory_used_ratio,
    gpu_power,
    gpu_power_limit,
    gpu_utilization,
    mean_gpu_utilization,
    pinned_memory_used,
    pinned_memory_used_ratio,
)
from triton_dashboards.query.histograms import BucketRates, bucket_shares, honest_quantile, mean
from triton_dashboards.query.ratios import completed, per_request
from triton_dashboards.query.reading import recorded, sum_rate, window_rate
from triton_dashboards.query.recording import Operation
from triton_dashboards.query.scope import Scope

__all__ = [
    "Phase",
    "avg_batch_size",
    "avg_latency",
    "avg_requests_in_queue",
    "cache_hit_ratio",
    "completed_rate",
    "cpu_memory_used",
    "cpu_memory_used_ratio",
    "cpu_utilization",
    "execution_rate",
    "failure_rate",
    "failure_ratio",
    "failures_by_reason",
    "failures_in",
    "failures_per_minute",
    "first_response_mean",
    "first_response_quantile",
    "first_response_shares",
    "gpu_energy_rate",
    "gpu_memory_used",
    "gpu_memory_used_ratio",
    "gpu_power",
    "gpu_power_limit",
    "gpu_utilization",
    "inference_rate",
    "instances_up",
    "mean_gpu_utilization",
    "model_load_time",
    "pending_requests",
    "pinned_memory_used",
    "pinned_memory_used_ratio",
    "request_rate",
    "requests_per_minute",
    "successes_in",
    "summary_quantile",
]

#: The phases a request goes through after it is queued (re-exported from the catalog).
STEPS = catalog.STEPS


def request_rate(scope: Scope, window: Window = RATE_INTERVAL) -> Expr:
    """Successful requests per second.

    ``nv_inference_request_success`` adds one per request whatever its batch size
    ("Requests, inferences and executions"), so this is the request rate clients see
    succeed; response-cache hits count.
    """
    return sum_rate(scope, catalog.REQUEST_SUCCESS, window)


def failure_rate(scope: Scope, window: Window = RATE_INTERVAL) -> Expr:
    """Failed requests per second, all reasons together.

    Failures increment only ``nv_inference_request_failure`` (no durations, no inference
    count), once per request; since 24.07 the family is split by ``reason``, which the
    sum drops.
    """
    return sum_rate(scope, catalog.REQUEST_FAILURE, window)


def failures_by_reason(scope: Scope, window: Window = RATE_INTERVAL) -> Expr:
    """Failed requests per second, one series per ``reason``.

    ``reason`` is REJECTED (queue policy, timeout), CANCELED, BACKEND (the backend
    reported an error) or OTHER (anything else, and every ensemble failure; "Failures and
    their reasons").
    """
    return sum_rate(scope, catalog.REQUEST_FAILURE, window, extra=("reason",))


def inference_rate(scope: Scope, window: Window = RATE_INTERVAL) -> Expr:
    """Inferences per second: ``nv_inference_count`` adds each request's batch size.

    Cache hits and failures are not inferences, so this is not a request rate.
    """
    return sum_rate(scope, catalog.INFERENCE_COUNT, window)


def execution_rate(scope: Scope, window: Window = RATE_INTERVAL) -> Expr:
    """Model executions per second: one per (dynamic) batch run by the backend."""
    return sum_rate(scope, catalog.EXEC_COUNT, window)


def requests_per_minute(scope: Scope, window: Window = RATE_INTERVAL) -> Expr:
    """Successful requests per minute (the per-second rate times 60).

    The hand-written ``increase(nv_inference_count{model="ner_pipeline"}[1m])`` this
    replaces is wrong three ways: ``nv_inference_count`` counts inferences (batch size,
    no cache hits, no failures), not requests; without a sum it draws one line per pod
    and per ``gpu_uuid``; and a fixed ``[1m]`` window holds fewer than two samples once
    the scrape interval reaches a minute, so the panel goes blank. ``rate`` over
    ``$__rate_interval`` times 60 is the same number without those traps.
    """
    return 60 * request_rate(scope, window)


def failures_per_minute(scope: Scope, window: Window = RATE_INTERVAL) -> Expr:
    """Failed requests per minute, all reasons together (see :func:`requests_per_minute`)."""
    return 60 * failure_rate(scope, window)


def successes_in(scope: Scope, window: Window = RANGE) -> Expr:
    """Successful requests over ``window`` (default: the dashboard's time range)."""
    return sum_by(scope.group, increase(scope.select(catalog.REQUEST_SUCCESS), window))


def failures_in(scope: Scope, window: Window = RANGE) -> Expr:
    """Failed requests over ``window`` (default: the dashboard's time range)."""
    return sum_by(scope.group, increase(scope.select(catalog.REQUEST_FAILURE), window))


def failure_ratio(scope: Scope, window: Window = RATE_INTERVAL) -> Expr:
    """Share of requests that failed, 0..1: failures / (successes + failures).

    Success and failure are disjoint (a request increments exactly one of them), so
    their sum is every request that completed. The denominator is floored at
    :data:`~triton_dashboards.query.ratios.MIN_RATE` so that an idle model reads 0, not NaN.
    """
    failures = failure_rate(scope, window)
    return failures / completed_rate(scope, window)


def completed_rate(scope: Scope, window: Window = RATE_INTERVAL) -> Expr:
    """Requests per second that completed, successes plus failures (floored, never 0).

    The denominator of every failure share: the failure ratio here and the alert's
    per-reason ratios (see :func:`triton_dashboards.query.ratios.completed`).
    """
    return completed(request_rate(scope, window), failure_rate(scope, window))


def avg_latency(scope: Scope, phase: Phase, window: Window = RATE_INTERVAL) -> Expr:
    """Average time per successful request spent in ``phase``, in microseconds.

    The ``*_duration_us`` families are cumulative sums over successful requests, so the
    average over a window is the rate of the sum divided by the rate of
    ``nv_inference_request_success``, both summed over the same labels first. Failures
    add no duration and are left out of both. With the response cache on, cache hits
    count in the request and queue phases but spend no compute time, so the compute
    phases are per request served (they still add up to the request time).
    In a dynamic batch every request is charged the whole batch's compute time
    ("Requests, inferences and executions"): this is the request-weighted batch compute
    time, not a per-inference time. For an
    ensemble the compute phases are the sum over its steps and may exceed the request
    time when steps run in parallel ("Ensembles and their steps").
    """
    return per_request(sum_rate(scope, phase.duration, window), request_rate(scope, window))


def avg_batch_size(scope: Scope, window: Window = RATE_INTERVAL) -> Expr:
    """Average inferences per model execution (the dynamic batch size actually run).

    ``nv_inference_count`` adds each request's batch size, ``nv_inference_exec_count``
    one per backend execution: a batch-1 and a batch-8 request batched together give
    9 / 1 = 9; the same two sent one at a time give 9 / 2 = 4.5.
    """
    return per_request(inference_rate(scope, window), execution_rate(scope, window))


def avg_requests_in_queue(scope: Scope, window: Window = RATE_INTERVAL) -> Expr:
    """Average number of requests waiting in the queue (Little's law).

    The queue-duration counter grows by one µs per µs each queued request waits, so its
    rate divided by 1e6 is the time-averaged number of requests queued.
    """
    return sum_rate(scope, catalog.QUEUE_DURATION, window) / 1e6


def pending_requests(scope: Scope) -> Expr:
    """Requests waiting for execution now (gauge, Triton 23.09+; no ``gpu_uuid``)."""
    return sum_by(scope.group, scope.select(catalog.PENDING_REQUESTS))


def cache_hit_ratio(scope: Scope, window: Window = RATE_INTERVAL) -> Expr:
    """Share of cache lookups that hit, 0..1, for models with the response cache on.

    Only models with ``response_cache { enable: true }`` have these counters; others
    have no series, and a model without lookups in the window shows no value.
    """
    hits = sum_rate(scope, catalog.CACHE_HITS, window)
    return per_request(hits, hits + sum_rate(scope, catalog.CACHE_MISSES, window))


def first_response_buckets(scope: Scope, window: Window = RATE_INTERVAL) -> BucketRates:
    """Per-series bucket rates of the first-response histogram, for :mod:`.histograms`.

    ``nv_inference_first_response_histogram_ms`` (24.11+, ``histogram_latencies=true``;
    every model since 26.01) is a histogram, so buckets add up across pods and GPUs. On a
    recorded scope the bucket rates come summed over ``gpu_uuid`` already: the raw form is
    the most expensive query of a dashboard (every bucket of every model on every GPU).
    """
    histogram = catalog.FIRST_RESPONSE_HISTOGRAM

    def rates(*extra: Matcher) -> Expr:
        found = recorded(scope, histogram, Operation.RATE, window, (*scope.group, "le"))
        if isinstance(found, Selector):
            return found.where(*extra)
        return rate(scope.select(histogram, *extra, sample=histogram.name + "_bucket"), window)

    return rates


def first_response_quantile(scope: Scope, quantile: float, window: Window = RATE_INTERVAL) -> Expr:
    """Time to first response at ``quantile`` in ms, only where the histogram measures it.

    Triton's default buckets are 100, 500, 2000 and 5000 ms: for a model answering in
    10 ms, ``histogram_quantile`` would read exactly 50, 95 and 99 ms, interpolated inside
    the lowest bucket. Such a quantile (or one in the +Inf bucket) has no value here
    (:func:`triton_dashboards.query.histograms.honest_quantile`).
    """
    return honest_quantile(quantile, first_response_buckets(scope, window), scope.group)


def first_response_shares(scope: Scope, window: Window = RATE_INTERVAL) -> Expr:
    """Share of first responses within each bucket bound ``le`` (0..1): exact."""
    return bucket_shares(first_response_buckets(scope, window), scope.group)


def first_response_mean(scope: Scope, window: Window = RATE_INTERVAL) -> Expr:
    """Mean time to first response in ms: ``rate(_sum) / rate(_count)``, exact."""
    histogram = catalog.FIRST_RESPONSE_HISTOGRAM

    def summed(sample: str) -> Expr:
        selector = scope.select(histogram, sample=histogram.name + sample)
        return sum_by(scope.group, rate(selector, window))

    return mean(summed("_sum"), summed("_count"))


def summary_quantile(scope: Scope, phase: Phase, quantile: float) -> Expr:
    """Duration of ``phase`` at ``quantile`` in µs, per Triton instance, from the summary.

    Summaries (``summary_latencies=true``) are computed inside each server over a sliding
    window: quantiles of different pods cannot be averaged or summed, so every series is
    kept as it is. ``>= 0`` drops the NaN a summary reports when it saw no request.
    """
    quantile_label = Matcher("quantile", "=", _quantile_label(quantile))
    return scope.select(phase.summary, quantile_label).ge(0)


def _quantile_label(quantile: float) -> str:
    if not 0 < quantile < 1:
        raise ValueError(f"quantile {quantile} must be between 0 and 1")
    return repr(float(quantile))


def model_load_time(scope: Scope) -> Expr:
    """Seconds the last load of each model took (24.11+), the slowest instance's."""
    return max_by(scope.group, scope.select(catalog.MODEL_LOAD_DURATION))


def instances_up(scope: Scope, window: Window = RATE_INTERVAL) -> Expr:
    """Triton servers that reported at least one loaded model during the window."""
    success = window_rate(scope, catalog.REQUEST_SUCCESS, window, scope.host_group)
    per_instance = aggregate("count", success, by=scope.host_group)
    return aggregate("count", per_instance)

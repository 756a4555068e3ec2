"""LLM serving recipes: TensorRT-LLM's gauges and vLLM's histograms, each summed the way
its family allows.

* **Latency** (time to first token, time per output token, end-to-end) comes from
  histograms: vLLM's ``vllm:*_seconds`` and, for TensorRT-LLM, Triton's own
  ``nv_inference_first_response_histogram_ms`` of the decoupled (streaming) model. Buckets
  add up across pods, so each is shown as the exact mean (``_sum / _count``) and as honest
  quantiles (:mod:`triton_dashboards.query.histograms`: none in the lowest or +Inf bucket).
* **Tokens** are vLLM counters: rated, then summed over pods.
* **TensorRT-LLM statistics** are gauges the backend sets every iteration, one family per
  kind and the statistic in a label: never rated, and each query selects exactly one label
  value (``request_type="waiting"``), because the values are different quantities. Counts
  (requests, blocks, bytes, tokens) are summed over pods; a share of a pool is the sum of
  what is used over the sum of the pool, never an average of shares.

All recipes keep the scope's grouping (``model, version``) and sum away pods and GPUs.
"""

from __future__ import annotations

from triton_dashboards import catalog
from triton_dashboards.catalog import Metric, llm
from triton_dashboards.promql import (
    RATE_INTERVAL,
    Expr,
    Matcher,
    Selector,
    Window,
    avg_by,
    rate,
    sum_by,
)
from triton_dashboards.query import histograms
from triton_dashboards.query.ratios import per_request
from triton_dashboards.query.reading import recorded, sum_rate
from triton_dashboards.query.recording import Operation
from triton_dashboards.query.scope import Scope

__all__ = [
    "E2E_LATENCY",
    "FIRST_RESPONSE",
    "TIME_PER_OUTPUT_TOKEN",
    "TTFT",
    "bucket_shares",
    "kv_cache_blocks",
    "kv_cache_utilization",
    "kv_transfer_time",
    "latency_mean",
    "latency_quantile",
    "runtime_memory",
    "token_rate",
    "tokens_per_request",
    "trt_statistic",
    "vllm_gauge",
    "vllm_kv_cache_utilization",
]

TTFT = catalog.get("vllm:time_to_first_token_seconds")
TIME_PER_OUTPUT_TOKEN = catalog.get("vllm:time_per_output_token_seconds")
E2E_LATENCY = catalog.get("vllm:e2e_request_latency_seconds")
#: TensorRT-LLM's time to first token: the first response of the decoupled model (ms).
FIRST_RESPONSE = catalog.FIRST_RESPONSE_HISTOGRAM
PROMPT_TOKENS = catalog.get("vllm:prompt_tokens_total")
GENERATION_TOKENS = catalog.get("vllm:generation_tokens_total")
PROMPT_TOKENS_PER_REQUEST = catalog.get("vllm:request_prompt_tokens")
GENERATION_TOKENS_PER_REQUEST = catalog.get("vllm:request_generation_tokens")
VLLM_RUNNING = catalog.get("vllm:num_requests_running")
VLLM_WAITING = catalog.get("vllm:num_requests_waiting")
REQUEST_METRICS = catalog.get("nv_trt_llm_request_metrics")
KV_CACHE_BLOCKS = catalog.get("nv_trt_llm_kv_cache_block_metrics")
RUNTIME_MEMORY = catalog.get("nv_trt_llm_runtime_memory_metrics")
INFLIGHT_BATCHER = catalog.get("nv_trt_llm_inflight_batcher_metrics")
DISAGGREGATED = catalog.get("nv_trt_llm_disaggregated_serving_metrics")
VLLM_KV_CACHE = catalog.get("vllm:gpu_cache_usage_perc")


def _bucket_rates(scope: Scope, metric: Metric, window: Window) -> histograms.BucketRates:
    """Per-series bucket rates of ``metric``: the recorded ones where the scope asks."""
    keep = (*scope.group, "le")

    def rates(*extra: Matcher) -> Expr:
        found = recorded(scope, metric, Operation.RATE, window, keep)
        if isinstance(found, Selector):
            return found.where(*extra)
        return rate(scope.select(metric, *extra, sample=metric.name + "_bucket"), window)

    return rates


def latency_mean(scope: Scope, metric: Metric, window: Window = RATE_INTERVAL) -> Expr:
    """Exact mean of a latency histogram, in its unit (s for vLLM, ms for Triton's).

    ``_sum`` and ``_count`` are counters that only the completed observations move, so
    rate of the sum over rate of the count, both summed over pods, is the mean observation
    in the window, weighted by observations: what a pod-by-pod average cannot give.
    """
    total = sum_by(scope.group, rate(scope.select(metric, sample=metric.name + "_sum"), window))
    count = sum_by(scope.group, rate(scope.select(metric, sample=metric.name + "_count"), window))
    return histograms.mean(total, count)


def latency_quantile(
    scope: Scope, metric: Metric, quantile: float, window: Window = RATE_INTERVAL
) -> Expr:
    """The ``quantile`` of a latency histogram, only where it is a measurement.

    Buckets are counters, so their rates add up across pods and GPUs before the
    interpolation (``sum by (le, model, version)``). A quantile in the lowest bucket or in
    +Inf is left out (:func:`triton_dashboards.query.histograms.honest_quantile`).
    """
    return histograms.honest_quantile(quantile, _bucket_rates(scope, metric, window), scope.group)


def bucket_shares(scope: Scope, metric: Metric, window: Window = RATE_INTERVAL) -> Expr:
    """Share of observations at or below each bucket bound, per ``le`` (exact, 0..1)."""
    return histograms.bucket_shares(_bucket_rates(scope, metric, window), scope.group)


def token_rate(scope: Scope, metric: Metric, window: Window = RATE_INTERVAL) -> Expr:
    """Tokens per second, prompt (prefill) or generated, from vLLM's token counters.

    ``vllm:prompt_tokens_total`` and ``vllm:generation_tokens_total`` count tokens as the
    engine processes them (every iteration, not at request end), so their rates summed over
    pods are the fleet's throughput.
    """
    return sum_rate(scope, metric, window)


def tokens_per_request(scope: Scope, metric: Metric, window: Window = RATE_INTERVAL) -> Expr:
    """Average prompt or generated tokens per finished request (vLLM's token histograms).

    ``vllm:request_prompt_tokens`` and ``vllm:request_generation_tokens`` observe one value
    per finished request, so ``_sum / _count`` is the mean tokens per request.
    """
    return latency_mean(scope, metric, window)


def trt_statistic(scope: Scope, metric: Metric, value: str) -> Expr:
    """One statistic of a TensorRT-LLM gauge family, summed over pods: a count now.

    The family's label names the statistic; ``value`` selects exactly one (the catalog
    checks it is one the backend reports), because the values are different quantities.
    The gauge is the backend's last iteration, so it is read as is, never rated.
    """
    label, checked = llm.statistic(metric.name, value)
    return sum_by(scope.group, scope.select(metric, Matcher(label, "=", checked)))


def kv_cache_blocks(scope: Scope, value: str) -> Expr:
    """KV-cache blocks ``used``, ``free`` or ``max`` (TensorRT-LLM), summed over pods."""
    return trt_statistic(scope, KV_CACHE_BLOCKS, value)


def kv_cache_utilization(scope: Scope) -> Expr:
    """Share of KV-cache blocks in use, 0..1 (TensorRT-LLM): used blocks over max blocks.

    Both are summed over pods first, so a pod with a larger cache weighs more; the
    backend's own ``fraction`` statistic is per pod and cannot be averaged across pods.
    """
    return per_request(kv_cache_blocks(scope, "used"), kv_cache_blocks(scope, "max"))


def vllm_gauge(scope: Scope, metric: Metric) -> Expr:
    """A vLLM scheduler gauge (running or waiting requests), summed over pods."""
    return sum_by(scope.group, scope.select(metric))


def vllm_kv_cache_utilization(scope: Scope) -> Expr:
    """vLLM's GPU KV-cache usage, 0..1, averaged over pods (each pod's share counts once).

    vLLM reports only the share, not the block counts, so pods cannot be weighted by size.
    """
    return avg_by(scope.group, scope.select(VLLM_KV_CACHE))


def runtime_memory(scope: Scope, value: str) -> Expr:
    """TensorRT-LLM runtime memory of one kind (``gpu``, ``cpu``, ``pinned``), bytes, summed."""
    return trt_statistic(scope, RUNTIME_MEMORY, value)


def kv_transfer_time(scope: Scope, window: Window = RATE_INTERVAL) -> Expr:
    """Average KV-cache transfer time per transferred request, ms (disaggregated serving).

    ``nv_trt_llm_disaggregated_serving_metrics`` is a counter: the rate of its
    ``kv_cache_transfer_ms`` value over the rate of its ``request_count`` value, each
    selected on its own and summed over pods, is the mean transfer time in the window.
    """

    def part(value: str) -> Expr:
        label, checked = llm.statistic(DISAGGREGATED.name, value)
        selector = scope.select(DISAGGREGATED, Matcher(label, "=", checked))
        return sum_by(scope.group, rate(selector, window))

    return per_request(part("kv_cache_transfer_ms"), part("request_count"))

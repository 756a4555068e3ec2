"""Stock panels for LLM serving: latency histograms, tokens, requests, KV cache, memory.

Latency panels show the exact mean next to honest quantiles: a quantile that falls in the
lowest or the +Inf bucket is left out rather than shown as an interpolation
(:mod:`triton_dashboards.query.histograms`); the bucket-shares panel says where those
observations are. TensorRT-LLM panels plot one statistic per query, never a sum of them.

A panel that reads families only one backend writes (the catalog's ``plugin`` of each
family) says that backend in its title (:func:`titled`): on a model of the other backend
it shows "No data", and the title says why.
"""

from __future__ import annotations

from triton_dashboards.catalog import Metric
from triton_dashboards.catalog.llm import TENSORRT_LLM, VLLM
from triton_dashboards.dashboard.panels.base import Query, Unit
from triton_dashboards.dashboard.panels.factories import timeseries
from triton_dashboards.dashboard.panels.scoped import USAGE_THRESHOLDS, title_prefix, with_suffix
from triton_dashboards.dashboard.schema.panel import Panel
from triton_dashboards.query import llm as q
from triton_dashboards.query.scope import Scope

__all__ = [
    "BACKEND_TITLES",
    "QUANTILES",
    "e2e_latency",
    "kv_cache_blocks",
    "kv_cache_utilization",
    "kv_transfer_time",
    "latency_histogram",
    "runtime_memory",
    "time_per_output_token",
    "time_to_first_token",
    "time_to_first_token_shares",
    "titled",
    "token_throughput",
    "tokens_per_request",
    "trt_context_tokens",
    "trt_requests",
    "vllm_kv_cache",
    "vllm_requests",
]

QUANTILES = (0.5, 0.95, 0.99)
#: How a title names the backend whose families a panel reads (by catalog plug-in).
BACKEND_TITLES = {TENSORRT_LLM: "TensorRT-LLM", VLLM: "vLLM"}
_HONEST = (
    " Quantiles are shown only where they lie between two finite bucket bounds; below the "
    "first bound or above the last they would be an interpolation, not a measurement "
    "(see the bucket shares)."
)


def titled(scope: Scope, title: str, *metrics: Metric) -> str:
    """``title`` for a panel reading ``metrics``, with the scope's model in front and, when
    every family is one backend's, that backend's name (unless the title says it)."""
    plugins = {metric.plugin for metric in metrics}
    backend = BACKEND_TITLES.get(plugins.pop(), "") if len(plugins) == 1 else ""
    if backend and backend not in title:
        title = f"{backend} {title}"
    return f"{title_prefix(scope)}{title}"


def latency_histogram(scope: Scope, metric: Metric, title: str) -> Panel:
    """Exact mean (A) and honest p50, p95, p99 (B, C, D) of one latency histogram."""
    queries = [Query(q.latency_mean(scope, metric), with_suffix(scope.legend, "mean"))]
    queries += [
        Query(
            q.latency_quantile(scope, metric, quantile),
            with_suffix(scope.legend, f"p{quantile * 100:g}"),
        )
        for quantile in QUANTILES
    ]
    return timeseries(
        titled(scope, title, metric),
        queries,
        unit=metric.unit,
        description=f"From {metric.name}: mean = rate(_sum) / rate(_count), buckets summed "
        "over pods before the quantile." + _HONEST,
        min=0,
    )


def time_to_first_token(scope: Scope) -> Panel:
    """vLLM's time to first token: mean and honest quantiles, seconds."""
    return latency_histogram(scope, q.TTFT, "time to first token")


def time_per_output_token(scope: Scope) -> Panel:
    """vLLM's time per output token (between streamed tokens), seconds."""
    return latency_histogram(scope, q.TIME_PER_OUTPUT_TOKEN, "time per output token")


def e2e_latency(scope: Scope) -> Panel:
    """vLLM's end-to-end request latency, seconds."""
    return latency_histogram(scope, q.E2E_LATENCY, "end-to-end latency")


def time_to_first_token_shares(scope: Scope, metric: Metric = q.TTFT) -> Panel:
    """Share of requests whose first token came within each bucket bound (exact)."""
    return timeseries(
        titled(scope, "first token within each bound", metric),
        [Query(q.bucket_shares(scope, metric), with_suffix(scope.legend, "<= {{le}}"))],
        unit=Unit.RATIO,
        description=f"{metric.name}: the cumulative share of observations at or below each "
        "finite bucket bound (+Inf, always 100 %, is left out). Exact, where a quantile is "
        "only an interpolation.",
        min=0,
        max=1,
        legend_calcs=("lastNotNull",),
    )


def token_throughput(scope: Scope) -> Panel:
    """Prompt (A) and generated (B) tokens per second (vLLM counters)."""
    return timeseries(
        titled(scope, "tokens per second", q.PROMPT_TOKENS, q.GENERATION_TOKENS),
        [
            Query(q.token_rate(scope, q.PROMPT_TOKENS), with_suffix(scope.legend, "prompt")),
            Query(q.token_rate(scope, q.GENERATION_TOKENS), with_suffix(scope.legend, "generated")),
        ],
        unit=Unit.COUNT,
        description="rate(vllm:prompt_tokens_total) and rate(vllm:generation_tokens_total), "
        "summed over pods.",
        min=0,
    )


def tokens_per_request(scope: Scope) -> Panel:
    """Average prompt (A) and generated (B) tokens per finished request (vLLM)."""
    return timeseries(
        titled(
            scope,
            "tokens per request",
            q.PROMPT_TOKENS_PER_REQUEST,
            q.GENERATION_TOKENS_PER_REQUEST,
        ),
        [
            Query(
                q.tokens_per_request(scope, q.PROMPT_TOKENS_PER_REQUEST),
                with_suffix(scope.legend, "prompt"),
            ),
            Query(
                q.tokens_per_request(scope, q.GENERATION_TOKENS_PER_REQUEST),
                with_suffix(scope.legend, "generated"),
            ),
        ],
        unit=Unit.COUNT,
        description="_sum / _count of vllm:request_prompt_tokens and "
        "vllm:request_generation_tokens: one observation per finished request.",
        min=0,
    )


def vllm_requests(scope: Scope) -> Panel:
    """Requests running (A) and waiting (B) in vLLM's scheduler, summed over pods."""
    return timeseries(
        titled(scope, "vLLM requests running and waiting", q.VLLM_RUNNING, q.VLLM_WAITING),
        [
            Query(q.vllm_gauge(scope, q.VLLM_RUNNING), with_suffix(scope.legend, "running")),
            Query(q.vllm_gauge(scope, q.VLLM_WAITING), with_suffix(scope.legend, "waiting")),
        ],
        unit=Unit.COUNT,
        description="vllm:num_requests_running and vllm:num_requests_waiting (gauges).",
        min=0,
    )


def vllm_kv_cache(scope: Scope) -> Panel:
    """vLLM's GPU KV-cache usage, 0..1, averaged over pods."""
    return timeseries(
        titled(scope, "vLLM KV cache used", q.VLLM_KV_CACHE),
        [Query(q.vllm_kv_cache_utilization(scope), scope.legend)],
        unit=Unit.RATIO,
        description="vllm:gpu_cache_usage_perc, averaged over pods (vLLM reports no block "
        "counts to weigh them by).",
        thresholds=USAGE_THRESHOLDS,
        min=0,
        max=1,
    )


#: TensorRT-LLM request statistics a panel shows, one query each, with their legend.
_TRT_REQUESTS = (
    ("active", "active"),
    ("scheduled", "scheduled"),
    ("context", "context phase"),
    ("waiting", "waiting"),
)


def trt_requests(scope: Scope) -> Panel:
    """TensorRT-LLM requests active (A), scheduled (B), in context phase (C), waiting (D),
    and in generation phase (E): one statistic per query, summed over pods."""
    queries = [
        Query(q.trt_statistic(scope, q.REQUEST_METRICS, value), with_suffix(scope.legend, word))
        for value, word in _TRT_REQUESTS
    ]
    generation = q.trt_statistic(scope, q.INFLIGHT_BATCHER, "generation_requests")
    queries.append(Query(generation, with_suffix(scope.legend, "generation phase")))
    return timeseries(
        titled(scope, "TensorRT-LLM requests", q.REQUEST_METRICS, q.INFLIGHT_BATCHER),
        queries,
        unit=Unit.COUNT,
        description="nv_trt_llm_request_metrics by request_type, and the in-flight "
        "batcher's generation_requests: gauges, each value its own series (never summed).",
        min=0,
    )


def kv_cache_utilization(scope: Scope) -> Panel:
    """TensorRT-LLM KV-cache blocks used over max blocks, 0..1."""
    return timeseries(
        titled(scope, "KV cache used", q.KV_CACHE_BLOCKS),
        [Query(q.kv_cache_utilization(scope), scope.legend)],
        unit=Unit.RATIO,
        description="Sum of used blocks over sum of max blocks "
        "(nv_trt_llm_kv_cache_block_metrics): a pod with a bigger cache weighs more.",
        thresholds=USAGE_THRESHOLDS,
        min=0,
        max=1,
    )


def kv_cache_blocks(scope: Scope) -> Panel:
    """TensorRT-LLM KV-cache blocks used (A), free (B) and max (C), summed over pods."""
    return timeseries(
        titled(scope, "KV cache blocks", q.KV_CACHE_BLOCKS),
        [
            Query(q.kv_cache_blocks(scope, value), with_suffix(scope.legend, value))
            for value in ("used", "free", "max")
        ],
        unit=Unit.COUNT,
        description="nv_trt_llm_kv_cache_block_metrics, one kv_cache_block_type per series.",
        min=0,
    )


def runtime_memory(scope: Scope) -> Panel:
    """TensorRT-LLM runtime memory on the GPU (A), in host memory (B), pinned (C)."""
    return timeseries(
        titled(scope, "TensorRT-LLM runtime memory", q.RUNTIME_MEMORY),
        [
            Query(q.runtime_memory(scope, value), with_suffix(scope.legend, value))
            for value in ("gpu", "cpu", "pinned")
        ],
        unit=Unit.BYTES,
        description="nv_trt_llm_runtime_memory_metrics, one memory_type per series.",
        min=0,
    )


def trt_context_tokens(scope: Scope) -> Panel:
    """Context (prompt) tokens in flight in the TensorRT-LLM batch, summed over pods."""
    return timeseries(
        titled(scope, "in-flight context tokens", q.INFLIGHT_BATCHER),
        [Query(q.trt_statistic(scope, q.INFLIGHT_BATCHER, "total_context_tokens"), scope.legend)],
        unit=Unit.COUNT,
        description="nv_trt_llm_inflight_batcher_metrics{inflight_batcher_specific_metric="
        '"total_context_tokens"} (a gauge).',
        min=0,
    )


def kv_transfer_time(scope: Scope) -> Panel:
    """Mean KV-cache transfer time per transferred request, ms (disaggregated serving)."""
    return timeseries(
        titled(scope, "KV cache transfer time", q.DISAGGREGATED),
        [Query(q.kv_transfer_time(scope), scope.legend)],
        unit=Unit.MILLISECONDS,
        description="rate(kv_cache_transfer_ms) / rate(request_count) of "
        "nv_trt_llm_disaggregated_serving_metrics, the one TensorRT-LLM counter. Empty "
        "without disaggregated serving.",
        min=0,
    )

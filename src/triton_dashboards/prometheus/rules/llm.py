"""The LLM serving alerts: KV cache, waiting requests, time to first token, stalled generation.

Each alert covers both backends with one rule, an ``or`` of the TensorRT-LLM and the vLLM
expression (a model runs one backend, so the two never meet on one label set), evaluated
like every per-model alert per scrape target and model version (:func:`_per_model`).
Every expression is a recipe of :mod:`triton_dashboards.query.llm`, so the alerts and the
"Triton LLM" dashboard read the same numbers: gauges as they are, one statistic label
value at a time; counters rated over the recording window, from the records where they
exist.

The time to first token alerts on the exact mean (``_sum / _count``), not a quantile: a
quantile above the last finite bucket bound is no number (the histogram rule), so a
quantile alert would go quiet exactly when the first token is slowest.
"""

from __future__ import annotations

from triton_dashboards import catalog
from triton_dashboards.catalog import llm
from triton_dashboards.prometheus.rules.alerts import _MODEL, ALERTS, Alert, _per_model
from triton_dashboards.prometheus.rules.config import RulesConfig
from triton_dashboards.promql import Expr, Matcher, Op, Selector, binop, delta, deriv, sum_by
from triton_dashboards.query import llm as q
from triton_dashboards.query.scope import Scope

__all__ = ["EVERY_ALERT", "LLM_ALERTS"]

GENERAL = catalog.get("nv_trt_llm_general_metrics")


def _one(metric: catalog.Metric, value: str) -> Matcher:
    """The matcher of one statistic of a TensorRT-LLM family (the catalog checks it)."""
    label, checked = llm.statistic(metric.name, value)
    return Matcher(label, "=", checked)


def _or(trt: Expr, vllm: Expr) -> Expr:
    return binop(Op.OR, trt, vllm)


def _waiting(scope: Scope) -> tuple[tuple[Expr, Selector], tuple[Expr, Selector]]:
    """``(requests waiting now, their selector)`` of each backend."""
    trt = scope.select(q.REQUEST_METRICS, _one(q.REQUEST_METRICS, "waiting"))
    return (
        (q.trt_statistic(scope, q.REQUEST_METRICS, "waiting"), trt),
        (q.vllm_gauge(scope, q.VLLM_WAITING), scope.select(q.VLLM_WAITING)),
    )


def _kv_cache(config: RulesConfig) -> Expr:
    """Share of the KV cache in use: used over max blocks (TensorRT-LLM), vLLM's share."""
    scope, threshold = _per_model(config), config.llm_kv_cache.threshold
    return _or(
        q.kv_cache_utilization(scope).gt(threshold),
        q.vllm_kv_cache_utilization(scope).gt(threshold),
    )


def _waiting_growing(config: RulesConfig) -> Expr:
    """A backlog of waiting requests above the threshold whose trend over the window rises.

    As for the pending count, ``deriv`` of a gauge is linear, so the sum of the per-series
    trends is the trend of the sum; the value is the backlog now.
    """
    scope, threshold = _per_model(config), config.llm_waiting_growing.threshold
    (trt, trt_selector), (vllm, vllm_selector) = _waiting(scope)

    def growing(now: Expr, selector: Selector) -> Expr:
        trend = sum_by(scope.group, deriv(selector, config.pending_window))
        return binop(Op.AND, now.gt(threshold), trend.gt(0))

    return _or(growing(trt, trt_selector), growing(vllm, vllm_selector))


def _ttft(config: RulesConfig) -> Expr:
    """Mean seconds to the first token: the first response of the decoupled model
    (TensorRT-LLM, in ms) and vLLM's time to first token (s), over the recording window."""
    scope, window = _per_model(config), config.recording.window
    first_response = q.latency_mean(scope, q.FIRST_RESPONSE, window) / 1000
    vllm = q.latency_mean(scope, q.TTFT, window)
    threshold = config.llm_ttft.threshold
    return _or(first_response.gt(threshold), vllm.gt(threshold))


def _generation_stalled(config: RulesConfig) -> Expr:
    """Requests waiting while the engine produces nothing over the recording window.

    vLLM: no generated token (``vllm:generation_tokens_total`` did not move). TensorRT-LLM
    has no token counter; its iteration counter (a gauge the backend sets every engine
    iteration) did not move, so no token was generated either. The value is the number of
    requests waiting.
    """
    scope, window = _per_model(config), config.recording.window
    (trt_waiting, _), (vllm_waiting, _) = _waiting(scope)
    iterations = scope.select(GENERAL, _one(GENERAL, "iteration_counter"))
    trt_still = binop(Op.EQ, sum_by(scope.group, delta(iterations, window)), 0)
    vllm_still = binop(Op.EQ, q.token_rate(scope, q.GENERATION_TOKENS, window), 0)
    return _or(
        binop(Op.AND, trt_waiting.gt(0), trt_still),
        binop(Op.AND, vllm_waiting.gt(0), vllm_still),
    )


LLM_ALERTS: tuple[Alert, ...] = (
    Alert(
        "TritonLLMKVCacheNearFull",
        "llm_kv_cache",
        _kv_cache,
        "Triton LLM model {{ $labels.model }} has {{ $value | humanizePercentage }} of its "
        "KV cache in use",
        "Triton " + _MODEL + ": {{ $value | humanizePercentage }} of the KV-cache blocks "
        "are in use, above {threshold_percent} for {for_}: new requests wait for blocks "
        "or preempt running ones.",
    ),
    Alert(
        "TritonLLMRequestsWaitingGrowing",
        "llm_waiting_growing",
        _waiting_growing,
        "Triton LLM model {{ $labels.model }} has {{ $value }} requests waiting, and rising",
        "Triton " + _MODEL + ": {{ $value }} requests wait for the engine to schedule them "
        "and the backlog has kept growing over {pending_window} for {for_}.",
    ),
    Alert(
        "TritonLLMTimeToFirstTokenHigh",
        "llm_ttft",
        _ttft,
        "Triton LLM model {{ $labels.model }} takes {{ $value | humanizeDuration }} to the "
        "first token",
        "Triton " + _MODEL + ": the first token (the first response) came after "
        "{{ $value | humanizeDuration }} on average over {window}, above "
        "{threshold_seconds} for {for_}.",
    ),
    Alert(
        "TritonLLMGenerationStalled",
        "llm_generation_stalled",
        _generation_stalled,
        "Triton LLM model {{ $labels.model }} generates nothing while {{ $value }} requests wait",
        "Triton " + _MODEL + ": {{ $value }} requests are waiting and the engine has not "
        "generated a token (vLLM) or run an iteration (TensorRT-LLM) over {window}, for "
        "{for_}.",
    ),
)

#: Every alert of the rules file, in its order: the Triton alerts, then the LLM ones.
EVERY_ALERT: tuple[Alert, ...] = (*ALERTS, *LLM_ALERTS)

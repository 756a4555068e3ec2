"""LLM serving rules, run by the real promtool: the LLM records equal the raw recipes, and
each LLM alert fires where it should and stays quiet where it should not.

The inputs are built here as in tests/test_rules.py (whose helpers this file uses): a
TensorRT-LLM model (``tensorrt_llm``: gauges with the statistic in a label, the
first-response histogram of the decoupled model) and vLLM models (counters and
histograms), on two pods.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from test_rules import (
    CONFIG,
    POD0,
    POD1,
    STEP,
    case,
    check,
    counter,
    fired,
    flat,
    keyed,
    minutes,
    percent,
    promtool_test,
    same,
    series,
    settings,
    steps,
    where,
)

from triton_dashboards.catalog import llm as catalog_llm
from triton_dashboards.prometheus.rules import LLM_ALERTS, RulesConfig, groups, runbook
from triton_dashboards.query import llm as q
from triton_dashboards.query.recording import TABLE

WINDOW = CONFIG.recording.window
TRT = "nv_trt_llm_"
#: Share of observations within each bound, for every histogram of the inputs.
SHARES = (0.2, 0.7, 0.9)


def histogram(
    name: str, labels: Mapping[str, str], per_second: float, mean: float, span: float
) -> list[dict[str, str]]:
    """A histogram observing ``per_second`` values of average ``mean``: buckets (the
    first three bounds of the catalog's, SHARES within them, then +Inf), _sum, _count."""
    if name == q.FIRST_RESPONSE.name:
        bounds = ["100", "1000", "5000", "+Inf"]  # per model, set in its config.pbtxt
    else:
        bounds = [*(f"{b:g}" for b in catalog_llm.family(name).buckets[:3]), "+Inf"]
    out = [
        series(f"{name}_bucket", {**labels, "le": le}, counter(per_second * share, span))
        for le, share in zip(bounds, (*SHARES, 1.0), strict=True)
    ]
    out.append(series(f"{name}_sum", labels, counter(per_second * mean, span)))
    out.append(series(f"{name}_count", labels, counter(per_second, span)))
    return out


def vllm(
    target: Mapping[str, str],
    name: str,
    span: float,
    *,
    requests: float = 2.0,
    ttft: float = 0.05,
    tokens: float = 40.0,
    waiting: list[float] | None = None,
    cache: float = 0.5,
) -> list[dict[str, str]]:
    """A vLLM model: ``requests`` per second, ``tokens`` generated per second."""
    labels = keyed(target, name)
    return [
        *histogram("vllm:time_to_first_token_seconds", labels, requests, ttft, span),
        *histogram("vllm:time_per_output_token_seconds", labels, tokens, 0.02, span),
        *histogram("vllm:e2e_request_latency_seconds", labels, requests, 0.9, span),
        series("vllm:prompt_tokens_total", labels, counter(requests * 100, span)),
        series("vllm:generation_tokens_total", labels, counter(tokens, span)),
        series("vllm:num_requests_waiting", labels, waiting or flat(0, span)),
        series("vllm:gpu_cache_usage_perc", labels, flat(cache, span)),
    ]


def trtllm(
    target: Mapping[str, str],
    span: float,
    *,
    used: float = 100,
    waiting: list[float] | None = None,
    iterations: float = 20.0,
    first_response_ms: float = 80.0,
) -> list[dict[str, str]]:
    """The ``tensorrt_llm`` model of a TensorRT-LLM ensemble (its ``ensemble`` streams)."""
    labels = keyed(target, "tensorrt_llm")
    return [
        series(f"{TRT}kv_cache_block_metrics", {**labels, "kv_cache_block_type": "used"},
               flat(used, span)),
        series(f"{TRT}kv_cache_block_metrics", {**labels, "kv_cache_block_type": "max"},
               flat(1000, span)),
        series(f"{TRT}kv_cache_block_metrics", {**labels, "kv_cache_block_type": "free"},
               flat(1000 - used, span)),
        series(f"{TRT}request_metrics", {**labels, "request_type": "waiting"},
               waiting or flat(0, span)),
        series(f"{TRT}request_metrics", {**labels, "request_type": "max"}, flat(64, span)),
        series(f"{TRT}general_metrics", {**labels, "general_type": "iteration_counter"},
               counter(iterations, span)),
        *histogram(q.FIRST_RESPONSE.name, keyed(target, "ensemble"), 2.0, first_response_ms,
                   span),
    ]  # fmt: skip


# -- the records equal the raw recipes ---------------------------------------------------------


def world(span: float) -> list[dict[str, str]]:
    return [
        *vllm(POD0, "llama", span, requests=3, ttft=0.2, tokens=90),
        *vllm(POD1, "llama", span, requests=1, ttft=0.4, tokens=30),
        *vllm(POD0, "mistral", span),
        *trtllm(POD1, span),
    ]


def test_llm_records_are_in_the_table_named_level_metric_operations() -> None:
    names = [r.name(WINDOW) for r in TABLE if r.metric.name.startswith("vllm:")]
    for metric in (q.TTFT, q.TIME_PER_OUTPUT_TOKEN, q.E2E_LATENCY):
        part = metric.name.replace(":", "_")
        assert f"instance_model_version_le:{part}_bucket:rate{WINDOW}" in names
        assert f"namespace_job_model_version_le:{part}_bucket:rate{WINDOW}" in names
    for metric in (q.PROMPT_TOKENS, q.GENERATION_TOKENS):
        assert f"instance_model_version:{metric.name.replace(':', '_')}:rate{WINDOW}" in names
    assert all(name.count(":") == 2 for name in names)


def test_llm_records_equal_the_raw_recipes(tmp_path: Path) -> None:
    raw = CONFIG.scope
    rec = raw.recorded(CONFIG.recording)
    models = [{"model": m, "version": "1"} for m in ("llama", "mistral")]
    pods = [{"pod": "triton-0", **m} for m in models] + [{"pod": "triton-1", **models[0]}]
    per_pod = ("pod", "model", "version")
    checks = []
    for metric in (q.TTFT, q.TIME_PER_OUTPUT_TOKEN, q.E2E_LATENCY):
        checks += [
            same(q.latency_quantile(rec, metric, 0.5), q.latency_quantile(raw, metric, 0.5,
                 WINDOW), models),
            same(q.latency_quantile(rec.by(*per_pod), metric, 0.5),
                 q.latency_quantile(raw.by(*per_pod), metric, 0.5, WINDOW), pods),
        ]  # fmt: skip
    shares = [{**m, "le": le} for m in models for le in ("0.001", "0.005", "0.01")]
    checks.append(same(q.bucket_shares(rec, q.TTFT), q.bucket_shares(raw, q.TTFT, WINDOW),
                       shares))  # fmt: skip
    for metric in (q.PROMPT_TOKENS, q.GENERATION_TOKENS):
        checks.append(same(q.token_rate(rec, metric), q.token_rate(raw, metric, WINDOW), models))
        checks.append(same(q.token_rate(rec.by(*per_pod), metric),
                           q.token_rate(raw.by(*per_pod), metric, WINDOW), pods))  # fmt: skip
    # the recipes read the records (else the checks above compare raw with raw)
    assert "namespace_job_model_version_le:vllm_" in str(q.latency_quantile(rec, q.TTFT, 0.5))
    assert "instance_model_version:vllm_" in str(q.token_rate(rec.by(*per_pod), q.PROMPT_TOKENS))
    exact = {
        "expr": f"round(instance_model_version:vllm_generation_tokens_total:rate{WINDOW}"
        '{pod="triton-0", model="llama"}, 0.001)',
        "eval_time": "9m",
        "exp_samples": [{"labels": _labels(keyed(POD0, "llama")), "value": 90}],
    }
    promtool_test(tmp_path, [case(world(10), exprs=[*checks, exact])])


def _labels(labels: Mapping[str, str]) -> str:
    return "{" + ", ".join(f'{k}="{v}"' for k, v in labels.items()) + "}"


# -- every LLM alert, firing and quiet ---------------------------------------------------------


def alert(name: str, labels: Mapping[str, str], summary: str, tail: str) -> Any:
    return fired(name, labels, summary, f"Triton {where(labels)}: {tail}")


def test_kv_cache_near_full(tmp_path: Path) -> None:
    name = "TritonLLMKVCacheNearFull"
    s = settings(name)
    wait, span = minutes(s.for_), minutes(s.for_) + 5
    full = (1 + s.threshold) / 2
    inputs = [
        *trtllm(POD0, span, used=1000 * full),
        *trtllm(POD1, span, used=1000 * s.threshold / 2),  # half the threshold: quiet
        *vllm(POD0, "llama", span, cache=full),
        *vllm(POD1, "llama", span, cache=s.threshold - 0.01),  # just under: quiet
    ]
    tail = (
        f"{percent(full)} of the KV-cache blocks are in use, above {percent(s.threshold)} "
        f"for {s.for_}: new requests wait for blocks or preempt running ones."
    )
    alerts = [
        alert(name, keyed(POD0, model), f"Triton LLM model {model} has {percent(full)} of its "
              "KV cache in use", tail)
        for model in ("tensorrt_llm", "llama")
    ]  # fmt: skip
    promtool_test(tmp_path, [case(inputs, [check(name, wait / 2), check(name, wait + 2, *alerts)])])


def test_requests_waiting_growing(tmp_path: Path) -> None:
    name = "TritonLLMRequestsWaitingGrowing"
    s = settings(name)
    wait, trend = minutes(s.for_), minutes(CONFIG.pending_window)
    span = wait + trend + 5
    growing = [float(i) for i in range(steps(span) + 1)]  # one more request every step
    inputs = [
        *trtllm(POD0, span, waiting=growing),
        *vllm(POD0, "big_flat", span, waiting=flat(10 * s.threshold, span)),  # big, flat
        *vllm(POD0, "small", span, waiting=[min(v, s.threshold) for v in growing]),
    ]
    at = s.threshold * STEP / 60 + wait + 2  # minutes: above the threshold, then for_
    now = growing[steps(at)]
    labels = keyed(POD0, "tensorrt_llm")
    firing = alert(
        name,
        labels,
        f"Triton LLM model tensorrt_llm has {now:g} requests waiting, and rising",
        f"{now:g} requests wait for the engine to schedule them and the backlog has kept "
        f"growing over {CONFIG.pending_window} for {s.for_}.",
    )
    promtool_test(tmp_path, [case(inputs, [check(name, wait / 2), check(name, at, firing)])])


def test_time_to_first_token_high(tmp_path: Path) -> None:
    name = "TritonLLMTimeToFirstTokenHigh"
    s = settings(name)
    wait, span = minutes(s.for_), minutes(s.for_) + 5
    slow = 1.5 * s.threshold  # seconds
    inputs = [
        *vllm(POD0, "slow", span, ttft=slow),
        *vllm(POD0, "fast", span, ttft=s.threshold / 4),
        *trtllm(POD1, span, first_response_ms=slow * 1000),  # the ensemble streams
    ]

    def firing(target: Mapping[str, str], model: str) -> Any:
        return alert(
            name,
            keyed(target, model),
            f"Triton LLM model {model} takes {slow:g}s to the first token",
            f"the first token (the first response) came after {slow:g}s on average over "
            f"{WINDOW}, above {s.threshold:g}s for {s.for_}.",
        )

    alerts = [firing(POD0, "slow"), firing(POD1, "ensemble")]
    promtool_test(tmp_path, [case(inputs, [check(name, wait / 2), check(name, wait + 2, *alerts)])])


def test_generation_stalled(tmp_path: Path) -> None:
    name = "TritonLLMGenerationStalled"
    s = settings(name)
    wait = minutes(s.for_)
    busy, stalled = 5.0, minutes(WINDOW) + wait + 3
    span = busy + stalled

    def stopping(entries: list[dict[str, str]], series_name: str) -> list[dict[str, str]]:
        """``series_name`` stops moving after ``busy`` minutes (the engine hangs)."""
        out = []
        for entry in entries:
            if entry["series"].startswith(series_name + "{"):
                values = entry["values"].split()[: steps(busy) + 1]
                values += [values[-1]] * steps(stalled)
                entry = {**entry, "values": " ".join(values)}
            out.append(entry)
        return out

    waiting = flat(5, span)
    inputs = [
        *stopping(vllm(POD0, "hung", span, waiting=waiting), "vllm:generation_tokens_total"),
        *vllm(POD0, "working", span, waiting=waiting),  # waiting, but tokens flow: quiet
        # idle: nothing waits and nothing is generated: quiet
        *stopping(vllm(POD0, "idle", span), "vllm:generation_tokens_total"),
        *stopping(trtllm(POD1, span, waiting=flat(3, span)), f"{TRT}general_metrics"),
    ]

    def firing(target: Mapping[str, str], model: str, count: int) -> Any:
        return alert(
            name,
            keyed(target, model),
            f"Triton LLM model {model} generates nothing while {count} requests wait",
            f"{count} requests are waiting and the engine has not generated a token (vLLM) "
            f"or run an iteration (TensorRT-LLM) over {WINDOW}, for {s.for_}.",
        )

    alerts = [firing(POD0, "hung", 5), firing(POD1, "tensorrt_llm", 3)]
    promtool_test(tmp_path, [case(inputs, [check(name, busy - 1), check(name, span - 1, *alerts)])])


# -- configuration, runbook ---------------------------------------------------------------------


def test_every_llm_alert_has_a_test_a_runbook_section_and_a_tune_key() -> None:
    source = Path(__file__).read_text(encoding="utf-8")
    for llm_alert in LLM_ALERTS:
        assert f'name = "{llm_alert.name}"' in source, llm_alert.name
        assert f"\n## {llm_alert.name}\n" in runbook(), llm_alert.name
        assert llm_alert.key in RulesConfig.alert_keys()


@pytest.mark.parametrize("llm_alert", LLM_ALERTS, ids=lambda a: a.key)
def test_llm_alerts_are_tuned_and_switched_off_like_the_others(llm_alert: Any) -> None:
    tuned = CONFIG.tune(llm_alert.key, threshold=0.5, for_="1m", severity="page")
    (rule,) = [r for r in groups(tuned)[1]["rules"] if r["alert"] == llm_alert.name]
    assert rule["for"] == "1m" and rule["labels"]["severity"] == "page"
    if llm_alert.key != "llm_generation_stalled":  # its threshold is "any request waiting"
        assert "> 0.5" in rule["expr"]
    off = CONFIG.tune(llm_alert.key, enabled=False)
    assert llm_alert.name not in [r["alert"] for r in groups(off)[1]["rules"]]

"""LLM backends under steady load: what a TensorRT-LLM or vLLM model reports, exactly.

A workload's ``llm`` entries add the backends' own families to the exposition, next to
the core families of the same model (list the model under ``models`` too for those):

* :class:`TrtLlm` sets TensorRT-LLM's gauges (requests by type, KV-cache blocks, runtime
  memory, in-flight batcher counts) and grows its one counter (disaggregated KV transfers).
  Its time to first token is Triton's first-response histogram of the decoupled model:
  give that model under ``models`` and turn ``histogram_latencies`` on.
* :class:`Vllm` grows vLLM's counters (prompt and generated tokens) and histograms (time
  to first token, time per output token, end-to-end latency, tokens per request) and sets
  its scheduler gauges and KV-cache share.

Every rate is constant, so every panel has one right answer. Latencies are exponential
with the given mean, as in the core simulator: bucket ``le`` holds ``count·(1-exp(-le/mean))``
observations. Token counts per request are constant, so their histograms hold every
request in the first bucket at or above the count. Workload file (under ``llm:``)::

    llm:
      - backend: tensorrt_llm
        model: tensorrt_llm
        requests: {active: 12, max: 64, scheduled: 10, context: 3, waiting: 5}
        generation_requests: 7
        context_tokens: 1800
        kv_cache: {max: 6000, used: 4500, tokens_per: 64}
        memory: {gpu: 2.1e10, cpu: 1.0e9, pinned: 5.0e8}
        kv_transfers: 4            # disaggregated serving: transfers a second
        kv_transfer_ms: 12         # mean ms per transfer
      - backend: vllm
        model: vllm_model
        requests: 8                # finished requests a second
        prompt_tokens: 300         # per request
        generation_tokens: 120     # per request
        ttft: 0.2                  # mean seconds
        time_per_output_token: 0.03
        e2e: 4.0
        running: 6
        waiting: 2
        kv_cache_usage: 0.45
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

import attrs

from triton_dashboards.catalog import Kind, Metric, llm
from triton_dashboards.simulator.parts import WorkloadError

__all__ = ["LlmSamples", "TrtLlm", "Vllm", "entries", "parse", "samples"]

#: ``(sample name, labels, value)``; the exposition formats it.
Sample = tuple[str, tuple[tuple[str, str], ...], float]
LlmSamples = Iterator[tuple[Metric, list[Sample]]]


#: An LLM entry that cannot run: the workload's one-line error, naming the field.
LlmError = WorkloadError


@attrs.frozen(kw_only=True)
class TrtLlm:
    """One ``tensorrt_llm`` model's statistics (gauges) and KV transfers (a counter)."""

    #: The catalog plug-in whose families it reports.
    plugin: ClassVar[str] = llm.TENSORRT_LLM

    model: str = "tensorrt_llm"
    version: str = "1"
    requests: Mapping[str, float] = attrs.field(factory=dict)  # by request_type
    generation_requests: float = 0.0
    paused_requests: float = 0.0
    context_tokens: float = 0.0
    kv_cache: Mapping[str, float] = attrs.field(factory=dict)  # max, used, tokens_per
    memory: Mapping[str, float] = attrs.field(factory=dict)  # by memory_type
    kv_transfers: float = 0.0  # transfers a second
    kv_transfer_ms: float = 0.0  # mean ms per transfer
    iterations: float = 100.0  # iterations a second (general_type)

    def scaled(self, factor: float) -> TrtLlm:
        """Rates times ``factor``; the gauges are a state, not a rate, and stay."""
        return attrs.evolve(self, kv_transfers=self.kv_transfers * factor)

    def statistics(self, seconds: float) -> dict[str, dict[str, float]]:
        """Every statistic by family name and label value, as the backend prints them."""
        kv = {"max": 0.0, "used": 0.0, "tokens_per": 64.0, "reused": 0.0, **self.kv_cache}
        kv["free"] = kv["max"] - kv["used"]
        kv["fraction"] = kv["used"] / kv["max"] if kv["max"] else 0.0
        requests = dict.fromkeys(llm.family("nv_trt_llm_request_metrics").values, 0.0)
        return {
            "nv_trt_llm_request_metrics": {**requests, **self.requests},
            "nv_trt_llm_runtime_memory_metrics": {
                **dict.fromkeys(("cpu", "gpu", "pinned"), 0.0),
                **self.memory,
            },
            "nv_trt_llm_kv_cache_block_metrics": kv,
            "nv_trt_llm_inflight_batcher_metrics": {
                "micro_batch_id": 0.0,
                "generation_requests": self.generation_requests,
                "total_context_tokens": self.context_tokens,
                "paused_requests": self.paused_requests,
            },
            "nv_trt_llm_general_metrics": {
                "iteration_counter": math.floor(self.iterations * seconds),
                "timestamp": 1.7e9 + seconds,
            },
            "nv_trt_llm_disaggregated_serving_metrics": {
                "kv_cache_transfer_ms": self.kv_transfers * self.kv_transfer_ms * seconds,
                "request_count": math.floor(self.kv_transfers * seconds),
            },
        }


@attrs.frozen(kw_only=True)
class Vllm:
    """One vLLM model: finished requests a second, tokens per request, mean latencies."""

    plugin: ClassVar[str] = llm.VLLM

    model: str = "vllm_model"
    version: str = "1"
    requests: float = 0.0
    prompt_tokens: float = 0.0
    generation_tokens: float = 0.0
    ttft: float = 0.0  # mean seconds to the first token
    time_per_output_token: float = 0.0  # mean seconds between output tokens
    e2e: float = 0.0  # mean seconds per request
    running: float = 0.0
    waiting: float = 0.0
    kv_cache_usage: float = 0.0

    def scaled(self, factor: float) -> Vllm:
        return attrs.evolve(self, requests=self.requests * factor)

    @property
    def output_intervals(self) -> float:
        """Time-per-output-token observations a second: one per token after the first."""
        return self.requests * max(self.generation_tokens - 1, 0.0)

    def histograms(self) -> dict[str, tuple[float, float, str]]:
        """Histogram family -> (observations a second, mean, distribution)."""
        return {
            "vllm:time_to_first_token_seconds": (self.requests, self.ttft, "exp"),
            "vllm:time_per_output_token_seconds": (
                self.output_intervals,
                self.time_per_output_token,
                "exp",
            ),
            "vllm:e2e_request_latency_seconds": (self.requests, self.e2e, "exp"),
            "vllm:request_prompt_tokens": (self.requests, self.prompt_tokens, "fixed"),
            "vllm:request_generation_tokens": (self.requests, self.generation_tokens, "fixed"),
        }


Entry = TrtLlm | Vllm


def share_within(bound: float, mean: float, distribution: str) -> float:
    """Share of observations at or below ``bound``: exponential or all equal to ``mean``."""
    if distribution == "fixed":
        return 1.0 if mean <= bound else 0.0
    return -math.expm1(-bound / mean) if mean > 0 else 1.0


def _labels(entry: Entry, le: str | None = None, **extra: str) -> tuple[tuple[str, str], ...]:
    """Label names sorted, ``le`` last, as prometheus-cpp prints them."""
    pairs = tuple(sorted({"model": entry.model, "version": entry.version, **extra}.items()))
    return (*pairs, ("le", le)) if le is not None else pairs


def _histogram(
    name: str, entry: Entry, rate: float, mean: float, kind: str, seconds: float
) -> list[Sample]:
    count = math.floor(rate * seconds)
    out: list[Sample] = [(f"{name}_count", _labels(entry), count),
                         (f"{name}_sum", _labels(entry), rate * seconds * mean)]  # fmt: skip
    for bound in llm.family(name).buckets:
        within = math.floor(count * share_within(bound, mean, kind))
        out.append((f"{name}_bucket", _labels(entry, le=f"{bound:.16g}"), within))
    out.append((f"{name}_bucket", _labels(entry, le="+Inf"), count))
    return out


def samples(entries: tuple[Entry, ...], seconds: float) -> LlmSamples:
    """The LLM families of ``entries`` at ``seconds`` of traffic, in catalog order."""
    for family in llm.FAMILIES:
        name = family.metric.name
        out: list[Sample] = []
        for entry in entries:
            if isinstance(entry, TrtLlm) and family.backend == llm.TENSORRT_LLM:
                stats = entry.statistics(seconds).get(name)
                label = family.label
                if stats is None or label is None:
                    continue
                out += [(name, _labels(entry, **{label: v}), stats[v]) for v in family.values
                        if v in stats]  # fmt: skip
            elif isinstance(entry, Vllm) and family.backend == llm.VLLM:
                out += _vllm_samples(name, family.metric.kind, entry, seconds)
        if out:
            yield family.metric, out


def _vllm_samples(name: str, kind: Kind, entry: Vllm, seconds: float) -> list[Sample]:
    histograms = entry.histograms()
    if name in histograms:
        rate, mean, distribution = histograms[name]
        return list(_histogram(name, entry, rate, mean, distribution, seconds))
    values = {
        "vllm:prompt_tokens_total": math.floor(entry.requests * entry.prompt_tokens * seconds),
        "vllm:generation_tokens_total": math.floor(
            entry.requests * entry.generation_tokens * seconds
        ),
        "vllm:num_requests_running": entry.running,
        "vllm:num_requests_waiting": entry.waiting,
        "vllm:gpu_cache_usage_perc": entry.kv_cache_usage,
    }
    if name not in values:
        return []  # families this simulator leaves out (preemptions, queue time, n)
    return [(name, _labels(entry), float(values[name]))]


# -- the workload file's ``llm:`` list ----------------------------------------------------------

_NUMBERS = {
    "tensorrt_llm": {"generation_requests", "paused_requests", "context_tokens", "kv_transfers",
                     "kv_transfer_ms", "iterations"},
    "vllm": {"requests", "prompt_tokens", "generation_tokens", "ttft", "time_per_output_token",
             "e2e", "running", "waiting", "kv_cache_usage"},
}  # fmt: skip
_MAPPINGS = {"tensorrt_llm": {"requests", "kv_cache", "memory"}, "vllm": set()}


def parse(data: object, where: str) -> Entry:
    """One ``llm:`` entry of a workload file; LlmError (one line, naming the field)."""
    if not isinstance(data, Mapping):
        raise LlmError(f"{where}: expected a mapping, got {type(data).__name__}")
    backend = data.get("backend")
    if backend not in llm.BACKENDS:
        raise LlmError(f"{where}.backend: {backend!r}; use one of {', '.join(llm.BACKENDS)}")
    allowed = {"backend", "model", "version"} | _NUMBERS[backend] | _MAPPINGS[backend]
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise LlmError(f"{where}: unknown field {unknown[0]!r}; use {', '.join(sorted(allowed))}")
    args: dict[str, Any] = {}
    for key, value in data.items():
        if key == "backend":
            continue
        if key in ("model", "version"):
            args[key] = str(value)
        elif key in _MAPPINGS[backend]:
            args[key] = {k: _number(v, f"{where}.{key}.{k}") for k, v in _mapping(value, where)}
        else:
            args[key] = _number(value, f"{where}.{key}")
    return TrtLlm(**args) if backend == llm.TENSORRT_LLM else Vllm(**args)


def _mapping(value: object, where: str) -> Iterator[tuple[str, object]]:
    if not isinstance(value, Mapping):
        raise LlmError(f"{where}: expected a mapping, got {type(value).__name__}")
    return iter(value.items())


def _number(value: object, where: str) -> float:
    if isinstance(value, str) and value.replace(".", "", 1).replace("e", "", 1).isdigit():
        value = float(value)  # 2.1e10: a number in YAML 1.2, a string to PyYAML
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise LlmError(f"{where}: expected a number >= 0, got {value!r}")
    return float(value)


def entries(data: object) -> tuple[Entry, ...]:
    """Every entry of a workload file's ``llm:`` list (absent: none)."""
    if data is None:
        return ()
    if not isinstance(data, list):
        raise LlmError(f"llm: expected a list, got {type(data).__name__}")
    return tuple(parse(item, f"llm[{i}]") for i, item in enumerate(data))

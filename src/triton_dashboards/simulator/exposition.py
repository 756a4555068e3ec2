"""Triton's ``/metrics`` body for a workload at an instant.

The text is what Triton's prometheus-cpp serializer writes: families in registration
order with ``# HELP`` (the catalog's verbatim text) and ``# TYPE``; label names sorted,
with ``le``/``quantile`` last (``{model="ner",reason="OTHER",version="1"}``); values as
``%.16g`` with ``+Inf``/``Nan``; summaries and histograms as ``_count``, ``_sum``, then
the quantiles or buckets. Families that need a switch are present only when the workload
turns it on, as on a real server.

Which series carry ``gpu_uuid`` follows docs/metrics.md ("GPUs split per-model series"): a
model whose GPU instances were loaded after start-up reports its executions once per GPU
(the instance reporters, traffic split evenly), while failures the core detects (REJECTED,
CANCELED, OTHER), cache hits, pending requests and load time go to the model-level reporter,
which has no ``gpu_uuid``.
Every other model reports everything on one label set without ``gpu_uuid``. Summed by
``model, version`` the two layouts give the same numbers.

Latency distributions are exponential with the workload's mean: summary quantiles are
``-mean·ln(1-q)``, histogram buckets ``count·(1-exp(-le/mean))``; ``_sum`` and ``_count``
equal the counters, as in Triton.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import attrs

from triton_dashboards import catalog
from triton_dashboards.catalog import FailureReason, Kind, Metric, Phase
from triton_dashboards.simulator import llm
from triton_dashboards.simulator.parts import Model
from triton_dashboards.simulator.truth import Rates
from triton_dashboards.simulator.workload import Workload

__all__ = ["exposition", "format_value"]

_Labels = tuple[tuple[str, str], ...]

_PHASE_COUNTERS = {phase.duration.name: phase for phase in Phase}
_PHASE_SUMMARIES = {phase.summary.name: phase for phase in Phase}
_MODEL_LEVEL = {
    catalog.PENDING_REQUESTS.name,
    catalog.MODEL_LOAD_DURATION.name,
    catalog.CACHE_HITS.name,
    catalog.CACHE_MISSES.name,
    catalog.CACHE_HIT_DURATION.name,
    catalog.CACHE_MISS_DURATION.name,
    catalog.CACHE_HIT_SUMMARY.name,
    catalog.CACHE_MISS_SUMMARY.name,
}
_CACHE_FAMILIES = {name for name in _MODEL_LEVEL if name.startswith("nv_cache_")}
#: The phases a cache hit passes through (it is queued and answered, never computed).
_HIT_PHASES = (Phase.REQUEST.key, Phase.QUEUE.key)


def format_value(value: float) -> str:
    """A sample value as prometheus-cpp prints it (``%.16g``, ``+Inf``, ``Nan``)."""
    if math.isnan(value):
        return "Nan"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return format(value + 0.0, ".16g")  # + 0.0 turns -0.0 into 0


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _sample(name: str, labels: _Labels, value: float, extra: tuple[str, str] | None = None) -> str:
    pairs = [*labels, extra] if extra else list(labels)
    if not pairs:
        return f"{name} {format_value(value)}"
    body = ",".join(f'{k}="{_escape(v)}"' for k, v in pairs)
    return f"{name}{{{body}}} {format_value(value)}"


@attrs.frozen
class _Reporter:
    """One label set of a model: its share of the instances' traffic, and whether the
    model-level reporter (cache hits, core failures, gauges) reports through it."""

    labels: _Labels
    share: float
    model_level: bool

    def part(self, instance: float, model: float = 0.0) -> float:
        return self.share * instance + (model if self.model_level else 0.0)


def _reporters(model: Model, workload: Workload, pod: str) -> list[_Reporter]:
    base = {"model": model.name, "version": model.version}
    if not model.has_gpu_uuid:
        return [_Reporter(_sorted(base), 1.0, True)]
    gpus = {gpu.name: gpu for gpu in workload.gpus}
    share = 1.0 / len(model.gpus)
    per_gpu = [
        _Reporter(_sorted({**base, "gpu_uuid": gpus[name].uuid_on(pod)}), share, False)
        for name in model.gpus
    ]
    return [_Reporter(_sorted(base), 0.0, True), *per_gpu]


def _sorted(labels: dict[str, str]) -> _Labels:
    return tuple(sorted(labels.items()))


def _enabled(metric: Metric, workload: Workload) -> bool:
    if metric.plugin:
        return False
    cache = any(m.cache for m in workload.models)
    if metric.name in _CACHE_FAMILIES:
        return cache and (metric.kind is not Kind.SUMMARY or workload.summary_latencies)
    if metric.kind is Kind.SUMMARY:
        return workload.summary_latencies
    if metric.kind is Kind.HISTOGRAM:
        return workload.histogram_latencies
    if metric.group is catalog.Group.GPU:
        return bool(workload.gpus)
    if metric.group is catalog.Group.CPU:
        return workload.host is not None
    return True


def exposition(workload: Workload, elapsed: float, pod: str = "triton-0") -> str:
    """The body of Triton's ``/metrics`` ``elapsed`` seconds after the simulator started.

    ``pod`` names the server; it decides the GPU UUIDs (unless the workload pins them),
    so two simulated pods report different devices.
    """
    seconds = workload.seconds(elapsed)
    models = [(m, workload.rates(m), _reporters(m, workload, pod)) for m in workload.models]
    quantiles = workload.summary_quantiles
    lines: list[str] = []
    for metric in catalog.CATALOG.values():
        if not _enabled(metric, workload):
            continue
        lines.append(f"# HELP {metric.name} {metric.help}")
        lines.append(f"# TYPE {metric.name} {metric.kind.value}")
        if metric.per_model:
            for model, rates, reporters in models:
                for reporter in reporters:
                    lines.extend(_model_samples(metric, model, rates, reporter, seconds, quantiles))
        else:
            lines.extend(_server_samples(metric, workload, pod, seconds))
    for metric, samples in llm.samples(workload.llm, seconds):
        lines.append(f"# HELP {metric.name} {metric.help}")
        lines.append(f"# TYPE {metric.name} {metric.kind.value}")
        lines.extend(_sample(name, labels, value) for name, labels, value in samples)
    return "\n".join(lines) + "\n"


_INSTANCE_COUNTERS = {
    catalog.REQUEST_SUCCESS.name,
    catalog.INFERENCE_COUNT.name,
    catalog.EXEC_COUNT.name,
    *_PHASE_COUNTERS,
}


def _reports(name: str, model: Model, reporter: _Reporter) -> bool:
    """Whether ``reporter`` has a series of family ``name`` for ``model``."""
    if name == catalog.REQUEST_FAILURE.name:
        return True  # every reporter creates all four reasons at 0
    if name in _CACHE_FAMILIES:
        return reporter.model_level and model.cache is not None
    if name in _MODEL_LEVEL:
        return reporter.model_level
    if name in _INSTANCE_COUNTERS:
        # The model-level reporter counts cache hits as successes (docs/metrics.md).
        return reporter.share > 0 or model.cache is not None
    if name == catalog.REQUEST_SUMMARY.name and model.cache is not None:
        return False  # never created for cache-enabled models (docs/metrics.md)
    return reporter.share > 0  # summaries and the histogram: observed per execution


def _model_samples(
    metric: Metric,
    model: Model,
    rates: Rates,
    reporter: _Reporter,
    seconds: float,
    quantiles: tuple[float, ...],
) -> Iterator[str]:
    name, labels, part = metric.name, reporter.labels, reporter.part
    if not _reports(name, model, reporter):
        return
    executed = model.executed_rate
    if name == catalog.REQUEST_FAILURE.name:
        for reason in FailureReason:
            rate = rates.failures[reason.label]
            value = part(rate) if reason.backend else part(0.0, rate)
            pairs = tuple(sorted((*labels, ("reason", reason.label))))
            yield _sample(name, pairs, _count(value * seconds))
    elif name in _PHASE_COUNTERS:
        key = _PHASE_COUNTERS[name].key
        rate = part(rates.durations[key], rates.hit_durations[key])
        yield _sample(name, labels, _count(rate * seconds))
    elif name in _PHASE_SUMMARIES:
        key = _PHASE_SUMMARIES[name].key
        hits = rates.success_hits if key in _HIT_PHASES else 0.0
        count = part(executed, hits) * seconds
        total = part(rates.durations[key], rates.hit_durations[key]) * seconds
        yield from _summary(name, labels, count, total, quantiles)
    elif name == catalog.FIRST_RESPONSE_HISTOGRAM.name:
        count = part(executed, rates.success_hits) * seconds
        request = Phase.REQUEST.key
        total_us = part(rates.durations[request], rates.hit_durations[request]) * seconds
        yield from _histogram(name, labels, count, total_us / 1000.0, model.first_response_buckets)
    elif name == catalog.CACHE_HIT_SUMMARY.name:
        hits = rates.cache_hits * seconds
        yield from _summary(name, labels, hits, rates.cache_hit_us * seconds, quantiles)
    elif name == catalog.CACHE_MISS_SUMMARY.name:
        misses = rates.cache_misses * seconds
        yield from _summary(name, labels, misses, rates.cache_miss_us * seconds, quantiles)
    else:
        gauges = {
            catalog.PENDING_REQUESTS.name: model.pending,
            catalog.MODEL_LOAD_DURATION.name: model.load_seconds,
        }
        counters = {
            catalog.REQUEST_SUCCESS.name: part(executed, rates.success_hits),
            catalog.INFERENCE_COUNT.name: part(rates.inferences),
            catalog.EXEC_COUNT.name: part(rates.executions),
            catalog.CACHE_HITS.name: rates.cache_hits,
            catalog.CACHE_MISSES.name: rates.cache_misses,
            catalog.CACHE_HIT_DURATION.name: rates.cache_hit_us,
            catalog.CACHE_MISS_DURATION.name: rates.cache_miss_us,
        }
        value = gauges[name] if name in gauges else _count(counters[name] * seconds)
        yield _sample(name, labels, value)


def _count(value: float) -> float:
    """A counter Triton keeps as an integer (requests, executions, whole µs) at ``value``:
    the events that have happened so far, never a fraction of one."""
    return float(math.floor(value))


def _summary(
    name: str, labels: _Labels, count: float, total: float, quantiles: tuple[float, ...]
) -> Iterator[str]:
    # Observations are whole µs; the quantiles are estimates and keep their fraction.
    count, total = _count(count), _count(total)
    yield _sample(f"{name}_count", labels, count)
    yield _sample(f"{name}_sum", labels, total)
    mean = total / count if count else math.nan
    for q in quantiles:
        yield _sample(name, labels, -mean * math.log1p(-q), ("quantile", format_value(q)))


def _histogram(
    name: str, labels: _Labels, count: float, total: float, buckets: tuple[float, ...]
) -> Iterator[str]:
    mean = total / count if count else 0.0
    # Bucket counts and _count are whole observations; _sum (ms) keeps its fraction.
    yield _sample(f"{name}_count", labels, _count(count))
    yield _sample(f"{name}_sum", labels, total)
    for le in buckets:
        share = -math.expm1(-le / mean) if mean > 0 else 1.0
        yield _sample(f"{name}_bucket", labels, _count(count * share), ("le", format_value(le)))
    yield _sample(f"{name}_bucket", labels, _count(count), ("le", "+Inf"))


def _server_samples(metric: Metric, workload: Workload, pod: str, seconds: float) -> Iterator[str]:
    if metric.group is catalog.Group.GPU:
        for gpu in workload.gpus:
            labels = (("gpu_uuid", gpu.uuid_on(pod)),)
            value = {
                catalog.GPU_UTILIZATION.name: gpu.utilization,
                catalog.GPU_MEMORY_TOTAL.name: gpu.memory_total,
                catalog.GPU_MEMORY_USED.name: gpu.memory_used,
                catalog.GPU_POWER_USAGE.name: gpu.power,
                catalog.GPU_POWER_LIMIT.name: gpu.power_limit,
                catalog.ENERGY_CONSUMPTION.name: gpu.power * seconds,
            }[metric.name]
            yield _sample(metric.name, labels, value)
        return
    host = workload.host
    pinned = {
        catalog.PINNED_MEMORY_TOTAL.name: host.pinned_total if host else 268435456.0,
        catalog.PINNED_MEMORY_USED.name: host.pinned_used if host else 0.0,
    }
    if metric.name in pinned:
        yield _sample(metric.name, (), pinned[metric.name])
    elif host is not None:
        value = {
            catalog.CPU_UTILIZATION.name: host.cpu_utilization,
            catalog.CPU_MEMORY_TOTAL.name: host.memory_total,
            catalog.CPU_MEMORY_USED.name: host.memory_used,
        }[metric.name]
        yield _sample(metric.name, (), value)

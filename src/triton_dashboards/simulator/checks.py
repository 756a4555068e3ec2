"""What a Triton server can show: the semantic checks of a workload.

They run whenever a :class:`~.workload.Workload` is built, from a file or in Python, so a
demo never starts from a workload no server could report (a cache that hits more than it
is asked, an ensemble with GPUs, a reason Triton does not have). Each raises
:class:`~.parts.WorkloadError` with one line naming the field.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from triton_dashboards.catalog import ENSEMBLE_REASON
from triton_dashboards.simulator.parts import (
    COMPUTE,
    DURATION_FIELDS,
    REASONS,
    Gpu,
    Host,
    Model,
    WorkloadError,
)

__all__ = ["check"]


def check(
    models: tuple[Model, ...],
    gpus: tuple[Gpu, ...],
    host: Host | None,
    start_offset: float,
    summary_quantiles: tuple[float, ...],
    llm_backends: Mapping[str, str],
) -> None:
    """Raise WorkloadError (one line, naming the field) if the workload made of these
    parts cannot be simulated. ``llm_backends`` maps a model with an ``llm`` entry to the
    backend that entry needs."""
    gpu_names = [g.name for g in gpus]
    for i, gpu in enumerate(gpus):
        where = f"gpus[{i}] ({gpu.name})"
        if gpu_names.count(gpu.name) > 1:
            raise WorkloadError(f"{where}.name: two GPUs named {gpu.name!r}; names must differ")
        if gpu.uuid is not None and not gpu.uuid.startswith("GPU-"):
            raise WorkloadError(f"{where}.uuid: {gpu.uuid!r} is not a DCGM UUID; write GPU-...")
        _fraction(gpu.utilization, f"{where}.utilization")
        for field in ("power", "power_limit", "memory_total", "memory_used"):
            _non_negative(getattr(gpu, field), f"{where}.{field}")
        if gpu.memory_used > gpu.memory_total:
            raise WorkloadError(f"{where}.memory_used exceeds memory_total; lower it")
    if host is not None:
        _fraction(host.cpu_utilization, "host.cpu_utilization")
        for field in ("memory_total", "memory_used", "pinned_total", "pinned_used"):
            _non_negative(getattr(host, field), f"host.{field}")
    _non_negative(start_offset, "start_offset")
    for i, q in enumerate(summary_quantiles):
        if not 0 < q < 1:
            raise WorkloadError(f"metrics.summary_quantiles[{i}]: {q} is not between 0 and 1")
    if not models:
        raise WorkloadError("models is empty; describe at least one model")
    seen: set[tuple[str, str]] = set()
    for i, model in enumerate(models):
        where = f"models[{i}] ({model.name})"
        if (model.name, model.version) in seen:
            raise WorkloadError(f"{where}: version {model.version} listed twice; keep one entry")
        seen.add((model.name, model.version))
        _check_model(models, model, where, gpu_names)
        needed = llm_backends.get(model.name)
        if needed is not None and model.backend not in ("", needed):
            raise WorkloadError(
                f"{where}.backend: its llm entry reports {needed}'s statistics; write {needed}"
            )


def _check_model(models: tuple[Model, ...], model: Model, where: str, gpu_names: list[str]) -> None:
    if not model.name or any(c in model.name for c in '"\\\n'):
        raise WorkloadError(f"{where}.name: {model.name!r} is not a model name Triton accepts")
    for field in ("rate", "pending", "load_seconds"):
        _non_negative(getattr(model, field), f"{where}.{field}")
    for reason, rate in model.failures.items():
        if reason not in REASONS:
            raise WorkloadError(
                f"{where}.failures.{reason}: not a reason; use {', '.join(REASONS)}"
            )
        _non_negative(rate, f"{where}.failures.{reason}")
    for field in DURATION_FIELDS:
        _non_negative(getattr(model.durations, field), f"{where}.durations.{field}")
    if any(c in model.backend for c in '"\\\n '):
        raise WorkloadError(f"{where}.backend: {model.backend!r} is not a backend name")
    if model.loaded not in ("startup", "later"):
        raise WorkloadError(f"{where}.loaded: {model.loaded!r}; write startup or later")
    for gpu in model.gpus:
        if gpu not in gpu_names:
            raise WorkloadError(
                f"{where}.gpus: no GPU named {gpu!r}; add it to gpus or fix the name"
            )
    buckets = model.first_response_buckets
    if not buckets or list(buckets) != sorted(set(buckets)) or not all(map(math.isfinite, buckets)):
        raise WorkloadError(
            f"{where}.first_response_buckets: give finite bounds in increasing order"
        )
    if model.is_ensemble:
        _check_ensemble(models, model, where)
        return
    if model.inferences_per_request < 1:
        raise WorkloadError(
            f"{where}.batching.inferences_per_request: a request carries at least 1"
        )
    if model.requests_per_execution < 1:
        raise WorkloadError(
            f"{where}.batching.requests_per_execution: an execution runs at least 1 request"
        )
    if model.executions is not None:
        _non_negative(model.executions, f"{where}.batching.executions")
        if model.executions > model.executed_rate:
            raise WorkloadError(
                f"{where}.batching.executions: {model.executions}/s is more than the"
                f" {model.executed_rate}/s requests executed; lower it"
            )
    if model.cache is not None:
        for field in ("hits", "hit_us", "miss_us"):
            _non_negative(getattr(model.cache, field), f"{where}.cache.{field}")
        if model.cache.hits > model.rate:
            raise WorkloadError(
                f"{where}.cache.hits: {model.cache.hits}/s is more than rate {model.rate}/s;"
                " hits are successful requests"
            )


def _check_ensemble(models: tuple[Model, ...], model: Model, where: str) -> None:
    if model.version != "1":
        raise WorkloadError(
            f"{where}.version: Triton reports every ensemble as version 1; remove version"
        )
    if model.gpus:
        raise WorkloadError(f"{where}.gpus: an ensemble runs no instances; put GPUs on its steps")
    if model.backend:
        raise WorkloadError(
            f"{where}.backend: an ensemble has no backend (its platform is ensemble); remove it"
        )
    if model.cache is not None:
        raise WorkloadError(f"{where}.cache: not simulated for ensembles; put it on a step")
    if model.executions is not None or model.requests_per_execution != 1:
        raise WorkloadError(
            f"{where}.batching: an ensemble executes once per request; batch its steps instead"
        )
    if any(model.durations.of(phase) for phase in COMPUTE):
        raise WorkloadError(
            f"{where}.durations: an ensemble's compute times are its steps'; give only queue"
            " and overhead"
        )
    only = ENSEMBLE_REASON.label
    for reason, rate in model.failures.items():
        if reason != only and rate:
            raise WorkloadError(
                f"{where}.failures.{reason}: ensembles fail with reason {only} only; use {only}"
            )
    for step in model.steps:
        versions = [m for m in models if m.name == step]
        if not versions:
            raise WorkloadError(f"{where}.ensemble: no model {step!r}; add it to models")
        if len(versions) > 1:
            raise WorkloadError(f"{where}.ensemble: {step!r} has several versions; serve one")
        if versions[0].is_ensemble:
            raise WorkloadError(
                f"{where}.ensemble: {step!r} is an ensemble; nesting is not simulated"
            )


def _non_negative(value: float, where: str) -> None:
    if value < 0:
        raise WorkloadError(f"{where}: {value} is negative; rates, times and sizes are >= 0")


def _fraction(value: float, where: str) -> None:
    if not 0 <= value <= 1:
        raise WorkloadError(f"{where}: {value} is not between 0 and 1")

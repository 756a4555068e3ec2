"""A Triton deployment under steady load, and the numbers its metrics must show.

A :class:`Workload` says what a Triton server is doing: which models it serves, how many
requests a second each completes or fails, how they are batched, how long each phase
takes on average, which GPUs it has. Every rate is constant, so every counter is
``rate × seconds`` and every panel of a dashboard has one right answer, which the
workload computes here (:meth:`Workload.truth`, :meth:`Workload.gpu_truth`) from the
same semantics Triton follows (shared/triton/METRICS.md §4):

* successes include response-cache hits; failures add nothing but their own counter;
* inferences and executions count executed requests only (not cache hits);
* duration counters add up over successful requests; a cache hit adds its lookup time
  (plus the request overhead) to the request duration and nothing to the compute phases,
  a miss adds its lookup and insert time to the request duration;
* an ensemble runs no instance of its own: its compute phases are the sums of its steps'
  per-request averages, it executes once per request and has no ``gpu_uuid``.

Everything here is per Triton server (per pod): two pods running one workload show twice
the rates and the same averages.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

import attrs

__all__ = [
    "PHASES",
    "REASONS",
    "Cache",
    "Durations",
    "Gpu",
    "GpuTruth",
    "Host",
    "Model",
    "ModelTruth",
    "Rates",
    "Workload",
    "WorkloadError",
]

#: Failure reasons in the order Triton prints them (METRICS.md §3 and the 24.07+ samples).
REASONS = ("OTHER", "BACKEND", "CANCELED", "REJECTED")
#: The phases with a ``*_duration_us`` counter, as keys of latencies.
PHASES = ("request", "queue", "compute_input", "compute_infer", "compute_output")
#: Default buckets of ``nv_inference_first_response_histogram_ms``, in ms.
FIRST_RESPONSE_BUCKETS = (100.0, 500.0, 2000.0, 5000.0)
#: Default ``--metrics-config summary_quantiles``.
SUMMARY_QUANTILES = (0.5, 0.9, 0.95, 0.99, 0.999)

# Derived GPU UUIDs are stable per (pod, GPU name), so two pods have distinct devices.
_GPU_NAMESPACE = uuid.UUID("6f1d4c1e-3a52-4d3b-9a57-7b0c9a3e8d21")


def _frozen(rates: Mapping[str, float]) -> Mapping[str, float]:
    return MappingProxyType(dict(rates))


class WorkloadError(ValueError):
    """A workload that cannot run; the message is one line naming the field at fault."""


@attrs.frozen(kw_only=True)
class Durations:
    """Average µs per successful executed request, per phase.

    ``overhead`` is the time a request spends outside the queue and the compute phases
    (network, scheduling, copies), so request = queue + compute + overhead. For an
    ensemble only ``queue`` (its own scheduling) and ``overhead`` are given; its compute
    phases come from its steps.
    """

    queue: float = 0.0
    compute_input: float = 0.0
    compute_infer: float = 0.0
    compute_output: float = 0.0
    overhead: float = 0.0

    @property
    def compute(self) -> float:
        return self.compute_input + self.compute_infer + self.compute_output


@attrs.frozen(kw_only=True)
class Cache:
    """The response cache of one model: hits a second and lookup costs in µs.

    Every successful request looks the cache up; ``hits`` of them a second find their
    response there, the rest miss and run the model.
    """

    hits: float
    hit_us: float = 0.0  # lookup time of a hit
    miss_us: float = 0.0  # lookup plus insert time of a miss


@attrs.frozen(kw_only=True)
class Model:
    """One model version as a Triton server serves it.

    ``rate`` is successful requests a second, cache hits included; ``failures`` is failed
    requests a second by reason. Batching: each executed request carries
    ``inferences_per_request`` inferences (its batch size); executions a second are
    ``executions`` if given, else executed requests / ``requests_per_execution`` (the
    dynamic batcher merging that many requests into one execution; 1 without it).

    ``gpus`` names the GPUs its instances run on (none: KIND_CPU). Per-model series carry
    ``gpu_uuid`` only for GPU instances loaded after start-up (``loaded="later"``): models
    loaded at start-up have none (METRICS.md §4.5). ``steps`` makes it an ensemble.
    """

    name: str
    version: str = "1"
    rate: float = 0.0
    failures: Mapping[str, float] = attrs.field(factory=dict, converter=_frozen)
    inferences_per_request: float = 1.0
    requests_per_execution: float = 1.0
    executions: float | None = None
    durations: Durations = Durations()
    cache: Cache | None = None
    gpus: tuple[str, ...] = ()
    loaded: str = "startup"  # or "later"
    steps: tuple[str, ...] = ()
    pending: float = 0.0
    load_seconds: float = 0.0
    first_response_buckets: tuple[float, ...] = FIRST_RESPONSE_BUCKETS

    @property
    def is_ensemble(self) -> bool:
        return bool(self.steps)

    @property
    def has_gpu_uuid(self) -> bool:
        """Whether its per-instance series carry ``gpu_uuid`` (GPU, loaded after start-up)."""
        return bool(self.gpus) and self.loaded == "later" and not self.is_ensemble

    @property
    def hit_rate(self) -> float:
        return self.cache.hits if self.cache else 0.0

    @property
    def executed_rate(self) -> float:
        """Successful requests a second that ran the model (not served from the cache)."""
        return self.rate - self.hit_rate

    @property
    def inference_rate(self) -> float:
        return self.executed_rate * self.inferences_per_request

    @property
    def execution_rate(self) -> float:
        if self.is_ensemble:
            return self.executed_rate  # one execution per ensemble request (§4.4)
        if self.executions is not None:
            return self.executions
        return self.executed_rate / self.requests_per_execution

    def scaled(self, factor: float) -> Model:
        """The same model with every rate multiplied by ``factor``; times unchanged."""
        return attrs.evolve(
            self,
            rate=self.rate * factor,
            failures={reason: r * factor for reason, r in self.failures.items()},
            executions=None if self.executions is None else self.executions * factor,
            cache=None
            if self.cache is None
            else attrs.evolve(self.cache, hits=self.cache.hits * factor),
        )


@attrs.frozen(kw_only=True)
class Gpu:
    """One CUDA-visible GPU; its UUID is ``uuid`` or derived from the pod and ``name``."""

    name: str
    utilization: float = 0.0  # 0..1
    power: float = 0.0  # W
    power_limit: float = 0.0  # W
    memory_total: float = 0.0  # bytes
    memory_used: float = 0.0  # bytes
    uuid: str | None = None

    def uuid_on(self, pod: str) -> str:
        """The DCGM UUID the pod ``pod`` reports for this GPU."""
        if self.uuid is not None:
            return self.uuid
        return f"GPU-{uuid.uuid5(_GPU_NAMESPACE, f'{pod}/{self.name}')}"


@attrs.frozen(kw_only=True)
class Host:
    """Host CPU and memory (``--allow-cpu-metrics``) and the pinned memory pool."""

    cpu_utilization: float = 0.0  # 0..1
    memory_total: float = 0.0  # bytes
    memory_used: float = 0.0  # bytes
    pinned_total: float = 268435456.0  # Triton's default pool, 256 MiB
    pinned_used: float = 0.0


@attrs.frozen(kw_only=True)
class Rates:
    """How fast each per-model counter grows, per second, on one server.

    The cache-hit parts (``success_hits``, ``hit_durations``) and the cache counters are
    reported by the model-level reporter (no ``gpu_uuid``), the rest by the instances;
    see :mod:`~triton_dashboards.simulator.exposition`.
    """

    success: float
    failures: Mapping[str, float]
    inferences: float
    executions: float
    durations: Mapping[str, float]  # µs a second, by phase, executed requests
    hit_durations: Mapping[str, float]  # µs a second, by phase, cache hits
    success_hits: float
    cache_hits: float
    cache_misses: float
    cache_hit_us: float  # µs a second
    cache_miss_us: float  # µs a second


@attrs.frozen(kw_only=True)
class ModelTruth:
    """What the panels of one model must show for one server (pod).

    Rates are per second; ``latency_us`` is the average per successful request by phase
    (``request``, ``queue``, ``compute_input``, ``compute_infer``, ``compute_output``), as
    ``rate(<phase>_duration_us) / rate(nv_inference_request_success)`` computes it.
    ``batch_size`` is inferences per execution; ``cache_hit_ratio`` is None without a cache.
    """

    model: str
    version: str
    request_rate: float
    failure_rates: Mapping[str, float]  # every reason in REASONS, 0 included
    failure_rate: float
    failure_ratio: float
    inference_rate: float
    execution_rate: float
    batch_size: float | None
    latency_us: Mapping[str, float]
    cache_hit_ratio: float | None
    pending: float
    load_seconds: float
    gpu_uuid: bool  # whether its per-instance series carry gpu_uuid


@attrs.frozen(kw_only=True)
class GpuTruth:
    """What the GPU panels must show for one GPU of one pod."""

    name: str
    uuid: str
    utilization: float
    power: float
    power_limit: float
    memory_used: float
    memory_total: float
    energy_rate: float  # J/s, = power


@attrs.frozen(kw_only=True)
class Workload:
    """One Triton server's models, GPUs and host, under constant load.

    ``start_offset`` is seconds of traffic already counted when the simulator starts, so
    counters at ``elapsed`` seconds are ``rate × (start_offset + elapsed)``. The flags
    mirror ``--metrics-config``: ``summary_latencies`` adds the ``*_summary_us``
    families, ``histogram_latencies`` the first-response histogram.
    """

    models: tuple[Model, ...]
    gpus: tuple[Gpu, ...] = ()
    host: Host | None = Host()
    start_offset: float = 0.0
    summary_latencies: bool = False
    histogram_latencies: bool = False
    summary_quantiles: tuple[float, ...] = SUMMARY_QUANTILES

    def __attrs_post_init__(self) -> None:
        from triton_dashboards.simulator.spec import check

        check(self)

    @classmethod
    def load(cls, path: str | Path) -> Workload:
        """The workload described by a YAML file; WorkloadError (one line) if it is wrong."""
        from triton_dashboards.simulator.spec import load

        return load(Path(path))

    @classmethod
    def default(cls) -> Workload:
        """The reference deployment: ensemble ``ner_pipeline`` and its steps, on 2 GPUs."""
        from triton_dashboards.simulator.spec import load_default

        return load_default()

    def model(self, name: str, version: str | None = None) -> Model:
        """The model called ``name`` (and ``version``, needed when several are served)."""
        found = [m for m in self.models if m.name == name and version in (None, m.version)]
        if len(found) != 1:
            what = "no" if not found else "several"
            raise KeyError(f"{what} model {name!r}{'' if version is None else ' v' + version}")
        return found[0]

    def scaled(self, factor: float) -> Workload:
        """This workload with every request rate times ``factor`` (a busier or idler pod)."""
        return attrs.evolve(self, models=tuple(m.scaled(factor) for m in self.models))

    def phase_us(self, model: Model) -> Durations:
        """Average µs per executed request by phase; an ensemble's come from its steps."""
        if not model.is_ensemble:
            return model.durations
        steps = [self.truth(step).latency_us for step in model.steps]
        compute = {
            phase: sum(s[phase] for s in steps)
            for phase in ("compute_input", "compute_infer", "compute_output")
        }
        # The steps run one after the other: the ensemble's request time is its own
        # queue and overhead plus each step's request time, of which compute is part.
        outside_compute = sum(s["request"] for s in steps) - sum(compute.values())
        return Durations(
            queue=model.durations.queue,
            overhead=model.durations.overhead + outside_compute,
            **compute,
        )

    def rates(self, model: Model) -> Rates:
        """Per-second growth of each counter of ``model`` on one server."""
        phases = self.phase_us(model)
        executed, hits = model.executed_rate, model.hit_rate
        miss_us = model.cache.miss_us if model.cache else 0.0
        hit_us = model.cache.hit_us if model.cache else 0.0
        request_us = phases.queue + phases.compute + phases.overhead + miss_us
        durations = {
            "request": executed * request_us,
            "queue": executed * phases.queue,
            "compute_input": executed * phases.compute_input,
            "compute_infer": executed * phases.compute_infer,
            "compute_output": executed * phases.compute_output,
        }
        hit_durations = dict.fromkeys(PHASES, 0.0)
        hit_durations["request"] = hits * (hit_us + phases.overhead)
        return Rates(
            success=model.rate,
            failures={reason: model.failures.get(reason, 0.0) for reason in REASONS},
            inferences=model.inference_rate,
            executions=model.execution_rate,
            durations=durations,
            hit_durations=hit_durations,
            success_hits=hits,
            cache_hits=hits,
            cache_misses=executed if model.cache else 0.0,
            cache_hit_us=hits * hit_us,
            cache_miss_us=executed * miss_us,
        )

    def truth(self, name: str, version: str | None = None) -> ModelTruth:
        """What the panels of model ``name`` must show for one server."""
        model = self.model(name, version)
        rates = self.rates(model)
        failures = sum(rates.failures.values())
        completed = rates.success + failures
        latency = {
            phase: (rates.durations[phase] + rates.hit_durations[phase]) / rates.success
            if rates.success
            else math.nan
            for phase in PHASES
        }
        lookups = rates.cache_hits + rates.cache_misses
        return ModelTruth(
            model=model.name,
            version=model.version,
            request_rate=rates.success,
            failure_rates=MappingProxyType(dict(rates.failures)),
            failure_rate=failures,
            failure_ratio=failures / completed if completed else 0.0,
            inference_rate=rates.inferences,
            execution_rate=rates.executions,
            batch_size=rates.inferences / rates.executions if rates.executions else None,
            latency_us=MappingProxyType(latency),
            cache_hit_ratio=rates.cache_hits / lookups if model.cache and lookups else None,
            pending=model.pending,
            load_seconds=model.load_seconds,
            gpu_uuid=model.has_gpu_uuid,
        )

    def truths(self) -> tuple[ModelTruth, ...]:
        """:meth:`truth` of every model, in workload order."""
        return tuple(self.truth(m.name, m.version) for m in self.models)

    def gpu_truth(self, pod: str = "triton-0") -> tuple[GpuTruth, ...]:
        """What the GPU panels must show for the GPUs of pod ``pod``."""
        return tuple(
            GpuTruth(
                name=gpu.name,
                uuid=gpu.uuid_on(pod),
                utilization=gpu.utilization,
                power=gpu.power,
                power_limit=gpu.power_limit,
                memory_used=gpu.memory_used,
                memory_total=gpu.memory_total,
                energy_rate=gpu.power,
            )
            for gpu in self.gpus
        )

    def seconds(self, elapsed: float) -> float:
        """Seconds of traffic the counters hold ``elapsed`` seconds after the start."""
        return self.start_offset + elapsed

"""The parts of a workload: models, their batching, durations and cache, GPUs, the host.

Plain records with their own arithmetic (a model's executed and inference rates, a GPU's
UUID on a pod); :mod:`.checks` says which combinations a Triton server can show, and
:class:`~.workload.Workload` puts them together.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from types import MappingProxyType

import attrs

from triton_dashboards.catalog import REASONS, STEPS, Phase

__all__ = [
    "COMPUTE",
    "DURATION_FIELDS",
    "FIRST_RESPONSE_BUCKETS",
    "PHASES",
    "REASONS",
    "SUMMARY_QUANTILES",
    "Cache",
    "Durations",
    "Gpu",
    "Host",
    "Model",
    "WorkloadError",
]

#: The phases with a ``*_duration_us`` counter, as keys of latencies (catalog order).
PHASES: tuple[str, ...] = tuple(p.key for p in Phase)
#: The compute phases: an ensemble's are the sums of its steps'.
COMPUTE: tuple[Phase, ...] = tuple(p for p in STEPS if p is not Phase.QUEUE)
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

    One field per :data:`catalog.STEPS <triton_dashboards.catalog.STEPS>` phase, named by
    its key (checked on import), plus ``overhead``: the time a request spends outside the
    queue and the compute phases (network, scheduling, copies), so request = queue +
    compute + overhead. For an ensemble only ``queue`` (its own scheduling) and
    ``overhead`` are given; its compute phases come from its steps.
    """

    queue: float = 0.0
    compute_input: float = 0.0
    compute_infer: float = 0.0
    compute_output: float = 0.0
    overhead: float = 0.0

    def of(self, phase: Phase) -> float:
        """The average µs of one step phase (not REQUEST: that is their sum plus overhead)."""
        value: float = getattr(self, phase.key)
        return value

    @property
    def compute(self) -> float:
        return sum(self.of(phase) for phase in COMPUTE)


#: Field names of :class:`Durations`, as a workload file spells them.
DURATION_FIELDS: tuple[str, ...] = tuple(f.name for f in attrs.fields(Durations))
if (*(p.key for p in STEPS), "overhead") != DURATION_FIELDS:
    raise ImportError(f"Durations fields {DURATION_FIELDS} do not match the catalog's phases")


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
    loaded at start-up have none (docs/metrics.md, "GPUs split per-model series").
    ``steps`` makes it an ensemble.
    ``backend`` is what its configuration names (``python``, ``onnxruntime`` ...); "" leaves
    it to :meth:`Workload.backend <.workload.Workload.backend>`.
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
    backend: str = ""
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
            return self.executed_rate  # one execution per ensemble request
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

"""A Triton deployment under steady load, and the numbers its metrics must show.

A :class:`Workload` says what a Triton server is doing: which models it serves, how many
requests a second each completes or fails, how they are batched, how long each phase
takes on average, which GPUs it has. Every rate is constant, so every counter is
``rate × seconds`` and every panel of a dashboard has one right answer, which the
workload computes here (:meth:`Workload.truth`, :meth:`Workload.gpu_truth`) from the
same semantics Triton follows (docs/metrics.md):

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

import functools
import math
from pathlib import Path
from types import MappingProxyType

import attrs

from triton_dashboards.catalog import STEPS, Phase, backends
from triton_dashboards.simulator import spec
from triton_dashboards.simulator.checks import check
from triton_dashboards.simulator.llm import TrtLlm, Vllm
from triton_dashboards.simulator.parts import (
    COMPUTE,
    FIRST_RESPONSE_BUCKETS,
    PHASES,
    REASONS,
    SUMMARY_QUANTILES,
    Cache,
    Durations,
    Gpu,
    Host,
    Model,
    WorkloadError,
)
from triton_dashboards.simulator.truth import GpuTruth, ModelTruth, Rates

__all__ = [
    "DEFAULT_BACKEND",
    "FIRST_RESPONSE_BUCKETS",
    "PHASES",
    "REASONS",
    "SUMMARY_QUANTILES",
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

#: The backend of a model whose workload names none (and reports no LLM statistics).
DEFAULT_BACKEND = "onnxruntime"


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
    host: Host | None = Host()  # noqa: RUF009 (frozen, so one shared default is safe)
    start_offset: float = 0.0
    summary_latencies: bool = False
    histogram_latencies: bool = False
    summary_quantiles: tuple[float, ...] = SUMMARY_QUANTILES
    #: The LLM backends' own statistics (simulator.llm), next to the core families.
    llm: tuple[TrtLlm | Vllm, ...] = ()

    def __attrs_post_init__(self) -> None:
        check(
            self.models,
            self.gpus,
            self.host,
            self.start_offset,
            self.summary_quantiles,
            self._llm_backends(),
        )

    def _llm_backends(self) -> dict[str, str]:
        """Model name -> the backend its ``llm`` entry's families come from."""
        return {entry.model: backends.of_plugin(entry.plugin).name for entry in self.llm}

    def backend(self, model: Model) -> str:
        """The backend ``model``'s configuration names; "" for an ensemble.

        The workload's own ``backend`` if given, else the backend of its ``llm`` entry
        (``tensorrtllm``, ``vllm``), else :data:`DEFAULT_BACKEND`.
        """
        if model.is_ensemble:
            return ""
        return model.backend or self._llm_backends().get(model.name, DEFAULT_BACKEND)

    @classmethod
    def load(cls, path: str | Path) -> Workload:
        """The workload described by a YAML file; WorkloadError (one line) if it is wrong."""
        path = Path(path)
        arguments = spec.read(path)
        try:
            return cls(**arguments)
        except WorkloadError as e:
            raise WorkloadError(f"{path}: {e}") from None

    @classmethod
    def from_mapping(cls, data: object) -> Workload:
        """The workload described by parsed YAML (or any plain mapping)."""
        return cls(**spec.fields(data))

    @classmethod
    def named(cls, name: str) -> Workload:
        """The workload shipped as ``name`` (:func:`.spec.shipped`: ner, trtllm, vllm)."""
        return cls(**spec.shipped_fields(name))

    @classmethod
    def default(cls) -> Workload:
        """The reference deployment: ensemble ``ner_pipeline`` and its steps, on 2 GPUs."""
        return _default()

    def model(self, name: str, version: str | None = None) -> Model:
        """The model called ``name`` (and ``version``, needed when several are served)."""
        found = [m for m in self.models if m.name == name and version in (None, m.version)]
        if len(found) != 1:
            what = "no" if not found else "several"
            raise KeyError(f"{what} model {name!r}{'' if version is None else ' v' + version}")
        return found[0]

    def scaled(self, factor: float) -> Workload:
        """This workload with every request rate times ``factor`` (a busier or idler pod)."""
        return attrs.evolve(
            self,
            models=tuple(m.scaled(factor) for m in self.models),
            llm=tuple(entry.scaled(factor) for entry in self.llm),
        )

    def phase_us(self, model: Model) -> Durations:
        """Average µs per executed request by phase; an ensemble's come from its steps."""
        if not model.is_ensemble:
            return model.durations
        steps = [self.truth(step).latency_us for step in model.steps]
        compute = {phase.key: sum(s[phase.key] for s in steps) for phase in COMPUTE}
        # The steps run one after the other: the ensemble's request time is its own
        # queue and overhead plus each step's request time, of which compute is part.
        request = Phase.REQUEST.key
        outside_compute = sum(s[request] for s in steps) - sum(compute.values())
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
            Phase.REQUEST.key: executed * request_us,
            **{phase.key: executed * phases.of(phase) for phase in STEPS},
        }
        hit_durations = dict.fromkeys(PHASES, 0.0)
        hit_durations[Phase.REQUEST.key] = hits * (hit_us + phases.overhead)
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


@functools.cache
def _default() -> Workload:
    return Workload(**spec.default_fields())

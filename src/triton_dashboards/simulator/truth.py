"""What a workload's counters do, and what its panels must show.

:class:`Rates` is how fast each counter grows; :class:`ModelTruth` and :class:`GpuTruth` are
the values a dashboard must display for them, which the end-to-end tests compare with what
Prometheus computes from the exposition.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs

__all__ = ["GpuTruth", "ModelTruth", "Rates"]


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

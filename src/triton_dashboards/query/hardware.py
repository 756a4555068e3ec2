"""Recipes for the server-wide families: GPUs, the host's CPU and memory, pinned memory.

GPU families are keyed by ``gpu_uuid`` and averaged per device (two Triton pods sharing a
GPU report the same device); host families are kept per ``instance``. They are never
joined to the per-model series.
"""

from __future__ import annotations

from triton_dashboards import catalog
from triton_dashboards.catalog import Metric
from triton_dashboards.promql import RATE_INTERVAL, Expr, Window, aggregate, avg_by, over_time, rate
from triton_dashboards.query.ratios import per_request
from triton_dashboards.query.reading import recorded
from triton_dashboards.query.recording import Operation
from triton_dashboards.query.scope import Scope

__all__ = [
    "cpu_memory_used",
    "cpu_memory_used_ratio",
    "cpu_utilization",
    "gpu_energy_rate",
    "gpu_memory_used",
    "gpu_memory_used_ratio",
    "gpu_power",
    "gpu_power_limit",
    "gpu_utilization",
    "mean_gpu_utilization",
    "pinned_memory_used",
    "pinned_memory_used_ratio",
]


def _per_gpu(scope: Scope, metric: Metric) -> Expr:
    return avg_by(scope.gpu_group, scope.select(metric))


def _per_host(scope: Scope, metric: Metric) -> Expr:
    return avg_by(scope.host_group, scope.select(metric))


def gpu_utilization(scope: Scope, window: Window | None = None) -> Expr:
    """GPU utilization, 0..1, per GPU; averaged over ``window`` when one is given.

    Triton samples DCGM every ``--metrics-interval-ms``. GPUs are keyed by
    ``gpu_uuid``; two Triton pods sharing a GPU report the same device, so series are
    averaged per ``gpu_uuid`` rather than summed. Never joined to per-model series.
    Without a window this is the last sample; on a recorded scope it is the recording's
    ``avg_over_time``, which a sustained-load alert wants and a graph does not mind.
    """
    metric = catalog.GPU_UTILIZATION
    found = recorded(scope, metric, Operation.AVG, window, scope.gpu_group)
    if found is not None:
        return avg_by(scope.gpu_group, found)
    if window is None:
        return _per_gpu(scope, metric)
    return avg_by(scope.gpu_group, over_time("avg", scope.select(metric), window))


def mean_gpu_utilization(scope: Scope) -> Expr:
    """Utilization averaged over the GPUs of the scope, each GPU counted once."""
    return aggregate("avg", gpu_utilization(scope))


def gpu_memory_used(scope: Scope) -> Expr:
    """GPU framebuffer memory in use, bytes, per GPU."""
    return _per_gpu(scope, catalog.GPU_MEMORY_USED)


def gpu_memory_used_ratio(scope: Scope) -> Expr:
    """Share of GPU framebuffer memory in use, 0..1, per GPU."""
    found = recorded(scope, catalog.GPU_MEMORY_USED, Operation.RATIO, None, scope.gpu_group)
    if found is not None:
        return avg_by(scope.gpu_group, found)
    return per_request(gpu_memory_used(scope), _per_gpu(scope, catalog.GPU_MEMORY_TOTAL))


def gpu_power(scope: Scope) -> Expr:
    """GPU power draw in watts, per GPU (instantaneous DCGM reading)."""
    return _per_gpu(scope, catalog.GPU_POWER_USAGE)


def gpu_power_limit(scope: Scope) -> Expr:
    """GPU power management limit in watts, per GPU."""
    return _per_gpu(scope, catalog.GPU_POWER_LIMIT)


def gpu_energy_rate(scope: Scope, window: Window = RATE_INTERVAL) -> Expr:
    """Average GPU power over the window in watts: the rate of the joule counter.

    ``nv_energy_consumption`` counts joules since Triton started; J/s is W, averaged
    over the whole window rather than sampled like :func:`gpu_power`.
    """
    return avg_by(scope.gpu_group, rate(scope.select(catalog.ENERGY_CONSUMPTION), window))


def cpu_utilization(scope: Scope) -> Expr:
    """CPU utilization of the host, 0..1, per Triton instance (22.09+).

    Triton reads ``/proc/stat``: in a container this is the whole node, not the pod.
    """
    return _per_host(scope, catalog.CPU_UTILIZATION)


def cpu_memory_used(scope: Scope) -> Expr:
    """Host memory in use (MemTotal - MemAvailable), bytes, per Triton instance."""
    return _per_host(scope, catalog.CPU_MEMORY_USED)


def cpu_memory_used_ratio(scope: Scope) -> Expr:
    """Share of host memory in use, 0..1, per Triton instance."""
    return per_request(cpu_memory_used(scope), _per_host(scope, catalog.CPU_MEMORY_TOTAL))


def pinned_memory_used(scope: Scope) -> Expr:
    """Pinned (page-locked) host memory pool in use, bytes, per instance (24.01+)."""
    return _per_host(scope, catalog.PINNED_MEMORY_USED)


def pinned_memory_used_ratio(scope: Scope) -> Expr:
    """Share of the pinned memory pool in use, 0..1, per instance."""
    return per_request(pinned_memory_used(scope), _per_host(scope, catalog.PINNED_MEMORY_TOTAL))

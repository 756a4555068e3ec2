"""Stock panels on GPUs and hosts: utilization, memory, power, energy, pinned memory.

Gauges read as they are take the family's unit from the catalog; ratios and the power
averaged from the energy counter are derived, and say their unit here.
"""

from __future__ import annotations

from triton_dashboards import catalog
from triton_dashboards.dashboard.panels.base import Query, Unit
from triton_dashboards.dashboard.panels.factories import timeseries
from triton_dashboards.dashboard.panels.scoped import USAGE_THRESHOLDS, unit_of
from triton_dashboards.dashboard.schema.panel import Panel
from triton_dashboards.query import recipes as q
from triton_dashboards.query.scope import Scope

__all__ = [
    "cpu_memory",
    "cpu_utilization",
    "gpu_energy",
    "gpu_memory",
    "gpu_power",
    "gpu_utilization",
    "pinned_memory",
]


def gpu_utilization(scope: Scope) -> Panel:
    """GPU utilization per GPU, 0-100 %."""
    return timeseries(
        "GPU utilization",
        [Query(q.gpu_utilization(scope), "{{gpu_uuid}}")],
        unit=catalog.GPU_UTILIZATION.unit,
        description="nv_gpu_utilization per GPU (DCGM, sampled every --metrics-interval-ms).",
        thresholds=USAGE_THRESHOLDS,
        min=0,
        max=1,
    )


def gpu_memory(scope: Scope) -> Panel:
    """Share of GPU framebuffer memory in use, per GPU."""
    return timeseries(
        "GPU memory used",
        [Query(q.gpu_memory_used_ratio(scope), "{{gpu_uuid}}")],
        unit=Unit.RATIO,
        description="nv_gpu_memory_used_bytes / nv_gpu_memory_total_bytes per GPU.",
        thresholds=USAGE_THRESHOLDS,
        show_thresholds=True,
        min=0,
        max=1,
    )


def gpu_power(scope: Scope) -> Panel:
    """GPU power draw and its limit, watts per GPU."""
    return timeseries(
        "GPU power",
        [
            Query(q.gpu_power(scope), "{{gpu_uuid}} draw"),
            Query(q.gpu_power_limit(scope), "{{gpu_uuid}} limit"),
        ],
        unit=unit_of(catalog.GPU_POWER_USAGE, catalog.GPU_POWER_LIMIT),
        description="nv_gpu_power_usage against nv_gpu_power_limit.",
        min=0,
    )


def gpu_energy(scope: Scope) -> Panel:
    """Average GPU power over the window from the energy counter, watts per GPU."""
    return timeseries(
        "GPU average power (from energy)",
        [Query(q.gpu_energy_rate(scope), "{{gpu_uuid}}")],
        unit=Unit.WATT,
        description="rate(nv_energy_consumption): joules per second over the rate window, "
        "an average rather than a sample.",
        min=0,
    )


def cpu_utilization(scope: Scope) -> Panel:
    """Host CPU utilization per Triton instance."""
    return timeseries(
        "CPU utilization",
        [Query(q.cpu_utilization(scope), "{{instance}}")],
        unit=catalog.CPU_UTILIZATION.unit,
        description="nv_cpu_utilization (Triton 22.09+). Triton reads /proc/stat: inside a "
        "container this is the whole node.",
        thresholds=USAGE_THRESHOLDS,
        min=0,
        max=1,
    )


def cpu_memory(scope: Scope) -> Panel:
    """Host memory in use per Triton instance, as a share of the total."""
    return timeseries(
        "Host memory used",
        [Query(q.cpu_memory_used_ratio(scope), "{{instance}}")],
        unit=Unit.RATIO,
        description="nv_cpu_memory_used_bytes / nv_cpu_memory_total_bytes (node-wide).",
        thresholds=USAGE_THRESHOLDS,
        min=0,
        max=1,
    )


def pinned_memory(scope: Scope) -> Panel:
    """Pinned host memory pool in use per Triton instance, bytes."""
    return timeseries(
        "Pinned memory pool used",
        [Query(q.pinned_memory_used(scope), "{{instance}}")],
        unit=catalog.PINNED_MEMORY_USED.unit,
        description="nv_pinned_memory_pool_used_bytes (Triton 24.01+); the pool size is set "
        "with --pinned-memory-pool-byte-size.",
        min=0,
    )

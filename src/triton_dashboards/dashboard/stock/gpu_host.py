"""Triton GPU and host: utilization, memory, power and energy per GPU; CPU and memory per host."""

from __future__ import annotations

from triton_dashboards.dashboard import panels
from triton_dashboards.dashboard.layout import Row
from triton_dashboards.dashboard.model import Dashboard
from triton_dashboards.dashboard.stock.interval import with_resolution
from triton_dashboards.dashboard.stock.selection import GPU_UID, Variant, host_row
from triton_dashboards.query.recording import Recording

__all__ = ["gpu_and_host"]


def gpu_and_host(
    recording_rules: bool | Recording = False,
    *,
    namespace: str | None = None,
    uid_prefix: str | None = None,
    replace_stock: bool = False,
) -> Dashboard:
    """GPUs (utilization, memory, power, energy) and hosts (CPU, memory, pinned memory)."""
    variant = Variant(
        recording_rules, namespace=namespace, uid_prefix=uid_prefix, replace_stock=replace_stock
    )
    scope = variant.scope
    return variant.dashboard(
        GPU_UID,
        "Triton GPU and host",
        "Server-wide families, sampled every --metrics-interval-ms (default 2 s).",
        models=False,
        rows=with_resolution(
            variant,
            [
                Row(
                    "GPU",
                    [
                        panels.gpu_utilization(scope),
                        panels.gpu_memory(scope),
                        panels.gpu_power(scope),
                        panels.gpu_energy(scope),
                    ],
                ),
                host_row("Host", scope),
            ],
        ),
    )

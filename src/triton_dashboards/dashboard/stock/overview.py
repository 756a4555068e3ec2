"""The Triton overview: fleet numbers, throughput, latency, queueing, models, GPU, host."""

from __future__ import annotations

from grafanalib import core as g

from triton_dashboards import catalog
from triton_dashboards.catalog import Phase
from triton_dashboards.dashboard import panels
from triton_dashboards.dashboard.layout import Row
from triton_dashboards.dashboard.model import Dashboard
from triton_dashboards.dashboard.panels import Query, Unit
from triton_dashboards.dashboard.stock.selection import OVERVIEW_UID, Variant, host_row
from triton_dashboards.query import recipes as q
from triton_dashboards.query.recording import Recording

__all__ = ["overview"]


def _fleet_summary(variant: Variant) -> list[g.Panel]:
    """Big numbers for the whole selection: instances, traffic, failures, time, backlog."""
    scope, fleet = variant.scope, variant.fleet
    return [
        panels.instances(fleet, width=4),
        panels.stat(
            "Requests per second",
            [Query(q.request_rate(fleet), "succeeded")],
            unit=Unit.REQUESTS_PER_SECOND,
            description="Successful requests per second over every selected model.",
            width=4,
        ),
        panels.failure_ratio(fleet, width=4),
        panels.stat(
            "Average request time",
            [Query(q.avg_latency(fleet, Phase.REQUEST), "request")],
            unit=Phase.REQUEST.duration.unit,
            description="End-to-end time per successful request, weighted by requests, over "
            "every selected model.",
            width=4,
        ),
        panels.stat(
            "Pending requests",
            [Query(q.pending_requests(fleet), "pending")],
            unit=catalog.PENDING_REQUESTS.unit,
            description="Requests waiting for execution now, every selected model.",
            width=4,
        ),
        panels.gauge(
            "GPU utilization",
            [Query(q.mean_gpu_utilization(scope), "GPUs")],
            unit=catalog.GPU_UTILIZATION.unit,
            thresholds=panels.stock.USAGE_THRESHOLDS,
            description="Average utilization of the selected GPUs.",
            width=4,
            height=4,
        ),
    ]


def overview(recording_rules: bool | Recording = False) -> Dashboard:
    """Fleet throughput, failures by reason, latency by phase, queueing, GPU, CPU, memory."""
    variant = Variant(recording_rules)
    scope, fleet = variant.scope, variant.fleet
    return variant.dashboard(
        OVERVIEW_UID,
        "Triton overview",
        "NVIDIA Triton Inference Server: every model on every selected instance.",
        panels=_fleet_summary(variant),
        rows=[
            Row(
                "Throughput",
                [
                    panels.request_rate(scope),
                    panels.failures_by_reason(scope),
                    panels.execution_rate(scope),
                    panels.failure_ratio(scope, width=12, height=8),
                ],
            ),
            Row(
                "Latency",
                [
                    panels.latency(scope, Phase.REQUEST),
                    panels.latency_by_phase(fleet),
                    panels.latency(scope, Phase.QUEUE),
                    panels.first_response_percentiles(fleet),
                ],
            ),
            Row(
                "Queue and batching",
                [
                    panels.pending_requests(scope, width=8),
                    panels.avg_queued_requests(scope, width=8),
                    panels.batch_size(scope, width=8),
                ],
            ),
            Row("Models", [panels.models_table(scope)]),
            Row(
                "GPU",
                [
                    panels.gpu_utilization(scope, width=8),
                    panels.gpu_memory(scope, width=8),
                    panels.gpu_power(scope, width=8),
                ],
            ),
            host_row("CPU and memory", scope),
        ],
    )

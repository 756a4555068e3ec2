"""The stock dashboards: Triton overview, model detail, and GPU and host.

They share one set of template variables (datasource, namespace, job, instance, model,
version, GPU), chained so that each narrows the next, and one :class:`Scope` built from
them; each links to the other two, keeping the time range and the variables.
"""

from __future__ import annotations

from grafanalib import core as g

from triton_dashboards import catalog, panels
from triton_dashboards import queries as q
from triton_dashboards.dashboard import Dashboard, Link
from triton_dashboards.layout import Row
from triton_dashboards.panels import Query, Unit
from triton_dashboards.promql import Matcher, Var
from triton_dashboards.queries import Phase
from triton_dashboards.scope import Scope
from triton_dashboards.variables import datasource, label_values

__all__ = ["GPU_UID", "MODEL_UID", "OVERVIEW_UID", "gpu_and_host", "model_detail", "overview"]

OVERVIEW_UID = "triton-overview"
MODEL_UID = "triton-model"
GPU_UID = "triton-gpu-host"

NAMESPACE = Var("namespace")
JOB = Var("job")
INSTANCE = Var("instance")
MODEL = Var("model")
VERSION = Var("version")
GPU = Var("gpu")

#: Every stock panel reads through this scope; the variables below fill it in.
SCOPE = Scope(namespace=NAMESPACE, job=JOB, instance=INSTANCE).model(MODEL, VERSION).gpus(GPU)
#: The same series added up over every model: fleet-wide numbers.
FLEET = SCOPE.by()


def _variables(*, models: bool = True, gpus: bool = True) -> list[g.Template]:
    """The variable chain: each one lists the values the ones before it leave."""
    base = catalog.REQUEST_SUCCESS.name
    target = [Matcher.of("namespace", NAMESPACE), Matcher.of("job", JOB)]
    instance = Matcher.of("instance", INSTANCE)
    out = [
        datasource(),
        label_values(NAMESPACE, base, title="Namespace"),
        label_values(JOB, base, filters=target[:1], title="Job"),
        label_values(INSTANCE, base, filters=target, title="Instance"),
    ]
    if models:
        model = Matcher.of("model", MODEL)
        out.append(label_values(MODEL, base, filters=[*target, instance], title="Model"))
        out.append(label_values(VERSION, base, filters=[*target, instance, model], title="Version"))
    if gpus:
        out.append(
            label_values(
                GPU,
                catalog.GPU_UTILIZATION.name,
                label="gpu_uuid",
                filters=[*target, instance],
                title="GPU",
            )
        )
    return out


def _links(current: str) -> list[Link]:
    targets = [
        ("Triton overview", OVERVIEW_UID),
        ("Triton model detail", MODEL_UID),
        ("Triton GPU and host", GPU_UID),
    ]
    return [Link.to(title, uid) for title, uid in targets if uid != current]


def _fleet_summary() -> list[g.Panel]:
    """Big numbers for the whole selection: instances, traffic, failures, time, backlog."""
    return [
        panels.instances(FLEET, width=4),
        panels.stat(
            "Requests per second",
            [Query(q.request_rate(FLEET), "succeeded")],
            unit=Unit.REQUESTS_PER_SECOND,
            description="Successful requests per second over every selected model.",
            width=4,
        ),
        panels.failure_ratio(FLEET, width=4),
        panels.stat(
            "Average request time",
            [Query(q.avg_latency(FLEET, Phase.REQUEST), "request")],
            unit=Unit.MICROSECONDS,
            description="End-to-end time per successful request, weighted by requests, over "
            "every selected model.",
            width=4,
        ),
        panels.stat(
            "Pending requests",
            [Query(q.pending_requests(FLEET), "pending")],
            unit=Unit.COUNT,
            description="Requests waiting for execution now, every selected model.",
            width=4,
        ),
        panels.gauge(
            "GPU utilization",
            [Query(q.mean_gpu_utilization(SCOPE), "GPUs")],
            unit=Unit.RATIO,
            thresholds=panels.triton.USAGE_THRESHOLDS,
            description="Average utilization of the selected GPUs.",
            width=4,
            height=4,
        ),
    ]


def overview() -> Dashboard:
    """Fleet throughput, failures by reason, latency by phase, queueing, GPU, CPU, memory."""
    return Dashboard(
        title="Triton overview",
        uid=OVERVIEW_UID,
        description="NVIDIA Triton Inference Server: every model on every selected instance.",
        variables=_variables(),
        links=_links(OVERVIEW_UID),
        panels=_fleet_summary(),
        rows=[
            Row(
                "Throughput",
                [
                    panels.request_rate(SCOPE),
                    panels.failures_by_reason(SCOPE),
                    panels.execution_rate(SCOPE),
                    panels.failure_ratio(SCOPE, width=12, height=8),
                ],
            ),
            Row(
                "Latency",
                [
                    panels.latency(SCOPE, Phase.REQUEST),
                    panels.latency_by_phase(FLEET),
                    panels.latency(SCOPE, Phase.QUEUE),
                    panels.first_response_percentiles(FLEET),
                ],
            ),
            Row(
                "Queue and batching",
                [
                    panels.pending_requests(SCOPE, width=8),
                    panels.avg_queued_requests(SCOPE, width=8),
                    panels.batch_size(SCOPE, width=8),
                ],
            ),
            Row("Models", [panels.models_table(SCOPE)]),
            Row(
                "GPU",
                [
                    panels.gpu_utilization(SCOPE, width=8),
                    panels.gpu_memory(SCOPE, width=8),
                    panels.gpu_power(SCOPE, width=8),
                ],
            ),
            Row(
                "CPU and memory",
                [
                    panels.cpu_utilization(SCOPE, width=8),
                    panels.cpu_memory(SCOPE, width=8),
                    panels.pinned_memory(SCOPE, width=8),
                ],
            ),
        ],
    )


def model_detail() -> Dashboard:
    """One model, or an ensemble with its composing steps: pick them in ``$model``."""
    return Dashboard(
        title="Triton model detail",
        uid=MODEL_UID,
        description="Pick a model, or an ensemble and its composing models, in the Model "
        "variable. Ensemble compute times are the sum over its steps.",
        variables=_variables(),
        links=_links(MODEL_UID),
        rows=[
            Row(
                "Traffic",
                [
                    panels.failure_ratio(SCOPE),
                    panels.successes_in_range(SCOPE),
                    panels.failures_in_range(SCOPE),
                    panels.stat(
                        "Average batch size",
                        [Query(q.avg_batch_size(SCOPE), SCOPE.legend)],
                        unit=Unit.NONE,
                        decimals=2,
                        description="Inferences per execution over the rate window.",
                    ),
                    panels.request_rate(SCOPE),
                    panels.failures_by_reason(SCOPE),
                ],
            ),
            Row(
                "Where the time goes",
                [
                    panels.latency_by_phase(SCOPE),
                    panels.latency(SCOPE, Phase.REQUEST),
                    panels.first_response_percentiles(SCOPE),
                    panels.summary_percentiles(SCOPE),
                ],
            ),
            Row(
                "Queue and batching",
                [
                    panels.pending_requests(SCOPE, width=8),
                    panels.batch_size(SCOPE, width=8),
                    panels.execution_rate(SCOPE, width=8),
                ],
            ),
            Row(
                "Response cache and loading",
                [panels.cache_hit_ratio(SCOPE), panels.model_load_time(SCOPE)],
                collapsed=True,
            ),
        ],
    )


def gpu_and_host() -> Dashboard:
    """GPUs (utilization, memory, power, energy) and hosts (CPU, memory, pinned memory)."""
    return Dashboard(
        title="Triton GPU and host",
        uid=GPU_UID,
        description="Server-wide families, sampled every --metrics-interval-ms (default 2 s).",
        variables=_variables(models=False),
        links=_links(GPU_UID),
        rows=[
            Row(
                "GPU",
                [
                    panels.gpu_utilization(SCOPE),
                    panels.gpu_memory(SCOPE),
                    panels.gpu_power(SCOPE),
                    panels.gpu_energy(SCOPE),
                ],
            ),
            Row(
                "Host",
                [
                    panels.cpu_utilization(SCOPE, width=8),
                    panels.cpu_memory(SCOPE, width=8),
                    panels.pinned_memory(SCOPE, width=8),
                ],
            ),
        ],
    )

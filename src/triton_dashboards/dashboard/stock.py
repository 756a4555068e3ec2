"""The stock dashboards: Triton overview, model detail, and GPU and host.

They share one set of template variables (datasource, namespace, job, instance, model,
version, GPU), chained so that each narrows the next, and one :class:`Scope` built from
them; each links to the other two, keeping the time range and the variables.

Each comes in two variants: on raw series (the default) and, with
``recording_rules=True`` (or a :class:`Recording` with its window), on the series the
recording rules of ``triton-dashboards rules`` write. The variants differ only in the
scope their panels read through, their uid (``-rec``), their title and their links, which
stay within the same variant. The template variables keep listing raw series: a label
lookup is cheap, and the choices then do not depend on the rules being loaded.
"""

from __future__ import annotations

from grafanalib import core as g

from triton_dashboards import catalog
from triton_dashboards.dashboard import panels
from triton_dashboards.dashboard.layout import Row
from triton_dashboards.dashboard.model import Dashboard, Link
from triton_dashboards.dashboard.panels import Query, Unit
from triton_dashboards.dashboard.variables import datasource, label_values
from triton_dashboards.promql import Matcher, Var
from triton_dashboards.query import recipes as q
from triton_dashboards.query.recipes import Phase
from triton_dashboards.query.recording import Recording
from triton_dashboards.query.scope import Scope

__all__ = [
    "GPU_UID",
    "MODEL_UID",
    "OVERVIEW_UID",
    "SCOPE",
    "gpu_and_host",
    "model_detail",
    "overview",
    "template_variables",
]

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
#: What a recorded variant appends to the uid and the title.
RECORDED_UID = "-rec"
RECORDED_TITLE = " (recording rules)"


class _Variant:
    """The scope, uids and title suffix of one variant (raw or recorded) of the dashboards."""

    def __init__(self, recording_rules: bool | Recording) -> None:
        recording = Recording() if recording_rules is True else recording_rules or None
        self.recording = recording
        self.scope = SCOPE.recorded(recording)
        self.fleet = self.scope.by()
        self.uid_suffix = RECORDED_UID if recording else ""
        self.title_suffix = RECORDED_TITLE if recording else ""

    def uid(self, uid: str) -> str:
        return uid + self.uid_suffix

    def title(self, title: str) -> str:
        return title + self.title_suffix

    def description(self, text: str) -> str:
        if self.recording is None:
            return text
        return (
            f"{text} Reads the recorded series of `triton-dashboards rules` (rates over "
            f"{self.recording.window}): load those rules into Prometheus first."
        )


def template_variables(*, models: bool = True, gpus: bool = True) -> list[g.Template]:
    """The variable chain: each one lists the values the ones before it leave.

    Public so that a dashboard of one's own gets the stock selection: pass these as
    ``Dashboard(variables=...)`` and read through :data:`SCOPE`, which they fill in.
    """
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


def _links(current: str, variant: _Variant) -> list[Link]:
    targets = [
        ("Triton overview", OVERVIEW_UID),
        ("Triton model detail", MODEL_UID),
        ("Triton GPU and host", GPU_UID),
    ]
    return [
        Link.to(variant.title(title), variant.uid(uid)) for title, uid in targets if uid != current
    ]


def _fleet_summary(variant: _Variant) -> list[g.Panel]:
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
            unit=Unit.MICROSECONDS,
            description="End-to-end time per successful request, weighted by requests, over "
            "every selected model.",
            width=4,
        ),
        panels.stat(
            "Pending requests",
            [Query(q.pending_requests(fleet), "pending")],
            unit=Unit.COUNT,
            description="Requests waiting for execution now, every selected model.",
            width=4,
        ),
        panels.gauge(
            "GPU utilization",
            [Query(q.mean_gpu_utilization(scope), "GPUs")],
            unit=Unit.RATIO,
            thresholds=panels.stock.USAGE_THRESHOLDS,
            description="Average utilization of the selected GPUs.",
            width=4,
            height=4,
        ),
    ]


def overview(recording_rules: bool | Recording = False) -> Dashboard:
    """Fleet throughput, failures by reason, latency by phase, queueing, GPU, CPU, memory."""
    variant = _Variant(recording_rules)
    scope, fleet = variant.scope, variant.fleet
    return Dashboard(
        title=variant.title("Triton overview"),
        uid=variant.uid(OVERVIEW_UID),
        description=variant.description(
            "NVIDIA Triton Inference Server: every model on every selected instance."
        ),
        variables=template_variables(),
        links=_links(OVERVIEW_UID, variant),
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
            Row(
                "CPU and memory",
                [
                    panels.cpu_utilization(scope, width=8),
                    panels.cpu_memory(scope, width=8),
                    panels.pinned_memory(scope, width=8),
                ],
            ),
        ],
    )


def model_detail(recording_rules: bool | Recording = False) -> Dashboard:
    """One model, or an ensemble with its composing steps: pick them in ``$model``."""
    variant = _Variant(recording_rules)
    scope = variant.scope
    return Dashboard(
        title=variant.title("Triton model detail"),
        uid=variant.uid(MODEL_UID),
        description=variant.description(
            "Pick a model, or an ensemble and its composing models, in the Model "
            "variable. Ensemble compute times are the sum over its steps."
        ),
        variables=template_variables(),
        links=_links(MODEL_UID, variant),
        rows=[
            Row(
                "Traffic",
                [
                    panels.failure_ratio(scope),
                    panels.successes_in_range(scope),
                    panels.failures_in_range(scope),
                    panels.stat(
                        "Average batch size",
                        [Query(q.avg_batch_size(scope), scope.legend)],
                        unit=Unit.NONE,
                        decimals=2,
                        description="Inferences per execution over the rate window.",
                    ),
                    panels.request_rate(scope),
                    panels.failures_by_reason(scope),
                ],
            ),
            Row(
                "Where the time goes",
                [
                    panels.latency_by_phase(scope),
                    panels.latency(scope, Phase.REQUEST),
                    panels.first_response_percentiles(scope),
                    panels.summary_percentiles(scope),
                ],
            ),
            Row(
                "Queue and batching",
                [
                    panels.pending_requests(scope, width=8),
                    panels.batch_size(scope, width=8),
                    panels.execution_rate(scope, width=8),
                ],
            ),
            Row(
                "Response cache and loading",
                [panels.cache_hit_ratio(scope), panels.model_load_time(scope)],
                collapsed=True,
            ),
        ],
    )


def gpu_and_host(recording_rules: bool | Recording = False) -> Dashboard:
    """GPUs (utilization, memory, power, energy) and hosts (CPU, memory, pinned memory)."""
    variant = _Variant(recording_rules)
    scope = variant.scope
    return Dashboard(
        title=variant.title("Triton GPU and host"),
        uid=variant.uid(GPU_UID),
        description=variant.description(
            "Server-wide families, sampled every --metrics-interval-ms (default 2 s)."
        ),
        variables=template_variables(models=False),
        links=_links(GPU_UID, variant),
        rows=[
            Row(
                "GPU",
                [
                    panels.gpu_utilization(scope),
                    panels.gpu_memory(scope),
                    panels.gpu_power(scope),
                    panels.gpu_energy(scope),
                ],
            ),
            Row(
                "Host",
                [
                    panels.cpu_utilization(scope, width=8),
                    panels.cpu_memory(scope, width=8),
                    panels.pinned_memory(scope, width=8),
                ],
            ),
        ],
    )

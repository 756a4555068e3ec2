"""What the stock dashboards share: the template variables, the scope they fill, the variants.

The variables (datasource, cluster, namespace, job, instance, model, version, GPU) are
chained so that each narrows the next, and fill in one :data:`SCOPE`. A :class:`Variant`
is raw or recorded: the scope its panels read through, its uid and title suffixes, its
links.

``cluster`` is for a central server (Thanos, Mimir, a Prometheus receiving remote write)
where every series carries the cluster it came from. It lists the label's values where
the label exists and is harmless where it does not: it includes All, whose value ``.*``
also matches a series without the label (Prometheus treats a missing label as the empty
value), so a single Prometheus sees every series. One cluster selected shows that
cluster; All shows the total over every cluster.
"""

from __future__ import annotations

from grafanalib import core as g

from triton_dashboards import catalog
from triton_dashboards.dashboard import panels as p
from triton_dashboards.dashboard.layout import Row
from triton_dashboards.dashboard.model import Dashboard, Link
from triton_dashboards.dashboard.variables import datasource, label_values
from triton_dashboards.promql import Matcher, Var
from triton_dashboards.query.recording import Recording
from triton_dashboards.query.scope import Scope

__all__ = [
    "CLUSTER_LABEL",
    "FLEET",
    "FLEET_SCOPE",
    "GPU_UID",
    "LLM_UID",
    "MODEL_UID",
    "OVERVIEW_UID",
    "RECORDED_TITLE",
    "RECORDED_UID",
    "SCOPE",
    "Variant",
    "host_row",
    "links",
    "template_variables",
]

OVERVIEW_UID = "triton-overview"
MODEL_UID = "triton-model"
GPU_UID = "triton-gpu-host"
LLM_UID = "triton-llm"

#: The label that tells clusters apart on a central server (``external_labels``).
CLUSTER_LABEL = "cluster"
CLUSTER = Var("cluster")
NAMESPACE = Var("namespace")
JOB = Var("job")
INSTANCE = Var("instance")
MODEL = Var("model")
VERSION = Var("version")
GPU = Var("gpu")

#: Every stock panel reads through this scope; the variables below fill it in.
SCOPE = (
    Scope(**{CLUSTER_LABEL: CLUSTER}, namespace=NAMESPACE, job=JOB, instance=INSTANCE)
    .model(MODEL, VERSION)
    .gpus(GPU)
)
#: The same series added up over every model: fleet-wide numbers.
FLEET = SCOPE.by()
#: :data:`SCOPE` without the instance matcher, for a dashboard without the Instance
#: variable: its recorded variant reads the fleet records (no pods, a quarter of the
#: series at 4 pods) instead of the per-target ones.
FLEET_SCOPE = (
    Scope(**{CLUSTER_LABEL: CLUSTER}, namespace=NAMESPACE, job=JOB).model(MODEL, VERSION).gpus(GPU)
)
#: What a recorded variant appends to the uid and the title.
RECORDED_UID = "-rec"
RECORDED_TITLE = " (recording rules)"


class Variant:
    """The scope, uids and title suffix of one variant (raw or recorded) of the dashboards.

    ``instances=False`` drops the Instance variable and its matcher: a fleet view whose
    recorded panels then read the fleet level of the recording rules.
    """

    def __init__(self, recording_rules: bool | Recording, *, instances: bool = True) -> None:
        recording = Recording() if recording_rules is True else recording_rules or None
        self.recording = recording
        self.instances = instances
        self.scope = (SCOPE if instances else FLEET_SCOPE).recorded(recording)
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

    def dashboard(
        self,
        uid: str,
        title: str,
        description: str,
        rows: list[Row],
        *,
        panels: list[g.Panel] | None = None,
        models: bool = True,
    ) -> Dashboard:
        """One stock dashboard of this variant: its uid, title, variables and links."""
        return Dashboard(
            title=self.title(title),
            uid=self.uid(uid),
            description=self.description(description),
            variables=template_variables(models=models, instances=self.instances),
            links=links(uid, self),
            panels=panels or [],
            rows=rows,
        )


def template_variables(
    *, models: bool = True, gpus: bool = True, instances: bool = True
) -> list[g.Template]:
    """The variable chain: each one lists the values the ones before it leave.

    Public so that a dashboard of one's own gets the stock selection: pass these as
    ``Dashboard(variables=...)`` and read through :data:`SCOPE` (:data:`FLEET_SCOPE`
    with ``instances=False``), which they fill in.
    """
    base = catalog.REQUEST_SUCCESS.name
    cluster = Matcher.of(CLUSTER_LABEL, CLUSTER)
    target = [cluster, Matcher.of("namespace", NAMESPACE), Matcher.of("job", JOB)]
    out = [
        datasource(),
        label_values(CLUSTER, base, label=CLUSTER_LABEL, title="Cluster"),
        label_values(NAMESPACE, base, filters=target[:1], title="Namespace"),
        label_values(JOB, base, filters=target[:2], title="Job"),
    ]
    if instances:
        out.append(label_values(INSTANCE, base, filters=target, title="Instance"))
        target = [*target, Matcher.of("instance", INSTANCE)]
    if models:
        model = Matcher.of("model", MODEL)
        out.append(label_values(MODEL, base, filters=target, title="Model"))
        out.append(label_values(VERSION, base, filters=[*target, model], title="Version"))
    if gpus:
        out.append(
            label_values(
                GPU,
                catalog.GPU_UTILIZATION.name,
                label="gpu_uuid",
                filters=target,
                title="GPU",
            )
        )
    return out


def links(current: str, variant: Variant) -> list[Link]:
    """Links to the other stock dashboards of the same variant."""
    targets = [
        ("Triton overview", OVERVIEW_UID),
        ("Triton model detail", MODEL_UID),
        ("Triton GPU and host", GPU_UID),
        ("Triton LLM", LLM_UID),
    ]
    return [
        Link.to(variant.title(title), variant.uid(uid)) for title, uid in targets if uid != current
    ]


def host_row(title: str, scope: Scope) -> Row:
    """CPU, host memory and pinned memory side by side: the host as every dashboard shows it."""
    return Row(
        title,
        [
            p.cpu_utilization(scope, width=8),
            p.cpu_memory(scope, width=8),
            p.pinned_memory(scope, width=8),
        ],
    )

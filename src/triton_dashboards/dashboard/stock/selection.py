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

import attrs

from triton_dashboards import catalog
from triton_dashboards.dashboard import panels as p
from triton_dashboards.dashboard.layout import Row
from triton_dashboards.dashboard.model import Dashboard, Link
from triton_dashboards.dashboard.schema.variable import Variable
from triton_dashboards.dashboard.stock.uids import changes, uids
from triton_dashboards.dashboard.variables import datasource, label_values
from triton_dashboards.promql import Matcher, Var
from triton_dashboards.query.recording import Recording
from triton_dashboards.query.scope import Scope, ScopeValue

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
    "Selection",
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


@attrs.frozen
class Selection:
    """The stock pickers and the scope they fill in, offered and read together.

    ``Selection()`` is the full chain (:data:`SCOPE`); ``models=False`` drops the Model and
    Version pickers and their matchers (pin a model with ``.scope.model("ner")``),
    ``instances=False`` the Instance one, ``gpus=False`` the GPU one, and
    ``namespace="triton"`` replaces the Namespace picker by that namespace. The scope never
    reads a variable the selection does not offer: a dashboard that took one without the
    other would not build (``unknown Grafana variable``).
    """

    namespace: str | None = None
    models: bool = True
    instances: bool = True
    gpus: bool = True

    @property
    def scope(self) -> Scope:
        """The scope every panel reads through: one matcher per picker, pinned values as such."""
        target: dict[str, ScopeValue] = {
            CLUSTER_LABEL: CLUSTER,
            "namespace": self.namespace or NAMESPACE,
            "job": JOB,
        }
        if self.instances:
            target["instance"] = INSTANCE
        scope = Scope(**target)
        if self.models:
            scope = scope.model(MODEL, VERSION)
        return scope.gpus(GPU) if self.gpus else scope

    @property
    def variables(self) -> list[Variable]:
        """The pickers, chained: each one lists the values the ones before it leave."""
        base = catalog.REQUEST_SUCCESS.name
        target = [Matcher.of(CLUSTER_LABEL, CLUSTER)]
        out: list[Variable] = [
            datasource(),
            label_values(CLUSTER, base, label=CLUSTER_LABEL, title="Cluster"),
        ]
        if self.namespace is None:
            out.append(label_values(NAMESPACE, base, filters=target, title="Namespace"))
        target.append(Matcher.of("namespace", self.namespace or NAMESPACE))
        out.append(label_values(JOB, base, filters=target, title="Job"))
        target.append(Matcher.of("job", JOB))
        if self.instances:
            out.append(label_values(INSTANCE, base, filters=target, title="Instance"))
            target.append(Matcher.of("instance", INSTANCE))
        if self.models:
            model = Matcher.of("model", MODEL)
            out.append(label_values(MODEL, base, filters=target, title="Model"))
            out.append(label_values(VERSION, base, filters=[*target, model], title="Version"))
        if self.gpus:
            gpu = catalog.GPU_UTILIZATION.name
            out.append(label_values(GPU, gpu, label="gpu_uuid", filters=target, title="GPU"))
        return out


#: Every stock panel reads through this scope; the variables below fill it in.
SCOPE = Selection().scope
#: The same series added up over every model: fleet-wide numbers.
FLEET = SCOPE.by()
#: :data:`SCOPE` without the instance matcher, for a dashboard without the Instance
#: variable: its recorded variant reads the fleet records (no pods, a quarter of the
#: series at 4 pods) instead of the per-target ones.
FLEET_SCOPE = Selection(instances=False).scope
#: What a recorded variant appends to the uid and the title.
RECORDED_UID = "-rec"
RECORDED_TITLE = " (recording rules)"


class Variant:
    """The scope, uids and title suffix of one variant (raw or recorded) of the dashboards.

    ``instances=False`` drops the Instance variable and its matcher: a fleet view whose
    recorded panels then read the fleet level of the recording rules. ``namespace`` pins
    one namespace in place of the Namespace variable. A variant changed from the stock
    one (:func:`.uids.changes`) takes a uid of its own (:mod:`.uids`).
    """

    def __init__(
        self,
        recording_rules: bool | Recording,
        *,
        instances: bool = True,
        namespace: str | None = None,
        uid_prefix: str | None = None,
        replace_stock: bool = False,
        ensembles: bool = False,
    ) -> None:
        recording = Recording() if recording_rules is True else recording_rules or None
        self.recording = recording
        self.instances = instances
        self.selection = Selection(namespace=namespace, instances=instances)
        self.scope = self.selection.scope.recorded(recording)
        self.fleet = self.scope.by()
        self.uid_suffix = RECORDED_UID if recording else ""
        self.title_suffix = RECORDED_TITLE if recording else ""
        self.tailored = changes(namespace=namespace, recording=recording, ensembles=ensembles)
        self.uids = uids(self.tailored, uid_prefix, replace_stock)

    def uid(self, uid: str) -> str:
        """This variant's uid of the stock dashboard ``uid``."""
        return self.uids.uid(uid) + self.uid_suffix

    def link_uid(self, uid: str) -> str:
        """The uid a link from this variant to the stock dashboard ``uid`` points at."""
        return self.uids.link(uid) + self.uid_suffix

    def title(self, title: str) -> str:
        return self.uids.title(title) + self.title_suffix

    def link_title(self, title: str) -> str:
        """The title of the dashboard :meth:`link_uid` points at."""
        return self.uids.link_title(title) + self.title_suffix

    def carried(self, *names: str) -> tuple[str, ...]:
        """The variables of ``names`` this variant offers (a pinned namespace is none)."""
        offered = {v.name for v in self.selection.variables}
        return tuple(name for name in names if name in offered)

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
        models: bool = True,
    ) -> Dashboard:
        """One stock dashboard of this variant: its uid, title, variables and links."""
        selection = attrs.evolve(self.selection, models=models)
        return Dashboard(
            title=self.title(title),
            uid=self.uid(uid),
            description=self.description(description),
            variables=selection.variables,
            links=links(uid, self),
            rows=rows,
        )


def template_variables(
    *, models: bool = True, gpus: bool = True, instances: bool = True, namespace: str | None = None
) -> list[Variable]:
    """The variables of ``Selection(...)``: each one lists the values the ones before it leave.

    Public so that a dashboard of one's own gets the stock selection. Read through the
    scope of the same :class:`Selection` (``Selection(models=False).scope``), which they fill
    in: :data:`SCOPE` reads every variable of the full chain.
    """
    return Selection(namespace, models, instances, gpus).variables


def links(current: str, variant: Variant) -> list[Link]:
    """Links to the other stock dashboards of the same variant."""
    targets = [
        ("Triton overview", OVERVIEW_UID),
        ("Triton model detail", MODEL_UID),
        ("Triton GPU and host", GPU_UID),
        ("Triton LLM", LLM_UID),
    ]
    return [
        Link.to(variant.link_title(title), variant.link_uid(uid))
        for title, uid in targets
        if uid != current
    ]


def host_row(title: str, scope: Scope) -> Row:
    """CPU, host memory and pinned memory side by side: the host as every dashboard shows it."""
    return Row(
        title,
        [
            p.cpu_utilization(scope),
            p.cpu_memory(scope),
            p.pinned_memory(scope),
        ],
        width=8,
    )

"""The Triton overview: is the fleet healthy, and where is it not, at any fleet size.

* Headline numbers (instant queries): instances, requests, failure ratio, request time,
  backlog, GPU utilization. Requests and request time count client requests where the
  ensembles' steps are declared (``overview(ensembles=...)``) and say that they count
  every model and step where they are not (:mod:`triton_dashboards.query.fleet`).
* The fleet over time: requests, failures by reason and request time, a few lines each.
* The worst models: top ``$k`` (default 10) by traffic, failure ratio, request time and
  queue time, then a table of every model, each linked to the model dashboard, where the
  per-model time series are.
* First responses now: the share within each bucket bound and the exact mean.
* GPUs and hosts now, one table row each; their history is on the GPU and host dashboard.

Every panel but three time series is one instant query, and no time series draws a line
per model: what a refresh draws does not grow with the fleet, and the three range queries
that must read every raw series (the fleet's lines) ask for at most 300 points
(:mod:`.interval`), so they read each sample about once.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from triton_dashboards import catalog
from triton_dashboards.dashboard import panels
from triton_dashboards.dashboard.layout import Row
from triton_dashboards.dashboard.model import Dashboard
from triton_dashboards.dashboard.panels import Query
from triton_dashboards.dashboard.panels import fleet as fp
from triton_dashboards.dashboard.panels import histogram as hp
from triton_dashboards.dashboard.panels.base import data_link
from triton_dashboards.dashboard.schema.variable import CustomVariable
from triton_dashboards.dashboard.stock.interval import with_resolution
from triton_dashboards.dashboard.stock.selection import (
    CLUSTER,
    GPU_UID,
    MODEL_UID,
    OVERVIEW_UID,
    Variant,
)
from triton_dashboards.dashboard.variables import custom
from triton_dashboards.query import recipes as q
from triton_dashboards.query.fleet import Ensemble, K, clients, counted
from triton_dashboards.query.recording import Recording

__all__ = ["K_CHOICES", "overview", "top_k_variable"]

#: The choices of the ``$k`` variable; the first of :data:`K_DEFAULT` is selected.
K_CHOICES = ("5", "10", "20", "50")
K_DEFAULT = "10"
#: The selection a link to another stock dashboard carries along (the overview has no
#: Instance variable: it is a fleet view, and its recorded variant reads the fleet records).
_CARRIED = ("datasource", CLUSTER.name, "namespace", "job")


def top_k_variable() -> CustomVariable:
    """``$k``: how many models each top-k panel lists (a custom variable, default 10)."""
    return custom(K, K_CHOICES, title="Top k", default=K_DEFAULT)


def _link_params(carried: Sequence[str], *labels: str) -> list[str]:
    kept = [f"${{{name}:queryparam}}" for name in carried]
    return kept + [f"var-{label}=${{__field.labels.{label}}}" for label in labels]


def _headline(variant: Variant, ensembles: Sequence[Ensemble]) -> Row:
    """Big numbers for the whole selection, each one instant query, 4 x 4 each above the
    first row."""
    scope, fleet = variant.scope, variant.fleet
    numbers = [
        panels.instances(fleet),
        fp.client_requests(fleet, ensembles),
        fp.client_failure_ratio(fleet, ensembles),
        fp.client_latency(fleet, ensembles),
        panels.stat(
            "Pending requests",
            [Query(q.pending_requests(fleet), "pending", instant=True)],
            unit=catalog.PENDING_REQUESTS.unit,
            description="Requests waiting for execution now, every selected model and step.",
            graph_mode="none",
        ),
        panels.gauge(
            "GPU utilization",
            [Query(q.mean_gpu_utilization(scope), "GPUs", instant=True)],
            unit=catalog.GPU_UTILIZATION.unit,
            thresholds=panels.stock.USAGE_THRESHOLDS,
            description="Average utilization of the selected GPUs now.",
        ),
    ]
    return Row("", numbers, width=4, height=4)


def overview(
    recording_rules: bool | Recording = False,
    *,
    ensembles: Sequence[Ensemble] = (),
    namespace: str | None = None,
    uid_prefix: str | None = None,
    replace_stock: bool = False,
) -> Dashboard:
    """Fleet headlines, the fleet over time, the worst models, GPUs and hosts.

    ``ensembles`` declares the deployment's ensembles and their steps, so the headline
    requests and request time count client requests; without them they say that they
    count every model and step. ``namespace`` pins one namespace. Either makes it a
    tailored overview, with a uid and title of its own (:mod:`.uids`: ``uid_prefix``, or
    ``replace_stock=True`` to keep the stock uid).
    """
    variant = Variant(
        recording_rules,
        instances=False,
        namespace=namespace,
        uid_prefix=uid_prefix,
        replace_stock=replace_stock,
        ensembles=bool(ensembles),
    )
    scope, fleet = variant.scope, variant.fleet
    client = clients(fleet, ensembles)
    carried = variant.carried(*_CARRIED)
    to_model = [
        data_link(
            "Model detail",
            variant.link_uid(MODEL_UID),
            _link_params(carried, "model", "version"),
        )
    ]
    to_gpu = [data_link("GPU and host", variant.link_uid(GPU_UID), _link_params(carried))]
    rows = [
        Row(
            "Fleet over time",
            [
                fp.fleet_traffic(client, ensembles),
                fp.fleet_failures(fleet),
                fp.fleet_latency(client, ensembles),
            ],
            width=8,
        ),
        Row(f"Worst models (top ${K.name}, now)", fp.worst_models(scope, to_model), width=6),
        Row("Models", [panels.models_table(scope, links=to_model)]),
        Row(
            "First responses now",
            [
                hp.first_response_shares_now(client, counted(ensembles)),
                hp.first_response_mean_now(client, counted(ensembles)),
            ],
            width=(16, 8),
            height=8,
        ),
        Row(
            "GPUs and hosts now",
            [fp.gpu_table(scope, links=to_gpu), fp.host_table(scope, links=to_gpu)],
            width=12,
        ),
    ]
    headline = _headline(variant, ensembles)
    dashboard = variant.dashboard(
        OVERVIEW_UID,
        "Triton overview",
        "NVIDIA Triton Inference Server: is the fleet healthy, and where is it not. Per-model "
        "history is on the model dashboard: click a model.",
        rows=with_resolution(variant, [headline, *rows]),
    )
    return attrs.evolve(dashboard, variables=[*dashboard.variables, top_k_variable()])

"""Every committed dashboard on a central Prometheus fed by two clusters, per cluster and in total.

Two cluster Prometheus servers (``external_labels: {cluster: east|west}``) scrape their own
simulated Triton pods every second and remote-write into a central Prometheus
(tests/federation.py), which also evaluates the recording rules of ``triton-dashboards
rules``: the Thanos/Mimir ruler way, where the rules see the ``cluster`` label (on a
cluster server they would not, external labels are added on the way out). East runs the
pods of tests/test_e2e.py, west a smaller NER deployment and a slow model, so per-cluster
numbers differ and a query that adds clusters together, or drops one, fails the 5 % rule.

With the same machinery as tests/test_e2e.py (Grafana's variable resolution, its
intervals, the truth table), on the central server:

* every query of every committed dashboard, raw and recorded, returns data with the
  ``cluster`` variable set to each cluster and to All (Grafana's ``.*``, and All expanded
  to the listed clusters);
* every panel of the truth table shows each cluster's workload with that cluster
  selected, and the workload of both clusters together with All. The NER dashboard,
  which has no cluster variable, shows the total;
* the fleet records (no pods, ``by (cluster, namespace, job, model, version)``), read by a
  view without the Instance variable, show the same truths.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import attrs
import pytest
import test_e2e as e2e
from federation import ClusterSpec, Federation

from triton_dashboards.dashboard import render
from triton_dashboards.dashboard.model import Dashboard
from triton_dashboards.dashboard.stock import selection as stock
from triton_dashboards.inspect import QueryContext, Variables
from triton_dashboards.prometheus import rules
from triton_dashboards.query import recipes as q

pytestmark = pytest.mark.e2e

EAST: dict[str, Any] = dict(e2e.PODS)
#: Pod names differ from east's: a simulated pod's GPU UUIDs derive from its name, and real
#: GPUs are never in two clusters.
WEST: dict[str, Any] = {
    "triton-w0": e2e.PODS["triton-0"].scaled(0.3),
    "triton-wslow": e2e.PODS["triton-slow"].scaled(0.5),
}
CLUSTERS = {"east": EAST, "west": WEST}
WINDOW = e2e.RECORDING.window
ALL = "All"


@attrs.frozen
class Central:
    """The running federation and one :class:`test_e2e.Cluster` view per selection."""

    federation: Federation
    views: Mapping[str, e2e.Cluster]


def _selected(selection: str) -> dict[str, list[str]] | None:
    return None if selection == ALL else {"cluster": [selection]}


@pytest.fixture(scope="module")
def central(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Central]:
    rules_file = tmp_path_factory.mktemp("rules") / "triton.rules.yml"
    rules_file.write_text(
        rules.render(rules.RulesConfig(recording=e2e.RECORDING)), encoding="utf-8"
    )
    specs = [ClusterSpec(name, pods) for name, pods in CLUSTERS.items()]
    with Federation(specs, central_rule_files=[rules_file]) as federation:
        first = 0.0
        for cluster in federation.clusters.values():
            cluster.prometheus.wait_for(f"count(up == 1) == {len(cluster.servers)}")
            stamps = cluster.prometheus.query("timestamp(up)")
            first = max(first, *(float(s["value"][1]) for s in stamps))
        end = math.ceil(first + e2e.RANGE)
        # Every scraped series has arrived past ``end``, and the central rules have run on it.
        federation.wait_for_clusters("up", after=end + 1, timeout=e2e.RANGE + 30)
        record = f"namespace_job_model_version:nv_inference_request_success:rate{WINDOW}"
        federation.wait_for_clusters(record, after=end + 1)
        groups = federation.central.rules()
        unhealthy = [r for g in groups for r in g["rules"] if r["health"] != "ok"]
        assert not unhealthy, f"rules failing on the central server: {unhealthy}"
        context = QueryContext(start=end - e2e.RANGE, end=end, scrape_interval=1.0)
        truths = {name: e2e.Truth(pods) for name, pods in CLUSTERS.items()}
        truths[ALL] = e2e.Truth({**EAST, **WEST})
        views = {k: e2e.Cluster(federation.central, context, t) for k, t in truths.items()}
        yield Central(federation, views)


def _has_cluster_variable(dashboard: Mapping[str, Any]) -> bool:
    return any(v["name"] == "cluster" for v in dashboard["templating"]["list"])


def _selections(name: str) -> Sequence[str]:
    return [*CLUSTERS, ALL] if _has_cluster_variable(e2e.DASHBOARDS[name]) else [ALL]


def test_workloads_differ_between_clusters_so_a_lost_label_shows() -> None:
    east, west = (e2e.Truth(pods) for pods in CLUSTERS.values())
    assert all(
        not math.isclose(east.models[k].success, west.models[k].success, rel_tol=0.15)
        for k in west.models
    )


def test_stock_dashboards_have_the_cluster_variable() -> None:
    stock = [n for n in e2e.DASHBOARDS if n.startswith("triton-")]
    assert stock and all(_has_cluster_variable(e2e.DASHBOARDS[n]) for n in stock)


@pytest.mark.parametrize(
    ("name", "selection", "all_values"),
    [
        (name, selection, all_values)
        for name in sorted(e2e.DASHBOARDS)
        for selection in _selections(name)
        for all_values in ([False, True] if selection == ALL else [False])
    ],
)
def test_every_target_returns_data_on_the_central_server(
    central: Central, name: str, selection: str, all_values: bool
) -> None:
    view = central.views[selection]
    variables = Variables(
        e2e.DASHBOARDS[name],
        view.prometheus,
        view.context,
        selected=_selected(selection),
        all_values=all_values,
    )
    problems = e2e.target_problems(view, name, variables)
    if "cluster" in variables.options:
        assert variables.options["cluster"] == sorted(CLUSTERS)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("check", "selection"),
    [(c, s) for c in e2e.ALL_CHECKS for s in _selections(c.dashboard)],
    ids=lambda v: str(v),
)
def test_panel_shows_each_clusters_truth_and_the_total(
    central: Central, check: e2e.Check, selection: str
) -> None:
    view = central.views[selection]
    dashboard = e2e.DASHBOARDS[check.dashboard]
    problems = e2e.check_truth(view, dashboard, check, _selected(selection))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("level", ["instance_model_version", "namespace_job_model_version"])
def test_rules_on_the_central_server_keep_each_cluster(central: Central, level: str) -> None:
    """Per-target and fleet records alike: one series set per cluster, none without."""
    record = f"{level}:nv_inference_request_success:rate{WINDOW}"
    at = central.views[ALL].context.end
    got = central.federation.query(f"count by (cluster) ({record})", at)
    assert {r["metric"].get("cluster", "") for r in got} == set(CLUSTERS)


# --- the fleet level: a dashboard without the Instance variable --------------------------

#: Per-model quantities a fleet view shows, each recorded at the fleet level.
FLEET_QUERIES = {
    "request rate": q.request_rate,
    "failure ratio": q.failure_ratio,
    "request latency": lambda scope: q.avg_latency(scope, q.Phase.REQUEST),
    "batch size": q.avg_batch_size,
}


def _fleet_dashboard() -> dict[str, Any]:
    """The stock variables without Instance, and a panel per quantity on the fleet records."""
    scope = stock.FLEET_SCOPE.recorded(e2e.RECORDING)
    board = render.to_json(
        Dashboard(title="fleet", uid="fleet", variables=stock.template_variables(instances=False))
    )
    board["panels"] = [
        {"title": title, "targets": [{"refId": "A", "expr": str(query(scope)), "instant": True}]}
        for title, query in FLEET_QUERIES.items()
    ]
    return board


def test_the_fleet_scope_reads_only_fleet_records() -> None:
    exprs = [t["expr"] for p in _fleet_dashboard()["panels"] for t in p["targets"]]
    assert all("namespace_job_model_version" in e and "instance" not in e for e in exprs)


@pytest.mark.parametrize("selection", [*CLUSTERS, ALL])
@pytest.mark.parametrize("quantity", list(FLEET_QUERIES))
def test_fleet_records_show_each_clusters_truth_and_the_total(
    central: Central, quantity: str, selection: str
) -> None:
    check = e2e.Check("fleet", quantity, "A", quantity)
    view = central.views[selection]
    problems = e2e.check_truth(view, _fleet_dashboard(), check, _selected(selection))
    assert not problems, "\n".join(problems)

"""Many clusters through one central Prometheus: labels, rates and recorded series arrive.

Two cluster Prometheus servers (``external_labels: {cluster: east|west}``) scrape their
own simulated Triton pods every second and remote-write into a central Prometheus
(tests/federation.py). East runs two pods of the reference NER deployment, west one pod
at 30 % of its traffic: per-cluster rates differ, so a query that loses the ``cluster``
label, or a cluster whose samples do not arrive, gives numbers that fail the 5 % rule.

* (a) every series on the central server carries ``cluster``, with the cluster whose
  pods it came from;
* (b) per-cluster and total request rates on the central server equal the simulated
  workloads within 5 %;
* (c) a recording rule evaluated on the cluster servers arrives centrally with the
  ``cluster`` label, though the cluster servers' own copies of it have none: external
  labels are attached on remote write, not in the local TSDB, so a rule's ``by
  (cluster)`` on a cluster server groups by a label that is not there (a no-op) and the
  label still arrives.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml
from federation import ClusterSpec, Federation, RemoteWritingPrometheus

from triton_dashboards.simulator import Workload
from triton_dashboards.validation import InvalidValue

pytestmark = pytest.mark.e2e

TOLERANCE = 0.05
#: Rate window of every query here: five 1 s scrapes.
WINDOW = "5s"
#: Seconds of data before the queried instant: the window plus a scrape, so the window
#: holds scraped samples only.
SETTLE = 6.0
RECORD = "model_version:nv_inference_request_success:rate5s"
RECORD_BY_CLUSTER = "cluster_model_version:nv_inference_request_success:rate5s"
RATE = f"rate(nv_inference_request_success[{WINDOW}])"
SPECS = (
    ClusterSpec("east", {"triton-0": Workload.default(), "triton-1": Workload.default()}),
    ClusterSpec("west", {"triton-0": Workload.default().scaled(0.3)}),
)

Key = tuple[str, ...]


def _rules_file(path: Path) -> Path:
    """One record without ``cluster`` and one that asks for it, on the cluster servers."""
    rules = [
        {"record": RECORD, "expr": f"sum by (model, version) ({RATE})"},
        {"record": RECORD_BY_CLUSTER, "expr": f"sum by (cluster, model, version) ({RATE})"},
    ]
    groups = {"groups": [{"name": "federation-test", "interval": "1s", "rules": rules}]}
    path.write_text(yaml.safe_dump(groups, sort_keys=False), encoding="utf-8")
    return path


class Fleet:
    """The running federation and the instant every query here is evaluated at."""

    def __init__(self, federation: Federation, at: float) -> None:
        self.federation = federation
        self.at = at

    def values(self, expr: str, *labels: str) -> dict[Key, float]:
        """``expr`` on the central server at :attr:`at`, keyed by the ``labels`` values."""
        result = self.federation.query(expr, self.at)
        return {tuple(r["metric"].get(k, "") for k in labels): float(r["value"][1]) for r in result}


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fleet]:
    rules = _rules_file(tmp_path_factory.mktemp("rules") / "federation.rules.yml")
    with Federation(SPECS, rule_files=[rules]) as federation:
        first = 0.0
        for cluster in federation.clusters.values():
            cluster.prometheus.wait_for(f"count(up == 1) == {len(cluster.servers)}")
            stamps = cluster.prometheus.query("timestamp(up)")
            first = max(first, *(float(s["value"][1]) for s in stamps))
        at = math.ceil(first + SETTLE)
        # Every scraped and recorded series has a sample after ``at`` centrally: nothing
        # of the queried window is still in a remote-write queue.
        federation.wait_for_clusters("up", after=at + 1, timeout=SETTLE + 30)
        federation.wait_for_clusters(RECORD, after=at + 1)
        yield Fleet(federation, at)


def _truth(pods: Mapping[str, Workload]) -> dict[Key, float]:
    """Requests per second by (model, version), summed over a cluster's pods."""
    total: dict[Key, float] = {}
    for workload in pods.values():
        for t in workload.truths():
            key = (t.model, t.version)
            total[key] = total.get(key, 0.0) + t.request_rate
    return total


def _per_cluster() -> dict[Key, float]:
    return {(s.name, *k): v for s in SPECS for k, v in _truth(s.pods).items()}


def _total() -> dict[Key, float]:
    total: dict[Key, float] = {}
    for (_, *key), value in _per_cluster().items():
        total[tuple(key)] = total.get(tuple(key), 0.0) + value
    return total


def _mismatches(got: Mapping[Key, float], want: Mapping[Key, float]) -> list[str]:
    problems = [f"missing series {k}" for k in sorted(set(want) - set(got))]
    problems += [f"unexpected series {k} = {got[k]}" for k in sorted(set(got) - set(want))]
    problems += [
        f"{k}: central shows {got[k]:.6g}, truth {want[k]:.6g}"
        for k in sorted(set(got) & set(want))
        if not math.isclose(got[k], want[k], rel_tol=TOLERANCE)
    ]
    return problems


# --- (a) labels -------------------------------------------------------------------------


def test_no_series_reaches_the_central_server_without_a_cluster_label(fleet: Fleet) -> None:
    assert fleet.values('count({__name__=~".+", cluster=""})') == {}


def test_every_scraped_series_carries_the_cluster_its_pod_runs_in(fleet: Fleet) -> None:
    """(cluster, instance) pairs centrally are exactly each cluster's own targets."""
    got = set(fleet.values('count by (cluster, instance) ({__name__=~".+", instance!=""})',
                           "cluster", "instance"))  # fmt: skip
    want = {(c.name, i) for c in fleet.federation.clusters.values() for i in c.instances}
    assert got == want


# --- (b) rates --------------------------------------------------------------------------


def test_workloads_differ_between_clusters_so_a_lost_label_shows() -> None:
    east, west = (_truth(s.pods) for s in SPECS)
    assert all(not math.isclose(east[k], west[k], rel_tol=3 * TOLERANCE) for k in east)


def test_request_rate_per_cluster_equals_each_clusters_workload(fleet: Fleet) -> None:
    got = fleet.values(f"sum by (cluster, model, version) ({RATE})", "cluster", "model", "version")
    assert not _mismatches(got, _per_cluster())


def test_total_request_rate_equals_every_clusters_workload_together(fleet: Fleet) -> None:
    got = fleet.values(f"sum by (model, version) ({RATE})", "model", "version")
    assert not _mismatches(got, _total())


# --- (c) recording rules on the cluster servers -----------------------------------------


@pytest.mark.parametrize("record", [RECORD, RECORD_BY_CLUSTER])
def test_records_made_on_cluster_servers_arrive_with_their_cluster(
    fleet: Fleet, record: str
) -> None:
    got = fleet.values(record, "cluster", "model", "version")
    assert not _mismatches(got, _per_cluster())


@pytest.mark.parametrize("record", [RECORD, RECORD_BY_CLUSTER])
def test_cluster_servers_own_records_have_no_cluster_label(fleet: Fleet, record: str) -> None:
    """External labels are added on the way out: locally, ``by (cluster)`` finds nothing."""
    for cluster in fleet.federation.clusters.values():
        local = cluster.prometheus.query(record, fleet.at)
        assert local, f"{cluster.name}: no {record} on the cluster server"
        assert all("cluster" not in s["metric"] for s in local)


# --- the harness without servers --------------------------------------------------------


def _config(label: str) -> dict[str, Any]:
    server = RemoteWritingPrometheus(
        external_labels={label: "east"},
        remote_write_url="http://127.0.0.1:9/api/v1/write",
        scrape_targets=["127.0.0.1:8002"],
    )
    document: dict[str, Any] = yaml.safe_load(server.render_config())
    return document


def test_cluster_label_name_is_configurable() -> None:
    document = _config("k8s_cluster")
    assert document["global"]["external_labels"] == {"k8s_cluster": "east"}
    (remote,) = document["remote_write"]
    assert remote["url"] == "http://127.0.0.1:9/api/v1/write"
    assert remote["queue_config"]["batch_send_deadline"] == "100ms"
    assert document["scrape_configs"][0]["static_configs"][0]["targets"] == ["127.0.0.1:8002"]


def test_an_invalid_cluster_label_name_is_refused_before_anything_starts() -> None:
    with pytest.raises(InvalidValue, match="cluster label"):
        Federation(SPECS, label="cluster-name")

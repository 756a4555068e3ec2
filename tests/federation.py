"""Several "clusters" remote-writing into one central Prometheus, all on 127.0.0.1.

Teams with more than one Kubernetes cluster run a Prometheus per cluster and one central,
Prometheus-compatible store (Thanos Receive, Mimir, or a Prometheus with
``--web.enable-remote-write-receiver``) where each cluster's series carry a ``cluster``
label set by ``global.external_labels``. Dashboards and rules that must work there are
tested on exactly that arrangement, with real parts:

* per cluster, simulated Triton pods (:func:`triton_dashboards.simulator.serve`, port 0)
  and a Prometheus scraping them every second, with ``external_labels: {<label>: <name>}``
  and a ``remote_write`` to the central server whose batch send deadline is 100 ms, so
  samples arrive well within a scrape interval instead of the default 5 s;
* one central Prometheus (Debian's 2.42 has the receiver flag too)
  with no scrape jobs: everything it holds came over remote write.

External labels are attached when samples leave a server (remote write, federation,
alerts), never in its own TSDB: a cluster server's local rules and queries do not see the
label; the central server does, on scraped and recorded series alike.

    with Federation([ClusterSpec("east", {"triton-0": w}), ...]) as fleet:
        fleet.wait_for_clusters()
        fleet.query('sum by (cluster) (rate(nv_inference_request_success[5s]))')

Every server is stopped on exit, cluster servers first (their remote-write queues flush
into a central server that is still up, within ``--storage.remote.flush-deadline=1s``),
and each one dies with the test process anyway (tests/prometheus_server.py).
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

import attrs
import yaml
from prometheus_server import PrometheusServer, require_prometheus

from triton_dashboards.simulator import Server, Workload, serve
from triton_dashboards.validation import check_label_name

__all__ = ["Cluster", "ClusterSpec", "Federation", "RemoteWritingPrometheus"]

#: How long the central server may take to hold data from every cluster: the first scrape
#: lands 5-6 s after a cluster server starts (measured on Prometheus 2.42), remote write
#: adds about 1-2 s.
ARRIVAL_TIMEOUT = 30.0
#: Remote-write queue settings for seconds-scale tests: send every 100 ms, retry quickly.
#: Rules on the central server see a sample only once it arrives: a rate over a window of
#: a few seconds loses the part of the window still in the queue (Prometheus extrapolates
#: half a scrape at most), so the test's lag must stay well below its 1 s scrape.
QUEUE_CONFIG = {"batch_send_deadline": "100ms", "min_backoff": "100ms", "max_backoff": "1s"}


class RemoteWritingPrometheus(PrometheusServer):
    """A :class:`PrometheusServer` with ``global.external_labels`` and one ``remote_write``.

    Only the generated config grows; everything else (port, TSDB, stop, API) is the
    parent's, so the test launcher stays the one place that starts Prometheus.
    """

    def __init__(
        self, *, external_labels: Mapping[str, str], remote_write_url: str, **kwargs: Any
    ) -> None:
        # A flush on shutdown waits up to this long for the receiver (default 1 min).
        extra = [*kwargs.pop("extra_args", ()), "--storage.remote.flush-deadline=1s"]
        super().__init__(extra_args=extra, **kwargs)
        self.external_labels = dict(external_labels)
        self.remote_write_url = remote_write_url

    def render_config(self) -> str:
        document: dict[str, Any] = yaml.safe_load(super().render_config())
        document["global"]["external_labels"] = self.external_labels
        document["remote_write"] = [
            {
                "url": self.remote_write_url,
                "remote_timeout": "5s",
                "queue_config": QUEUE_CONFIG,
                "metadata_config": {"send": False},
            }
        ]
        return yaml.safe_dump(document, sort_keys=False)


@attrs.frozen
class ClusterSpec:
    """One cluster: its name (the label's value) and its pods' workloads by pod name."""

    name: str
    pods: Mapping[str, Workload]


@attrs.frozen
class Cluster:
    """A running cluster: its Prometheus and its simulated pods by pod name."""

    name: str
    prometheus: PrometheusServer
    servers: Mapping[str, Server]
    pods: Mapping[str, Workload]

    @property
    def instances(self) -> set[str]:
        """The ``instance`` label values its scrape targets get (``host:port``)."""
        return {f"{s.host}:{s.port}" for s in self.servers.values()}


class Federation:
    """Cluster Prometheus servers remote-writing into a central one; a context manager.

    ``label`` is the external label's name (``cluster`` by default, as Thanos and Mimir
    setups commonly use). ``rule_files`` are loaded by every cluster server (not by the
    central one), to show how locally recorded series arrive centrally. Each target also
    gets ``namespace`` and ``pod`` labels, as Kubernetes relabelling would set.
    ``central_rule_files`` are loaded by the central server, which evaluates them every
    scrape interval over what has arrived: the Thanos/Mimir ruler way, where rules see the
    ``cluster`` label.
    """

    central: PrometheusServer
    clusters: dict[str, Cluster]

    def __init__(
        self,
        specs: Sequence[ClusterSpec],
        *,
        label: str = "cluster",
        rule_files: Sequence[Path] = (),
        central_rule_files: Sequence[Path] = (),
        scrape_interval: str = "1s",
        namespace: str = "triton",
    ) -> None:
        names = [s.name for s in specs]
        if len(set(names)) != len(names) or not names:
            raise ValueError(f"cluster names must be distinct and not empty: {names}")
        self.specs = tuple(specs)
        self.label = check_label_name(label, "cluster label")
        self.rule_files = tuple(rule_files)
        self.central_rule_files = tuple(central_rule_files)
        self.scrape_interval = scrape_interval
        self.namespace = namespace
        self.clusters = {}
        self._stack = contextlib.ExitStack()

    def start(self) -> Federation:
        """Start the central server, then each cluster's pods and Prometheus."""
        require_prometheus()
        try:
            # ExitStack unwinds last-in first-out: clusters stop before the central server.
            self.central = self._stack.enter_context(
                PrometheusServer(
                    extra_args=["--web.enable-remote-write-receiver"],
                    rule_files=self.central_rule_files,
                    evaluation_interval=self.scrape_interval,
                )
            )
            for spec in self.specs:
                self.clusters[spec.name] = self._start_cluster(spec)
        except BaseException:
            self.stop()
            raise
        return self

    def _start_cluster(self, spec: ClusterSpec) -> Cluster:
        servers = {
            pod: self._stack.enter_context(serve(w, host="127.0.0.1", port=0, pod=pod))
            for pod, w in spec.pods.items()
        }
        prometheus = self._stack.enter_context(
            RemoteWritingPrometheus(
                external_labels={self.label: spec.name},
                remote_write_url=f"{self.central.url}/api/v1/write",
                scrape_targets=[s.url for s in servers.values()],
                scrape_interval=self.scrape_interval,
                evaluation_interval=self.scrape_interval,
                rule_files=self.rule_files,
                labels={"namespace": self.namespace},
                target_labels={s.url: {"pod": pod} for pod, s in servers.items()},
            )
        )
        return Cluster(spec.name, prometheus, servers, spec.pods)

    def stop(self) -> None:
        """Stop every server and simulator; safe to call twice."""
        self._stack.close()

    def __enter__(self) -> Federation:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # --- on the central server ------------------------------------------------------

    def query(self, expr: str, time: float | None = None) -> list[dict[str, Any]]:
        """An instant query on the central server."""
        return self.central.query(expr, time)

    def latest(self, expr: str = "up") -> dict[str, float]:
        """Per cluster, the newest timestamp of ``expr``'s series on the central server."""
        result = self.query(f"min by ({self.label}) (timestamp({expr}))")
        return {r["metric"].get(self.label, ""): float(r["value"][1]) for r in result}

    def wait_for_clusters(
        self, expr: str = "up", after: float = -math.inf, timeout: float = ARRIVAL_TIMEOUT
    ) -> dict[str, float]:
        """Wait until the central server holds ``expr`` from every cluster, newer than
        ``after`` (a Unix time) on every series; the newest timestamps by cluster.

        With ``after`` set to the end of a query's window, every sample in that window
        has arrived: remote write sends each series' samples in order.
        """
        want = set(self.clusters)

        def arrived(result: list[dict[str, Any]]) -> bool:
            times = {r["metric"].get(self.label, ""): float(r["value"][1]) for r in result}
            return want <= set(times) and all(times[c] > after for c in want)

        self.central.wait_for(
            f"min by ({self.label}) (timestamp({expr}))", arrived, timeout=timeout, poll=0.2
        )
        return self.latest(expr)

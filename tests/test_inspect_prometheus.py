"""The Prometheus client of ``triton_dashboards.inspect``: one-line errors that say what to
do, the unreachable server told apart from a rejected query, and the scrape interval read
from a real server's targets."""

from __future__ import annotations

import socket
import time

import pytest
from plain_http import not_found_page, serving
from prometheus_server import PrometheusServer

from triton_dashboards.inspect import (
    Prometheus,
    PrometheusError,
    PrometheusUnreachable,
    QueryContext,
    run_dashboard,
)
from triton_dashboards.simulator import Workload, serve


@pytest.mark.parametrize("url", ["prometheus:9090", "ftp://host/", "http://", ""])
def test_a_url_that_is_not_http_is_refused_with_an_example(url: str) -> None:
    with pytest.raises(PrometheusUnreachable, match="write it like http://prometheus:9090"):
        Prometheus(url)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_nothing_listening_is_unreachable_in_one_line() -> None:
    client = Prometheus(f"http://127.0.0.1:{_closed_port()}", timeout=2)
    with pytest.raises(PrometheusUnreachable) as caught:
        client.query("up")
    message = str(caught.value)
    assert "\n" not in message and "check the URL" in message


def test_a_web_page_that_is_not_prometheus_says_so() -> None:
    with (
        serving(not_found_page) as (url, _),
        pytest.raises(PrometheusUnreachable, match="is this a Prometheus URL"),
    ):
        Prometheus(url, timeout=2).labels()


def test_a_slow_server_times_out_instead_of_hanging() -> None:
    def slow(path: str) -> tuple[int, str, bytes, int | None]:
        time.sleep(1.5)
        return 200, "application/json", b'{"status":"success","data":[]}', None

    with serving(slow) as (url, _):
        started = time.monotonic()
        with pytest.raises(PrometheusUnreachable, match="did not answer"):
            Prometheus(url, timeout=0.3).labels()
    assert time.monotonic() - started < 3


def test_with_no_target_the_scrape_interval_is_the_global_one(
    prometheus: PrometheusServer,
) -> None:
    assert not prometheus.targets()
    assert prometheus.read_scrape_interval() == 1.0  # the fixture's global 1s


def test_a_rejected_query_is_one_line_with_the_query(prometheus: PrometheusServer) -> None:
    client = Prometheus(prometheus.url)
    with pytest.raises(PrometheusError) as caught:
        client.query("sum(rate(x[5m])")
    assert not isinstance(caught.value, PrometheusUnreachable)
    assert "\n" not in str(caught.value) and "sum(rate(x[5m])" in str(caught.value)


@pytest.mark.e2e
def test_scrape_interval_and_a_dashboard_refresh_on_a_real_server(prometheus_binary: str) -> None:
    """The interval is the server's (2 s), and run_dashboard runs instant and range targets."""
    with (
        serve(Workload.default(), port=0) as triton,
        PrometheusServer(scrape_targets=[triton.url], scrape_interval="2s") as server,
    ):
        server.wait_for("count_over_time(up[20s]) >= 3", timeout=30)
        assert server.read_scrape_interval() == 2.0
        dashboard = {
            "panels": [
                {
                    "title": "up",
                    "targets": [
                        {"refId": "A", "expr": "up{job=~'$job'}", "instant": True},
                        {"refId": "B", "expr": "rate(up[$__rate_interval])"},
                        {"refId": "C", "expr": "nothing_here"},
                        {"refId": "D", "expr": "rate(up[1m]"},
                    ],
                }
            ],
            "templating": {
                "list": [
                    {
                        "name": "job",
                        "type": "query",
                        "query": {"query": "label_values(up, job)"},
                        "current": {"value": "triton"},
                    }
                ]
            },
        }
        context = QueryContext.last(60, scrape_interval=2)
        [panel] = run_dashboard(dashboard, server, context).panels
    a, b, c, d = panel.targets
    assert a.instant and a.expr == "up{job=~'triton'}" and a.has_data
    assert not b.instant and b.expr == "rate(up[8s])" and "values" in b.series[0]
    assert not c.has_data and c.error is None
    assert d.error and "\n" not in d.error and not d.series
    assert panel.has_data and panel.errors == [d.error]

"""Fixtures every test module shares: the Grafana double, promtool, Prometheus, the test data.

Written once here so that no test module starts its own copy. Tests that need a tool the
machine lacks are skipped locally and fail with CI=true (tests/_support.py), so a CI run
cannot pass by checking nothing.

Markers (declared in pyproject.toml, ``--strict-markers``): ``e2e`` marks the slow
end-to-end tests (a real Prometheus, or the package installed from a wheel), so that
``pytest -m "not e2e"`` is a quick run; ``make test`` runs everything.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from _support import GRAFANA_TOKEN, TESTDATA, require_tool
from grafana_double import GrafanaDouble
from prometheus_server import PrometheusServer

from triton_dashboards.preview.demo import Demo


@pytest.fixture
def double() -> Iterator[GrafanaDouble]:
    """A Grafana API double on 127.0.0.1 that accepts :data:`_support.GRAFANA_TOKEN`."""
    with GrafanaDouble(token=GRAFANA_TOKEN) as running:
        yield running


@pytest.fixture(scope="session")
def promtool() -> str:
    """Path of the real ``promtool`` (Debian package ``prometheus``)."""
    return require_tool("promtool")


@pytest.fixture(scope="session")
def prometheus_binary() -> str:
    """Path of the real ``prometheus`` (Debian package ``prometheus``)."""
    return require_tool("prometheus")


@pytest.fixture
def prometheus(prometheus_binary: str) -> Iterator[PrometheusServer]:
    """A running Prometheus with the default config (1 s intervals, no targets), stopped after."""
    with PrometheusServer() as server:
        yield server


@pytest.fixture(scope="session")
def preview_demo(prometheus_binary: str, promtool: str) -> Iterator[Demo]:
    """The demo Prometheus of ``preview --demo`` (an hour of the simulator's pods and the
    stock recording rules), started once for every test that draws from it."""
    from triton_dashboards import rules
    from triton_dashboards.preview.backfill import Target
    from triton_dashboards.preview.demo import demo_prometheus
    from triton_dashboards.simulator.demo import demo_pods

    targets = [Target(pod.labels, pod.scrape()) for pod in demo_pods()]
    with demo_prometheus(targets, rules.render(rules.RulesConfig())) as running:
        yield running


@pytest.fixture(scope="session")
def testdata() -> Path:
    """The repository's test data, ``tests/data/`` (sources and licences in its READMEs)."""
    return TESTDATA


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that asks for a running Prometheus is end-to-end, wherever it is written."""
    for item in items:
        names = getattr(item, "fixturenames", ())
        if "prometheus" in names or "preview_demo" in names:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A fresh dashboards repository: an empty ``dashboards/`` in a temporary directory."""
    (tmp_path / "dashboards").mkdir()
    return tmp_path

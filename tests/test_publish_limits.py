"""Limits before the wire (issue 19): a dashboard larger than Grafana accepts is refused before
it is sent, a 413 says what it is, and a Viewer's dry run says what the real run would, on
the double's profiles 11, 12 and 13 over real HTTP."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from _support import GRAFANA_TOKEN as TOKEN
from grafana_double import GrafanaDouble
from plain_http import Answer, serving
from test_cli_publish import FAST, assert_one_line_error, grafana_env, run
from test_publish import make

from triton_dashboards.grafana import settings
from triton_dashboards.grafana.client import GrafanaClient, GrafanaConfig
from triton_dashboards.grafana.discovery import open_api
from triton_dashboards.grafana.errors import Forbidden, GrafanaError
from triton_dashboards.grafana.local import (
    InputError,
    LocalDashboard,
    check_size,
    dump,
    load_dashboards,
)
from triton_dashboards.grafana.publish import Publisher
from triton_dashboards.grafana.report import Status

PROFILES = ("11", "12", "13")


@pytest.fixture(params=PROFILES)
def double(request: pytest.FixtureRequest) -> Iterator[GrafanaDouble]:
    with GrafanaDouble(profile=request.param, token=TOKEN) as running:
        yield running


def api_of(double: GrafanaDouble) -> object:
    client = GrafanaClient(GrafanaConfig(double.url, token=TOKEN, backoff=0.001))
    return open_api(client, "auto")


def huge(uid: str, size: int) -> LocalDashboard:
    """A dashboard whose JSON is about ``size`` bytes: one text panel that long."""
    data = copy.deepcopy(make(uid).dashboard)
    data["panels"].append({"id": 99, "type": "text", "options": {"content": "x" * size}})
    return LocalDashboard(data)


def test_a_dashboard_over_grafanas_limit_is_refused_before_upload(
    double: GrafanaDouble, tmp_path: Path
) -> None:
    (tmp_path / "small.json").write_text(dump(make("small").dashboard))
    big = huge("big", settings.MAX_DASHBOARD_BYTES + 1024)
    (tmp_path / "big.json").write_text(dump(big.dashboard))
    with pytest.raises(InputError) as caught:
        load_dashboards(sorted(tmp_path.glob("*.json")))
    said = str(caught.value)
    assert "big.json is 16.0 MiB as sent" in said and "16 MiB Grafana accepts" in said
    result = run("publish", *FAST, "--dir", str(tmp_path), cwd=tmp_path, **grafana_env(double))
    assert_one_line_error(result, "big.json", "MiB", "split it")
    assert sum(double.count(m) for m in ("POST", "PUT")) == 0
    assert double.count() == 0  # nothing at all was sent


def test_a_dashboard_just_under_the_limit_passes_the_check() -> None:
    check_size(huge("fits", settings.MAX_DASHBOARD_BYTES - 4096))
    with pytest.raises(InputError):
        check_size(huge("over", settings.MAX_DASHBOARD_BYTES))


@pytest.mark.parametrize("profile", ["12", "13"])  # Grafana 11 leaves it to a proxy: next test
def test_a_413_from_grafana_says_what_it_is(profile: str) -> None:
    with GrafanaDouble(profile=profile, token=TOKEN) as double:
        double.max_body_bytes = 1500  # as a Grafana (or a proxy) with a lower limit would
        report = Publisher(api_of(double)).publish([make("d0", panels=8)])  # type: ignore[arg-type]
    [outcome] = report.outcomes
    assert outcome.status is Status.FAILED
    assert "too large for Grafana or a proxy in front of it (413" in outcome.detail
    assert "GRAFANA_URL" not in outcome.detail and "MiB" in outcome.detail


def test_a_413_page_from_a_proxy_says_what_it_is() -> None:
    page = b"<html><head><title>413 Request Entity Too Large</title></head></html>"

    def proxy(path: str) -> Answer:
        return 413, "text/html", page, None

    with (
        serving(proxy) as (url, _),
        GrafanaClient(GrafanaConfig(url, retries=0)) as client,
        pytest.raises(GrafanaError) as caught,
    ):
        client.save_dashboard(make("d0").dashboard, folder_uid="", message="m")
    said = caught.value.message
    assert "too large for Grafana or a proxy in front of it (413" in said
    assert "client_max_body_size" in said and "GRAFANA_URL" not in said


def test_a_viewers_dry_run_says_what_the_real_run_would(double: GrafanaDouble) -> None:
    dashboards = [make(f"d{i}") for i in range(3)]
    Publisher(api_of(double)).publish(dashboards)  # type: ignore[arg-type]
    double.token_role = "Viewer"
    edited = [LocalDashboard({**d.dashboard, "title": "Edited"}) for d in dashboards]
    double.reset_counts()
    with pytest.raises(Forbidden) as caught:
        Publisher(api_of(double), dry_run=True).publish(edited)  # type: ignore[arg-type]
    said = caught.value.message
    assert "403" in said and "folder 'Triton'" in said and "Editor" in said, said
    assert sum(double.count(m) for m in ("POST", "PUT", "DELETE")) == 0
    try:  # and the real run is refused as the dry run said: before writing, or at its first write
        report = Publisher(api_of(double)).publish(edited)  # type: ignore[arg-type]
        said = report.error or ""
    except Forbidden as refused:
        said = refused.message
    assert "403" in said and "Editor" in said, said
    assert all(len(double.versions(d.uid)) == 1 for d in dashboards)


def test_a_viewers_dry_run_exits_2_from_the_cli(double: GrafanaDouble, tmp_path: Path) -> None:
    (tmp_path / "d0.json").write_text(json.dumps(make("d0").dashboard))
    env = grafana_env(double)
    assert run("publish", *FAST, "--dir", str(tmp_path), cwd=tmp_path, **env).returncode == 0
    double.token_role = "Viewer"
    (tmp_path / "d0.json").write_text(json.dumps({**make("d0").dashboard, "title": "New"}))
    result = run("publish", *FAST, "--dry-run", "--dir", str(tmp_path), cwd=tmp_path, **env)
    assert_one_line_error(result, "403", "Editor")

"""Limits before the wire (issue 19): a dashboard larger than Grafana accepts is refused before
it is sent, a 413 says what it is, and a Viewer's dry run says what the real run would, on
the double's profiles 11, 12 and 13 over real HTTP."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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
from triton_dashboards.grafana.folders import grants, resolve_folders
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


# A folder that does not exist yet: the real run would create it, which needs folders:create
# on its parent (folders:uid:general at the root). Grafana lists a credential's permissions
# (GET /api/access-control/user/permissions, on 11, 12 and 13), so the dry run asks.


def test_a_viewers_dry_run_into_a_new_folder_says_what_the_real_run_would(
    double: GrafanaDouble, tmp_path: Path
) -> None:
    double.token_role = "Viewer"
    with pytest.raises(Forbidden) as caught:
        Publisher(api_of(double), dry_run=True).publish([make("d0")])  # type: ignore[arg-type]
    said = caught.value.message
    assert "create folder 'Triton'" in said and "folders:create" in said, said
    assert "folders:uid:general" in said and "Editor" in said, said
    assert sum(double.count(m) for m in ("POST", "PUT", "DELETE")) == 0
    (tmp_path / "d0.json").write_text(json.dumps(make("d0").dashboard))
    env = grafana_env(double)
    dry = run("publish", *FAST, "--dry-run", "--dir", str(tmp_path), cwd=tmp_path, **env)
    assert_one_line_error(dry, "create folder 'Triton'", "folders:create")
    assert dry.stdout == ""
    real = run("publish", *FAST, "--dir", str(tmp_path), cwd=tmp_path, **env)
    assert_one_line_error(real, "create folder 'Triton'", "folders:create")
    assert double.folders() == [] and double.dashboard_uids() == []


def test_an_editors_dry_run_into_a_new_folder_would_create_it(double: GrafanaDouble) -> None:
    report = Publisher(api_of(double), dry_run=True).publish([make("d0")])  # type: ignore[arg-type]
    assert [f.state for f in report.folders] == ["would create"]
    assert [o.status for o in report.outcomes] == [Status.WOULD_CREATE]


def test_a_new_subfolder_is_asked_for_on_its_parent(double: GrafanaDouble) -> None:
    double.add_folder("Team", "team")
    api = api_of(double)
    nested = Publisher(api, folder="Team/Triton", dry_run=True)  # type: ignore[arg-type]
    report = nested.publish([make("d0")])
    assert [f.state for f in report.folders] == ["exists", "would create"]


class FakeFolders:
    """A Grafana holding only folders (uid -> title), that lists ``permissions`` (None: it
    does not answer the question)."""

    def __init__(self, folders: dict[str, str], permissions: dict[str, list[str]] | None):
        self.folders = folders
        self.permissions = permissions

    def get_folder(self, uid: str) -> dict[str, Any] | None:
        title = self.folders.get(uid)
        return None if title is None else {"uid": uid, "title": title, "canSave": True}

    def list_folders(self, parent_uid: str | None = None) -> list[dict[str, Any]]:
        return []

    def get_dashboard(self, uid: str) -> None:
        return None

    def user_permissions(self) -> dict[str, list[str]] | None:
        return self.permissions


def test_a_subfolder_needs_folders_create_on_its_parent_not_the_root() -> None:
    root_only = {"folders:create": ["folders:uid:general"]}
    grafana = FakeFolders({"team": "Team"}, root_only)
    with pytest.raises(Forbidden) as caught:
        resolve_folders(grafana, "Team/Triton", dry_run=True)  # type: ignore[arg-type]
    assert "create folder 'Triton'" in caught.value.message
    assert "folders:create on folders:uid:team" in caught.value.message
    [triton] = resolve_folders(FakeFolders({}, root_only), "Triton", dry_run=True)  # type: ignore[arg-type]
    assert triton.state == "would create"
    # a folder below one that would be created is ours to fill: nothing more to ask
    both = resolve_folders(FakeFolders({}, root_only), "Team/Triton", dry_run=True)  # type: ignore[arg-type]
    assert [f.state for f in both] == ["would create", "would create"]


@pytest.mark.parametrize(
    ("held", "scope", "granted"),
    [
        ({"folders:create": ["folders:uid:general"]}, "folders:uid:general", True),
        ({"folders:create": ["folders:uid:general"]}, "folders:uid:team", False),
        ({"folders:create": ["folders:*"]}, "folders:uid:team", True),
        ({"folders:create": ["folders:uid:*"]}, "folders:uid:team", True),
        ({"folders:create": [""]}, "folders:uid:team", True),  # unscoped
        ({"folders:read": ["folders:*"]}, "folders:uid:general", False),
        ({}, "folders:uid:general", False),
    ],
)
def test_grants_reads_grafanas_scopes(
    held: dict[str, list[str]], scope: str, granted: bool
) -> None:
    assert grants(held, "folders:create", scope) is granted


def test_a_grafana_that_does_not_list_permissions_leaves_it_to_the_real_run() -> None:
    [folder] = resolve_folders(FakeFolders({}, None), "Triton", dry_run=True)  # type: ignore[arg-type]
    assert folder.state == "would create"


def test_a_viewers_diff_into_a_new_folder_still_reads(
    double: GrafanaDouble, tmp_path: Path
) -> None:
    """diff writes nothing, so what a Viewer may create is no question for it."""
    double.token_role = "Viewer"
    (tmp_path / "d0.json").write_text(json.dumps(make("d0").dashboard))
    result = run("diff", "--dir", str(tmp_path), cwd=tmp_path, **grafana_env(double))
    assert result.returncode == 1, result.stderr
    assert "d0: missing in Grafana (publish would create it)" in result.stderr + result.stdout

"""``publish``, ``diff`` and ``pull`` as a user runs them against the double's Grafana 11, 12
and 13 profiles: ``make publish`` works unchanged on each (issue 10)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from _support import GRAFANA_TOKEN as TOKEN
from grafana_double import GrafanaDouble
from test_cli_publish import assert_one_line_error, grafana_env, run, status_of


@pytest.fixture
def repo(repo: Path) -> Path:
    from test_cli_publish import ROOT

    for name in ("ner.json", "triton-overview.json"):
        (repo / "dashboards" / name).write_bytes((ROOT / "dashboards" / name).read_bytes())
    return repo


@pytest.fixture
def g13() -> Iterator[GrafanaDouble]:
    with GrafanaDouble(profile="13", token=TOKEN) as running:
        yield running


@pytest.mark.parametrize("profile", ["11", "12", "13"])
def test_make_publish_works_unchanged_on_each_profile(repo: Path, profile: str) -> None:
    with GrafanaDouble(profile=profile, token=TOKEN) as double:
        first = run("publish", cwd=repo, **grafana_env(double))
        assert first.returncode == 0, first.stderr
        assert first.stdout.count("created (version 1)") == 2
        apis = {r.path.startswith("/apis/") for r in double.requests if r.method == "POST"}
        assert apis == {profile != "11"}
        double.reset_counts()
        second = run("publish", cwd=repo, **grafana_env(double))
        assert second.returncode == 0 and second.stdout.count("unchanged (version 1)") == 2
        assert double.count("POST") == double.count("PUT") == 0


def test_api_k8s_on_grafana_11_is_one_line_exit_2(repo: Path) -> None:
    with GrafanaDouble(profile="11", token=TOKEN) as double:
        result = run("publish", "--api", "k8s", cwd=repo, **grafana_env(double))
        assert_one_line_error(result, "Grafana 11.6.0", "--api legacy")
        assert double.count("POST") == 0


def test_grafana_api_variable_picks_the_legacy_api(repo: Path, g13: GrafanaDouble) -> None:
    result = run("publish", cwd=repo, GRAFANA_API="legacy", **grafana_env(g13))
    assert result.returncode == 0 and g13.count("POST", "/api/dashboards/db") == 2
    assert g13.count(path_prefix="/apis") == 0


def test_a_v2_save_is_a_clear_conflict_then_pull_and_diff_and_force(
    repo: Path, g13: GrafanaDouble
) -> None:
    env = grafana_env(g13)
    assert run("publish", cwd=repo, **env).returncode == 0
    g13.ui_save_v2("triton-ner", user="carol")
    conflict = run("publish", cwd=repo, **env)
    assert conflict.returncode == 1
    line = status_of(conflict.stdout, "ner")
    assert line.startswith("CONFLICT: saved in Grafana as a schema v2 (dynamic) dashboard")
    assert "triton-dashboards pull triton-ner" in line and "--force" in line
    diff = run("diff", cwd=repo, **env)
    assert diff.returncode == 1 and "ner: CONFLICT" in diff.stderr and "schema v2" in diff.stderr
    pulled = run("pull", "triton-ner", "--dir", "exported", cwd=repo, **env)
    assert pulled.returncode == 0 and "stored as schema v2 (v2)" in pulled.stdout
    forced = run("publish", "--force", cwd=repo, **env)
    assert forced.returncode == 0 and "replaced its schema v2 (v2) copy" in forced.stdout
    assert run("diff", cwd=repo, **env).returncode == 0


def test_a_422_is_one_clear_line(repo: Path, g13: GrafanaDouble) -> None:
    path = repo / "dashboards" / "ner.json"
    path.write_text(re.sub(r'"schemaVersion": \d+', '"schemaVersion": 5', path.read_text()))
    result = run("publish", cwd=repo, **grafana_env(g13))
    assert result.returncode == 1
    assert "spec.schemaVersion is invalid (422 Invalid" in status_of(result.stdout, "ner")


def test_dry_run_on_apis_prints_the_plan_and_writes_nothing(repo: Path, g13: GrafanaDouble) -> None:
    result = run("publish", "--dry-run", cwd=repo, **grafana_env(g13))
    assert result.returncode == 0 and result.stdout.count("would create") == 2
    assert g13.count("POST") == g13.count("PUT") == 0 and g13.folders() == []


# -- pull writes what this repository publishes ----------------------------------------------


def ui_retitle_v2(double: GrafanaDouble, uid: str, title: str, version: str) -> None:
    """Someone retitles ``uid`` in the UI with dynamic dashboards on: stored as ``version``."""
    found = double.k8s_object(uid, version)
    assert found is not None
    double.ui_save_v2(uid, {**found["spec"], "title": title}, user="carol", version=version)


@pytest.mark.parametrize(("profile", "stored"), [("12", "v2beta1"), ("13", "v2")])
@pytest.mark.parametrize("api", ["auto", "legacy"])
def test_pull_saves_a_v2_stored_dashboard_as_the_v1_json_publish_takes(
    repo: Path, profile: str, stored: str, api: str
) -> None:
    with GrafanaDouble(profile=profile, token=TOKEN) as double:
        env = {**grafana_env(double), "GRAFANA_API": api}
        assert run("publish", cwd=repo, **env).returncode == 0
        ui_retitle_v2(double, "triton-ner", "Kept from the UI", stored)
        pulled = run("pull", "triton-ner", "--dir", "exported", cwd=repo, **env)
        assert pulled.returncode == 0, pulled.stderr
        [line] = pulled.stdout.splitlines()
        assert line.startswith("written exported/triton-ner.json (version 2); "), line
        assert f"stored as schema v2 ({stored}) in Grafana: saved as the v1 JSON" in line
        assert "CONFLICT until --force" in line
        saved = json.loads((repo / "exported" / "triton-ner.json").read_text(encoding="utf-8"))
        assert "apiVersion" not in saved and saved["title"] == "Kept from the UI"
        assert saved["uid"] == "triton-ner" and saved["panels"]
        # publish takes the file: the v2 copy in Grafana is a conflict, not a refused file
        said = run("publish", "--dir", "exported", cwd=repo, **env)
        assert said.returncode == 1 and "CONFLICT" in status_of(said.stdout, "triton-ner")
        forced = run("publish", "--force", "--dir", "exported", cwd=repo, **env)
        assert forced.returncode == 0, forced.stdout + forced.stderr
        assert run("diff", "--dir", "exported", cwd=repo, **env).returncode == 0


def test_where_grafana_cannot_convert_pull_says_publish_refuses_the_file(repo: Path) -> None:
    with GrafanaDouble(profile="12.0", token=TOKEN) as double:
        env = grafana_env(double)
        assert run("publish", cwd=repo, **env).returncode == 0
        double.ui_save_v2("triton-ner", user="carol")
        pulled = run("pull", "triton-ner", "--dir", "exported", cwd=repo, **env)
        assert pulled.returncode == 0, pulled.stderr
        [line] = pulled.stdout.splitlines()
        assert "stored as schema v2 (v2alpha1) in Grafana, which cannot convert it to v1" in line
        assert "saved as its v2alpha1 object, which publish refuses" in line
        assert "move the file out of the dashboards folder" in line
        refused = run("publish", "--dir", "exported", cwd=repo, **env)
        assert_one_line_error(refused, "triton-ner.json", "dashboard.grafana.app/v2alpha1")


@pytest.mark.parametrize("profile", ["11", "12"])
def test_pulling_schema_v2_from_a_grafana_without_it_is_one_line(repo: Path, profile: str) -> None:
    (repo / "pyproject.toml").write_text('[tool.triton-dashboards]\nschema = "v2"\n')
    with GrafanaDouble(profile=profile, token=TOKEN) as double:
        env = grafana_env(double)
        assert run("publish", cwd=repo, **env).returncode == 0  # the v1 files it holds
        result = run("pull", "triton-ner", "--dir", "exported", cwd=repo, **env)
        assert_one_line_error(result, "cannot pull triton-ner as schema v2", "--schema v1")
        assert not (repo / "exported").exists()
        as_v1 = run("pull", "triton-ner", "--schema", "v1", "--dir", "exported", cwd=repo, **env)
        assert as_v1.returncode == 0 and (repo / "exported" / "triton-ner.json").is_file()


def test_a_v2_repository_pulls_the_v2_resource_of_a_v1_dashboard(
    repo: Path, g13: GrafanaDouble
) -> None:
    env = grafana_env(g13)
    assert run("publish", cwd=repo, **env).returncode == 0
    (repo / "pyproject.toml").write_text('[tool.triton-dashboards]\nschema = "v2"\n')
    pulled = run("pull", "triton-ner", "--dir", "exported", cwd=repo, **env)
    assert pulled.returncode == 0, pulled.stderr
    assert "stored as v1 JSON in Grafana: saved as the dashboard.grafana.app/v2 Dashboard" in (
        pulled.stdout
    )
    saved = json.loads((repo / "exported" / "triton-ner.json").read_text(encoding="utf-8"))
    assert saved["apiVersion"] == "dashboard.grafana.app/v2" and saved["spec"]["elements"]
    assert saved["metadata"]["name"] == "triton-ner"
    # a file being replaced keeps its schema; --schema says otherwise for one pull
    again = run("pull", "triton-ner", "--dir", "exported", cwd=repo, **env)
    assert again.stdout.startswith("unchanged exported/triton-ner.json")
    v1 = run("pull", "triton-ner", "--schema", "v1", "--dir", "exported", cwd=repo, **env)
    assert v1.returncode == 0 and v1.stdout.startswith("written exported/triton-ner.json")
    (repo / "pyproject.toml").unlink()
    kept = run("pull", "triton-ner", "--schema", "v2", "--dir", "exported", cwd=repo, **env)
    assert kept.returncode == 0
    assert run("pull", "triton-ner", "--dir", "exported", cwd=repo, **env).stdout.startswith(
        "unchanged exported/triton-ner.json"
    )

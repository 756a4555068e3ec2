"""Publishing schema v2 dashboards (issue 18, deliverable 3): a ``dashboard.grafana.app/v2``
``Dashboard`` resource in ``dashboards/NAME.json`` goes through ``/apis/.../v2`` on Grafana 13,
compared v2 with v2, with the same hash, marks, history and ``--force`` as v1; Grafana 11 and
12 refuse it in one line. Written by hand here, and rendered from the stock dashboards."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _support import GRAFANA_TOKEN as TOKEN
from _support import ROOT
from grafana_double import GrafanaDouble
from test_cli_publish import FAST, assert_one_line_error, grafana_env, run, status_of
from test_publish_repos import Repo, git

from triton_dashboards.dashboard.project import build, dashboard_files
from triton_dashboards.grafana.local import V2_API_VERSION, InputError, dump, load_dashboards
from triton_dashboards.grafana.provenance import parse

V2_PATH = "/apis/dashboard.grafana.app/v2/"


def v2_dashboard(uid: str, panel: str = "Requests per second") -> dict[str, Any]:
    """A small v2 ``Dashboard`` resource as Grafana 13 stores one (Grafana API §6.11)."""
    query = {
        "kind": "PanelQuery",
        "spec": {
            "refId": "A",
            "hidden": False,
            "query": {
                "kind": "DataQuery",
                "group": "prometheus",
                "version": "v0",
                "datasource": {"name": "${datasource}"},
                "spec": {"expr": "sum(rate(nv_inference_request_success[$__rate_interval]))"},
            },
        },
    }
    element = {
        "kind": "Panel",
        "spec": {
            "id": 1,
            "title": panel,
            "links": [],
            "data": {
                "kind": "QueryGroup",
                "spec": {"queries": [query], "transformations": [], "queryOptions": {}},
            },
            "vizConfig": {
                "kind": "VizConfig",
                "group": "timeseries",
                "version": "",
                "spec": {"options": {}, "fieldConfig": {"defaults": {"unit": "reqps"}}},
            },
        },
    }
    item = {"x": 0, "y": 0, "width": 12, "height": 8}
    item["element"] = {"kind": "ElementReference", "name": "panel-1"}  # type: ignore[assignment]
    return {
        "apiVersion": V2_API_VERSION,
        "kind": "Dashboard",
        "metadata": {"name": uid},
        "spec": {
            "title": f"Dashboard {uid}",
            "tags": ["triton"],
            "cursorSync": "Off",
            "preload": False,
            "links": [],
            "annotations": [],
            "variables": [],
            "timeSettings": {"from": "now-6h", "to": "now", "timezone": "browser"},
            "elements": {"panel-1": element},
            "layout": {
                "kind": "GridLayout",
                "spec": {"items": [{"kind": "GridLayoutItem", "spec": item}]},
            },
        },
    }


UIDS = ("v2-a", "v2-b")


def write(repo: Repo, uid: str, panel: str = "Requests per second") -> None:
    path = repo.path / "dashboards" / f"{uid}.json"
    path.write_text(dump(v2_dashboard(uid, panel)), encoding="utf-8")


@pytest.fixture
def v2repo(tmp_path: Path) -> Repo:
    repo = Repo(tmp_path / "v2", "ann@example.com")
    for uid in UIDS:
        write(repo, uid)
    git(repo.path, "add", "-A")
    git(repo.path, "commit", "-q", "-m", "v2 dashboards")
    return repo


@pytest.fixture
def g13() -> Iterator[GrafanaDouble]:
    with GrafanaDouble(profile="13", token=TOKEN) as running:
        yield running


def writes(double: GrafanaDouble) -> int:
    return sum(double.count(m) for m in ("POST", "PUT", "DELETE"))


def spec_of(double: GrafanaDouble, uid: str) -> dict[str, Any]:
    found = double.k8s_object(uid, "v2")
    assert found is not None
    return dict(found["spec"])


def test_a_v2_file_is_read_as_its_spec_with_its_name_as_uid(v2repo: Repo) -> None:
    [first, _] = load_dashboards(v2repo.files())
    assert first.v2 and first.uid == "v2-a" and first.title == "Dashboard v2-a"
    beta = {**v2_dashboard("x"), "apiVersion": "dashboard.grafana.app/v2beta1"}
    (v2repo.path / "dashboards" / "beta.json").write_text(json.dumps(beta))
    with pytest.raises(InputError) as caught:
        load_dashboards(v2repo.files())
    assert "dashboard.grafana.app/v2beta1" in str(caught.value)


def test_a_v2_repository_publishes_through_v2_then_writes_nothing(
    v2repo: Repo, g13: GrafanaDouble
) -> None:
    env = grafana_env(g13)
    first = run("publish", *FAST, cwd=v2repo.path, **env)
    assert first.returncode == 0, first.stderr
    for uid in UIDS:
        assert status_of(first.stdout, uid).startswith("created")
        stored = g13.store.find(1, uid)
        assert stored is not None and stored.api_version == "v2"
        assert spec_of(g13, uid)["elements"] == v2_dashboard(uid)["spec"]["elements"]
        notes = stored.annotations
        assert notes["grafana.app/managedBy"] == "kubectl"
        assert notes["grafana.app/managerId"] == "triton-dashboards"
        saved = parse(stored.versions[-1].message)
        assert saved is not None and saved.origin.author == "ann@example.com"
    assert g13.count("POST", V2_PATH) == len(UIDS)
    g13.reset_counts()
    again = run("publish", *FAST, cwd=v2repo.path, **env)
    assert again.returncode == 0 and writes(g13) == 0, again.stdout
    assert "0 created, 0 updated, 2 unchanged" in again.stdout
    assert run("diff", cwd=v2repo.path, **env).returncode == 0


def test_a_later_commit_updates_and_a_ui_edit_is_a_conflict_until_forced(
    v2repo: Repo, g13: GrafanaDouble
) -> None:
    env = grafana_env(g13)
    assert run("publish", *FAST, cwd=v2repo.path, **env).returncode == 0
    write(v2repo, "v2-a", "Requests per second, all models")
    git(v2repo.path, "commit", "-q", "-am", "retitle a panel")
    updated = run("publish", *FAST, cwd=v2repo.path, **env)
    assert status_of(updated.stdout, "v2-a").startswith("updated (version 1 -> 2)")
    edited = copy.deepcopy(spec_of(g13, "v2-b"))
    edited["elements"]["panel-1"]["spec"]["title"] = "Carol's title"
    g13.ui_save_v2("v2-b", edited, user="carol")
    conflict = run("publish", *FAST, cwd=v2repo.path, **env)
    assert conflict.returncode == 1
    line = status_of(conflict.stdout, "v2-b")
    assert line.startswith("CONFLICT: changed in Grafana by user:carol"), line
    assert "schema v2 (dynamic)" not in line  # v2 against v2: an edit, not a format
    assert "Carol's title" in conflict.stdout  # the diff is shown, spec against spec
    diff = run("diff", cwd=v2repo.path, **env)
    assert diff.returncode == 1 and "v2-b: CONFLICT" in diff.stderr
    forced = run("publish", *FAST, "--force", cwd=v2repo.path, **env)
    assert forced.returncode == 0 and "overwrote a change by user:carol" in forced.stdout
    title = spec_of(g13, "v2-b")["elements"]["panel-1"]["spec"]["title"]
    assert title == "Requests per second"
    assert g13.store.find(1, "v2-b").api_version == "v2"  # type: ignore[union-attr]
    assert run("diff", cwd=v2repo.path, **env).returncode == 0


def test_a_ui_save_that_changes_nothing_is_not_a_conflict(v2repo: Repo, g13: GrafanaDouble) -> None:
    env = grafana_env(g13)
    assert run("publish", *FAST, cwd=v2repo.path, **env).returncode == 0
    g13.ui_save_v2("v2-a", user="carol")  # opened and saved as it was
    g13.reset_counts()
    result = run("publish", *FAST, cwd=v2repo.path, **env)
    assert result.returncode == 0 and writes(g13) == 0
    assert status_of(result.stdout, "v2-a").startswith("unchanged")


def test_pull_saves_a_v2_dashboard_that_publish_takes_as_it_is(
    v2repo: Repo, g13: GrafanaDouble
) -> None:
    env = grafana_env(g13)
    assert run("publish", *FAST, cwd=v2repo.path, **env).returncode == 0
    edited = copy.deepcopy(spec_of(g13, "v2-a"))
    edited["title"] = "Kept from the UI"
    g13.ui_save_v2("v2-a", edited, user="carol")
    pulled = run("pull", "v2-a", cwd=v2repo.path, **env)
    # stored as v2, saved as v2 over a v2 file: nothing converted, nothing more to say
    assert pulled.returncode == 0 and pulled.stdout == "written dashboards/v2-a.json (version 2)\n"
    g13.reset_counts()
    result = run("publish", *FAST, cwd=v2repo.path, **env)
    assert result.returncode == 0 and writes(g13) == 0, result.stdout


@pytest.mark.parametrize(("profile", "api"), [("11", "auto"), ("12", "auto"), ("13", "legacy")])
def test_v2_is_refused_in_one_line_where_grafana_cannot_take_it(
    v2repo: Repo, profile: str, api: str
) -> None:
    with GrafanaDouble(profile=profile, token=TOKEN) as double:
        env = {**grafana_env(double), "GRAFANA_API": api}
        for command in (("publish", *FAST), ("publish", *FAST, "--dry-run"), ("diff",)):
            result = run(*command, cwd=v2repo.path, **env)
            line = assert_one_line_error(result, "schema v2", "Grafana 13", "v1")
            assert "v2-a.json" in line
        assert writes(double) == 0 and double.folders() == []


def test_the_stock_dashboards_rendered_as_v2_publish_as_sent_and_republish_with_0_writes(
    tmp_path: Path,
) -> None:
    sources = dashboard_files(ROOT / "dashboards")
    for built in build(sources, schema="v2"):
        (tmp_path / built.target.name).write_text(built.text, encoding="utf-8")
    files = sorted(tmp_path.glob("*.json"))
    local = load_dashboards(files)
    assert local and all(d.v2 for d in local)
    with GrafanaDouble(profile="13", token=TOKEN) as double:
        env = grafana_env(double)
        first = run("publish", *FAST, "--dir", str(tmp_path), cwd=tmp_path, **env)
        assert first.returncode == 0, first.stdout + first.stderr
        for dashboard in local:
            stored = double.store.find(1, dashboard.uid)
            assert stored is not None and stored.api_version == "v2"
            spec = {k: v for k, v in dashboard.dashboard.items() if k != "uid"}
            assert spec_of(double, dashboard.uid) == spec, dashboard.uid
        double.reset_counts()
        again = run("publish", *FAST, "--dir", str(tmp_path), cwd=tmp_path, **env)
        assert again.returncode == 0 and writes(double) == 0, again.stdout

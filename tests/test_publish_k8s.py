"""Publishing through Grafana 12/13's Kubernetes-style API (issue 10), against the double's
profiles over real HTTP: the same promises as the legacy path, from a list instead of a read
per dashboard, with the server's own rules (resourceVersion, 409, 422, manager, v2)."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
from _support import GRAFANA_TOKEN as TOKEN
from _support import ROOT
from grafana_double import GrafanaDouble
from test_publish import changed, make

from triton_dashboards.grafana.client import GrafanaClient, GrafanaConfig
from triton_dashboards.grafana.diff import diff_dashboards
from triton_dashboards.grafana.discovery import namespace, open_api
from triton_dashboards.grafana.errors import ConfigError, Forbidden
from triton_dashboards.grafana.k8s_client import K8sApi
from triton_dashboards.grafana.local import LocalDashboard, is_ours, load_dashboards
from triton_dashboards.grafana.plan import Kind
from triton_dashboards.grafana.publish import Publisher
from triton_dashboards.grafana.pull import PullRefused, pull_dashboards
from triton_dashboards.grafana.report import Report, Status

SET = [make(f"d{i}") for i in range(5)]
FOLDER_UID = "triton"


@pytest.fixture(params=["12", "13"])
def grafana(request: pytest.FixtureRequest) -> Iterator[GrafanaDouble]:
    with GrafanaDouble(profile=request.param, token=TOKEN) as running:
        yield running


@pytest.fixture
def g13() -> Iterator[GrafanaDouble]:
    with GrafanaDouble(profile="13", token=TOKEN) as running:
        yield running


def api_of(double: GrafanaDouble, mode: str = "auto", **config: Any) -> Any:
    client = GrafanaClient(GrafanaConfig(double.url, token=TOKEN, backoff=0.001, **config))
    return open_api(client, mode)  # type: ignore[arg-type]


def publish(double: GrafanaDouble, dashboards: list[LocalDashboard], **options: Any) -> Report:
    api = options.pop("api", None) or api_of(double)
    return Publisher(api, **options).publish(dashboards)


def statuses(report: Report) -> dict[str, Status]:
    return {o.uid: o.status for o in report.outcomes}


def writes(double: GrafanaDouble) -> int:
    return sum(double.count(m) for m in ("POST", "PUT", "DELETE"))


def terraform_manages(double: GrafanaDouble, uid: str) -> None:
    """Terraform took the dashboard over (as its provider writes the marks, Grafana API §6.8)."""
    dash = double.store.find(1, uid)
    assert dash is not None
    dash.annotations = {"grafana.app/managedBy": "terraform", "grafana.app/managerId": "tf-1"}
    dash.versions[-1].annotations = dict(dash.annotations)


def to_schema(local: LocalDashboard, version: int) -> LocalDashboard:
    data = copy.deepcopy(local.dashboard)
    data["schemaVersion"] = version
    return LocalDashboard(data)


# -- discovery and namespaces ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("profile", "version"), [("12.0", "v1beta1"), ("12", "v1beta1"), ("13", "v1")]
)
def test_the_version_is_chosen_explicitly_never_the_preferred_one(
    profile: str, version: str
) -> None:
    with GrafanaDouble(profile=profile, token=TOKEN) as double:
        api = api_of(double)
        assert isinstance(api, K8sApi) and api.version == version
        if profile == "13":  # it prefers v2 (dynamic dashboards on); we publish v1 JSON
            assert double.profile.preferred(double.new_layouts) == "v2"


def test_grafana_11_is_published_through_the_legacy_api() -> None:
    with GrafanaDouble(profile="11", token=TOKEN) as double:
        assert isinstance(api_of(double), GrafanaClient)
        report = publish(double, SET)
        assert report.ok and double.count(path_prefix="/api/dashboards/db") == len(SET)


def test_api_k8s_on_grafana_11_is_one_line_that_says_what_to_do() -> None:
    with (
        GrafanaDouble(profile="11", token=TOKEN) as double,
        pytest.raises(ConfigError, match=r"Grafana 11\.6\.0 .*use --api legacy or auto"),
    ):
        api_of(double, "k8s")


def test_api_legacy_is_honoured_on_grafana_13(g13: GrafanaDouble) -> None:
    assert isinstance(api_of(g13, "legacy"), GrafanaClient)


def test_namespaces_follow_the_org_and_the_stack() -> None:
    assert namespace(None, None) == "default" and namespace(1, None) == "default"
    assert namespace(2, None) == "org-2" and namespace(None, 77) == "stacks-77"
    with GrafanaDouble(profile="13", token=TOKEN, orgs=(1, 2)) as double:
        api = api_of(double, org_id=2)
        assert api.namespace == "org-2"
        assert publish(double, SET[:1], api=api).ok
        assert double.dashboard_uids(org_id=2) == ["d0"] and double.dashboard_uids() == []


# -- the same promises as the legacy path ---------------------------------------------------


def test_first_publish_creates_and_a_second_writes_nothing_from_one_list(
    grafana: GrafanaDouble,
) -> None:
    assert set(statuses(publish(grafana, SET)).values()) == {Status.CREATED}
    grafana.reset_counts()
    again = publish(grafana, SET)
    assert set(statuses(again).values()) == {Status.UNCHANGED}
    assert writes(grafana) == 0
    assert grafana.count() <= 10, grafana.route_counts()


def test_a_server_migrated_spec_is_still_unchanged_by_our_hash(g13: GrafanaDouble) -> None:
    local = to_schema(SET[0], 41)
    publish(g13, [local])
    stored = g13.k8s_object("d0")
    assert stored is not None and stored["spec"]["schemaVersion"] == 42  # migrated on write
    g13.reset_counts()
    assert statuses(publish(g13, [local])) == {"d0": Status.UNCHANGED}
    assert writes(g13) == 0


def test_our_rendered_dashboards_are_stored_as_we_sent_them_on_grafana_13(
    g13: GrafanaDouble,
) -> None:
    """We render the schemaVersion Grafana 13 migrates to (42), so it has nothing to rewrite:
    what the server stores is what git holds, and the next publish is a no-op by content."""
    committed = load_dashboards(sorted((ROOT / "dashboards").glob("*.json")))
    publish(g13, committed)
    for local in committed:
        stored = g13.k8s_object(local.uid)
        assert stored is not None
        spec = {k: v for k, v in stored["spec"].items() if k not in ("id", "uid", "version")}
        sent = {k: v for k, v in local.dashboard.items() if k not in ("id", "uid", "version")}
        assert spec == sent, local.uid


def test_one_change_is_one_put_carrying_the_resource_version(grafana: GrafanaDouble) -> None:
    publish(grafana, SET)
    before = grafana.k8s_object("d1")
    assert before is not None
    grafana.reset_counts()
    report = publish(grafana, [*SET[:1], changed(SET[1]), *SET[2:]])
    assert statuses(report)["d1"] is Status.UPDATED and writes(grafana) == 1
    [put] = [r for r in grafana.requests if r.method == "PUT"]
    assert before["metadata"]["resourceVersion"] in put.body.decode()


def test_ownership_marks_are_set_and_ui_edits_stay_allowed(g13: GrafanaDouble) -> None:
    publish(g13, SET[:1])
    obj = g13.k8s_object("d0")
    assert obj is not None
    notes = obj["metadata"]["annotations"]
    assert notes["grafana.app/managedBy"] == "kubectl"
    assert notes["grafana.app/managerId"] == "triton-dashboards"
    assert notes["grafana.app/managerAllowsEdits"] == "true"
    assert notes["grafana.app/sourceChecksum"].startswith("sha256:")
    assert is_ours(notes["grafana.app/message"]) and notes["grafana.app/folder"] == FOLDER_UID
    g13.ui_save("d0", {"title": "edited in the UI"})  # the UI lets a person save it


def test_a_ui_edit_is_a_conflict_and_force_overwrites_it(grafana: GrafanaDouble) -> None:
    publish(grafana, SET)
    grafana.ui_save("d2", {"title": "Edited by Alice"}, user="alice")
    grafana.reset_counts()
    report = publish(grafana, SET)
    [conflict] = [o for o in report.outcomes if o.status is Status.CONFLICT]
    assert conflict.uid == "d2" and "user:alice" in conflict.detail and "--force" in conflict.detail
    assert writes(grafana) == 0 and not report.ok
    forced = publish(grafana, SET, force=True)
    assert statuses(forced)["d2"] is Status.UPDATED
    history = grafana.versions("d2")
    assert is_ours(history[0]["message"]) and history[1]["createdBy"] == "alice"


def test_a_concurrent_writer_409_is_planned_again_not_overwritten(g13: GrafanaDouble) -> None:
    publish(g13, SET)
    api = api_of(g13)
    save = api.save_dashboard

    def someone_saves_first(*args: Any, **kwargs: Any) -> dict[str, Any]:
        g13.ui_save("d3", {"title": "Bob got there first"}, user="bob")
        api.save_dashboard = save  # once
        return save(*args, **kwargs)

    api.save_dashboard = someone_saves_first
    report = publish(g13, [changed(SET[3])], api=api)
    [outcome] = report.outcomes
    assert outcome.status is Status.CONFLICT and "user:bob" in outcome.detail
    assert any(r.method == "PUT" and r.status == 409 for r in g13.requests)
    assert g13.dashboard("d3")["title"] == "Bob got there first"  # type: ignore[index]


def test_a_409_already_exists_on_create_is_planned_again(g13: GrafanaDouble) -> None:
    api = api_of(g13)
    save = api.save_dashboard

    def another_publisher_creates_it(*args: Any, **kwargs: Any) -> dict[str, Any]:
        api.save_dashboard = save
        save(*args, **kwargs)  # the same JSON, by someone else running publish meanwhile
        return save(*args, **kwargs)

    api.save_dashboard = another_publisher_creates_it
    report = publish(g13, SET[:1], api=api)
    assert any(r.method == "POST" and r.status == 409 for r in g13.requests)
    assert report.ok and statuses(report) == {"d0": Status.CREATED}


def test_a_422_names_the_field(g13: GrafanaDouble) -> None:
    report = publish(g13, [to_schema(SET[0], 5)])
    [outcome] = report.outcomes
    assert outcome.status is Status.FAILED
    assert "spec.schemaVersion is invalid (422 Invalid" in outcome.detail
    assert "fix spec.schemaVersion" in outcome.detail


def test_a_missing_folder_says_so(g13: GrafanaDouble) -> None:
    api = api_of(g13)
    with pytest.raises(Exception, match=r"its folder does not exist \(404 NotFound"):
        api.save_dashboard(dict(SET[0].dashboard), folder_uid="nope", message="m")


def test_a_dashboard_another_tool_manages_fails_alone(g13: GrafanaDouble) -> None:
    publish(g13, SET)
    terraform_manages(g13, "d4")
    report = publish(g13, [*SET[:4], changed(SET[4])])
    outcome = report.outcomes[4]
    assert outcome.status is Status.FAILED and "terraform (id tf-1) manages it" in outcome.detail
    assert statuses(report)["d0"] is Status.UNCHANGED


def test_grafanas_own_manager_403_is_one_line_for_that_dashboard_only(g13: GrafanaDouble) -> None:
    publish(g13, SET[:1])
    terraform_manages(g13, "d0")
    api = api_of(g13)
    found = api.get_dashboard("d0")
    with pytest.raises(Exception, match="another tool manages it") as caught:
        api.save_dashboard(
            {**SET[0].dashboard, "version": 1},
            folder_uid=FOLDER_UID,
            message="m",
            resource_version=found.state().resource_version,
        )
    assert not caught.value.fatal  # type: ignore[attr-defined]


def test_prune_deletes_only_ours(g13: GrafanaDouble) -> None:
    publish(g13, SET)
    g13.ui_save("d4", {"title": "someone's now"})
    report = publish(g13, SET[:3], prune=True)
    pruned = {o.uid: o.status for o in report.outcomes[3:]}
    assert pruned == {"d3": Status.DELETED, "d4": Status.KEPT}
    assert g13.dashboard_uids() == ["d0", "d1", "d2", "d4"]


# -- dashboards someone saved as schema v2 --------------------------------------------------


def test_a_v2_save_is_a_conflict_that_says_what_happened_and_what_to_do(
    grafana: GrafanaDouble,
) -> None:
    publish(grafana, SET)
    grafana.ui_save_v2("d1", user="carol")
    grafana.reset_counts()
    report = publish(grafana, SET)
    outcome = report.outcomes[1]
    assert outcome.status is Status.CONFLICT
    assert "schema v2 (dynamic) dashboard by user:carol" in outcome.detail
    assert "triton-dashboards pull d1" in outcome.detail and "--force" in outcome.detail
    assert writes(grafana) == 0
    forced = publish(grafana, SET, force=True)
    assert statuses(forced)["d1"] is Status.UPDATED and "replaced its schema v2" in (
        forced.outcomes[1].detail
    )
    assert grafana.store.find(1, "d1").api_version.startswith("v1")  # type: ignore[union-attr]
    assert statuses(publish(grafana, SET))["d1"] is Status.UNCHANGED


def test_a_v2_save_read_through_the_legacy_api_406_is_the_same_conflict(
    g13: GrafanaDouble,
) -> None:
    api = api_of(g13, "legacy")
    publish(g13, SET, api=api)
    g13.ui_save_v2("d1", user="carol")
    report = publish(g13, SET, api=api)
    assert report.outcomes[1].status is Status.CONFLICT
    assert "schema v2 (dynamic) dashboard" in report.outcomes[1].detail
    assert any(r.status == 406 for r in g13.requests)
    forced = publish(g13, SET, api=api, force=True)
    assert statuses(forced)["d1"] is Status.UPDATED
    assert g13.store.find(1, "d1").api_version == "v1"  # type: ignore[union-attr]


@pytest.mark.parametrize("mode", ["auto", "legacy"])
def test_diff_and_pull_work_on_a_v2_dashboard(g13: GrafanaDouble, tmp_path: Any, mode: str) -> None:
    api = api_of(g13, mode)
    publish(g13, SET[:2], api=api)
    g13.ui_save_v2("d1")
    results = diff_dashboards(api, SET[:2], FOLDER_UID)
    assert results[0].kind is Kind.UNCHANGED and results[0].lines == ()
    assert results[1].conflict and "schema v2" in results[1].summary()
    [pulled] = pull_dashboards(api, ["d1"], tmp_path)  # a v1 repository's: the v1 JSON
    assert "stored as schema v2 (v2) in Grafana: saved as the v1 JSON" in pulled.note
    saved = (tmp_path / "d1.json").read_text()
    assert '"panels"' in saved and '"kind": "Dashboard"' not in saved
    v2_dir = tmp_path / "v2"
    if mode == "auto":  # a v2 repository's: the v2 resource, as stored
        [pulled] = pull_dashboards(api, ["d1"], v2_dir, schema="v2")
        assert pulled.note == ""
        saved = (v2_dir / "d1.json").read_text()
        assert '"kind": "Dashboard"' in saved and '"elements"' in saved
        assert "resourceVersion" not in saved
    else:  # the legacy API has no v2 to read it through: refused, nothing written
        with pytest.raises(PullRefused, match="--schema v1"):
            pull_dashboards(api, ["d1"], v2_dir, schema="v2")
        assert not v2_dir.exists()


def test_a_viewer_is_refused_on_apis_with_the_permission_named_and_the_run_stopped() -> None:
    with GrafanaDouble(profile="13", token=TOKEN, token_role="Viewer") as double:
        with pytest.raises(Forbidden, match=r"permission denied to create folder .*folders:create"):
            publish(double, SET)
        assert double.dashboard_uids() == [] and double.folders() == []


def test_the_dashboard_quota_is_one_line_that_says_what_to_do() -> None:
    with GrafanaDouble(profile="13", token=TOKEN, dashboard_quota=1) as double:
        report = publish(double, SET[:2])
        assert "dashboard quota is reached (403)" in (report.error or "")

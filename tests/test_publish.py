"""Publishing against the Grafana double: idempotent, safe against UI edits, robust to faults.

The publisher runs in-process; Grafana is the double over real HTTP on 127.0.0.1, so
every count below is a request that really crossed a socket.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _support import GRAFANA_TOKEN as TOKEN
from grafana_double import GrafanaDouble

from triton_dashboards.grafana.client import GrafanaClient, GrafanaConfig
from triton_dashboards.grafana.errors import Forbidden, GrafanaError, Unauthorized
from triton_dashboards.grafana.folders import folder_uid
from triton_dashboards.grafana.local import (
    InputError,
    LocalDashboard,
    is_ours,
    load_dashboards,
    normalise,
    save_message,
)
from triton_dashboards.grafana.publish import Publisher
from triton_dashboards.grafana.report import Outcome, Report, Status

SAVE = "/api/dashboards/db"


def make(uid: str, title: str | None = None, panels: int = 3) -> LocalDashboard:
    """A small dashboard as ``build`` renders one (no id, no version)."""
    return LocalDashboard(
        {
            "uid": uid,
            "title": title or f"Dashboard {uid}",
            "schemaVersion": 41,
            "refresh": "30s",
            "panels": [
                {
                    "id": i + 1,
                    "type": "timeseries",
                    "title": f"Panel {i}",
                    "gridPos": {"h": 8, "w": 12, "x": 12 * (i % 2), "y": 8 * (i // 2)},
                    "targets": [{"refId": "A", "expr": f"rate(nv_inference_count[{i + 1}m])"}],
                }
                for i in range(panels)
            ],
            "templating": {"list": []},
            "annotations": {"list": []},
        }
    )


def changed(local: LocalDashboard, title: str = "Renamed panel") -> LocalDashboard:
    data = copy.deepcopy(local.dashboard)
    data["panels"][0]["title"] = title
    return LocalDashboard(data, local.path)


@pytest.fixture
def client(double: GrafanaDouble) -> Iterator[GrafanaClient]:
    with GrafanaClient(GrafanaConfig(double.url, token=TOKEN, backoff=0.001)) as made:
        yield made


def publish(client: GrafanaClient, dashboards: list[LocalDashboard], **options: Any) -> Report:
    heard: list[Outcome] = []
    report = Publisher(client, **options).publish(dashboards, heard.append)
    assert sorted(heard, key=lambda o: o.uid) == sorted(report.outcomes, key=lambda o: o.uid)
    return report


def statuses(report: Report) -> dict[str, Status]:
    return {o.uid: o.status for o in report.outcomes}


def live_equals(double: GrafanaDouble, local: LocalDashboard) -> bool:
    live = double.dashboard(local.uid)
    return live is not None and normalise(live) == normalise(local.dashboard)


SET = [make(f"d{i}") for i in range(5)]


def test_first_publish_creates_the_folder_and_every_dashboard(
    double: GrafanaDouble, client: GrafanaClient
) -> None:
    report = publish(client, SET)
    assert report.ok and set(statuses(report).values()) == {Status.CREATED}
    uid = folder_uid(["Triton"])
    assert double.folder(uid) is not None and double.folder(uid)["title"] == "Triton"  # type: ignore[index]
    for local in SET:
        assert live_equals(double, local)
        assert double.meta(local.uid)["folderUid"] == uid  # type: ignore[index]
        [version] = double.versions(local.uid)
        assert version["version"] == 1 and version["message"] == save_message(local.dashboard)
    assert report.summary() == "5 created, 0 updated, 0 unchanged, 0 conflicts, 0 failed"


def test_second_publish_writes_nothing(double: GrafanaDouble, client: GrafanaClient) -> None:
    publish(client, SET)
    double.reset_counts()
    report = publish(client, SET)
    assert set(statuses(report).values()) == {Status.UNCHANGED}
    assert double.count("POST") == 0 and double.count("DELETE") == 0
    assert all(double.meta(d.uid)["version"] == 1 for d in SET)  # type: ignore[index]
    # One GET per dashboard and one for the folder: nothing else.
    assert double.count("GET") == len(SET) + 1


def test_one_changed_panel_writes_one_dashboard(
    double: GrafanaDouble, client: GrafanaClient
) -> None:
    publish(client, SET)
    double.reset_counts()
    edited = [changed(SET[2]), *SET[:2], *SET[3:]]
    report = publish(client, edited)
    assert double.count("POST", SAVE) == 1 and double.count("POST") == 1
    assert statuses(report)["d2"] is Status.UPDATED
    [outcome] = [o for o in report.outcomes if o.uid == "d2"]
    assert (outcome.version_before, outcome.version_after) == (1, 2)
    assert outcome.line() == "d2  updated (version 1 -> 2)"
    assert live_equals(double, edited[0])
    assert [double.meta(d.uid)["version"] for d in SET] == [1, 1, 2, 1, 1]  # type: ignore[index]


def test_a_ui_edit_is_a_conflict_nothing_written_diff_shown(
    double: GrafanaDouble, client: GrafanaClient
) -> None:
    publish(client, SET)
    double.ui_save("d1", lambda d: d["panels"].pop(), user="alice")
    double.reset_counts()
    report = publish(client, [changed(SET[1]), *SET[:1], *SET[2:]])
    assert not report.ok
    assert statuses(report)["d1"] is Status.CONFLICT
    assert double.count("POST") == 0
    assert double.meta("d1")["version"] == 2  # type: ignore[index]  # alice's version stays
    [outcome] = [o for o in report.outcomes if o.uid == "d1"]
    assert "changed in Grafana by alice at " in outcome.detail and "--force" in outcome.detail
    assert outcome.diff[0].startswith("--- grafana:d1 (version 2)")
    assert '+      "title": "Renamed panel",' in outcome.diff
    assert any(line.startswith('+      "title": "Panel 2"') for line in outcome.diff)
    assert "1 conflict" in report.summary()


def test_an_unchanged_local_copy_still_does_not_undo_a_ui_edit(
    double: GrafanaDouble, client: GrafanaClient
) -> None:
    publish(client, SET)
    double.ui_save("d0", {"title": "Better title"}, user="bob")
    report = publish(client, SET)
    assert statuses(report)["d0"] is Status.CONFLICT
    assert double.dashboard("d0")["title"] == "Better title"  # type: ignore[index]


def test_force_overwrites_the_ui_edit(double: GrafanaDouble, client: GrafanaClient) -> None:
    publish(client, SET)
    double.ui_save("d1", {"title": "Alice's"}, user="alice")
    double.reset_counts()
    report = publish(client, SET, force=True)
    assert report.ok and statuses(report)["d1"] is Status.UPDATED
    [outcome] = [o for o in report.outcomes if o.uid == "d1"]
    assert "overwrote a change by alice" in outcome.line()
    assert live_equals(double, SET[1]) and double.meta("d1")["version"] == 3  # type: ignore[index]
    assert double.count("POST") == 1
    assert is_ours(double.versions("d1")[0]["message"])
    # ...after which the next publish is quiet again.
    assert set(statuses(publish(client, SET)).values()) == {Status.UNCHANGED}


def assert_nothing_half_written(double: GrafanaDouble, dashboards: list[LocalDashboard]) -> None:
    """Each dashboard is absent, or exactly ours and written once."""
    for local in dashboards:
        live = double.dashboard(local.uid)
        assert live is None or (live_equals(double, local) and live["version"] == 1)


def test_twenty_percent_faults_converge_without_half_writes(double: GrafanaDouble) -> None:
    dashboards = [make(f"f{i}", panels=2) for i in range(30)]
    double.failure_rate, double.drop_rate = 0.1, 0.1  # 5xx and dropped connections
    config = GrafanaConfig(double.url, token=TOKEN, backoff=0.001)
    with GrafanaClient(config) as client:
        for _ in range(5):
            report = publish(client, dashboards)
            assert_nothing_half_written(double, dashboards)
            for outcome in report.outcomes:
                assert outcome.status in (Status.CREATED, Status.UNCHANGED, Status.FAILED)
                if outcome.status is Status.FAILED:
                    assert "\n" not in outcome.detail and "; " in outcome.detail
            if double.dashboard_uids() == sorted(d.uid for d in dashboards):
                break
    assert double.dashboard_uids() == sorted(d.uid for d in dashboards)
    faults = [r for r in double.requests if r.fault]
    assert len(faults) > 0.1 * len(double.requests), "the faults were really injected"


def test_a_save_that_keeps_failing_fails_clearly_and_the_next_run_converges(
    double: GrafanaDouble,
) -> None:
    dashboards = [make(f"g{i}") for i in range(4)]
    double.add_folder("Triton", uid=folder_uid(["Triton"]))
    double.fail_next(2, 503, method="POST")  # the first save and its one retry
    config = GrafanaConfig(double.url, token=TOKEN, backoff=0.001, retries=1)
    with GrafanaClient(config) as client:
        report = publish(client, dashboards, concurrency=1)
        [failed] = [o for o in report.outcomes if o.status is Status.FAILED]
        assert "(503: server error), also on every retry" in failed.detail
        assert not report.ok and report.error is None
        assert report.summary() == "3 created, 0 updated, 0 unchanged, 0 conflicts, 1 failed"
        assert_nothing_half_written(double, dashboards)
        assert double.dashboard(failed.uid) is None
        again = publish(client, dashboards)
    assert again.ok and statuses(again)[failed.uid] is Status.CREATED
    assert_nothing_half_written(double, dashboards)


def test_lost_answer_then_412_is_success_for_an_update(
    double: GrafanaDouble, client: GrafanaClient
) -> None:
    publish(client, SET)
    double.reset_counts()
    double.lose_response_next(1)
    report = publish(client, [changed(SET[0]), *SET[1:]])
    assert report.ok and statuses(report)["d0"] is Status.UPDATED
    saves = [(r.status, r.fault) for r in double.requests if r.path == SAVE]
    assert saves == [(200, "lose-response"), (412, None)]
    assert double.meta("d0")["version"] == 2  # type: ignore[index]  # written once


def test_lost_answer_then_412_is_success_for_a_create(
    double: GrafanaDouble, client: GrafanaClient
) -> None:
    publish(client, SET[:1])
    double.lose_response_next(1, method="POST")
    report = publish(client, SET[:2])
    assert report.ok and statuses(report)["d1"] is Status.CREATED
    assert double.meta("d1")["version"] == 1  # type: ignore[index]


def test_dry_run_writes_nothing(double: GrafanaDouble, client: GrafanaClient) -> None:
    report = publish(client, SET, dry_run=True)
    assert set(statuses(report).values()) == {Status.WOULD_CREATE}
    assert report.summary().endswith("(dry run: nothing written)")
    assert double.count("POST") == 0 and double.folders() == []
    publish(client, SET)
    double.ui_save("d4", {"title": "ui"})
    double.reset_counts()
    report = publish(client, [changed(SET[0]), *SET[1:]], dry_run=True, prune=True)
    assert statuses(report)["d0"] is Status.WOULD_UPDATE
    assert statuses(report)["d4"] is Status.CONFLICT
    assert double.count("POST") == 0 and double.count("DELETE") == 0


def test_prune_deletes_only_dashboards_we_wrote_last(
    double: GrafanaDouble, client: GrafanaClient
) -> None:
    ours_gone, theirs = make("gone"), make("theirs")
    publish(client, [*SET, ours_gone, theirs])
    double.ui_save("theirs", {"title": "Edited by hand"}, user="bob")
    double.ui_save("elsewhere", {"uid": "elsewhere", "title": "At the root"})  # not our folder
    report = publish(client, SET, prune=True)
    assert statuses(report)["gone"] is Status.DELETED
    assert statuses(report)["theirs"] is Status.KEPT
    assert "bob" in next(o.detail for o in report.outcomes if o.uid == "theirs")
    assert double.dashboard("gone") is None
    assert double.dashboard("theirs") is not None and double.dashboard("elsewhere") is not None
    assert report.ok
    # Without --prune nothing is deleted.
    publish(client, SET[:1])
    assert all(double.dashboard(d.uid) is not None for d in SET)


def test_nested_folders_are_created_once(double: GrafanaDouble, client: GrafanaClient) -> None:
    publish(client, SET[:1], folder="Platform / Triton")
    parent, child = folder_uid(["Platform"]), folder_uid(["Platform", "Triton"])
    assert double.folder(child)["parentUid"] == parent  # type: ignore[index]
    assert double.meta("d0")["folderUid"] == child  # type: ignore[index]
    double.reset_counts()
    publish(client, SET[:1], folder="Platform / Triton")
    assert double.count("POST", "/api/folders") == 0


def test_a_hand_made_folder_of_that_title_is_used(
    double: GrafanaDouble, client: GrafanaClient
) -> None:
    double.add_folder("Triton", uid="made-by-hand")
    report = publish(client, SET[:2])
    assert report.folders[-1].state == "adopted"
    assert double.folders() == ["made-by-hand"]
    assert double.meta("d0")["folderUid"] == "made-by-hand"  # type: ignore[index]
    assert set(statuses(publish(client, SET[:2])).values()) == {Status.UNCHANGED}


def test_a_dashboard_in_another_folder_is_moved_into_ours(
    double: GrafanaDouble, client: GrafanaClient
) -> None:
    publish(client, SET[:1], folder="Old")
    report = publish(client, SET[:1])
    [outcome] = report.outcomes
    assert outcome.status is Status.UPDATED and "moved from folder Old" in outcome.line()
    assert double.meta("d0")["folderUid"] == folder_uid(["Triton"])  # type: ignore[index]


def test_a_provisioned_dashboard_fails_alone(double: GrafanaDouble, client: GrafanaClient) -> None:
    double.provision("d3", {"uid": "d3", "title": "From a file"})
    report = publish(client, SET)
    assert statuses(report)["d3"] is Status.FAILED
    assert "provisioned" in next(o.detail for o in report.outcomes if o.uid == "d3")
    assert sum(s is Status.CREATED for s in statuses(report).values()) == 4
    assert not report.ok


def test_same_title_on_grafana_11_2_fails_that_dashboard_clearly() -> None:
    with (
        GrafanaDouble(token=TOKEN, version="11.2.0") as double,
        GrafanaClient(GrafanaConfig(double.url, token=TOKEN, backoff=0.001)) as client,
    ):
        report = publish(client, [make("a", "Same"), make("b", "Other")])
        assert report.ok
        report = publish(client, [make("a", "Same"), make("b", "Other"), make("c", "Same")])
    [failed] = [o for o in report.outcomes if o.status is Status.FAILED]
    assert failed.uid == "c" and "same title" in failed.detail


def test_a_fatal_error_stops_the_run_and_says_what_was_published(
    double: GrafanaDouble, client: GrafanaClient
) -> None:
    def revoke_after_first(outcome: Outcome) -> None:
        double.token = "glsa_rotated"

    dashboards = [make(f"x{i}") for i in range(6)]
    report = Publisher(client, concurrency=1).publish(dashboards, revoke_after_first)
    counts = report.counts()
    assert counts[Status.FAILED] == 1 and counts[Status.CREATED] >= 1
    assert counts[Status.CREATED] + counts[Status.FAILED] + counts[Status.SKIPPED] == 6
    assert report.error is not None and "GRAFANA_TOKEN" in report.error
    created = {o.uid for o in report.outcomes if o.status is Status.CREATED}
    assert set(double.dashboard_uids()) == created


def test_bad_credentials_stop_before_anything_is_written(double: GrafanaDouble) -> None:
    config = GrafanaConfig(double.url, token="glsa_wrong", backoff=0.001)
    with GrafanaClient(config) as client, pytest.raises(Unauthorized):
        Publisher(client).publish(SET)
    assert double.count("POST") == 0


def test_publishing_the_committed_dashboards(double: GrafanaDouble, client: GrafanaClient) -> None:
    root = Path(__file__).resolve().parents[1] / "dashboards"
    dashboards = load_dashboards(sorted(root.glob("*.json")))
    assert publish(client, dashboards).ok
    assert set(statuses(publish(client, dashboards)).values()) == {Status.UNCHANGED}


def write(tmp_path: Path, name: str, data: Any) -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("{not json", "is not valid JSON (line 1"),
        ({"title": "t"}, "has no uid"),
        ({"uid": "x" * 41, "title": "t"}, "at most 40"),
        ({"uid": "a b", "title": "t"}, "characters Grafana refuses"),
        ({"uid": "u", "title": " "}, "has no title"),
        ([1, 2], "not a dashboard"),
    ],
)
def test_bad_files_are_refused_before_anything_is_sent(
    tmp_path: Path, content: Any, needle: str
) -> None:
    with pytest.raises(InputError) as caught:
        load_dashboards([write(tmp_path, "bad.json", content)])
    assert needle in str(caught.value) and "bad.json" in str(caught.value)


def test_two_files_with_one_uid_are_refused(tmp_path: Path) -> None:
    first = write(tmp_path, "a.json", {"uid": "same", "title": "A"})
    second = write(tmp_path, "b.json", {"uid": "same", "title": "B"})
    with pytest.raises(InputError, match=r"a\.json and .*b\.json have the same uid 'same'"):
        load_dashboards([first, second])


def test_a_dashboard_saved_from_the_api_is_unwrapped_and_its_id_dropped(tmp_path: Path) -> None:
    data = {"dashboard": {"id": 42, "uid": "u", "title": "T", "version": 9}, "meta": {}}
    [local] = load_dashboards([write(tmp_path, "u.json", data)])
    assert local.uid == "u" and normalise(local.dashboard) == {"uid": "u", "title": "T"}


def test_outcomes_come_in_input_order_whatever_finishes_first(double: GrafanaDouble) -> None:
    dashboards = [make(f"o{i:02d}", panels=1 + i % 7) for i in range(24)]
    double.latency = 0.002
    heard: list[str] = []
    with GrafanaClient(GrafanaConfig(double.url, token=TOKEN, backoff=0.001)) as client:
        for _ in range(2):
            heard.clear()
            Publisher(client, concurrency=8).publish(dashboards, lambda o: heard.append(o.uid))
            assert heard == [d.uid for d in dashboards]


def test_a_ui_restore_of_our_own_version_is_updated_not_a_conflict(
    double: GrafanaDouble, client: GrafanaClient
) -> None:
    first, second = SET[0], changed(SET[0])
    publish(client, [first])
    publish(client, [second])
    saved = double.versions("d0")[-1]["data"]  # version 1, ours

    def restore(data: dict[str, Any]) -> None:
        data.clear()
        data.update(saved)

    double.ui_save("d0", restore, user="alice", message="Restored from version 1")
    report = publish(client, [second])
    [outcome] = report.outcomes
    assert report.ok and outcome.status is Status.UPDATED, outcome.line()
    assert "restore by alice" in outcome.line()
    assert live_equals(double, second)


def test_a_folder_uid_taken_by_a_dashboard_says_so_and_what_to_do(
    double: GrafanaDouble, client: GrafanaClient
) -> None:
    double.ui_save("triton", {"uid": "triton", "title": "Other dashboard"})
    for dry_run in (True, False):
        with pytest.raises(GrafanaError) as caught:
            Publisher(client, dry_run=dry_run).publish(SET[:1])
        text = caught.value.message
        assert "taken by the dashboard 'Other dashboard'" in text, text
        assert "GRAFANA_FOLDER" in text and "run again" not in text
    assert double.folders() == []


def test_a_viewer_is_refused_before_any_write_also_in_a_dry_run() -> None:
    with (
        GrafanaDouble(token=TOKEN, token_role="Viewer") as viewer,
        GrafanaClient(GrafanaConfig(viewer.url, token=TOKEN, backoff=0.001)) as client,
    ):
        viewer.add_folder("Triton", uid=folder_uid(["Triton"]))
        for dry_run in (True, False):
            with pytest.raises(Forbidden) as caught:
                Publisher(client, dry_run=dry_run).publish(SET)
            assert "403" in caught.value.message and "Editor" in caught.value.message
        assert viewer.count("POST") == 0

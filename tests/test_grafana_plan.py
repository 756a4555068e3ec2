"""The publish plan on its own: plain values in, an Action out, no HTTP anywhere."""

from __future__ import annotations

from typing import Any

from triton_dashboards.grafana.local import save_message
from triton_dashboards.grafana.plan import Kind, Live, Version, plan

FOLDER = "triton"
OURS = {"uid": "ner", "title": "NER", "panels": [{"id": 1, "title": "Rate"}]}


def live(dashboard: dict[str, Any], **kwargs: Any) -> Live:
    options: dict[str, Any] = {"folder_uid": FOLDER, "folder_title": "Triton"}
    options.update(kwargs)
    return Live({**dashboard, "id": 7, "version": 3}, 3, **options)


def ours(dashboard: dict[str, Any], version: int = 3) -> Version:
    return Version(version, save_message(dashboard), "sa-1", "2026-11-20T14:02:33Z")


def theirs(version: int = 3, message: str = "") -> Version:
    return Version(version, message, "alice", "2026-11-20T14:02:33Z")


EDITED = {**OURS, "title": "NER, edited"}


def test_nothing_live_is_a_create() -> None:
    action = plan(OURS, None, (), False, folder_uid=FOLDER)
    assert action.kind is Kind.CREATE and action.version is None and action.writes


def test_equal_in_our_folder_is_unchanged_whatever_grafana_added() -> None:
    action = plan(OURS, live(OURS), (), False, folder_uid=FOLDER)
    assert action.kind is Kind.UNCHANGED and action.version == 3 and not action.writes


def test_our_latest_version_is_updated_with_the_version_read() -> None:
    action = plan(EDITED, live(OURS), [ours(OURS)], False, folder_uid=FOLDER)
    assert (action.kind, action.version, action.forced, action.restored) == (
        Kind.UPDATE,
        3,
        False,
        False,
    )


def test_someone_elses_latest_version_is_a_conflict_that_names_them() -> None:
    action = plan(OURS, live(EDITED), [theirs(), ours(OURS, 2)], False, folder_uid=FOLDER)
    assert action.kind is Kind.CONFLICT and not action.writes
    assert action.who == "by alice at 2026-11-20 14:02 UTC"


def test_a_ui_restore_of_a_version_we_saved_is_not_a_conflict() -> None:
    older = {**OURS, "title": "NER v1"}
    history = [theirs(4, "Restored from version 2"), ours(OURS, 3), ours(older, 2)]
    action = plan(OURS, live(older), history, False, folder_uid=FOLDER)
    assert action.kind is Kind.UPDATE and action.restored and not action.forced


def test_a_restore_of_someone_elses_version_is_still_a_conflict() -> None:
    history = [theirs(4, "Restored from version 2"), ours(OURS, 3), theirs(2)]
    action = plan(OURS, live(EDITED), history, False, folder_uid=FOLDER)
    assert action.kind is Kind.CONFLICT


def test_a_provisioned_dashboard_is_refused_even_with_force() -> None:
    action = plan(EDITED, live(OURS, provisioned=True), [], True, folder_uid=FOLDER)
    assert action.kind is Kind.PROVISIONED and not action.writes


def test_force_turns_a_conflict_into_an_update_that_says_so() -> None:
    action = plan(OURS, live(EDITED), [theirs()], True, folder_uid=FOLDER)
    assert action.kind is Kind.UPDATE and action.forced and "alice" in action.who


def test_equal_content_in_another_folder_is_moved() -> None:
    action = plan(
        OURS, live(OURS, folder_uid="", folder_title=""), [ours(OURS)], False, folder_uid=FOLDER
    )
    assert action.kind is Kind.UPDATE and action.moved_from == "General"


def test_no_history_at_all_is_a_conflict_named_from_the_live_copy() -> None:
    action = plan(OURS, live(EDITED, updated_by="bob", updated="x"), [], False, folder_uid=FOLDER)
    assert action.kind is Kind.CONFLICT and action.who == "by bob at x"

"""The publish plan on its own: plain values in, an Action out, no HTTP anywhere."""

from __future__ import annotations

from typing import Any

import attrs

from triton_dashboards.grafana.local import is_ours, save_message
from triton_dashboards.grafana.plan import Foreign, Kind, Live, Version, content_of, foreign, plan
from triton_dashboards.grafana.provenance import NOWHERE, Origin, Saved, parse

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


# -- facts the Kubernetes-style API brings (issue 10) -------------------------------------


def test_our_hash_in_the_latest_save_is_unchanged_after_the_server_migrated_the_spec() -> None:
    migrated = {**OURS, "schemaVersion": 42}  # ours says 41: the server rewrote it on write
    sent = save_message(OURS).split("sha256:")[1]
    action = plan(
        {**OURS, "schemaVersion": 41}, live(migrated, sent_hash=sent), (), False, folder_uid=FOLDER
    )
    # the hash of {**OURS, schemaVersion 41} differs from that of OURS: not unchanged...
    assert action.kind is not Kind.UNCHANGED
    local = {**OURS, "schemaVersion": 41}
    sent = save_message(local).split("sha256:")[1]
    action = plan(local, live(migrated, sent_hash=sent), (), False, folder_uid=FOLDER)
    assert action.kind is Kind.UNCHANGED and not action.writes


def test_a_v2_stored_dashboard_is_a_conflict_and_force_replaces_it() -> None:
    stored = live(OURS, stored_v2="v2beta1", updated_by="user:alice")
    action = plan(OURS, stored, (), False, folder_uid=FOLDER)
    assert action.kind is Kind.CONFLICT and action.v2 == "v2beta1" and "user:alice" in action.who
    forced = plan(OURS, stored, (), True, folder_uid=FOLDER)
    assert forced.kind is Kind.UPDATE and forced.forced and forced.v2 == "v2beta1"


def test_a_dashboard_another_tool_manages_is_refused_even_forced() -> None:
    managed = live(EDITED, manager_kind="terraform", manager_id="tf-1")
    for force in (False, True):
        action = plan(OURS, managed, (), force, folder_uid=FOLDER)
        assert action.kind is Kind.MANAGED and not action.writes
        assert action.manager == "terraform (id tf-1)"


def test_our_own_manager_mark_is_not_another_tools() -> None:
    marked = live(EDITED, manager_kind="kubectl", manager_id="triton-dashboards")
    action = plan(OURS, marked, (ours(EDITED),), False, folder_uid=FOLDER)
    assert action.kind is Kind.UPDATE


def test_an_update_carries_the_resource_version_it_read() -> None:
    action = plan(
        OURS, live(EDITED, resource_version="171"), (ours(EDITED),), False, folder_uid=FOLDER
    )
    assert action.kind is Kind.UPDATE and action.resource_version == "171"


# -- whose save it is (issue 19): this repository's history, not this tool ----------------

MAIN = Origin("aaaaaaaaaaaa", "github.com/acme/dash", "111111111111", "ci@acme.example")
OTHER_BRANCH = attrs.evolve(MAIN, commit="222222222222")
OTHER_REPO = Origin("bbbbbbbbbbbb", "github.com/else/dash", "333333333333", "eve@else.example")


def saved_by(origin: Origin, dashboard: dict[str, Any] = OURS) -> Version:
    return Version(3, save_message(dashboard, origin), "sa-1", "2026-11-20T14:02:33Z")


def test_a_save_whose_content_we_committed_is_ours_a_fast_forward() -> None:
    committed = {content_of(OURS)}
    action = plan(
        EDITED, live(OURS), [saved_by(OTHER_BRANCH)], False,
        folder_uid=FOLDER, origin=MAIN, committed=committed,
    )  # fmt: skip
    assert action.kind is Kind.UPDATE and action.foreign is None


def test_a_save_from_another_branch_is_a_conflict_naming_its_commit() -> None:
    action = plan(
        EDITED, live(OURS), [saved_by(OTHER_BRANCH)], False,
        folder_uid=FOLDER, origin=MAIN, committed=frozenset(),
    )  # fmt: skip
    assert action.kind is Kind.CONFLICT and action.foreign is Foreign.BRANCH
    assert action.source.commit == "222222222222"


def test_a_save_from_another_repository_is_never_ours_even_with_our_content() -> None:
    action = plan(
        EDITED, live(OURS), [saved_by(OTHER_REPO)], False,
        folder_uid=FOLDER, origin=MAIN, committed={content_of(OURS)},
    )  # fmt: skip
    assert action.kind is Kind.CONFLICT and action.foreign is Foreign.REPOSITORY
    forced = plan(
        EDITED, live(OURS), [saved_by(OTHER_REPO)], True,
        folder_uid=FOLDER, origin=MAIN, committed=frozenset(),
    )  # fmt: skip
    assert forced.kind is Kind.UPDATE and forced.forced and forced.foreign is Foreign.REPOSITORY


def test_the_same_checkout_is_ours_without_a_commit() -> None:
    action = plan(
        EDITED, live(OURS), [saved_by(MAIN)], False,
        folder_uid=FOLDER, origin=MAIN, committed=frozenset(),
    )  # fmt: skip
    assert action.kind is Kind.UPDATE


def test_outside_git_only_saves_from_outside_git_are_ours() -> None:
    assert foreign(Saved("abc", NOWHERE), NOWHERE, frozenset()) is None
    assert foreign(Saved("abc", MAIN), NOWHERE, frozenset()) is Foreign.REPOSITORY
    assert foreign(Saved("abc", NOWHERE), MAIN, frozenset()) is Foreign.OUTSIDE
    assert foreign(Saved("abc", NOWHERE), MAIN, {"abc"}) is None


def test_the_save_message_round_trips_and_stays_under_grafanas_500_characters() -> None:
    long = Origin("a" * 12, "x" * 400, "1" * 12, "y" * 400)
    text = save_message(OURS, long)
    assert len(text) <= 500 and is_ours(text)
    saved = parse(save_message(OURS, MAIN))
    assert saved == Saved(content_of(OURS), MAIN)
    assert parse("Restored from version 2") is None

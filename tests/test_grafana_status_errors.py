"""Kubernetes ``Status`` error bodies of ``/apis`` become one line each, branching on code and
reason (Grafana API §6.6), never on the message, which only gets quoted."""

from __future__ import annotations

from typing import Any

import pytest

from triton_dashboards.grafana.errors import (
    AlreadyExists,
    Call,
    Forbidden,
    GrafanaError,
    VersionMismatch,
)
from triton_dashboards.grafana.status_errors import error_from_status, is_status

CALL = Call(
    "PUT",
    "/apis/dashboard.grafana.app/v1/namespaces/default/dashboards/ner",
    "save dashboard ner",
    "dashboards:write",
)


def status(
    code: int, reason: str, message: str = "whatever the release says", **details: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "Status",
        "apiVersion": "v1",
        "status": "Failure",
        "message": message,
        "reason": reason,
        "code": code,
    }
    if details:
        body["details"] = details
    return body


def test_a_status_is_told_from_grafanas_own_json() -> None:
    assert is_status(status(409, "Conflict"))
    assert not is_status({"message": "Not found"}) and not is_status(None)


def test_409_conflict_is_a_version_mismatch_the_publisher_plans_again() -> None:
    error = error_from_status(CALL, 409, status(409, "Conflict", "the object has been modified"))
    assert isinstance(error, VersionMismatch) and not error.fatal
    assert "changed in Grafana meanwhile (409 Conflict" in error.message


def test_409_already_exists_is_already_exists() -> None:
    assert isinstance(error_from_status(CALL, 409, status(409, "AlreadyExists")), AlreadyExists)


def test_422_names_the_field_from_the_cause() -> None:
    body = status(
        422,
        "Invalid",
        causes=[
            {"reason": "FieldValueInvalid", "field": "spec.title", "message": "Required value"}
        ],
    )
    error = error_from_status(CALL, 422, body)
    assert "spec.title is invalid (422 Invalid: Required value)" in error.message
    assert "fix spec.title" in error.message


@pytest.mark.parametrize("message", ["Cannot change resource manager kind", "any other words"])
def test_403_manager_rule_is_one_dashboards_failure_by_its_cause(message: str) -> None:
    body = status(403, "Forbidden", message, causes=[{"type": "ResourceManagerKindConflict"}])
    error = error_from_status(CALL, 403, body)
    assert not isinstance(error, Forbidden) and not error.fatal
    assert "another tool manages it" in error.message


def test_403_rbac_stops_the_run_and_names_the_permission() -> None:
    body = status(403, "Forbidden", 'dashboards.dashboard.grafana.app "ner" is forbidden: User "x"')
    error = error_from_status(CALL, 403, body)
    assert isinstance(error, Forbidden) and error.fatal and "dashboards:write" in error.message


def test_404_of_a_folder_and_of_a_namespace_say_what_to_check() -> None:
    folder = error_from_status(CALL, 404, status(404, "NotFound", kind="folders", name="x"))
    assert "its folder does not exist" in folder.message and not folder.fatal
    space = error_from_status(CALL, 404, status(404, "NotFound", kind="namespaces", name="org-9"))
    assert "GRAFANA_ORG_ID" in space.message and space.fatal


def test_every_line_is_one_line_with_what_to_do() -> None:
    for code, reason in [(400, "BadRequest"), (500, "InternalError"), (418, "Teapot")]:
        error = error_from_status(CALL, code, status(code, reason, "two\nlines"))
        assert (
            isinstance(error, GrafanaError) and "\n" not in error.message and "; " in error.message
        )

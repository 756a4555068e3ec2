"""One line for each Kubernetes ``Status`` error body of Grafana's ``/apis`` (Grafana API §6.6).

Branches on ``code`` and ``reason`` (and ``details``), never on the message text, which
Grafana words differently across releases; the message is only quoted. The classes are the
ones callers already catch: a 409 ``Conflict`` (a stale ``resourceVersion``: someone saved
in between) is a :class:`VersionMismatch`, which the publisher answers by planning again,
exactly as it answers the legacy 412; a 409 ``AlreadyExists`` is :class:`AlreadyExists`.
"""

from __future__ import annotations

from typing import Any

from triton_dashboards.grafana.diagnose import forbidden, too_large
from triton_dashboards.grafana.errors import (
    AlreadyExists,
    Call,
    Forbidden,
    GrafanaError,
    VersionMismatch,
)

__all__ = ["error_from_status", "is_status"]

_MAX_TEXT = 200


def is_status(body: Any) -> bool:
    """Whether an error body is a Kubernetes ``Status`` (not Grafana's own JSON)."""
    return isinstance(body, dict) and body.get("kind") == "Status" and "code" in body


def _said(body: dict[str, Any]) -> str:
    return " ".join(str(body.get("message") or "").split())[:_MAX_TEXT]


def _causes(body: dict[str, Any]) -> list[dict[str, Any]]:
    details = body.get("details")
    causes = details.get("causes") if isinstance(details, dict) else None
    return [c for c in causes or [] if isinstance(c, dict)]


def _details_kind(body: dict[str, Any]) -> str:
    details = body.get("details")
    return str(details.get("kind") or "") if isinstance(details, dict) else ""


def _invalid(call: Call, body: dict[str, Any]) -> GrafanaError:
    causes = _causes(body)
    if causes:
        field = str(causes[0].get("field") or "spec")
        why = " ".join(str(causes[0].get("message") or "").split())[:_MAX_TEXT]
    else:
        field, why = "spec", _said(body)
    return GrafanaError(
        f"Grafana refused to {call.what}: {field} is invalid (422 Invalid: {why}); "
        f"fix {field} in the dashboard JSON (rebuild it with `triton-dashboards build`)",
        status=422,
    )


def _manager_refusal(body: dict[str, Any]) -> bool:
    if any(str(c.get("type", "")).startswith("ResourceManager") for c in _causes(body)):
        return True
    return "manager" in _said(body).lower() or "provisioned resources" in _said(body).lower()


def _forbidden(call: Call, body: dict[str, Any]) -> GrafanaError:
    said = _said(body)
    if _manager_refusal(body):
        # One dashboard's manager, not the credential: the rest of the run goes on.
        return GrafanaError(
            f"Grafana refused to {call.what}: another tool manages it (403 Forbidden: {said}); "
            "change it in that tool, or remove its manager (grafana.app/managedBy) in Grafana "
            "to manage it here",
            status=403,
        )
    if said == "Quota reached":
        return Forbidden(
            f"cannot {call.what}: Grafana's dashboard quota is reached (403); "
            "delete unused dashboards or ask the Grafana admin to raise the quota",
            status=403,
        )
    return forbidden(call.what, said, call.permission)


def error_from_status(call: Call, code: int, body: dict[str, Any]) -> GrafanaError:
    """The error for a ``Status`` body answered with HTTP ``code``."""
    reason, said = str(body.get("reason") or ""), _said(body)
    if code == 409 and reason == "AlreadyExists":
        return AlreadyExists(
            f"cannot {call.what}: it already exists (409 AlreadyExists); run again", status=409
        )
    if code == 409:
        return VersionMismatch(
            f"cannot {call.what}: it was changed in Grafana meanwhile (409 {reason or 'Conflict'}: "
            f"{said}); run publish again",
            status=409,
        )
    if code == 422:
        return _invalid(call, body)
    if code == 413:
        return too_large(call, f"413 {reason or 'RequestEntityTooLarge'}: {said}")
    if code == 403:
        return _forbidden(call, body)
    if code == 404 and _details_kind(body) == "folders":
        return GrafanaError(
            f"cannot {call.what}: its folder does not exist (404 NotFound: {said}); "
            "check GRAFANA_FOLDER, or run publish again to create it",
            status=404,
        )
    if code == 404 and _details_kind(body) == "namespaces":
        return GrafanaError(
            f"cannot {call.what}: Grafana has no such namespace (404 NotFound: {said}); "
            "check GRAFANA_ORG_ID (or --org-id) and GRAFANA_STACK_ID (or --stack-id)",
            status=404,
            fatal=True,
        )
    if code == 404:
        return GrafanaError(
            f"cannot {call.what}: not found (404 NotFound: {said}); check the uid and "
            "GRAFANA_ORG_ID",
            status=404,
        )
    if code == 400:
        return GrafanaError(
            f"Grafana rejected the request to {call.what} (400 {reason or 'BadRequest'}: "
            f"{said}); fix the dashboard JSON (a non-empty title, a refresh Grafana allows)",
            status=400,
        )
    if code >= 500:
        return GrafanaError(
            f"Grafana failed to {call.what} ({code} {reason}: {said}), also on every retry; "
            "check Grafana's health and logs, then run again",
            status=code,
        )
    return GrafanaError(
        f"unexpected answer to {call.what} ({code} {reason}: {said or 'no message'}); "
        "check that GRAFANA_URL points at Grafana (with its sub-path)",
        status=code,
    )

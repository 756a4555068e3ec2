"""The Kubernetes ``Status`` bodies every non-2xx answer of ``/apis`` carries (Grafana API §6.6).

Fields in apimachinery's struct order (kind, apiVersion, metadata, status, message, reason,
details, code), as Go encodes structs. ``details.kind`` is the resource ("dashboards") except
for 422 Invalid, where apimachinery names the Kind ("Dashboard"), hence its
``Dashboard.dashboard.grafana.app "x" is invalid`` message.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .errors import Reply, encode


@dataclass(frozen=True)
class Resource:
    """A resource of an API group, as error messages and ``details`` name it."""

    group: str
    plural: str  # "dashboards"
    kind: str  # "Dashboard"

    @property
    def qualified(self) -> str:
        return f"{self.plural}.{self.group}"


DASHBOARDS = Resource("dashboard.grafana.app", "dashboards", "Dashboard")
FOLDERS = Resource("folder.grafana.app", "folders", "Folder")


def status(
    code: int,
    reason: str,
    message: str,
    details: dict[str, Any] | None = None,
) -> Reply:
    body: dict[str, Any] = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
    }
    if details is not None:
        body["details"] = details
    body["code"] = code
    return Reply(code, encode(body))


def _details(resource: Resource, name: str) -> dict[str, Any]:
    details: dict[str, Any] = {"group": resource.group, "kind": resource.plural}
    return {"name": name, **details} if name else details


def not_found(resource: Resource, name: str) -> Reply:
    return status(
        404,
        "NotFound",
        f'{resource.qualified} "{name}" not found',
        _details(resource, name),
    )


def already_exists(resource: Resource, name: str) -> Reply:
    return status(
        409,
        "AlreadyExists",
        f'{resource.qualified} "{name}" already exists',
        _details(resource, name),
    )


def conflict(resource: Resource, name: str) -> Reply:
    return status(
        409,
        "Conflict",
        f'Operation cannot be fulfilled on {resource.qualified} "{name}": the object has been '
        "modified; please apply your changes to the latest version and try again",
        _details(resource, name),
    )


def bad_request(message: str) -> Reply:
    return status(400, "BadRequest", message)


def forbidden(resource: Resource, name: str, message: str, cause: str = "") -> Reply:
    details = _details(resource, name)
    if cause:
        details["causes"] = [{"type": cause, "message": message}]
    return status(403, "Forbidden", message, details)


def rbac_forbidden(resource: Resource, name: str, login: str, verb: str, namespace: str) -> Reply:
    """The authorizer's 403, worded as the Kubernetes apiserver words it."""
    subject = f'{resource.qualified} "{name}"' if name else resource.qualified
    return forbidden(
        resource,
        name,
        f'{subject} is forbidden: User "{login}" cannot {verb} resource "{resource.plural}" '
        f'in API group "{resource.group}" in the namespace "{namespace}"',
    )


def invalid(resource: Resource, name: str, field: str, value: Any, detail: str) -> Reply:
    """422 Invalid with one ``FieldValueInvalid`` cause naming ``field``."""
    shown = encode(value).decode("utf-8") if not isinstance(value, str) else f'"{value}"'
    cause = f"Invalid value: {shown}: {detail}"
    return status(
        422,
        "Invalid",
        f'{resource.kind}.{resource.group} "{name}" is invalid: {field}: {cause}',
        {
            "name": name,
            "group": resource.group,
            "kind": resource.kind,
            "causes": [{"reason": "FieldValueInvalid", "message": cause, "field": field}],
        },
    )


def success(resource: Resource, name: str, uid: str) -> dict[str, Any]:
    """The ``Status`` a DELETE answers 200 with (§6.4)."""
    return {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Success",
        "details": {"name": name, "group": resource.group, "kind": resource.plural, "uid": uid},
    }

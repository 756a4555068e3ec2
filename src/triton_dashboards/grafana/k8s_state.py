"""A dashboard object of the Kubernetes-style API, read as the plan's plain facts.

This is the only code that knows the object's shape (Grafana API §6.3): ``metadata.name`` is the
uid, ``metadata.generation`` the version the UI shows, ``metadata.resourceVersion`` the lock
an update carries, the annotations say the folder, the latest save's message and author,
and the manager; ``status.conversion.storedVersion`` says when Grafana stores it as schema
v2 (read through v1 it is a conversion, §6.7). The latest save's message is in the object
itself, so "is the latest version ours" needs no history request.
"""

from __future__ import annotations

import re
from typing import Any

import attrs

from triton_dashboards.grafana.local import is_ours
from triton_dashboards.grafana.ownership import KINDS, MANAGED_BY, MANAGER_ID_KEY
from triton_dashboards.grafana.plan import Live, Version

__all__ = [
    "A_FOLDER",
    "A_MESSAGE",
    "A_UPDATED",
    "A_UPDATED_BY",
    "K8sDashboard",
    "annotations_of",
    "folder_of",
]

A_FOLDER = "grafana.app/folder"
A_MESSAGE = "grafana.app/message"
A_UPDATED_BY = "grafana.app/updatedBy"
A_UPDATED = "grafana.app/updatedTimestamp"
_PROVISIONED = "classic-file-provisioning"
_HASH = re.compile(r"sha256:([0-9a-f]{12})\b")


def annotations_of(obj: dict[str, Any]) -> dict[str, str]:
    meta = obj.get("metadata")
    found = meta.get("annotations") if isinstance(meta, dict) else None
    return {str(k): str(v) for k, v in (found or {}).items()}


def folder_of(obj: dict[str, Any]) -> str:
    """The parent folder's uid; "" at the root (``general`` is the root too)."""
    folder = annotations_of(obj).get(A_FOLDER, "")
    return "" if folder == "general" else folder


def _stored_v2(obj: dict[str, Any]) -> str:
    status = obj.get("status")
    conversion = status.get("conversion") if isinstance(status, dict) else None
    stored = str(conversion.get("storedVersion") or "") if isinstance(conversion, dict) else ""
    if not stored:
        stored = str(obj.get("apiVersion") or "").rpartition("/")[2]
    return stored if stored.startswith("v2") else ""


@attrs.frozen
class K8sDashboard:
    """A dashboard as ``/apis`` returns it: the whole object."""

    obj: dict[str, Any]

    @property
    def name(self) -> str:
        return str(self.obj.get("metadata", {}).get("name") or "")

    @property
    def dashboard(self) -> dict[str, Any]:
        """The spec with its uid (unified storage strips ``spec.uid``; the name is the uid)."""
        spec = self.obj.get("spec")
        return {**(spec if isinstance(spec, dict) else {}), "uid": self.name}

    @property
    def version(self) -> int:
        generation = self.obj.get("metadata", {}).get("generation")
        return int(generation) if isinstance(generation, int) else 0

    @property
    def can_save(self) -> bool:
        """The object does not say; a refused save answers 403."""
        return True

    @property
    def stored_v2(self) -> str:
        return _stored_v2(self.obj)

    def head(self) -> tuple[Version, ...]:
        """The latest save, from the object itself: its generation, message and author."""
        notes = annotations_of(self.obj)
        return (
            Version(
                version=self.version,
                message=notes.get(A_MESSAGE, ""),
                created_by=notes.get(A_UPDATED_BY, ""),
                created=notes.get(A_UPDATED, ""),
            ),
        )

    def state(self) -> Live:
        notes = annotations_of(self.obj)
        message = notes.get(A_MESSAGE, "")
        sent = _HASH.search(message) if is_ours(message) else None
        kind = notes.get(MANAGED_BY, "")
        kind = kind if kind in KINDS else ""
        metadata = self.obj.get("metadata", {})
        return Live(
            self.dashboard,
            self.version,
            folder_uid=folder_of(self.obj),
            provisioned=kind == _PROVISIONED,
            updated_by=notes.get(A_UPDATED_BY, ""),
            updated=notes.get(A_UPDATED, ""),
            sent_hash=sent.group(1) if sent else "",
            stored_v2=self.stored_v2,
            manager_kind=kind,
            manager_id=notes.get(MANAGER_ID_KEY, "") if kind else "",
            resource_version=str(metadata.get("resourceVersion") or ""),
        )

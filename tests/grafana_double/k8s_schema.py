"""What a write's spec goes through (Grafana API §6.3 mutation, §6.5 validation, §6.11 schema).

Mutation: a v1-family spec loses ``id``, ``uid`` and ``version``; where the profile migrates
on write its ``schemaVersion`` is raised to the latest (the double changes only the number:
the v42 migration itself touches ``hideFrom`` overrides a publisher does not rely on); a v2
spec without ``layout`` gets an empty grid. Validation: the checks every mode makes (title,
message, tags, refresh: 400) and, in Strict mode, the schema checks (422 on a field).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .k8s_convert import is_v2

MIN_SCHEMA_VERSION = 9  # LATEST_VERSION = 42, MIN_VERSION = 9 (§6.11)
MAX_MESSAGE_LENGTH = 500
MAX_TAG_LENGTH = 50
_V2_LAYOUTS = ("GridLayout", "RowsLayout", "AutoGridLayout", "TabsLayout")
_DURATION = re.compile(r"^(\d+)(ms|s|m|h|d|w|M|y)$")
_SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


@dataclass(frozen=True)
class FieldError:
    """A 422 cause: the field, the value found, and why."""

    field: str
    value: Any
    detail: str


def mutate(spec: dict[str, Any], version: str, latest: int, migrate: bool) -> FieldError | None:
    """Rewrite ``spec`` in place as the server stores it; a failed migration is the error."""
    if is_v2(version):
        spec.setdefault("layout", {"kind": "GridLayout", "spec": {"items": []}})
        return None
    for key in ("id", "uid", "version"):
        spec.pop(key, None)
    if not migrate:
        return None
    found = spec.get("schemaVersion")
    number = found if isinstance(found, int) and not isinstance(found, bool) else 0
    if number < MIN_SCHEMA_VERSION:
        return FieldError(
            "spec.schemaVersion",
            found,
            f"dashboard schema version {number} cannot be migrated to latest version {latest}"
            f" - migration path only exists for versions greater than {MIN_SCHEMA_VERSION}",
        )
    spec["schemaVersion"] = max(number, latest)
    return None


def basic_error(spec: dict[str, Any], message: str, min_refresh: str) -> str | None:
    """The 400 checks made whatever ``fieldValidation`` says (§6.5)."""
    title = spec.get("title")
    if not isinstance(title, str) or not title.strip():
        return "Dashboard title cannot be empty"
    if len(message) > MAX_MESSAGE_LENGTH:
        return "message too long, max 500 characters"
    tags = spec.get("tags")
    if isinstance(tags, list) and any(isinstance(t, str) and len(t) > MAX_TAG_LENGTH for t in tags):
        return "dashboard tag too long, max 50 characters"
    refresh = spec.get("refresh")
    if spec.get("timeSettings") and isinstance(spec["timeSettings"], dict):
        refresh = spec["timeSettings"].get("autoRefresh")
    if isinstance(refresh, str) and refresh:
        seconds, least = _seconds(refresh), _seconds(min_refresh)
        if seconds is not None and least is not None and seconds < least:
            return "Dashboard refresh interval is too low"
    return None


def schema_error(spec: dict[str, Any], version: str, latest: int) -> FieldError | None:
    """Strict mode's schema check (§6.5): v1 must be at the latest schemaVersion (after any
    migration), v2 must have v2's shape."""
    if is_v2(version):
        if "panels" in spec or "schemaVersion" in spec:
            key = "panels" if "panels" in spec else "schemaVersion"
            return FieldError(f"spec.{key}", "(v1 field)", "field not allowed in a v2 spec")
        if not isinstance(spec.get("elements", {}), dict):
            return FieldError("spec.elements", spec.get("elements"), "must be an object")
        kind = spec["layout"].get("kind") if isinstance(spec.get("layout"), dict) else None
        if kind not in _V2_LAYOUTS:
            return FieldError("spec.layout.kind", kind, f"must be one of {', '.join(_V2_LAYOUTS)}")
        return None
    found = spec.get("schemaVersion")
    if found != latest:
        return FieldError(
            "spec.schemaVersion",
            found,
            f"Schema version {found} is not supported - please upgrade to {latest}",
        )
    if not isinstance(spec.get("panels", []), list):
        return FieldError("spec.panels", spec.get("panels"), "must be a list")
    return None


def _seconds(duration: str) -> float | None:
    found = _DURATION.match(duration)
    return int(found[1]) * _SECONDS[found[2]] if found and found[2] in _SECONDS else None

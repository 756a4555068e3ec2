"""What a publish did, per dashboard and in all: a line of text each and one JSON document.

Kept apart from the work so that ``publish``, ``--dry-run`` and ``diff`` speak alike.
"""

from __future__ import annotations

import enum
from collections import Counter
from typing import Any

import attrs

from triton_dashboards.grafana.folders import Folder

__all__ = ["GOOD", "JSON_KEYS", "Outcome", "Report", "Status", "document", "live_label"]

#: The top-level keys of ``publish --output json``, on success and on failure alike.
JSON_KEYS = ("ok", "error", "grafana", "dry_run", "folders", "dashboards", "summary")


class Status(str, enum.Enum):
    """What happened to one dashboard (or, in a dry run, what would)."""

    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    CONFLICT = "conflict"
    FAILED = "failed"
    SKIPPED = "skipped"
    DELETED = "deleted"
    KEPT = "kept"
    WOULD_CREATE = "would create"
    WOULD_UPDATE = "would update"
    WOULD_DELETE = "would delete"


#: Statuses that let a publish exit 0.
GOOD = frozenset(
    {
        Status.CREATED,
        Status.UPDATED,
        Status.UNCHANGED,
        Status.DELETED,
        Status.KEPT,
        Status.WOULD_CREATE,
        Status.WOULD_UPDATE,
        Status.WOULD_DELETE,
    }
)


@attrs.frozen
class Outcome:
    """One dashboard's result: enough for a line of text and for ``--output json``."""

    label: str
    uid: str
    status: Status
    file: str | None = None
    version_before: int | None = None
    version_after: int | None = None
    #: For conflicts and failures: the one-line reason; else a short note.
    detail: str = ""
    diff: tuple[str, ...] = ()

    def line(self, width: int = 0) -> str:
        """``ner  updated (version 4 -> 5)``, the label padded to ``width``."""
        name = self.label.ljust(width)
        status = self.status
        if status is Status.CONFLICT:
            return f"{name}  CONFLICT: {self.detail}"
        if status is Status.FAILED:
            return f"{name}  FAILED: {self.detail}"
        if status in (Status.SKIPPED, Status.KEPT):
            return f"{name}  {status.value}: {self.detail}"
        versions = ""
        if self.version_before is not None and self.version_after is not None:
            versions = f"version {self.version_before} -> {self.version_after}"
        elif self.version_after is not None:
            versions = f"version {self.version_after}"
        elif self.version_before is not None:
            versions = f"version {self.version_before}"
        notes = ", ".join(part for part in (versions, self.detail) if part)
        return f"{name}  {status.value}" + (f" ({notes})" if notes else "")

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "uid": self.uid,
            "file": self.file,
            "status": self.status.value,
            "version_before": self.version_before,
            "version_after": self.version_after,
            "detail": self.detail,
            "diff": list(self.diff),
        }


@attrs.frozen
class Report:
    """A whole publish: the folders, every dashboard's outcome, and whether it all worked."""

    folders: tuple[Folder, ...]
    outcomes: tuple[Outcome, ...]
    dry_run: bool = False
    #: A fatal error (401, Grafana unreachable) that stopped the run, as one line.
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and all(o.status in GOOD for o in self.outcomes)

    def counts(self) -> Counter[Status]:
        return Counter(o.status for o in self.outcomes)

    def summary(self) -> str:
        """``1 updated, 1 unchanged, 1 conflict, 0 failed`` (plus what else happened)."""
        counts = self.counts()
        if self.dry_run:
            order = [Status.WOULD_CREATE, Status.WOULD_UPDATE, Status.UNCHANGED]
            order += [Status.CONFLICT, Status.FAILED]
            extra = [Status.WOULD_DELETE, Status.KEPT, Status.SKIPPED]
        else:
            order = [Status.CREATED, Status.UPDATED, Status.UNCHANGED]
            order += [Status.CONFLICT, Status.FAILED]
            extra = [Status.DELETED, Status.KEPT, Status.SKIPPED]
        parts = [_count(counts[s], s) for s in order]
        parts += [_count(counts[s], s) for s in extra if counts[s]]
        text = ", ".join(parts)
        return text + (" (dry run: nothing written)" if self.dry_run else "")

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "dry_run": self.dry_run,
            "error": self.error,
            "folders": [attrs.asdict(f) for f in self.folders],
            "dashboards": [o.to_dict() for o in self.outcomes],
            "summary": {s.value: n for s, n in sorted(self.counts().items())},
        }


def _count(n: int, status: Status) -> str:
    if status is Status.CONFLICT:
        return f"{n} conflict" + ("" if n == 1 else "s")
    if status.value.startswith("would "):
        return f"{n} to {status.value.removeprefix('would ')}"
    return f"{n} {status.value}"


def live_label(uid: str, version: int | None) -> str:
    """How a diff names the Grafana side: ``grafana:ner (version 5)``."""
    if version is None:
        return f"grafana:{uid} (missing)"
    return f"grafana:{uid} (version {version})"


def document(
    report: Report | None, *, grafana: str | None, error: str | None = None, dry_run: bool = False
) -> dict[str, Any]:
    """``publish --output json``: one document with :data:`JSON_KEYS`, whatever happened.

    ``report`` is None when the run stopped before any dashboard (bad settings, a bad file,
    Grafana unreachable); ``error`` then says why.
    """
    if report is None:
        report = Report((), (), dry_run=dry_run, error=error or "stopped")
    body = {"grafana": grafana, **report.to_dict()}
    if error is not None:
        body["ok"], body["error"] = False, error
    return {key: body[key] for key in JSON_KEYS}

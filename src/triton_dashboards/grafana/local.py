"""Dashboard JSON as the publisher sees it: read from files, normalised, hashed, diffed.

Grafana adds and moves a few keys when it stores a dashboard (``id``, ``version``: see
Grafana API §2-3), so comparing raw JSON would call every dashboard changed and
a publish would bump every version. :func:`normalise` removes exactly those keys, on both
sides, and everything else is compared as it is. The save message carries a hash of the
normalised JSON so that Grafana's own history says which versions we wrote.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from triton_dashboards.grafana import settings
from triton_dashboards.grafana.provenance import MARK, NOWHERE, Origin, message, parse
from triton_dashboards.validation import InvalidValue, check_uid

__all__ = [
    "GRAFANA_MANAGED_KEYS",
    "MARK",
    "V2",
    "V2_API_VERSION",
    "InputError",
    "LocalDashboard",
    "content_hash",
    "diff_lines",
    "dump",
    "is_ours",
    "load_dashboards",
    "normalise",
    "save_message",
]

#: The one schema v2 API version we publish: stable v2, Grafana 13 and later (Grafana API §6.1).
V2 = "v2"
V2_API_VERSION = f"dashboard.grafana.app/{V2}"
#: Top-level keys Grafana sets itself: the database id, the stored version, and the
#: ``iteration`` stamp older frontends add on save.
GRAFANA_MANAGED_KEYS = ("id", "version", "iteration")


class InputError(Exception):
    """A local dashboard file that cannot be published; one line naming the file."""


def normalise(dashboard: Mapping[str, Any]) -> dict[str, Any]:
    """Without what Grafana manages, so live and local compare equal when they are.

    A shallow copy (deep copies of 200 dashboards cost more than the HTTP round trips):
    set top-level keys on it freely, but never change a nested value in place.
    """
    result = {k: v for k, v in dashboard.items() if k not in GRAFANA_MANAGED_KEYS}
    if isinstance(result.get("title"), str):
        result["title"] = result["title"].strip()  # Grafana trims it on save
    return result


def dump(dashboard: Mapping[str, Any]) -> str:
    """Canonical text: sorted keys, two-space indent, UTF-8, final newline (as ``build``)."""
    return json.dumps(dashboard, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def content_hash(dashboard: Mapping[str, Any]) -> str:
    """The first 12 hex digits of the SHA-256 of the normalised, compact, sorted JSON."""
    text = json.dumps(
        normalise(dashboard), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def save_message(dashboard: Mapping[str, Any], origin: Origin = NOWHERE) -> str:
    """The ``message`` of our saves: ``triton-dashboards sha256:<12 hex>`` and where from
    (:mod:`~triton_dashboards.grafana.provenance`)."""
    return message(content_hash(dashboard), origin)


def is_ours(text: str) -> bool:
    """Whether a version's message is one :func:`save_message` wrote (from any repository)."""
    return parse(text) is not None


def diff_lines(
    live: Mapping[str, Any], local: Mapping[str, Any], live_label: str, local_label: str
) -> list[str]:
    """Unified diff (no trailing newlines) of the normalised texts; [] when equal."""
    return [
        line.rstrip("\n")
        for line in difflib.unified_diff(
            dump(normalise(live)).splitlines(keepends=True),
            dump(normalise(local)).splitlines(keepends=True),
            fromfile=live_label,
            tofile=local_label,
        )
    ]


@attrs.frozen
class LocalDashboard:
    """One dashboard to publish: its file (None when built in memory) and its JSON."""

    dashboard: dict[str, Any]
    path: Path | None = None
    #: "" for v1 dashboard JSON; :data:`V2` for a schema v2 ``Dashboard`` resource, whose
    #: ``dashboard`` is its spec with the uid (published through ``/apis`` v2 only).
    api_version: str = ""

    @property
    def v2(self) -> bool:
        return self.api_version == V2

    @property
    def uid(self) -> str:
        return str(self.dashboard["uid"])

    @functools.cached_property
    def content_hash(self) -> str:
        """:func:`content_hash` of the dashboard, computed once (never change it in place)."""
        return content_hash(self.dashboard)

    @property
    def title(self) -> str:
        return str(self.dashboard.get("title", ""))

    @property
    def label(self) -> str:
        """How output names it: the file's stem, else the uid."""
        return self.path.stem if self.path is not None else self.uid

    @property
    def source(self) -> str:
        return str(self.path) if self.path is not None else f"uid {self.uid}"


def _read(path: Path) -> LocalDashboard:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise InputError(f"cannot read {path} ({e.strerror}); check the path") from None
    except UnicodeDecodeError:
        raise InputError(f"{path} is not UTF-8 text; save it as UTF-8 JSON") from None
    return parse_text(text, path)


def parse_text(text: str, path: Path) -> LocalDashboard:
    """The dashboard a file's text holds, as publish reads it (also a version from git).

    v1 dashboard JSON, bare or wrapped as the legacy API returns it, or a schema v2
    ``Dashboard`` resource (:data:`V2_API_VERSION`): then the dashboard is its ``spec`` with
    ``metadata.name`` as its uid, the shape the Kubernetes-style API reads back, so both
    sides compare and hash alike.
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise InputError(
            f"{path} is not valid JSON (line {e.lineno}: {e.msg}); "
            "rebuild it with `triton-dashboards build` or fix it"
        ) from None
    # A dashboard saved from the API comes wrapped: {"dashboard": {...}, "meta": {...}}.
    if isinstance(data, dict) and isinstance(data.get("dashboard"), dict) and "panels" not in data:
        data = data["dashboard"]
    if not isinstance(data, dict):
        raise InputError(f"{path} is not a dashboard (a JSON object); publish dashboard JSON only")
    if data.get("kind") == "Dashboard" and isinstance(data.get("spec"), dict):
        api_version = str(data.get("apiVersion") or "")
        if api_version != V2_API_VERSION:
            raise InputError(
                f"{path} is a Kubernetes-style {api_version or 'Dashboard'} object; publish "
                f"takes v1 dashboard JSON or a {V2_API_VERSION} Dashboard (Grafana 13): "
                "rebuild it with `triton-dashboards build`, or move the file out of the directory"
            )
        metadata = data.get("metadata")
        name = metadata.get("name") if isinstance(metadata, dict) else None
        return LocalDashboard({**data["spec"], "uid": name}, path, api_version=V2)
    return LocalDashboard(data, path)


def check(local: LocalDashboard) -> None:
    """Refuse what Grafana would refuse, before sending anything (Grafana API §2)."""
    uid = local.dashboard.get("uid")
    if not isinstance(uid, str) or not uid:
        raise InputError(
            f"{local.source} has no uid; give the dashboard a fixed uid so that publishing "
            "finds it again instead of creating copies"
        )
    try:
        check_uid(uid)
    except InvalidValue as error:
        raise InputError(f"{local.source}: {error}") from None
    title = local.dashboard.get("title")
    if not isinstance(title, str) or not title.strip():
        raise InputError(f"{local.source} has no title; give the dashboard a title")
    check_size(local)


def check_size(local: LocalDashboard) -> None:
    """Refuse a dashboard larger than Grafana accepts before uploading it (a 52 MB one would
    travel whole to hear 413); the size is the JSON as the client sends it."""
    size = len(json.dumps(local.dashboard).encode("utf-8"))
    if size > settings.MAX_DASHBOARD_BYTES:
        mib = 1024 * 1024
        raise InputError(
            f"{local.source} is {size / mib:.1f} MiB as sent, over the "
            f"{settings.MAX_DASHBOARD_BYTES // mib} MiB Grafana accepts; split it into "
            "smaller dashboards (fewer panels, or a row of it per dashboard)"
        )


def load_dashboards(paths: Iterable[Path]) -> list[LocalDashboard]:
    """Read and check dashboard JSON files; all of them, or an InputError for the first bad."""
    found: list[LocalDashboard] = []
    for path in paths:
        local = _read(path)
        check(local)
        found.append(local)
    check_unique(found)
    return found


def check_unique(dashboards: Sequence[LocalDashboard]) -> None:
    """Two files with one uid would overwrite each other in Grafana on every publish."""
    seen: dict[str, LocalDashboard] = {}
    for local in dashboards:
        other = seen.setdefault(local.uid, local)
        if other is not local:
            raise InputError(
                f"{other.source} and {local.source} have the same uid {local.uid!r}; "
                "give each dashboard its own uid"
            )

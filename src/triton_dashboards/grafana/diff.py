"""Read-only views of Grafana next to git: ``diff`` (live against local) and ``pull``.

Both normalise the way publish does (:func:`~triton_dashboards.grafana.local.normalise`),
so ``pull`` then ``diff`` is clean; ``diff`` plans each dashboard exactly as ``publish``
does, so it names a conflict a conflict instead of promising that publish would write it.

A dashboard Grafana stores as schema v2 (saved in Grafana 13's dynamic dashboards) is a
conflict in ``diff`` of v1 JSON; ``pull`` saves it as Grafana returns it through its v2 API
version, a Kubernetes-style object (server fields stripped), and says so. A schema v2
dashboard of ours (a ``dashboard.grafana.app/v2`` resource) is read through v2 and diffed
spec with spec; the ``v2`` object pull saves is one publish takes on Grafana 13.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import attrs

from triton_dashboards.files import write_atomic
from triton_dashboards.grafana import settings
from triton_dashboards.grafana.api import DashboardApi, Found
from triton_dashboards.grafana.apply import Observed, Target, api_for, observe
from triton_dashboards.grafana.checkout import Checkout, checkout_of
from triton_dashboards.grafana.client import GrafanaClient, LiveDashboard
from triton_dashboards.grafana.errors import Call, GrafanaError
from triton_dashboards.grafana.k8s_client import K8sApi
from triton_dashboards.grafana.local import (
    V2,
    V2_API_VERSION,
    LocalDashboard,
    diff_lines,
    dump,
    normalise,
)
from triton_dashboards.grafana.plan import Kind
from triton_dashboards.grafana.report import live_label

__all__ = ["DiffResult", "PullRefused", "Pulled", "diff_dashboards", "pull_dashboards"]


@attrs.frozen
class DiffResult:
    """One local dashboard against Grafana's copy, and what publish would do with it."""

    local: LocalDashboard
    observed: Observed
    lines: tuple[str, ...]

    @property
    def kind(self) -> Kind:
        return self.observed.action.kind

    @property
    def differs(self) -> bool:
        return self.kind is not Kind.UNCHANGED

    @property
    def conflict(self) -> bool:
        return self.kind is Kind.CONFLICT

    def summary(self) -> str:
        """One line: ``ner: differs (12 diff lines)``, ``ner: missing in Grafana``..."""
        action, label = self.observed.action, self.local.label
        if self.kind is Kind.CREATE:
            return f"{label}: missing in Grafana (publish would create it)"
        if self.kind is Kind.UNCHANGED:
            return f"{label}: identical (version {action.version})"
        parts = [f"{len(self.lines)} diff lines"] if self.lines else []
        if action.moved_from:
            parts.append(f"in folder {action.moved_from!r} in Grafana, not in ours")
        if self.kind is Kind.CONFLICT and action.v2:
            parts.append(
                f"saved in Grafana as schema v2 ({action.v2}) {action.who}: publish refuses "
                f"it; pull it to keep it, or publish --force to replace it with ours"
            )
        elif self.kind is Kind.CONFLICT and action.foreign is not None:
            parts.append(f"published from {action.source.describe()}, not ours: publish refuses it")
        elif self.kind is Kind.CONFLICT:
            parts.append(f"changed in Grafana {action.who}, not ours: publish refuses it")
        if self.kind is Kind.MANAGED:
            parts.append(f"managed by {action.manager}: publish cannot write it")
        if self.kind is Kind.PROVISIONED:
            parts.append("provisioned from files in Grafana: publish cannot write it")
        names = {
            Kind.CONFLICT: "CONFLICT",
            Kind.PROVISIONED: "provisioned",
            Kind.MANAGED: "managed",
        }
        name = names.get(self.kind, "differs")
        return f"{label}: {name} ({', '.join(parts)})"


def _diff_one(client: DashboardApi, local: LocalDashboard, target: Target) -> DiffResult:
    observed = observe(client, local, target, writing=False)
    live = observed.live
    if observed.action.kind is Kind.UNCHANGED:
        # Unchanged by what we sent: a spec the server migrated is no difference of ours.
        return DiffResult(local, observed, ())
    before = live.dashboard if live is not None else {}
    label = live_label(local.uid, live.version if live is not None else None)
    lines = diff_lines(before, local.dashboard, label, local.source)
    return DiffResult(local, observed, tuple(lines) if before or live is None else ())


def diff_dashboards(
    client: DashboardApi,
    dashboards: Sequence[LocalDashboard],
    folder_uid: str,
    *,
    concurrency: int = settings.CONCURRENCY,
    checkout: Checkout | None = None,
) -> list[DiffResult]:
    """Each dashboard against Grafana, in the order given, planned as publish plans it
    (``checkout``: where we publish from; by default the one holding the files)."""
    if checkout is None:
        checkout = checkout_of(d.path for d in dashboards if d.path is not None)
    target = Target(folder_uid, dry_run=True, checkout=checkout)
    for local in dashboards:  # a v2 dashboard Grafana cannot take: one line, before reading
        api_for(client, local)
    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        return list(pool.map(lambda local: _diff_one(client, local, target), dashboards))


@attrs.frozen
class Pulled:
    """A dashboard saved from Grafana into a file."""

    uid: str
    path: Path
    version: int
    #: "written", or "unchanged" when the file already held exactly this.
    state: str
    text: str = attrs.field(repr=False, default="")
    #: Said after the line: that it was stored as schema v2, and what that means here.
    note: str = ""


class PullRefused(Exception):
    """A pull that would leave two files with one uid in the directory; nothing written."""


def _v2_object(client: DashboardApi, uid: str, live: Found) -> dict[str, Any]:
    """The dashboard through the v2 version it is stored in, without the server's fields."""
    if isinstance(client, K8sApi):
        found = client.get_object(uid, live.stored_v2)
    elif isinstance(client, GrafanaClient) and isinstance(live, LiveDashboard) and live.v2_path:
        call = Call("GET", live.v2_path, f"read dashboard {uid} as {live.stored_v2}", "")
        found = client.json_of(call, client.send(call))
    else:
        found = None
    if not isinstance(found, dict):
        raise GrafanaError(f"Grafana did not return dashboard {uid} as {live.stored_v2}; run again")
    metadata = found.get("metadata") or {}
    keep = {k: v for k, v in (metadata.get("annotations") or {}).items() if k in _PULLED}
    return {
        "apiVersion": found.get("apiVersion"),
        "kind": found.get("kind", "Dashboard"),
        "metadata": {"name": uid, **({"annotations": keep} if keep else {})},
        "spec": found.get("spec") or {},
    }


#: Annotations a pulled v2 object keeps: the client's own, not the server's.
_PULLED = ("grafana.app/folder",)


def _pull_one(client: DashboardApi, uid: str, directory: Path) -> Pulled:
    live = client.get_dashboard(uid)
    if live is None:
        raise GrafanaError(
            f"no dashboard with uid {uid!r} in Grafana; check the uid (the part after /d/ in "
            "its URL) and GRAFANA_ORG_ID",
            status=404,
        )
    path = directory / f"{uid}.json"
    note = ""
    if live.stored_v2:
        text = dump(_v2_object(client, uid, live))
        note = (
            f"stored as schema v2 ({live.stored_v2}) in Grafana: saved as Grafana's v2 object; "
            "publish takes v1 JSON, so port the change to the dashboard's code, or keep it in "
            "Grafana"
        )
        if live.stored_v2 == V2:
            note = (
                f"stored as schema v2 ({V2}) in Grafana: saved as its {V2_API_VERSION} Dashboard, "
                "which publish takes on Grafana 13 (a v2 repository), or port the change to "
                "the dashboard's code"
            )
    else:
        text = dump(normalise(live.dashboard))
    same = path.is_file() and path.read_text(encoding="utf-8") == text
    return Pulled(uid, path, live.version, "unchanged" if same else "written", text, note)


def _uids_in(directory: Path) -> dict[str, Path]:
    """The uid of each dashboard JSON already in ``directory`` (unreadable files skipped)."""
    found: dict[str, Path] = {}
    for path in sorted(directory.glob("*.json")) if directory.is_dir() else []:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            continue
        if isinstance(data, dict) and isinstance(data.get("dashboard"), dict):
            data = data["dashboard"]
        if isinstance(data, dict) and isinstance(data.get("uid"), str):
            found.setdefault(data["uid"], path)
    return found


def _check_no_twin(uids: Sequence[str], directory: Path) -> None:
    existing = _uids_in(directory)
    for uid in uids:
        other, path = existing.get(uid), directory / f"{uid}.json"
        if other is not None and other.resolve() != path.resolve():
            raise PullRefused(
                f"{other} already has the uid {uid!r}: pulling it as {path} would "
                "leave two files with one uid, which publish and configmap refuse; pull into "
                "another directory with --dir, or remove or rename the other file first"
            )


def pull_dashboards(
    client: DashboardApi,
    uids: Sequence[str],
    directory: Path,
    *,
    concurrency: int = settings.CONCURRENCY,
) -> list[Pulled]:
    """Save live dashboards as ``directory/<uid>.json``, normalised; all or nothing.

    Every dashboard is fetched, and checked against the uids the directory already holds,
    before any file is written, so a uid that does not exist, or one another file already
    has, leaves the directory as it was.
    """
    _check_no_twin(uids, directory)
    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        fetched = list(pool.map(lambda uid: _pull_one(client, uid, directory), uids))
    directory.mkdir(parents=True, exist_ok=True)
    for item in fetched:
        if item.state == "written":
            write_atomic(item.path, item.text)
    return fetched

"""``pull``: live dashboards saved as files in the schema this repository publishes.

Pull and publish agree on the format: a v1 repository (``schema = "v1"``, the default) gets
v1 dashboard JSON, normalised as publish compares it, so ``pull`` then ``diff`` is clean; a
v2 repository gets the ``dashboard.grafana.app/v2`` Dashboard resource publish takes on
Grafana 13. ``--schema`` chooses for one pull; a file being replaced keeps its own schema (a
repository may mix both). Whatever Grafana stores, the dashboard is read through the API
version of that schema, and Grafana converts it (Grafana API §6.7):

- stored as schema v2 (a dashboard saved in dynamic dashboards: ``v2beta1`` on Grafana 12,
  ``v2`` on 13) into a v1 repository: read through ``v1beta1``/``v1``, which 12.3 and later
  convert. The note says what was saved and that publish calls the dashboard a conflict
  (Grafana holds a v2 dashboard that is not ours) until ``--force``. Where Grafana cannot
  convert it (the 12.0 stub, a conversion that failed), the v2 object is saved as Grafana
  returns it, and the note says publish refuses that file;
- into a v2 repository: read through ``v2``, which only Grafana 13 serves (v1-stored ones
  converted); elsewhere pull is refused in one line, as publish is.

Every dashboard is fetched, and checked against the uids the directory already holds, before
any file is written: all or nothing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import attrs

from triton_dashboards.files import make_directory, write_atomic
from triton_dashboards.grafana import settings
from triton_dashboards.grafana.api import DashboardApi, Found
from triton_dashboards.grafana.client import GrafanaClient, LiveDashboard
from triton_dashboards.grafana.errors import Call, GrafanaError
from triton_dashboards.grafana.k8s_client import K8sApi
from triton_dashboards.grafana.k8s_state import K8sDashboard
from triton_dashboards.grafana.local import V2, V2_API_VERSION, dump, normalise

__all__ = ["SCHEMAS", "PullRefused", "Pulled", "pull_dashboards"]

#: The schemas a repository publishes (``[tool.triton-dashboards] schema``).
SCHEMAS = ("v1", "v2")
#: The v1 version a legacy client reads a v2-stored dashboard through: served by 12 and 13.
_V1_VIA_LEGACY = "v1beta1"
#: Annotations a pulled v2 object keeps: the client's own, not the server's.
_PULLED = ("grafana.app/folder",)


@attrs.frozen
class Pulled:
    """A dashboard saved from Grafana into a file."""

    uid: str
    path: Path
    version: int
    #: "written", or "unchanged" when the file already held exactly this.
    state: str
    text: str = attrs.field(repr=False, default="")
    #: Said after the line: what was saved when Grafana stores another schema, and what
    #: publish will do with it.
    note: str = ""


class PullRefused(Exception):
    """A pull that would leave two files with one uid in the directory, or that cannot give
    the schema the repository publishes; nothing written."""


def _conversion(obj: dict[str, Any]) -> tuple[bool, str]:
    """Whether Grafana converted the object it answered, and its error where it did not."""
    status = obj.get("status")
    conversion = status.get("conversion") if isinstance(status, dict) else None
    if isinstance(conversion, dict) and conversion.get("failed") is True:
        return False, str(conversion.get("error") or "conversion failed")
    return True, ""


def _resource(uid: str, found: dict[str, Any]) -> dict[str, Any]:
    """A Kubernetes-style object without the server's fields."""
    metadata = found.get("metadata") or {}
    keep = {k: v for k, v in (metadata.get("annotations") or {}).items() if k in _PULLED}
    return {
        "apiVersion": found.get("apiVersion"),
        "kind": found.get("kind", "Dashboard"),
        "metadata": {"name": uid, **({"annotations": keep} if keep else {})},
        "spec": found.get("spec") or {},
    }


def _read_as(client: DashboardApi, uid: str, live: Found, version: str) -> dict[str, Any] | None:
    """The stored dashboard read through ``version``: by the Kubernetes-style API, or, from
    the legacy one, at the ``/apis`` path its 406 named (Grafana API §6.7)."""
    if isinstance(client, K8sApi):
        return client.get_object(uid, version)
    if isinstance(client, GrafanaClient) and isinstance(live, LiveDashboard) and live.v2_path:
        path = re.sub(r"^(/apis/dashboard\.grafana\.app/)[^/]+/", rf"\g<1>{version}/", live.v2_path)
        call = Call("GET", path, f"read dashboard {uid} as {version}", "dashboards:read")
        found = client.json_of(call, client.send(call))
        return found if isinstance(found, dict) else None
    return None


def _v1_of_v2(client: DashboardApi, uid: str, live: Found) -> tuple[str, int, str]:
    """A v2-stored dashboard for a v1 repository: text, version and note."""
    stored = live.stored_v2
    if isinstance(live, K8sDashboard):
        found: dict[str, Any] | None = live.obj
    else:
        found = _read_as(client, uid, live, _V1_VIA_LEGACY)
    converted, why = _conversion(found) if found is not None else (False, "not served")
    if found is not None and converted:
        as_v1 = K8sDashboard(found)
        note = (
            f"stored as schema v2 ({stored}) in Grafana: saved as the v1 JSON Grafana converts "
            "it to, the schema this repository publishes (what only v2 has, tabs say, is not "
            "in it); publish calls the dashboard a CONFLICT until --force replaces Grafana's "
            "v2 copy with yours"
        )
        return dump(normalise(as_v1.dashboard)), as_v1.version or live.version, note
    saved = _read_as(client, uid, live, stored)
    if not isinstance(saved, dict):
        raise GrafanaError(f"Grafana did not return dashboard {uid} as {stored}; run again")
    note = (
        f"stored as schema v2 ({stored}) in Grafana, which cannot convert it to v1 ({why}): "
        f"saved as its {stored} object, which publish refuses; port the change to the "
        "dashboard's code, then move the file out of the dashboards folder"
    )
    return dump(_resource(uid, saved)), K8sDashboard(saved).version or live.version, note


def _v2_of(client: DashboardApi, uid: str, live: Found) -> tuple[str, int, str]:
    """Any dashboard for a v2 repository: its ``v2`` Dashboard resource."""
    v2: K8sApi | None = getattr(client, "v2", None)
    if v2 is None:
        where = getattr(client, "label", "") or "the legacy API"
        raise PullRefused(
            f"cannot pull {uid} as schema v2 ({V2_API_VERSION}), the schema it is published "
            f"in here: {client.base_url} answers through {where}, without v2 (Grafana 13 and "
            "later serve it); pull with --schema v1 for this Grafana, or from Grafana 13 "
            "with --api auto"
        )
    found = v2.get_object(uid, V2)
    if not isinstance(found, dict):
        raise GrafanaError(f"Grafana did not return dashboard {uid} as {V2}; run again")
    converted, why = _conversion(found)
    if not converted:
        raise PullRefused(
            f"Grafana cannot convert dashboard {uid} to schema v2 ({why}); pull it with --schema v1"
        )
    stored = live.stored_v2
    note = (
        ""
        if stored == V2
        else (
            f"stored as {'schema v2 (' + stored + ')' if stored else 'v1 JSON'} in Grafana: saved "
            f"as the {V2_API_VERSION} Dashboard Grafana converts it to, the schema this "
            "repository publishes"
        )
    )
    return dump(_resource(uid, found)), K8sDashboard(found).version or live.version, note


def _schema_of(path: Path) -> str | None:
    """The schema of the file a pull would replace: ``v2`` for a ``dashboard.grafana.app/v2``
    Dashboard, ``v1`` for dashboard JSON, None where there is no such file to go by."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(data, dict):
        return None
    if data.get("kind") == "Dashboard" and isinstance(data.get("spec"), dict):
        return V2 if data.get("apiVersion") == V2_API_VERSION else None
    return "v1"


def _pull_one(client: DashboardApi, uid: str, directory: Path, schema: str) -> Pulled:
    live = client.get_dashboard(uid)
    if live is None:
        raise GrafanaError(
            f"no dashboard with uid {uid!r} in Grafana; check the uid (the part after /d/ in "
            "its URL) and GRAFANA_ORG_ID",
            status=404,
        )
    path = directory / f"{uid}.json"
    if schema == V2:
        text, version, note = _v2_of(client, uid, live)
    elif live.stored_v2:
        text, version, note = _v1_of_v2(client, uid, live)
    else:
        text, version, note = dump(normalise(live.dashboard)), live.version, ""
    same = path.is_file() and path.read_text(encoding="utf-8") == text
    return Pulled(uid, path, version, "unchanged" if same else "written", text, note)


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
        if isinstance(data, dict) and data.get("kind") == "Dashboard":
            data = {"uid": (data.get("metadata") or {}).get("name")}
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
    schema: str | None = None,
    default: str = "v1",
    concurrency: int = settings.CONCURRENCY,
) -> list[Pulled]:
    """Save live dashboards as ``directory/<uid>.json``; all or nothing.

    Each in ``schema`` (``v1``: dashboard JSON, normalised; ``v2``: the
    ``dashboard.grafana.app/v2`` resource) when given (``--schema``); else in the schema of
    the file it replaces (a repository may mix both); else in ``default``, the repository's
    setting. Every dashboard is fetched, and checked against the uids the directory already
    holds, before any file is written, so a uid that does not exist, or one another file
    already has, leaves the directory as it was.
    """
    for chosen in (schema, default):
        if chosen is not None and chosen not in SCHEMAS:
            raise ValueError(f"schema must be one of {SCHEMAS}, got {chosen!r}")
    _check_no_twin(uids, directory)

    def one(uid: str) -> Pulled:
        chosen = schema or _schema_of(directory / f"{uid}.json") or default
        return _pull_one(client, uid, directory, chosen)

    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        fetched = list(pool.map(one, uids))
    make_directory(directory)
    for item in fetched:
        if item.state == "written":
            write_atomic(item.path, item.text)
    return fetched

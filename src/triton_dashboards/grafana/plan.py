"""Decide what publishing one dashboard means, before anything is written: no HTTP here.

The grizzly way, decide then act: the publisher reads the live dashboard and its history,
:func:`plan` turns them into an :class:`Action`, and :mod:`~triton_dashboards.grafana.apply`
writes it (or a dry run prints it). The inputs are plain values, not the shapes of one
Grafana API, so the Kubernetes-style ``/apis`` of Grafana 12/13 plans the same way.

The rules, in order:

* nothing live: **create**;
* ours is v1 JSON and Grafana stores it as a schema v2 dashboard (someone saved it in
  Grafana 13's dynamic dashboards): **conflict**, marked ``v2``, unless ``force`` (then our
  v1 dashboard replaces it). A schema v2 dashboard of ours is compared v2 with v2 by the
  rules below, like any other: an edit is a conflict, the storage format is not;
* managed by another tool (``grafana.app/managedBy``/``managerId`` not ours): **managed**,
  refused even with ``force`` (Grafana refuses a change of manager, Grafana API §6.8);
* live equals ours (normalised) and sits in our folder, or our latest save there carried the
  content hash of ours (the Kubernetes-style API may rewrite the spec it stores, e.g. migrate
  ``schemaVersion``, so what we *sent* decides): **unchanged**, nothing written
  (a Grafana save always bumps the version, even for identical JSON);
* provisioned from files in Grafana: **provisioned**, refused (Grafana would say 400);
* the latest version was saved by this tool and is **ours** (:func:`foreign` says ""):
  **update**; saved by this tool but not ours (another repository, another branch):
  **conflict** naming that source, unless ``force``;
* the latest version is someone else's, but its content is one we saved (a UI restore of
  our own version): **update**, marked ``restored``: overwriting it loses nothing;
* someone else's change: **conflict**, unless ``force`` (then an update marked ``forced``).

**Ours** is this repository's history, not this tool: a save by this tool is ours when its
content hash is the content of a committed version of the file (``committed``: an ancestor
of what we publish now, so a later commit of the same branch updates it), or when it was
made from this very checkout (same repository, commit and git user: uncommitted work being
tried out). A save from another repository (its root commit differs) is never ours: the uid
is taken. Two CI jobs share one token, so the identity cannot tell two branches apart; the
history can. Outside a git repository there is no history: a save by this tool from outside
any repository is ours (the rule of the releases before repositories were recorded), one
from a repository is not.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Container, Mapping, Sequence
from typing import Any

import attrs

from triton_dashboards.grafana.local import content_hash, normalise
from triton_dashboards.grafana.ownership import MANAGER_ID, MANAGER_KIND
from triton_dashboards.grafana.provenance import NOWHERE, Origin, Saved, parse

__all__ = ["Action", "Foreign", "Kind", "Live", "Version", "content_of", "foreign", "plan"]


class Foreign(str, enum.Enum):
    """Why a save by this tool is not ours to overwrite."""

    #: Published from another repository: the uid is taken.
    REPOSITORY = "repository"
    #: Published from this repository, content not in our history: another branch.
    BRANCH = "branch"
    #: Published from outside any git repository, content not in our history.
    OUTSIDE = "outside"


class Kind(str, enum.Enum):
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    CONFLICT = "conflict"
    PROVISIONED = "provisioned"
    MANAGED = "managed"


@attrs.frozen
class Live:
    """The stored dashboard, whichever API served it."""

    dashboard: Mapping[str, Any]
    version: int
    folder_uid: str = ""
    folder_title: str = ""
    provisioned: bool = False
    updated_by: str = ""
    updated: str = ""
    #: The content hash our latest save carried, when that save is ours ("" otherwise).
    sent_hash: str = ""
    #: The API version Grafana stores it in when that is schema v2 (``v2beta1``...), else "".
    stored_v2: str = ""
    #: ``grafana.app/managedBy`` and ``managerId`` ("" when not managed).
    manager_kind: str = ""
    manager_id: str = ""
    #: ``metadata.resourceVersion`` (Kubernetes-style API): the lock an update carries.
    resource_version: str = ""


@attrs.frozen
class Version:
    """One entry of a dashboard's history: who saved which version, when, with what message."""

    version: int
    message: str
    created_by: str
    created: str


@attrs.frozen
class Action:
    """What to do with one dashboard, and the words that explain it."""

    kind: Kind
    uid: str
    #: The stored version an update must carry (None for a create).
    version: int | None = None
    #: An update that overwrites someone else's change (``force``).
    forced: bool = False
    #: An update over a UI restore of a version we saved.
    restored: bool = False
    #: Where the live copy sits when it is not our folder ("" when it is).
    moved_from: str = ""
    #: For a conflict or a forced update: ``by alice at 2026-11-20 14:02 UTC``.
    who: str = ""
    #: Grafana stores it as schema v2 (``v2beta1``...): "" when it does not.
    v2: str = ""
    #: The lock an update carries on the Kubernetes-style API ("" for none).
    resource_version: str = ""
    #: For ``managed``: who manages it, ``terraform (id tf-1)``.
    manager: str = ""
    #: For a conflict with (or a forced update over) a save of this tool that is not ours:
    #: why not, and where that save came from.
    foreign: Foreign | None = None
    source: Origin = NOWHERE

    @property
    def writes(self) -> bool:
        return self.kind in (Kind.CREATE, Kind.UPDATE)


def content_of(dashboard: Mapping[str, Any]) -> str:
    """The content hash both sides are compared by (what our save messages carry)."""
    return content_hash(dashboard)


def _ours_hashes(history: Sequence[Version], origin: Origin) -> set[str]:
    """The content hashes of the saves in ``history`` made from our repository."""
    found = (parse(v.message) for v in history)
    return {
        saved.content_hash
        for saved in found
        if saved is not None and saved.origin.repository == origin.repository
    }


def foreign(saved: Saved, origin: Origin, committed: Container[str]) -> Foreign | None:
    """None when a save of this tool is ours to overwrite, else why not (module "Ours")."""
    theirs = saved.origin
    if not origin.in_git:
        return Foreign.REPOSITORY if theirs.in_git else None
    if theirs.in_git and theirs.repository != origin.repository:
        return Foreign.REPOSITORY
    if saved.content_hash in committed:
        return None
    if theirs.in_git:
        same_checkout = (theirs.commit, theirs.author) == (origin.commit, origin.author)
        return None if same_checkout else Foreign.BRANCH
    return Foreign.OUTSIDE


def _when(created: str) -> str:
    """``2026-11-20T14:02:33Z`` -> ``2026-11-20 14:02 UTC``; anything else as it is."""
    match = re.match(r"(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})", created)
    if not match:
        return created or "an unknown time"
    utc = created.endswith("Z") or created.endswith("+00:00")
    return f"{match.group(1)} {match.group(2)}" + (" UTC" if utc else "")


def _who(latest: Version | None, live: Live) -> str:
    if latest is not None:
        return f"by {latest.created_by or 'someone'} at {_when(latest.created)}"
    return f"by {live.updated_by or 'someone'} at {_when(live.updated)}"


def plan(
    local: Mapping[str, Any],
    live: Live | None,
    history: Sequence[Version],
    force: bool,
    *,
    folder_uid: str,
    local_hash: str = "",
    origin: Origin = NOWHERE,
    committed: Container[str] = frozenset(),
    schema_v2: bool = False,
) -> Action:
    """The action for ``local`` (dashboard JSON) against ``live`` in folder ``folder_uid``.

    ``history`` is the live dashboard's versions, newest first; only needed when live
    differs from local (empty otherwise). ``local_hash``: ``content_of(local)``, when the
    caller has it already. ``origin``: where we publish from; ``committed``: the content
    hashes of the file's committed versions (see the module's "Ours"). ``schema_v2``: ours
    is a schema v2 dashboard, read back through v2, so a v2 copy is no conflict in itself.
    """
    uid = str(local.get("uid", ""))
    if live is None:
        return Action(Kind.CREATE, uid)
    in_ours = live.folder_uid == folder_uid
    moved = "" if in_ours else (live.folder_title or live.folder_uid or "General")
    latest = history[0] if history else None
    update = Action(
        Kind.UPDATE, uid, live.version, moved_from=moved, resource_version=live.resource_version
    )
    if live.stored_v2 and not schema_v2:
        v2 = attrs.evolve(update, v2=live.stored_v2, who=_who(latest, live))
        return attrs.evolve(v2, forced=True) if force else attrs.evolve(v2, kind=Kind.CONFLICT)
    if _foreign(live):
        manager = f"{live.manager_kind} (id {live.manager_id or 'none'})"
        return Action(Kind.MANAGED, uid, live.version, manager=manager)
    if in_ours and _same(local, live, local_hash):
        return Action(Kind.UNCHANGED, uid, live.version)
    if live.provisioned:
        return Action(Kind.PROVISIONED, uid, live.version)
    saved = parse(latest.message) if latest is not None else None
    who = _who(latest, live)
    if saved is not None:
        why = foreign(saved, origin, committed)
        if why is None:
            return update
        theirs = attrs.evolve(update, foreign=why, source=saved.origin, who=who)
        return (
            attrs.evolve(theirs, forced=True) if force else attrs.evolve(theirs, kind=Kind.CONFLICT)
        )
    if content_of(live.dashboard) in _ours_hashes(history, origin):
        return attrs.evolve(update, restored=True, who=who)
    if force:
        return attrs.evolve(update, forced=True, who=who)
    return attrs.evolve(update, kind=Kind.CONFLICT, who=who)


def _same(local: Mapping[str, Any], live: Live, local_hash: str) -> bool:
    """Equal as stored, or equal to what our latest save sent (the server may rewrite it)."""
    if live.sent_hash and live.sent_hash == (local_hash or content_of(local)):
        return True
    return normalise(live.dashboard) == normalise(local)


def _foreign(live: Live) -> bool:
    """Managed by another tool (or another instance of a kind we use): not ours to write."""
    if not live.manager_kind or live.provisioned:
        return False
    return (live.manager_kind, live.manager_id) != (MANAGER_KIND, MANAGER_ID)

"""Act on a plan: read what the plan needs, write what it decided, recover from a 412.

:func:`observe` reads the live dashboard (and its history, only when it differs from ours),
:func:`~triton_dashboards.grafana.plan.plan` decides, :func:`describe` says what the action
is (all a dry run does) and :func:`apply` performs it. A save answered 412 is looked at
again: when the stored dashboard now equals ours, our own save landed and its answer was
lost (success); otherwise someone saved in between, and the dashboard is planned once more.
The Kubernetes-style API says the same with 409 Conflict (a stale ``resourceVersion``) or
409 AlreadyExists (a create that met one), answered the same way.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from triton_dashboards.grafana.api import DashboardApi, Found
from triton_dashboards.grafana.checkout import Checkout
from triton_dashboards.grafana.diagnose import forbidden
from triton_dashboards.grafana.errors import AlreadyExists, GrafanaError, VersionMismatch
from triton_dashboards.grafana.local import (
    V2_API_VERSION,
    LocalDashboard,
    diff_lines,
    is_ours,
    normalise,
    save_message,
)
from triton_dashboards.grafana.ownership import source_path
from triton_dashboards.grafana.plan import Action, Foreign, Kind, Live, Version, plan
from triton_dashboards.grafana.report import Outcome, Status, live_label

__all__ = ["HISTORY", "Target", "api_for", "apply", "describe", "observe"]

#: Versions read to recognise a UI restore of a version we saved.
HISTORY = 20


@attrs.frozen
class Target:
    """Where and how this run publishes: the folder, and what the user asked for."""

    folder_uid: str
    force: bool = False
    dry_run: bool = False
    #: Named in conflict lines, so the user can see the whole change.
    diff_command: str = "triton-dashboards diff"
    #: Where we publish from, and what it has committed (what "ours" means, see plan).
    checkout: Checkout = attrs.field(factory=Checkout, eq=False)


@attrs.frozen
class Observed:
    """A dashboard's live state and the action planned from it."""

    live: Live | None
    action: Action


def observe(
    client: DashboardApi, local: LocalDashboard, target: Target, *, writing: bool = True
) -> Observed:
    """Read the live dashboard (and, when it differs, its history), then plan.

    ``writing``: refuse (403) a dashboard Grafana says this credential cannot save; off for
    ``diff``, which only reads.
    """
    client = api_for(client, local)
    found = client.get_dashboard(local.uid)
    return _planned(client, local, found, target, writing=writing)


def api_for(client: DashboardApi, local: LocalDashboard) -> DashboardApi:
    """The API a dashboard is read and written through: its own schema's. A schema v2
    dashboard needs Grafana's stable ``v2`` (Grafana 13); elsewhere it is refused in one line,
    before anything is written."""
    if not local.v2:
        return client
    v2: DashboardApi | None = getattr(client, "v2", None)
    if v2 is None:
        where = getattr(client, "label", "") or "the legacy API"
        raise GrafanaError(
            f"{local.source} is a schema v2 dashboard ({V2_API_VERSION}), which Grafana 13 "
            f"and later take, but {client.base_url} publishes through {where} without it; "
            'build v1 JSON (schema v1: --schema v1, or schema = "v1" in pyproject.toml) '
            "for this Grafana, or publish to Grafana 13 with --api auto",
            fatal=True,
        )
    return v2


def _decide(
    local: LocalDashboard, live: Live | None, history: Sequence[Version], target: Target
) -> Action:
    return plan(
        local.dashboard,
        live,
        history,
        target.force,
        folder_uid=target.folder_uid,
        local_hash=local.content_hash,
        origin=target.checkout.origin,
        committed=target.checkout.committed(local.path),
        schema_v2=local.v2,
    )


def _planned(
    client: DashboardApi,
    local: LocalDashboard,
    found: Found | None,
    target: Target,
    *,
    writing: bool = True,
) -> Observed:
    live = found.state() if found is not None else None
    # The Kubernetes-style object names its latest save itself; the legacy one does not.
    history: Sequence[Version] = found.head() if found is not None else ()
    action = _decide(local, live, history, target)
    latest_ours = bool(history) and is_ours(history[0].message)
    if action.kind in (Kind.UPDATE, Kind.CONFLICT) and not action.v2 and not latest_ours:
        history = client.versions(local.uid, limit=HISTORY)
        action = _decide(local, live, history, target)
    if writing and action.writes and found is not None and not found.can_save:
        # Grafana says so in advance (meta.canSave): refuse now, also in a dry run.
        raise forbidden(f"save dashboard {local.uid}", "canSave is false", "dashboards:write")
    return Observed(live, action)


def _outcome(local: LocalDashboard, status: Status, **kwargs: object) -> Outcome:
    file = str(local.path) if local.path is not None else None
    return Outcome(local.label, local.uid, status, file=file, **kwargs)  # type: ignore[arg-type]


def _update_notes(action: Action, dry_run: bool) -> str:
    notes = []
    if action.moved_from:
        notes.append(f"moved from folder {action.moved_from}")
    if action.forced and action.foreign is not None:
        done = "would overwrite" if dry_run else "overwrote"
        notes.append(f"{done} a publish from {action.source.describe()}")
    elif action.forced:
        notes.append(f"{'would overwrite' if dry_run else 'overwrote'} a change {action.who}")
    if action.restored:
        notes.append(f"Grafana held a restore {action.who} of a version we saved")
    if action.v2:
        done = "would replace" if dry_run else "replaced"
        notes.append(f"{done} its schema v2 ({action.v2}) copy saved {action.who}")
    return ", ".join(notes)


def _foreign_conflict(action: Action, diff: str) -> str:
    """The one line for a save of this tool that is not ours: whose it is, what to do."""
    source, when = action.source.describe(), action.who.removeprefix("by ").split(" at ", 1)
    at = f" at {when[1]}" if len(when) == 2 else ""
    if action.foreign is Foreign.REPOSITORY:
        return (
            f"uid {action.uid} is taken by another repository's dashboard ({source}{at}); "
            f"give yours another uid (see `{diff}`), or take it over with --force"
        )
    if action.foreign is Foreign.BRANCH:
        return (
            f"published from another branch of this repository ({source}{at}), whose content "
            f"is not in our history; see `{diff}`, merge that branch into ours and publish, "
            "or --force"
        )
    return (
        f"published from files outside any git repository{at}, whose content is not in our "
        f"history; see `{diff}`, or --force"
    )


def describe(local: LocalDashboard, observed: Observed, target: Target) -> Outcome:
    """The outcome an action has without writing: all of it but create/update in a real run."""
    action, live = observed.action, observed.live
    if action.kind is Kind.CREATE:
        return _outcome(local, Status.WOULD_CREATE)
    if action.kind is Kind.UNCHANGED:
        return _outcome(local, Status.UNCHANGED, version_before=action.version)
    if action.kind is Kind.PROVISIONED:
        return _outcome(
            local,
            Status.FAILED,
            detail=(
                f"cannot save dashboard {local.uid}: it is provisioned from files in Grafana; "
                "change it in Grafana's provisioning files, or remove it from provisioning "
                "to manage it here"
            ),
        )
    if action.kind is Kind.MANAGED:
        return _outcome(
            local,
            Status.FAILED,
            version_before=action.version,
            detail=(
                f"cannot save dashboard {local.uid}: Grafana says {action.manager} manages it, "
                "and refuses a change of manager; change it there, or remove its manager "
                "(grafana.app/managedBy) in Grafana to publish it from here"
            ),
        )
    if action.kind is Kind.CONFLICT:
        assert live is not None
        where = local.source if local.path is not None else local.uid
        detail = (
            f"changed in Grafana {action.who}, not ours; "
            f"see `{target.diff_command} {where}`, or --force"
        )
        if action.foreign is not None:
            detail = _foreign_conflict(action, f"{target.diff_command} {where}")
        if action.v2:
            detail = (
                f"saved in Grafana as a schema v2 (dynamic) dashboard {action.who}, not ours: "
                "publishing our v1 JSON would drop its v2 layout; keep the change with "
                f"`triton-dashboards pull {local.uid}` (saves the v1 JSON Grafana converts "
                "it to), or replace it with ours with --force"
            )
        diff = diff_lines(
            live.dashboard, local.dashboard, live_label(local.uid, live.version), where
        )
        diff = diff if live.dashboard else []
        return _outcome(
            local, Status.CONFLICT, version_before=action.version, detail=detail, diff=tuple(diff)
        )
    return _outcome(
        local,
        Status.WOULD_UPDATE,
        version_before=action.version,
        detail=_update_notes(action, dry_run=True),
    )


def apply(
    client: DashboardApi, local: LocalDashboard, observed: Observed, target: Target
) -> Outcome:
    """Carry out the action (a create or an update); any other action is only described."""
    return _apply(api_for(client, local), local, observed, target, retried=False)


def _apply(
    client: DashboardApi,
    local: LocalDashboard,
    observed: Observed,
    target: Target,
    *,
    retried: bool,
) -> Outcome:
    action = observed.action
    if target.dry_run or not action.writes:
        return describe(local, observed, target)
    payload = normalise(local.dashboard)
    if action.version is not None and action.kind is Kind.UPDATE:
        payload["version"] = action.version
    detail = _update_notes(action, dry_run=False)
    before = action.version if action.kind is Kind.UPDATE else None
    status = Status.UPDATED if action.kind is Kind.UPDATE else Status.CREATED
    try:
        answer = client.save_dashboard(
            payload,
            folder_uid=target.folder_uid,
            message=save_message(local.dashboard, target.checkout.origin),
            # An update whose stored version is unknown (the legacy API's 406 for a v2
            # dashboard, forced) can only overwrite.
            overwrite=action.kind is Kind.UPDATE and not action.version,
            resource_version=action.resource_version,
            source=source_path(local.path),
        )
    except (VersionMismatch, AlreadyExists):
        # Either our own save landed and its answer was lost (the retry then met 412),
        # or someone saved in between: look again.
        again = _planned(client, local, client.get_dashboard(local.uid), target)
        if again.action.kind is Kind.UNCHANGED:
            return _outcome(
                local,
                status,
                version_before=before,
                version_after=again.action.version,
                detail=detail,
            )
        if retried:
            raise
        return _apply(client, local, again, target, retried=True)
    after = int(answer.get("version") or 0) or None
    return _outcome(local, status, version_before=before, version_after=after, detail=detail)

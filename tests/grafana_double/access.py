"""``GET /api/access-control/user/permissions``: what the caller may do, action -> scopes.

Grafana registers it for every signed-in identity (``middleware.ReqSignedIn``, no RBAC
permission needed; ``pkg/services/accesscontrol/api/api.go``) in open-source Grafana as in
Enterprise, on 11, 12 and 13 alike, and answers ``ac.GroupScopesByAction``: a JSON object
whose keys are actions and values the scopes each is granted on (``""`` for an unscoped
one). The double derives it from the caller's basic role as Grafana's role definitions do
for the actions a publisher meets:

- Viewer: ``folders:read`` and ``dashboards:read``, on the General folder
  (``fixed:folders.general:reader``) and on every folder (the Viewer role's View that a
  folder made with default permissions grants);
- Editor: also ``folders:create`` and ``dashboards:create`` at the root
  (``fixed:folders:creator`` and ``fixed:dashboards:creator``, scope ``folders:uid:general``),
  and on every folder the Edit actions (``dashboards:create``, ``dashboards:write``,
  ``dashboards:delete``, ``folders:create``, ``folders:write``, ``folders:delete``);
- Admin: those actions on every folder by wildcard (``folders:*``, ``dashboards:*``);
- a role ``None`` (or an org the caller is not in): nothing, ``{}``.

That matches what the rest of the double lets each role do (Editor writes everywhere,
Viewer reads everywhere). Grafana's real answer lists many more actions (annotations,
data sources, alerting); a client reads only the ones it needs.
"""

from __future__ import annotations

from .call import Call
from .errors import Reply, ok

_READ = ("dashboards:read", "folders:read")
_EDIT = (
    "dashboards:create",
    "dashboards:delete",
    "dashboards:write",
    "folders:create",
    "folders:delete",
    "folders:write",
)
_ROOT_CREATE = ("dashboards:create", "folders:create")
GENERAL = "folders:uid:general"


def user_permissions(call: Call) -> Reply:
    role = call.who.role
    folders = [f"folders:uid:{uid}" for uid in sorted(call.org.folders)]
    granted: dict[str, set[str]] = {}

    def grant(actions: tuple[str, ...], scopes: list[str]) -> None:
        for action in actions:
            granted.setdefault(action, set()).update(scopes)

    if role in ("Viewer", "Editor", "Admin"):
        grant(_READ, [GENERAL, *folders])
    if role == "Editor":
        grant(_ROOT_CREATE, [GENERAL])
        grant(_EDIT, folders)
    if role == "Admin":
        grant(_READ, ["folders:*", "dashboards:*"])
        grant(_EDIT, ["folders:*", "dashboards:*"])
    return ok({action: sorted(scopes) for action, scopes in sorted(granted.items())})

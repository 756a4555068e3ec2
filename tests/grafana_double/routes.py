"""Which handler answers a method and path, and what comes before it: health needs no
credentials; every API route needs them, an org, and its RBAC permission (Grafana API §1)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Protocol
from urllib.parse import unquote

from . import access, auth, dashboards, folders, k8s_routes, save, search, versions
from .call import Call
from .errors import NOT_FOUND, Reply
from .health import health
from .state import Org


class Grafana(k8s_routes.K8sGrafana, Protocol):
    """Everything of the double that serving a request reads."""

    healthy: bool
    version: str


@dataclass(frozen=True)
class _Route:
    method: str
    pattern: re.Pattern[str]
    handler: Callable[..., Reply]
    # the RBAC permission the 403 names, and whether it needs Editor (else Viewer); routes
    # without one answer an empty list to those who may not see
    permission: str = ""
    writes: bool = False


def _route(
    method: str, pattern: str, handler: Callable[..., Reply], permission: str = ""
) -> _Route:
    """A ``:read`` permission needs Viewer, any other Editor, as Grafana's fixed roles grant."""
    writes = bool(permission) and not permission.endswith(":read")
    return _Route(method, re.compile(pattern), handler, permission, writes)


_DASHBOARD = r"^/api/dashboards/uid/([^/]+)"
_ROUTES = (
    _route("GET", r"^/api/search/?$", search.search),
    _route(
        "POST",
        r"^/api/dashboards/db/?$",
        save.save_dashboard,
        "any of dashboards:create, dashboards:write",
    ),
    _route("GET", _DASHBOARD + r"/versions/?$", versions.list_versions, "dashboards:write"),
    _route("GET", _DASHBOARD + r"/versions/(\d+)$", versions.get_version, "dashboards:write"),
    _route("POST", _DASHBOARD + r"/restore$", versions.restore, "dashboards:write"),
    _route("GET", _DASHBOARD + r"$", dashboards.get_dashboard, "dashboards:read"),
    _route("DELETE", _DASHBOARD + r"$", dashboards.delete_dashboard, "dashboards:delete"),
    _route("GET", r"^/api/folders/?$", folders.list_folders),
    _route("POST", r"^/api/folders/?$", folders.create_folder, "folders:create"),
    _route("GET", r"^/api/folders/([^/]+)$", folders.get_folder, "folders:read"),
    _route("PUT", r"^/api/folders/([^/]+)$", folders.update_folder, "folders:write"),
    # any signed-in caller may ask what it may do (access.py)
    _route("GET", r"^/api/access-control/user/permissions/?$", access.user_permissions),
)


def dispatch(
    site: Grafana,
    method: str,
    path: str | None,
    query: dict[str, list[str]],
    headers: Mapping[str, str],
    body: bytes,
) -> Reply:
    """The API's answer to a request; ``path`` is None for one outside the sub-path."""
    if path is None:
        return NOT_FOUND
    if path == "/api/health":
        return health(site.healthy, site.version) if method in ("GET", "HEAD") else NOT_FOUND
    if path == "/healthz":
        return Reply(200, b"Ok", "text/plain; charset=utf-8")
    if path == "/apis" or path.startswith("/apis/"):  # the Kubernetes-style API (§6)
        return k8s_routes.dispatch(site, method, path, query, headers, body)
    found = _find(method, path)
    if found is None:
        return NOT_FOUND
    route, params = found
    who = auth.authenticate(headers, site)
    if isinstance(who, Reply):
        return who
    org_id = auth.org_id(headers, who, site.orgs)
    if isinstance(org_id, Reply):
        return org_id
    if org_id not in site.orgs:  # a user asked for an org they are not in: no role there
        who = replace(who, role="None")
    allowed = who.can_write if route.writes else who.can_read
    if route.permission and not allowed:
        return auth.denied(route.permission, site.store.rng)
    org = site.store.orgs.get(org_id, Org())
    return route.handler(Call(site, method, query, body, who, org_id, org), *params)


def _find(method: str, path: str) -> tuple[_Route, tuple[str, ...]] | None:
    for route in _ROUTES:
        found = route.pattern.match(path)
        if found and route.method == method:
            return route, tuple(unquote(group) for group in found.groups())
    return None

"""Routing under ``/apis`` and what comes before each handler (Grafana API §6.1, §6.2).

Order: the profile must serve ``/apis`` (Grafana 11 does not: the legacy 404); credentials
(Grafana's 401 JSON, not a Status, since ``/apis`` sits behind ``ReqSignedIn``; discovery
too); the org header's token check, as on ``/api``; then the group and version; the
namespace picks the org (a malformed one is 404, another org's 403); RBAC as a Status 403 in
the apiserver's words. Unsupported methods are 405 MethodNotAllowed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Protocol

from . import auth, k8s_dashboards, k8s_discovery, k8s_folders
from .errors import NOT_FOUND, Reply
from .k8s_call import K8sCall, K8sSite, org_of
from .k8s_status import DASHBOARDS, FOLDERS, Resource, rbac_forbidden, status

_PATH = re.compile(
    r"^/apis/(?P<group>[^/]+)/(?P<version>[^/]+)/namespaces/(?P<ns>[^/]+)"
    r"/(?P<resource>[^/]+)(?:/(?P<name>[^/]+)(?:/(?P<sub>dto|access))?)?/?$"
)
_Handler = Callable[..., Reply]
_HANDLERS: dict[tuple[str, str, str], _Handler] = {
    ("dashboards", "collection", "GET"): k8s_dashboards.list_dashboards,
    ("dashboards", "collection", "POST"): k8s_dashboards.create,
    ("dashboards", "item", "GET"): k8s_dashboards.get,
    ("dashboards", "item", "PUT"): k8s_dashboards.update,
    ("dashboards", "item", "DELETE"): k8s_dashboards.delete,
    ("dashboards", "dto", "GET"): k8s_dashboards.get_dto,
    ("folders", "collection", "GET"): k8s_folders.list_folders,
    ("folders", "collection", "POST"): k8s_folders.create,
    ("folders", "item", "GET"): k8s_folders.get,
    ("folders", "access", "GET"): k8s_folders.get_access,
    ("folders", "item", "PUT"): k8s_folders.update,
    ("folders", "item", "DELETE"): k8s_folders.delete,
}
_RESOURCES = {"dashboards": DASHBOARDS, "folders": FOLDERS}
_VERBS = {"POST": "create", "PUT": "update", "DELETE": "delete", "GET": "get"}


class K8sGrafana(K8sSite, auth.Accounts, Protocol):
    """Everything of the double serving ``/apis`` reads."""


def dispatch(
    site: K8sGrafana,
    method: str,
    path: str,
    query: dict[str, list[str]],
    headers: Mapping[str, str],
    body: bytes,
) -> Reply:
    if not site.profile.serves_apis:
        return NOT_FOUND
    who = auth.authenticate(headers, site)
    if isinstance(who, Reply):
        return who
    header_org = auth.org_id(headers, who, site.orgs)
    if isinstance(header_org, Reply):
        return header_org
    parts = path.rstrip("/").split("/")[2:]
    if len(parts) <= 2:
        if method not in ("GET", "HEAD"):
            return _not_allowed()
        if not parts:
            return k8s_discovery.api_group_list(site)
        if len(parts) == 1:
            return k8s_discovery.api_group(site, parts[0])
        return k8s_discovery.api_resources(site, parts[0], parts[1])
    found = _PATH.match(path)
    if found is None or found["version"] not in k8s_discovery.group_versions(site, found["group"]):
        return _page_not_found()
    resource = _RESOURCES.get(found["resource"])
    if resource is None or resource.group != found["group"]:
        return _page_not_found()
    shape = found["sub"] or ("item" if found["name"] else "collection")
    handler = _HANDLERS.get((found["resource"], shape, method))
    if handler is None:
        return _not_allowed()
    namespace, name = found["ns"], found["name"] or ""
    org_id = org_of(namespace, site.stack_id)
    if org_id is None:
        return status(
            404,
            "NotFound",
            f'namespaces "{namespace}" not found',
            {"name": namespace, "kind": "namespaces"},
        )
    if org_id not in site.orgs:
        return _denied(resource, name, who, method, namespace, shape)
    allowed = who.can_write if method != "GET" else who.can_read
    if not allowed:
        return _denied(resource, name, who, method, namespace, shape)
    call = K8sCall(
        site, method, query, body, who, org_id, site.store.orgs[org_id], namespace, found["version"]
    )
    return handler(call, name) if name else handler(call)


def _denied(
    resource: Resource, name: str, who: auth.Identity, method: str, namespace: str, shape: str
) -> Reply:
    verb = "list" if method == "GET" and shape == "collection" else _VERBS.get(method, "get")
    return rbac_forbidden(resource, name, who.login, verb, namespace)


def _page_not_found() -> Reply:
    return status(404, "NotFound", "the server could not find the requested resource")


def _not_allowed() -> Reply:
    return status(
        405, "MethodNotAllowed", "the server does not allow this method on the requested resource"
    )

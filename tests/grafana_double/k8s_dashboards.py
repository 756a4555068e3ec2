"""``/apis/dashboard.grafana.app/<version>/namespaces/<ns>/dashboards``: create, read, replace,
delete, list and history (Grafana API §6.4, §6.5, §6.9), on the store the legacy API uses (§6.7).

Where Grafana's docs are silent the double chooses, like Kubernetes' apiserver where it can:
- a create carrying ``metadata.resourceVersion`` is 400 BadRequest with apimachinery's text
  (Grafana's ``ErrResourceVersionSetOnCreate``; its status is unverified);
- a PUT to a missing name creates it (201), as ``AllowCreateOnUpdate`` says;
- a PUT that changes nothing at all (unified storage) writes nothing: same resourceVersion;
- history is served on every version, beta ones included, newest first, paged by offset;
- a write that names a numeric ``spec.id`` keeps the server's id (the label is the server's).
"""

from __future__ import annotations

import json
from typing import Any

from .errors import Reply, encode, ok, uid_error
from .k8s_call import K8sCall
from .k8s_list import label_selector, list_body, name_selector, page
from .k8s_manager import refusal
from .k8s_object import Written, dashboard_object, read_written
from .k8s_schema import basic_error, mutate, schema_error
from .k8s_status import (
    DASHBOARDS,
    FOLDERS,
    already_exists,
    bad_request,
    conflict,
    forbidden,
    invalid,
    not_found,
    status,
    success,
)
from .state import Dashboard
from .urls import dashboard_url

HISTORY = "grafana.app/get-history"
_GENERATE_SUFFIX = "bcdfghjklmnpqrstvwxz2456789"


def get(call: K8sCall, name: str) -> Reply:
    dash = call.org.dashboards.get(name)
    if dash is None:
        return not_found(DASHBOARDS, name)
    wanted = call.first("resourceVersion")
    if wanted and wanted not in ("0", dash.resource_version):
        snap = next((v for v in dash.versions if v.resource_version == wanted), None)
        if snap is None:
            return not_found(DASHBOARDS, name)
        return ok(dashboard_object(call, dash, snap))
    return ok(dashboard_object(call, dash))


def get_dto(call: K8sCall, name: str) -> Reply:
    """``…/dashboards/<name>/dto``: the object plus what the caller may do with it."""
    dash = call.org.dashboards.get(name)
    if dash is None:
        return not_found(DASHBOARDS, name)
    can = call.who.can_write
    access = {
        "slug": dashboard_url("", dash).rsplit("/", 1)[-1],
        "url": dashboard_url(call.site.sub_path, dash),
        "canSave": can,
        "canEdit": can,
        "canAdmin": call.who.role == "Admin",
        "canStar": call.who.can_read,
        "canDelete": can,
        "annotationsPermissions": {
            "dashboard": {"canAdd": can, "canEdit": can, "canDelete": can},
            "organization": {"canAdd": can, "canEdit": can, "canDelete": can},
        },
    }
    return ok({**dashboard_object(call, dash), "access": access})


def create(call: K8sCall) -> Reply:
    written = _written(call)
    if isinstance(written, Reply):
        return written
    name = written.name
    if not name and written.generate_name:
        rng = call.site.store.rng
        name = written.generate_name + "".join(rng.choice(_GENERATE_SUFFIX) for _ in range(5))
    if not name:
        return bad_request("missing name")
    if written.resource_version:
        return bad_request("resourceVersion should not be set on objects to be created")
    if name in call.org.dashboards:
        return already_exists(DASHBOARDS, name)
    return _write(call, name, None, written)


def update(call: K8sCall, name: str) -> Reply:
    written = _written(call)
    if isinstance(written, Reply):
        return written
    if written.name and written.name != name:
        return bad_request(
            f"the name of the object ({written.name}) does not match the name on the URL ({name})"
        )
    existing = call.org.dashboards.get(name)
    if existing is None:
        return _write(call, name, None, written)
    if written.resource_version and written.resource_version != existing.resource_version:
        return conflict(DASHBOARDS, name)
    return _write(call, name, existing, written)


def delete(call: K8sCall, name: str) -> Reply:
    dash = call.org.dashboards.get(name)
    if dash is None:
        return not_found(DASHBOARDS, name)
    if dash.provisioned and call.first("gracePeriodSeconds") != "0":
        return bad_request("provisioned dashboard cannot be deleted")
    del call.org.dashboards[name]
    return ok(success(DASHBOARDS, name, dash.k8s_uid))


def list_dashboards(call: K8sCall) -> Reply:
    selector = label_selector(call)
    if isinstance(selector, Reply):
        return selector
    name = name_selector(call)
    if isinstance(name, Reply):
        return name
    api_version = f"{DASHBOARDS.group}/{call.version}"
    if selector.wants(HISTORY):
        return _history(call, name, api_version)
    found = [
        d
        for uid, d in sorted(call.org.dashboards.items())
        if (name is None or uid == name) and selector.matches(d.labels)
    ]
    paged = page(call, found)
    if isinstance(paged, Reply):
        return paged
    chunk, token = paged
    items = [dashboard_object(call, d) for d in chunk]
    rv = call.site.store.resource_version
    return ok(list_body("DashboardList", api_version, rv, items, token))


def _history(call: K8sCall, name: str | None, api_version: str) -> Reply:
    """``labelSelector=grafana.app/get-history=true``: one dashboard's versions, newest first."""
    if not name:
        return bad_request("history requires a fieldSelector on metadata.name")
    dash = call.org.dashboards.get(name)
    versions = list(reversed(dash.versions)) if dash else []
    paged = page(call, versions)
    if isinstance(paged, Reply):
        return paged
    chunk, token = paged
    items = [dashboard_object(call, dash, v) for v in chunk] if dash else []
    rv = call.site.store.resource_version
    return ok(list_body("DashboardList", api_version, rv, items, token))


def _written(call: K8sCall) -> Written | Reply:
    limit = call.site.max_body_bytes
    if len(call.body) > limit:
        # the apiserver reads at most MaxRequestBodyBytes (16 MiB, Grafana API §1 Limits) and
        # answers as Kubernetes' apiserver does: 413 RequestEntityTooLarge
        return status(413, "RequestEntityTooLarge", f"Request entity too large: limit is {limit}")
    mode = call.first("fieldValidation") or "Strict"
    if mode == "Warn":
        return bad_request("Not supported: FieldValidationMode: Warn")
    if mode not in ("Strict", "Ignore"):
        return bad_request(f"fieldValidation parameter unsupported: {mode}")
    try:
        body: Any = json.loads(call.body)
    except ValueError:
        return bad_request("the body of the request was in an unknown format")
    return read_written(call, DASHBOARDS, body)


def _write(call: K8sCall, name: str, existing: Dashboard | None, written: Written) -> Reply:
    """The admission checks of §6.5 in order, then one save through the shared store."""
    site, org = call.site, call.org
    refused = uid_error(name)
    if refused is not None:
        return bad_request(json.loads(refused.body)["message"])
    quota = site.dashboard_quota
    if existing is None and quota is not None and len(org.dashboards) >= quota:
        return forbidden(DASHBOARDS, name, "Quota reached")
    spec = written.spec
    problem = basic_error(spec, written.message, site.min_refresh)
    if problem:
        return bad_request(problem)
    if written.folder and written.folder not in org.folders:
        return not_found(FOLDERS, written.folder)
    manager = refusal(existing.annotations if existing else None, written.annotations, call.who)
    if manager is not None:
        return forbidden(DASHBOARDS, name, manager.message, manager.cause)
    strict = (call.first("fieldValidation") or "Strict") == "Strict"
    profile = site.profile
    latest = profile.latest_schema_version
    failed = mutate(spec, call.version, latest, profile.migrate_on_write)
    failed = failed or (schema_error(spec, call.version, latest) if strict else None)
    if failed and strict:
        return invalid(DASHBOARDS, name, failed.field, failed.value, failed.detail)
    saved = site.store.save(
        org,
        existing,
        spec,
        name,
        written.folder,
        call.who.login,
        written.message,
        api_version=call.version,
        annotations=written.annotations,
        labels=written.labels,
    )
    body = encode(dashboard_object(call, saved))
    return Reply(201 if existing is None else 200, body)

"""The Kubernetes-style dashboard object: how a stored dashboard (or one of its versions) reads
through a given API version, and how a written object is taken apart (Grafana API §6.3, §6.7).

Server-owned annotations (createdBy, updatedBy, updatedTimestamp) are always the server's;
``grant-permissions`` is never stored; the folder and the message are kept with the save and
the rest (manager, source, anything else) as given. The double stores logins, so the
``<type>:<id>`` of createdBy/updatedBy is guessed from the login: ``sa-…`` (how Grafana names
service-account logins) is a service account, ``Anonymous`` anonymous, anything else a user.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from .errors import Reply
from .k8s_call import K8sCall, K8sSite
from .k8s_convert import NOT_IMPLEMENTED, ConversionError, is_v2, stub_v2, v1_to_v2, v2_to_v1
from .k8s_status import Resource, bad_request
from .state import Dashboard, Version

A_FOLDER = "grafana.app/folder"
A_MESSAGE = "grafana.app/message"
A_CREATED_BY = "grafana.app/createdBy"
A_UPDATED_BY = "grafana.app/updatedBy"
A_UPDATED = "grafana.app/updatedTimestamp"
A_GRANT = "grafana.app/grant-permissions"
SERVER_ANNOTATIONS = frozenset(
    {A_FOLDER, A_MESSAGE, A_CREATED_BY, A_UPDATED_BY, A_UPDATED, A_GRANT}
)
INTERNAL_ID = "grafana.app/deprecatedInternalID"


@dataclass(frozen=True)
class Written:
    """The parts of a POST or PUT body the server reads."""

    name: str
    generate_name: str
    resource_version: str
    folder: str  # "" is the root; "general" also means root
    message: str
    annotations: dict[str, str]  # the client's own: manager, source, ...
    labels: dict[str, str]
    spec: dict[str, Any]  # parsed from this request: ours to keep


def identity_ref(login: str) -> str:
    if login.startswith("sa-"):
        return f"service-account:{login}"
    if login == "Anonymous":
        return "anonymous:0"
    return f"user:{login}"


def read_written(call: K8sCall, resource: Resource, body: Any) -> Written | Reply:
    """The object a client sent, or the 400 Kubernetes gives a body it cannot decode."""
    if not isinstance(body, dict):
        return bad_request("the body of the request was in an unknown format")
    expected = f"{resource.group}/{call.version}"
    if body.get("apiVersion") not in (None, "", expected):
        return bad_request(
            f"the API version in the data ({body['apiVersion']}) does not match the expected "
            f"API version ({expected})"
        )
    if body.get("kind") not in (None, "", resource.kind):
        return bad_request(
            f"the kind in the data ({body['kind']}) does not match the expected kind "
            f"({resource.kind})"
        )
    meta = body.get("metadata") or {}
    spec = body.get("spec")
    annotations = meta.get("annotations") or {}
    labels = meta.get("labels") or {}
    if not (
        isinstance(meta, dict)
        and isinstance(spec, (dict, type(None)))
        and _strings(annotations)
        and _strings(labels)
    ):
        return bad_request("error decoding the request body: metadata, spec or a map is malformed")
    folder = annotations.get(A_FOLDER, "")
    return Written(
        name=str(meta.get("name") or ""),
        generate_name=str(meta.get("generateName") or ""),
        resource_version=str(meta.get("resourceVersion") or ""),
        folder="" if folder == "general" else folder,
        message=annotations.get(A_MESSAGE, ""),
        annotations={k: v for k, v in annotations.items() if k not in SERVER_ANNOTATIONS},
        labels={k: v for k, v in labels.items() if k != INTERNAL_ID},
        spec=spec or {},
    )


def dashboard_object(
    call: K8sCall, dash: Dashboard, snap: Version | None = None, *, version: str | None = None
) -> dict[str, Any]:
    """The dashboard (``snap``: one version of it, as history shows it) read through
    ``version`` (default: the request's), converted from the version it is stored in."""
    site, wanted = call.site, version or call.version
    snap = snap or dash.versions[-1]
    spec, conversion = _converted(site, snap, wanted)
    if not is_v2(wanted) and site.profile.unified_storage:
        spec = {k: v for k, v in spec.items() if k not in ("id", "uid", "version")}
    annotations = dict(snap.annotations)
    if snap.folder_uid:
        annotations[A_FOLDER] = snap.folder_uid
    if snap.message:
        annotations[A_MESSAGE] = snap.message
    annotations[A_CREATED_BY] = identity_ref(dash.created_by)
    annotations[A_UPDATED_BY] = identity_ref(snap.updated_by or dash.updated_by)
    annotations[A_UPDATED] = snap.updated or dash.updated
    historical = snap is not dash.versions[-1]
    return {
        "apiVersion": f"dashboard.grafana.app/{wanted}",
        "kind": "Dashboard",
        "metadata": {
            "name": dash.uid,
            "namespace": call.namespace,
            "uid": dash.k8s_uid,
            "resourceVersion": snap.resource_version,
            "generation": snap.version,
            "creationTimestamp": snap.created if historical else dash.created,
            "labels": dict(sorted(dash.labels.items())),
            "annotations": dict(sorted(annotations.items())),
        },
        "spec": spec,
        "status": {"conversion": conversion} if conversion else {},
    }


def _converted(site: K8sSite, snap: Version, wanted: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The spec in ``wanted``'s family, and ``status.conversion`` (empty when none was made)."""
    stored = snap.api_version
    # Served objects are encoded at once and stored versions are never changed in place, so
    # an unconverted spec is shared, not deep-copied: a list of 200 dashboards would copy
    # megabytes per request, which no Grafana does (the scenario helper copies its result).
    if stored == wanted:
        return dict(snap.data), {}
    done = {"failed": False, "storedVersion": stored}
    if is_v2(stored) == is_v2(wanted):
        return dict(snap.data), done
    if site.profile.conversion_stub:
        spec = stub_v2(snap.data) if is_v2(wanted) else {}
        return spec, {"failed": True, "storedVersion": stored, "error": NOT_IMPLEMENTED}
    try:
        if is_v2(wanted):
            return v1_to_v2(copy.deepcopy(snap.data)), done
        return v2_to_v1(copy.deepcopy(snap.data), site.profile.latest_schema_version), done
    except (ConversionError, KeyError, TypeError, AttributeError, ValueError) as exc:
        func = f"Convert_{_title(stored)}_to_{_title(wanted)}"
        return ({} if not is_v2(wanted) else stub_v2({})), {
            "failed": True,
            "storedVersion": stored,
            "error": f"conversion from {stored} to {wanted} failed in {func}: {exc}",
        }


def _title(version: str) -> str:
    return version[0].upper() + version[1:]


def _strings(value: Any) -> bool:
    return isinstance(value, dict) and all(isinstance(v, str) for v in value.values())

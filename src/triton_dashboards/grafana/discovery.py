"""Which Grafana API to publish through: the legacy ``/api`` or the Kubernetes-style ``/apis``.

``auto`` (the default) asks ``GET /apis`` (Kubernetes discovery, Grafana API §6.1) and takes the
Kubernetes-style API when it serves ``dashboard.grafana.app`` in a version we speak, else the
legacy API (Grafana 11, or a proxy that passes only ``/api``). The version is picked
explicitly: ``v1`` (Grafana 13), else ``v1beta1`` (Grafana 12). Never ``preferredVersion``:
it flips to ``v2`` when dynamic dashboards are on. Schema v2 dashboards go through the stable
``v2`` alone, where it is served (Grafana 13; 12's ``v2beta1`` is "not 100% compatible").

The namespace comes from the org (Grafana API §6.2): ``default`` for org 1 (or when no org is
set: the credential's own org is then assumed to be 1), ``org-N`` for org N, and
``stacks-N`` on Grafana Cloud (``--stack-id``).
"""

from __future__ import annotations

from typing import Any, Literal

from triton_dashboards.grafana.client import GrafanaClient
from triton_dashboards.grafana.errors import Call, ConfigError
from triton_dashboards.grafana.k8s_client import K8sApi
from triton_dashboards.grafana.local import V2
from triton_dashboards.grafana.wire import json_or_none

__all__ = ["API_MODES", "DASHBOARD_VERSIONS", "ApiMode", "namespace", "open_api"]

ApiMode = Literal["auto", "legacy", "k8s"]
API_MODES: tuple[ApiMode, ...] = ("auto", "legacy", "k8s")
#: The dashboard API versions we publish through, best first: v1 spec, stable before beta.
DASHBOARD_VERSIONS = ("v1", "v1beta1")
FOLDER_VERSIONS = ("v1", "v1beta1")


def namespace(org_id: int | None, stack_id: int | None) -> str:
    """The namespace of an org (Grafana API §6.2)."""
    if org_id is None or org_id == 1:
        return f"stacks-{stack_id}" if stack_id else "default"
    return f"org-{org_id}"


def _served(client: GrafanaClient) -> dict[str, list[str]]:
    """Group name -> versions ``/apis`` lists; empty when ``/apis`` is not served."""
    call = Call("GET", "/apis", "discover Grafana's APIs", "none")
    response = client.send(call, ok=frozenset({404}))
    body: Any = json_or_none(response)
    if response.status_code == 404 or not isinstance(body, dict):
        return {}
    if body.get("kind") != "APIGroupList":
        return {}
    served: dict[str, list[str]] = {}
    for group in body.get("groups") or []:
        if isinstance(group, dict):
            versions = [
                v.get("version") for v in group.get("versions") or [] if isinstance(v, dict)
            ]
            served[str(group.get("name"))] = [str(v) for v in versions if v]
    return served


def _pick(served: list[str], wanted: tuple[str, ...]) -> str:
    return next((v for v in wanted if v in served), "")


def _grafana_version(client: GrafanaClient) -> str:
    try:
        return str(client.health().get("version") or "")
    except Exception:  # only for the message: a health failure must not hide the real one
        return ""


def open_api(
    client: GrafanaClient, mode: ApiMode = "auto", *, stack_id: int | None = None
) -> GrafanaClient | K8sApi:
    """The API to publish through; ``client`` itself for the legacy one.

    Raises ConfigError when ``mode`` is ``k8s`` and Grafana does not serve it.
    """
    if mode == "legacy":
        return client
    served = _served(client)
    version = _pick(served.get("dashboard.grafana.app", []), DASHBOARD_VERSIONS)
    if not version:
        if mode == "auto":
            return client
        grafana = _grafana_version(client)
        who = f"Grafana {grafana}" if grafana else "this Grafana"
        raise ConfigError(
            f"--api k8s: {who} does not serve dashboard.grafana.app v1 or v1beta1 under /apis "
            "(the Kubernetes-style API came with Grafana 12); use --api legacy or auto"
        )
    folder_version = _pick(served.get("folder.grafana.app", []), FOLDER_VERSIONS)
    if not folder_version:
        folder_version = "v1beta1"
    dashboards = served.get("dashboard.grafana.app", [])
    return K8sApi(
        client,
        version=version,
        folder_version=folder_version,
        namespace=namespace(client.org_id, stack_id),
        strict=version == "v1",
        v2_version=V2 if V2 in dashboards else "",
    )

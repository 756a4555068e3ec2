"""Rendered dashboard JSON as ConfigMaps for the Grafana sidecar of kube-prometheus-stack.

The sidecar watches ConfigMaps labelled ``grafana_dashboard: "1"`` (kube-prometheus-stack's
``sidecar.dashboards.label``/``labelValue``) in every namespace and writes each data key
as a file Grafana loads. The folder comes from the annotation named by
``sidecar.dashboards.folderAnnotation``, which is unset by default: with
``grafana_folder`` configured (and ``provider.foldersFromFilesStructure: true``) the
dashboards land in that folder, otherwise in General.

Like publishing, this works on rendered JSON files and never on dashboard code, so it
can ship any dashboard. The file's bytes go into the ConfigMap unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from triton_dashboards.defaults import FOLDER
from triton_dashboards.prometheus.k8snames import LABEL_RULE, is_dns1123_label, to_dns1123_subdomain
from triton_dashboards.prometheus.yamlout import dump
from triton_dashboards.validation import InvalidValue, check_uid

__all__ = [
    "DASHBOARD_LABEL",
    "FOLDER_ANNOTATION",
    "MAX_CONFIGMAP_BYTES",
    "ConfigMapError",
    "configmap",
    "configmap_name",
    "configmaps_yaml",
]

DASHBOARD_LABEL = "grafana_dashboard"
FOLDER_ANNOTATION = "grafana_folder"
#: The API server rejects a ConfigMap whose data exceeds 1 MiB (keys counted too, to be safe).
MAX_CONFIGMAP_BYTES = 1024 * 1024
_PREFIX = "grafana-dashboard-"


class ConfigMapError(ValueError):
    """A dashboard file that cannot become a ConfigMap, or a bad namespace."""


def configmap_name(uid: str) -> str:
    """``grafana-dashboard-<uid>``, made a valid object name (DNS-1123 subdomain, ≤ 253)."""
    slug = to_dns1123_subdomain(uid)
    if not slug:
        raise ConfigMapError(
            f"dashboard uid {uid!r} has no letter or digit to name a ConfigMap with; "
            "give the dashboard a uid such as triton-overview"
        )
    return to_dns1123_subdomain(_PREFIX + slug)


def _read(path: Path) -> tuple[str, dict[str, Any]]:
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise ConfigMapError(f"cannot read {path}: {e.strerror}; check the path") from None
    try:
        text = raw.decode("utf-8")
        dashboard = json.loads(text)
    except UnicodeDecodeError:
        raise ConfigMapError(f"{path} is not UTF-8 text; pass rendered dashboard JSON") from None
    except json.JSONDecodeError as e:
        raise ConfigMapError(
            f"{path}:{e.lineno}:{e.colno}: not JSON ({e.msg}); pass rendered dashboard JSON"
        ) from None
    if not isinstance(dashboard, dict):
        raise ConfigMapError(f"{path} holds no dashboard object; pass rendered dashboard JSON")
    return text, dashboard


def configmap(path: Path, *, namespace: str = "monitoring", folder: str = FOLDER) -> dict[str, Any]:
    """The ConfigMap for one dashboard file; ``folder=""`` leaves the folder annotation out."""
    text, dashboard = _read(path)
    if str(dashboard.get("apiVersion", "")).startswith("dashboard.grafana.app/v2"):
        raise ConfigMapError(
            f"{path} is a schema v2 Dashboard resource; ConfigMaps for the Grafana sidecar are "
            "made of v1 dashboard JSON: build it with `triton-dashboards build --schema v1`, "
            "or publish v2 through the API"
        )
    uid = dashboard.get("uid")
    if not isinstance(uid, str) or not uid:
        raise ConfigMapError(f"{path} has no uid; set one so the dashboard keeps its URL")
    try:
        check_uid(uid)  # the rule publish applies: a ConfigMap must not ship what it refuses
    except InvalidValue as e:
        raise ConfigMapError(f"{path}: {e}") from None
    name = configmap_name(uid)
    key = f"{name.removeprefix(_PREFIX)}.json"
    size = len(key.encode()) + len(text.encode())
    if size > MAX_CONFIGMAP_BYTES:
        raise ConfigMapError(
            f"{path} is {size / 1024 / 1024:.2f} MiB, over the 1 MiB a ConfigMap can hold; "
            "split the dashboard or publish it through the Grafana API instead"
        )
    metadata: dict[str, Any] = {
        "name": name,
        "namespace": namespace,
        "labels": {DASHBOARD_LABEL: "1", "app.kubernetes.io/part-of": "triton-dashboards"},
    }
    if folder:
        metadata["annotations"] = {FOLDER_ANNOTATION: folder}
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": metadata, "data": {key: text}}


def configmaps_yaml(
    paths: Sequence[Path], *, namespace: str = "monitoring", folder: str = FOLDER
) -> str:
    """One multi-document YAML, a ConfigMap per dashboard file, with how to apply it."""
    if not is_dns1123_label(namespace):
        raise ConfigMapError(
            f"namespace {namespace!r} is not a Kubernetes namespace name; {LABEL_RULE}"
        )
    if not paths:
        raise ConfigMapError("no dashboard JSON files given; run `triton-dashboards build` first")
    maps = [configmap(path, namespace=namespace, folder=folder) for path in paths]
    seen: dict[str, Path] = {}
    for path, item in zip(paths, maps, strict=True):
        name = item["metadata"]["name"]
        if name in seen:
            raise ConfigMapError(
                f"{seen[name]} and {path} both become ConfigMap {name}; give them different uids"
            )
        seen[name] = path
    where = f"folder {folder!r}" if folder else "the General folder"
    header = (
        "Grafana dashboards for NVIDIA Triton Inference Server as ConfigMaps for the Grafana\n"
        f"sidecar ({len(maps)} dashboards), written by `triton-dashboards configmap`.\n"
        f'The kube-prometheus-stack sidecar loads ConfigMaps labelled {DASHBOARD_LABEL}: "1"\n'
        "from every namespace. They land in "
        f"{where} when the chart has\n"
        f"  grafana.sidecar.dashboards.folderAnnotation: {FOLDER_ANNOTATION}\n"
        "  grafana.sidecar.dashboards.provider.foldersFromFilesStructure: true\n"
        "(otherwise in General). Apply (server-side: client-side apply copies each dashboard\n"
        "into an annotation limited to 256 KiB):\n"
        "  kubectl apply --server-side -f THIS_FILE"
    )
    return dump(maps, header, explicit_start=True)

"""ServiceMonitor and PodMonitor manifests (monitoring.coreos.com/v1) for prometheus-operator.

kube-prometheus-stack only picks these up when they carry ``release: <its Helm release>``
(``*SelectorNilUsesHelmValues: true`` by default), so the label is always set and the
header says how to match it or switch the selector off.

A ServiceMonitor selects Services by label, not by name, and the Triton Service's labels
are not known here; so unless ``selector`` is given it selects every Service of the
namespace and a relabeling keeps only the one named ``service``. A PodMonitor has no
Service to narrow by: it scrapes every pod of the namespace with the metrics port, or
the pods matching ``selector``.
"""

from __future__ import annotations

from typing import Any

from triton_dashboards.prometheus.k8snames import CONTAINER_PORT_RULE, is_port_name
from triton_dashboards.prometheus.target import InvalidTarget, TritonTarget
from triton_dashboards.prometheus.yamlout import dump

__all__ = ["pod_monitor", "pod_monitor_yaml", "service_monitor", "service_monitor_yaml"]

API_VERSION = "monitoring.coreos.com/v1"


def _metadata(target: TritonTarget) -> dict[str, Any]:
    return {
        "name": target.service,
        "namespace": target.namespace,
        "labels": {"release": target.release, "app.kubernetes.io/part-of": "triton-dashboards"},
    }


def _selector(target: TritonTarget) -> dict[str, Any]:
    return {"matchLabels": dict(target.selector)} if target.selector else {}


def _timing(target: TritonTarget) -> dict[str, Any]:
    return {
        "path": target.metrics_path,
        "interval": target.interval,
        "scrapeTimeout": target.timeout,
    }


def service_monitor(target: TritonTarget) -> dict[str, Any]:
    """A ServiceMonitor for the metrics port: a Service port name, or a pod port number."""
    # `port` is a Service port *name*; a number can only be a container port (`targetPort`).
    port_key = "targetPort" if isinstance(target.port, int) else "port"
    endpoint = {port_key: target.port, **_timing(target)}
    endpoint["relabelings"] = [
        {
            "sourceLabels": ["__meta_kubernetes_service_name"],
            "regex": target.service,
            "action": "keep",
        }
    ]
    return {
        "apiVersion": API_VERSION,
        "kind": "ServiceMonitor",
        "metadata": _metadata(target),
        "spec": {
            "namespaceSelector": {"matchNames": [target.namespace]},
            "selector": _selector(target),
            "endpoints": [endpoint],
        },
    }


def pod_monitor(target: TritonTarget) -> dict[str, Any]:
    """A PodMonitor for the container port ``port`` (name) or ``portNumber`` of Triton's pods."""
    if isinstance(target.port, str) and not is_port_name(target.port):
        raise InvalidTarget(
            f"a PodMonitor needs a container port, and {target.port!r} cannot be one "
            f"({CONTAINER_PORT_RULE}); pass the container port's name or number, e.g. 8002"
        )
    port_key = "portNumber" if isinstance(target.port, int) else "port"
    return {
        "apiVersion": API_VERSION,
        "kind": "PodMonitor",
        "metadata": _metadata(target),
        "spec": {
            "namespaceSelector": {"matchNames": [target.namespace]},
            "selector": _selector(target),
            "podMetricsEndpoints": [{port_key: target.port, **_timing(target)}],
        },
    }


def _manifest_yaml(target: TritonTarget, manifest: dict[str, Any], where: str, labels: str) -> str:
    """A monitor manifest as YAML under a header that says how to apply it."""
    header = _header(target, manifest["kind"], where, labels)
    return dump([manifest], header, explicit_start=True)


def _header(target: TritonTarget, kind: str, where: str, labels: str) -> str:
    setting = f"prometheus.prometheusSpec.{kind[0].lower()}{kind[1:]}SelectorNilUsesHelmValues"
    return (
        f"{kind} (monitoring.coreos.com/v1) for NVIDIA Triton Inference Server metrics,\n"
        "written by `triton-dashboards scrape-config`.\n"
        f"Target: {where}, path {target.metrics_path}, every {target.interval}.\n"
        f"Series get the labels {labels}.\n"
        "Apply: kubectl apply -f THIS_FILE   (needs the prometheus-operator CRDs)\n"
        f"kube-prometheus-stack selects a {kind} only when its label release is the Helm\n"
        f"release name of kube-prometheus-stack (here {target.release!r}; see `helm list -A`\n"
        "and pass --release NAME), unless it was installed with\n"
        f"  --set {setting}=false\n"
        f"which makes it select every {kind} in the cluster."
    )


def service_monitor_yaml(target: TritonTarget) -> str:
    """The ServiceMonitor as YAML, with how to apply it and make kube-prometheus-stack see it."""
    where = f"Service {target.service} in namespace {target.namespace}, port {target.port}"
    labels = f"namespace, service, pod, container, endpoint and job={target.service}"
    return _manifest_yaml(target, service_monitor(target), where, labels)


def pod_monitor_yaml(target: TritonTarget) -> str:
    """The PodMonitor as YAML, with how to apply it and make kube-prometheus-stack see it."""
    pods = (
        "pods labelled " + ",".join(f"{k}={v}" for k, v in target.selector)
        if target.selector
        else "every pod"
    )
    where = f"{pods} in namespace {target.namespace} with container port {target.port}"
    labels = f"namespace, pod, container and job={target.namespace}/{target.service}"
    return _manifest_yaml(target, pod_monitor(target), where, labels)

"""Prometheus scrape jobs for Triton: a ``prometheus.yml`` and a kube-prometheus-stack values file.

Both carry one plain Prometheus ``scrape_config``. Every target gets a ``namespace`` label
because the dashboards filter on it; discovered targets also get ``pod`` and ``service``,
the labels prometheus-operator sets, so one dashboard serves every way of scraping.

With Kubernetes discovery (role ``endpoints``) one rule keeps exactly our Service's
metrics port in our namespace: the ``namespaces`` filter only limits what Prometheus
watches, the ``keep`` rule is what decides, so the decision can be tested without a
cluster (``promtool check service-discovery`` on ``file_sd_configs`` stand-ins).
"""

from __future__ import annotations

from typing import Any

from triton_dashboards.prometheus.target import TritonTarget
from triton_dashboards.prometheus.yamlout import dump

__all__ = ["kube_prometheus_stack_yaml", "prometheus_yaml", "scrape_job"]


def _keep_rule(target: TritonTarget) -> dict[str, Any]:
    # A port name is matched on the endpoint's port name; a number on the address, which
    # for the endpoints role is <pod IP>:<container port> (the Service's targetPort).
    if isinstance(target.port, int):
        port_label, port_regex = "__address__", f".+:{target.port}"
    else:
        port_label, port_regex = "__meta_kubernetes_endpoint_port_name", target.port
    return {
        "source_labels": [
            "__meta_kubernetes_namespace",
            "__meta_kubernetes_service_name",
            port_label,
        ],
        "regex": f"{target.namespace};{target.service};{port_regex}",
        "action": "keep",
    }


def _copy(meta: str, label: str) -> dict[str, Any]:
    return {"source_labels": [f"__meta_kubernetes_{meta}"], "target_label": label}


def scrape_job(target: TritonTarget, *, static: bool = False) -> dict[str, Any]:
    """One ``scrape_configs`` entry: static Service address, or Kubernetes endpoints discovery."""
    job: dict[str, Any] = {
        "job_name": target.job,
        "scrape_interval": target.interval,
        "scrape_timeout": target.timeout,
        "metrics_path": target.metrics_path,
    }
    if static:
        labels = {"namespace": target.namespace}
        if not target.static_targets:  # the Service address: say which Service it is
            labels["service"] = target.service
        job["static_configs"] = [{"targets": list(target.static_addresses), "labels": labels}]
        return job
    job["kubernetes_sd_configs"] = [
        {"role": "endpoints", "namespaces": {"names": [target.namespace]}}
    ]
    job["relabel_configs"] = [
        _keep_rule(target),
        _copy("namespace", "namespace"),
        _copy("pod_name", "pod"),
        _copy("service_name", "service"),
    ]
    return job


def _what(target: TritonTarget, *, static: bool = False) -> str:
    if static and target.static_targets:
        where = f"{', '.join(target.static_targets)} (namespace label {target.namespace})"
    else:
        where = f"Service {target.service} in namespace {target.namespace}, port {target.port}"
    return f"{where}, path {target.metrics_path}, every {target.interval}"


def prometheus_yaml(target: TritonTarget, *, static: bool = False) -> str:
    """A ``prometheus.yml`` holding only the Triton job, with how to merge and reload it.

    On its own it is a complete, valid configuration (``promtool check config`` passes).
    """
    if static and target.static_targets:
        how = (
            "Scrapes each address given, as one Triton server each. The label namespace is\n"
            "set because the dashboards filter on it."
        )
    elif static:
        how = (
            f"Scrapes the Service address {target.service_address}.\n"
            "A Service sends each scrape to one of its pods, so this is right for ONE Triton\n"
            "replica only; with more, counters of different pods mix: use --kubernetes-sd.\n"
            "The labels namespace and service are set because the dashboards filter on them."
        )
    else:
        how = (
            "Discovers every pod behind the Service (kubernetes_sd_configs, role endpoints)\n"
            "and labels its series with namespace, pod and service. Prometheus needs RBAC to\n"
            f"get, list and watch endpoints, services and pods in namespace {target.namespace}."
        )
    header = (
        "Prometheus scrape job for NVIDIA Triton Inference Server metrics,\n"
        "written by `triton-dashboards scrape-config`.\n"
        f"Target: {_what(target, static=static)}.\n"
        f"{how}\n"
        "Apply: copy the job under scrape_configs: in your prometheus.yml, then\n"
        "  promtool check config prometheus.yml\n"
        "and reload Prometheus (kill -HUP <pid>, or POST /-/reload with --web.enable-lifecycle)."
    )
    return dump([{"scrape_configs": [scrape_job(target, static=static)]}], header)


def kube_prometheus_stack_yaml(target: TritonTarget) -> str:
    """kube-prometheus-stack values adding the Triton job to ``additionalScrapeConfigs``.

    The entries are plain Prometheus scrape configs (snake_case), which the chart stores
    in a Secret and hands to the operator's Prometheus; its RBAC already covers discovery.
    """
    header = (
        "kube-prometheus-stack values: a scrape job for NVIDIA Triton Inference Server metrics\n"
        "in prometheus.prometheusSpec.additionalScrapeConfigs,\n"
        "written by `triton-dashboards scrape-config`.\n"
        f"Target: {_what(target)}.\n"
        "Series get the labels namespace, pod and service.\n"
        "Apply (RELEASE and NS of kube-prometheus-stack: see `helm list -A`):\n"
        "  helm upgrade RELEASE prometheus-community/kube-prometheus-stack -n NS \\\n"
        "    -f your-values.yaml -f THIS_FILE\n"
        "Helm replaces lists, it does not merge them: if your values already set\n"
        "additionalScrapeConfigs, add this job to that list instead."
    )
    values = {"prometheus": {"prometheusSpec": {"additionalScrapeConfigs": [scrape_job(target)]}}}
    return dump([values], header)

"""Scrape configs, checked by the tools that will read them.

* prometheus.yml and the kube-prometheus-stack values pass the real ``promtool check config``.
* The Kubernetes relabelling is proven, not eyeballed: the Debian promtool has no Kubernetes
  discovery, so the job's ``kubernetes_sd_configs`` is swapped for ``file_sd_configs`` whose
  target groups carry the ``__meta_kubernetes_*`` labels the endpoints role gives, and
  ``promtool check service-discovery`` reports which targets the unchanged relabel rules
  keep and with which labels.
* ServiceMonitor and PodMonitor validate against the prometheus-operator CRD schemas.
"""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import pytest
import yaml
from _support import ROOT, TESTDATA
from click.testing import CliRunner
from prometheus_server import PrometheusServer

from triton_dashboards.cli import main
from triton_dashboards.prometheus import monitors
from triton_dashboards.prometheus.scrape import (
    kube_prometheus_stack_yaml,
    prometheus_yaml,
    scrape_job,
)
from triton_dashboards.prometheus.target import InvalidTarget, TritonTarget
from triton_dashboards.simulator import Workload, serve

NER = TritonTarget(service="triton-inference-ner")


def check_config(promtool: str, path: Path) -> None:
    result = subprocess.run(
        [promtool, "check", "config", str(path)], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


def write_yaml(path: Path, document: Any) -> Path:
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


# -- Kubernetes discovery stand-ins -------------------------------------------------------


def endpoint(address: str, namespace: str, service: str, port: str, pod: str) -> dict[str, Any]:
    """A target group as role ``endpoints`` discovers it (the labels the relabelling may use)."""
    return {
        "targets": [address],
        "labels": {
            "__meta_kubernetes_namespace": namespace,
            "__meta_kubernetes_service_name": service,
            "__meta_kubernetes_endpoint_port_name": port,
            "__meta_kubernetes_endpoint_ready": "true",
            "__meta_kubernetes_pod_name": pod,
            "__meta_kubernetes_pod_container_name": "triton",
        },
    }


#: Two Triton pods behind our Service, and everything the keep rule must drop.
CLUSTER = [
    endpoint("10.0.0.11:8002", "triton", "triton-inference-ner", "metrics", "ner-0"),
    endpoint("10.0.0.12:8002", "triton", "triton-inference-ner", "metrics", "ner-1"),
    endpoint("10.0.0.11:8000", "triton", "triton-inference-ner", "http", "ner-0"),
    endpoint("10.0.0.11:8001", "triton", "triton-inference-ner", "grpc", "ner-0"),
    # another Service in the namespace with a port of the same name
    endpoint("10.0.0.30:8002", "triton", "other-model-server", "metrics", "other-0"),
    # a Service of our name in another namespace
    endpoint("10.0.1.11:8002", "staging", "triton-inference-ner", "metrics", "ner-0"),
    # a port named like ours' prefix (regexes must be anchored)
    endpoint("10.0.0.11:18002", "triton", "triton-inference-ner", "metrics-debug", "ner-0"),
]
KEPT = {
    "10.0.0.11:8002": {"namespace": "triton", "pod": "ner-0", "service": "triton-inference-ner"},
    "10.0.0.12:8002": {"namespace": "triton", "pod": "ner-1", "service": "triton-inference-ner"},
}


def with_file_sd(job: dict[str, Any], targets_file: Path) -> dict[str, Any]:
    """The job with Kubernetes discovery replaced by a file, relabel rules untouched."""
    stand_in = copy.deepcopy(job)
    assert stand_in.pop("kubernetes_sd_configs") == [
        {"role": "endpoints", "namespaces": {"names": ["triton"]}}
    ]
    stand_in["file_sd_configs"] = [{"files": [str(targets_file)]}]
    return stand_in


def discover(promtool: str, tmp_path: Path, job: dict[str, Any]) -> dict[str, dict[str, str]]:
    """Kept targets (address -> final labels) after promtool runs the job's relabelling."""
    config = write_yaml(tmp_path / "prometheus.yml", {"scrape_configs": [job]})
    check_config(promtool, config)
    result = subprocess.run(
        [promtool, "check", "service-discovery", "--timeout=1s", str(config), job["job_name"]],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert len(found) == sum(len(group["targets"]) for group in CLUSTER + RENAMED_PORT)
    return {
        t["discoveredLabels"]["__address__"]: {
            k: v for k, v in t["labels"].items() if not k.startswith("__")
        }
        for t in found
        if t["labels"]
    }


#: With a numeric port, a target on 8002 whose port has another name is ours too.
RENAMED_PORT = [endpoint("10.0.0.13:8002", "triton", "triton-inference-ner", "prom", "ner-2")]


def targets_file(tmp_path: Path) -> Path:
    path = tmp_path / "endpoints.json"
    path.write_text(json.dumps(CLUSTER + RENAMED_PORT), encoding="utf-8")
    return path


def expected(kept: dict[str, dict[str, str]], job: str = "triton") -> dict[str, dict[str, str]]:
    return {
        address: {**labels, "instance": address, "job": job} for address, labels in kept.items()
    }


def test_endpoints_discovery_keeps_only_the_metrics_port_of_our_service(
    promtool: str, tmp_path: Path
) -> None:
    job = with_file_sd(scrape_job(NER), targets_file(tmp_path))
    assert discover(promtool, tmp_path, job) == expected(KEPT)


def test_numeric_port_keeps_that_port_of_our_service_whatever_its_name(
    promtool: str, tmp_path: Path
) -> None:
    target = TritonTarget(service="triton-inference-ner", port="8002")
    job = with_file_sd(scrape_job(target), targets_file(tmp_path))
    ner_2 = {"namespace": "triton", "pod": "ner-2", "service": "triton-inference-ner"}
    assert discover(promtool, tmp_path, job) == expected({**KEPT, "10.0.0.13:8002": ner_2})


def test_static_prometheus_yml_passes_promtool_and_labels_the_namespace(
    promtool: str, tmp_path: Path
) -> None:
    target = TritonTarget(service="triton-inference-ner", port=8002)
    text = prometheus_yaml(target, static=True)
    assert text.startswith("# ")
    path = tmp_path / "prometheus.yml"
    path.write_text(text, encoding="utf-8")
    check_config(promtool, path)

    job = yaml.safe_load(text)["scrape_configs"][0]
    assert job["static_configs"][0]["targets"] == [
        "triton-inference-ner.triton.svc.cluster.local:8002"
    ]
    # merged into a prometheus.yml that has its own global settings and jobs
    merged = {
        "global": {"scrape_interval": "30s", "evaluation_interval": "30s"},
        "scrape_configs": [
            {"job_name": "self", "static_configs": [{"targets": ["127.0.0.1:9090"]}]},
            job,
        ],
    }
    check_config(promtool, write_yaml(tmp_path / "merged.yml", merged))
    result = subprocess.run(
        [promtool, "check", "service-discovery", "--timeout=500ms", str(path), "triton"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    (found,) = json.loads(result.stdout)
    final = {k: v for k, v in found["labels"].items() if not k.startswith("__")}
    address = "triton-inference-ner.triton.svc.cluster.local:8002"
    assert final == {
        "instance": address,
        "job": "triton",
        "namespace": "triton",
        "service": "triton-inference-ner",
    }
    assert found["labels"]["__scrape_interval__"] == "15s"
    assert found["labels"]["__scrape_timeout__"] == "10s"


def test_short_interval_gets_a_timeout_promtool_accepts(promtool: str, tmp_path: Path) -> None:
    target = TritonTarget(interval="5s", port=8002)
    assert target.timeout == "5s"
    path = tmp_path / "prometheus.yml"
    path.write_text(prometheus_yaml(target, static=True), encoding="utf-8")
    check_config(promtool, path)


def test_kube_prometheus_stack_values_hold_a_job_promtool_accepts(
    promtool: str, tmp_path: Path
) -> None:
    text = kube_prometheus_stack_yaml(NER)
    assert "helm upgrade" in text.split("\nprometheus:")[0]
    values = yaml.safe_load(text)
    assert list(values) == ["prometheus"]
    jobs = values["prometheus"]["prometheusSpec"]["additionalScrapeConfigs"]
    assert isinstance(jobs, list) and len(jobs) == 1
    job = with_file_sd(jobs[0], targets_file(tmp_path))
    assert discover(promtool, tmp_path, job) == expected(KEPT)


# -- prometheus-operator manifests ----------------------------------------------------------


def _strict(schema: Any) -> Any:
    """The schema with unknown fields forbidden, as ``kubectl apply`` (strict validation) does."""
    if isinstance(schema, dict):
        out = {k: _strict(v) for k, v in schema.items()}
        open_ended = "additionalProperties" in out or out.get(
            "x-kubernetes-preserve-unknown-fields"
        )
        if "properties" in out and not open_ended:
            out["additionalProperties"] = False
        return out
    if isinstance(schema, list):
        return [_strict(v) for v in schema]
    return schema


def crd_validator(kind: str) -> jsonschema.Draft7Validator:
    path = TESTDATA / "prometheus-operator" / "crds" / f"crd-{kind.lower()}s.yaml"
    (crd,) = [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d]
    assert crd["spec"]["names"]["kind"] == kind
    (version,) = [v for v in crd["spec"]["versions"] if v["name"] == "v1" and v["served"]]
    return jsonschema.Draft7Validator(_strict(version["schema"]["openAPIV3Schema"]))


MONITORS = [
    ("ServiceMonitor", monitors.service_monitor_yaml),
    ("PodMonitor", monitors.pod_monitor_yaml),
]


@pytest.mark.parametrize("port", ["metrics", "8002"])
@pytest.mark.parametrize(("kind", "render"), MONITORS, ids=[k for k, _ in MONITORS])
def test_monitor_validates_against_the_crd(kind: str, render: Any, port: str) -> None:
    target = TritonTarget(service="triton-inference-ner", port=port, release="kps")
    text = render(target)
    setting = f"{kind[0].lower()}{kind[1:]}SelectorNilUsesHelmValues=false"
    assert setting in text.split("\n---\n")[0]
    (manifest,) = list(yaml.safe_load_all(text))
    crd_validator(kind).validate(manifest)
    assert manifest["apiVersion"] == "monitoring.coreos.com/v1"
    assert manifest["kind"] == kind
    assert manifest["metadata"]["labels"]["release"] == "kps"
    assert manifest["metadata"]["namespace"] == "triton"
    assert manifest["spec"]["namespaceSelector"] == {"matchNames": ["triton"]}


def test_crd_validation_catches_a_numeric_service_port() -> None:
    """The validator is not vacuous: a ServiceMonitor ``port`` must be a Service port name."""
    manifest = monitors.service_monitor(NER)
    manifest["spec"]["endpoints"][0]["port"] = 8002
    with pytest.raises(jsonschema.ValidationError, match="8002 is not of type 'string'"):
        crd_validator("ServiceMonitor").validate(manifest)
    manifest["spec"]["endpoints"][0]["port"] = "metrics"
    manifest["spec"]["endpoints"][0]["intervall"] = "15s"
    with pytest.raises(jsonschema.ValidationError, match="intervall"):
        crd_validator("ServiceMonitor").validate(manifest)


def test_service_monitor_keeps_only_our_service_and_maps_ports() -> None:
    by_name = monitors.service_monitor(NER)["spec"]["endpoints"][0]
    assert by_name["port"] == "metrics" and "targetPort" not in by_name
    assert by_name["relabelings"] == [
        {
            "sourceLabels": ["__meta_kubernetes_service_name"],
            "regex": "triton-inference-ner",
            "action": "keep",
        }
    ]
    by_number = monitors.service_monitor(TritonTarget(port=8002))["spec"]["endpoints"][0]
    assert by_number["targetPort"] == 8002 and "port" not in by_number
    selected = monitors.service_monitor(TritonTarget(selector={"app": "triton"}))["spec"][
        "selector"
    ]
    assert selected == {"matchLabels": {"app": "triton"}}


def test_pod_monitor_ports_and_selector() -> None:
    endpoint_ = monitors.pod_monitor(TritonTarget(port=8002))["spec"]["podMetricsEndpoints"][0]
    assert endpoint_["portNumber"] == 8002 and "port" not in endpoint_
    spec = monitors.pod_monitor(TritonTarget(selector={"app.kubernetes.io/name": "triton"}))["spec"]
    assert spec["podMetricsEndpoints"][0]["port"] == "metrics"
    assert spec["selector"] == {"matchLabels": {"app.kubernetes.io/name": "triton"}}
    # a Service port name may be long; a container port name may not
    with pytest.raises(InvalidTarget, match="container port"):
        monitors.pod_monitor(TritonTarget(port="metrics-inference-server"))


# -- the target and the command line ---------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "needle"),
    [
        ({"port": 0}, "1-65535"),
        ({"port": "70000"}, "1-65535"),
        ({"port": "Metrics_Port"}, "port name"),
        ({"interval": "5 minutes"}, "not a Prometheus duration"),
        ({"interval": "0s"}, "positive duration"),
        ({"interval": "5s", "scrape_timeout": "10s"}, "longer than the interval"),
        ({"namespace": "Triton_NS"}, "namespace name"),
        ({"namespace": "x" * 64}, "at most 63"),
        ({"service": "9-lives"}, "starting with a letter"),
        ({"metrics_path": "metrics"}, "start with /"),
        ({"release": "has space"}, "helm list"),
        ({"selector": {"app": "bad value"}}, "KEY=VALUE"),
    ],
)
def test_invalid_target_says_what_is_valid(fields: dict[str, Any], needle: str) -> None:
    with pytest.raises(InvalidTarget, match=needle):
        TritonTarget(**fields)


@pytest.mark.parametrize("port", ["metrics", "http-metrics"])
def test_static_target_with_a_port_name_is_an_error(port: str) -> None:
    """A name means nothing without Kubernetes: no silent :8002 for ``metrics`` either."""
    with pytest.raises(InvalidTarget, match="need a port number"):
        prometheus_yaml(TritonTarget(port=port), static=True)
    address = TritonTarget(port=8002).service_address
    assert address == "triton-inference-server.triton.svc.cluster.local:8002"


def test_explicit_static_targets_pass_promtool_and_are_scraped_as_given(
    promtool: str, tmp_path: Path
) -> None:
    addresses = ["127.0.0.1:18002", "triton-vm.example.com:8002", "[::1]:9000"]
    result = cli("scrape-config", "--static", *(f"--target={a}" for a in addresses))
    assert result.exit_code == 0, result.output
    path = tmp_path / "prometheus.yml"
    path.write_text(result.stdout, encoding="utf-8")
    check_config(promtool, path)
    found = subprocess.run(
        [promtool, "check", "service-discovery", "--timeout=500ms", str(path), "triton"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    targets = {
        t["labels"]["__address__"]: {k: v for k, v in t["labels"].items() if not k.startswith("__")}
        for t in json.loads(found.stdout)
    }
    assert targets == {
        a: {"instance": a, "job": "triton", "namespace": "triton"} for a in addresses
    }


def test_static_without_a_port_scrapes_tritons_default_port_number() -> None:
    result = cli("scrape-config", "--static")
    assert result.exit_code == 0, result.output
    job = yaml.safe_load(result.stdout)["scrape_configs"][0]
    assert job["static_configs"][0]["targets"] == [
        "triton-inference-server.triton.svc.cluster.local:8002"
    ]


@pytest.mark.parametrize("address", ["127.0.0.1", "host:0", "host:70000", "a b:1", ":8002", ""])
def test_a_static_target_that_is_not_host_port_is_refused(address: str) -> None:
    with pytest.raises(InvalidTarget, match="HOST:PORT"):
        TritonTarget(static_targets=[address])


def cli(*args: str) -> Any:
    return CliRunner().invoke(main, list(args))


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--port", "0"], "1-65535"),
        (["--port", "70000"], "1-65535"),
        (["--interval", "5 minutes"], "15s, 1m"),
        (["--namespace", "Triton_NS"], "lower-case letters"),
        (["--format", "yaml"], "kube-prometheus-stack"),
        (["--format", "servicemonitor", "--static"], "only apply to --format prometheus"),
        (["--static", "--port", "web"], "port number"),
        (["--static", "--port", "metrics"], "static targets need a port number"),
        (["--static", "--target", "127.0.0.1"], "HOST:PORT"),
        (["--target", "127.0.0.1:8002"], "needs --static"),
        (["--static", "--target", "127.0.0.1:8002", "--port", "8002"], "put the port in"),
        (["--selector", "app"], "KEY=VALUE"),
        (["-o", "/nonexistent-dir/x.yaml"], "cannot write"),
    ],
)
def test_cli_errors_are_one_line_exit_2(args: list[str], needle: str) -> None:
    result = cli("scrape-config", *args)
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert needle in lines[0]
    assert result.stdout == ""


@pytest.mark.parametrize(
    "fmt", ["prometheus", "kube-prometheus-stack", "servicemonitor", "podmonitor"]
)
def test_cli_prints_the_format_asked_for(fmt: str, tmp_path: Path) -> None:
    args = ["scrape-config", "--format", fmt, "--service", "triton-inference-ner", "--port", "8002"]
    shown = cli(*args)
    assert shown.exit_code == 0, shown.output
    target = TritonTarget(service="triton-inference-ner", port=8002)
    renders = {
        "prometheus": lambda: prometheus_yaml(target),
        "kube-prometheus-stack": lambda: kube_prometheus_stack_yaml(target),
        "servicemonitor": lambda: monitors.service_monitor_yaml(target),
        "podmonitor": lambda: monitors.pod_monitor_yaml(target),
    }
    assert shown.stdout == renders[fmt]()
    out = tmp_path / "out.yaml"
    written = cli(*args, "-o", str(out))
    assert written.exit_code == 0 and written.stdout == ""
    assert out.read_text(encoding="utf-8") == shown.stdout


def test_cli_static_flag_and_output_is_the_same_in_every_process() -> None:
    """Deterministic: two processes with different hash seeds print the same bytes."""
    args = ["scrape-config", "--static", "--service", "triton-inference-ner", "--port", "8002"]
    outputs = [
        subprocess.run(
            [sys.executable, "-m", "triton_dashboards", *args],
            capture_output=True,
            timeout=60,
            env={**os.environ, "PYTHONHASHSEED": seed},
            check=True,
        ).stdout
        for seed in ("1", "2")
    ]
    assert outputs[0] == outputs[1]
    assert b"triton-inference-ner.triton.svc.cluster.local:8002" in outputs[0]
    assert b"static_configs" in outputs[0] and b"kubernetes_sd_configs" not in outputs[0]


@pytest.mark.e2e
def test_the_documented_check_shows_each_servers_models_on_a_static_job(
    prometheus_binary: str,
) -> None:
    """docs/prometheus.md's check, on a real Prometheus scraping the simulator through the
    static job: `count by (pod)` gave `{} 8` there (no pod label), this one a series per
    model of each server."""
    docs = (ROOT / "docs" / "prometheus.md").read_text(encoding="utf-8")
    [query] = re.findall(r"`(count by \([^`]*\) \(nv_inference_count\))` shows", docs)
    workload = Workload.default()
    with serve(workload, port=0, pod="triton-0") as server:
        target = urlsplit(server.url).netloc
        result = cli("scrape-config", "--static", "--target", target, "--interval", "1s")
        assert result.exit_code == 0, result.output
        with PrometheusServer(config=result.stdout) as prometheus:
            prometheus.wait_for('up{job="triton"}', lambda r: bool(r), timeout=20)
            prometheus.wait_for(query, lambda r: bool(r), timeout=20)
            rows = prometheus.query(query)
    seen = {(r["metric"].get("instance"), r["metric"].get("model")) for r in rows}
    assert seen == {(target, m.name) for m in workload.models}

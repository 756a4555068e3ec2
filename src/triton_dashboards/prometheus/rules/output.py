"""The rules as files: a Prometheus rules file, or a PrometheusRule for the operator.

Both carry the same two groups: ``<name>.rules`` (the recorded series, in the order of
:data:`triton_dashboards.query.recording.TABLE`) and ``<name>.alerts``. A PrometheusRule's
``spec`` has exactly the shape of a rules file; kube-prometheus-stack's Prometheus only
loads it when it carries the ``release`` label of the kube-prometheus-stack release
(its ``ruleSelector``, with ``ruleSelectorNilUsesHelmValues`` left true).
"""

from __future__ import annotations

from importlib import resources
from typing import Any, Literal

from triton_dashboards.prometheus import k8snames, yamlout
from triton_dashboards.prometheus.monitors import API_VERSION
from triton_dashboards.prometheus.rules.alerts import alert_rules
from triton_dashboards.prometheus.rules.config import RulesConfig, RulesError
from triton_dashboards.prometheus.rules.llm import EVERY_ALERT

__all__ = ["FORMATS", "Format", "groups", "prometheus_rule", "render", "runbook"]

Format = Literal["prometheus", "prometheusrule"]
FORMATS: tuple[Format, ...] = ("prometheus", "prometheusrule")

_HEADER = """\
Triton Inference Server recording and alerting rules, written by `triton-dashboards rules`.
Do not edit: change the RulesConfig (thresholds, for, severity) and render again.
Runbook: `triton-dashboards rules --runbook`; publish it and pass --runbook-url to link it."""


def groups(config: RulesConfig) -> list[dict[str, Any]]:
    """The rule groups: recorded series first, then the enabled alerts."""
    recording = config.recording
    records = [
        {"record": name, "expr": str(expr)} for name, expr in recording.rules(config.scope.select)
    ]
    out: list[dict[str, Any]] = []
    for suffix, rules in (("rules", records), ("alerts", list(alert_rules(config, EVERY_ALERT)))):
        group: dict[str, Any] = {"name": f"{config.name}.{suffix}"}
        if recording.interval is not None:
            group["interval"] = recording.interval
        group["rules"] = rules
        out.append(group)
    return out


def prometheus_rule(
    config: RulesConfig,
    *,
    namespace: str = "monitoring",
    release: str = "kube-prometheus-stack",
) -> dict[str, Any]:
    """A ``monitoring.coreos.com/v1`` PrometheusRule holding :func:`groups`.

    It carries the labels of every manifest this project writes
    (``app.kubernetes.io/part-of: triton-dashboards``) and the operator API version of the
    monitors, so one ``kubectl get -l`` finds them all.
    """
    if not k8snames.is_dns1123_subdomain(config.name):
        raise RulesError(
            f"rules name {config.name!r} is not a Kubernetes object name; use lower-case "
            "letters, digits, '-' and '.'"
        )
    if not k8snames.is_dns1123_label(namespace):
        raise RulesError(f"namespace {namespace!r} is invalid; use {k8snames.LABEL_RULE}")
    if not release or not k8snames.is_label_value(release):
        raise RulesError(
            f"release {release!r} is not a label value; use the kube-prometheus-stack "
            "release name, e.g. kube-prometheus-stack"
        )
    return {
        "apiVersion": API_VERSION,
        "kind": "PrometheusRule",
        "metadata": {
            "name": config.name,
            "namespace": namespace,
            "labels": {
                "release": release,
                "app.kubernetes.io/name": "triton-dashboards",
                "app.kubernetes.io/component": "rules",
                "app.kubernetes.io/part-of": "triton-dashboards",
            },
        },
        "spec": {"groups": groups(config)},
    }


def render(
    config: RulesConfig | None = None,
    format: Format = "prometheus",
    *,
    namespace: str = "monitoring",
    release: str = "kube-prometheus-stack",
) -> str:
    """The rules as YAML: a rules file (``prometheus``) or a PrometheusRule manifest.

    ``namespace`` and ``release`` apply to the manifest only.
    """
    config = config or RulesConfig()
    if format == "prometheus":
        return yamlout.dump([{"groups": groups(config)}], _HEADER)
    if format == "prometheusrule":
        manifest = prometheus_rule(config, namespace=namespace, release=release)
        return yamlout.dump([manifest], _HEADER, explicit_start=True)
    raise RulesError(f"unknown format {format!r}; use one of {', '.join(FORMATS)}")


def runbook() -> str:
    """The runbook of the alerts (Markdown, a section per alert), as installed.

    It ships in the package so that it matches the installed rules; publish it where
    the people who get the alerts can read it and pass its address as
    ``RulesConfig.runbook_url`` (``--runbook-url``).
    """
    return resources.files(__package__).joinpath("runbook.md").read_text(encoding="utf-8")

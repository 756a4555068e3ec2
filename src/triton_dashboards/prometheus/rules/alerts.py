"""The Triton alerts: each an expression built from the recipes, and the words around it.

Every per-model alert is evaluated per scrape target and model version (the labels of
``RulesConfig.target_labels`` plus ``model`` and ``version``), so its description names
the pod (or, off Kubernetes, the instance) to look at. The expressions read the recorded
series: the recipes run on ``scope.recorded(config.recording)``, which is why the rules
file always carries the recording rules too. Each alert has a section in the runbook that
ships with these rules (``runbook.md`` here, :func:`runbook`); given
``RulesConfig.runbook_url``, where a team publishes it, each alert links to its section
(the anchor is the alert name in lower case).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import attrs

from triton_dashboards import catalog
from triton_dashboards.catalog import Phase
from triton_dashboards.prometheus.rules.config import AlertConfig, RulesConfig, RulesError
from triton_dashboards.promql import (
    Expr,
    Op,
    Selector,
    absent,
    aggregate,
    binop,
    deriv,
    over_time,
    sum_by,
)
from triton_dashboards.query import recipes as q
from triton_dashboards.query.scope import Scope

__all__ = ["ALERTS", "PLACEHOLDERS", "Alert", "alert_rules"]

#: Where a per-model alert happened: model, version and pod, or instance without a pod.
_TARGET = (
    "{{ with $labels.pod }}pod {{ $labels.namespace }}/{{ . }}"
    "{{ else }}instance {{ $labels.instance }}{{ end }}{in_cluster}"
)
_MODEL = "model {{ $labels.model }} version {{ $labels.version }} on " + _TARGET
_GPU = "GPU {{ $labels.gpu_uuid }} of " + _TARGET


#: The placeholders an alert's text may use, each filled from the configuration.
PLACEHOLDERS: tuple[str, ...] = (
    "for_",
    "window",
    "threshold_percent",
    "threshold_seconds",
    "pending_window",
    "traffic_lookback",
    "selector",
    "in_cluster",
)
# ``{name}`` but not the ``{{ ... }}`` of a Prometheus template.
_PLACEHOLDER = re.compile(r"(?<!\{)\{(\w*)\}(?!\})")


def _check_placeholders(alert: Alert, attribute: attrs.Attribute[str], text: str) -> None:
    unknown = sorted({m for m in _PLACEHOLDER.findall(text) if m not in PLACEHOLDERS})
    if unknown:
        raise RulesError(
            f"alert {alert.name} {attribute.name} uses unknown placeholder "
            f"{', '.join('{' + u + '}' for u in unknown)}; use one of "
            f"{', '.join('{' + p + '}' for p in PLACEHOLDERS)} or {{{{ ... }}}} for Prometheus"
        )


@attrs.frozen
class Alert:
    """One alerting rule: its name, config key, expression and annotations.

    ``summary`` and ``description`` are Prometheus templates; the placeholders of
    :data:`PLACEHOLDERS` in them (``{for_}``, ``{window}``, ...) are filled from the
    configuration first. Any other ``{name}`` raises :class:`RulesError` when the alert
    is defined, so a typo never reaches an alert text.
    """

    name: str
    key: str
    expr: Callable[[RulesConfig], Expr]
    summary: str = attrs.field(validator=_check_placeholders)
    description: str = attrs.field(validator=_check_placeholders)


def _per_model(config: RulesConfig) -> Scope:
    """Recorded series, one alert per target, model and version."""
    return config.alert_scope.by(*config.target_labels, "model", "version")


def _per_gpu(config: RulesConfig) -> Scope:
    """Recorded series, one alert per target and GPU (it names the pod that uses it)."""
    return config.alert_scope.by_gpu(*config.target_labels, "gpu_uuid")


def _target_down(config: RulesConfig) -> Expr:
    return binop(Op.EQ, Selector("up", config.scope.target), 0)


def _metrics_absent(config: RulesConfig) -> Expr:
    """No Triton metrics at all; and, where a cluster label tells clusters apart on a central
    server, a cluster that reported in the last ``traffic_lookback`` and reports nothing now.

    ``absent()`` alone sees only the whole server: on Thanos, Mimir or a Prometheus fed by
    remote write, one cluster going silent (its Prometheus down, its remote write broken)
    leaves the others' series, and nothing would fire. The per-cluster branch reads the
    per-target success record (one series per pod, model and version) rather than the raw
    series, so a lookback of an hour stays cheap. Without the label it yields the same
    empty label set as ``absent()``, which ``or`` keeps once.
    """
    nothing = absent(config.scope.select(catalog.REQUEST_SUCCESS))
    cluster = config.recording.cluster
    if cluster is None:
        return nothing
    record = Selector(config.recording.name(catalog.REQUEST_SUCCESS), config.scope.target)
    seen = aggregate("group", over_time("last", record, config.traffic_lookback), by=(cluster,))
    silent = binop(Op.UNLESS, seen, aggregate("group", record, by=(cluster,)))
    return binop(Op.OR, nothing, silent)


def _failure_ratio(config: RulesConfig) -> Expr:
    """Failures of each reason over every completed request (all reasons, and successes).

    The denominator sums the reasons away, so the ratios of one model add up to its
    failure ratio, and each reason alerts on its own: a burst of REJECTED (overload)
    calls for other hands than a burst of BACKEND (a broken model).
    """
    scope = _per_model(config)
    completed = q.completed_rate(scope)
    ratio = binop(
        Op.DIV, q.failures_by_reason(scope), completed, ignoring=("reason",), group_left=()
    )
    return ratio.gt(config.failure_ratio.threshold)


def _queue_seconds(scope: Scope) -> Expr:
    return q.avg_latency(scope, Phase.QUEUE) / 1e6


def _queue_time(config: RulesConfig) -> Expr:
    return _queue_seconds(_per_model(config)).gt(config.queue_time.threshold)


def _queue_share(config: RulesConfig) -> Expr:
    """Queue time over request time, where the queue time is worth a look at all."""
    scope = _per_model(config)
    share = q.avg_latency(scope, Phase.QUEUE) / q.avg_latency(scope, Phase.REQUEST)
    long_enough = _queue_seconds(scope).gt(config.min_queue_time)
    return binop(Op.AND, share.gt(config.queue_share.threshold), long_enough)


def _pending_growing(config: RulesConfig) -> Expr:
    """A backlog above the threshold whose least-squares trend over the window rises.

    ``deriv`` of a gauge is linear, so the sum of the per-series trends is the trend of
    the sum. The value is the backlog now.
    """
    scope = _per_model(config)
    selector = scope.select(catalog.PENDING_REQUESTS)
    trend = sum_by(scope.group, deriv(selector, config.pending_window))
    backlog = q.pending_requests(scope).gt(config.pending_growing.threshold)
    return binop(Op.AND, backlog, trend.gt(0))


def _gpu_memory(config: RulesConfig) -> Expr:
    return q.gpu_memory_used_ratio(_per_gpu(config)).gt(config.gpu_memory.threshold)


def _gpu_saturated(config: RulesConfig) -> Expr:
    return q.gpu_utilization(_per_gpu(config)).gt(config.gpu_saturated.threshold)


def _traffic_stopped(config: RulesConfig) -> Expr:
    """No successful request now, some within the lookback (read raw: a longer window).

    An unloaded model has no series at all and does not fire: that is a deployment
    change, not a silence.
    """
    scope = _per_model(config)
    silent = binop(Op.EQ, q.request_rate(scope), 0)
    return binop(Op.AND, silent, q.request_rate(scope, config.traffic_lookback).gt(0))


ALERTS: tuple[Alert, ...] = (
    Alert(
        "TritonTargetDown",
        "target_down",
        _target_down,
        "Prometheus cannot scrape Triton metrics from {{ $labels.instance }}",
        "The scrape of job {{ $labels.job }} on " + _TARGET + " has failed for {for_}: "
        "every Triton number of that server is missing from the dashboards and alerts.",
    ),
    Alert(
        "TritonMetricsAbsent",
        "metrics_absent",
        _metrics_absent,
        "No Triton server reports metrics{in_cluster}",
        "No target matching {selector}{in_cluster} has reported nv_inference_request_success "
        "for {for_}: Prometheus does not scrape Triton (on a central server: that cluster's "
        "samples stopped arriving), Triton runs without metrics, or no model is loaded.",
    ),
    Alert(
        "TritonFailureRatioHigh",
        "failure_ratio",
        _failure_ratio,
        "Triton model {{ $labels.model }} fails {{ $value | humanizePercentage }} of "
        "requests{{ with $labels.reason }} ({{ . }}){{ end }}",
        "Triton " + _MODEL + ": {{ $value | humanizePercentage }} of completed requests "
        "failed{{ with $labels.reason }} with reason {{ . }}{{ end }} over {window}, above "
        "{threshold_percent} for {for_}.",
    ),
    Alert(
        "TritonQueueTimeHigh",
        "queue_time",
        _queue_time,
        "Triton model {{ $labels.model }} queues requests for {{ $value | humanizeDuration }}",
        "Triton " + _MODEL + ": requests waited {{ $value | humanizeDuration }} on average "
        "in the queue over {window}, above {threshold_seconds} for {for_}.",
    ),
    Alert(
        "TritonQueueShareHigh",
        "queue_share",
        _queue_share,
        "Triton model {{ $labels.model }} spends {{ $value | humanizePercentage }} of "
        "request time queued",
        "Triton " + _MODEL + ": {{ $value | humanizePercentage }} of the average request "
        "time over {window} is spent waiting in the queue, above {threshold_percent} for "
        "{for_}.",
    ),
    Alert(
        "TritonPendingRequestsGrowing",
        "pending_growing",
        _pending_growing,
        "Triton model {{ $labels.model }} has {{ $value }} requests pending, and rising",
        "Triton " + _MODEL + ": {{ $value }} requests are waiting for execution and the "
        "backlog has kept growing over {pending_window} for {for_}.",
    ),
    Alert(
        "TritonGPUMemoryNearFull",
        "gpu_memory",
        _gpu_memory,
        "GPU {{ $labels.gpu_uuid }} memory is {{ $value | humanizePercentage }} used",
        "Triton " + _GPU + ": {{ $value | humanizePercentage }} of the framebuffer memory "
        "is in use, above {threshold_percent} for {for_}.",
    ),
    Alert(
        "TritonGPUSaturated",
        "gpu_saturated",
        _gpu_saturated,
        "GPU {{ $labels.gpu_uuid }} is {{ $value | humanizePercentage }} busy",
        "Triton " + _GPU + ": utilization averaged {{ $value | humanizePercentage }} over "
        "{window}, above {threshold_percent} for {for_}.",
    ),
    Alert(
        "TritonModelTrafficStopped",
        "traffic_stopped",
        _traffic_stopped,
        "Triton model {{ $labels.model }} gets no requests any more",
        "Triton " + _MODEL + ": no request has succeeded for {for_}, after traffic within "
        "the last {traffic_lookback}.",
    ),
)


def _words(text: str, config: RulesConfig, settings: AlertConfig) -> str:
    """``text`` with ``{for_}``, ``{window}`` ... filled in; ``{{ ... }}`` stays for Prometheus."""
    values: dict[str, str] = {
        "for_": settings.for_,
        "window": config.recording.window,
        "threshold_percent": f"{settings.threshold * 100:.4g}%",
        "threshold_seconds": f"{settings.threshold:g}s",
        "pending_window": config.pending_window,
        "traffic_lookback": config.traffic_lookback,
        "selector": "{" + ", ".join(m.render() for m in config.scope.target) + "}",
        "in_cluster": config.in_cluster,
    }
    assert values.keys() == set(PLACEHOLDERS)
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], text)


def alert_rules(
    config: RulesConfig, alerts: tuple[Alert, ...] = ALERTS
) -> Iterator[dict[str, object]]:
    """The enabled ``alerts`` (default: all) as rule-file entries, in their order.

    Each links to its section of the runbook when ``config.runbook_url`` is set.
    """
    for alert in alerts:
        settings: AlertConfig = getattr(config, alert.key)
        if not settings.enabled:
            continue
        annotations = {
            "summary": _words(alert.summary, config, settings),
            "description": _words(alert.description, config, settings),
        }
        if config.runbook_url:
            annotations["runbook_url"] = f"{config.runbook_url}#{alert.name.lower()}"
        yield {
            "alert": alert.name,
            "expr": str(alert.expr(config)),
            "for": settings.for_,
            "labels": {"severity": settings.severity, **config.labels},
            "annotations": annotations,
        }

"""The one configuration object of the rules: what to watch, how long, how loud.

Like the monitoring mixins' ``_config``, a :class:`RulesConfig` holds every knob the
recording and alerting rules read, so a team tunes one value object and re-renders; the
rules never hard-code a selector, window, threshold, ``for`` duration or severity.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import attrs

from triton_dashboards.promql import Matcher
from triton_dashboards.query.recording import Recording
from triton_dashboards.query.scope import Scope
from triton_dashboards.validation import InvalidValue, check_duration, is_label_name

__all__ = ["DEFAULT_SCOPE", "AlertConfig", "RulesConfig", "RulesError"]


class RulesError(ValueError):
    """A configuration the rules cannot be built from; the message is one line."""


def _duration(value: str) -> str:
    try:
        return check_duration(value)
    except InvalidValue as e:
        raise RulesError(str(e)) from None


def _severity(value: str) -> str:
    if not value or not value.replace("_", "").isalnum():
        raise RulesError(f"severity {value!r} must be a word such as warning or critical")
    return value


@attrs.frozen(kw_only=True)
class AlertConfig:
    """One alert's knobs: fire when the value passes ``threshold`` for ``for_``."""

    threshold: float = 0.0
    for_: str = attrs.field(default="5m", converter=_duration)
    severity: str = attrs.field(default="warning", converter=_severity)
    enabled: bool = True


#: Triton targets by default: a ``job`` that mentions triton, which both a static job
#: named ``triton`` and the Triton Helm chart's Service (``<release>-triton-inference-server
#: -metrics``, the job a ServiceMonitor sets) match. Narrow it with ``namespace`` etc.
DEFAULT_SCOPE = Scope().where(Matcher("job", "=~", ".*triton.*"))


def _labels(value: Mapping[str, str]) -> Mapping[str, str]:
    for name in value:
        if not is_label_name(name) or name in ("severity", "alertname"):
            raise RulesError(
                f"alert label {name!r} is not a free Prometheus label name; use "
                "[a-zA-Z_][a-zA-Z0-9_]* other than severity and alertname"
            )
    return MappingProxyType(dict(value))


def _target_labels(value: tuple[str, ...]) -> tuple[str, ...]:
    for name in value:
        if not is_label_name(name):
            raise RulesError(
                f"target label {name!r} is not a Prometheus label name; use [a-zA-Z_][a-zA-Z0-9_]*"
            )
    return tuple(value)


@attrs.frozen(kw_only=True)
class RulesConfig:
    """Selectors, recording window, thresholds, ``for`` durations, severities, switches.

    ``scope`` picks the Triton targets (and, if you like, models) the rules watch.
    ``target_labels`` are the labels of a scrape target the alerts keep, so that each
    alert names its pod (or instance) and routes by namespace; add ``cluster`` and the
    like when your targets carry them. The recorded series keep every label but
    ``gpu_uuid`` whatever this says (see :mod:`triton_dashboards.query.recording`).
    The cluster label of ``recording`` (``cluster`` by default, ``Recording(cluster=None)``
    for none) is kept by every record and every alert, and each alert's description
    names the cluster where the label is present; on a server without it, nothing changes.

    Tune an alert with :meth:`tune`: ``RulesConfig().tune("failure_ratio",
    threshold=0.01, severity="critical")``; switch the optional ``traffic_stopped`` on
    with ``tune("traffic_stopped", enabled=True)``.
    """

    scope: Scope = DEFAULT_SCOPE
    recording: Recording = attrs.field(factory=Recording)
    target_labels: tuple[str, ...] = attrs.field(
        default=("namespace", "job", "service", "pod", "instance"), converter=_target_labels
    )
    name: str = "triton"
    #: Where the team publishes the runbook (``triton-dashboards rules --runbook``); each
    #: alert's ``runbook_url`` is this plus ``#<alert name in lower case>``. Empty (the
    #: default): no link, since no address is known that every reader can open.
    runbook_url: str = ""
    #: Labels every alert carries besides ``severity`` (``team: ml-platform``, ...).
    labels: Mapping[str, str] = attrs.field(factory=dict, converter=_labels)
    #: Queue share alerts only above this average queue time (seconds): 60 % of 2 ms is
    #: nothing to wake anyone for.
    min_queue_time: float = 0.01
    #: The window of the backlog trend (``deriv``) of ``pending_growing``.
    pending_window: str = attrs.field(default="5m", converter=_duration)
    #: How far back ``traffic_stopped`` looks for the traffic that stopped.
    traffic_lookback: str = attrs.field(default="1h", converter=_duration)

    # A scrape that fails: nothing else about that pod can fire.
    target_down: AlertConfig = attrs.field(default=AlertConfig(for_="5m"))
    # No Triton series at all: the whole deployment is unwatched.
    metrics_absent: AlertConfig = attrs.field(default=AlertConfig(for_="10m", severity="critical"))
    # 5 % of completed requests failing for one reason.
    failure_ratio: AlertConfig = attrs.field(default=AlertConfig(threshold=0.05, for_="5m"))
    # 100 ms average wait in the queue (seconds).
    queue_time: AlertConfig = attrs.field(default=AlertConfig(threshold=0.1, for_="10m"))
    # Half of the request time spent queued (above min_queue_time).
    queue_share: AlertConfig = attrs.field(default=AlertConfig(threshold=0.5, for_="10m"))
    # More than 10 requests waiting, and the backlog growing.
    pending_growing: AlertConfig = attrs.field(default=AlertConfig(threshold=10, for_="10m"))
    # 95 % of GPU memory in use.
    gpu_memory: AlertConfig = attrs.field(default=AlertConfig(threshold=0.95, for_="10m"))
    # 95 % utilization, averaged over the recording window, for 15 minutes.
    gpu_saturated: AlertConfig = attrs.field(default=AlertConfig(threshold=0.95, for_="15m"))
    # No successful request while there were some within traffic_lookback; off by default.
    traffic_stopped: AlertConfig = attrs.field(default=AlertConfig(for_="15m", enabled=False))
    # LLM serving (rules/llm.py): 90 % of the KV cache in use.
    llm_kv_cache: AlertConfig = attrs.field(default=AlertConfig(threshold=0.9, for_="10m"))
    # More than 10 requests waiting for the LLM engine, and the backlog growing.
    llm_waiting_growing: AlertConfig = attrs.field(default=AlertConfig(threshold=10, for_="10m"))
    # Mean time to the first token above 2 s (seconds).
    llm_ttft: AlertConfig = attrs.field(default=AlertConfig(threshold=2.0, for_="10m"))
    # Requests waiting and no token generated (no engine iteration) over the window.
    llm_generation_stalled: AlertConfig = attrs.field(
        default=AlertConfig(for_="5m", severity="critical")
    )

    @property
    def alert_scope(self) -> Scope:
        """The scope every per-model and GPU alert reads: recorded, keeping the cluster."""
        return self.scope.per_cluster(self.recording.cluster).recorded(self.recording)

    @property
    def in_cluster(self) -> str:
        """Alert text naming the cluster where the series has the label, else nothing."""
        if self.recording.cluster is None:
            return ""
        label = self.recording.cluster
        return "{{ with $labels." + label + " }} in cluster {{ . }}{{ end }}"

    def tune(self, alert: str, **changes: Any) -> RulesConfig:
        """This configuration with ``alert``'s knobs changed (``threshold``, ``for_``, ...)."""
        if alert not in self.alert_keys():
            raise RulesError(f"no alert {alert!r}; tune one of {', '.join(self.alert_keys())}")
        try:
            tuned = attrs.evolve(getattr(self, alert), **changes)
        except TypeError:
            fields = ", ".join(f.name for f in attrs.fields(AlertConfig))
            raise RulesError(f"an alert has the settings {fields}, not {sorted(changes)}") from None
        return attrs.evolve(self, **{alert: tuned})

    @staticmethod
    def alert_keys() -> tuple[str, ...]:
        """The names :meth:`tune` accepts, in the order the alerts are written."""
        fields = attrs.fields(RulesConfig)
        return tuple(f.name for f in fields if isinstance(f.default, AlertConfig))

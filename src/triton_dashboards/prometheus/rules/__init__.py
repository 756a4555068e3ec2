"""Alerting and recording rules for Triton, from one configuration object.

``render(RulesConfig(...), format="prometheus")`` is a rules file for ``rule_files``;
``format="prometheusrule"`` the same groups as a PrometheusRule manifest. The recorded
series are the ones :mod:`triton_dashboards.query.recording` names and the recorded dashboards
read; the alerts are built from the recipes of :mod:`triton_dashboards.query.recipes`.
"""

from triton_dashboards.prometheus.rules.alerts import ALERTS, PLACEHOLDERS, Alert, alert_rules
from triton_dashboards.prometheus.rules.config import (
    DEFAULT_SCOPE,
    AlertConfig,
    RulesConfig,
    RulesError,
)
from triton_dashboards.prometheus.rules.output import (
    FORMATS,
    Format,
    groups,
    prometheus_rule,
    render,
    runbook,
)

__all__ = [
    "ALERTS",
    "DEFAULT_SCOPE",
    "FORMATS",
    "PLACEHOLDERS",
    "Alert",
    "AlertConfig",
    "Format",
    "RulesConfig",
    "RulesError",
    "alert_rules",
    "groups",
    "prometheus_rule",
    "render",
    "runbook",
]

"""Alerting and recording rules for Triton, from one configuration object.

``render(RulesConfig(...), format="prometheus")`` is a rules file for ``rule_files``;
``format="prometheusrule"`` the same groups as a PrometheusRule manifest. The recorded
series are the ones :mod:`triton_dashboards.query.recording` names and the recorded dashboards
read; the alerts are built from the recipes of :mod:`triton_dashboards.query.recipes`
(:mod:`.alerts`) and, for LLM serving, of :mod:`triton_dashboards.query.llm` (:mod:`.llm`).
``ALERTS`` is every alert of the rules file, the LLM ones last.
"""

from triton_dashboards.prometheus.rules.alerts import PLACEHOLDERS, Alert, alert_rules
from triton_dashboards.prometheus.rules.config import (
    DEFAULT_SCOPE,
    AlertConfig,
    RulesConfig,
    RulesError,
)
from triton_dashboards.prometheus.rules.llm import EVERY_ALERT as ALERTS
from triton_dashboards.prometheus.rules.llm import LLM_ALERTS
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
    "LLM_ALERTS",
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

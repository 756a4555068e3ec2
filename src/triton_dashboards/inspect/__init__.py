"""Reading a live system: a dashboard's queries run as Grafana would, against Prometheus.

No Grafana is needed to know what a panel will show: its query-time behaviour (variables,
intervals, instant or range) is reproduced from Grafana's source, closely enough that a
query which works here works in Grafana and returns the same numbers. Doctor, discover,
preview, the end-to-end tests and the benchmarks all run queries through this one engine.

The public API::

    from triton_dashboards.inspect import Prometheus, QueryContext, run_dashboard

    prometheus = Prometheus("http://127.0.0.1:9090")          # timeouts, one-line errors
    context = QueryContext.last(3600, scrape_interval=15)      # the last hour, as Grafana
    run = run_dashboard(dashboard_json, prometheus, context)   # variables resolved, queries
    for panel in run.panels:                                   # concurrent (bounded)
        for target in panel.targets:
            target.expr      # the query as sent: variables and $__rate_interval replaced
            target.series    # Prometheus' result items ("metric" + "value"/"values")
            target.error     # Prometheus' one-line error, or None

Modules: :mod:`.prometheus` (the HTTP API client), :mod:`.intervals` (Grafana's interval
arithmetic), :mod:`.variables` (template variables), :mod:`.engine` (running targets);
:mod:`.triton` asks Triton's own HTTP API which models and ensembles exist; :mod:`.discover`
puts that together with what Prometheus holds, and :mod:`.starter` writes the dashboard
files to start from. Doctor (:func:`.doctor.diagnose`, a :class:`.report.Report`) explains
each empty panel: :mod:`.anatomy` takes its query apart, :mod:`.facts` asks the server about
each part once, :mod:`.causes` words the eight causes and their fixes.
"""

from triton_dashboards.inspect.engine import (
    DEFAULT_WORKERS,
    DashboardRun,
    PanelRun,
    TargetRun,
    has_data,
    panel_targets,
    run_dashboard,
    run_target,
)
from triton_dashboards.inspect.intervals import (
    DEFAULT_SCRAPE_INTERVAL,
    QueryContext,
    go_duration,
    grafana_duration,
    parse_duration,
    round_interval,
)
from triton_dashboards.inspect.prometheus import (
    Prometheus,
    PrometheusError,
    PrometheusUnreachable,
)
from triton_dashboards.inspect.variables import ALL, VariableError, Variables

__all__ = [
    "ALL",
    "DEFAULT_SCRAPE_INTERVAL",
    "DEFAULT_WORKERS",
    "DashboardRun",
    "PanelRun",
    "Prometheus",
    "PrometheusError",
    "PrometheusUnreachable",
    "QueryContext",
    "TargetRun",
    "VariableError",
    "Variables",
    "go_duration",
    "grafana_duration",
    "has_data",
    "panel_targets",
    "parse_duration",
    "round_interval",
    "run_dashboard",
    "run_target",
]

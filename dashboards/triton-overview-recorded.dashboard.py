"""Stock dashboard on recorded series; load the rules of `triton-dashboards rules` first."""

from triton_dashboards.dashboard.stock import overview

dashboard = overview(recording_rules=True)

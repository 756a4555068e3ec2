"""Stock dashboard on recorded series; load the rules of `triton-dashboards rules` first."""

from triton_dashboards.dashboard.stock import model_detail

dashboard = model_detail(recording_rules=True)

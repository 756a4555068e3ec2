"""Stock dashboard on recorded series; load the rules of `triton-dashboards rules` first."""

from triton_dashboards.dashboard.stock.llm import llm_serving

dashboard = llm_serving(recording_rules=True)

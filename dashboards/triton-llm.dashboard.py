"""Stock dashboard; its panels live in triton_dashboards.dashboard.stock.llm.llm_serving()."""

from triton_dashboards.dashboard.stock.llm import llm_serving

dashboard = llm_serving()

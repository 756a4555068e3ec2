"""Stock dashboard; its panels live in triton_dashboards.dashboard.stock.model_detail()."""

from triton_dashboards.dashboard.stock import model_detail

dashboard = model_detail()

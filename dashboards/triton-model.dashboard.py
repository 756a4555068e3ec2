"""Stock dashboard; its panels live in triton_dashboards.dashboards.model_detail()."""

from triton_dashboards.dashboards import model_detail

dashboard = model_detail()

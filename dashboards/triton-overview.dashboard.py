"""Stock dashboard; its panels live in triton_dashboards.dashboard.stock.overview()."""

from triton_dashboards.dashboard.stock import overview

dashboard = overview()

"""Stock dashboard; its panels live in triton_dashboards.dashboards.overview()."""

from triton_dashboards.dashboards import overview

dashboard = overview()

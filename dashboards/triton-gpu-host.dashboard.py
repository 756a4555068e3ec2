"""Stock dashboard; its panels live in triton_dashboards.dashboard.stock.gpu_and_host()."""

from triton_dashboards.dashboard.stock import gpu_and_host

dashboard = gpu_and_host()

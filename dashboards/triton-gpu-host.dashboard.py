"""Stock dashboard; its panels live in triton_dashboards.dashboards.gpu_and_host()."""

from triton_dashboards.dashboards import gpu_and_host

dashboard = gpu_and_host()

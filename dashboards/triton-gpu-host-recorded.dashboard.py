"""Stock dashboard on recorded series; load the rules of `triton-dashboards rules` first."""

from triton_dashboards.dashboard.stock import gpu_and_host

dashboard = gpu_and_host(recording_rules=True)

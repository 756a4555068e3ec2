"""The Triton domain math: the scope a query covers, the recording table, the recipes.

Built on :mod:`triton_dashboards.catalog` and :mod:`triton_dashboards.promql`; knows
nothing of panels, Grafana or files.
"""

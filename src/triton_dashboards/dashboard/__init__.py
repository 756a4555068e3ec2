"""Dashboards: panel factories and stock panels, variables, layout, the stock dashboards,
render to current Grafana JSON, lint, and dashboard files (``*.dashboard.py``).

Built on :mod:`triton_dashboards.query`; knows nothing of HTTP.
"""

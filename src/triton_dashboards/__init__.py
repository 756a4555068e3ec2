"""Grafana dashboards and Prometheus configuration for NVIDIA Triton Inference Server.

The names below are imported on first use, so that ``triton-dashboards --help`` does not
pay for grafanalib.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "Dashboard": "triton_dashboards.dashboard",
    "Link": "triton_dashboards.dashboard",
    "Row": "triton_dashboards.layout",
    "Scope": "triton_dashboards.scope",
    "Var": "triton_dashboards.promql",
    "Phase": "triton_dashboards.queries",
    "Recording": "triton_dashboards.recording",
}
# ``render`` is a module (render.render is the function): a lazily exported function of
# the same name would be replaced by the module as soon as anything imports it.
_MODULES = ("catalog", "dashboards", "panels", "promql", "queries", "render", "rules", "variables")

__all__ = [
    "Dashboard",
    "Link",
    "Phase",
    "Recording",
    "Row",
    "Scope",
    "Var",
    "catalog",
    "dashboards",
    "panels",
    "promql",
    "queries",
    "render",
    "rules",
    "variables",
]

if TYPE_CHECKING:
    from triton_dashboards import (
        catalog,
        dashboards,
        panels,
        promql,
        queries,
        render,
        rules,
        variables,
    )
    from triton_dashboards.dashboard import Dashboard, Link
    from triton_dashboards.layout import Row
    from triton_dashboards.promql import Var
    from triton_dashboards.queries import Phase
    from triton_dashboards.recording import Recording
    from triton_dashboards.scope import Scope


def __getattr__(name: str) -> Any:
    if name in _MODULES:
        return importlib.import_module(f"triton_dashboards.{name}")
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'triton_dashboards' has no attribute {name!r}")

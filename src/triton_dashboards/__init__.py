"""Grafana dashboards and Prometheus configuration for NVIDIA Triton Inference Server.

The package is built in floors, each importing only the ones below it:

- ground: :mod:`.catalog` (every Triton fact), :mod:`.promql` (the expression builder),
  :mod:`.validation`, :mod:`.files`;
- :mod:`.query`: the scope, the recording table and the Triton recipes;
- :mod:`.dashboard`: the panel model (v1 and v2 writers), panels, variables, layout, the
  stock dashboards, render and lint;
- :mod:`.grafana`: publishing rendered JSON over Grafana's HTTP API;
- :mod:`.prometheus`: scrape configs, Kubernetes monitors and ConfigMaps, rules;
- :mod:`.simulator`: Triton's exposition for a known workload;
- :mod:`.cli`: the command line.

The names below are imported on first use, so that ``triton-dashboards --help`` and a
command that reads no dashboard import only what they use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "Dashboard": "triton_dashboards.dashboard.model",
    "Link": "triton_dashboards.dashboard.model",
    "Row": "triton_dashboards.dashboard.layout",
    "Scope": "triton_dashboards.query.scope",
    "Var": "triton_dashboards.promql",
    "Phase": "triton_dashboards.query.recipes",
    "Recording": "triton_dashboards.query.recording",
}
# Modules reachable as attributes: the public short names, and their homes in the floors.
# ``render`` is a module (render.render is the function): a lazily exported function of
# the same name would be replaced by the module as soon as anything imports it.
_MODULES = {
    "catalog": "triton_dashboards.catalog",
    "promql": "triton_dashboards.promql",
    "panels": "triton_dashboards.panels",
    "queries": "triton_dashboards.queries",
    "rules": "triton_dashboards.rules",
    "dashboards": "triton_dashboards.dashboard.stock",
    "render": "triton_dashboards.dashboard.render",
    "variables": "triton_dashboards.dashboard.variables",
}

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
    from triton_dashboards import catalog, panels, promql, queries, rules
    from triton_dashboards.dashboard import render, variables
    from triton_dashboards.dashboard import stock as dashboards
    from triton_dashboards.dashboard.layout import Row
    from triton_dashboards.dashboard.model import Dashboard, Link
    from triton_dashboards.promql import Var
    from triton_dashboards.query.recipes import Phase
    from triton_dashboards.query.recording import Recording
    from triton_dashboards.query.scope import Scope


def __getattr__(name: str) -> Any:
    if name in _MODULES:
        return importlib.import_module(_MODULES[name])
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'triton_dashboards' has no attribute {name!r}")

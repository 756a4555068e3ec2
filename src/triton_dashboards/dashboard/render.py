"""A dashboard -> the JSON text committed to git, in either schema.

``v1`` is Grafana's classic dashboard JSON (schemaVersion 42, :mod:`.schema.v1`), which
Grafana 11, 12 and 13 load as it is; ``v2`` is the ``dashboard.grafana.app/v2``
``Dashboard`` resource of Grafana 13 (:mod:`.schema.v2`). Both come from one model, so
the queries, units and thresholds are the same in both.

Rendering the same dashboard gives the same bytes on every machine: keys sorted,
two-space indent, UTF-8 (``µs`` stays ``µs``), final newline. A grafanalib dashboard is
accepted too: it is converted into the model first (:mod:`.grafanalib_input`).
"""

from __future__ import annotations

import json
from typing import Any, Literal

from triton_dashboards.dashboard.model import Dashboard
from triton_dashboards.dashboard.schema.v1 import SCHEMA_VERSION, to_v1
from triton_dashboards.dashboard.schema.v2 import to_v2

__all__ = [
    "SCHEMAS",
    "SCHEMA_VERSION",
    "Schema",
    "as_dashboard",
    "render",
    "text_of",
    "to_json",
]

Schema = Literal["v1", "v2"]
#: The schemas a dashboard can be written in; v1 is the default.
SCHEMAS: tuple[Schema, ...] = ("v1", "v2")


def as_dashboard(dashboard: Any) -> Dashboard:
    """Ours as it is; a grafanalib ``Dashboard`` converted (importing grafanalib only then)."""
    if isinstance(dashboard, Dashboard):
        return dashboard
    if type(dashboard).__module__.startswith("grafanalib"):
        from triton_dashboards.dashboard.grafanalib_input import dashboard_from_grafanalib

        return dashboard_from_grafanalib(dashboard)
    raise TypeError(f"{type(dashboard).__name__} is not a triton_dashboards.Dashboard")


def to_json(dashboard: Any, schema: Schema = "v1") -> dict[str, Any]:
    """The dashboard as plain JSON: v1's dashboard model, or v2's ``Dashboard`` resource."""
    model = as_dashboard(dashboard)
    if schema == "v2":
        return to_v2(model)
    if schema != "v1":
        raise ValueError(f"schema {schema!r} is not one of {', '.join(SCHEMAS)}")
    return to_v1(model)


def text_of(model: dict[str, Any]) -> str:
    """JSON as committed: sorted keys, two-space indent, UTF-8, final newline."""
    return json.dumps(model, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def render(dashboard: Any, schema: Schema = "v1") -> str:
    """The dashboard's JSON text in ``schema`` (:func:`text_of`)."""
    return text_of(to_json(dashboard, schema))

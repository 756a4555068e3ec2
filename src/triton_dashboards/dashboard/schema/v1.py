"""The model -> Grafana's classic dashboard JSON (schemaVersion 42), as Grafana 11-13 save it.

* ``schemaVersion`` pinned to :data:`SCHEMA_VERSION`;
* datasources as ``{"type", "uid"}`` references, never names;
* a key only where it says something (no empty description, no ``maxDataPoints`` unless a
  panel caps its points);
* panels placed by :func:`triton_dashboards.dashboard.layout.arrange`: an expanded row's
  panels follow its header at the top level, a collapsed row keeps them inside.

The text (keys sorted, UTF-8, final newline) is :func:`triton_dashboards.dashboard.render.render`'s.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from triton_dashboards.dashboard.layout import GRID_COLUMNS, Placed, arrange
from triton_dashboards.dashboard.schema.panel import Panel
from triton_dashboards.dashboard.schema.variable import (
    CustomVariable,
    DatasourceVariable,
    QueryVariable,
    Variable,
)

if TYPE_CHECKING:
    from triton_dashboards.dashboard.model import Dashboard

__all__ = ["BUILT_IN_ANNOTATION", "REFRESH_INTERVALS", "SCHEMA_VERSION", "to_v1"]

#: The dashboard schema version written: 42 is ``LATEST_VERSION`` of the migrations of
#: Grafana 12.3+ and 13 (apps/dashboard/pkg/migration/schemaversion), where the
#: Kubernetes-style API migrates any older v1 spec to it on write; sending it means Grafana
#: stores what we sent. Its one migration (v42: an override hiding a field from the
#: visualization hides it from the tooltip too) is what :class:`.field.Override` writes.
#: Grafana 11 and 12.0-12.2 know only up to 41: their frontends migrate forward only (a
#: dashboard newer than they know is opened as it is), and their backends store the JSON
#: untouched.
SCHEMA_VERSION = 42

#: Grafana's own annotations and alerts, which every dashboard Grafana saves lists.
BUILT_IN_ANNOTATION = {
    "builtIn": 1,
    "datasource": {"type": "grafana", "uid": "-- Grafana --"},
    "enable": True,
    "hide": True,
    "iconColor": "rgba(0, 211, 255, 1)",
    "name": "Annotations & Alerts",
    "type": "dashboard",
}
#: The refresh picker's choices.
REFRESH_INTERVALS = ("5s", "10s", "30s", "1m", "5m", "15m", "30m", "1h", "2h", "1d")
#: Variable ``refresh`` and ``sort`` codes of v1 (v2 names them).
_ON_DASHBOARD_LOAD, _ON_TIME_RANGE_CHANGE = 1, 2
_SORT_ALPHABETICAL_ASC, _SORT_NATURAL_ASC = 1, 7


def _grid(x: int, y: int, w: int, h: int) -> dict[str, int]:
    return {"h": h, "w": w, "x": x, "y": y}


def panel_v1(panel: Panel, grid: dict[str, int]) -> dict[str, Any]:
    """One panel as v1 JSON at ``grid``."""
    out: dict[str, Any] = {
        "fieldConfig": panel.field_config("v1"),
        "gridPos": grid,
        "id": panel.id,
        "options": panel.viz.options(),
        "title": panel.title,
        "type": panel.kind,
    }
    if panel.datasource is not None:
        out["datasource"] = panel.datasource.to_json()
    if panel.description:
        out["description"] = panel.description
    if panel.targets:
        out["targets"] = [
            {"datasource": t.datasource.to_json(), "refId": t.ref_id, **t.spec()}
            for t in panel.targets
        ]
    if panel.transformations:
        out["transformations"] = [{"id": t.id, "options": t.options} for t in panel.transformations]
    if panel.interval:
        out["interval"] = panel.interval
    if panel.max_data_points is not None:
        out["maxDataPoints"] = panel.max_data_points
    return out


def _placed(item: Placed) -> dict[str, Any]:
    return panel_v1(item.panel, _grid(item.x, item.y, item.w, item.h))


def variable_v1(variable: Variable) -> dict[str, Any]:
    common = {"hide": 0, "label": variable.label, "name": variable.name, "options": []}
    if isinstance(variable, DatasourceVariable):
        return {
            **common,
            "includeAll": False,
            "multi": False,
            "query": variable.plugin,
            "refresh": _ON_DASHBOARD_LOAD,
            "regex": "",
            "sort": _SORT_ALPHABETICAL_ASC,
            "type": "datasource",
        }
    if isinstance(variable, QueryVariable):
        out = {
            **common,
            "datasource": variable.datasource.to_json(),
            "definition": variable.query,
            "includeAll": variable.include_all,
            "multi": variable.multi,
            "query": {
                "qryType": 1,
                "query": variable.query,
                "refId": "PrometheusVariableQueryEditor-VariableQuery",
            },
            "refresh": _ON_TIME_RANGE_CHANGE,
            "regex": "",
            "sort": _SORT_NATURAL_ASC,
            "type": "query",
        }
        if variable.include_all:
            many = variable.multi
            out["current"] = {
                "text": ["All"] if many else "All",
                "value": ["$__all"] if many else "$__all",
            }
            if variable.all_value is not None:
                out["allValue"] = variable.all_value
        return out
    assert isinstance(variable, CustomVariable)
    out = {
        **common,
        "includeAll": variable.include_all,
        "multi": variable.multi,
        "options": variable.options(),
        "query": variable.query(),
        "refresh": _ON_DASHBOARD_LOAD,
        "sort": _SORT_ALPHABETICAL_ASC,
        "type": "custom",
    }
    if variable.default is not None:
        out["current"] = {"text": variable.default, "value": variable.default}
    return out


def panels_v1(dashboard: Dashboard) -> list[dict[str, Any]]:
    """The dashboard's top-level ``panels``: rows and the panels they hold."""
    out: list[dict[str, Any]] = []
    for placed in arrange(dashboard.all_rows()):
        children = [_placed(item) for item in placed.items]
        if placed.id is None:
            out.extend(children)
            continue
        row = placed.row
        out.append(
            {
                "collapsed": row.collapsed,
                "gridPos": _grid(0, placed.y, GRID_COLUMNS, 1),
                "id": placed.id,
                "panels": children if row.collapsed else [],
                "title": row.title,
                "type": "row",
            }
        )
        if not row.collapsed:
            out.extend(children)
    return out


def to_v1(dashboard: Dashboard) -> dict[str, Any]:
    """The dashboard as the plain JSON model current Grafana stores."""
    out: dict[str, Any] = {
        "annotations": {"list": [BUILT_IN_ANNOTATION]},
        "editable": True,
        "fiscalYearStartMonth": 0,
        "graphTooltip": 1,
        "links": [link.to_json_data() for link in dashboard.links],
        "panels": panels_v1(dashboard),
        "refresh": dashboard.refresh,
        "schemaVersion": SCHEMA_VERSION,
        "tags": list(dashboard.tags),
        "templating": {"list": [variable_v1(v) for v in dashboard.all_variables()]},
        "time": {"from": dashboard.time_from, "to": "now"},
        "timepicker": {"hidden": False, "refresh_intervals": list(REFRESH_INTERVALS)},
        "timezone": "browser",
        "title": dashboard.title,
        "uid": dashboard.uid,
    }
    if dashboard.description:
        out["description"] = dashboard.description
    return out

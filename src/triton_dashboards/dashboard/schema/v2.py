"""The model -> the ``dashboard.grafana.app/v2`` ``Dashboard`` resource of Grafana 13.

Schema v2 keeps what a panel is (``elements``) apart from where it goes (``layout``), and
its layout can do what v1's grid cannot:

* a ``RowsLayout`` row per :class:`~triton_dashboards.dashboard.layout.Row`; inside, an
  ``AutoGridLayout`` where the row's panels are alike (one size, a whole number per line:
  Grafana sizes and flows them to the screen) and a ``GridLayout`` with v1's positions
  where they are not (four stats above two charts);
* conditional rendering: a row with ``hide_without_data=True`` is shown only while its
  panels have data (the vLLM and TensorRT-LLM rows of the LLM dashboard);
* a row without a title (the overview's headline numbers) has its header hidden.

Panels, queries, units, thresholds and variables are the same objects the v1 writer reads
(:mod:`.v1`): both outputs show the same numbers. The resource carries ``apiVersion`` and
``kind``, so a file holding it is recognised as v2 (:func:`is_v2`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from triton_dashboards.dashboard.layout import GRID_COLUMNS, PlacedRow, arrange
from triton_dashboards.dashboard.schema.panel import Panel, Target
from triton_dashboards.dashboard.schema.v1 import BUILT_IN_ANNOTATION, REFRESH_INTERVALS
from triton_dashboards.dashboard.schema.variable import (
    CustomVariable,
    DatasourceVariable,
    QueryVariable,
    Variable,
)

if TYPE_CHECKING:
    from triton_dashboards.dashboard.model import Dashboard

__all__ = ["API_VERSION", "KIND", "is_v2", "to_v2"]

#: The stable v2 API of Grafana 13 (``v2beta1`` and ``v2alpha1`` differ in places).
API_VERSION = "dashboard.grafana.app/v2"
KIND = "Dashboard"
#: Height in pixels of one v1 grid unit and the margin between units, to size auto grid
#: rows as tall as the same panels on the v1 grid.
_GRID_UNIT_PX, _GRID_MARGIN_PX = 30, 8


def is_v2(document: Any) -> bool:
    """True for a v2 ``Dashboard`` resource (any ``dashboard.grafana.app/v2*`` version)."""
    return (
        isinstance(document, dict)
        and str(document.get("apiVersion", "")).startswith("dashboard.grafana.app/v2")
        and document.get("kind") == KIND
    )


def _element(panel: Panel) -> str:
    return f"panel-{panel.id}"


def _query(target: Target) -> dict[str, Any]:
    return {
        "kind": "PanelQuery",
        "spec": {
            "hidden": False,
            "query": {
                "datasource": {"name": target.datasource.uid},
                "group": target.datasource.type,
                "kind": "DataQuery",
                "spec": target.spec(),
                "version": "v0",
            },
            "refId": target.ref_id,
        },
    }


def panel_v2(panel: Panel) -> dict[str, Any]:
    """One panel as a v2 ``Panel`` element."""
    options: dict[str, Any] = {}
    if panel.interval:
        options["interval"] = panel.interval
    if panel.max_data_points is not None:
        options["maxDataPoints"] = panel.max_data_points
    return {
        "kind": "Panel",
        "spec": {
            "data": {
                "kind": "QueryGroup",
                "spec": {
                    "queries": [_query(t) for t in panel.targets],
                    "queryOptions": options,
                    "transformations": [
                        {"group": t.id, "kind": "Transformation", "spec": {"options": t.options}}
                        for t in panel.transformations
                    ],
                },
            },
            "description": panel.description,
            "id": panel.id,
            "links": [],
            "title": panel.title,
            "vizConfig": {
                "group": panel.kind,
                "kind": "VizConfig",
                "spec": {"fieldConfig": panel.field_config("v2"), "options": panel.viz.options()},
                "version": "",
            },
        },
    }


def _ref(panel: Panel) -> dict[str, str]:
    return {"kind": "ElementReference", "name": _element(panel)}


def _alike(placed: PlacedRow) -> tuple[int, int] | None:
    """The one size of a row's panels, when it divides the grid; else None."""
    sizes = {(w, h) for _, w, h in placed.row.sizes()}
    if len(sizes) != 1:
        return None
    ((w, h),) = sizes
    return (w, h) if GRID_COLUMNS % w == 0 else None


def _layout(placed: PlacedRow) -> dict[str, Any]:
    alike = _alike(placed)
    if alike is not None:
        w, h = alike
        return {
            "kind": "AutoGridLayout",
            "spec": {
                "columnWidthMode": "standard",
                "items": [
                    {"kind": "AutoGridLayoutItem", "spec": {"element": _ref(item.panel)}}
                    for item in placed.items
                ],
                "maxColumnCount": GRID_COLUMNS // w,
                "rowHeight": h * _GRID_UNIT_PX + (h - 1) * _GRID_MARGIN_PX,
                "rowHeightMode": "custom",
            },
        }
    top = placed.items[0].y if placed.items else 0
    return {
        "kind": "GridLayout",
        "spec": {
            "items": [
                {
                    "kind": "GridLayoutItem",
                    "spec": {
                        "element": _ref(item.panel),
                        "height": item.h,
                        "width": item.w,
                        "x": item.x,
                        "y": item.y - top,
                    },
                }
                for item in placed.items
            ]
        },
    }


def _row(placed: PlacedRow) -> dict[str, Any]:
    row = placed.row
    spec: dict[str, Any] = {
        "collapse": row.collapsed,
        "layout": _layout(placed),
        "title": row.title,
    }
    if not row.title:
        spec["hideHeader"] = True
    if row.hide_without_data:
        spec["conditionalRendering"] = {
            "kind": "ConditionalRenderingGroup",
            "spec": {
                "condition": "and",
                "items": [{"kind": "ConditionalRenderingData", "spec": {"value": True}}],
                "visibility": "show",
            },
        }
    return {"kind": "RowsLayoutRow", "spec": spec}


def _data_query(group: str, datasource: str, spec: dict[str, Any]) -> dict[str, Any]:
    return {
        "datasource": {"name": datasource},
        "group": group,
        "kind": "DataQuery",
        "spec": spec,
        "version": "v0",
    }


def variable_v2(variable: Variable) -> dict[str, Any]:
    common = {
        "allowCustomValue": True,
        "hide": "dontHide",
        "label": variable.label,
        "name": variable.name,
        "skipUrlSync": False,
    }
    if isinstance(variable, DatasourceVariable):
        spec = {
            **common,
            "current": {"text": "", "value": ""},
            "includeAll": False,
            "multi": False,
            "options": [],
            "pluginId": variable.plugin,
            "refresh": "onDashboardLoad",
            "regex": "",
        }
        return {"kind": "DatasourceVariable", "spec": spec}
    if isinstance(variable, QueryVariable):
        many = variable.multi
        current: dict[str, Any] = {"text": "", "value": ""}
        if variable.include_all:
            current = {
                "text": ["All"] if many else "All",
                "value": ["$__all"] if many else "$__all",
            }
        query = {
            "qryType": 1,
            "query": variable.query,
            "refId": "PrometheusVariableQueryEditor-VariableQuery",
        }
        spec = {
            **common,
            "current": current,
            "definition": variable.query,
            "includeAll": variable.include_all,
            "multi": many,
            "options": [],
            "query": _data_query(variable.datasource.type, variable.datasource.uid, query),
            "refresh": "onTimeRangeChanged",
            "regex": "",
            "sort": "naturalAsc",
        }
        if variable.include_all and variable.all_value is not None:
            spec["allValue"] = variable.all_value
        return {"kind": "QueryVariable", "spec": spec}
    assert isinstance(variable, CustomVariable)
    spec = {
        **common,
        "current": (
            {"text": variable.default, "value": variable.default}
            if variable.default is not None
            else {"text": "", "value": ""}
        ),
        "includeAll": variable.include_all,
        "multi": variable.multi,
        "options": variable.options(),
        "query": variable.query(),
    }
    return {"kind": "CustomVariable", "spec": spec}


def _annotation() -> dict[str, Any]:
    source = BUILT_IN_ANNOTATION
    return {
        "kind": "AnnotationQuery",
        "spec": {
            "builtIn": True,
            "enable": source["enable"],
            "hide": source["hide"],
            "iconColor": source["iconColor"],
            "name": source["name"],
            "query": _data_query("grafana", "-- Grafana --", {}),
        },
    }


def to_v2(dashboard: Dashboard) -> dict[str, Any]:
    """The dashboard as the v2 ``Dashboard`` resource (``metadata.name`` is its uid)."""
    placed = arrange(dashboard.all_rows())
    spec: dict[str, Any] = {
        "annotations": [_annotation()],
        "cursorSync": "Crosshair",
        "editable": True,
        "elements": {
            _element(item.panel): panel_v2(item.panel) for row in placed for item in row.items
        },
        "layout": {"kind": "RowsLayout", "spec": {"rows": [_row(row) for row in placed]}},
        "links": [{**link.to_json_data(), "type": "link"} for link in dashboard.links],
        "liveNow": False,
        "preload": False,
        "tags": list(dashboard.tags),
        "timeSettings": {
            "autoRefresh": dashboard.refresh,
            "autoRefreshIntervals": list(REFRESH_INTERVALS),
            "fiscalYearStartMonth": 0,
            "from": dashboard.time_from,
            "hideTimepicker": False,
            "timezone": "browser",
            "to": "now",
        },
        "title": dashboard.title,
        "variables": [variable_v2(v) for v in dashboard.all_variables()],
    }
    if dashboard.description:
        spec["description"] = dashboard.description
    return {
        "apiVersion": API_VERSION,
        "kind": KIND,
        "metadata": {"name": dashboard.uid},
        "spec": spec,
    }

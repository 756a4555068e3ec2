"""Conversion between the v1 (``panels``) and v2 (``elements`` + ``layout``) dashboard specs,
as the API answers a read through a version of the other family (Grafana API §6.7, §6.11).

A faithful-enough mapping for a publisher's tests: panels, rows, queries, variables,
annotations, time settings and the top-level fields go both ways; plugin-specific details a
real converter migrates (old panel types, datasource lookups) are carried as they are.
Malformed input raises ``ConversionError``; the caller answers 200 with ``failed: true`` and a
default spec, as Grafana does ("withConversionMetrics always returns nil to avoid 500 errors").
The 12.0 stub (``stub_*``) converts nothing across the families.
"""

from __future__ import annotations

from typing import Any

NOT_IMPLEMENTED = "backend conversion not yet implemented"

_VARIABLE_KINDS = {
    "query": "QueryVariable",
    "custom": "CustomVariable",
    "datasource": "DatasourceVariable",
    "interval": "IntervalVariable",
    "constant": "ConstantVariable",
    "textbox": "TextVariable",
    "adhoc": "AdhocVariable",
    "groupby": "GroupByVariable",
}
_VARIABLE_TYPES = {kind: name for name, kind in _VARIABLE_KINDS.items()}
_CURSOR_SYNC = ["Off", "Crosshair", "Tooltip"]


class ConversionError(ValueError):
    """The stored spec cannot be converted; the message says where."""


def is_v2(version: str) -> bool:
    return version.startswith("v2")


def v1_to_v2(spec: dict[str, Any]) -> dict[str, Any]:
    panels = spec.get("panels", [])
    if not isinstance(panels, list):
        raise ConversionError("panels is not a list")
    elements: dict[str, Any] = {}
    rows: list[dict[str, Any]] = []
    loose: list[dict[str, Any]] = []  # panels before the first row
    for panel in panels:
        if not isinstance(panel, dict):
            raise ConversionError("a panel is not an object")
        if panel.get("type") == "row":
            rows.append(_row(panel, elements))
        else:
            (rows[-1]["spec"]["layout"]["spec"]["items"] if rows else loose).append(
                _grid_item(panel, elements, row_y=0)
            )
    layout: dict[str, Any] = {"kind": "GridLayout", "spec": {"items": loose}}
    if rows:
        if loose:
            rows.insert(0, _row_of(loose, title="", collapsed=False, hide_header=True))
        layout = {"kind": "RowsLayout", "spec": {"rows": rows}}
    time = spec.get("time") or {}
    picker = spec.get("timepicker") or {}
    return {
        "title": spec.get("title", ""),
        "description": spec.get("description", ""),
        "tags": list(spec.get("tags", [])),
        "editable": spec.get("editable", True),
        "cursorSync": _CURSOR_SYNC[spec.get("graphTooltip", 0) % 3],
        "preload": bool(spec.get("preload", False)),
        "liveNow": bool(spec.get("liveNow", False)),
        "links": list(spec.get("links", [])),
        "annotations": [
            {"kind": "AnnotationQuery", "spec": a}
            for a in (spec.get("annotations") or {}).get("list", [])
        ],
        "variables": [_variable(v) for v in (spec.get("templating") or {}).get("list", [])],
        "timeSettings": {
            "from": time.get("from", "now-6h"),
            "to": time.get("to", "now"),
            "timezone": spec.get("timezone", "browser"),
            "autoRefresh": spec.get("refresh", ""),
            "autoRefreshIntervals": list(picker.get("refresh_intervals", [])),
            "hideTimepicker": bool(picker.get("hidden", False)),
            "fiscalYearStartMonth": spec.get("fiscalYearStartMonth", 0),
        },
        "elements": elements,
        "layout": layout,
    }


def v2_to_v1(spec: dict[str, Any], schema_version: int) -> dict[str, Any]:
    elements = spec.get("elements", {})
    layout = spec.get("layout", {"kind": "GridLayout", "spec": {"items": []}})
    if not isinstance(elements, dict) or not isinstance(layout, dict):
        raise ConversionError("elements and layout must be objects")
    panels: list[dict[str, Any]] = []
    if layout.get("kind") == "GridLayout":
        panels = [_panel(item, elements, 0) for item in layout["spec"].get("items", [])]
    elif layout.get("kind") == "RowsLayout":
        y = 0
        for row in layout["spec"].get("rows", []):
            y = _rows_to_v1(row["spec"], elements, y, panels)
    else:
        raise ConversionError(f"layout kind {layout.get('kind')!r} has no v1 form")
    times = spec.get("timeSettings") or {}
    return {
        "title": spec.get("title", ""),
        "description": spec.get("description", ""),
        "tags": list(spec.get("tags", [])),
        "editable": spec.get("editable", True),
        "graphTooltip": _CURSOR_SYNC.index(spec.get("cursorSync", "Off")),
        "liveNow": bool(spec.get("liveNow", False)),
        "links": list(spec.get("links", [])),
        "annotations": {"list": [a.get("spec", {}) for a in spec.get("annotations", [])]},
        "templating": {
            "list": [
                {"type": _VARIABLE_TYPES.get(v.get("kind"), "query"), **v.get("spec", {})}
                for v in spec.get("variables", [])
            ]
        },
        "time": {"from": times.get("from", "now-6h"), "to": times.get("to", "now")},
        "timezone": times.get("timezone", "browser"),
        "refresh": times.get("autoRefresh", ""),
        "timepicker": {
            "refresh_intervals": list(times.get("autoRefreshIntervals", [])),
            "hidden": bool(times.get("hideTimepicker", False)),
        },
        "fiscalYearStartMonth": times.get("fiscalYearStartMonth", 0),
        "panels": panels,
        "schemaVersion": schema_version,
    }


def stub_v2(spec: dict[str, Any]) -> dict[str, Any]:
    """12.0's v1 -> v2 "conversion": the title and an empty grid."""
    return {"title": spec.get("title", ""), "layout": {"kind": "GridLayout", "spec": {"items": []}}}


def _row(panel: dict[str, Any], elements: dict[str, Any]) -> dict[str, Any]:
    row_y = panel.get("gridPos", {}).get("y", 0) + 1
    children = [_grid_item(p, elements, row_y) for p in panel.get("panels", [])]
    return _row_of(children, panel.get("title", ""), bool(panel.get("collapsed")), False)


def _row_of(
    items: list[dict[str, Any]], title: str, collapsed: bool, hide_header: bool
) -> dict[str, Any]:
    spec: dict[str, Any] = {"title": title, "collapse": collapsed}
    if hide_header:
        spec["hideHeader"] = True
    spec["layout"] = {"kind": "GridLayout", "spec": {"items": items}}
    return {"kind": "RowsLayoutRow", "spec": spec}


def _grid_item(panel: dict[str, Any], elements: dict[str, Any], row_y: int) -> dict[str, Any]:
    name = f"panel-{panel.get('id', len(elements) + 1)}"
    elements[name] = _element(panel)
    pos = panel.get("gridPos", {})
    return {
        "kind": "GridLayoutItem",
        "spec": {
            "x": pos.get("x", 0),
            "y": pos.get("y", 0) - row_y,
            "width": pos.get("w", 12),
            "height": pos.get("h", 8),
            "element": {"kind": "ElementReference", "name": name},
        },
    }


def _element(panel: dict[str, Any]) -> dict[str, Any]:
    queries = []
    for target in panel.get("targets", []):
        rest = {k: v for k, v in target.items() if k not in ("refId", "hide", "datasource")}
        source = target.get("datasource") or panel.get("datasource") or {}
        queries.append(
            {
                "kind": "PanelQuery",
                "spec": {
                    "refId": target.get("refId", "A"),
                    "hidden": bool(target.get("hide", False)),
                    "query": {
                        "kind": "DataQuery",
                        "group": source.get("type", "prometheus"),
                        "version": "v0",
                        "datasource": {"name": source.get("uid", "")},
                        "spec": rest,
                    },
                },
            }
        )
    return {
        "kind": "Panel",
        "spec": {
            "id": panel.get("id", 0),
            "title": panel.get("title", ""),
            "description": panel.get("description", ""),
            "links": list(panel.get("links", [])),
            "data": {
                "kind": "QueryGroup",
                "spec": {
                    "queries": queries,
                    "transformations": list(panel.get("transformations", [])),
                    "queryOptions": {},
                },
            },
            "vizConfig": {
                "kind": "VizConfig",
                "group": panel.get("type", "timeseries"),
                "version": panel.get("pluginVersion", ""),
                "spec": {
                    "options": panel.get("options", {}),
                    "fieldConfig": panel.get("fieldConfig", {"defaults": {}, "overrides": []}),
                },
            },
        },
    }


def _rows_to_v1(
    row: dict[str, Any], elements: dict[str, Any], y: int, out: list[dict[str, Any]]
) -> int:
    items = row.get("layout", {}).get("spec", {}).get("items", [])
    if not row.get("hideHeader"):
        head = {
            "type": "row",
            "title": row.get("title", ""),
            "collapsed": bool(row.get("collapse")),
            "gridPos": {"h": 1, "w": 24, "x": 0, "y": y},
            "panels": [],
        }
        out.append(head)
        y += 1
        children = [_panel(item, elements, y) for item in items]
        (head["panels"] if head["collapsed"] else out).extend(children)
    else:
        children = [_panel(item, elements, y) for item in items]
        out.extend(children)
    bottoms = [c["gridPos"]["y"] + c["gridPos"]["h"] for c in children]
    return int(max([y, *bottoms]))


def _panel(item: dict[str, Any], elements: dict[str, Any], y: int) -> dict[str, Any]:
    spec = item.get("spec", {})
    name = spec.get("element", {}).get("name")
    element = elements.get(name)
    if not isinstance(element, dict) or element.get("kind") != "Panel":
        raise ConversionError(f"layout item refers to {name!r}, which is not a panel element")
    panel = element["spec"]
    viz = panel.get("vizConfig", {})
    targets = []
    for query in panel.get("data", {}).get("spec", {}).get("queries", []):
        qspec = query.get("spec", {})
        data_query = qspec.get("query", {})
        targets.append(
            {
                "refId": qspec.get("refId", "A"),
                "datasource": {
                    "type": data_query.get("group", ""),
                    "uid": data_query.get("datasource", {}).get("name", ""),
                },
                **({"hide": True} if qspec.get("hidden") else {}),
                **data_query.get("spec", {}),
            }
        )
    return {
        "id": panel.get("id", 0),
        "type": viz.get("group", ""),
        "title": panel.get("title", ""),
        "description": panel.get("description", ""),
        "links": list(panel.get("links", [])),
        "gridPos": {
            "h": spec.get("height", 8),
            "w": spec.get("width", 12),
            "x": spec.get("x", 0),
            "y": spec.get("y", 0) + y,
        },
        "targets": targets,
        "transformations": list(panel.get("data", {}).get("spec", {}).get("transformations", [])),
        "options": viz.get("spec", {}).get("options", {}),
        "fieldConfig": viz.get("spec", {}).get("fieldConfig", {}),
        **({"pluginVersion": viz["version"]} if viz.get("version") else {}),
    }


def _variable(variable: dict[str, Any]) -> dict[str, Any]:
    kind = _VARIABLE_KINDS.get(variable.get("type", "query"), "QueryVariable")
    return {"kind": kind, "spec": {k: v for k, v in variable.items() if k != "type"}}

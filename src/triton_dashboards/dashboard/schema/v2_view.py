"""A v2 ``Dashboard`` resource read back as the v1 shape that the readers of JSON know.

The lint, ``check``'s uid rule and the query engine read v1's ``panels`` (with their
``targets``) and ``templating``. This view gives them the same from a v2 file: every
element's queries as v1 targets, every variable as a v1 variable, uid and title from the
resource. Layout and visual options are left out: nothing that reads the view draws.
"""

from __future__ import annotations

from typing import Any

from triton_dashboards.dashboard.schema.v2 import is_v2

__all__ = ["v1_view"]

#: v2's variable sort and refresh names -> v1's codes.
_SORT = {
    "disabled": 0,
    "alphabeticalAsc": 1,
    "alphabeticalDesc": 2,
    "numericalAsc": 3,
    "numericalDesc": 4,
    "alphabeticalCaseInsensitiveAsc": 5,
    "alphabeticalCaseInsensitiveDesc": 6,
    "naturalAsc": 7,
    "naturalDesc": 8,
}
_REFRESH = {"never": 0, "onDashboardLoad": 1, "onTimeRangeChanged": 2}
_TYPES = {
    "QueryVariable": "query",
    "CustomVariable": "custom",
    "DatasourceVariable": "datasource",
    "ConstantVariable": "constant",
    "TextVariable": "textbox",
    "IntervalVariable": "interval",
    "AdhocVariable": "adhoc",
    "GroupByVariable": "groupby",
    "SwitchVariable": "switch",
}


def _datasource(query: dict[str, Any]) -> dict[str, str]:
    return {
        "type": str(query.get("group", "")),
        "uid": str((query.get("datasource") or {}).get("name", "")),
    }


def _panel(name: str, element: dict[str, Any]) -> dict[str, Any]:
    spec = element.get("spec") or {}
    data = (spec.get("data") or {}).get("spec") or {}
    targets = []
    for item in data.get("queries") or []:
        query_spec = item.get("spec") or {}
        query = query_spec.get("query") or {}
        targets.append(
            {
                **(query.get("spec") or {}),
                "datasource": _datasource(query),
                "refId": query_spec.get("refId", ""),
            }
        )
    panel: dict[str, Any] = {
        "id": spec.get("id"),
        "targets": targets,
        "title": spec.get("title") or name,
        "type": (spec.get("vizConfig") or {}).get("group", ""),
    }
    panel.update(data.get("queryOptions") or {})
    return panel


def _variable(kind: dict[str, Any]) -> dict[str, Any]:
    spec = dict(kind.get("spec") or {})
    out = {**spec, "type": _TYPES.get(str(kind.get("kind")), str(kind.get("kind")))}
    query = spec.get("query")
    if isinstance(query, dict) and query.get("kind") == "DataQuery":
        out["query"] = query.get("spec") or {}
        out["datasource"] = _datasource(query)
    if isinstance(spec.get("sort"), str):
        out["sort"] = _SORT.get(spec["sort"], 0)
    if isinstance(spec.get("refresh"), str):
        out["refresh"] = _REFRESH.get(spec["refresh"], 0)
    if "pluginId" in spec:
        out["query"] = spec["pluginId"]
    return out


def v1_view(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` as v1's shape: a v1 dashboard as it is, a v2 resource viewed."""
    if not is_v2(document):
        return document
    spec = document.get("spec") or {}
    elements = spec.get("elements") or {}
    return {
        "panels": [_panel(name, element) for name, element in elements.items()],
        "templating": {"list": [_variable(v) for v in spec.get("variables") or []]},
        "title": spec.get("title", ""),
        "uid": (document.get("metadata") or {}).get("name", ""),
    }

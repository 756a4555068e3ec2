"""grafanalib objects -> the JSON current Grafana (11.x-13.x) saves, byte for byte stable.

grafanalib writes the dashboard model of Grafana 5-7: ``schemaVersion`` 12, ``style``,
``rows``, ``sharedCrosshair``, threshold values as the *string* ``"null"``, a 100-point
``maxDataPoints`` cap, legacy gauge and heatmap options. Grafana migrates such JSON when
it opens it, so the stored dashboard never equals what was committed and every publish
looks like a change. This module keeps only what the current model has (the
grafana-foundation-sdk schema, tests/data/grafana-schema/), in the shape Grafana writes:

* ``schemaVersion`` pinned to :data:`SCHEMA_VERSION`;
* datasources as ``{"type", "uid"}`` references, never names;
* no legacy or empty keys; ``maxDataPoints`` left to Grafana unless a panel sets it;
* panel ids as the layout numbered them; keys sorted; UTF-8 (``µs`` stays ``µs``).

Rendering the same dashboard gives the same bytes on every machine.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from grafanalib import core as g

from triton_dashboards.dashboard.model import Dashboard, check_uid

__all__ = ["SCHEMA_VERSION", "render", "to_json"]

#: The dashboard schema version written: 42 is ``LATEST_VERSION`` of the migrations of
#: Grafana 12.3+ and 13 (apps/dashboard/pkg/migration/schemaversion, Grafana API §6.11), where the
#: Kubernetes-style API migrates any older v1 spec to it on write; sending it means Grafana
#: stores what we sent. Its one migration (v42: an override hiding a field from the
#: visualization hides it from the tooltip too) has nothing to change in our panels, which
#: :func:`render` checks. Grafana 11 and 12.0-12.2 know only up to 41: their frontends migrate
#: forward only (a dashboard newer than they know is opened as it is), and their backends
#: store the JSON untouched (12.x's own UI saves through ``fieldValidation=Ignore``).
SCHEMA_VERSION = 42

_BUILT_IN_ANNOTATION = {
    "builtIn": 1,
    "datasource": {"type": "grafana", "uid": "-- Grafana --"},
    "enable": True,
    "hide": True,
    "iconColor": "rgba(0, 211, 255, 1)",
    "name": "Annotations & Alerts",
    "type": "dashboard",
}

# Keys of the current model (grafana-foundation-sdk dashboard.jsonschema.json).
_PANEL_KEYS = frozenset(
    {"type", "id", "targets", "title", "description", "transparent", "datasource", "gridPos",
     "links", "repeat", "repeatDirection", "maxPerRow", "transformations", "interval",
     "maxDataPoints",
     "timeFrom", "timeShift", "hideTimeOverride", "libraryPanel", "options", "fieldConfig"}
)  # fmt: skip
_ROW_KEYS = frozenset({"type", "id", "title", "collapsed", "gridPos", "panels", "repeat"})
_FIELD_KEYS = frozenset(
    {"displayName", "displayNameFromDS", "description", "unit", "decimals", "min", "max",
     "mappings", "thresholds", "color", "links", "noValue", "custom", "filterable"}
)  # fmt: skip
_TARGET_KEYS = frozenset(
    {"refId", "expr", "legendFormat", "datasource", "instant", "range", "format", "interval",
     "hide", "editorMode", "exemplar"}
)  # fmt: skip
_VARIABLE_KEYS = frozenset(
    {"type", "name", "label", "hide", "skipUrlSync", "description", "query", "datasource",
     "current", "multi", "options", "refresh", "sort", "includeAll", "allValue", "regex",
     "auto", "auto_min", "auto_count", "definition"}
)  # fmt: skip
_TIMEPICKER_KEYS = frozenset({"hidden", "refresh_intervals", "nowDelay"})
# Options of each panel plugin (grafana-foundation-sdk <type>.jsonschema.json ``Options``).
_OPTION_KEYS: dict[str, frozenset[str]] = {
    "timeseries": frozenset({"timezone", "legend", "tooltip", "orientation"}),
    "stat": frozenset(
        {"graphMode", "colorMode", "justifyMode", "textMode", "wideLayout", "showPercentChange",
         "reduceOptions", "text", "percentChangeColorMode", "orientation"}
    ),
    "gauge": frozenset(
        {"showThresholdLabels", "showThresholdMarkers", "sizing", "minVizWidth", "reduceOptions",
         "text", "minVizHeight", "orientation"}
    ),
    "bargauge": frozenset(
        {"displayMode", "valueMode", "namePlacement", "showUnfilled", "sizing", "minVizWidth",
         "minVizHeight", "legend", "reduceOptions", "text", "maxVizHeight", "orientation"}
    ),
    "table": frozenset({"frameIndex", "showHeader", "showTypeIcons", "sortBy", "footer",
                        "cellHeight"}),
    "heatmap": frozenset(
        {"calculate", "calculation", "color", "filterValues", "rowsFrame", "showValue",
         "cellGap", "cellRadius", "cellValues", "yAxis", "legend", "tooltip", "exemplars",
         "selectionMode"}
    ),
    "text": frozenset({"mode", "content", "code"}),
}  # fmt: skip
# Defaults grafanalib always writes that mean "unset" in the current model; grafanalib's
# maxDataPoints of 100 too (Grafana's own default is the panel's width in pixels).
_UNSET_PANEL_DEFAULTS: dict[str, object] = {
    "maxDataPoints": 100,
    "transparent": False,
    "hideTimeOverride": False,
    "links": [],
    "transformations": [],
    "description": "",
}


_SCALARS = (str, int, float, bool, type(None))


def _plain(value: Any) -> Any:
    """grafanalib objects -> dicts, lists and scalars (what its JSON encoder does).

    Plain values are tested first by exact type: this walk visits every node of every
    dashboard, and a ``getattr`` per node doubled its cost.
    """
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is dict:
        return {k: _plain(v) for k, v in value.items()}
    if kind is list or kind is tuple:
        return [_plain(v) for v in value]
    to_json_data: Callable[[], Any] | None = getattr(value, "to_json_data", None)
    if to_json_data is not None:
        return _plain(to_json_data())
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _pick(source: dict[str, Any], keys: frozenset[str]) -> dict[str, Any]:
    return {k: v for k, v in source.items() if k in keys and v is not None}


def _datasource(ref: Any) -> dict[str, str] | None:
    """A ``{type, uid}`` reference; a bare string is taken as a Prometheus datasource uid."""
    if ref is None:
        return None
    if isinstance(ref, str):
        return {"type": "prometheus", "uid": ref}
    return {k: str(ref[k]) for k in ("type", "uid") if ref.get(k) is not None}


def _thresholds(config: dict[str, Any]) -> dict[str, Any]:
    steps = []
    for i, step in enumerate(config.get("steps") or []):
        value = step.get("value")
        steps.append(
            {"color": step["color"], "value": None if i == 0 or value == "null" else value}
        )
    if not steps:
        steps = [{"color": "green", "value": None}]
    return {"mode": config.get("mode") or "absolute", "steps": steps}


def _field_defaults(defaults: dict[str, Any]) -> dict[str, Any]:
    out = _pick(defaults, _FIELD_KEYS)
    if "thresholds" in out:
        out["thresholds"] = _thresholds(out["thresholds"])
    if isinstance(out.get("custom"), dict):
        custom = {k: v for k, v in out["custom"].items() if v is not None}
        mode = custom.pop("displayMode", None)  # grafanalib's table cell mode (Grafana 8)
        if mode and mode != "auto":
            custom["cellOptions"] = {"type": mode}
        out["custom"] = custom
    for key in ("color", "custom"):
        if not out.get(key):
            out.pop(key, None)
    if not out.get("mappings"):
        out["mappings"] = []
    return out


def _target(target: dict[str, Any]) -> dict[str, Any]:
    out = _pick(target, _TARGET_KEYS)
    out["datasource"] = _datasource(out.get("datasource"))
    if out["datasource"] is None:
        del out["datasource"]
    out["legendFormat"] = out.get("legendFormat") or "__auto"
    out["instant"] = bool(out.get("instant"))
    out["range"] = not out["instant"]
    out["editorMode"] = "code"
    for key, unset in (("interval", ""), ("hide", False)):
        if out.get(key) == unset:
            del out[key]
    return out


def _panel(panel: dict[str, Any]) -> dict[str, Any]:
    kind = panel.get("type")
    if kind == "row":
        out = _pick(panel, _ROW_KEYS)
        out["collapsed"] = bool(out.get("collapsed"))
        out["panels"] = [_panel(p) for p in out.get("panels") or []]
        return out
    out = _pick(panel, _PANEL_KEYS)
    for key, unset in _UNSET_PANEL_DEFAULTS.items():
        if out.get(key) == unset:
            del out[key]
    if not out.get("repeat"):
        for key in ("repeat", "repeatDirection", "maxPerRow"):
            out.pop(key, None)
    datasource = _datasource(out.get("datasource"))
    if datasource is None:
        out.pop("datasource", None)
    else:
        out["datasource"] = datasource
    if "targets" in out:
        out["targets"] = [_target(t) for t in out["targets"]]
        if not out["targets"]:
            del out["targets"]
    field_config = out.get("fieldConfig") or {}
    out["fieldConfig"] = {
        "defaults": _field_defaults(field_config.get("defaults") or {}),
        "overrides": [_hidden_from_tooltip_too(o) for o in field_config.get("overrides") or []],
    }
    options = out.get("options")
    if isinstance(options, dict) and kind in _OPTION_KEYS:
        out["options"] = _pick(options, _OPTION_KEYS[kind])
    elif not isinstance(options, dict):
        out.pop("options", None)
    return out


def _hidden_from_tooltip_too(override: dict[str, Any]) -> dict[str, Any]:
    """An override as schemaVersion 42 stores it: hidden from the visualization means hidden
    from the tooltip too (Grafana's v42 migration), so Grafana has nothing to rewrite."""
    properties = []
    for prop in override.get("properties") or []:
        value = prop.get("value")
        if prop.get("id") == "custom.hideFrom" and isinstance(value, dict) and value.get("viz"):
            prop = {**prop, "value": {**value, "tooltip": True}}
        properties.append(prop)
    return {**override, "properties": properties} if "properties" in override else override


def _variable(variable: dict[str, Any]) -> dict[str, Any]:
    out = _pick(variable, _VARIABLE_KEYS)
    if "datasource" in out:
        out["datasource"] = _datasource(out["datasource"])
    query = out.get("query")
    if isinstance(query, dict) and "query" in query:
        out["definition"] = query["query"]
    current = out.get("current") or {}
    if out.get("includeAll") and current.get("value") in (None, "$__all"):
        many = bool(out.get("multi"))
        out["current"] = {
            "text": ["All"] if many else "All",
            "value": ["$__all"] if many else "$__all",
        }
    elif current.get("value") is None:
        out.pop("current", None)
    else:
        out["current"] = {"text": current.get("text", ""), "value": current["value"]}
    if out.get("type") in ("query", "custom", "datasource"):
        out.setdefault("options", [])
    return out


def to_json(dashboard: Dashboard | g.Dashboard) -> dict[str, Any]:
    """The dashboard as the plain JSON model current Grafana stores."""
    if isinstance(dashboard, Dashboard):
        dashboard = dashboard.to_grafanalib()
    elif any(panel.id is None for panel in dashboard._iter_panels()):
        dashboard = dashboard.auto_panel_ids()
    plain = _plain(dashboard)
    out: dict[str, Any] = {
        "annotations": {"list": [_BUILT_IN_ANNOTATION]},
        "editable": bool(plain.get("editable", True)),
        "fiscalYearStartMonth": 0,
        "graphTooltip": plain.get("graphTooltip", 0),
        "links": plain.get("links") or [],
        "panels": [_panel(p) for p in plain.get("panels") or []],
        "refresh": plain.get("refresh") or "",
        "schemaVersion": SCHEMA_VERSION,
        "tags": plain.get("tags") or [],
        "templating": {"list": [_variable(v) for v in plain["templating"]["list"]]},
        "time": plain.get("time") or {"from": "now-6h", "to": "now"},
        "timepicker": _pick(plain.get("timepicker") or {}, _TIMEPICKER_KEYS),
        "timezone": plain.get("timezone") or "browser",
        "title": plain["title"],
        "uid": check_uid(plain.get("uid") or ""),
    }
    if plain.get("description"):
        out["description"] = plain["description"]
    return out


def render(dashboard: Dashboard | g.Dashboard) -> str:
    """The dashboard's JSON text: sorted keys, two-space indent, UTF-8, final newline."""
    return json.dumps(to_json(dashboard), sort_keys=True, indent=2, ensure_ascii=False) + "\n"

"""grafanalib panels, variables and dashboards -> the model, for users who already have them.

grafanalib (Grafana 5-7's model, no release since 2024-01) is welcome as input: a
``grafanalib.core.TimeSeries`` placed in a :class:`~triton_dashboards.Row` or a whole
``grafanalib.core.Dashboard`` bound to ``dashboard`` builds. Each supported panel is read
from what grafanalib writes (``to_json_data()``) and rebuilt as a
:class:`~triton_dashboards.dashboard.schema.panel.Panel` of the same type with the values
it set: title, description, queries, unit, min, max, decimals, thresholds, overrides,
transformations, interval, data source. Legacy keys (string ``"null"`` thresholds,
``maxDataPoints`` 100, Grafana 7 gauge options) are not carried over; options the model
does not have fall back to its defaults. Anything else is refused in one line naming it.

This module is the only one that imports grafanalib, and it is imported only when such an
object is met, so a dashboard without one never pays grafanalib's import (~130 ms).
"""

from __future__ import annotations

from typing import Any

from grafanalib import core as g

from triton_dashboards.dashboard.layout import Row, Sized
from triton_dashboards.dashboard.model import Dashboard, Link
from triton_dashboards.dashboard.schema import viz
from triton_dashboards.dashboard.schema.field import FieldDefaults, Override, Step, Thresholds
from triton_dashboards.dashboard.schema.options import (
    ColorMode,
    QueryFormat,
    Reducer,
    choose,
)
from triton_dashboards.dashboard.schema.panel import (
    DATASOURCE,
    DataSourceRef,
    Panel,
    Target,
    Transformation,
)
from triton_dashboards.dashboard.schema.units import is_unit
from triton_dashboards.dashboard.schema.variable import (
    CustomVariable,
    DatasourceVariable,
    QueryVariable,
    Variable,
)

__all__ = ["dashboard_from_grafanalib", "panel_from_grafanalib", "variable_from_grafanalib"]

_VIZ: dict[str, type[Any]] = {
    "timeseries": viz.TimeSeries,
    "stat": viz.Stat,
    "gauge": viz.Gauge,
    "bargauge": viz.BarGauge,
    "table": viz.Table,
    "heatmap": viz.Heatmap,
    "text": viz.Text,
    "barchart": viz.BarChart,
}


class GrafanalibError(ValueError):
    """A grafanalib object the model has no counterpart for."""


def _plain(value: Any) -> Any:
    """grafanalib objects -> dicts, lists and scalars (what its JSON encoder does)."""
    to_json_data = getattr(value, "to_json_data", None)
    if to_json_data is not None:
        return _plain(to_json_data())
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _datasource(ref: Any) -> DataSourceRef | None:
    """A ``{type, uid}`` reference; a bare string is taken as a Prometheus datasource uid."""
    if not ref:
        return None
    if isinstance(ref, str):
        return DataSourceRef("prometheus", ref)
    return DataSourceRef(str(ref.get("type") or "prometheus"), str(ref.get("uid") or ""))


def _target(target: dict[str, Any], title: str) -> Target:
    return Target(
        expr=str(target.get("expr") or ""),
        ref_id=str(target.get("refId") or "A"),
        legend=str(target.get("legendFormat") or ""),
        instant=bool(target.get("instant")),
        format=choose(QueryFormat, target.get("format") or "time_series", "format", title),
        datasource=_datasource(target.get("datasource")) or DATASOURCE,
    )


def _thresholds(config: dict[str, Any]) -> Thresholds:
    steps = [
        Step(None if i == 0 or s.get("value") in (None, "null") else float(s["value"]), s["color"])
        for i, s in enumerate(config.get("steps") or [])
    ]
    return Thresholds(tuple(steps or [Step(None, "green")]))


def _defaults(defaults: dict[str, Any], panel: dict[str, Any], title: str) -> FieldDefaults:
    unit = defaults.get("unit") or panel.get("format") or "short"
    if not is_unit(unit):
        unit = "short"
    color = (defaults.get("color") or {}).get("mode")
    return FieldDefaults(
        unit=unit,
        thresholds=_thresholds(defaults.get("thresholds") or {}),
        color=choose(ColorMode, color, "color", title) if color else None,
        min=defaults.get("min"),
        max=defaults.get("max"),
        decimals=defaults.get("decimals"),
        no_value=defaults.get("noValue") or None,
    )


def _viz(kind: str, plain: dict[str, Any], title: str) -> Any:
    options = plain.get("options") or {}
    if kind == "text":
        return viz.Text(content=str(options.get("content") or plain.get("content") or ""))
    if kind in ("stat", "gauge", "bargauge"):
        calcs = (options.get("reduceOptions") or {}).get("calcs") or ["lastNotNull"]
        return _VIZ[kind](reduce=choose(Reducer, calcs[0], "reduce", title))
    return _VIZ[kind]()


def panel_from_grafanalib(panel: Any) -> Panel | Sized:
    """A grafanalib panel as the model, sized as its ``gridPos`` says (if it says)."""
    plain = _plain(panel)
    kind = plain.get("type")
    title = str(plain.get("title") or "")
    if kind not in _VIZ:
        raise GrafanalibError(
            f"grafanalib {type(panel).__name__} {title!r} (type {kind!r}) has no counterpart "
            f"in the panel model; use one of {', '.join(sorted(_VIZ))} or a panels.* function"
        )
    field = plain.get("fieldConfig") or {}
    converted = Panel(
        title=title,
        viz=_viz(kind, plain, title),
        description=str(plain.get("description") or ""),
        targets=[_target(t, title) for t in plain.get("targets") or []],
        defaults=_defaults(field.get("defaults") or {}, plain, title),
        overrides=[Override.from_json(o) for o in field.get("overrides") or []],
        transformations=[
            Transformation(t["id"], t.get("options") or {})
            for t in plain.get("transformations") or []
        ],
        datasource=_datasource(plain.get("datasource")) if kind != "text" else None,
        interval=plain.get("interval") or None,
        id=plain.get("id") or None,
    )
    grid = plain.get("gridPos")
    if isinstance(grid, dict) and grid.get("w") and grid.get("h"):
        return Sized(converted, int(grid["w"]), int(grid["h"]))
    return converted


def variable_from_grafanalib(template: Any) -> Variable:
    """A ``grafanalib.core.Template`` (datasource, query or custom) as the model."""
    plain = _plain(template)
    kind, name = plain.get("type"), str(plain.get("name"))
    label = str(plain.get("label") or name)
    if kind == "datasource":
        return DatasourceVariable(name, label, str(plain.get("query") or "prometheus"))
    if kind == "custom":
        values = [v.strip() for v in str(plain.get("query") or "").split(",") if v.strip()]
        current = (plain.get("current") or {}).get("value")
        return CustomVariable(
            name, label, values, default=current if current in values else None,
            multi=bool(plain.get("multi")), include_all=bool(plain.get("includeAll")),
        )  # fmt: skip
    if kind == "query":
        query = plain.get("query")
        text = query.get("query") if isinstance(query, dict) else query
        return QueryVariable(
            name, label, str(text or ""), multi=bool(plain.get("multi")),
            include_all=bool(plain.get("includeAll")), all_value=plain.get("allValue"),
            datasource=_datasource(plain.get("datasource")) or DATASOURCE,
        )  # fmt: skip
    raise GrafanalibError(
        f"grafanalib variable {name!r} of type {kind!r} has no counterpart in the model; "
        "use a datasource, query or custom variable"
    )


def dashboard_from_grafanalib(dashboard: g.Dashboard) -> Dashboard:
    """A whole grafanalib dashboard: its rows become rows, loose panels come first."""
    rows: list[Row] = []
    loose: list[Any] = []
    for panel in dashboard.panels:
        if isinstance(panel, g.RowPanel):
            rows.append(Row(panel.title, panel.panels, collapsed=bool(panel.collapsed)))
        elif rows:
            rows[-1] = Row(rows[-1].title, [*rows[-1].panels, panel], rows[-1].collapsed)
        else:
            loose.append(panel)
    links = [
        Link(title=str(link.get("title")), url=str(link.get("url")))
        for link in _plain(dashboard.links or [])
        if isinstance(link, dict) and link.get("url")
    ]
    return Dashboard(
        title=dashboard.title,
        uid=dashboard.uid or "",
        description=dashboard.description or "",
        tags=list(dashboard.tags or []),
        panels=loose,
        rows=rows,
        variables=list(dashboard.templating.list or []),
        links=links,
        refresh=dashboard.refresh or "",
    )

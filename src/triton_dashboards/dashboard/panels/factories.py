"""Panel factories: typed constructors for the visualizations a Triton dashboard uses.

Each returns a grafanalib panel carrying everything Grafana needs to show the number
right: the unit (``µs`` is U+00B5 MICRO SIGN + "s", Grafana's unit id), thresholds, a
legend that names the series, the Prometheus datasource as a ``{type, uid}`` reference
to the ``$datasource`` variable, and a size hint in ``gridPos`` (x and y are filled in by
:mod:`triton_dashboards.dashboard.layout`). Options grafanalib cannot express in their current form
are passed through ``extraJson``; :mod:`triton_dashboards.dashboard.render` writes the result in
the shape current Grafana saves.
"""

from __future__ import annotations

import string
from collections.abc import Sequence
from typing import Any, TypeAlias

import attrs
from grafanalib import core as g

from triton_dashboards.promql import Expr

__all__ = [
    "DATASOURCE",
    "DATASOURCE_VARIABLE",
    "Query",
    "Threshold",
    "Unit",
    "bar_gauge",
    "gauge",
    "heatmap",
    "stat",
    "table",
    "text",
    "timeseries",
]

#: Name of the datasource template variable every panel reads from.
DATASOURCE_VARIABLE = "datasource"
#: Reference to it, in the ``{type, uid}`` form current Grafana stores.
DATASOURCE: dict[str, str] = {"type": "prometheus", "uid": "${" + DATASOURCE_VARIABLE + "}"}


class Unit:
    """Grafana unit ids (packages/grafana-data/src/valueFormats/categories.ts)."""

    MICROSECONDS = "µs"  # U+00B5 MICRO SIGN, not U+03BC GREEK SMALL LETTER MU
    MILLISECONDS = "ms"
    SECONDS = "s"
    REQUESTS_PER_SECOND = "reqps"
    REQUESTS_PER_MINUTE = "reqpm"
    OPS_PER_SECOND = "ops"
    RATIO = "percentunit"  # 0..1 shown as a percentage
    PERCENT = "percent"  # 0..100
    BYTES = "bytes"
    WATT = "watt"
    JOULE = "joule"
    COUNT = "short"
    NONE = "none"


#: A threshold step: ``(value, color)``; the first step's value is ``None`` (-infinity).
Threshold: TypeAlias = tuple[float | None, str]

_DEFAULT_THRESHOLDS: tuple[Threshold, ...] = ((None, "green"),)


@attrs.frozen
class Query:
    """One Prometheus query of a panel: the expression and how to name its series."""

    expr: Expr | str
    legend: str = ""
    instant: bool = False
    format: str = "time_series"


QueryLike: TypeAlias = Query | Expr


def _targets(queries: Sequence[QueryLike]) -> list[g.Target]:
    if len(queries) > len(string.ascii_uppercase):
        raise ValueError("a panel takes at most 26 queries")
    targets = []
    for ref_id, query in zip(string.ascii_uppercase, queries, strict=False):
        q = query if isinstance(query, Query) else Query(query)
        targets.append(
            g.Target(
                expr=str(q.expr),
                legendFormat=q.legend,
                refId=ref_id,
                instant=q.instant,
                format=q.format,
                datasource=DATASOURCE,
            )
        )
    return targets


def _thresholds(steps: Sequence[Threshold]) -> dict[str, Any]:
    if not steps or steps[0][0] is not None:
        raise ValueError("the first threshold step must have the value None (-infinity)")
    values = [v for v, _ in steps[1:]]
    if any(v is None for v in values) or values != sorted(values):  # type: ignore[type-var]
        raise ValueError(f"threshold values must be increasing numbers, got {values}")
    return {"mode": "absolute", "steps": [{"color": c, "value": v} for v, c in steps]}


def _field_defaults(
    unit: str,
    thresholds: Sequence[Threshold],
    *,
    min: float | None = None,
    max: float | None = None,
    decimals: int | None = None,
    no_value: str | None = None,
    color_mode: str | None = None,
) -> dict[str, Any]:
    defaults: dict[str, Any] = {"unit": unit, "thresholds": _thresholds(thresholds)}
    optional = {"min": min, "max": max, "decimals": decimals, "noValue": no_value}
    defaults.update({k: v for k, v in optional.items() if v is not None})
    if color_mode:
        defaults["color"] = {"mode": color_mode}
    return defaults


def _size(width: int, height: int) -> g.GridPos:
    if not 1 <= width <= 24:
        raise ValueError(f"panel width {width} is outside the 24-column grid (1..24)")
    if height < 1:
        raise ValueError(f"panel height {height} must be at least 1")
    return g.GridPos(h=height, w=width, x=0, y=0)


def _common(
    title: str, description: str, queries: Sequence[QueryLike], width: int, height: int
) -> dict[str, Any]:
    """What every data panel takes: title, description, datasource, targets, size."""
    return {
        "title": title,
        "description": description,
        "dataSource": DATASOURCE,
        "targets": _targets(queries),
        "gridPos": _size(width, height),
    }


def _reduce(calc: str) -> dict[str, Any]:
    return {"calcs": [calc], "fields": "", "values": False}


def series_override(name_regex: str, color: str) -> dict[str, Any]:
    """A field override that draws the series matching ``name_regex`` in ``color``."""
    return {
        "matcher": {"id": "byRegexp", "options": name_regex},
        "properties": [{"id": "color", "value": {"fixedColor": color, "mode": "fixed"}}],
    }


def timeseries(
    title: str,
    queries: Sequence[QueryLike],
    *,
    unit: str,
    description: str = "",
    thresholds: Sequence[Threshold] = _DEFAULT_THRESHOLDS,
    show_thresholds: bool = False,
    min: float | None = None,
    max: float | None = None,
    stack: bool = False,
    draw_style: str = "line",
    fill_opacity: int = 10,
    legend_calcs: Sequence[str] = ("mean", "max"),
    overrides: Sequence[dict[str, Any]] = (),
    width: int = 12,
    height: int = 8,
) -> g.TimeSeries:
    """A time series panel; the legend is a table with ``legend_calcs`` per series."""
    custom = {
        "drawStyle": draw_style,
        "fillOpacity": fill_opacity,
        "lineWidth": 1,
        "showPoints": "never",
        "spanNulls": False,
        "stacking": {"group": "A", "mode": "normal" if stack else "none"},
        "thresholdsStyle": {"mode": "dashed" if show_thresholds else "off"},
    }
    defaults = _field_defaults(unit, thresholds, min=min, max=max, color_mode="palette-classic")
    defaults["custom"] = custom
    return g.TimeSeries(
        **_common(title, description, queries, width, height),
        unit=unit,
        extraJson={
            "fieldConfig": {"defaults": defaults, "overrides": list(overrides)},
            "options": {
                "legend": {
                    "calcs": list(legend_calcs),
                    "displayMode": "table" if legend_calcs else "list",
                    "placement": "bottom",
                    "showLegend": True,
                },
                "tooltip": {"mode": "multi", "sort": "desc"},
            },
        },
    )


def stat(
    title: str,
    queries: Sequence[QueryLike],
    *,
    unit: str,
    description: str = "",
    thresholds: Sequence[Threshold] = _DEFAULT_THRESHOLDS,
    reduce: str = "lastNotNull",
    color_mode: str = "value",
    graph_mode: str = "area",
    text_mode: str = "auto",
    decimals: int | None = None,
    no_value: str | None = None,
    width: int = 6,
    height: int = 4,
) -> g.Stat:
    """A single big number per series, coloured by ``thresholds``."""
    return g.Stat(
        **_common(title, description, queries, width, height),
        format=unit,
        noValue=no_value,
        reduceCalc=reduce,
        extraJson={
            "fieldConfig": {
                "defaults": _field_defaults(
                    unit,
                    thresholds,
                    decimals=decimals,
                    no_value=no_value,
                    color_mode="thresholds",
                ),
                "overrides": [],
            },
            "options": {
                "colorMode": color_mode,
                "graphMode": graph_mode,
                "justifyMode": "auto",
                "orientation": "auto",
                "percentChangeColorMode": "standard",
                "reduceOptions": _reduce(reduce),
                "showPercentChange": False,
                "textMode": text_mode,
                "wideLayout": True,
            },
        },
    )


def gauge(
    title: str,
    queries: Sequence[QueryLike],
    *,
    unit: str,
    min: float = 0,
    max: float = 1,
    description: str = "",
    thresholds: Sequence[Threshold] = _DEFAULT_THRESHOLDS,
    reduce: str = "lastNotNull",
    width: int = 6,
    height: int = 6,
) -> g.GaugePanel:
    """A dial between ``min`` and ``max`` with threshold markers."""
    return g.GaugePanel(
        **_common(title, description, queries, width, height),
        format=unit,
        min=min,
        max=max,
        extraJson={
            "fieldConfig": {
                "defaults": _field_defaults(
                    unit, thresholds, min=min, max=max, color_mode="thresholds"
                ),
                "overrides": [],
            },
            "options": {
                "minVizHeight": 75,
                "minVizWidth": 75,
                "orientation": "auto",
                "reduceOptions": _reduce(reduce),
                "showThresholdLabels": False,
                "showThresholdMarkers": True,
                "sizing": "auto",
            },
        },
    )


def bar_gauge(
    title: str,
    queries: Sequence[QueryLike],
    *,
    unit: str,
    min: float = 0,
    max: float | None = None,
    description: str = "",
    thresholds: Sequence[Threshold] = _DEFAULT_THRESHOLDS,
    reduce: str = "lastNotNull",
    orientation: str = "horizontal",
    width: int = 12,
    height: int = 8,
) -> g.BarGauge:
    """One bar per series, for comparing models or GPUs at a glance."""
    return g.BarGauge(
        **_common(title, description, queries, width, height),
        format=unit,
        orientation=orientation,
        extraJson={
            "fieldConfig": {
                "defaults": _field_defaults(
                    unit, thresholds, min=min, max=max, color_mode="thresholds"
                ),
                "overrides": [],
            },
            "options": {
                "displayMode": "gradient",
                "legend": {"calcs": [], "displayMode": "list", "placement": "bottom",
                           "showLegend": False},
                "maxVizHeight": 300,
                "minVizHeight": 16,
                "minVizWidth": 8,
                "namePlacement": "auto",
                "orientation": orientation,
                "reduceOptions": _reduce(reduce),
                "showUnfilled": True,
                "sizing": "auto",
                "valueMode": "color",
            },
        },
    )  # fmt: skip


def table(
    title: str,
    queries: Sequence[QueryLike],
    *,
    unit: str = Unit.COUNT,
    description: str = "",
    columns: dict[str, tuple[str, str]] | None = None,
    thresholds: Sequence[Threshold] = _DEFAULT_THRESHOLDS,
    sort_by: str | None = None,
    width: int = 24,
    height: int = 8,
) -> g.Table:
    """A table of instant queries joined on their labels, one row per series.

    ``columns`` maps a query's refId (``"A"``) to ``(column title, unit)``; the queries
    are run as instant ``table`` queries and merged, so each labelled series is a row.
    """
    overrides = []
    renames: dict[str, str] = {}
    for ref_id, (name, column_unit) in (columns or {}).items():
        renames[f"Value #{ref_id}"] = name
        overrides.append(
            {
                "matcher": {"id": "byName", "options": name},
                "properties": [{"id": "unit", "value": column_unit}],
            }
        )
    instant = [
        Query(q.expr, q.legend, instant=True, format="table")
        if isinstance(q, Query)
        else Query(q, instant=True, format="table")
        for q in queries
    ]
    return g.Table(
        **_common(title, description, instant, width, height),
        unit=unit,
        transformations=[
            {"id": "merge", "options": {}},
            {
                "id": "organize",
                "options": {
                    "excludeByName": {"Time": True},
                    "indexByName": {},
                    "renameByName": renames,
                },
            },
        ],
        extraJson={
            "fieldConfig": {
                "defaults": {
                    **_field_defaults(unit, thresholds),
                    "custom": {"align": "auto", "filterable": False, "inspect": False},
                },
                "overrides": overrides,
            },
            "options": {
                "cellHeight": "sm",
                "footer": {"countRows": False, "fields": [], "reducer": ["sum"], "show": False},
                "frameIndex": 0,
                "showHeader": True,
                "sortBy": [{"desc": True, "displayName": sort_by}] if sort_by else [],
            },
        },
    )


def heatmap(
    title: str,
    query: QueryLike,
    *,
    unit: str,
    description: str = "",
    width: int = 12,
    height: int = 8,
) -> g.Heatmap:
    """A heatmap of a Prometheus histogram: ``query`` returns bucket rates by ``le``."""
    q = query if isinstance(query, Query) else Query(query)
    target = Query(q.expr, q.legend or "{{le}}", format="heatmap")
    return g.Heatmap(
        title=title,
        description=description,
        dataSource=DATASOURCE,
        targets=_targets([target]),
        gridPos=_size(width, height),
        dataFormat="tsbuckets",
        extraJson={
            "fieldConfig": {
                "defaults": {"custom": {"hideFrom": {"legend": False, "tooltip": False,
                                                     "viz": False},
                                        "scaleDistribution": {"type": "linear"}}},
                "overrides": [],
            },
            "options": {
                "calculate": False,
                "cellGap": 1,
                "color": {"exponent": 0.5, "fill": "dark-orange", "mode": "scheme",
                          "reverse": False, "scale": "exponential", "scheme": "Oranges",
                          "steps": 64},
                "exemplars": {"color": "rgba(255,0,255,0.7)"},
                "legend": {"show": True},
                "rowsFrame": {"layout": "auto"},
                "showValue": "never",
                "tooltip": {"mode": "single", "showColorScale": False, "yHistogram": False},
                "yAxis": {"axisPlacement": "left", "reverse": False, "unit": unit},
            },
        },
    )  # fmt: skip


def text(title: str, content: str, *, width: int = 24, height: int = 3) -> g.Text:
    """A markdown note, for explaining what a row shows."""
    return g.Text(title=title, content=content, mode="markdown", gridPos=_size(width, height))

"""Panel factories: typed constructors for the visualizations a Triton dashboard uses.

Each returns a grafanalib panel with its unit, thresholds, legend, datasource and size
(:mod:`.base`). Options grafanalib cannot express in their current form are passed
through ``extraJson``; :mod:`triton_dashboards.dashboard.render` writes the result in the
shape current Grafana saves. The table, whose columns need more care, is in :mod:`.table`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from grafanalib import core as g

from triton_dashboards.dashboard.panels.base import (
    DATASOURCE,
    DATASOURCE_VARIABLE,
    DEFAULT_THRESHOLDS,
    Query,
    QueryLike,
    Threshold,
    Unit,
    common,
    field_config,
    field_defaults,
    reduce_options,
    series_override,
    size,
    targets,
)
from triton_dashboards.dashboard.panels.table import table

__all__ = [
    "DATASOURCE",
    "DATASOURCE_VARIABLE",
    "Query",
    "Threshold",
    "Unit",
    "bar_gauge",
    "gauge",
    "heatmap",
    "series_override",
    "stat",
    "table",
    "text",
    "timeseries",
]


def timeseries(
    title: str,
    queries: Sequence[QueryLike],
    *,
    unit: str,
    description: str = "",
    thresholds: Sequence[Threshold] = DEFAULT_THRESHOLDS,
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
    defaults = field_defaults(unit, thresholds, min=min, max=max, color_mode="palette-classic")
    defaults["custom"] = custom
    return g.TimeSeries(
        **common(title, description, queries, width, height),
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
    thresholds: Sequence[Threshold] = DEFAULT_THRESHOLDS,
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
        **common(title, description, queries, width, height),
        format=unit,
        noValue=no_value,
        reduceCalc=reduce,
        extraJson={
            "fieldConfig": field_config(unit, thresholds, decimals=decimals, no_value=no_value),
            "options": {
                "colorMode": color_mode,
                "graphMode": graph_mode,
                "justifyMode": "auto",
                "orientation": "auto",
                "percentChangeColorMode": "standard",
                "reduceOptions": reduce_options(reduce),
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
    thresholds: Sequence[Threshold] = DEFAULT_THRESHOLDS,
    reduce: str = "lastNotNull",
    width: int = 6,
    height: int = 6,
) -> g.GaugePanel:
    """A dial between ``min`` and ``max`` with threshold markers."""
    return g.GaugePanel(
        **common(title, description, queries, width, height),
        format=unit,
        min=min,
        max=max,
        extraJson={
            "fieldConfig": field_config(unit, thresholds, min=min, max=max),
            "options": {
                "minVizHeight": 75,
                "minVizWidth": 75,
                "orientation": "auto",
                "reduceOptions": reduce_options(reduce),
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
    thresholds: Sequence[Threshold] = DEFAULT_THRESHOLDS,
    reduce: str = "lastNotNull",
    orientation: str = "horizontal",
    links: Sequence[dict[str, Any]] = (),
    width: int = 12,
    height: int = 8,
) -> g.BarGauge:
    """One bar per series, for comparing models or GPUs at a glance.

    ``links`` are data links on every bar (see :func:`.base.data_link`).
    """
    config = field_config(unit, thresholds, min=min, max=max)
    if links:
        config["defaults"]["links"] = list(links)
    return g.BarGauge(
        **common(title, description, queries, width, height),
        format=unit,
        orientation=orientation,
        extraJson={
            "fieldConfig": config,
            "options": {
                "displayMode": "gradient",
                "legend": {"calcs": [], "displayMode": "list", "placement": "bottom",
                           "showLegend": False},
                "maxVizHeight": 300,
                "minVizHeight": 16,
                "minVizWidth": 8,
                "namePlacement": "auto",
                "orientation": orientation,
                "reduceOptions": reduce_options(reduce),
                "showUnfilled": True,
                "sizing": "auto",
                "valueMode": "color",
            },
        },
    )  # fmt: skip


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
        targets=targets([target]),
        gridPos=size(width, height),
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
    return g.Text(title=title, content=content, mode="markdown", gridPos=size(width, height))

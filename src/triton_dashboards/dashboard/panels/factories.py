"""Panel factories: typed constructors for the visualizations a Triton dashboard uses.

Each returns a :class:`~triton_dashboards.dashboard.schema.panel.Panel` with its unit,
thresholds, legend and datasource (:mod:`.base`). Closed choices (draw style, legend
calcs, reducers, colour and graph modes, orientation) take an enum member
(``panels.DrawStyle.BARS``, from :mod:`triton_dashboards.dashboard.schema.options`) or its
Grafana string (``"bars"``), and a value
Grafana does not know fails here, naming the panel and the allowed values; so does a unit
that is not one of Grafana's. The table, whose columns need more care, is in :mod:`.table`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from triton_dashboards.dashboard.panels.base import (
    DATASOURCE,
    DATASOURCE_VARIABLE,
    DEFAULT_THRESHOLDS,
    Query,
    QueryLike,
    Threshold,
    Unit,
    field_defaults,
    overrides,
    series_override,
    targets,
)
from triton_dashboards.dashboard.panels.table import table
from triton_dashboards.dashboard.schema import viz
from triton_dashboards.dashboard.schema.field import DataLink, Override
from triton_dashboards.dashboard.schema.options import (
    BarGaugeDisplayMode,
    ColorMode,
    DrawStyle,
    GraphMode,
    LegendDisplayMode,
    Orientation,
    QueryFormat,
    Reducer,
    StackingMode,
    StatColorMode,
    TextMode,
    ThresholdsStyle,
    choose,
    choose_all,
)
from triton_dashboards.dashboard.schema.panel import Panel

__all__ = [
    "DATASOURCE",
    "DATASOURCE_VARIABLE",
    "BarGaugeDisplayMode",
    "ColorMode",
    "DrawStyle",
    "GraphMode",
    "LegendDisplayMode",
    "Orientation",
    "Query",
    "Reducer",
    "StatColorMode",
    "TextMode",
    "Threshold",
    "Unit",
    "bar_chart",
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
    draw_style: DrawStyle | str = DrawStyle.LINE,
    fill_opacity: int = 10,
    legend_calcs: Sequence[Reducer | str] = (Reducer.MEAN, Reducer.MAX),
    overrides: Sequence[Override | dict[str, Any]] = (),
) -> Panel:
    """A time series panel; the legend is a table with ``legend_calcs`` per series."""
    calcs = choose_all(Reducer, legend_calcs, "legend_calcs", title)
    return Panel(
        title=title,
        description=description,
        targets=targets(queries, title),
        defaults=field_defaults(
            title, unit, thresholds, min=min, max=max, color=ColorMode.PALETTE_CLASSIC
        ),
        overrides=_overrides(overrides),
        viz=viz.TimeSeries(
            legend=viz.Legend(
                calcs=calcs,
                mode=LegendDisplayMode.TABLE if calcs else LegendDisplayMode.LIST,
            ),
            draw_style=choose(DrawStyle, draw_style, "draw_style", title),
            fill_opacity=fill_opacity,
            stacking=StackingMode.NORMAL if stack else StackingMode.NONE,
            thresholds_style=ThresholdsStyle.DASHED if show_thresholds else ThresholdsStyle.OFF,
        ),
    )


_overrides = overrides


def stat(
    title: str,
    queries: Sequence[QueryLike],
    *,
    unit: str,
    description: str = "",
    thresholds: Sequence[Threshold] = DEFAULT_THRESHOLDS,
    reduce: Reducer | str = Reducer.LAST_NOT_NULL,
    color_mode: StatColorMode | str = StatColorMode.VALUE,
    graph_mode: GraphMode | str = GraphMode.AREA,
    text_mode: TextMode | str = TextMode.AUTO,
    decimals: int | None = None,
    no_value: str | None = None,
) -> Panel:
    """A single big number per series, coloured by ``thresholds``."""
    return Panel(
        title=title,
        description=description,
        targets=targets(queries, title),
        defaults=field_defaults(
            title,
            unit,
            thresholds,
            decimals=decimals,
            no_value=no_value,
            color=ColorMode.THRESHOLDS,
        ),
        viz=viz.Stat(
            reduce=choose(Reducer, reduce, "reduce", title),
            color_mode=choose(StatColorMode, color_mode, "color_mode", title),
            graph_mode=choose(GraphMode, graph_mode, "graph_mode", title),
            text_mode=choose(TextMode, text_mode, "text_mode", title),
        ),
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
    reduce: Reducer | str = Reducer.LAST_NOT_NULL,
) -> Panel:
    """A dial between ``min`` and ``max`` with threshold markers."""
    return Panel(
        title=title,
        description=description,
        targets=targets(queries, title),
        defaults=field_defaults(
            title, unit, thresholds, min=min, max=max, color=ColorMode.THRESHOLDS
        ),
        viz=viz.Gauge(reduce=choose(Reducer, reduce, "reduce", title)),
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
    reduce: Reducer | str = Reducer.LAST_NOT_NULL,
    orientation: Orientation | str = Orientation.HORIZONTAL,
    links: Sequence[DataLink] = (),
) -> Panel:
    """One bar per series, for comparing models or GPUs at a glance.

    ``links`` are data links on every bar (see :func:`.base.data_link`).
    """
    return Panel(
        title=title,
        description=description,
        targets=targets(queries, title),
        defaults=field_defaults(
            title, unit, thresholds, min=min, max=max, color=ColorMode.THRESHOLDS, links=links
        ),
        viz=viz.BarGauge(
            reduce=choose(Reducer, reduce, "reduce", title),
            orientation=choose(Orientation, orientation, "orientation", title),
        ),
    )


def bar_chart(
    title: str,
    queries: Sequence[QueryLike],
    *,
    unit: str,
    description: str = "",
    thresholds: Sequence[Threshold] = DEFAULT_THRESHOLDS,
    orientation: Orientation | str = Orientation.AUTO,
    stack: bool = False,
    legend_calcs: Sequence[Reducer | str] = (),
) -> Panel:
    """Bars per category of instant queries in table format (a label per bar group)."""
    calcs = choose_all(Reducer, legend_calcs, "legend_calcs", title)
    instant = [
        Query(q.expr, q.legend, instant=True, format=QueryFormat.TABLE)
        for q in (x if isinstance(x, Query) else Query(x) for x in queries)
    ]
    return Panel(
        title=title,
        description=description,
        targets=targets(instant, title),
        defaults=field_defaults(title, unit, thresholds, color=ColorMode.PALETTE_CLASSIC),
        viz=viz.BarChart(
            legend=viz.Legend(calcs=calcs),
            orientation=choose(Orientation, orientation, "orientation", title),
            stacking=StackingMode.NORMAL if stack else StackingMode.NONE,
        ),
    )


def heatmap(title: str, query: QueryLike, *, unit: str, description: str = "") -> Panel:
    """A heatmap of a Prometheus histogram: ``query`` returns bucket rates by ``le``."""
    q = query if isinstance(query, Query) else Query(query)
    target = Query(q.expr, q.legend or "{{le}}", format=QueryFormat.HEATMAP)
    return Panel(
        title=title,
        description=description,
        targets=targets([target], title),
        defaults=field_defaults(title, unit),
        viz=viz.Heatmap(unit=unit),
    )


def text(title: str, content: str) -> Panel:
    """A markdown note, for explaining what a row shows."""
    return Panel(title=title, viz=viz.Text(content=content), datasource=None)

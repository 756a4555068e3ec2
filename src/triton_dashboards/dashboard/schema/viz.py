"""Each visualization's options: what Grafana's panel plugin of that type reads.

One frozen class per plugin (``timeseries``, ``stat``, ``gauge``, ``bargauge``, ``table``,
``heatmap``, ``text``, ``barchart``); ``kind`` is the plugin id, :meth:`options` the
``options`` object and :meth:`custom` the plugin's field options
(``fieldConfig.defaults.custom``), both in the shape Grafana saves. Closed choices are
enums of :mod:`.options`; the panel functions check them when a panel is made.
"""

from __future__ import annotations

from typing import Any, ClassVar, Protocol

import attrs

from triton_dashboards.dashboard.schema.options import (
    BarGaugeDisplayMode,
    DrawStyle,
    GraphMode,
    LegendDisplayMode,
    LegendPlacement,
    Orientation,
    Reducer,
    SortOrder,
    StackingMode,
    StatColorMode,
    TextDisplayMode,
    TextMode,
    ThresholdsStyle,
    TooltipMode,
)

__all__ = [
    "BarChart",
    "BarGauge",
    "Gauge",
    "Heatmap",
    "Legend",
    "Stat",
    "Table",
    "Text",
    "TimeSeries",
    "Tooltip",
    "Viz",
]

_HIDE_FROM = {"legend": False, "tooltip": False, "viz": False}


class Viz(Protocol):
    """What every visualization class gives the writers."""

    kind: ClassVar[str]

    def options(self) -> dict[str, Any]: ...

    def custom(self) -> dict[str, Any] | None: ...


def _reduce(calc: Reducer) -> dict[str, Any]:
    return {"calcs": [str(calc)], "fields": "", "values": False}


@attrs.frozen
class Legend:
    calcs: tuple[Reducer, ...] = ()
    mode: LegendDisplayMode = LegendDisplayMode.LIST
    placement: LegendPlacement = LegendPlacement.BOTTOM
    show: bool = True

    def to_json(self) -> dict[str, Any]:
        return {
            "calcs": [str(c) for c in self.calcs],
            "displayMode": str(self.mode),
            "placement": str(self.placement),
            "showLegend": self.show,
        }


@attrs.frozen
class Tooltip:
    mode: TooltipMode = TooltipMode.MULTI
    sort: SortOrder = SortOrder.DESCENDING

    def to_json(self) -> dict[str, Any]:
        return {"mode": str(self.mode), "sort": str(self.sort)}


@attrs.frozen
class TimeSeries:
    """Lines, bars or points over time."""

    kind: ClassVar[str] = "timeseries"
    legend: Legend = Legend()
    tooltip: Tooltip = Tooltip()
    draw_style: DrawStyle = DrawStyle.LINE
    fill_opacity: int = 10
    line_width: int = 1
    stacking: StackingMode = StackingMode.NONE
    thresholds_style: ThresholdsStyle = ThresholdsStyle.OFF

    def options(self) -> dict[str, Any]:
        return {"legend": self.legend.to_json(), "tooltip": self.tooltip.to_json()}

    def custom(self) -> dict[str, Any]:
        return {
            "axisLabel": "",
            "axisPlacement": "auto",
            "barAlignment": 0,
            "drawStyle": str(self.draw_style),
            "fillOpacity": self.fill_opacity,
            "gradientMode": "none",
            "hideFrom": dict(_HIDE_FROM),
            "lineInterpolation": "linear",
            "lineWidth": self.line_width,
            "pointSize": 5,
            "scaleDistribution": {"log": 2, "type": "linear"},
            "showPoints": "never",
            "spanNulls": False,
            "stacking": {"group": "A", "mode": str(self.stacking)},
            "thresholdsStyle": {"mode": str(self.thresholds_style)},
        }


@attrs.frozen
class Stat:
    """One big number per series."""

    kind: ClassVar[str] = "stat"
    reduce: Reducer = Reducer.LAST_NOT_NULL
    color_mode: StatColorMode = StatColorMode.VALUE
    graph_mode: GraphMode = GraphMode.AREA
    text_mode: TextMode = TextMode.AUTO
    orientation: Orientation = Orientation.AUTO

    def options(self) -> dict[str, Any]:
        return {
            "colorMode": str(self.color_mode),
            "graphMode": str(self.graph_mode),
            "justifyMode": "auto",
            "orientation": str(self.orientation),
            "percentChangeColorMode": "standard",
            "reduceOptions": _reduce(self.reduce),
            "showPercentChange": False,
            "textMode": str(self.text_mode),
            "wideLayout": True,
        }

    def custom(self) -> None:
        return None


@attrs.frozen
class Gauge:
    """A dial with threshold markers."""

    kind: ClassVar[str] = "gauge"
    reduce: Reducer = Reducer.LAST_NOT_NULL
    orientation: Orientation = Orientation.AUTO

    def options(self) -> dict[str, Any]:
        return {
            "minVizHeight": 75,
            "minVizWidth": 75,
            "orientation": str(self.orientation),
            "reduceOptions": _reduce(self.reduce),
            "showThresholdLabels": False,
            "showThresholdMarkers": True,
            "sizing": "auto",
        }

    def custom(self) -> None:
        return None


@attrs.frozen
class BarGauge:
    """One bar per series."""

    kind: ClassVar[str] = "bargauge"
    reduce: Reducer = Reducer.LAST_NOT_NULL
    orientation: Orientation = Orientation.HORIZONTAL
    display_mode: BarGaugeDisplayMode = BarGaugeDisplayMode.GRADIENT

    def options(self) -> dict[str, Any]:
        legend = Legend(show=False)
        return {
            "displayMode": str(self.display_mode),
            "legend": legend.to_json(),
            "maxVizHeight": 300,
            "minVizHeight": 16,
            "minVizWidth": 8,
            "namePlacement": "auto",
            "orientation": str(self.orientation),
            "reduceOptions": _reduce(self.reduce),
            "showUnfilled": True,
            "sizing": "auto",
            "valueMode": "color",
        }

    def custom(self) -> None:
        return None


@attrs.frozen
class Table:
    """Rows of instant values; ``sort_by`` is the display name of the column sorted on."""

    kind: ClassVar[str] = "table"
    sort_by: str | None = None
    descending: bool = True

    def options(self) -> dict[str, Any]:
        return {
            "cellHeight": "sm",
            "footer": {"countRows": False, "fields": [], "reducer": ["sum"], "show": False},
            "frameIndex": 0,
            "showHeader": True,
            "sortBy": (
                [{"desc": self.descending, "displayName": self.sort_by}] if self.sort_by else []
            ),
        }

    def custom(self) -> dict[str, Any]:
        return {"align": "auto", "filterable": False, "inspect": False}


@attrs.frozen
class Heatmap:
    """Buckets over time, from a Prometheus histogram (the buckets are not recalculated)."""

    kind: ClassVar[str] = "heatmap"
    unit: str = "short"

    def options(self) -> dict[str, Any]:
        return {
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
            "yAxis": {"axisPlacement": "left", "reverse": False, "unit": self.unit},
        }  # fmt: skip

    def custom(self) -> dict[str, Any]:
        return {"hideFrom": dict(_HIDE_FROM), "scaleDistribution": {"type": "linear"}}


@attrs.frozen
class Text:
    """Markdown (or HTML, or code) between the panels."""

    kind: ClassVar[str] = "text"
    content: str = ""
    mode: TextDisplayMode = TextDisplayMode.MARKDOWN

    def options(self) -> dict[str, Any]:
        return {"content": self.content, "mode": str(self.mode)}

    def custom(self) -> None:
        return None


@attrs.frozen
class BarChart:
    """Bars per category (the first string field of instant, table-format data)."""

    kind: ClassVar[str] = "barchart"
    legend: Legend = Legend()
    tooltip: Tooltip = Tooltip()
    orientation: Orientation = Orientation.AUTO
    stacking: StackingMode = StackingMode.NONE
    fill_opacity: int = 80

    def options(self) -> dict[str, Any]:
        return {
            "barWidth": 0.97,
            "fullHighlight": False,
            "groupWidth": 0.7,
            "legend": self.legend.to_json(),
            "orientation": str(self.orientation),
            "showValue": "auto",
            "stacking": str(self.stacking),
            "tooltip": self.tooltip.to_json(),
            "xTickLabelMaxLength": 0,
            "xTickLabelRotation": 0,
        }

    def custom(self) -> dict[str, Any]:
        return {
            "axisPlacement": "auto",
            "fillOpacity": self.fill_opacity,
            "gradientMode": "none",
            "hideFrom": dict(_HIDE_FROM),
            "lineWidth": 1,
            "scaleDistribution": {"type": "linear"},
        }

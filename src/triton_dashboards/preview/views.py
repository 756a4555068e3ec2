"""What each panel shows, decided in Python and handed to the page as plain data.

Every number on a preview page is formatted here (:mod:`.units`), never in the browser, so
the page shows exactly the text a test can compute from Prometheus' answer, and the axis
ticks of a time series carry Grafana's unit formatting too. The page's script only draws:
uPlot for time series, boxes and arcs for the rest.

Per kind, as Grafana draws it: a **stat** reduces each series with ``reduceOptions.calcs``
and colours it by its thresholds (``noValue`` when nothing came back); a **gauge** and a
**bar gauge** add where the value sits between min and max; a **table** is the merged
frame with each column in its unit and the panel's data links; a **time series** is one
line per result series named by ``legendFormat``, palette colours unless an override fixes
one, stacked when the panel stacks, with the legend's calcs (mean, max) formatted.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from triton_dashboards.preview import colors, frames, links, markdown, page, units
from triton_dashboards.preview.frames import Series, Target

__all__ = ["panel_view"]

#: Grafana's legend headers for the calcs the stock dashboards use.
_CALC_NAMES = {"mean": "Mean", "max": "Max", "min": "Min", "lastNotNull": "Last *",
               "last": "Last", "sum": "Total", "count": "Count"}  # fmt: skip
_NO_DATA = "No data"


def _defaults(panel: Mapping[str, Any]) -> Mapping[str, Any]:
    return (panel.get("fieldConfig") or {}).get("defaults") or {}


def _override(panel: Mapping[str, Any], name: str, prop: str) -> Any:
    """The last override of ``prop`` whose matcher (byName, byRegexp) matches ``name``."""
    found = None
    for override in (panel.get("fieldConfig") or {}).get("overrides") or []:
        matcher = override.get("matcher") or {}
        option = str(matcher.get("options") or "")
        kind = matcher.get("id")
        matches = (kind == "byName" and option == name) or (
            kind == "byRegexp" and re.fullmatch(option.strip("/"), name) is not None
        )
        if matches:
            for p in override.get("properties") or []:
                if p.get("id") == prop:
                    found = p.get("value")
    return found


def _formatter(panel: Mapping[str, Any], name: str = "") -> Callable[[float | None], str]:
    defaults = _defaults(panel)
    unit = _override(panel, name, "unit") or defaults.get("unit")
    decimals = _override(panel, name, "decimals")
    decimals = defaults.get("decimals") if decimals is None else decimals
    return lambda value: units.format_value(value, unit, decimals)


def _calc(panel: Mapping[str, Any]) -> str:
    calcs = ((panel.get("options") or {}).get("reduceOptions") or {}).get("calcs") or []
    return str(calcs[0]) if calcs else "lastNotNull"


def _reduced(panel: Mapping[str, Any], series: Sequence[Series]) -> list[dict[str, Any]]:
    """Each series as one value: name, text, number, and colour by the thresholds."""
    defaults = _defaults(panel)
    calc = _calc(panel)
    out = []
    for s in series:
        value = frames.reduce(s, calc)
        if value is None:
            continue
        out.append(
            {
                "name": s.name,
                "value": value,
                "text": _formatter(panel, s.name)(value),
                "color": colors.threshold_color(value, defaults.get("thresholds")),
            }
        )
    return out


def _no_value(panel: Mapping[str, Any]) -> str:
    return str(_defaults(panel).get("noValue") or _NO_DATA)


def _stat(panel: Mapping[str, Any], series: Sequence[Series]) -> dict[str, Any]:
    values = _reduced(panel, series)
    options = panel.get("options") or {}
    if not values and _defaults(panel).get("noValue") is not None:
        text = _no_value(panel)
        color = colors.threshold_color(_number(text), _defaults(panel).get("thresholds"))
        values = [{"name": "", "value": _number(text), "text": text, "color": color}]
    spark = []
    if options.get("graphMode") == "area":
        spark = [[v for _, v in s.points if not math.isnan(v)] for s in series]
    return {"values": values, "colorMode": options.get("colorMode") or "value", "spark": spark}


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _range(panel: Mapping[str, Any], values: Sequence[float]) -> tuple[float, float]:
    """A gauge's min and max: the panel's, else from the data (0 at least as the floor)."""
    defaults = _defaults(panel)
    low = defaults.get("min")
    high = defaults.get("max")
    low = float(low) if low is not None else min([0.0, *values])
    high = float(high) if high is not None else max([low + 1e-12, *values])
    return low, high


def _gauge(panel: Mapping[str, Any], series: Sequence[Series]) -> dict[str, Any]:
    values = _reduced(panel, series)
    low, high = _range(panel, [v["value"] for v in values])
    thresholds = _defaults(panel).get("thresholds")
    for v in values:
        v["fraction"] = _fraction(v["value"], low, high)
        v["color"] = colors.threshold_color(v["value"], thresholds, low, high)
    steps = [
        {"color": colors.named(s.get("color")), "from": _fraction(s.get("value"), low, high)}
        for s in (thresholds or {}).get("steps") or []
    ]
    return {"values": values, "steps": steps}


def _fraction(value: float | None, low: float, high: float) -> float:
    if value is None:
        return 0.0
    return min(1.0, max(0.0, (value - low) / (high - low))) if high > low else 0.0


def _bargauge(
    panel: Mapping[str, Any], series: Sequence[Series], link: links.Linker
) -> dict[str, Any]:
    """Bars as a gauge's values; a bar with the panel's data link leads to its page."""
    view = _gauge(panel, series)
    field_links = _defaults(panel).get("links") or []
    if field_links:
        shown = [s for s in series if frames.reduce(s, _calc(panel)) is not None]
        for bar, s in zip(view["values"], shown, strict=True):
            bar["href"] = link(field_links[0]["url"], s.labels)
    options = panel.get("options") or {}
    return {
        "bars": view["values"],
        "orientation": options.get("orientation") or "horizontal",
        "displayMode": options.get("displayMode") or "gradient",
    }


def _table(
    panel: Mapping[str, Any], targets: Sequence[Target], link: links.Linker
) -> dict[str, Any]:
    table = frames.table_of(panel, targets)
    field_links = _defaults(panel).get("links") or []
    rows = []
    for row, labels in zip(table.rows, table.labels, strict=True):
        href = link(field_links[0]["url"], labels) if field_links else None
        cells = []
        for column, cell in zip(table.columns, row, strict=True):
            if isinstance(cell, float):
                text = _formatter(panel, column)(None if math.isnan(cell) else cell)
            else:
                text = "" if cell is None else str(cell)
            cells.append({"text": text, "href": href})
        rows.append(cells)
    return {"columns": list(table.columns), "rows": rows}


def _nice_step(span: float, ticks: int) -> float:
    raw = span / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    return float(next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw))


def _step_decimals(unit: str | None, step: float, high: float) -> int | None:
    """Decimals that tell ticks ``step`` apart, for units written without scaling (plain
    numbers, percentages): ``0.02, 0.04`` rather than ``0.0200``. Scaled units (time,
    bytes, rates) take the automatic decimals of the scaled number."""
    scale = {None: 1.0, "none": 1.0, "short": 1.0, "percent": 1.0, "percentunit": 100.0}
    if unit not in scale or (unit == "short" and high >= 1000):
        return None
    scaled = round(step * scale[unit], 9)
    text = f"{scaled:.9f}".rstrip("0").rstrip(".")
    return len(text.split(".")[1]) if "." in text else 0


def _tick_count(panel: Mapping[str, Any], legend_rows: int) -> int:
    """About one tick per 40 px of plot, as uPlot spaces Grafana's axes: the plot is the
    panel's height less its title, axis labels and legend."""
    rows = int((panel.get("gridPos") or {}).get("h") or 8)
    plot = rows * page.CELL - 8 - 28 - 30 - min(legend_rows, 6) * 18
    return max(2, min(5, plot // 40))


def _axis(
    panel: Mapping[str, Any], lows: Sequence[float], highs: Sequence[float], ticks: int
) -> dict[str, Any]:
    """The y axis: its range (the panel's min/max, else the data's, from 0 when all are
    positive) and about ``ticks`` ticks, labelled in the panel's unit and decimals (or
    the automatic ones: ``500 ms``, ``25%``)."""
    defaults = _defaults(panel)
    low = float(defaults["min"]) if defaults.get("min") is not None else min([0.0, *lows])
    high = float(defaults["max"]) if defaults.get("max") is not None else max([0.0, *highs])
    if high <= low:
        high = low + (abs(low) or 1.0)
    step = _nice_step(high - low, ticks)
    if defaults.get("max") is None:
        high = math.ceil(high / step - 1e-9) * step
    first = math.ceil(low / step - 1e-9) * step
    values = [first + i * step for i in range(int((high - first) / step + 1e-9) + 1)]
    unit = defaults.get("unit")
    decimals = defaults.get("decimals")
    if decimals is None:
        decimals = _step_decimals(unit, step, max(abs(low), abs(high)))
    return {
        "min": low,
        "max": high,
        "ticks": values,
        "labels": [units.format_value(t, unit, decimals) for t in values],
    }


def _timeseries(panel: Mapping[str, Any], series: Sequence[Series]) -> dict[str, Any]:
    custom = _defaults(panel).get("custom") or {}
    stacked = ((custom.get("stacking") or {}).get("mode") or "none") != "none"
    times = sorted({t for s in series for t, _ in s.points})
    index = {t: i for i, t in enumerate(times)}
    lines: list[list[float | None]] = []
    for s in series:
        line: list[float | None] = [None] * len(times)
        for t, v in s.points:
            line[index[t]] = None if math.isnan(v) else v
        lines.append(line)
    drawn = lines
    if stacked:  # each series drawn on top of the ones before it
        totals = [0.0] * len(times)
        drawn = []
        for line in lines:
            totals = [a + (b or 0.0) for a, b in zip(totals, line, strict=True)]
            drawn.append([t if v is not None else None for t, v in zip(totals, line, strict=True)])
    numbers = [v for line in drawn for v in line if v is not None]
    legend = (panel.get("options") or {}).get("legend") or {}
    calcs = [c for c in legend.get("calcs") or [] if c in frames.REDUCERS]
    out_series = []
    for i, (s, line) in enumerate(zip(series, drawn, strict=True)):
        fixed = (_override(panel, s.name, "color") or {}).get("fixedColor")
        color = (
            colors.named(fixed)
            if fixed
            else colors.CLASSIC_PALETTE[i % len(colors.CLASSIC_PALETTE)]
        )
        fmt = _formatter(panel, s.name)
        out_series.append(
            {
                "name": s.name,
                "color": color,
                "values": line,
                "calcs": [fmt(frames.reduce(s, c)) for c in calcs],
            }
        )
    return {
        "times": times,
        "series": out_series,
        "axis": _axis(panel, numbers, numbers, _tick_count(panel, len(series) + 1)),
        "stacked": stacked,
        "bars": custom.get("drawStyle") == "bars",
        "fill": float(custom.get("fillOpacity") or 0) / 100,
        "lineWidth": custom.get("lineWidth") or 1,
        "legend": {
            "show": legend.get("showLegend", True),
            "calcs": [_CALC_NAMES.get(c, c) for c in calcs],
        },
    }


def panel_view(
    panel: Mapping[str, Any],
    targets: Sequence[Target],
    errors: Sequence[str],
    link: links.Linker,
) -> dict[str, Any]:
    """Everything the page needs to draw ``panel`` from its targets' answers."""
    kind = str(panel.get("type") or "")
    view: dict[str, Any] = {
        "kind": kind,
        "id": panel.get("id"),
        "title": link.interpolate_title(str(panel.get("title") or "")),
        "description": str(panel.get("description") or ""),
        "errors": list(errors),
        "noData": _no_value(panel),
    }
    series = frames.series_of(targets)
    if kind == "timeseries":
        view.update(_timeseries(panel, series))
    elif kind == "stat":
        view.update(_stat(panel, series))
    elif kind == "gauge":
        view.update(_gauge(panel, series))
    elif kind == "bargauge":
        view.update(_bargauge(panel, series, link))
    elif kind == "table":
        view.update(_table(panel, targets, link))
    elif kind == "text":
        options = panel.get("options") or {}
        content = str(options.get("content") or "")
        mode = options.get("mode") or "markdown"
        if mode == "html":  # shown as its text: a dashboard puts no markup on the page
            content = re.sub(r"<[^>]*>", " ", content)
        view["html"] = (
            markdown.to_html(content)
            if mode == "markdown"
            else f"<pre>{html.escape(content)}</pre>"
        )
    else:
        view["kind"] = "unsupported"
        view["type"] = kind
    return view

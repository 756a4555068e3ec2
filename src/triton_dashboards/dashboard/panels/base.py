"""What every panel factory shares: the datasource, units, thresholds, queries, size.

Each panel carries everything Grafana needs to show the number right: the unit (``µs`` is
U+00B5 MICRO SIGN + "s", Grafana's unit id), thresholds, a legend that names the series,
the Prometheus datasource as a ``{type, uid}`` reference to the ``$datasource`` variable,
and a size hint in ``gridPos`` (x and y are filled in by
:mod:`triton_dashboards.dashboard.layout`).
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
    "DEFAULT_THRESHOLDS",
    "Query",
    "QueryLike",
    "Threshold",
    "Unit",
    "common",
    "data_link",
    "field_config",
    "field_defaults",
    "reduce_options",
    "series_override",
    "size",
    "targets",
    "threshold_steps",
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

DEFAULT_THRESHOLDS: tuple[Threshold, ...] = ((None, "green"),)


@attrs.frozen
class Query:
    """One Prometheus query of a panel: the expression and how to name its series.

    In a table, ``column`` is the title of the column the query fills and ``unit`` that
    column's unit: they travel with the query, so reordering queries cannot mislabel a
    column.
    """

    expr: Expr | str
    legend: str = ""
    instant: bool = False
    format: str = "time_series"
    column: str | None = None
    unit: str | None = None

    def __attrs_post_init__(self) -> None:
        if self.unit is not None and self.column is None:
            raise ValueError(f"query {self.expr}: a unit needs a column title (column=...)")


QueryLike: TypeAlias = Query | Expr


def targets(queries: Sequence[QueryLike]) -> list[g.Target]:
    """The queries as Grafana targets, lettered A, B, C, ... in order."""
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


def threshold_steps(steps: Sequence[Threshold]) -> dict[str, Any]:
    """Grafana's absolute thresholds; the steps must start at -infinity and increase."""
    if not steps or steps[0][0] is not None:
        raise ValueError("the first threshold step must have the value None (-infinity)")
    values = [v for v, _ in steps[1:]]
    if any(v is None for v in values) or values != sorted(values):  # type: ignore[type-var]
        raise ValueError(f"threshold values must be increasing numbers, got {values}")
    return {"mode": "absolute", "steps": [{"color": c, "value": v} for v, c in steps]}


def field_defaults(
    unit: str,
    thresholds: Sequence[Threshold],
    *,
    min: float | None = None,
    max: float | None = None,
    decimals: int | None = None,
    no_value: str | None = None,
    color_mode: str | None = None,
) -> dict[str, Any]:
    """``fieldConfig.defaults``: unit, thresholds and the optional display settings."""
    defaults: dict[str, Any] = {"unit": unit, "thresholds": threshold_steps(thresholds)}
    optional = {"min": min, "max": max, "decimals": decimals, "noValue": no_value}
    defaults.update({k: v for k, v in optional.items() if v is not None})
    if color_mode:
        defaults["color"] = {"mode": color_mode}
    return defaults


def size(width: int, height: int) -> g.GridPos:
    """A size on the 24-column grid; the layout places it."""
    if not 1 <= width <= 24:
        raise ValueError(f"panel width {width} is outside the 24-column grid (1..24)")
    if height < 1:
        raise ValueError(f"panel height {height} must be at least 1")
    return g.GridPos(h=height, w=width, x=0, y=0)


def common(
    title: str, description: str, queries: Sequence[QueryLike], width: int, height: int
) -> dict[str, Any]:
    """What every data panel takes: title, description, datasource, targets, size."""
    return {
        "title": title,
        "description": description,
        "dataSource": DATASOURCE,
        "targets": targets(queries),
        "gridPos": size(width, height),
    }


def reduce_options(calc: str) -> dict[str, Any]:
    """How a stat, gauge or bar gauge reduces a series to one value."""
    return {"calcs": [calc], "fields": "", "values": False}


def series_override(name_regex: str, color: str) -> dict[str, Any]:
    """A field override that draws the series matching ``name_regex`` in ``color``."""
    return {
        "matcher": {"id": "byRegexp", "options": name_regex},
        "properties": [{"id": "color", "value": {"fixedColor": color, "mode": "fixed"}}],
    }


def field_config(
    unit: str,
    steps: Sequence[Threshold],
    *,
    min: float | None = None,
    max: float | None = None,
    decimals: int | None = None,
    no_value: str | None = None,
) -> dict[str, Any]:
    """``fieldConfig`` of a panel coloured by its thresholds (stat, gauge, bar gauge)."""
    defaults = field_defaults(
        unit, steps, min=min, max=max, decimals=decimals, no_value=no_value,
        color_mode="thresholds",
    )  # fmt: skip
    return {"defaults": defaults, "overrides": []}


def data_link(title: str, uid: str, params: Sequence[str]) -> dict[str, Any]:
    """A data link to dashboard ``uid`` with the time range and ``params`` in the URL.

    ``params`` are query parameters as Grafana interpolates them per clicked value, e.g.
    ``var-model=${__field.labels.model}`` or ``${namespace:queryparam}``.

    Grafana reads ``title``, ``url`` and ``targetBlank`` of a data link; the schema of
    the current model (grafana-foundation-sdk) types field links as dashboard links, so
    the other keys are written too, with the values that change nothing.
    """
    query = "&".join(["${__url_time_range}", *params])
    return {
        "asDropdown": False,
        "icon": "dashboard",
        "includeVars": False,
        "keepTime": False,
        "tags": [],
        "targetBlank": False,
        "title": title,
        "tooltip": "",
        "type": "link",
        "url": f"/d/{uid}?{query}",
    }

"""What every panel factory shares: the datasource, units, thresholds, queries, links.

Each panel carries everything Grafana needs to show the number right: the unit (``µs`` is
U+00B5 MICRO SIGN + "s", Grafana's unit id, checked against Grafana's list), thresholds, a
legend that names the series, and the Prometheus datasource as a ``{type, uid}`` reference
to the ``$datasource`` variable. Panels are :class:`~triton_dashboards.dashboard.schema.panel.Panel`
objects; where they sit is the layout's business (:mod:`triton_dashboards.dashboard.layout`).
"""

from __future__ import annotations

import string
from collections.abc import Sequence
from typing import Any, TypeAlias

import attrs

from triton_dashboards.dashboard.schema.field import (
    DataLink,
    FieldDefaults,
    Override,
    Thresholds,
    check_unit,
)
from triton_dashboards.dashboard.schema.options import ColorMode, QueryFormat, choose
from triton_dashboards.dashboard.schema.panel import DATASOURCE, DATASOURCE_VARIABLE, Target
from triton_dashboards.promql import Expr

__all__ = [
    "DATASOURCE",
    "DATASOURCE_VARIABLE",
    "DEFAULT_THRESHOLDS",
    "Query",
    "QueryLike",
    "Threshold",
    "Unit",
    "data_link",
    "field_defaults",
    "overrides",
    "series_override",
    "targets",
    "threshold_steps",
]


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
    format: QueryFormat | str = QueryFormat.TIME_SERIES
    column: str | None = None
    unit: str | None = None

    def __attrs_post_init__(self) -> None:
        if self.unit is not None and self.column is None:
            raise ValueError(f"query {self.expr}: a unit needs a column title (column=...)")


QueryLike: TypeAlias = Query | Expr


def targets(queries: Sequence[QueryLike], panel: str = "") -> list[Target]:
    """The queries as Grafana targets, lettered A, B, C, ... in order."""
    if len(queries) > len(string.ascii_uppercase):
        raise ValueError("a panel takes at most 26 queries")
    out = []
    for ref_id, query in zip(string.ascii_uppercase, queries, strict=False):
        q = query if isinstance(query, Query) else Query(query)
        out.append(
            Target(
                expr=str(q.expr),
                ref_id=ref_id,
                legend=q.legend,
                instant=q.instant,
                format=choose(QueryFormat, q.format, "format", panel),
                datasource=DATASOURCE,
            )
        )
    return out


def threshold_steps(steps: Sequence[Threshold]) -> Thresholds:
    """Grafana's absolute thresholds; the steps must start at -infinity and increase."""
    return Thresholds(steps)


def field_defaults(
    panel: str,
    unit: str,
    thresholds: Sequence[Threshold] = DEFAULT_THRESHOLDS,
    *,
    min: float | None = None,
    max: float | None = None,
    decimals: int | None = None,
    no_value: str | None = None,
    color: ColorMode | None = None,
    links: Sequence[DataLink] = (),
) -> FieldDefaults:
    """``fieldConfig.defaults`` of ``panel``: unit (checked), thresholds, display settings."""
    return FieldDefaults(
        unit=check_unit(unit, panel),
        thresholds=threshold_steps(thresholds),
        color=color,
        min=min,
        max=max,
        decimals=decimals,
        no_value=no_value,
        links=tuple(links),
    )


def series_override(name_regex: str, color: str) -> Override:
    """A field override that draws the series matching ``name_regex`` in ``color``."""
    return Override("byRegexp", name_regex, (("color", {"fixedColor": color, "mode": "fixed"}),))


def overrides(items: Sequence[Override | dict[str, Any]]) -> tuple[Override, ...]:
    """Overrides from the model or from the JSON Grafana stores."""
    return tuple(o if isinstance(o, Override) else Override.from_json(o) for o in items)


def data_link(title: str, uid: str, params: Sequence[str]) -> DataLink:
    """A data link to dashboard ``uid`` with the time range and ``params`` in the URL.

    ``params`` are query parameters as Grafana interpolates them per clicked value, e.g.
    ``var-model=${__field.labels.model}`` or ``${namespace:queryparam}``.
    """
    query = "&".join(["${__url_time_range}", *params])
    return DataLink(title=title, url=f"/d/{uid}?{query}")

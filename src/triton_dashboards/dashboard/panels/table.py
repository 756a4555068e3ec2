"""The table panel: instant queries merged on their labels, one row per series.

Each column's title and unit travel with the query that fills it (``Query(expr,
column="requests/s", unit=Unit.REQUESTS_PER_SECOND)``): Grafana names a query's value
column by the query's letter, and letters follow the order of the queries, so a mapping
kept apart from the queries would mislabel every column after a reorder.
"""

from __future__ import annotations

import string
from collections.abc import Mapping, Sequence

import attrs

from triton_dashboards.dashboard.panels.base import (
    DEFAULT_THRESHOLDS,
    Query,
    QueryLike,
    Threshold,
    Unit,
    field_defaults,
    targets,
)
from triton_dashboards.dashboard.schema import viz
from triton_dashboards.dashboard.schema.field import DataLink, Override, check_unit
from triton_dashboards.dashboard.schema.options import QueryFormat
from triton_dashboards.dashboard.schema.panel import Panel, Transformation

__all__ = ["table"]


def _columns(
    queries: Sequence[Query], by_ref_id: Mapping[str, tuple[str, str]]
) -> list[tuple[str, str, str]]:
    """``(refId, title, unit)`` of each titled column, in query order."""
    ref_ids = string.ascii_uppercase[: len(queries)]
    unknown = sorted(set(by_ref_id) - set(ref_ids))
    if unknown:
        have = f"{ref_ids[0]}-{ref_ids[-1]}" if ref_ids else "none"
        raise ValueError(
            f"table column {unknown[0]!r} names no query (the queries are {have}); "
            "give the column on its query instead: Query(expr, column=..., unit=...)"
        )
    out = []
    for ref_id, query in zip(ref_ids, queries, strict=True):
        if query.column is not None and ref_id in by_ref_id:
            raise ValueError(f"table column {ref_id!r} is given twice: on the query and in columns")
        if query.column is not None:
            out.append((ref_id, query.column, query.unit or Unit.COUNT))
        elif ref_id in by_ref_id:
            out.append((ref_id, *by_ref_id[ref_id]))
    return out


def table(
    title: str,
    queries: Sequence[QueryLike],
    *,
    unit: str = Unit.COUNT,
    description: str = "",
    columns: Mapping[str, tuple[str, str]] | None = None,
    thresholds: Sequence[Threshold] = DEFAULT_THRESHOLDS,
    sort_by: str | None = None,
    links: Sequence[DataLink] = (),
) -> Panel:
    """A table of instant queries joined on their labels, one row per series.

    A query's ``column`` and ``unit`` title its value column. ``columns`` (refId ->
    ``(title, unit)``) is the older way; a refId there that names no query is an error.
    """
    instant = [
        attrs.evolve(q if isinstance(q, Query) else Query(q), instant=True,
                     format=QueryFormat.TABLE)
        for q in queries
    ]  # fmt: skip
    overrides = []
    renames: dict[str, str] = {}
    for ref_id, name, column_unit in _columns(instant, columns or {}):
        renames[f"Value #{ref_id}"] = name
        check_unit(column_unit, title, f"the unit of column {name!r}")
        overrides.append(Override("byName", name, (("unit", column_unit),)))
    return Panel(
        title=title,
        description=description,
        targets=targets(instant, title),
        defaults=field_defaults(title, unit, thresholds, links=links),
        overrides=overrides,
        transformations=[
            Transformation("merge"),
            Transformation(
                "organize",
                {"excludeByName": {"Time": True}, "indexByName": {}, "renameByName": renames},
            ),
        ],
        viz=viz.Table(sort_by=sort_by),
    )

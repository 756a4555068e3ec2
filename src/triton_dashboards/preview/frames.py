"""Prometheus answers turned into what a Grafana panel works on: named series and tables.

Grafana's Prometheus data source gives each result series a name from the target's
``legendFormat`` (``{{model}} v{{version}}`` with the series' labels; ``__auto`` or none:
the labels as ``{a="b"}``, or the expression when there are none). A panel reduces a
series to one number with its ``reduceOptions.calcs`` (``lastNotNull``, ``mean``, ...),
skipping the points Prometheus had no number for (NaN). A table target (``format:
table``) is a frame of ``Time``, one column per label and ``Value`` (``Value #A`` when the
panel has several targets); the ``merge`` transformation joins the frames' rows on equal
labels and ``organize`` drops, renames and orders columns.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs

__all__ = [
    "REDUCERS",
    "Series",
    "Table",
    "legend_name",
    "reduce",
    "series_of",
    "table_of",
]

_LEGEND_LABEL = re.compile(r"\{\{\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}")


@attrs.frozen
class Target:
    """What a panel needs of one target as it ran: its refId, template and result items."""

    ref_id: str
    target: Mapping[str, Any]
    expr: str
    items: Sequence[Mapping[str, Any]]


@attrs.frozen
class Series:
    """One result series: its legend name, labels, and (time, value) points (NaN: no value)."""

    name: str
    labels: Mapping[str, str]
    ref_id: str
    points: tuple[tuple[float, float], ...]

    def values(self) -> list[float]:
        return [v for _, v in self.points if not math.isnan(v)]


def legend_name(legend_format: str | None, labels: Mapping[str, str], expr: str) -> str:
    """The series' display name, as Grafana's Prometheus data source writes it."""
    if legend_format and legend_format != "__auto":
        return _LEGEND_LABEL.sub(lambda m: labels.get(m.group(1), ""), legend_format)
    shown = {k: v for k, v in labels.items() if k != "__name__"}
    if not shown:
        return labels.get("__name__", expr)
    body = ", ".join(f'{k}="{v}"' for k, v in sorted(shown.items()))
    return f"{labels.get('__name__', '')}{{{body}}}"


def _points(item: Mapping[str, Any]) -> tuple[tuple[float, float], ...]:
    raw = item.get("values") or ([item["value"]] if "value" in item else [])
    return tuple((float(t), float(v)) for t, v in raw)


def series_of(targets: Sequence[Target]) -> list[Series]:
    """Every result series of a panel's targets, in target order, named by legendFormat."""
    out = []
    for target in targets:
        legend = target.target.get("legendFormat")
        for item in target.items:
            labels = {str(k): str(v) for k, v in (item.get("metric") or {}).items()}
            name = legend_name(legend, labels, target.expr)
            out.append(Series(name, labels, target.ref_id, _points(item)))
    return out


def _last(values: list[float]) -> float | None:
    return values[-1] if values else None


REDUCERS: Mapping[str, Callable[[list[float]], float | None]] = {
    "lastNotNull": _last,
    "last": _last,
    "firstNotNull": lambda v: v[0] if v else None,
    "first": lambda v: v[0] if v else None,
    "mean": lambda v: sum(v) / len(v) if v else None,
    "max": lambda v: max(v) if v else None,
    "min": lambda v: min(v) if v else None,
    "sum": lambda v: sum(v) if v else None,
    "count": lambda v: float(len(v)),
    "range": lambda v: max(v) - min(v) if v else None,
    "delta": lambda v: v[-1] - v[0] if v else None,
}


def reduce(series: Series, calc: str) -> float | None:
    """``series`` reduced by Grafana's ``calc`` (points without a number are skipped)."""
    reducer = REDUCERS.get(calc)
    if reducer is None:
        raise ValueError(f"reducer {calc!r} is not drawn by the preview")
    return reducer(series.values())


@attrs.frozen
class Table:
    """A table panel's data after its transformations: column names and rows of cells."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str | float | None, ...], ...]
    labels: tuple[Mapping[str, str], ...]  # each row's labels, for data links


def _frames(targets: Sequence[Target]) -> list[tuple[list[str], list[dict[str, Any]]]]:
    """One frame per target: its columns, and a row (column -> cell) per result series."""
    frames = []
    several = len(targets) > 1
    for target in targets:
        value = f"Value #{target.ref_id}" if several else "Value"
        rows: list[dict[str, Any]] = []
        keys: set[str] = set()
        for item in target.items:
            labels = {k: v for k, v in (item.get("metric") or {}).items() if k != "__name__"}
            points = _points(item)
            time, number = points[-1] if points else (None, None)
            rows.append({"Time": time, **labels, value: number})
            keys |= labels.keys()
        frames.append((["Time", *sorted(keys), value], rows))
    return frames


def _merge(
    frames: list[tuple[list[str], list[dict[str, Any]]]],
) -> tuple[list[str], list[dict[str, Any]]]:
    """Grafana's ``merge``: one frame; rows with equal labels become one row."""
    columns: list[str] = []
    for names, _ in frames:
        columns += [n for n in names if n not in columns]
    values = [c for c in columns if c == "Value" or c.startswith("Value #")]
    labels = [c for c in columns if c not in values and c != "Time"]
    merged: dict[tuple[Any, ...], dict[str, Any]] = {}
    for _, rows in frames:
        for row in rows:
            key = tuple(row.get(c) for c in labels)
            merged.setdefault(key, {}).update(row)
    return ["Time", *labels, *values], list(merged.values())


def _organize(columns: list[str], options: Mapping[str, Any]) -> tuple[list[str], dict[str, str]]:
    """Grafana's ``organize``: the kept columns in order, and their new names."""
    excluded = {k for k, v in (options.get("excludeByName") or {}).items() if v}
    index = options.get("indexByName") or {}
    kept = [c for c in columns if c not in excluded]
    position = {c: i for i, c in enumerate(kept)}
    kept.sort(key=lambda c: (index.get(c, len(columns)), position[c]))
    renames = {c: (options.get("renameByName") or {}).get(c) or c for c in kept}
    return kept, renames


def table_of(panel: Mapping[str, Any], targets: Sequence[Target]) -> Table:
    """A table panel's rows: its frames, merged and organized as its transformations say,
    sorted by its ``sortBy``."""
    frames = _frames(targets)
    transformations = panel.get("transformations") or []
    if any(t.get("id") == "merge" for t in transformations) or len(frames) == 1:
        columns, rows = _merge(frames)
    else:  # Grafana shows the first frame (frameIndex) without merge
        columns, rows = frames[int((panel.get("options") or {}).get("frameIndex") or 0)]
    names = {c: c for c in columns}
    for t in transformations:
        if t.get("id") == "organize":
            columns, names = _organize(columns, t.get("options") or {})
    shown = [names[c] for c in columns]
    for sort in reversed((panel.get("options") or {}).get("sortBy") or []):
        if sort.get("displayName") in shown:
            column = columns[shown.index(sort["displayName"])]
            rows.sort(key=_sort_key(column), reverse=bool(sort.get("desc")))
    label_names = {k for _, frame_rows in frames for r in frame_rows for k in r} - {"Time"}
    return Table(
        columns=tuple(shown),
        rows=tuple(tuple(r.get(c) for c in columns) for r in rows),
        labels=tuple(
            {k: str(v) for k, v in r.items() if k in label_names and isinstance(v, str)}
            for r in rows
        ),
    )


def _sort_key(column: str) -> Callable[[Mapping[str, Any]], tuple[int, Any]]:
    """Rows by ``column``, rows without a value first (last when descending)."""

    def key(row: Mapping[str, Any]) -> tuple[int, Any]:
        value = row.get(column)
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return (0, 0.0)
        return (1, value)

    return key

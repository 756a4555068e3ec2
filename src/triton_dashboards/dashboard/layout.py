"""Rows and where their panels go on Grafana's 24-column grid: size is layout data.

A panel has no size of its own. A :class:`Row` sizes its panels once: ``width`` and
``height`` are one number for every panel of the row, or one per panel; a panel the row
does not size gets its visualization's usual size (:data:`DEFAULT_SIZES`: a time series
12 x 8, a stat 6 x 4). Panels flow left to right and wrap at 24 columns; when the last line
of a row is left part-empty, its last panel stretches to the end of the line, so a row of
seven time series ends with one as wide as the grid instead of a hole.

:func:`arrange` places every row and numbers every panel; the v1 writer turns the result
into Grafana's classic ``panels`` (an expanded row's panels follow its header, a collapsed
row keeps them inside), the v2 writer into a ``RowsLayout``. A row with the empty title
has no header: it may only come first (the headline numbers of the overview).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import attrs

from triton_dashboards.dashboard.schema.panel import Panel

__all__ = [
    "DEFAULT_SIZES",
    "GRID_COLUMNS",
    "Placed",
    "PlacedRow",
    "Row",
    "Sized",
    "arrange",
    "as_panel",
]

GRID_COLUMNS = 24
#: Width and height of a panel its row does not size, by visualization.
DEFAULT_SIZES: dict[str, tuple[int, int]] = {
    "timeseries": (12, 8),
    "barchart": (12, 8),
    "bargauge": (12, 8),
    "heatmap": (12, 8),
    "stat": (6, 4),
    "gauge": (6, 6),
    "table": (24, 8),
    "text": (24, 3),
}
_FALLBACK_SIZE = (12, 8)


@attrs.frozen
class Sized:
    """A panel with the size it brought (a grafanalib panel's ``gridPos``)."""

    panel: Panel
    width: int
    height: int


def as_panel(item: Any) -> Panel | Sized:
    """``item`` as the model: ours as it is, a grafanalib panel converted (and only then is
    grafanalib imported)."""
    if isinstance(item, Panel | Sized):
        return item
    if type(item).__module__.startswith("grafanalib"):
        from triton_dashboards.dashboard.grafanalib_input import panel_from_grafanalib

        return panel_from_grafanalib(item)
    raise TypeError(
        f"{type(item).__name__} is not a panel; pass what triton_dashboards.panels functions "
        "return (or a grafanalib panel)"
    )


def _items(panels: Iterable[Any]) -> tuple[Panel | Sized, ...]:
    return tuple(as_panel(p) for p in panels)


def _check_size(value: int | Sequence[int] | None) -> int | tuple[int, ...] | None:
    if value is None or isinstance(value, int):
        return value
    return tuple(value)


@attrs.frozen
class Row:
    """A titled group of panels; ``collapsed=True`` folds it away until opened.

    ``width``/``height``: one size for every panel, or a sequence with one per panel.
    ``hide_without_data=True`` shows the row only while its panels have data (schema v2;
    v1 shows it always).
    """

    title: str
    panels: tuple[Panel | Sized, ...] = attrs.field(default=(), converter=_items)
    collapsed: bool = False
    width: int | tuple[int, ...] | None = attrs.field(default=None, converter=_check_size)
    height: int | tuple[int, ...] | None = attrs.field(default=None, converter=_check_size)
    hide_without_data: bool = False

    def __attrs_post_init__(self) -> None:
        for name in ("width", "height"):
            value = getattr(self, name)
            if isinstance(value, tuple) and len(value) != len(self.panels):
                raise ValueError(
                    f"row {self.title!r}: {len(value)} {name}s for {len(self.panels)} panels; "
                    f"give one {name} per panel, or one number for all"
                )
        for w in self._all(self.width):
            if not 1 <= w <= GRID_COLUMNS:
                raise ValueError(f"row {self.title!r}: width {w} is outside the grid (1..24)")
        for h in self._all(self.height):
            if h < 1:
                raise ValueError(f"row {self.title!r}: height {h} must be at least 1")

    @staticmethod
    def _all(value: int | tuple[int, ...] | None) -> tuple[int, ...]:
        if value is None:
            return ()
        return value if isinstance(value, tuple) else (value,)

    def map(self, change: Callable[[Panel], Panel]) -> Row:
        """The row with ``change`` applied to each panel (sizes kept)."""
        items = [
            attrs.evolve(item, panel=change(item.panel))
            if isinstance(item, Sized)
            else change(item)
            for item in self.panels
        ]
        return attrs.evolve(self, panels=items)

    def sizes(self) -> list[tuple[Panel, int, int]]:
        """Each panel with its width and height."""
        out = []
        for i, item in enumerate(self.panels):
            panel = item.panel if isinstance(item, Sized) else item
            if isinstance(item, Sized):
                w, h = item.width, item.height
            else:
                w, h = DEFAULT_SIZES.get(panel.kind, _FALLBACK_SIZE)
            if self.width is not None:
                w = self.width[i] if isinstance(self.width, tuple) else self.width
            if self.height is not None:
                h = self.height[i] if isinstance(self.height, tuple) else self.height
            out.append((panel, w, h))
        return out


@attrs.frozen
class Placed:
    """A panel at ``x``, ``y`` (rows from the top of the dashboard), ``w`` x ``h``."""

    panel: Panel
    x: int
    y: int
    w: int
    h: int


@attrs.frozen
class PlacedRow:
    """A row with its header at ``y`` (``id`` None when it has no header) and its panels
    placed as if it were open."""

    row: Row
    id: int | None
    y: int
    items: tuple[Placed, ...]
    below: int


def _place(sized: list[tuple[Panel, int, int]], y: int) -> tuple[list[Placed], int]:
    placed: list[Placed] = []
    x, line_height = 0, 0
    for panel, w, h in sized:
        if x + w > GRID_COLUMNS:
            y, x, line_height = y + line_height, 0, 0
        placed.append(Placed(panel, x, y, w, h))
        x, line_height = x + w, max(line_height, h)
    if placed and x < GRID_COLUMNS:
        last = placed[-1]
        placed[-1] = attrs.evolve(last, w=GRID_COLUMNS - last.x)
    return placed, y + line_height


def _numbered(panel: Panel, free: Iterator[int]) -> Panel:
    return attrs.evolve(panel, id=next(free))


def arrange(rows: Sequence[Row]) -> list[PlacedRow]:
    """Every row placed from the top, panels numbered in reading order (explicit ids kept)."""
    for row in rows[1:]:
        if not row.title:
            raise ValueError("only the first row may have no title: give the row a title")
    taken = {item.id for row in rows for item, _, _ in row.sizes() if item.id}
    free = (i for i in itertools.count(1) if i not in taken)
    out: list[PlacedRow] = []
    y = 0
    for row in rows:
        header = row.title != ""
        row_id = next(free) if header else None
        placed, below = _place(row.sizes(), y + 1 if header else y)
        numbered = tuple(
            item
            if item.panel.id
            else attrs.evolve(item, panel=attrs.evolve(item.panel, id=next(free)))
            for item in placed
        )
        out.append(PlacedRow(row, row_id, y, numbered, below))
        y = y + 1 if header and row.collapsed else below
    return out

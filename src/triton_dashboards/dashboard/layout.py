"""Rows and automatic placement on Grafana's 24-column grid.

Panels carry their size (``gridPos.w`` and ``.h``, set by the factories); placement
flows them left to right and wraps at 24 columns, the way grafana-foundation-sdk's
builders do, so a dashboard file never writes coordinates. Rows follow Grafana's model:
an expanded row is a header followed by its panels at the top level, a collapsed row
keeps its panels inside ``row.panels`` (positioned as if it were open).
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Iterable, Sequence

import attrs
from grafanalib import core as g

__all__ = ["GRID_COLUMNS", "Row", "layout", "place"]

GRID_COLUMNS = 24
_DEFAULT_SIZE = (12, 8)  # width, height of a panel that brings no size


def _panels(panels: Iterable[g.Panel]) -> tuple[g.Panel, ...]:
    return tuple(panels)


@attrs.frozen
class Row:
    """A titled group of panels; ``collapsed=True`` folds it away until opened."""

    title: str
    panels: tuple[g.Panel, ...] = attrs.field(default=(), converter=_panels)
    collapsed: bool = False


def _size(panel: g.Panel) -> tuple[int, int]:
    pos = panel.gridPos
    if pos is None:
        return _DEFAULT_SIZE
    return int(pos.w), int(pos.h)


def place(panels: Iterable[g.Panel], y: int = 0) -> tuple[list[g.Panel], int]:
    """Place ``panels`` from row ``y`` down; returns them and the first free row below."""
    placed: list[g.Panel] = []
    x, line_height = 0, 0
    for panel in panels:
        w, h = _size(panel)
        if x + w > GRID_COLUMNS:
            y, x, line_height = y + line_height, 0, 0
        # A shallow copy, not attrs.evolve: evolve re-runs grafanalib's ~50 validators.
        panel = copy.copy(panel)
        panel.gridPos = g.GridPos(h=h, w=w, x=x, y=y)
        placed.append(panel)
        x, line_height = x + w, max(line_height, h)
    return placed, y + line_height


def _number(panels: list[g.Panel]) -> list[g.Panel]:
    """Give every panel without an id the next free one, in reading order.

    ``panels`` are the fresh copies :func:`layout` made, so ids are set in place.
    """
    flat = [p for panel in panels for p in (panel, *getattr(panel, "panels", ()))]
    taken = {p.id for p in flat if p.id}
    free = (i for i in itertools.count(1) if i not in taken)
    for panel in flat:
        if not panel.id:
            panel.id = next(free)
    return panels


def layout(rows: Sequence[Row], panels: Sequence[g.Panel] = ()) -> list[g.Panel]:
    """The dashboard's top-level ``panels``: free panels first, then each row."""
    out, y = place(panels)
    for row in rows:
        header = g.GridPos(h=1, w=GRID_COLUMNS, x=0, y=y)
        children, below = place(row.panels, y + 1)
        if row.collapsed:
            out.append(g.RowPanel(title=row.title, collapsed=True, panels=children, gridPos=header))
            y += 1
        else:
            out.append(g.RowPanel(title=row.title, collapsed=False, panels=[], gridPos=header))
            out.extend(children)
            y = below
    return _number(out)

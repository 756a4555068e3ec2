"""One self-contained HTML page per dashboard: the layout, the data, and the code to draw it.

The page inlines uPlot, its own script and style, and the panels' data as JSON, so it opens
from disk, from a CI artifact or an e-mail with no network and no Grafana. Panels sit on
the dashboard's own 24-column grid (Grafana's cell: 30 px high with an 8 px gap). Rows are
drawn as their titles; a collapsed row is drawn open, its panels below its title and
everything after it moved down by their height, as Grafana does when the row is opened,
so a preview shows every panel.
"""

from __future__ import annotations

import html
import json
import time
from collections.abc import Iterator, Mapping, Sequence
from importlib import resources
from typing import Any

__all__ = ["UPLOT_VERSION", "layout", "page_height", "render_page"]

UPLOT_VERSION = "1.6.32"
#: Grafana's grid: a cell is 30 px high plus an 8 px gap.
CELL = 38
#: Pixels above the grid: the title, the time range, the variables, the page's padding.
HEADER = 110


def _static(name: str) -> str:
    return resources.files(__package__).joinpath("static").joinpath(name).read_text("utf-8")


def _grid(panel: Mapping[str, Any]) -> tuple[int, int, int, int]:
    pos = panel.get("gridPos") or {}
    return int(pos.get("x", 0)), int(pos.get("y", 0)), int(pos.get("w", 12)), int(pos.get("h", 8))


def layout(dashboard: Mapping[str, Any]) -> Iterator[tuple[dict[str, Any], int, int, int, int]]:
    """Every panel with the grid position it is drawn at: ``(panel, x, y, w, h)``.

    A collapsed row's panels are placed under it and what follows moves down.
    """
    top = sorted(dashboard.get("panels") or [], key=lambda p: (_grid(p)[1], _grid(p)[0]))
    shift = 0
    for panel in top:
        x, y, w, h = _grid(panel)
        yield panel, x, y + shift, w, h
        inner = panel.get("panels") or []
        if panel.get("type") == "row" and panel.get("collapsed") and inner:
            base = y + h
            first = min(_grid(p)[1] for p in inner)
            for child in sorted(inner, key=lambda p: (_grid(p)[1], _grid(p)[0])):
                cx, cy, cw, ch = _grid(child)
                yield child, cx, base + shift + cy - first, cw, ch
            shift += max(_grid(p)[1] + _grid(p)[3] for p in inner) - first


def page_height(placed: Sequence[tuple[Any, int, int, int, int]]) -> int:
    """Rows of the grid the page needs."""
    return max((y + h for _, _, y, _, h in placed), default=0)


def _when(seconds: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(seconds))


def render_page(
    dashboard: Mapping[str, Any],
    panels: Sequence[Mapping[str, Any]],
    variables: Sequence[tuple[str, str]],
    start: float,
    end: float,
    source: str,
) -> str:
    """The HTML page: ``panels`` are views (:func:`.views.panel_view`) with their x/y/w/h."""
    height = max((p["y"] + p["h"] for p in panels), default=0)
    data = json.dumps({"panels": list(panels), "height": height}, ensure_ascii=False)
    data = data.replace("</", "<\\/")  # no "</script>" inside the script element
    title = html.escape(str(dashboard.get("title") or dashboard.get("uid") or "dashboard"))
    chips = "".join(
        f'<span class="variable"><b>{html.escape(label)}</b>{html.escape(value)}</span>'
        for label, value in variables
    )
    minutes = round((end - start) / 60)
    span = f"{minutes // 60} h" if minutes % 60 == 0 else f"{minutes} min"
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="generator" content="triton-dashboards preview, uPlot {UPLOT_VERSION}">
<title>{title} (preview)</title>
<style>{_static("uPlot.min.css")}</style>
<style>{_static("preview.css")}</style>
</head>
<body>
<header>
<h1>{title}</h1>
<div class="meta">{span}: {_when(start)} to {_when(end)} &middot; {html.escape(source)}</div>
<div class="variables">{chips}</div>
</header>
<div id="grid"></div>
<script id="preview-data" type="application/json">{data}</script>
<script>{_static("uPlot.iife.min.js")}</script>
<script>{_static("preview.js")}</script>
</body>
</html>
"""

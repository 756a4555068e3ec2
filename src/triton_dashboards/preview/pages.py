"""Preview pages (and pictures) of dashboard files, written into one directory.

Each dashboard JSON file becomes ``DIR/<file stem>.html``, drawn from one refresh of the
inspect engine over the given range; with pictures, ``DIR/<file stem>.png`` too, as wide
as :data:`WIDTH` and as tall as the page. Data links between dashboards drawn together
lead from page to page. A file is written whole or not at all.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs

from triton_dashboards.files import write_atomic
from triton_dashboards.inspect import Prometheus, QueryContext, run_dashboard
from triton_dashboards.preview import chromium, page
from triton_dashboards.preview.draw import draw

__all__ = ["WIDTH", "PreviewError", "Written", "load_dashboard", "write_previews"]

#: Pixels across a picture: a laptop screen, and wide enough for 24 columns of panels.
WIDTH = 1400


class PreviewError(Exception):
    """A dashboard file that cannot be previewed; one line naming it."""


@attrs.frozen
class Written:
    """One dashboard previewed: its page, its picture if any, how many panels it drew."""

    source: Path
    html: Path
    png: Path | None
    panels: int


def load_dashboard(path: Path) -> dict[str, Any]:
    """A dashboard JSON file (a bare dashboard, or Grafana's ``{"dashboard": ...}``)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise PreviewError(f"cannot read {path}: {e.strerror}; check the path") from None
    except ValueError as e:
        raise PreviewError(f"{path} is not JSON ({e}); give a dashboard JSON file") from None
    if isinstance(data, dict) and isinstance(data.get("dashboard"), dict):
        data = data["dashboard"]
    if not isinstance(data, dict) or not isinstance(data.get("panels"), list):
        raise PreviewError(f"{path} is not a dashboard (no panels); give a dashboard JSON file")
    return data


def picture_height(dashboard: dict[str, Any]) -> int:
    """Pixels down a picture of the whole page."""
    rows = page.page_height(list(page.layout(dashboard)))
    return page.HEADER + rows * page.CELL + 16


def write_previews(
    files: Sequence[Path],
    prometheus: Prometheus,
    context: QueryContext,
    out: Path,
    *,
    pictures: bool = False,
    source: str = "",
) -> list[Written]:
    """Preview every file of ``files`` into ``out`` (created if missing)."""
    dashboards = [(path, load_dashboard(path)) for path in files]
    stems = [path.stem for path, _ in dashboards]
    if len(set(stems)) != len(stems):
        raise PreviewError("two dashboard files share a name; preview them one at a time")
    if pictures:
        chromium.find_chromium()  # before any work: the one-line error comes first
    out.mkdir(parents=True, exist_ok=True)
    pages = {str(d.get("uid")): f"{path.stem}.html" for path, d in dashboards if d.get("uid")}
    written = []
    shots = []
    for path, dashboard in dashboards:
        run = run_dashboard(dashboard, prometheus, context)
        html_path = out / f"{path.stem}.html"
        write_atomic(html_path, draw(run, source=source or prometheus.url, pages=pages))
        png_path = None
        if pictures:
            png_path = out / f"{path.stem}.png"
            shots.append((html_path, png_path, WIDTH, picture_height(dashboard)))
        drawn = sum(1 for p, *_ in page.layout(dashboard) if p.get("type") != "row")
        written.append(Written(path, html_path, png_path, drawn))
    if shots:
        chromium.take_pictures(shots)
    return written

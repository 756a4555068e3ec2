"""Every committed dashboard's preview page, opened in a real headless Chromium.

The pages are drawn from the demo Prometheus (the simulator's workloads backfilled, the
stock recording rules on top), and each is checked in the browser against what Prometheus
answered for its queries (the inspect engine's run, made here independently of the page):

* no console error, no uncaught exception, no panel whose drawing failed;
* every panel drawn: a time series with data has a canvas with its series' colours on it,
  a stat, gauge or bar gauge shows values, a table rows; a panel whose queries returned
  nothing says so ("No data", or its ``noValue``);
* each stat's, gauge's and bar gauge's shown values are Prometheus' answers reduced as the
  panel says (last value) and formatted in the panel's unit (:mod:`preview.units`);
* each time series draws as many series as its queries returned;
* the screenshot is not blank.

``test_a_broken_panel_is_caught`` breaks panels on a page and sees these checks fail.
"""

from __future__ import annotations

import base64
import json
import math
import re
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from browser import Browser, Tab

from triton_dashboards.inspect import (
    DashboardRun,
    PanelRun,
    Prometheus,
    QueryContext,
    run_dashboard,
)
from triton_dashboards.preview import units
from triton_dashboards.preview.demo import Demo
from triton_dashboards.preview.pages import write_previews

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = sorted((ROOT / "dashboards").glob("*.json"))
#: Pictures through the product's own --png path (a Chromium per picture: a few seconds each).
PICTURED = ("triton-overview", "ner")

#: What the page drew, per panel, read in the browser.
_READ = """
(() => Array.from(document.querySelectorAll('.panel')).map(p => {
  const out = {id: p.dataset.panelId || null, kind: p.dataset.kind, title: p.dataset.title,
               drawn: p.dataset.drawn, shown: [], series: null, inked: 0, rows: 0};
  out.shown = Array.from(p.querySelectorAll('[data-value]')).map(n => n.textContent);
  const table = p.querySelector('table.data');
  if (table) out.rows = table.querySelectorAll('tr').length - 1;
  const chart = p.querySelector('.chart');
  if (chart && chart.plot) {
    const plot = chart.plot;
    out.series = plot.series.length - 1;
    const colors = plot.series.slice(1).map(s => s._stroke || '').filter(c => c.startsWith('#'))
      .map(c => [1, 3, 5].map(i => parseInt(c.slice(i, i + 2), 16)));
    const canvas = chart.querySelector('canvas');
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i + 3] === 0) continue;
      if (colors.some(c => Math.abs(c[0] - data[i]) < 24 && Math.abs(c[1] - data[i + 1]) < 24
                           && Math.abs(c[2] - data[i + 2]) < 24)) out.inked++;
    }
  }
  return out;
}))()
"""

#: Distinct colours in a PNG (given as a data URL), counted by the browser.
_COLOURS = """
new Promise(resolve => {
  const img = new Image();
  img.onload = () => {
    const c = document.createElement('canvas');
    c.width = img.width; c.height = img.height;
    const ctx = c.getContext('2d');
    ctx.drawImage(img, 0, 0);
    const d = ctx.getImageData(0, 0, c.width, c.height).data;
    const seen = new Set();
    for (let i = 0; i < d.length; i += 4 * 7) seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
    resolve({width: img.width, height: img.height, colours: seen.size});
  };
  img.onerror = () => resolve(null);
  img.src = %s;
})
"""


@pytest.fixture(scope="module")
def demo(preview_demo: Demo) -> Demo:
    return preview_demo


@pytest.fixture(scope="module")
def context(demo: Demo) -> QueryContext:
    return QueryContext(start=demo.start, end=demo.end, scrape_interval=demo.scrape_interval)


@pytest.fixture(scope="module")
def pages(demo: Demo, context: QueryContext, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("preview")
    prometheus = Prometheus(demo.url)
    write_previews(COMMITTED, prometheus, context, out, source="demo")
    pictured = [p for p in COMMITTED if p.stem in PICTURED]
    write_previews(pictured, prometheus, context, out / "png", pictures=True, source="demo")
    return out


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with Browser() as running:
        yield running


def _last(series: Mapping[str, Any]) -> float | None:
    points = series.get("values") or ([series["value"]] if "value" in series else [])
    numbers = [float(v) for _, v in points if not math.isnan(float(v))]
    return numbers[-1] if numbers else None


def _expected_values(panel: PanelRun) -> list[str]:
    """What a stat, gauge or bar gauge must show: each series' last number, formatted."""
    defaults = panel.panel.get("fieldConfig", {}).get("defaults", {})
    values = [_last(s) for t in panel.targets for s in t.series]
    shown = [
        units.format_value(v, defaults.get("unit"), defaults.get("decimals"))
        for v in values
        if v is not None
    ]
    if not shown and defaults.get("noValue") is not None:
        shown = [str(defaults["noValue"])]
    return shown


def problems(tab: Tab, run: DashboardRun) -> list[str]:
    """Everything wrong with the drawn page ``tab`` given Prometheus' answers ``run``."""
    found = [f"browser: {e}" for e in tab.errors()]
    drawn = {p["id"]: p for p in tab.evaluate(_READ)}
    for panel in run.panels:
        title = panel.title
        got = drawn.get(str(panel.panel.get("id")))
        if got is None:
            found.append(f"{title}: not on the page")
            continue
        kind = panel.panel.get("type")
        series = sum(len(t.series) for t in panel.targets)
        if got["drawn"] == "error":
            found.append(f"{title}: drawing failed")
        elif (
            not panel.has_data
            and panel.panel.get("fieldConfig", {}).get("defaults", {}).get("noValue") is None
        ):
            if got["drawn"] != "nodata":
                found.append(f"{title}: Prometheus returned nothing, the page drew {got['drawn']}")
        elif kind == "timeseries":
            if got["drawn"] != "canvas" or got["series"] != series:
                found.append(f"{title}: {series} series returned, {got['series']} drawn")
            elif got["inked"] < 20:
                found.append(f"{title}: the canvas shows none of its series' colours")
        elif kind in ("stat", "gauge", "bargauge"):
            expected = _expected_values(panel)
            if kind == "bargauge":
                expected, shown = sorted(expected), sorted(got["shown"])
            else:
                shown = got["shown"]
            if shown != expected:
                found.append(f"{title}: shows {shown}, Prometheus says {expected}")
        elif kind == "table":
            keys = {
                tuple(sorted((k, v) for k, v in s["metric"].items() if k != "__name__"))
                for t in panel.targets
                for s in t.series
            }
            if got["drawn"] != "table" or got["rows"] != len(keys):
                found.append(f"{title}: {len(keys)} rows returned, {got['rows']} drawn")
    return found


def _run(path: Path, demo: Demo, context: QueryContext) -> DashboardRun:
    return run_dashboard(
        json.loads(path.read_text(encoding="utf-8")), Prometheus(demo.url), context
    )


def _not_blank(tab: Tab, png: bytes) -> dict[str, int]:
    url = json.dumps("data:image/png;base64," + base64.b64encode(png).decode())
    info: dict[str, int] = tab.evaluate(_COLOURS % url)
    assert info is not None, "the PNG does not decode"
    return info


@pytest.mark.parametrize("path", COMMITTED, ids=[p.stem for p in COMMITTED])
def test_every_panel_is_drawn_as_prometheus_answered(
    path: Path, pages: Path, browser: Browser, demo: Demo, context: QueryContext
) -> None:
    run = _run(path, demo, context)
    assert any(p.has_data for p in run.panels), f"the demo has no data for {path.name}"
    tab = browser.open((pages / f"{path.stem}.html").as_uri())
    try:
        assert problems(tab, run) == []
        picture = _not_blank(tab, tab.screenshot())
        assert picture["colours"] > 50, picture
    finally:
        tab.close()


@pytest.mark.parametrize("stem", PICTURED)
def test_png_pictures_are_whole_pages_and_not_blank(
    stem: str, pages: Path, browser: Browser
) -> None:
    png = pages / "png" / f"{stem}.png"
    tab = browser.open((pages / "png" / f"{stem}.html").as_uri())
    try:
        picture = _not_blank(tab, png.read_bytes())
    finally:
        tab.close()
    assert picture["width"] == 1400
    assert picture["height"] > 600
    assert picture["colours"] > 50, picture


def _break(html: str, change: Any) -> str:
    """The page with its embedded data changed by ``change(data)``."""
    match = re.search(
        r'(<script id="preview-data" type="application/json">)(.*?)(</script>)', html, re.S
    )
    assert match
    data = json.loads(match.group(2))
    change(data)
    return html[: match.start(2)] + json.dumps(data).replace("</", "<\\/") + html[match.end(2) :]


def test_a_broken_panel_is_caught(
    pages: Path, browser: Browser, demo: Demo, context: QueryContext, tmp_path: Path
) -> None:
    """A time series drawn without its data and a stat showing a wrong number both fail."""
    path = ROOT / "dashboards" / "triton-overview.json"
    run = _run(path, demo, context)
    broken: dict[str, str] = {}

    def change(data: dict[str, Any]) -> None:
        series = next(p for p in data["panels"] if p["kind"] == "timeseries")
        series["times"] = []
        stat = next(p for p in data["panels"] if p["kind"] == "stat" and p["values"])
        stat["values"][0]["text"] = "999 req/s"
        broken.update(series=series["title"], stat=stat["title"])

    page = tmp_path / "broken.html"
    page.write_text(_break((pages / "triton-overview.html").read_text(encoding="utf-8"), change))
    tab = browser.open(page.as_uri())
    try:
        found = problems(tab, run)
    finally:
        tab.close()
    assert any(f.startswith(f"{broken['series']}:") for f in found), found
    assert any(f.startswith(f"{broken['stat']}:") and "999" in f for f in found), found
    assert len(found) == 2, found


def _alive_in_group(group: int) -> list[int]:
    """Processes of process group ``group`` that are not zombies (from /proc)."""
    alive = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == group and fields[0] != "Z":
            alive.append(int(stat.parent.name))
    return alive


def test_chromium_and_its_helpers_are_gone_after_stop() -> None:
    browser = Browser().start()
    pid = browser.pid
    assert pid is not None and _alive_in_group(pid)
    browser.stop()
    deadline = time.monotonic() + 5
    while _alive_in_group(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _alive_in_group(pid) == []

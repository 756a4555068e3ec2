"""A Prometheus holding an hour of known traffic, started for one preview and thrown away.

``preview --demo`` needs data whose right numbers are known and needs it in seconds, not
after an hour of scraping: the targets (the simulator's workloads, given by the command)
are backfilled over a fixed hour (:mod:`.backfill`), their recording rules backfilled on
top, and a private Prometheus (:mod:`.server`) serves the result. Everything lives in one
temporary directory that is removed on the way out, error or Ctrl-C included.

The hour is fixed (:data:`DEMO_END`), so two demos draw the same pictures to the pixel;
the data begins :data:`WARM_UP` earlier, so the rate windows at the left edge of a panel
are as full as those on its right.
"""

from __future__ import annotations

import contextlib
import re
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

import attrs

from triton_dashboards.preview import backfill
from triton_dashboards.preview.server import PrometheusProcess, find_tool

__all__ = ["DEMO_END", "DEMO_RANGE", "Demo", "demo_prometheus", "rules_read"]

#: The demo hour ends at 2026-01-01T10:00:00Z.
DEMO_END = 1_767_261_600.0
DEMO_RANGE = 3600.0
#: Data before the hour: room for the longest rate window a recorded panel reads (5m).
WARM_UP = 600.0
SCRAPE_INTERVAL = 30.0


@attrs.frozen
class Demo:
    """A running demo Prometheus: where it is, and the hour it holds."""

    url: str
    start: float
    end: float
    scrape_interval: float
    pid: int | None = None


def rules_read(rules: str, dashboards: Sequence[str]) -> str:
    """``rules`` when a dashboard (its JSON text) reads one of their records, else nothing:
    backfilling records takes a few seconds that a raw dashboard does not need."""
    records = set(re.findall(r"^\s*-?\s*record:\s*['\"]?([\w:]+)", rules, re.M))
    read = any(re.search(rf"\b{re.escape(r)}\b", text) for r in records for text in dashboards)
    return rules if read else ""


@contextlib.contextmanager
def demo_prometheus(
    targets: Sequence[backfill.Target],
    rules: str = "",
    *,
    end: float = DEMO_END,
    span: float = DEMO_RANGE,
    rule_interval: str = "1m",
) -> Iterator[Demo]:
    """Backfill ``targets`` (and the recording rules of the rules file text ``rules``) and
    serve them; the Prometheus is stopped and its files removed on exit."""
    promtool = find_tool("promtool")
    find_tool("prometheus")
    start = end - span
    with tempfile.TemporaryDirectory(prefix="triton-preview-demo-") as tmp:
        work = Path(tmp)
        tsdb = work / "tsdb"
        source = work / "demo.om"
        times = list(backfill.scrape_times(start - WARM_UP, end, SCRAPE_INTERVAL))
        with source.open("w", encoding="utf-8") as out:
            backfill.write_openmetrics(targets, times, out)
        backfill.create_blocks(promtool, source, tsdb)
        source.unlink()
        for i, text in enumerate(backfill.rule_passes(rules) if rules else []):
            rules_file = work / f"rules-{i}.yml"
            rules_file.write_text(text, encoding="utf-8")
            server = PrometheusProcess(tsdb, work)
            try:
                url = server.start()
                blocks = backfill.create_rule_blocks(
                    promtool,
                    rules_file,
                    url,
                    work / f"blocks-{i}",
                    start - WARM_UP / 2,
                    end,
                    rule_interval,
                )
            finally:
                server.kill()  # nothing of its own to keep: the data is in the blocks
            for block in blocks:
                block.rename(tsdb / block.name)
        server = PrometheusProcess(tsdb, work)
        url = server.start()
        try:
            yield Demo(url, start, end, SCRAPE_INTERVAL, server.pid)
        finally:
            server.stop()

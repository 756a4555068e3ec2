"""``preview``: pages and pictures of dashboards drawn from live (or demo) data, no Grafana."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from triton_dashboards.cli.common import DIR_OPTION, fail

#: What --range accepts and defaults to: the hour a demo holds.
DEFAULT_RANGE = "1h"


@contextlib.contextmanager
def _demo(paths: list[Path]) -> Iterator[Any]:
    """The demo Prometheus: the simulator's pods, and the stock recording rules backfilled
    when one of the dashboards reads their records."""
    from triton_dashboards import rules
    from triton_dashboards.preview.backfill import Target
    from triton_dashboards.preview.demo import demo_prometheus, rules_read
    from triton_dashboards.simulator.demo import demo_pods

    targets = [Target(pod.labels, pod.scrape()) for pod in demo_pods()]
    texts = [p.read_text(encoding="utf-8") for p in paths]
    needed = rules_read(rules.render(rules.RulesConfig()), texts)
    with demo_prometheus(targets, needed) as demo:
        yield demo


@click.command()
@DIR_OPTION
@click.option(
    "--prometheus",
    "url",
    envvar="PROMETHEUS_URL",
    metavar="URL",
    help="Prometheus to query (or PROMETHEUS_URL), e.g. http://127.0.0.1:9090.",
)
@click.option(
    "--demo",
    is_flag=True,
    help="Draw from a private Prometheus holding an hour of the simulator's workloads "
    "(needs prometheus and promtool on PATH); it is stopped afterwards.",
)
@click.option(
    "-o",
    "--output",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("preview"),
    show_default=True,
    help="Folder for the pages (NAME.html) and pictures (NAME.png).",
)
@click.option("--png", is_flag=True, help="Also a PNG of each page (needs Chromium).")
@click.option(
    "--range",
    "span",
    default=DEFAULT_RANGE,
    show_default=True,
    metavar="DURATION",
    help="Time range drawn, ending now (with --demo: the demo's hour).",
)
@click.option(
    "--scrape-interval",
    metavar="DURATION",
    help="The data source's scrape interval ($__rate_interval); default: read from the "
    "server's targets, else 15s.",
)
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def preview(
    directory: Path,
    url: str | None,
    demo: bool,
    out: Path,
    png: bool,
    span: str,
    scrape_interval: str | None,
    files: tuple[Path, ...],
) -> None:
    """Draw each dashboard JSON file as a self-contained HTML page, without Grafana.

    Every query runs as Grafana would run it (variables resolved, intervals computed)
    and each panel is drawn as Grafana draws it: time series (uPlot), stat, gauge, bar
    gauge, table, text. The pages embed their data and open with no network. Default:
    every JSON file in --dir.

    \b
    Example:
      triton-dashboards preview --prometheus http://127.0.0.1:9090 -o preview
      triton-dashboards preview --demo --png dashboards/triton-overview.json
    """
    from triton_dashboards.inspect import (
        DEFAULT_SCRAPE_INTERVAL,
        Prometheus,
        PrometheusError,
        QueryContext,
        parse_duration,
    )
    from triton_dashboards.preview.backfill import BackfillError
    from triton_dashboards.preview.chromium import ChromiumError, find_chromium
    from triton_dashboards.preview.pages import PreviewError, write_previews
    from triton_dashboards.preview.server import ServerError

    if demo == bool(url):
        fail("give --prometheus URL or --demo (one of them); see --help")
    paths = list(files) or sorted(directory.glob("*.json"))
    if not paths:
        fail(f"no dashboard JSON in {directory}; run `triton-dashboards build` first")
    try:
        seconds = parse_duration(span)
        interval = parse_duration(scrape_interval) if scrape_interval else None
    except ValueError as e:
        fail(f"{e}; write a duration such as 1h, 30m or 15s")
    began = time.monotonic()
    try:
        if png:
            find_chromium()
        with contextlib.ExitStack() as stack:
            if demo:
                running = stack.enter_context(_demo(paths))
                source = "demo: the simulator's reference and LLM workloads"
                prometheus = Prometheus(running.url)
                context = QueryContext(
                    start=running.start, end=running.end, scrape_interval=running.scrape_interval
                )
            else:
                assert url is not None
                prometheus = Prometheus(url)
                source = prometheus.url  # without the credentials the URL may carry
                found = interval or prometheus.read_scrape_interval() or DEFAULT_SCRAPE_INTERVAL
                context = QueryContext.last(seconds, scrape_interval=found)
            written = write_previews(paths, prometheus, context, out, pictures=png, source=source)
    except (
        PreviewError, PrometheusError, ServerError, BackfillError, ChromiumError, OSError,
    ) as e:  # fmt: skip
        if isinstance(e, OSError):
            fail(f"{e.filename or out}: {e.strerror}; check the path and its permissions")
        fail(str(e))
    for w in written:
        picture = f" and {w.png}" if w.png else ""
        click.echo(f"{w.source}: {w.html}{picture} ({w.panels} panels)")
    click.echo(f"{len(written)} dashboards drawn in {time.monotonic() - began:.1f} s", err=True)


COMMANDS = (preview,)

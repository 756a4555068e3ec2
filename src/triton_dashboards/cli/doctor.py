"""``doctor``: run every panel's queries against a live Prometheus and say why one is empty."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from triton_dashboards.cli.common import DIR_OPTION, EXIT_FINDINGS, FORMAT_OPTION, fail

if TYPE_CHECKING:
    from triton_dashboards.query.fleet import Ensemble

#: The range a dashboard opens with, Grafana's default "Last 1 hour".
DEFAULT_RANGE = "1h"


def _seconds(text: str | None, what: str) -> float | None:
    if text is None:
        return None
    from triton_dashboards.validation import InvalidValue, duration_ms

    try:
        ms = duration_ms(text)
    except InvalidValue as e:
        fail(f"{what}: {e}")
    if ms <= 0:
        fail(f"{what} must be longer than 0, e.g. 15s")
    return ms / 1000


def _load(paths: list[Path]) -> list[tuple[str, dict[str, Any]]]:
    loaded = []
    for path in paths:
        try:
            model = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as e:
            fail(f"cannot read {path}: {e}; give a dashboard JSON file")
        except json.JSONDecodeError as e:
            fail(f"{path} is not JSON ({e.msg}, line {e.lineno}); give a dashboard JSON file")
        if isinstance(model, dict) and isinstance(model.get("dashboard"), dict):
            model = model["dashboard"]  # as Grafana's API and exports wrap it
        if not isinstance(model, dict) or not isinstance(model.get("panels"), list):
            fail(f"{path} is not a Grafana dashboard (no panels list); give a dashboard JSON file")
        loaded.append((str(path), model))
    return loaded


@click.command()
@click.option(
    "--prometheus", "url", required=True, help="Prometheus' URL, e.g. http://prometheus:9090."
)
@click.option(
    "--range",
    "span",
    default=DEFAULT_RANGE,
    show_default=True,
    help="The time range the dashboards show, ending now.",
)
@click.option(
    "--scrape-interval",
    help="The scrape interval $__rate_interval is computed from (Grafana's data source "
    "setting). Default: the longest of the server's targets.",
)
@click.option(
    "--triton",
    "triton_url",
    help="Triton's HTTP URL (port 8000): name the ensembles it serves where a headline "
    "counts every model and step.",
)
@FORMAT_OPTION
@DIR_OPTION
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def doctor(
    url: str,
    span: str,
    scrape_interval: str | None,
    triton_url: str | None,
    output: str,
    directory: Path,
    files: tuple[Path, ...],
) -> None:
    """Run every panel's queries as Grafana would and explain each empty one.

    Variables are resolved from the live server, $__rate_interval from the scrape
    interval, instant panels run instant queries and time series range queries. Each
    empty panel gets its cause and its fix. Exit 0 when all is well, 1 when a panel is
    empty or a finding needs a fix, 2 when doctor cannot run. Default: every JSON file
    in --dir.

    \b
    Example:
      triton-dashboards doctor --prometheus http://localhost:9090
      triton-dashboards doctor --prometheus http://localhost:9090 --triton http://localhost:8000
      triton-dashboards doctor --prometheus http://localhost:9090 --output json dashboards/ner.json
    """
    from triton_dashboards import inspect
    from triton_dashboards.inspect.doctor import diagnose
    from triton_dashboards.redaction import without_credentials

    range_s = _seconds(span, "--range")
    assert range_s is not None
    paths = list(files) or sorted(directory.glob("*.json"))
    if not paths:
        fail(f"no dashboard JSON in {directory}; give FILES or run `triton-dashboards build`")
    dashboards = _load(paths)
    try:
        prometheus = inspect.Prometheus(url)
        scrape = _seconds(scrape_interval, "--scrape-interval")
        if scrape is None:
            scrape = prometheus.read_scrape_interval() or inspect.DEFAULT_SCRAPE_INTERVAL
        ensembles = _ensembles(triton_url)
        context = inspect.QueryContext.last(range_s, scrape_interval=scrape)
        report = diagnose(dashboards, prometheus, context, ensembles=ensembles)
    except inspect.PrometheusError as e:
        fail(f"{e}; doctor cannot run against {without_credentials(url)}")
    except inspect.VariableError as e:
        fail(f"{e}; doctor resolves variables as Grafana's Prometheus data source does")
    if output == "json":
        click.echo(json.dumps(report.to_json(), indent=2))
    else:
        click.echo(report.table(), nl=False)
    if not report.ok:
        sys.exit(EXIT_FINDINGS)


def _ensembles(url: str | None) -> tuple[Ensemble, ...] | None:
    """The ensembles Triton at ``url`` serves, as declarations; None without a URL."""
    if url is None:
        return None
    from triton_dashboards.inspect.triton import TritonError, read_repository

    try:
        return read_repository(url).declarations()
    except TritonError as e:
        fail(str(e))


COMMANDS = (doctor,)

"""``build``, ``check`` and ``lint``: dashboards as files in the repository."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from triton_dashboards.cli.common import DIR_OPTION, EXIT_FINDINGS, fail


def _count(n: int, noun: str) -> str:
    """``1 panel``, ``2 panels``: every count these commands print says it this way."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _sources(directory: Path, files: tuple[Path, ...]) -> list[Path]:
    from triton_dashboards.dashboard.project import dashboard_files

    if files:
        bad = [f for f in files if not f.name.endswith(".dashboard.py")]
        if bad:
            fail(f"{bad[0]} is not a *.dashboard.py file; name dashboard files NAME.dashboard.py")
        return list(files)
    if not directory.is_dir():
        fail(f"no folder {directory}; run from the repository root or pass --dir")
    sources = dashboard_files(directory)
    if not sources:
        fail(f"no *.dashboard.py files in {directory}; add one or pass --dir")
    return sources


SCHEMA_OPTION = click.option(
    "--schema",
    type=click.Choice(["v1", "v2"]),
    default=None,
    help="Write v1 dashboard JSON (Grafana 11-13) or the v2 Dashboard resource (Grafana 13+). "
    "Default: [tool.triton-dashboards] schema in pyproject.toml, else v1.",
)


def repository_schema(directory: Path, files: tuple[Path, ...], schema: str | None) -> str:
    """``--schema``, else the repository's setting (pyproject.toml), else v1: what build
    writes and pull saves."""
    if schema is not None:
        return schema
    from triton_dashboards.dashboard.settings import SettingsError, read

    try:
        return read(files[0].parent if files else directory).schema
    except SettingsError as e:
        fail(str(e))


def _build(directory: Path, files: tuple[Path, ...], schema: str | None = None) -> list:  # type: ignore[type-arg]
    from triton_dashboards.dashboard.project import ProjectError, build

    chosen = repository_schema(directory, files, schema)
    try:
        return build(_sources(directory, files), "v2" if chosen == "v2" else "v1")
    except ProjectError as e:
        fail(str(e))


@click.command()
@DIR_OPTION
@SCHEMA_OPTION
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def build(directory: Path, schema: str | None, files: tuple[Path, ...]) -> None:
    """Render every *.dashboard.py file to its .json.

    Nothing is written unless every file builds; unchanged JSON is left alone.

    \b
    Example:
      triton-dashboards build
      triton-dashboards build dashboards/ner.dashboard.py
      triton-dashboards build --schema v2
    """
    from triton_dashboards.dashboard.project import orphans, write

    built = _build(directory, files, schema)
    written = {item.target for item in write(built)}
    removed = orphans(built)
    for path in removed:
        try:
            path.unlink()
        except OSError as e:
            fail(f"cannot remove {path}: {e.strerror}; delete it by hand")
    for item in built:
        state = "built" if item.target in written else "unchanged"
        click.echo(f"{state} {item.target} ({_count(item.panels, 'panel')})")
    for path in removed:
        click.echo(f"removed {path} (no dashboard file makes it any more)")


@click.command()
@DIR_OPTION
@SCHEMA_OPTION
def check(directory: Path, schema: str | None) -> None:
    """Fail (exit 1) when committed JSON is stale, missing or orphaned: the CI gate.

    \b
    Example:
      triton-dashboards check || echo "run: triton-dashboards build"
    """
    from triton_dashboards.dashboard.project import orphans, stale

    built = _build(directory, (), schema)
    problems = stale(built)
    for item, state in problems:
        click.echo(f"{state}: {item.target} does not match {item.source}", err=True)
    left = orphans(built)
    for path in left:
        click.echo(f"orphan: {path} is made by no dashboard file any more", err=True)
    if problems or left:
        click.echo("run `triton-dashboards build` and commit the JSON", err=True)
        sys.exit(EXIT_FINDINGS)
    click.echo(f"{_count(len(built), 'dashboard')} up to date")


@click.command()
@DIR_OPTION
@click.option(
    "--rules",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Rules file (or PrometheusRule manifest) your Prometheus loads: also report each "
    "recorded series a dashboard reads that it does not record.",
)
@click.option(
    "--scrape-interval",
    default="1m",
    show_default=True,
    metavar="DURATION",
    help="The longest scrape interval your Prometheus uses: a fixed rate()/increase() window "
    "on a Triton counter must hold 4 of them.",
)
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def lint(
    directory: Path, rules: Path | None, scrape_interval: str, files: tuple[Path, ...]
) -> None:
    """Check every query of dashboard JSON files (exit 1 on findings).

    Reads v1 dashboard JSON and v2 Dashboard resources alike. Each expression must parse
    once Grafana variables are substituted, name only current Triton metrics, use =~ with
    multi-value variables, and wrap counters in rate() or increase() over a window of 4
    scrapes or more ($__rate_interval; a fixed [1m] holds one sample at a 1m scrape). With
    --rules, every recorded series a dashboard reads must be recorded by that file (same
    names, same window). Default: every JSON file in --dir.

    \b
    Example:
      triton-dashboards lint
      triton-dashboards lint exported/old-triton.json
      triton-dashboards lint --rules triton-rules.yml dashboards/*-recorded.json
    """
    from triton_dashboards.dashboard.project import ProjectError, lint_files
    from triton_dashboards.validation import InvalidValue, check_duration, duration_ms

    try:
        interval = duration_ms(check_duration(scrape_interval, "--scrape-interval")) / 1000
    except InvalidValue as e:
        fail(str(e))
    paths = list(files) or sorted(directory.glob("*.json"))
    if not paths:
        fail(f"no dashboard JSON in {directory}; run `triton-dashboards build` first")
    try:
        findings = lint_files(paths, rules, interval)
    except ProjectError as e:
        fail(str(e))
    for finding in findings:
        click.echo(str(finding))
    if findings:
        click.echo(
            f"{_count(len(findings), 'finding')} in {_count(len(paths), 'dashboard')}", err=True
        )
        sys.exit(EXIT_FINDINGS)
    click.echo(f"{_count(len(paths), 'dashboard')} clean")


COMMANDS = (build, check, lint)

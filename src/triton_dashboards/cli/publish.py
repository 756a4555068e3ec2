"""``publish``, ``diff`` and ``pull``: ``dashboards/*.json`` and a live Grafana.

Settings come from flags or the environment (GRAFANA_URL, GRAFANA_TOKEN, ...), so CI
only sets variables. Exit codes: 0 everything published (or identical, for ``diff``);
1 some dashboards conflict, failed, or differ; 2 nothing could be done (bad settings,
Grafana unreachable or not Grafana, credentials refused, a permission missing).

The defaults (folder, timeout, retries, backoff, concurrency) are read from
:mod:`triton_dashboards.grafana.settings`, where they are written once.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from triton_dashboards.cli.build import SCHEMA_OPTION, repository_schema
from triton_dashboards.cli.common import DIR_OPTION, EXIT_FINDINGS, EXIT_USAGE, fail
from triton_dashboards.cli.grafana_settings import (
    Refused,
    connect,
    grafana_options,
    load_checkout,
    load_local,
    make_client,
    open_api,
)

if TYPE_CHECKING:
    from triton_dashboards.grafana.report import Outcome

#: Conflict diffs longer than this are cut; ``diff`` shows them whole.
MAX_CONFLICT_DIFF_LINES = 40


def _stop(message: str, output: str, *, url: str | None, dry_run: bool) -> NoReturn:
    """Fail with one line; with ``--output json`` also the document, so stdout always has one."""
    from triton_dashboards.grafana.report import document

    if output == "json":
        body = document(None, grafana=url, error=message, dry_run=dry_run)
        click.echo(json.dumps(body, indent=2, ensure_ascii=False))
    fail(message, EXIT_USAGE)


def _echo_conflict_diff(outcome: Outcome) -> None:
    shown = outcome.diff[:MAX_CONFLICT_DIFF_LINES]
    for line in shown:
        click.echo(f"    {line}")
    hidden = len(outcome.diff) - len(shown)
    if hidden > 0:
        click.echo(
            f"    ... {hidden} more lines: run `triton-dashboards diff {outcome.file or ''}`"
        )


@click.command()
@grafana_options
@DIR_OPTION
@click.option("--dry-run", is_flag=True, help="Print the plan; write nothing.")
@click.option("--force", is_flag=True, help="Overwrite dashboards changed in Grafana by others.")
@click.option(
    "--prune",
    is_flag=True,
    help="Delete dashboards in our folder that are not in --dir (only those this repository owns).",
)
@click.option(
    "--output",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help=(
        "text: a line per dashboard; json: one document on stdout, also on failure, with "
        "the keys ok, error, grafana, dry_run, folders, dashboards, summary."
    ),
)
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
def publish(
    settings: dict[str, Any],
    directory: Path,
    dry_run: bool,
    force: bool,
    prune: bool,
    output: str,
    files: tuple[Path, ...],
) -> None:
    """Publish dashboard JSON to Grafana, writing only what changed.

    Default: every dashboards/*.json. A dashboard edited in Grafana since our last
    publish is a CONFLICT: not written, its diff shown, exit 1, unless --force. So is
    one published from another branch (content not in this repository's history) or
    from another repository (its uid is taken). Lines come in the order of the files,
    so two runs print alike.

    \b
    With --output json, stdout holds exactly one JSON document, on success and on
    failure alike (the exit code still says which):
      ok          true when everything was published (or is unchanged)
      error       null, or the one-line reason the run stopped
      grafana     the URL published to (null when it was not valid)
      dry_run     whether nothing was written
      folders     [{title, uid, state}] of our folder path
      dashboards  [{label, uid, file, status, version_before, version_after, detail, diff}]
      summary     {status: count}

    \b
    Example:
      GRAFANA_URL=https://grafana.example.com GRAFANA_TOKEN=glsa_... triton-dashboards publish
      triton-dashboards publish --dry-run
    """
    from triton_dashboards.grafana.errors import GrafanaError
    from triton_dashboards.grafana.publish import Publisher
    from triton_dashboards.grafana.report import document

    url: str | None = None
    try:
        if prune and files:
            raise Refused(
                "--prune needs every dashboard to know what is no longer in git; drop the FILES"
            )
        dashboards = load_local(directory, files)
        checkout = load_checkout(dashboards)
        client = make_client(settings)
        url = client.base_url
    except Refused as refused:
        _stop(str(refused), output, url=url, dry_run=dry_run)
    width = max(len(d.label) for d in dashboards)

    def widen(labels: Sequence[str]) -> None:  # pruned uids may be longer than any file name
        nonlocal width
        width = max([width, *map(len, labels)])

    def show(outcome: Outcome) -> None:
        if output == "text":
            click.echo(outcome.line(width))
            if outcome.diff:
                _echo_conflict_diff(outcome)

    with client:
        try:
            publisher = Publisher(
                open_api(client, settings),
                folder=settings["folder"],
                concurrency=settings["concurrency"],
                force=force,
                dry_run=dry_run,
                prune=prune,
                checkout=checkout,
            )
            report = publisher.publish(dashboards, show, widen)
        except GrafanaError as error:
            _stop(error.message, output, url=url, dry_run=dry_run)
    if output == "json":
        click.echo(json.dumps(document(report, grafana=url), indent=2, ensure_ascii=False))
    else:
        click.echo(report.summary())
    if report.error is not None:
        fail(report.error)
    if not report.ok:
        sys.exit(EXIT_FINDINGS)


@click.command()
@grafana_options
@DIR_OPTION
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
def diff(settings: dict[str, Any], directory: Path, files: tuple[Path, ...]) -> None:
    """Show how Grafana differs from the local JSON (exit 1 when it does): for CI.

    A unified diff per dashboard, Grafana's copy against the file, after removing what
    Grafana manages (id, version), and what publish would do: write it, or refuse it as
    a CONFLICT (changed in Grafana by someone else). Default: every dashboards/*.json.

    \b
    Example:
      triton-dashboards diff || echo "Grafana differs from git"
      triton-dashboards diff dashboards/ner.json
    """
    from triton_dashboards.grafana.diff import diff_dashboards
    from triton_dashboards.grafana.errors import GrafanaError
    from triton_dashboards.grafana.folders import resolve_folders

    try:
        dashboards = load_local(directory, files)
        checkout = load_checkout(dashboards)
    except Refused as refused:
        fail(str(refused))
    with connect(settings) as client:
        try:
            api = open_api(client, settings)
            folders = resolve_folders(api, settings["folder"], dry_run=True, writable=False)
            results = diff_dashboards(
                api,
                dashboards,
                folders[-1].uid if folders else "",
                concurrency=settings["concurrency"],
                checkout=checkout,
            )
        except GrafanaError as error:
            fail(error.message)
    for result in results:
        for line in result.lines:
            click.echo(line)
    different = [r for r in results if r.differs]
    for result in results:
        click.echo(result.summary(), err=bool(different))
    if different:
        click.echo(f"{len(different)} of {len(results)} {_would(different)}", err=True)
        sys.exit(EXIT_FINDINGS)
    click.echo(f"{len(results)} dashboards identical in Grafana")


def _would(different: Sequence[Any]) -> str:
    """``dashboards differ from Grafana; publish would write 1; 1 is a conflict ...``."""
    from triton_dashboards.grafana.plan import Kind

    kinds = [r.kind for r in different]
    writes = sum(k in (Kind.CREATE, Kind.UPDATE) for k in kinds)
    conflicts, provisioned = kinds.count(Kind.CONFLICT), kinds.count(Kind.PROVISIONED)
    parts = [f"`triton-dashboards publish` would write {writes}"] if writes else []
    if conflicts:
        parts.append(
            f"{conflicts} {'is a conflict' if conflicts == 1 else 'are conflicts'} (changed in "
            "Grafana by someone else, or published from another branch or repository): "
            "publish refuses them; pull or merge them, or publish --force"
        )
    if provisioned:
        parts.append(f"{provisioned} provisioned from files in Grafana: publish cannot write them")
    managed = kinds.count(Kind.MANAGED)
    if managed:
        parts.append(f"{managed} managed by another tool in Grafana: publish cannot write them")
    return "dashboards differ from Grafana; " + "; ".join(parts)


@click.command()
@grafana_options
@DIR_OPTION
@SCHEMA_OPTION
@click.argument("uids", nargs=-1, required=True)
def pull(
    settings: dict[str, Any], directory: Path, schema: str | None, uids: Sequence[str]
) -> None:
    """Save live dashboards as DIR/UID.json, normalised, to start from one that exists.

    Saved in the schema this repository publishes, whatever Grafana stores (Grafana
    converts it, and the line says so): --schema, else that of the file it replaces,
    else [tool.triton-dashboards] schema in pyproject.toml, else v1.
    Nothing is written unless every UID is found, and none a JSON file in DIR already
    has (pull into another --dir, or remove that file).

    \b
    Example:
      triton-dashboards pull my-dashboard-uid --dir exported
    """
    from triton_dashboards.grafana.errors import GrafanaError
    from triton_dashboards.grafana.pull import PullRefused, pull_dashboards

    default = repository_schema(directory, (), None) if schema is None else schema
    wanted = list(dict.fromkeys(uids))
    with connect(settings) as client:
        try:
            api = open_api(client, settings)
            pulled = pull_dashboards(
                api,
                wanted,
                directory,
                schema=schema,
                default=default,
                concurrency=settings["concurrency"],
            )
        except (GrafanaError, PullRefused) as error:
            fail(str(error))
    for item in pulled:
        note = f"; {item.note}" if item.note else ""
        click.echo(f"{item.state} {item.path} (version {item.version}){note}")


COMMANDS = (publish, diff, pull)

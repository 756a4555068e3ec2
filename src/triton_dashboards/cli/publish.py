"""``publish``, ``diff`` and ``pull``: dashboards/*.json and a live Grafana.

Settings come from flags or the environment (GRAFANA_URL, GRAFANA_TOKEN, ...), so CI
only sets variables. Exit codes: 0 everything published (or identical, for ``diff``);
1 some dashboards conflict, failed, or differ; 2 nothing could be done (bad settings,
Grafana unreachable, credentials refused).
"""

from __future__ import annotations

import functools
import json
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from triton_dashboards.cli.common import DIR_OPTION, EXIT_FINDINGS, EXIT_USAGE, fail

if TYPE_CHECKING:
    from triton_dashboards.grafana.client import GrafanaClient
    from triton_dashboards.grafana.local import LocalDashboard
    from triton_dashboards.grafana.publish import Outcome

#: Conflict diffs longer than this are cut; ``diff`` shows them whole.
MAX_CONFLICT_DIFF_LINES = 40

_GRAFANA_OPTIONS: list[Callable[[Callable[..., Any]], Callable[..., Any]]] = [
    click.option(
        "--url",
        envvar="GRAFANA_URL",
        show_envvar=True,
        help="Grafana's address, with its sub-path if any: https://host/grafana.",
    ),
    click.option(
        "--token",
        envvar="GRAFANA_TOKEN",
        show_envvar=True,
        help="Service-account token (Editor role). Prefer the variable: flags show in ps.",
    ),
    click.option("--user", envvar="GRAFANA_USER", show_envvar=True, help="Basic-auth user."),
    click.option(
        "--password", envvar="GRAFANA_PASSWORD", show_envvar=True, help="Basic-auth password."
    ),
    click.option(
        "--org-id",
        envvar="GRAFANA_ORG_ID",
        show_envvar=True,
        help="Organisation id, sent as X-Grafana-Org-Id (default: the credential's own).",
    ),
    click.option(
        "--folder",
        envvar="GRAFANA_FOLDER",
        show_envvar=True,
        default="Triton",
        show_default=True,
        help="Folder title; A/B for a nested folder. Its uid is derived from the title.",
    ),
    click.option(
        "--ca-cert",
        type=click.Path(dir_okay=False, path_type=Path),
        help="PEM file of the CA that signed Grafana's certificate.",
    ),
    click.option("--insecure", is_flag=True, help="Skip TLS verification (test instances only)."),
    click.option(
        "--timeout", type=float, default=10.0, show_default=True, help="Seconds per request."
    ),
    click.option(
        "--retries",
        type=click.IntRange(0, 10),
        default=3,
        show_default=True,
        help="Retries on connection errors, timeouts and 500/502/503/504.",
    ),
    click.option(
        "--backoff",
        type=click.FloatRange(0),
        default=0.5,
        show_default=True,
        help="Seconds before the first retry; doubles on each.",
    ),
    click.option(
        "--concurrency",
        type=click.IntRange(1, 64),
        default=8,
        show_default=True,
        help="Dashboards handled at once.",
    ),
    click.option("-v", "--verbose", is_flag=True, help="Log every request (never credentials)."),
]

_SETTING_NAMES = (
    "url",
    "token",
    "user",
    "password",
    "org_id",
    "ca_cert",
    "insecure",
    "timeout",
    "retries",
    "backoff",
    "concurrency",
    "verbose",
    "folder",
)


def grafana_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add the connection options; the command receives them as one ``settings`` dict."""

    @functools.wraps(command)
    def wrapper(**kwargs: Any) -> Any:
        settings = {name: kwargs.pop(name) for name in _SETTING_NAMES}
        return command(settings=settings, **kwargs)

    for option in reversed(_GRAFANA_OPTIONS):
        wrapper = option(wrapper)
    return wrapper


def _org_id(value: str | None) -> int | None:
    if value is None or value.strip() == "":
        return None
    try:
        return int(value)
    except ValueError:
        fail(f"GRAFANA_ORG_ID must be a number (got {value!r}); set it to the organisation id")


def _client(settings: dict[str, Any]) -> GrafanaClient:
    from triton_dashboards.grafana.client import GrafanaClient, GrafanaConfig
    from triton_dashboards.grafana.errors import ConfigError

    if not settings["url"]:
        fail(
            "GRAFANA_URL is not set; set it (or --url) to Grafana's address, e.g. "
            "https://grafana.example.com"
        )
    if settings["verbose"]:
        logging.basicConfig(level=logging.DEBUG, format="%(name)s: %(message)s")
    token = settings["token"] or None
    user, password = settings["user"] or None, settings["password"]
    if not token and user and password is None:
        fail("GRAFANA_USER is set but GRAFANA_PASSWORD is not; set both, or GRAFANA_TOKEN")
    if not token and password and not user:
        fail("GRAFANA_PASSWORD is set but GRAFANA_USER is not; set both, or GRAFANA_TOKEN")
    config = GrafanaConfig(
        url=settings["url"],
        token=token,
        user=user,
        password=password,
        org_id=_org_id(settings["org_id"]),
        ca_cert=settings["ca_cert"],
        insecure=settings["insecure"],
        timeout=settings["timeout"],
        retries=settings["retries"],
        backoff=settings["backoff"],
        pool_size=settings["concurrency"],
    )
    try:
        return GrafanaClient(config)
    except ConfigError as error:
        fail(error.message)


def _local(directory: Path, files: tuple[Path, ...]) -> list[LocalDashboard]:
    from triton_dashboards.grafana.local import InputError, load_dashboards

    paths = list(files) or sorted(directory.glob("*.json"))
    if not paths:
        fail(f"no dashboard JSON in {directory}; run `triton-dashboards build` first or pass FILES")
    try:
        return load_dashboards(paths)
    except InputError as error:
        fail(str(error))


def _fail_json(message: str, output: str, code: int = EXIT_USAGE) -> NoReturn:
    if output == "json":
        click.echo(json.dumps({"ok": False, "error": message, "dashboards": []}, indent=2))
    fail(message, code)


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
    help="Delete dashboards in our folder that are not in --dir (only those we wrote last).",
)
@click.option(
    "--output",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text: a line per dashboard; json: one document for machines.",
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
    publish is a CONFLICT: not written, its diff shown, exit 1, unless --force.

    \b
    Example:
      GRAFANA_URL=https://grafana.example.com GRAFANA_TOKEN=glsa_... triton-dashboards publish
      triton-dashboards publish --dry-run
    """
    from triton_dashboards.grafana.errors import GrafanaError
    from triton_dashboards.grafana.publish import Publisher

    if prune and files:
        fail("--prune needs every dashboard to know what is no longer in git; drop the FILES")
    dashboards = _local(directory, files)
    width = max(len(d.label) for d in dashboards)

    def show(outcome: Outcome) -> None:
        if output == "text":
            click.echo(outcome.line(width))
            if outcome.diff:
                _echo_conflict_diff(outcome)

    client = _client(settings)
    with client:
        publisher = Publisher(
            client,
            folder=settings["folder"],
            concurrency=settings["concurrency"],
            force=force,
            dry_run=dry_run,
            prune=prune,
        )
        try:
            report = publisher.publish(dashboards, show)
        except GrafanaError as error:
            _fail_json(error.message, output)
    if output == "json":
        document = {"grafana": client.base_url, **report.to_dict()}
        click.echo(json.dumps(document, indent=2, ensure_ascii=False))
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
    Grafana manages (id, version). Default: every dashboards/*.json.

    \b
    Example:
      triton-dashboards diff || echo "Grafana differs from git"
      triton-dashboards diff dashboards/ner.json
    """
    from triton_dashboards.grafana.diff import diff_dashboards
    from triton_dashboards.grafana.errors import GrafanaError
    from triton_dashboards.grafana.folders import resolve_folders

    dashboards = _local(directory, files)
    with _client(settings) as client:
        try:
            folders = resolve_folders(client, settings["folder"], dry_run=True)
            results = diff_dashboards(
                client,
                dashboards,
                folders[-1].uid if folders else "",
                concurrency=settings["concurrency"],
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
        click.echo(
            f"{len(different)} of {len(results)} dashboards differ from Grafana; "
            "`triton-dashboards publish` would write them",
            err=True,
        )
        sys.exit(EXIT_FINDINGS)
    click.echo(f"{len(results)} dashboards identical in Grafana")


@click.command()
@grafana_options
@DIR_OPTION
@click.argument("uids", nargs=-1, required=True)
def pull(settings: dict[str, Any], directory: Path, uids: Sequence[str]) -> None:
    """Save live dashboards as DIR/UID.json, normalised, to start from one that exists.

    Nothing is written unless every UID is found.

    \b
    Example:
      triton-dashboards pull my-dashboard-uid --dir exported
    """
    from triton_dashboards.grafana.diff import pull_dashboards
    from triton_dashboards.grafana.errors import GrafanaError

    wanted = list(dict.fromkeys(uids))
    with _client(settings) as client:
        try:
            pulled = pull_dashboards(client, wanted, directory, concurrency=settings["concurrency"])
        except GrafanaError as error:
            fail(error.message)
    for item in pulled:
        click.echo(f"{item.state} {item.path} (version {item.version})")


COMMANDS = (publish, diff, pull)

"""``publish``, ``diff`` and ``pull``: dashboards/*.json and a live Grafana.

Settings come from flags or the environment (GRAFANA_URL, GRAFANA_TOKEN, ...), so CI
only sets variables. Exit codes: 0 everything published (or identical, for ``diff``);
1 some dashboards conflict, failed, or differ; 2 nothing could be done (bad settings,
Grafana unreachable or not Grafana, credentials refused, a permission missing).

The defaults (folder, timeout, retries, backoff, concurrency) are read from
:mod:`triton_dashboards.grafana.settings`, where they are written once.
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
from triton_dashboards.grafana import settings as defaults

if TYPE_CHECKING:
    from triton_dashboards.grafana.client import GrafanaClient
    from triton_dashboards.grafana.local import LocalDashboard
    from triton_dashboards.grafana.report import Outcome

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
        default=defaults.FOLDER,
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
        "--timeout",
        type=click.FloatRange(min=0, min_open=True),
        default=defaults.TIMEOUT,
        show_default=True,
        help="Seconds per request.",
    ),
    click.option(
        "--retries",
        type=click.IntRange(0, 10),
        default=defaults.RETRIES,
        show_default=True,
        help="Retries on connection errors, timeouts and 500/502/503/504.",
    ),
    click.option(
        "--backoff",
        type=click.FloatRange(0),
        default=defaults.BACKOFF,
        show_default=True,
        help="Seconds before the first retry; doubles on each.",
    ),
    click.option(
        "--concurrency",
        type=click.IntRange(1, 64),
        default=defaults.CONCURRENCY,
        show_default=True,
        help="Dashboards handled at once.",
    ),
    click.option(
        "-v",
        "--verbose",
        count=True,
        help="Log every request (never credentials); -vv adds urllib3's connection log.",
    ),
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


class Refused(Exception):
    """Nothing can be done: the one-line reason, for ``fail`` (and the JSON document)."""


def _org_id(value: str | None) -> int | None:
    if value is None or value.strip() == "":
        return None
    try:
        return int(value)
    except ValueError:
        raise Refused(
            f"GRAFANA_ORG_ID must be a number (got {value!r}); set it to the organisation id"
        ) from None


def _logging(verbose: int) -> None:
    """-v: our own request log; -vv: urllib3's connection log too (else kept at WARNING)."""
    if not verbose:
        return
    logging.basicConfig(level=logging.WARNING, format="%(name)s: %(message)s")
    logging.getLogger("triton_dashboards").setLevel(logging.DEBUG)
    logging.getLogger("urllib3").setLevel(logging.DEBUG if verbose > 1 else logging.WARNING)


def _client(settings: dict[str, Any]) -> GrafanaClient:
    """The client for these settings, or Refused with what to fix (nothing is sent)."""
    from triton_dashboards.grafana.client import GrafanaClient, GrafanaConfig
    from triton_dashboards.grafana.errors import ConfigError

    if not settings["url"]:
        raise Refused(
            "GRAFANA_URL is not set; set it (or --url) to Grafana's address, e.g. "
            "https://grafana.example.com"
        )
    _logging(settings["verbose"])
    token = settings["token"] or None
    user, password = settings["user"] or None, settings["password"]
    if not token and user and password is None:
        raise Refused("GRAFANA_USER is set but GRAFANA_PASSWORD is not; set both, or GRAFANA_TOKEN")
    if not token and password and not user:
        raise Refused("GRAFANA_PASSWORD is set but GRAFANA_USER is not; set both, or GRAFANA_TOKEN")
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
        raise Refused(error.message) from None


def _local(directory: Path, files: tuple[Path, ...]) -> list[LocalDashboard]:
    from triton_dashboards.grafana.local import InputError, load_dashboards

    paths = list(files) or sorted(directory.glob("*.json"))
    if not paths:
        raise Refused(
            f"no dashboard JSON in {directory}; run `triton-dashboards build` first or pass FILES"
        )
    try:
        return load_dashboards(paths)
    except InputError as error:
        raise Refused(str(error)) from None


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
    help="Delete dashboards in our folder that are not in --dir (only those we wrote last).",
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
    publish is a CONFLICT: not written, its diff shown, exit 1, unless --force.
    Lines come in the order of the files, so two runs print alike.

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
        dashboards = _local(directory, files)
        client = _client(settings)
        url = client.base_url
    except Refused as refused:
        _stop(str(refused), output, url=url, dry_run=dry_run)
    width = max(len(d.label) for d in dashboards)

    def show(outcome: Outcome) -> None:
        if output == "text":
            click.echo(outcome.line(width))
            if outcome.diff:
                _echo_conflict_diff(outcome)

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
            _stop(error.message, output, url=url, dry_run=dry_run)
    if output == "json":
        click.echo(json.dumps(document(report, grafana=url), indent=2, ensure_ascii=False))
    else:
        click.echo(report.summary())
    if report.error is not None:
        fail(report.error)
    if not report.ok:
        sys.exit(EXIT_FINDINGS)


def _connect(settings: dict[str, Any]) -> GrafanaClient:
    try:
        return _client(settings)
    except Refused as refused:
        fail(str(refused))


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
        dashboards = _local(directory, files)
    except Refused as refused:
        fail(str(refused))
    with _connect(settings) as client:
        try:
            folders = resolve_folders(client, settings["folder"], dry_run=True, writable=False)
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
            "Grafana by someone else): publish refuses them; pull them, or publish --force"
        )
    if provisioned:
        parts.append(f"{provisioned} provisioned from files in Grafana: publish cannot write them")
    return "dashboards differ from Grafana; " + "; ".join(parts)


@click.command()
@grafana_options
@DIR_OPTION
@click.argument("uids", nargs=-1, required=True)
def pull(settings: dict[str, Any], directory: Path, uids: Sequence[str]) -> None:
    """Save live dashboards as DIR/UID.json, normalised, to start from one that exists.

    Nothing is written unless every UID is found, and none a JSON file in DIR already
    has (pull into another --dir, or remove that file).

    \b
    Example:
      triton-dashboards pull my-dashboard-uid --dir exported
    """
    from triton_dashboards.grafana.diff import PullRefused, pull_dashboards
    from triton_dashboards.grafana.errors import GrafanaError

    wanted = list(dict.fromkeys(uids))
    with _connect(settings) as client:
        try:
            pulled = pull_dashboards(client, wanted, directory, concurrency=settings["concurrency"])
        except (GrafanaError, PullRefused) as error:
            fail(str(error))
    for item in pulled:
        click.echo(f"{item.state} {item.path} (version {item.version})")


COMMANDS = (publish, diff, pull)

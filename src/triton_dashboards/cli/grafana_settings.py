"""The Grafana connection settings every Grafana command shares: flags, variables, client.

Settings come from flags or the environment (GRAFANA_URL, GRAFANA_TOKEN, ...), so CI only
sets variables; the defaults are read from :mod:`triton_dashboards.grafana.settings`.
Problems found here raise :class:`Refused` (one line, nothing sent), so each command can
report them its own way (``publish --output json`` still prints its document).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from triton_dashboards.cli.common import fail
from triton_dashboards.grafana import settings as defaults

if TYPE_CHECKING:
    from triton_dashboards.grafana.api import DashboardApi
    from triton_dashboards.grafana.checkout import Checkout
    from triton_dashboards.grafana.client import GrafanaClient
    from triton_dashboards.grafana.local import LocalDashboard

__all__ = [
    "Refused",
    "connect",
    "grafana_options",
    "load_checkout",
    "load_local",
    "make_client",
    "open_api",
]


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
        "--api",
        envvar="GRAFANA_API",
        show_envvar=True,
        type=click.Choice(["auto", "legacy", "k8s"]),
        default="auto",
        show_default=True,
        help=(
            "k8s: Grafana 12/13's /apis (dashboard.grafana.app v1 on 13, v1beta1 on 12); "
            "legacy: /api; auto: k8s where Grafana serves it."
        ),
    ),
    click.option(
        "--stack-id",
        envvar="GRAFANA_STACK_ID",
        show_envvar=True,
        type=click.IntRange(min=1),
        help="Grafana Cloud stack id: the /apis namespace is stacks-N instead of default.",
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
    "api",
    "stack_id",
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


def make_client(settings: dict[str, Any]) -> GrafanaClient:
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


def load_local(directory: Path, files: tuple[Path, ...]) -> list[LocalDashboard]:
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


def load_checkout(dashboards: list[LocalDashboard]) -> Checkout:
    """The git checkout the dashboards come from (what "ours" means when publishing)."""
    from triton_dashboards.grafana.checkout import checkout_of
    from triton_dashboards.grafana.local import InputError

    try:
        return checkout_of(d.path for d in dashboards if d.path is not None)
    except InputError as error:
        raise Refused(str(error)) from None


def connect(settings: dict[str, Any]) -> GrafanaClient:
    try:
        return make_client(settings)
    except Refused as refused:
        fail(str(refused))


def open_api(client: GrafanaClient, settings: dict[str, Any]) -> DashboardApi:
    """The API ``--api`` asks for (auto: ``/apis`` where served); raises GrafanaError."""
    from triton_dashboards.grafana.discovery import open_api as discover

    api = discover(client, settings["api"], stack_id=settings["stack_id"])
    logging.getLogger("triton_dashboards.grafana").info("publishing through %r", api)
    return api

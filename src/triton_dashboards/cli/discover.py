"""``discover``: what a deployment has, and the dashboards to start from.

The reading is :mod:`triton_dashboards.inspect.discover` (Prometheus) and
:mod:`triton_dashboards.inspect.triton` (Triton's HTTP API); the files written are
:mod:`triton_dashboards.inspect.starter`'s. This module prints and writes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from triton_dashboards.cli.common import FORMAT_OPTION, fail

if TYPE_CHECKING:
    from triton_dashboards.inspect.discover import Discovery
    from triton_dashboards.inspect.starter import Plan

#: Models a table cell names before "and N more" (the JSON lists them all).
_LISTED = 4


@click.command()
@click.option(
    "--prometheus",
    "prometheus_url",
    required=True,
    metavar="URL",
    help="The Prometheus that scrapes Triton, e.g. http://prometheus:9090.",
)
@click.option(
    "--triton",
    "triton_url",
    metavar="URL",
    help="Triton's HTTP port (8000 by default), e.g. http://triton:8000: the models' state,"
    " backend, and each ensemble's steps. Without it, ensembles cannot be known.",
)
@click.option(
    "--write",
    "write_dir",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="DIR",
    help="Write DIR/overview.dashboard.py with the ensembles declared, and a dashboard per"
    " ensemble (needs --triton).",
)
@click.option("--force", is_flag=True, help="With --write: overwrite files that exist.")
@click.option(
    "--uid-prefix",
    metavar="PREFIX",
    help="With --write: your team's uid prefix (uid_prefix of the stock dashboards you"
    " ship); default: the overview's uid is tailored-triton-overview.",
)
@FORMAT_OPTION
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    help="Seconds each request may take; by default each client's own limit.",
)
def discover(
    prometheus_url: str,
    triton_url: str | None,
    write_dir: Path | None,
    force: bool,
    uid_prefix: str | None,
    output: str,
    timeout: float | None,
) -> None:
    """List what Prometheus and Triton say the deployment has.

    From Prometheus: clusters, namespaces, jobs and pods, the models and versions, the
    families each has (so which Triton switches are on) and the scrape interval. From
    Triton (--triton): each model's state and backend, and each ensemble's steps, which
    the metrics cannot tell. With --write, the dashboards to start from.

    \b
    Example:
      triton-dashboards discover --prometheus http://prometheus:9090 \\
          --triton http://triton:8000 --write dashboards/
    """
    from triton_dashboards.inspect.discover import discover as read
    from triton_dashboards.inspect.prometheus import DEFAULT_TIMEOUT, Prometheus, PrometheusError
    from triton_dashboards.inspect.triton import TIMEOUT, TritonError, read_repository

    if uid_prefix is not None:
        from triton_dashboards.dashboard.stock import OVERVIEW_UID
        from triton_dashboards.validation import MAX_UID_LENGTH, is_uid

        if not is_uid(uid_prefix + OVERVIEW_UID):
            fail(
                f"--uid-prefix {uid_prefix!r} makes the uid {uid_prefix + OVERVIEW_UID!r}, which"
                f" Grafana refuses: use letters, digits, - and _, {MAX_UID_LENGTH} in all"
            )
    if write_dir is not None and triton_url is None:
        fail(
            "--write needs --triton: the ensembles to declare are read from Triton's model"
            " configurations; add --triton http://TRITON:8000"
        )
    try:
        repository = None if triton_url is None else read_repository(triton_url, timeout or TIMEOUT)
        found = read(Prometheus(prometheus_url, timeout=timeout or DEFAULT_TIMEOUT), repository)
    except (TritonError, PrometheusError) as e:
        fail(str(e))
    targets: dict[Path, str] = {}
    if write_dir is not None and found.ensembles:
        targets = _targets(write_dir, _plan(found, uid_prefix), force)  # before any output
    if output == "json":
        click.echo(json.dumps(found.to_json(), indent=2))
    else:
        click.echo(_table(found), nl=False)
    if write_dir is not None and not targets:
        click.echo(
            "nothing written: Triton serves no ensemble, so the stock overview already counts"
            " each request once",
            err=True,
        )
    elif write_dir is not None:
        _write(write_dir, targets)


def _plan(found: Discovery, uid_prefix: str | None) -> Plan:
    """The files for ``found``: the uids they link to are the stock set's (``uids``)."""
    from triton_dashboards.dashboard.stock import MODEL_UID, overview
    from triton_dashboards.dashboard.stock.uids import uids
    from triton_dashboards.inspect.starter import plan_for

    return plan_for(
        found,
        overview_uid=overview(ensembles=found.ensembles, uid_prefix=uid_prefix).uid,
        model_uid=uids(["ensembles"], uid_prefix, replace_stock=False).link(MODEL_UID),
        uid_prefix=uid_prefix or "",
    )


def _targets(directory: Path, plan: Plan, force: bool) -> dict[Path, str]:
    """Path -> text of what to write; a one-line error if a file is in the way."""
    from triton_dashboards.inspect.starter import files

    targets = {directory / name: text for name, text in files(plan).items()}
    existing = [path for path in targets if path.exists()]
    if existing and not force:
        more = f" (and {len(existing) - 1} more)" if len(existing) > 1 else ""
        fail(
            f"{existing[0]} already exists{more}; pass --force to overwrite, or --write another DIR"
        )
    return targets


def _write(directory: Path, targets: dict[Path, str]) -> None:
    """Write every target, or none: the files this run created go if one write fails."""
    from triton_dashboards.files import write_atomic

    created: list[Path] = []
    try:
        directory.mkdir(parents=True, exist_ok=True)
        for path, text in targets.items():
            is_new = not path.exists()
            write_atomic(path, text)
            if is_new:
                created.append(path)
    except OSError as e:
        for path in created:
            path.unlink(missing_ok=True)
        fail(
            f"cannot write {e.filename or directory}: {e.strerror};"
            " check the folder, or --write another DIR"
        )
    for path in targets:
        click.echo(f"wrote {path}", err=True)
    click.echo(
        f"next: triton-dashboards build --dir {directory}"
        f" && triton-dashboards lint --dir {directory}",
        err=True,
    )


# -- the table -----------------------------------------------------------------------------------


def _table(found: Discovery) -> str:
    interval = "unknown" if found.scrape_interval is None else f"{found.scrape_interval:g}s"
    lines = [f"Prometheus {found.prometheus}, scrape interval {interval}"]
    for label, values in found.locations.items():
        lines.append(f"  {label:<10} {', '.join(values) or '(no series carries this label)'}")
    lines += [
        "",
        *_columns(["MODEL", "VERSION", "NAMESPACE", "FAMILIES", "TRITON"], _models(found)),
    ]
    lines += ["", *_columns(["ON FOR", "SWITCH"], _flags(found))]
    if found.triton is not None:
        lines += ["", f"Triton {found.triton.url} ({found.triton.version or 'version unknown'})"]
        for e in found.ensembles:
            lines.append(f"  ensemble {e.name}: {' -> '.join(e.steps)}")
        if not found.ensembles:
            lines.append("  no ensembles")
    lines += [""] + [f"note: {note}" for note in found.notes]
    return "\n".join(lines).rstrip("\n") + "\n"


def _models(found: Discovery) -> list[list[str]]:
    triton = {(m.name, m.version): m for m in found.triton.models} if found.triton else {}
    rows = []
    for m in found.models:
        rows.append([m.name, m.version, ", ".join(m.namespaces) or "-", str(len(m.families))])
    keys = [(m.name, m.version) for m in found.models]
    keys += sorted(k for k in triton if k not in set(keys))
    rows += [[name, version, "-", "0"] for name, version in keys[len(found.models) :]]
    for row, key in zip(rows, keys, strict=True):
        model = triton.get(key)
        if found.triton is None:
            row.append("-")
        elif model is None:
            row.append("not in this Triton")
        elif model.is_ensemble:
            row.append(f"{model.state} ensemble of {len(model.steps)}")
        else:
            reason = f" ({model.reason})" if model.reason else ""
            row.append(f"{model.state}{reason} {model.backend}".rstrip())
    return rows


def _flags(found: Discovery) -> list[list[str]]:
    every = {m.name for m in found.models}
    rows = []
    for flag in found.flags:
        if not flag.on:
            where = "off (no family of it scraped)"
        elif not flag.models:
            where = "the servers"
        elif set(flag.models) == every:
            where = "every model"
        else:
            shown = ", ".join(flag.models[:_LISTED])
            more = len(flag.models) - _LISTED
            where = f"{shown} and {more} more" if more > 0 else shown
        rows.append([where, flag.flag])
    return rows


def _columns(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    return [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in [header, *rows]
    ]


COMMANDS = (discover,)

"""What every command shares: exit codes, the one-line error, the options more than one
command takes (--dir, --output table|json, -o FILE).

Errors a user can fix are one line on stderr, ``error: what went wrong; what to do``,
with exit code 2; findings (``check``, ``lint``, ``diff``) exit 1.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import click

EXIT_FINDINGS = 1
EXIT_USAGE = 2

DIR_OPTION = click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("dashboards"),
    show_default=True,
    help="Folder of the *.dashboard.py files and their JSON.",
)

#: How a command that reports (doctor, discover) prints: ``output`` is "table" or "json".
FORMAT_OPTION = click.option(
    "--output",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="table: for people; json: one JSON document on stdout.",
)

#: Where a command that writes one file (scrape-config, rules, ...) puts it: ``output``.
FILE_OPTION = click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file instead of standard output.",
)


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    """Print ``error: message`` as one line on stderr and exit with ``code``."""
    click.echo(f"error: {' '.join(message.split())}", err=True)
    sys.exit(code)


def emit(text: str, output: Path | None) -> None:
    """Print ``text``, or write it to ``output`` whole (never half a file) and say so."""
    if output is None:
        click.echo(text, nl=False)
        return
    from triton_dashboards.files import write_atomic

    try:
        write_atomic(output, text)
    except OSError as e:
        fail(f"cannot write {output}: {e.strerror}; check the path")
    click.echo(f"wrote {output}", err=True)

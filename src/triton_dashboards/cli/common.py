"""What every command shares: exit codes, the one-line error, the --dir option.

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

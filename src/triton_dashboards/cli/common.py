"""What every command shares: exit codes, the one-line error, the options more than one
command takes (--dir, --output table|json, -o FILE).

Errors a user can fix are one line on stderr, ``error: what went wrong; what to do``,
with exit code 2; findings (``check``, ``lint``, ``diff``) exit 1. Click's own usage
errors (a bad value, a missing argument, an unknown option or command) are written the
same way by :class:`Group`, the class of the ``triton-dashboards`` group.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, NoReturn

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

    write_atomic(output, text)  # a WriteError is one line, from Group
    click.echo(f"wrote {output}", err=True)


# click >= 8.2 raises this UsageError for a bare ``triton-dashboards``: it shows the help,
# which stays as it is.
_HELP_ERRORS: tuple[type[Exception], ...] = tuple(
    getattr(click.exceptions, name)
    for name in ("NoArgsIsHelpError",)
    if hasattr(click.exceptions, name)
)
# Where the group notes the command it is about to run, for the errors click raises
# without a context (``--dir`` given no value).
_COMMAND_KEY = "triton_dashboards.command"


def _param_hint(error: click.BadParameter) -> str | None:
    """``--schema``, ``-o/--output`` or ``FILES``: the parameter a bad value was given to."""
    if error.param_hint is not None:
        hints = [error.param_hint] if isinstance(error.param_hint, str) else list(error.param_hint)
    elif isinstance(error.param, click.Option):
        hints = list(error.param.opts)
    elif error.param is not None:
        hints = [error.param.human_readable_name]
    else:
        return None
    return "/".join(h.strip("'\"") for h in hints)


def _sentence(text: str) -> str:
    """One line, without the closing full stop, lower-cased as the house's errors are."""
    line = " ".join(text.split()).rstrip(".")
    if line[:1].isupper() and line[1:2].islower():
        line = line[0].lower() + line[1:]
    return line


def _what_went_wrong(error: click.UsageError) -> str:
    message = error.format_message()
    if isinstance(error, click.BadParameter) and not isinstance(error, click.MissingParameter):
        hint = _param_hint(error)
        if hint is not None:
            return f"{hint}: {_sentence(error.message)}"
    elif getattr(error, "possibilities", None) and message.startswith(error.message):
        # An unknown option or command, with click's "(Did you mean ...?)" after it.
        suggestion = _sentence(message[len(error.message) :].strip().strip("()"))
        return f"{_sentence(error.message)} ({suggestion})"
    return _sentence(message)


def usage_line(error: click.UsageError, command_path: str | None = None) -> str:
    """Click's usage error as ``COMMAND: what went wrong; see 'COMMAND --help'``.

    Click writes a usage error as four lines (usage, a hint, a blank line, the error); this
    says the same in the one line every other error of this command is. ``command_path``
    names the command when click raised the error without a context.
    """
    ctx = error.ctx
    path = ctx.command_path if ctx is not None else command_path
    if path is None:
        return _what_went_wrong(error)
    names = ctx.command.get_help_option_names(ctx) if ctx is not None else ["--help"]
    help_name = max(names, key=len) if names else "--help"
    return f"{path}: {_what_went_wrong(error)}; see '{path} {help_name}'"


class OneLineUsageError(click.UsageError):
    """A usage error already said in one line; click shows it as ``fail`` would."""

    def show(self, file: Any = None) -> None:
        click.echo(f"error: {self.message}", file=file, err=file is None)


def _one_line(error: click.UsageError, command_path: str | None) -> click.UsageError:
    if isinstance(error, (OneLineUsageError, *_HELP_ERRORS)):
        return error
    return OneLineUsageError(usage_line(error, command_path), error.ctx)


class Group(click.Group):
    """A click group whose usage errors, its own and every command's, are one line.

    Click raises a usage error while it parses the group's arguments
    (:meth:`make_context`) or, inside :meth:`invoke`, while it finds the command, parses
    the command's arguments or runs a callback that raises one; both are caught here, so
    every command gets the same line with no code of its own. Exit code 2, as click's.
    """

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.UsageError as e:
            raise _one_line(e, None if parent is None else parent.command_path) from e

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name, command, rest = super().resolve_command(ctx, args)
        if command is not None:
            ctx.meta[_COMMAND_KEY] = f"{ctx.command_path} {command.name or name}"
        return name, command, rest

    def invoke(self, ctx: click.Context) -> Any:
        from triton_dashboards.files import WriteError

        try:
            return super().invoke(ctx)
        except click.UsageError as e:
            raise _one_line(e, ctx.meta.get(_COMMAND_KEY, ctx.command_path)) from e
        except WriteError as e:
            # Any command that writes files (build, pull, preview, ...) says it the same way.
            fail(str(e))

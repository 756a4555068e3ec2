"""What reaches a query from outside: Grafana variables, label values, names, windows.

Label values are escaped for a double-quoted string, literal alternatives for an RE2
regex; Grafana variables are written verbatim so that Grafana can interpolate them.
Names and durations follow :mod:`triton_dashboards.validation`, the one rule for them.
"""

from __future__ import annotations

import re
from typing import TypeAlias

import attrs

from triton_dashboards.validation import InvalidValue, check_label_name, is_duration


class PromQLError(ValueError):
    """An expression that cannot be built; the message is one line that says why."""


_VAR_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
# Grafana's variable formats (docs: "Variable syntax"); ${var:format}.
_VAR_FORMATS = frozenset(
    {
        "csv",
        "distributed",
        "doublequote",
        "glob",
        "json",
        "lucene",
        "percentencode",
        "pipe",
        "raw",
        "regex",
        "singlequote",
        "sqlstring",
        "text",
        "queryparam",
    }
)


@attrs.frozen
class Var:
    """A Grafana template variable, written verbatim into the query.

    ``multi`` says whether the variable may hold several values (multi-value or "All"):
    Grafana then interpolates a regex such as ``(a|b)``, so a matcher on it must use
    ``=~``; :meth:`Matcher.of` picks the operator from it.
    """

    name: str
    format: str | None = None
    multi: bool = True

    def __attrs_post_init__(self) -> None:
        if not _VAR_NAME.match(self.name):
            raise PromQLError(f"invalid Grafana variable name {self.name!r}: use [A-Za-z0-9_]")
        if self.format is not None and self.format not in _VAR_FORMATS:
            raise PromQLError(
                f"unknown Grafana variable format {self.format!r}; "
                f"use one of {', '.join(sorted(_VAR_FORMATS))}"
            )

    def __str__(self) -> str:
        if self.format:
            return f"${{{self.name}:{self.format}}}"
        return f"${self.name}"


#: Grafana's variable syntax in a query: ``$var``, ``${var}``, ``${var:format}`` and the
#: deprecated ``[[var]]`` (``$1`` is a regex group, not a variable). The first non-empty
#: group is the name. The lint reads it to check names, the inspect engine to interpolate.
VARIABLE_SYNTAX = re.compile(
    r"\$(?:\{([A-Za-z_]\w*)(?::\w+)?\}|([A-Za-z_]\w*))|\[\[([A-Za-z_]\w*)(?::\w+)?\]\]"
)

#: Grafana's range for ``rate()``: max($__interval + scrape interval, 4 x scrape interval).
RATE_INTERVAL = Var("__rate_interval", multi=False)
#: The whole time range of the dashboard.
RANGE = Var("__range", multi=False)

LabelValue: TypeAlias = str | Var
Window: TypeAlias = str | Var


def escape_label_value(value: str) -> str:
    """Escape a label value for a double-quoted PromQL string (Go string syntax)."""
    return (
        value.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace("\t", "\\t")
    )


_RE2_SPECIAL = frozenset("\\.+*?()|[]{}^$")


def regex_escape(value: str) -> str:
    """Escape a literal for an RE2 regex (``=~``), touching only RE2's metacharacters.

    Python's :func:`re.escape` also escapes characters such as space, which RE2 rejects
    as an invalid escape sequence.
    """
    return "".join("\\" + c if c in _RE2_SPECIAL else c for c in value)


def check_label(name: str) -> str:
    try:
        return check_label_name(name)
    except InvalidValue as e:
        raise PromQLError(str(e)) from None


def check_window(window: Window) -> str:
    if isinstance(window, Var):
        return str(window)
    if not is_duration(window):
        raise PromQLError(
            f"invalid range {window!r}: use a Prometheus duration such as 5m or 1h30m, "
            "or a Grafana variable such as $__rate_interval"
        )
    return window

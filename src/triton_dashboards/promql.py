"""A small typed PromQL builder that renders canonical strings.

Expressions are immutable trees. Rendering follows the shape of Prometheus' own
pretty-printer (``/api/v1/format_query``): ``sum by (model) (rate(x{a="b"}[5m]))``,
binary operators spaced, parentheses only where precedence needs them. The same tree
always renders to the same string, which keeps the committed dashboard JSON stable.

Two kinds of values reach a query from outside, and both are handled here so that no
caller ever formats PromQL by hand:

* label values, which are escaped (a model named ``a"b\\c`` gives ``model="a\\"b\\\\c"``),
  and literal alternatives, which are regex-escaped for ``=~``;
* Grafana variables (``$model``, ``${model:regex}``, ``$__rate_interval``), which are
  written verbatim so that Grafana can interpolate them.

This module knows PromQL, not Triton.
"""

from __future__ import annotations

import enum
import math
import re
from collections.abc import Iterable, Sequence
from typing import TypeAlias

import attrs

__all__ = [
    "RANGE",
    "RATE_INTERVAL",
    "Aggregate",
    "Binary",
    "Call",
    "Expr",
    "Matcher",
    "Number",
    "Op",
    "PromQLError",
    "RangeSelector",
    "Selector",
    "Var",
    "aggregate",
    "avg_by",
    "binop",
    "clamp_min",
    "count_by",
    "escape_label_value",
    "histogram_quantile",
    "increase",
    "max_by",
    "min_by",
    "rate",
    "regex_escape",
    "sum_by",
    "sum_without",
]


class PromQLError(ValueError):
    """An expression that cannot be built; the message is one line that says why."""


_METRIC_NAME = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")
_LABEL_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
# Units in Prometheus' order, each at most once: 1h30m, not 30m1h.
_DURATION = re.compile(r"^(?:\d+y)?(?:\d+w)?(?:\d+d)?(?:\d+h)?(?:\d+m)?(?:\d+s)?(?:\d+ms)?$")
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


def _check_label(name: str) -> str:
    if not _LABEL_NAME.match(name):
        raise PromQLError(f"invalid label name {name!r}: use [a-zA-Z_][a-zA-Z0-9_]*")
    return name


def _check_window(window: Window) -> str:
    if isinstance(window, Var):
        return str(window)
    if not window or not _DURATION.match(window) or not any(c in "123456789" for c in window):
        raise PromQLError(
            f"invalid range {window!r}: use a Prometheus duration such as 5m or 1h30m, "
            "or a Grafana variable such as $__rate_interval"
        )
    return window


class Op(enum.Enum):
    """Binary operators with their Prometheus precedence (higher binds tighter)."""

    OR = ("or", 1)
    AND = ("and", 2)
    UNLESS = ("unless", 2)
    EQ = ("==", 3)
    NE = ("!=", 3)
    GT = (">", 3)
    LT = ("<", 3)
    GE = (">=", 3)
    LE = ("<=", 3)
    ADD = ("+", 4)
    SUB = ("-", 4)
    MUL = ("*", 5)
    DIV = ("/", 5)
    MOD = ("%", 5)
    POW = ("^", 6)

    @property
    def symbol(self) -> str:
        return self.value[0]

    @property
    def precedence(self) -> int:
        return self.value[1]

    @property
    def is_comparison(self) -> bool:
        return self.precedence == 3

    @property
    def is_set(self) -> bool:
        return self.precedence < 3


_ATOM = 100  # selectors, calls, aggregations and numbers never need parentheses


class Expr:
    """Base of every expression; arithmetic operators build :class:`Binary` nodes."""

    __slots__ = ()

    precedence: int = _ATOM

    def render(self) -> str:
        raise NotImplementedError

    def __str__(self) -> str:
        return self.render()

    def __add__(self, other: Expr | float) -> Binary:
        return binop(Op.ADD, self, other)

    def __radd__(self, other: float) -> Binary:
        return binop(Op.ADD, other, self)

    def __sub__(self, other: Expr | float) -> Binary:
        return binop(Op.SUB, self, other)

    def __rsub__(self, other: float) -> Binary:
        return binop(Op.SUB, other, self)

    def __mul__(self, other: Expr | float) -> Binary:
        return binop(Op.MUL, self, other)

    def __rmul__(self, other: float) -> Binary:
        return binop(Op.MUL, other, self)

    def __truediv__(self, other: Expr | float) -> Binary:
        return binop(Op.DIV, self, other)

    def __rtruediv__(self, other: float) -> Binary:
        return binop(Op.DIV, other, self)

    def gt(self, other: Expr | float) -> Binary:
        """``self > other``: a filter that keeps only the series above ``other``."""
        return binop(Op.GT, self, other)

    def ge(self, other: Expr | float) -> Binary:
        """``self >= other``; also drops NaN samples, which compare false."""
        return binop(Op.GE, self, other)

    def or_(self, other: Expr) -> Binary:
        return binop(Op.OR, self, other)


def _as_expr(value: Expr | float) -> Expr:
    if isinstance(value, Expr):
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PromQLError(f"cannot use {value!r} in a PromQL expression")
    return Number(float(value))


@attrs.frozen
class Number(Expr):
    value: float = attrs.field(converter=float)

    def render(self) -> str:
        v = self.value
        if math.isnan(v):
            return "NaN"
        if math.isinf(v):
            return "Inf" if v > 0 else "-Inf"
        if v.is_integer() and abs(v) < 1e15:
            return str(int(v))
        return repr(v)


@attrs.frozen
class StringLiteral(Expr):
    value: str

    def render(self) -> str:
        return f'"{escape_label_value(self.value)}"'


@attrs.frozen
class Matcher:
    """``label op "value"``, with ``op`` one of ``=``, ``!=``, ``=~``, ``!~``."""

    label: str = attrs.field(converter=_check_label)
    op: str = "="
    value: LabelValue = ""

    def __attrs_post_init__(self) -> None:
        if self.op not in ("=", "!=", "=~", "!~"):
            raise PromQLError(f"invalid matcher operator {self.op!r}: use =, !=, =~ or !~")

    @classmethod
    def of(cls, label: str, value: LabelValue | Sequence[str]) -> Matcher:
        """The natural matcher for a value.

        A string matches exactly; several strings match any of them (regex-escaped
        alternatives); a Grafana variable that may hold several values uses ``=~``.
        """
        if isinstance(value, Var):
            return cls(label, "=~" if value.multi else "=", value)
        if isinstance(value, str):
            return cls(label, "=", value)
        values = list(value)
        if not values:
            raise PromQLError(f"no values given for label {label!r}")
        if len(values) == 1:
            return cls(label, "=", values[0])
        return cls(label, "=~", "|".join(regex_escape(v) for v in values))

    def render(self) -> str:
        if isinstance(self.value, Var):
            return f'{self.label}{self.op}"{self.value}"'
        return f'{self.label}{self.op}"{escape_label_value(self.value)}"'

    def __str__(self) -> str:
        return self.render()


@attrs.frozen
class Selector(Expr):
    """An instant vector selector: ``metric{label="value", ...}``."""

    metric: str
    matchers: tuple[Matcher, ...] = ()

    def __attrs_post_init__(self) -> None:
        if not _METRIC_NAME.match(self.metric):
            raise PromQLError(f"invalid metric name {self.metric!r}")

    def where(self, *matchers: Matcher) -> Selector:
        return Selector(self.metric, self.matchers + matchers)

    def over(self, window: Window) -> RangeSelector:
        return RangeSelector(self, window)

    def render(self) -> str:
        if not self.matchers:
            return self.metric
        return self.metric + "{" + ", ".join(m.render() for m in self.matchers) + "}"


@attrs.frozen
class RangeSelector(Expr):
    """A range vector selector: ``metric{...}[window]``."""

    selector: Selector
    window: Window

    def __attrs_post_init__(self) -> None:
        _check_window(self.window)

    def render(self) -> str:
        return f"{self.selector.render()}[{_check_window(self.window)}]"


@attrs.frozen
class Call(Expr):
    """A function call, ``name(arg, ...)``."""

    func: str
    args: tuple[Expr, ...]

    def render(self) -> str:
        return f"{self.func}({', '.join(a.render() for a in self.args)})"


_AGGREGATIONS = frozenset(
    {"sum", "avg", "min", "max", "count", "group", "stddev", "stdvar", "topk", "bottomk",
     "quantile", "count_values"}
)  # fmt: skip


def _labels(labels: Iterable[str]) -> tuple[str, ...]:
    if isinstance(labels, str):
        raise PromQLError(f"labels must be a sequence of names, not the string {labels!r}")
    return tuple(_check_label(label) for label in labels)


@attrs.frozen
class Aggregate(Expr):
    """``op by (labels) (expr)``, ``op without (labels) (expr)`` or ``op(expr)``.

    An empty ``by`` aggregates everything and renders as ``op(expr)``; an empty
    ``without`` keeps every label and stays ``op without () (expr)``.
    """

    op: str
    expr: Expr
    by: tuple[str, ...] | None = attrs.field(default=None)
    without: tuple[str, ...] | None = attrs.field(default=None)
    param: Expr | None = None

    def __attrs_post_init__(self) -> None:
        if self.op not in _AGGREGATIONS:
            raise PromQLError(f"unknown aggregation {self.op!r}")
        if self.by is not None and self.without is not None:
            raise PromQLError(f"{self.op}: use either by or without, not both")

    def render(self) -> str:
        if self.by:
            head = f"{self.op} by ({', '.join(self.by)}) "
        elif self.without is not None:  # ``without ()`` keeps every label: not ``op(x)``
            head = f"{self.op} without ({', '.join(self.without)}) "
        else:
            head = self.op
        inner = self.expr.render()
        if self.param is not None:
            inner = f"{self.param.render()}, {inner}"
        return f"{head}({inner})"


@attrs.frozen
class Binary(Expr):
    """``lhs op [bool] [on|ignoring (labels)] [group_left|group_right (labels)] rhs``."""

    op: Op
    lhs: Expr
    rhs: Expr
    on: tuple[str, ...] | None = None
    ignoring: tuple[str, ...] | None = None
    group_left: tuple[str, ...] | None = None
    group_right: tuple[str, ...] | None = None
    bool_: bool = False

    def __attrs_post_init__(self) -> None:
        if self.on is not None and self.ignoring is not None:
            raise PromQLError("use either on or ignoring, not both")
        if self.group_left is not None and self.group_right is not None:
            raise PromQLError("use either group_left or group_right, not both")
        if (self.group_left is not None or self.group_right is not None) and (
            self.on is None and self.ignoring is None
        ):
            raise PromQLError("group_left/group_right need on (...) or ignoring (...)")
        if self.op.is_set and (self.group_left is not None or self.group_right is not None):
            raise PromQLError(f"no grouping allowed for the set operator {self.op.symbol!r}")
        if self.bool_ and not self.op.is_comparison:
            raise PromQLError(f"bool applies to comparisons, not to {self.op.symbol!r}")

    @property
    def precedence(self) -> int:  # type: ignore[override]
        return self.op.precedence

    def _side(self, side: Expr, right: bool) -> str:
        text = side.render()
        needs = side.precedence < self.precedence
        if side.precedence == self.precedence:
            # Left-associative operators need parentheses on the right, ``^`` on the left.
            needs = right != (self.op is Op.POW)
        if self.op is Op.POW and not right and isinstance(side, Number) and side.value < 0:
            needs = True  # -2 ^ a is -(2 ^ a)
        return f"({text})" if needs else text

    def render(self) -> str:
        parts = [self._side(self.lhs, right=False), self.op.symbol]
        if self.bool_:
            parts.append("bool")
        if self.on is not None:
            parts.append(f"on ({', '.join(self.on)})")
        elif self.ignoring is not None:
            parts.append(f"ignoring ({', '.join(self.ignoring)})")
        if self.group_left is not None:
            parts.append(f"group_left ({', '.join(self.group_left)})" if self.group_left
                         else "group_left")  # fmt: skip
        elif self.group_right is not None:
            parts.append(f"group_right ({', '.join(self.group_right)})" if self.group_right
                         else "group_right")  # fmt: skip
        parts.append(self._side(self.rhs, right=True))
        return " ".join(parts)


def binop(
    op: Op,
    lhs: Expr | float,
    rhs: Expr | float,
    *,
    on: Iterable[str] | None = None,
    ignoring: Iterable[str] | None = None,
    group_left: Iterable[str] | None = None,
    group_right: Iterable[str] | None = None,
    bool_: bool = False,
) -> Binary:
    """A binary operation with optional vector matching."""
    return Binary(
        op,
        _as_expr(lhs),
        _as_expr(rhs),
        on=None if on is None else _labels(on),
        ignoring=None if ignoring is None else _labels(ignoring),
        group_left=None if group_left is None else _labels(group_left),
        group_right=None if group_right is None else _labels(group_right),
        bool_=bool_,
    )


def _range_call(func: str, selector: Selector, window: Window) -> Call:
    return Call(func, (RangeSelector(selector, window),))


def rate(selector: Selector, window: Window = RATE_INTERVAL) -> Call:
    """Per-second average increase of a counter over ``window``, reset-aware."""
    return _range_call("rate", selector, window)


def increase(selector: Selector, window: Window = RATE_INTERVAL) -> Call:
    """Increase of a counter over ``window`` (``rate`` x window), reset-aware."""
    return _range_call("increase", selector, window)


def irate(selector: Selector, window: Window = RATE_INTERVAL) -> Call:
    return _range_call("irate", selector, window)


def delta(selector: Selector, window: Window = RATE_INTERVAL) -> Call:
    return _range_call("delta", selector, window)


def deriv(selector: Selector, window: Window = RATE_INTERVAL) -> Call:
    return _range_call("deriv", selector, window)


def resets(selector: Selector, window: Window = RANGE) -> Call:
    return _range_call("resets", selector, window)


def over_time(func: str, selector: Selector, window: Window = RATE_INTERVAL) -> Call:
    """``<func>_over_time(selector[window])`` for avg, min, max, sum, count, last, ..."""
    return _range_call(f"{func}_over_time", selector, window)


def histogram_quantile(quantile: float | Var, buckets: Expr) -> Call:
    """``histogram_quantile(q, buckets)``; ``buckets`` must keep the ``le`` label."""
    if isinstance(quantile, Var):
        q: Expr = _VarExpr(quantile)
    else:
        if not 0 <= quantile <= 1:
            raise PromQLError(f"quantile {quantile} is outside [0, 1]")
        q = Number(float(quantile))
    return Call("histogram_quantile", (q, buckets))


@attrs.frozen
class _VarExpr(Expr):
    """A Grafana variable standing for a scalar, e.g. ``topk($k, ...)``."""

    var: Var

    def render(self) -> str:
        return str(self.var)


def clamp_min(expr: Expr, minimum: float) -> Call:
    return Call("clamp_min", (expr, Number(float(minimum))))


def clamp_max(expr: Expr, maximum: float) -> Call:
    return Call("clamp_max", (expr, Number(float(maximum))))


def vector(value: float) -> Call:
    return Call("vector", (Number(float(value)),))


def absent(expr: Expr) -> Call:
    return Call("absent", (expr,))


def aggregate(
    op: str,
    expr: Expr,
    *,
    by: Iterable[str] | None = None,
    without: Iterable[str] | None = None,
    param: Expr | float | None = None,
) -> Aggregate:
    return Aggregate(
        op,
        expr,
        by=None if by is None else _labels(by),
        without=None if without is None else _labels(without),
        param=None if param is None else _as_expr(param),
    )


def sum_by(labels: Iterable[str], expr: Expr) -> Aggregate:
    return aggregate("sum", expr, by=labels)


def sum_without(labels: Iterable[str], expr: Expr) -> Aggregate:
    return aggregate("sum", expr, without=labels)


def avg_by(labels: Iterable[str], expr: Expr) -> Aggregate:
    return aggregate("avg", expr, by=labels)


def max_by(labels: Iterable[str], expr: Expr) -> Aggregate:
    return aggregate("max", expr, by=labels)


def min_by(labels: Iterable[str], expr: Expr) -> Aggregate:
    return aggregate("min", expr, by=labels)


def count_by(labels: Iterable[str], expr: Expr) -> Aggregate:
    return aggregate("count", expr, by=labels)

"""The expression tree: selectors, calls, aggregations and binary operators.

Rendering follows the shape of Prometheus' own pretty-printer (``/api/v1/format_query``):
binary operators spaced, parentheses only where precedence needs them, so the same tree
always renders to the same string.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable, Sequence

import attrs

from triton_dashboards.promql.values import (
    LabelValue,
    PromQLError,
    Var,
    Window,
    check_label,
    check_window,
    escape_label_value,
    regex_escape,
)
from triton_dashboards.validation import is_metric_name


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


def as_expr(value: Expr | float) -> Expr:
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

    label: str = attrs.field(converter=check_label)
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
        if not is_metric_name(self.metric):
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
        check_window(self.window)

    def render(self) -> str:
        return f"{self.selector.render()}[{check_window(self.window)}]"


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


def labels_of(labels: Iterable[str]) -> tuple[str, ...]:
    if isinstance(labels, str):
        raise PromQLError(f"labels must be a sequence of names, not the string {labels!r}")
    return tuple(check_label(label) for label in labels)


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
        rhs = self._side(self.rhs, right=True)
        if rhs.startswith("(") and parts[-1] in ("group_left", "group_right"):
            parts[-1] += " ()"  # a bare one would read the parenthesized rhs as its labels
        parts.append(rhs)
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
        as_expr(lhs),
        as_expr(rhs),
        on=None if on is None else labels_of(on),
        ignoring=None if ignoring is None else labels_of(ignoring),
        group_left=None if group_left is None else labels_of(group_left),
        group_right=None if group_right is None else labels_of(group_right),
        bool_=bool_,
    )

"""Functions and aggregations: ``rate``, ``histogram_quantile``, ``sum by`` and the rest.

Each is a small constructor of a :class:`~triton_dashboards.promql.expr.Call` or
:class:`~triton_dashboards.promql.expr.Aggregate`, so a caller never spells one by hand.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from triton_dashboards.promql.expr import (
    Aggregate,
    Call,
    Expr,
    Number,
    RangeSelector,
    Selector,
    as_expr,
    labels_of,
)
from triton_dashboards.promql.values import RANGE, RATE_INTERVAL, PromQLError, Var, Window


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


def sort_ascending(expr: Expr) -> Call:
    """``sort(expr)``: the series by value, lowest first. Only an instant query keeps that
    order; a range query's series come sorted by their labels whatever the expression."""
    return Call("sort", (expr,))


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
        by=None if by is None else labels_of(by),
        without=None if without is None else labels_of(without),
        param=None if param is None else as_expr(param),
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

"""A query taken apart: the series it reads, the windows it reads them over, its quantiles.

Doctor explains an empty panel by asking Prometheus about each part of its query rather
than about the whole: does the family exist, does each matcher match, does each range
window hold two samples. The parts come from the parsed query (promql-parser), after the
engine has put the variables in, so they are exactly what Prometheus evaluated.
"""

from __future__ import annotations

from collections.abc import Iterator

import attrs
import promql_parser as pp

from triton_dashboards.promql.values import escape_label_value

__all__ = ["Part", "Quantile", "excluded", "parts", "quantiles"]

_OPS = (
    (pp.MatchOp.Equal, "="),
    (pp.MatchOp.NotEqual, "!="),
    (pp.MatchOp.Re, "=~"),
    (pp.MatchOp.NotRe, "!~"),
)


def _matcher(matcher: pp.Matcher) -> str:
    op = next(text for kind, text in _OPS if matcher.op == kind)
    return f'{matcher.name}{op}"{escape_label_value(matcher.value)}"'


@attrs.frozen
class Part:
    """One series selector of a query: ``metric{matchers}``, and the range it is read over.

    ``window`` is the range in seconds of ``metric{...}[window]`` (None for an instant
    selector); ``function`` the function that reads the range (``rate``, ``avg_over_time``).
    """

    metric: str
    matchers: tuple[str, ...]
    labels: tuple[str, ...]  # the label of each matcher
    window: float | None = None
    function: str = ""

    def selector(self, upto: int | None = None) -> str:
        """The selector with its first ``upto`` matchers (all by default)."""
        kept = self.matchers if upto is None else self.matchers[:upto]
        inner = ", ".join(kept)
        if not self.metric:
            return "{" + inner + "}"
        return f"{self.metric}{{{inner}}}" if inner else self.metric


@attrs.frozen
class Quantile:
    """A ``histogram_quantile(q, buckets)`` of a query: ``q`` and the buckets' expression."""

    q: float
    buckets: str
    group: tuple[str, ...]  # the labels the buckets are summed by, besides ``le``


def _children(node: pp.Expr) -> list[pp.Expr]:
    if isinstance(node, pp.Call):
        return list(node.args)
    if isinstance(node, pp.BinaryExpr):
        return [node.lhs, node.rhs]
    if isinstance(node, pp.AggregateExpr):
        return [node.expr] + ([node.param] if node.param is not None else [])
    if isinstance(node, pp.ParenExpr | pp.UnaryExpr | pp.SubqueryExpr):
        return [node.expr]
    return []


def _walk(node: pp.Expr, reader: str = "") -> Iterator[tuple[pp.Expr, str]]:
    """Every node under ``node`` with the function that reads it (for a range selector)."""
    yield node, reader
    function = node.func.name if isinstance(node, pp.Call) else ""
    for child in _children(node):
        yield from _walk(child, function)


def _parse(expr: str) -> pp.Expr | None:
    try:
        return pp.parse(expr)
    except ValueError:
        return None


def parts(expr: str) -> list[Part]:
    """Every series selector of ``expr``, in order, each once; [] when it does not parse."""
    tree = _parse(expr)
    if tree is None:
        return []
    found: dict[Part, None] = {}
    for node, reader in _walk(tree):
        window: float | None = None
        if isinstance(node, pp.MatrixSelector):
            window, selector = node.range.total_seconds(), node.vector_selector
        elif isinstance(node, pp.VectorSelector):
            selector, reader = node, ""
        else:
            continue
        kept = [m for m in selector.matchers.matchers if m.name != "__name__"]
        matchers = tuple(_matcher(m) for m in kept)
        labels = tuple(m.name for m in kept)
        found[Part(selector.name or "", matchers, labels, window, reader if window else "")] = None
    return list(found)


def quantiles(expr: str) -> list[Quantile]:
    """Every ``histogram_quantile`` with a constant ``q`` in ``expr``."""
    tree = _parse(expr)
    if tree is None:
        return []
    found = []
    for node, _ in _walk(tree):
        if isinstance(node, pp.Call) and node.func.name == "histogram_quantile":
            q, buckets = node.args
            if isinstance(q, pp.NumberLiteral):
                group: tuple[str, ...] = ()
                if isinstance(buckets, pp.AggregateExpr) and buckets.modifier is not None:
                    group = tuple(label for label in buckets.modifier.labels if label != "le")
                found.append(Quantile(float(q.val), str(buckets), group))
    return found


def excluded(expr: str, label: str) -> list[str]:
    """The regexes of every ``label!~"..."`` matcher in ``expr`` (the values it leaves out)."""
    tree = _parse(expr)
    if tree is None:
        return []
    found: dict[str, None] = {}
    for node, _ in _walk(tree):
        selector = node.vector_selector if isinstance(node, pp.MatrixSelector) else node
        if isinstance(selector, pp.VectorSelector):
            for m in selector.matchers.matchers:
                if m.name == label and m.op == pp.MatchOp.NotRe:
                    found[m.value] = None
    return list(found)

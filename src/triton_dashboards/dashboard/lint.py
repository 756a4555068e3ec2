"""Checks on the queries of rendered dashboards, before Grafana or Prometheus sees them.

Grafana variables make a query invalid PromQL until Grafana interpolates them, so every
expression is first given stand-ins that fit where each variable stands (a duration in
``[...]``, a label name in ``by (...)``, a number elsewhere; inside a string a variable is
only text), then parsed with
promql-parser, and its syntax tree is checked against the Triton catalog:

* errors: an expression that does not parse, an unknown Grafana variable, a metric name
  that is not Triton's or was removed (``nv_inference_load_ratio``, gone since 2.0);
* findings: ``=`` with a multi-value variable (Grafana interpolates a regex, so only
  ``=~`` matches), a counter used without ``rate()``/``increase()`` (a cumulative total
  that restarts on every model reload), a fixed window under ``rate()``/``increase()``
  too short for the scrape interval (below), a gauge under ``rate()`` and a
  ``sum``/``avg`` over label values that are different quantities (:mod:`.lint_gauges`).

**Windows.** ``increase(nv_inference_count[1m])`` holds one sample at a 60 s scrape and
shows nothing. The rule assumes the scrape interval may be as long as
:data:`SCRAPE_INTERVAL` (1m, Prometheus' default ``scrape_interval``; kube-prometheus-stack
uses 30s, ``scrape-config`` writes 15s) and asks of a literal window on a Triton counter
what Grafana's ``$__rate_interval`` guarantees: :data:`SCRAPES_PER_WINDOW` scrapes, so one
missed scrape does not blank the panel. ``$__rate_interval`` (or any variable) is never
flagged; ``lint --scrape-interval 15s`` tells the rule a shorter interval.

A counter whose value is never read is not plotted raw: under ``count``, ``group``,
``absent``, ``present_over_time``, ``count_over_time`` and the like, or compared with 0
as a filter, only its series' existence matters (``count(count(nv_inference_count) by
(instance))`` counts Triton servers).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import attrs
import promql_parser as pp

from triton_dashboards import catalog
from triton_dashboards.dashboard import lint_gauges
from triton_dashboards.promql.values import VARIABLE_SYNTAX

__all__ = [
    "SCRAPES_PER_WINDOW",
    "SCRAPE_INTERVAL",
    "VARIABLE",
    "Finding",
    "expressions",
    "lint_dashboard",
    "substitute",
]

#: Grafana's built-in variables (docs: "Global variables").
_DURATION_BUILTINS = frozenset({"__rate_interval", "__interval", "__range"})
_NUMBER_BUILTINS = frozenset(
    {"__interval_ms", "__range_s", "__range_ms", "__from", "__to", "__rate_interval_ms"}
)
_TEXT_BUILTINS = frozenset({"__dashboard", "__name", "__org", "__user", "__all"})
_BUILTINS = _DURATION_BUILTINS | _NUMBER_BUILTINS | _TEXT_BUILTINS
#: Grafana variable syntax, written once in the PromQL floor.
VARIABLE = VARIABLE_SYNTAX
#: The longest scrape interval the window rule expects, in seconds (Prometheus' default).
SCRAPE_INTERVAL = 60.0
#: Scrapes a ``rate()`` window must hold: Grafana's ``$__rate_interval`` is at least 4 of them.
SCRAPES_PER_WINDOW = 4
#: Functions whose window must hold several samples of a counter.
_WINDOWED = frozenset({"rate", "increase", "irate"})
#: What a variable window (``[$__rate_interval]``) stands in for: long enough for any rule.
_RANGE_STAND_IN = "[1d"
_RANGE_VAR = re.compile(r"\[\s*(?:\$\{\w+(?::\w+)?\}|\$\w+|\[\[\w+(?::\w+)?\]\])\s*(?=[\]:])")
_LABEL_LIST = re.compile(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)")
_COUNTER_FUNCTIONS = frozenset({"rate", "increase", "irate", "resets"})
#: Aggregations and functions that read only whether a series exists, never its value.
_EXISTENCE_AGGREGATIONS = frozenset({"count", "count_values", "group"})
_EXISTENCE_FUNCTIONS = frozenset(
    {"absent", "absent_over_time", "present_over_time", "count_over_time", "timestamp"}
)
#: ``x > 0``, ``x != 0``, ``x >= 0``: a counter never goes below 0, so these only filter.
_EXISTENCE_COMPARISONS = frozenset({">", "!=", ">="})
_MIRRORED = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}


@attrs.frozen
class Finding:
    """One problem in one panel's query, or (``panel=""``) in the dashboard as a whole;
    ``error`` ones make a build fail."""

    source: str
    panel: str
    message: str
    error: bool = True

    def __str__(self) -> str:
        if not self.panel:
            return f"{self.source}: {self.message}"
        return f"{self.source}: panel {self.panel!r}: {self.message}"


def _segments(expr: str) -> Iterator[tuple[bool, str]]:
    """Split ``expr`` into (inside a string literal, text) runs."""
    start, quote, i = 0, "", 0
    while i < len(expr):
        c = expr[i]
        if quote:
            if c == "\\" and quote != "`":
                i += 2
                continue
            if c == quote:
                yield True, expr[start : i + 1]
                start, quote = i + 1, ""
        elif c in "\"'`":
            if i > start:
                yield False, expr[start:i]
            start, quote = i, c
        i += 1
    if start < len(expr):
        yield bool(quote), expr[start:]


def _names(text: str) -> list[str]:
    return [next(n for n in m.groups() if n) for m in VARIABLE.finditer(text)]


def substitute(expr: str) -> tuple[str, set[str]]:
    """``expr`` with Grafana variables replaced by stand-ins, and the variables it uses."""
    used: set[str] = set()
    out = []
    for in_string, text in _segments(expr):
        used.update(_names(text))
        if not in_string:
            text = _LABEL_LIST.sub(lambda m: VARIABLE.sub("grafana_variable", m.group(0)), text)
            text = _RANGE_VAR.sub(_RANGE_STAND_IN, text)
            text = VARIABLE.sub("1", text)
        out.append(text)
    return "".join(out), used


def expressions(dashboard: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """``(panel title, expr)`` for every Prometheus target, rows' panels included."""
    for panel in dashboard.get("panels") or []:
        for p in (panel, *(panel.get("panels") or [])):
            for target in p.get("targets") or []:
                if target.get("expr"):
                    yield p.get("title") or f"panel {p.get('id')}", target["expr"]


def _multi_variables(dashboard: dict[str, Any]) -> tuple[set[str], set[str]]:
    variables = (dashboard.get("templating") or {}).get("list") or []
    names = {v["name"] for v in variables}
    multi = {v["name"] for v in variables if v.get("multi") or v.get("includeAll")}
    return names, multi


def _is_cumulative(sample: str) -> bool:
    family = catalog.family_of(sample)
    if family is None:
        return False
    if family.kind in (catalog.Kind.HISTOGRAM, catalog.Kind.SUMMARY):
        return sample.endswith(("_bucket", "_sum", "_count"))
    return family.cumulative


class _Checker:
    def __init__(self, multi: set[str], scrape_interval: float = SCRAPE_INTERVAL) -> None:
        self.multi = multi
        self.min_window = SCRAPES_PER_WINDOW * scrape_interval
        self.scrape_interval = scrape_interval
        self.problems: list[tuple[str, bool]] = []

    def _window(self, function: str, node: Any) -> None:
        """A literal window on a Triton counter must hold :data:`SCRAPES_PER_WINDOW` scrapes."""
        name = node.vector_selector.name or ""
        seconds = node.range.total_seconds()
        if not _is_cumulative(name) or seconds >= self.min_window:
            return
        window, interval = _duration(seconds), _duration(self.scrape_interval)
        self.problems.append(
            (f"{function}({name}[{window}]): a {window} window holds fewer than "
             f"{SCRAPES_PER_WINDOW} scrapes at a {interval} scrape interval (one sample "
             f"where they are a minute apart: no value); use [$__rate_interval], or at least "
             f"[{_duration(self.min_window)}]", False)
        )  # fmt: skip

    def visit(self, node: Any, function: str | None = None, *, exists: bool = False) -> None:
        """Check ``node``; ``exists`` is true where only a series' existence is read."""
        if isinstance(node, pp.VectorSelector):
            self._selector(node, function, exists)
        elif isinstance(node, pp.MatrixSelector):
            self.visit(node.vector_selector, function or "range", exists=exists)
        elif isinstance(node, pp.Call):
            name = node.func.name
            inner = exists or name in _EXISTENCE_FUNCTIONS
            for arg in node.args:
                if name in _WINDOWED and isinstance(arg, pp.MatrixSelector):
                    self._window(name, arg)
                self.visit(arg, name if isinstance(arg, pp.MatrixSelector) else None, exists=inner)
        elif isinstance(node, pp.AggregateExpr):
            self.visit(node.expr, exists=exists or str(node.op) in _EXISTENCE_AGGREGATIONS)
            if node.param is not None:
                self.visit(node.param)
        elif isinstance(node, pp.BinaryExpr):
            self._binary(node, exists)
        elif isinstance(node, pp.ParenExpr | pp.UnaryExpr | pp.SubqueryExpr):
            self.visit(node.expr, exists=exists)

    def _binary(self, node: Any, exists: bool) -> None:
        op = str(node.op)
        for side, other, as_lhs in (
            (node.lhs, node.rhs, op),
            (node.rhs, node.lhs, _MIRRORED.get(op, op)),  # 0 < x is x > 0
        ):
            zero = isinstance(other, pp.NumberLiteral) and other.val == 0
            self.visit(side, exists=exists or (zero and as_lhs in _EXISTENCE_COMPARISONS))

    def _selector(self, node: Any, function: str | None, exists: bool) -> None:
        name = node.name or ""
        removed = catalog.removed_family_of(name)
        if removed is not None or (name.startswith("nv_") and catalog.family_of(name) is None):
            try:
                catalog.get(name)
            except catalog.UnknownMetricError as e:
                self.problems.append((str(e), True))
        elif _is_cumulative(name) and function not in _COUNTER_FUNCTIONS and not exists:
            where = f"in {function}()" if function and function != "range" else "raw"
            self.problems.append(
                (f"counter {name} is used {where}: it is a total since the model loaded and "
                 "restarts on reload; wrap it in rate() or increase()", False)
            )  # fmt: skip
        for matcher in node.matchers.matchers:
            if matcher.op in (pp.MatchOp.Equal, pp.MatchOp.NotEqual):
                for var in _names(matcher.value):
                    if var in self.multi:
                        op = "=" if matcher.op == pp.MatchOp.Equal else "!="
                        better = "=~" if op == "=" else "!~"
                        self.problems.append(
                            (f"{matcher.name}{op}\"{matcher.value}\" uses {op} with the "
                             f"multi-value variable ${var}; use {better}", False)
                        )  # fmt: skip


def _duration(seconds: float) -> str:
    """``240.0`` -> ``4m``, ``90.0`` -> ``90s``: PromQL's way of writing a window."""
    whole = int(seconds)
    return f"{whole // 60}m" if whole % 60 == 0 and whole else f"{whole}s"


def lint_expression(
    expr: str, variables: set[str], multi: set[str], scrape_interval: float = SCRAPE_INTERVAL
) -> list[tuple[str, bool]]:
    """Problems of one expression as ``(message, is_error)``."""
    text, used = substitute(expr)
    problems = [
        (f"unknown Grafana variable ${name}; define it or fix the name", True)
        for name in sorted(used - variables - _BUILTINS)
    ]
    try:
        tree = pp.parse(text)
    except ValueError as e:
        return [*problems, (f"query does not parse ({e}): {expr}", True)]
    checker = _Checker(multi, scrape_interval)
    checker.visit(tree)
    return problems + checker.problems + lint_gauges.problems(tree)


def lint_dashboard(
    dashboard: dict[str, Any], source: str, scrape_interval: float = SCRAPE_INTERVAL
) -> list[Finding]:
    """Every problem in the queries of a rendered dashboard; ``scrape_interval`` (seconds)
    is the longest the window rule expects."""
    names, multi = _multi_variables(dashboard)
    findings = []
    for panel, expr in expressions(dashboard):
        for message, error in lint_expression(expr, names, multi, scrape_interval):
            findings.append(Finding(source, panel, message.replace("\n", " "), error))
    return findings

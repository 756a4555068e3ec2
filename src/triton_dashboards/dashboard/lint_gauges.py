"""Two mistakes of LLM dashboards the catalog can see: a rated gauge, and a sum of unlike values.

* **A gauge under a counter function.** ``rate()``, ``irate()``, ``increase()`` and
  ``resets()`` read a series as a total that only grows and treat every drop as a
  restart. A gauge (``kind`` gauge in the catalog: every ``nv_trt_llm_*`` family but the
  disaggregated-serving counter, ``nv_gpu_*``, the pending count, the cache gauges, vLLM's
  scheduler gauges) goes up and down, so its "rate" adds each drop back as a reset: a
  number with no meaning. Plot the gauge as is, ``avg_over_time`` it, or ``deriv()`` /
  ``delta()`` it for its trend.
* **A sum or average over a label whose values are different quantities.** TensorRT-LLM
  puts the statistic in a label (``request_type``, ``kv_cache_block_type``,
  ``memory_type``, ``inflight_batcher_specific_metric``, ``v1_specific_metric``,
  ``general_type``, ``disaggregated_serving_type``: the families of
  :mod:`triton_dashboards.catalog.llm` with label values), so ``sum by (job)
  (nv_trt_llm_request_metrics)`` adds waiting requests to the configured maximum. A
  selector is fine when it picks one value (``request_type="waiting"``, or ``=~`` with one
  literal value), and an aggregation is fine when it keeps the label
  (``by (request_type)``, or ``without`` not naming it). The first aggregation above the
  selector that drops the label decides: ``sum`` or ``avg`` is a finding; ``max``,
  ``count`` and the like are not this mistake.

NVIDIA's TensorRT-LLM autoscaling tutorial dashboard makes both (``avg by(job)
(rate(nv_trt_llm_general_metrics[1m]))``).
"""

from __future__ import annotations

import re
from typing import Any

import promql_parser as pp

from triton_dashboards import catalog
from triton_dashboards.catalog import llm

__all__ = ["COUNTER_FUNCTIONS", "MIXING_AGGREGATIONS", "problems"]

#: Functions that read their argument as a counter: a total that only grows.
COUNTER_FUNCTIONS = frozenset({"rate", "irate", "increase", "resets"})
#: Aggregations that add values up: unlike quantities must not meet in them.
MIXING_AGGREGATIONS = frozenset({"sum", "avg"})
_REGEX_SYNTAX = re.compile(r"[.*+?|()\[\]{}^$\\]")


def problems(tree: Any) -> list[tuple[str, bool]]:
    """Findings (never errors) of one parsed expression, as ``(message, False)``."""
    found: list[tuple[str, bool]] = []
    _visit(tree, None, (), found)
    return found


_Problems = list[tuple[str, bool]]


def _visit(node: Any, function: str | None, aggregations: tuple[Any, ...], out: _Problems) -> None:
    """Walk ``node``; ``aggregations`` are the ones above it, innermost first.

    ``function`` is the innermost call above: a counter function's argument is a range
    (a matrix or a subquery), so whatever lies under it is read as a counter.
    """
    if isinstance(node, pp.VectorSelector):
        out.extend(_selector(node, function, aggregations))
    elif isinstance(node, pp.MatrixSelector):
        _visit(node.vector_selector, function, aggregations, out)
    elif isinstance(node, pp.SubqueryExpr):
        _visit(node.expr, function, aggregations, out)
    elif isinstance(node, pp.Call):
        for arg in node.args:
            _visit(arg, node.func.name, aggregations, out)
    elif isinstance(node, pp.AggregateExpr):
        _visit(node.expr, function, (node, *aggregations), out)
    elif isinstance(node, pp.BinaryExpr):
        _visit(node.lhs, function, aggregations, out)
        _visit(node.rhs, function, aggregations, out)
    elif isinstance(node, pp.ParenExpr | pp.UnaryExpr):
        _visit(node.expr, function, aggregations, out)


def _selector(node: Any, function: str | None, aggregations: tuple[Any, ...]) -> _Problems:
    name = node.name or ""
    family = catalog.family_of(name)
    if family is None:
        return []
    out: _Problems = []
    if family.kind is catalog.Kind.GAUGE and function in COUNTER_FUNCTIONS:
        out.append(
            (f"gauge {name} is used in {function}(): a gauge goes up and down, so a counter "
             "function counts every drop as a restart; plot it as is, or use avg_over_time(), "
             "deriv() or delta()", False)
        )  # fmt: skip
    mixed = _mixed(node, name, aggregations)
    if mixed:
        out.append((mixed, False))
    return out


def _mixed(node: Any, name: str, aggregations: tuple[Any, ...]) -> str:
    """The finding for a sum or average over unlike values of ``name``'s label, or ''."""
    try:
        family = llm.family(name)
    except KeyError:
        return ""
    label, values = family.label, family.values
    if label is None or _selects_one(node, label):
        return ""
    for aggregation in aggregations:
        if _keeps(aggregation, label):
            continue
        op = str(aggregation.op)
        if op not in MIXING_AGGREGATIONS:
            return ""
        verb = "adds up" if op == "sum" else "averages"
        return (
            f"{op} {verb} the {label} values of {name} ({', '.join(values)}), which are "
            f'different quantities; select one ({label}="{values[0]}") or keep them apart '
            f"with by ({label})"
        )
    return ""


def _selects_one(node: Any, label: str) -> bool:
    """Whether the selector picks exactly one value of ``label``."""
    for matcher in node.matchers.matchers:
        if matcher.name != label or not matcher.value:
            continue
        if matcher.op == pp.MatchOp.Equal:
            return True
        if matcher.op == pp.MatchOp.Re and not _REGEX_SYNTAX.search(matcher.value):
            return True
    return False


def _keeps(aggregation: Any, label: str) -> bool:
    """Whether ``aggregation``'s result still has ``label`` (kept by it, or not dropped)."""
    modifier = aggregation.modifier
    if modifier is None:
        return False
    if modifier.type == pp.AggModifierType.By:
        return label in modifier.labels
    return label not in modifier.labels

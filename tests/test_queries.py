"""Triton query recipes: every PromQL string pinned, and the domain rules checked on the tree.

The pinned strings are the spec for the reference scope of the NER pipeline
(``Scope(namespace="triton").model("ner_pipeline")``). The domain tests parse each query with
``promql_parser`` (after giving Grafana's range variables a duration) and check what it means,
after docs/metrics.md: counters only under ``rate()``/``increase()``, per-model
series summed by the scope's labels before any division (the ``gpu_uuid``/pod rule),
averages over ``nv_inference_request_success``, GPU families per ``gpu_uuid`` and never mixed
with model matchers.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Any

import promql_parser as pp
import pytest

from triton_dashboards import catalog
from triton_dashboards.catalog import Group, Kind, Metric
from triton_dashboards.promql import Expr, Matcher, PromQLError, Var
from triton_dashboards.query import llm
from triton_dashboards.query import recipes as q
from triton_dashboards.query.recipes import Phase
from triton_dashboards.query.scope import Scope

REF = Scope(namespace="triton").model("ner_pipeline")

PINS: dict[str, str] = {
    "request_rate": (
        'sum by (model, version) (rate(nv_inference_request_success{namespace="triton", '
        'model="ner_pipeline"}[$__rate_interval]))'
    ),
    "failure_rate": (
        'sum by (model, version) (rate(nv_inference_request_failure{namespace="triton", '
        'model="ner_pipeline"}[$__rate_interval]))'
    ),
    "failures_by_reason": (
        "sum by (model, version, reason) "
        '(rate(nv_inference_request_failure{namespace="triton", '
        'model="ner_pipeline"}[$__rate_interval]))'
    ),
    "inference_rate": (
        'sum by (model, version) (rate(nv_inference_count{namespace="triton", '
        'model="ner_pipeline"}[$__rate_interval]))'
    ),
    "execution_rate": (
        'sum by (model, version) (rate(nv_inference_exec_count{namespace="triton", '
        'model="ner_pipeline"}[$__rate_interval]))'
    ),
    "requests_per_minute": (
        '60 * sum by (model, version) (rate(nv_inference_request_success{namespace="triton", '
        'model="ner_pipeline"}[$__rate_interval]))'
    ),
    "failures_per_minute": (
        '60 * sum by (model, version) (rate(nv_inference_request_failure{namespace="triton", '
        'model="ner_pipeline"}[$__rate_interval]))'
    ),
    "successes_in": (
        'sum by (model, version) (increase(nv_inference_request_success{namespace="triton", '
        'model="ner_pipeline"}[$__range]))'
    ),
    "failures_in": (
        'sum by (model, version) (increase(nv_inference_request_failure{namespace="triton", '
        'model="ner_pipeline"}[$__range]))'
    ),
    "failure_ratio": (
        'sum by (model, version) (rate(nv_inference_request_failure{namespace="triton", '
        'model="ner_pipeline"}[$__rate_interval])) / clamp_min(sum by (model, version) '
        '(rate(nv_inference_request_success{namespace="triton", '
        'model="ner_pipeline"}[$__rate_interval])) + sum by (model, version) '
        '(rate(nv_inference_request_failure{namespace="triton", '
        'model="ner_pipeline"}[$__rate_interval])), 1e-09)'
    ),
    "completed_rate": (
        "clamp_min(sum by (model, version) "
        '(rate(nv_inference_request_success{namespace="triton", '
        'model="ner_pipeline"}[$__rate_interval])) + sum by (model, version) '
        '(rate(nv_inference_request_failure{namespace="triton", '
        'model="ner_pipeline"}[$__rate_interval])), 1e-09)'
    ),
    "avg_latency[REQUEST]": (
        'sum by (model, version) (rate(nv_inference_request_duration_us{namespace="triton", '
        'model="ner_pipeline"}[$__rate_interval])) / (sum by (model, version) '
        '(rate(nv_inference_request_success{namespace="triton", '
        'model="ner_pipeline"}[$__rate_interval])) > 0)'
    ),
    "avg_latency[QUEUE]": (
        'sum by (model, version) (rate(nv_inference_queue_duration_us{namespace="triton", '
        'model="ner_pipeline"}[$__rate_interval])) / (sum by (model, version) '
        '(rate(nv_inference_request_success{namespace="triton", '
        'model="ner_pipeline"}[$__rate_interval])) > 0)'
    ),
    "avg_latency[COMPUTE_INPUT]": (
        "sum by (model, version) "
        '(rate(nv_inference_compute_input_duration_us{namespace="triton", '
        'model="ner_pipeline"}[$__rate_interval])) / (sum by (model, version) '
        '(rate(nv_inference_request_success{namespace="triton", '
        'model="ner_pipeline"}[$__rate_interval])) > 0)'
    ),
    "avg_latency[COMPUTE_INFER]": (
        "sum by (model, version) "
        '(rate(nv_inference_compute_infer_duration_us{namespace="triton", '
        'model="ner_pipeline"}[$__rate_interval])) / (sum by (model, version) '
        '(rate(nv_inference_request_success{namespace="triton", '
        'model="ner_pipeline"}[$__rate_interval])) > 0)'
    ),
    "avg_latency[COMPUTE_OUTPUT]": (
        "sum by (model, version) "
        '(rate(nv_inference_compute_output_duration_us{namespace="triton", '
        'model="ner_pipeline"}[$__rate_interval])) / (sum by (model, version) '
        '(rate(nv_inference_request_success{namespace="triton", '
        'model="ner_pipeline"}[$__rate_interval])) > 0)'
    ),
    "avg_batch_size": (
        'sum by (model, version) (rate(nv_inference_count{namespace="triton", '
        'model="ner_pipeline"}[$__rate_interval])) / (sum by (model, version) '
        '(rate(nv_inference_exec_count{namespace="triton", '
        'model="ner_pipeline"}[$__rate_interval])) > 0)'
    ),
    "avg_requests_in_queue": (
        'sum by (model, version) (rate(nv_inference_queue_duration_us{namespace="triton", '
        'model="ner_pipeline"}[$__rate_interval])) / 1000000'
    ),
    "pending_requests": (
        'sum by (model, version) (nv_inference_pending_request_count{namespace="triton", '
        'model="ner_pipeline"})'
    ),
    "cache_hit_ratio": (
        'sum by (model, version) (rate(nv_cache_num_hits_per_model{namespace="triton", '
        'model="ner_pipeline"}[$__rate_interval])) / (sum by (model, version) '
        '(rate(nv_cache_num_hits_per_model{namespace="triton", '
        'model="ner_pipeline"}[$__rate_interval])) + sum by (model, version) '
        '(rate(nv_cache_num_misses_per_model{namespace="triton", '
        'model="ner_pipeline"}[$__rate_interval])) > 0)'
    ),
    # Kept only where the 0.95 quantile lies between two finite bucket bounds.
    "first_response_quantile": (
        "histogram_quantile(0.95, sum by (le, model, version) "
        '(rate(nv_inference_first_response_histogram_ms_bucket{namespace="triton", '
        'model="ner_pipeline"}[$__rate_interval]))) and on (model, version) '
        "min by (model, version) (sum by (le, model, version) "
        '(rate(nv_inference_first_response_histogram_ms_bucket{namespace="triton", '
        'model="ner_pipeline"}[$__rate_interval]))) < 0.95 * max by (model, version) '
        "(sum by (le, model, version) "
        '(rate(nv_inference_first_response_histogram_ms_bucket{namespace="triton", '
        'model="ner_pipeline"}[$__rate_interval]))) and on (model, version) '
        "max by (model, version) (sum by (le, model, version) "
        '(rate(nv_inference_first_response_histogram_ms_bucket{namespace="triton", '
        'model="ner_pipeline", le!="+Inf"}[$__rate_interval]))) >= 0.95 * '
        "max by (model, version) (sum by (le, model, version) "
        '(rate(nv_inference_first_response_histogram_ms_bucket{namespace="triton", '
        'model="ner_pipeline"}[$__rate_interval])))'
    ),
    "first_response_shares": (
        "sum by (le, model, version) "
        '(rate(nv_inference_first_response_histogram_ms_bucket{namespace="triton", '
        'model="ner_pipeline", le!="+Inf"}[$__rate_interval])) / on (model, version) group_left () '
        "(max by (model, version) (sum by (le, model, version) "
        '(rate(nv_inference_first_response_histogram_ms_bucket{namespace="triton", '
        'model="ner_pipeline"}[$__rate_interval]))) > 0)'
    ),
    "first_response_mean": (
        "sum by (model, version) (rate(nv_inference_first_response_histogram_ms_sum{"
        'namespace="triton", model="ner_pipeline"}[$__rate_interval])) / '
        "(sum by (model, version) (rate(nv_inference_first_response_histogram_ms_count{"
        'namespace="triton", model="ner_pipeline"}[$__rate_interval])) > 0)'
    ),
    "summary_quantile[REQUEST]": (
        'nv_inference_request_summary_us{namespace="triton", model="ner_pipeline", '
        'quantile="0.99"} >= 0'
    ),
    "summary_quantile[QUEUE]": (
        'nv_inference_queue_summary_us{namespace="triton", model="ner_pipeline", '
        'quantile="0.99"} >= 0'
    ),
    "summary_quantile[COMPUTE_INPUT]": (
        'nv_inference_compute_input_summary_us{namespace="triton", model="ner_pipeline", '
        'quantile="0.99"} >= 0'
    ),
    "summary_quantile[COMPUTE_INFER]": (
        'nv_inference_compute_infer_summary_us{namespace="triton", model="ner_pipeline", '
        'quantile="0.99"} >= 0'
    ),
    "summary_quantile[COMPUTE_OUTPUT]": (
        'nv_inference_compute_output_summary_us{namespace="triton", model="ner_pipeline", '
        'quantile="0.99"} >= 0'
    ),
    "gpu_utilization": ('avg by (gpu_uuid) (nv_gpu_utilization{namespace="triton"})'),
    "mean_gpu_utilization": ('avg(avg by (gpu_uuid) (nv_gpu_utilization{namespace="triton"}))'),
    "gpu_memory_used": ('avg by (gpu_uuid) (nv_gpu_memory_used_bytes{namespace="triton"})'),
    "gpu_memory_used_ratio": (
        'avg by (gpu_uuid) (nv_gpu_memory_used_bytes{namespace="triton"}) / (avg by (gpu_uuid) '
        '(nv_gpu_memory_total_bytes{namespace="triton"}) > 0)'
    ),
    "gpu_power": ('avg by (gpu_uuid) (nv_gpu_power_usage{namespace="triton"})'),
    "gpu_power_limit": ('avg by (gpu_uuid) (nv_gpu_power_limit{namespace="triton"})'),
    "gpu_energy_rate": (
        'avg by (gpu_uuid) (rate(nv_energy_consumption{namespace="triton"}[$__rate_interval]))'
    ),
    "cpu_utilization": ('avg by (instance) (nv_cpu_utilization{namespace="triton"})'),
    "cpu_memory_used": ('avg by (instance) (nv_cpu_memory_used_bytes{namespace="triton"})'),
    "cpu_memory_used_ratio": (
        'avg by (instance) (nv_cpu_memory_used_bytes{namespace="triton"}) / (avg by (instance) '
        '(nv_cpu_memory_total_bytes{namespace="triton"}) > 0)'
    ),
    "pinned_memory_used": (
        'avg by (instance) (nv_pinned_memory_pool_used_bytes{namespace="triton"})'
    ),
    "pinned_memory_used_ratio": (
        'avg by (instance) (nv_pinned_memory_pool_used_bytes{namespace="triton"}) / (avg by '
        '(instance) (nv_pinned_memory_pool_total_bytes{namespace="triton"}) > 0)'
    ),
    "model_load_time": (
        'max by (model, version) (nv_model_load_duration_secs{namespace="triton", '
        'model="ner_pipeline"})'
    ),
    "instances_up": (
        'count(count by (instance) (rate(nv_inference_request_success{namespace="triton", '
        'model="ner_pipeline"}[$__rate_interval])))'
    ),
}

Recipe = Callable[[Scope], Expr]


def _phase_recipes(prefix: str, make: Callable[[Phase], Recipe]) -> dict[str, Recipe]:
    return {f"{prefix}[{phase.name}]": make(phase) for phase in Phase}


RECIPES: dict[str, Recipe] = {
    "request_rate": q.request_rate,
    "failure_rate": q.failure_rate,
    "failures_by_reason": q.failures_by_reason,
    "inference_rate": q.inference_rate,
    "execution_rate": q.execution_rate,
    "requests_per_minute": q.requests_per_minute,
    "failures_per_minute": q.failures_per_minute,
    "successes_in": q.successes_in,
    "failures_in": q.failures_in,
    "failure_ratio": q.failure_ratio,
    "completed_rate": q.completed_rate,
    **_phase_recipes("avg_latency", lambda phase: lambda s: q.avg_latency(s, phase)),
    "avg_batch_size": q.avg_batch_size,
    "avg_requests_in_queue": q.avg_requests_in_queue,
    "pending_requests": q.pending_requests,
    "cache_hit_ratio": q.cache_hit_ratio,
    "first_response_quantile": lambda s: q.first_response_quantile(s, 0.95),
    "first_response_shares": q.first_response_shares,
    "first_response_mean": q.first_response_mean,
    **_phase_recipes(
        "summary_quantile", lambda phase: lambda s: q.summary_quantile(s, phase, 0.99)
    ),
    "gpu_utilization": q.gpu_utilization,
    "mean_gpu_utilization": q.mean_gpu_utilization,
    "gpu_memory_used": q.gpu_memory_used,
    "gpu_memory_used_ratio": q.gpu_memory_used_ratio,
    "gpu_power": q.gpu_power,
    "gpu_power_limit": q.gpu_power_limit,
    "gpu_energy_rate": q.gpu_energy_rate,
    "cpu_utilization": q.cpu_utilization,
    "cpu_memory_used": q.cpu_memory_used,
    "cpu_memory_used_ratio": q.cpu_memory_used_ratio,
    "pinned_memory_used": q.pinned_memory_used,
    "pinned_memory_used_ratio": q.pinned_memory_used_ratio,
    "model_load_time": q.model_load_time,
    "instances_up": q.instances_up,
}

GPU_KEYS = frozenset(
    {
        "gpu_utilization",
        "mean_gpu_utilization",
        "gpu_memory_used",
        "gpu_memory_used_ratio",
        "gpu_power",
        "gpu_power_limit",
        "gpu_energy_rate",
    }
)
HOST_KEYS = frozenset(
    {
        "cpu_utilization",
        "cpu_memory_used",
        "cpu_memory_used_ratio",
        "pinned_memory_used",
        "pinned_memory_used_ratio",
    }
)
PER_MODEL_KEYS = frozenset(RECIPES) - GPU_KEYS - HOST_KEYS
SUMMARY_KEYS = frozenset(k for k in RECIPES if k.startswith("summary_quantile["))
#: Per-model recipes that aggregate by the scope's group (all but the per-instance summary
#: quantiles and instances_up, which counts servers).
GROUPED_KEYS = PER_MODEL_KEYS - SUMMARY_KEYS - {"instances_up"}
#: Labels a per-model recipe may keep on top of the scope's group.
EXTRA_GROUP_LABELS = {
    "failures_by_reason": ("reason",),
    "first_response_quantile": ("le",),
    "first_response_shares": ("le",),
}


# -- parsing and walking the tree -------------------------------------------------------------


def parse(query: str | Expr) -> Any:
    """``promql_parser`` tree of a rendered query, Grafana range variables given a duration."""
    text = str(query).replace("[$__rate_interval]", "[1m]").replace("[$__range]", "[1h]")
    return pp.parse(text)


def _children(node: Any) -> list[Any]:
    if isinstance(node, pp.BinaryExpr):
        return [node.lhs, node.rhs]
    if isinstance(node, pp.AggregateExpr):
        return [node.expr] + ([node.param] if node.param is not None else [])
    if isinstance(node, pp.Call):
        return list(node.args)
    if isinstance(node, pp.ParenExpr | pp.UnaryExpr | pp.SubqueryExpr):
        return [node.expr]
    if isinstance(node, pp.MatrixSelector):
        return [node.vector_selector]
    return []


def walk(node: Any, ancestors: tuple[Any, ...] = ()) -> Iterator[tuple[Any, tuple[Any, ...]]]:
    """Every node with its ancestors, outermost first."""
    yield node, ancestors
    for child in _children(node):
        yield from walk(child, (*ancestors, node))


def selectors(tree: Any) -> list[tuple[Any, tuple[Any, ...]]]:
    return [(n, a) for n, a in walk(tree) if isinstance(n, pp.VectorSelector)]


def metric_names(tree: Any) -> set[str]:
    return {sel.name for sel, _ in selectors(tree)}


def matchers(selector: Any) -> dict[str, tuple[Any, str]]:
    return {m.name: (m.op, m.value) for m in selector.matchers.matchers}


def unparen(node: Any) -> Any:
    while isinstance(node, pp.ParenExpr):
        node = node.expr
    return node


def op(node: Any) -> str:
    return str(node.op)


def group_labels(node: Any) -> tuple[str, ...]:
    """The ``by`` labels of an aggregation; () for ``op(...)``. ``without`` is never used."""
    if node.modifier is None:
        return ()
    assert node.modifier.type == pp.AggModifierType.By, f"unexpected without: {node}"
    return tuple(node.modifier.labels)


def aggregations(ancestors: tuple[Any, ...]) -> list[Any]:
    return [a for a in ancestors if isinstance(a, pp.AggregateExpr)]


def is_cumulative(sample: str) -> bool:
    """Whether a sample only grows (so needs rate()/increase()), after catalog.py's docs."""
    family = catalog.family_of(sample)
    assert family is not None, f"{sample} is not a Triton sample"
    if family.kind is Kind.HISTOGRAM:
        return True  # _bucket, _sum and _count are all counters
    if family.kind is Kind.SUMMARY:
        return sample != family.name  # _sum and _count; the quantiles are a sliding window
    return family.cumulative


def unaggregated_division_operands(tree: Any) -> list[str]:
    """Selectors that reach a ``/`` without being aggregated in between (docs/metrics.md)."""
    problems = []
    for node, _ in walk(tree):
        if isinstance(node, pp.BinaryExpr) and op(node) == "/":
            for operand in (node.lhs, node.rhs):
                for sel, ancestors in selectors(operand):
                    if not aggregations(ancestors):
                        problems.append(f"{sel} in {node}")
    return problems


def divisions(tree: Any) -> list[Any]:
    return [n for n, _ in walk(tree) if isinstance(n, pp.BinaryExpr) and op(n) == "/"]


# -- the pinned strings -------------------------------------------------------------------------


def test_every_public_recipe_is_pinned() -> None:
    public = set(q.__all__) - {"Phase"}
    pinned = {key.split("[")[0] for key in PINS}
    assert pinned == public
    assert set(PINS) == set(RECIPES)
    assert {key for key in PINS if key.startswith("avg_latency[")} == {
        f"avg_latency[{phase.name}]" for phase in Phase
    }
    assert set(RECIPES) >= GPU_KEYS | HOST_KEYS  # no typo in the classification


@pytest.mark.parametrize("key", list(PINS))
def test_pinned_query(key: str) -> None:
    query = str(RECIPES[key](REF))
    assert query == PINS[key]
    parse(query)  # and Prometheus' grammar accepts it


def test_window_argument_replaces_rate_interval() -> None:
    assert str(q.request_rate(REF, "5m")) == (
        'sum by (model, version) (rate(nv_inference_request_success{namespace="triton", '
        'model="ner_pipeline"}[5m]))'
    )
    assert str(q.successes_in(REF, "1d")) == (
        'sum by (model, version) (increase(nv_inference_request_success{namespace="triton", '
        'model="ner_pipeline"}[1d]))'
    )
    assert "$__rate_interval" not in str(q.avg_latency(REF, Phase.QUEUE, "5m"))
    assert "$__rate_interval" not in str(q.failure_ratio(REF, "5m"))


# -- the domain rules, on the parsed tree -----------------------------------------------------


def test_division_check_catches_unaggregated_operands() -> None:
    """The helper the next test relies on flags the ``gpu_uuid`` mistake it is meant to catch."""
    bad = parse("rate(nv_inference_request_duration_us[1m]) / rate(nv_inference_count[1m])")
    assert len(unaggregated_division_operands(bad)) == 2
    half = parse("sum(rate(nv_inference_count[1m])) / (rate(nv_inference_exec_count[1m]) > 0)")
    assert len(unaggregated_division_operands(half)) == 1
    good = parse("sum by (model) (rate(nv_inference_count[1m])) / 1000000")
    assert unaggregated_division_operands(good) == []


@pytest.mark.parametrize("key", sorted(RECIPES))
def test_no_division_of_unaggregated_series(key: str) -> None:
    tree = parse(RECIPES[key](REF))
    assert unaggregated_division_operands(tree) == []
    for division in divisions(tree):
        # No vector matching modifiers: both sides already carry exactly the same labels;
        # but a share of each bucket divides by its series' total, matched on the group.
        if key in BUCKET_SHARES:
            assert str(division.modifier.card).endswith("ManyToOne"), str(division)
            continue
        assert division.modifier is None or division.modifier.matching is None, str(division)


#: Recipes that divide each bucket (``le``) by the total of its series (``group_left``).
BUCKET_SHARES = {"first_response_shares"}


@pytest.mark.parametrize("key", sorted(GROUPED_KEYS))
def test_per_model_recipes_sum_by_model_version(key: str) -> None:
    tree = parse(RECIPES[key](REF))
    expected = ("model", "version", *EXTRA_GROUP_LABELS.get(key, ()))
    found = selectors(tree)
    assert found
    for sel, ancestors in found:
        assert catalog.family_of(sel.name).per_model, sel.name
        innermost = aggregations(ancestors)[-1]
        assert sorted(group_labels(innermost)) == sorted(expected), str(innermost)
        assert op(innermost) == ("max" if key == "model_load_time" else "sum"), str(innermost)
        # Nothing but the selector's own rate()/increase() between the sum and the series.
        last = max(i for i, a in enumerate(ancestors) if isinstance(a, pp.AggregateExpr))
        between = ancestors[last + 1 :]
        assert [type(a) for a in between] in ([], [pp.Call, pp.MatrixSelector]), str(innermost)


@pytest.mark.parametrize("key", sorted(RECIPES))
def test_counters_only_inside_rate_or_increase(key: str) -> None:
    for sel, ancestors in selectors(parse(RECIPES[key](REF))):
        in_rate = (
            len(ancestors) >= 2
            and isinstance(ancestors[-1], pp.MatrixSelector)
            and isinstance(ancestors[-2], pp.Call)
            and ancestors[-2].func.name in ("rate", "increase")
        )
        if is_cumulative(sel.name):
            assert in_rate, f"counter {sel.name} outside rate()/increase()"
        else:
            assert not in_rate, f"gauge {sel.name} inside rate()/increase()"


@pytest.mark.parametrize("phase", list(Phase), ids=lambda p: p.name)
def test_avg_latency_divides_duration_by_successes_above_zero(phase: Phase) -> None:
    tree = parse(q.avg_latency(REF, phase))
    assert isinstance(tree, pp.BinaryExpr)
    assert op(tree) == "/"
    assert metric_names(tree.lhs) == {phase.duration.name}
    assert phase.duration.name.endswith("_duration_us")
    denominator = unparen(tree.rhs)
    assert isinstance(denominator, pp.BinaryExpr)
    assert op(denominator) == ">"
    assert isinstance(denominator.rhs, pp.NumberLiteral)
    assert denominator.rhs.val == 0
    assert metric_names(denominator.lhs) == {"nv_inference_request_success"}
    assert not metric_names(tree) & {"nv_inference_count", "nv_inference_exec_count"}


def test_avg_latency_phases_cover_every_duration_counter() -> None:
    durations = {
        m.name
        for m in catalog.CATALOG.values()
        if m.name.startswith("nv_inference_") and m.name.endswith("_duration_us")
    }
    assert {phase.duration.name for phase in Phase} == durations


def test_avg_batch_size_is_inferences_over_executions() -> None:
    tree = parse(q.avg_batch_size(REF))
    assert op(tree) == "/"
    assert metric_names(tree.lhs) == {"nv_inference_count"}
    denominator = unparen(tree.rhs)
    assert op(denominator) == ">"
    assert denominator.rhs.val == 0
    assert metric_names(denominator.lhs) == {"nv_inference_exec_count"}


def test_failure_ratio_denominator_is_success_plus_failure_clamped() -> None:
    tree = parse(q.failure_ratio(REF))
    assert op(tree) == "/"
    assert metric_names(tree.lhs) == {"nv_inference_request_failure"}
    clamp = unparen(tree.rhs)
    assert isinstance(clamp, pp.Call)
    assert clamp.func.name == "clamp_min"
    total, floor = clamp.args
    assert isinstance(floor, pp.NumberLiteral)
    assert 0 < floor.val <= 1e-6  # far below any real rate, so an idle model reads 0
    total = unparen(total)
    assert op(total) == "+"
    assert {frozenset(metric_names(total.lhs)), frozenset(metric_names(total.rhs))} == {
        frozenset({"nv_inference_request_success"}),
        frozenset({"nv_inference_request_failure"}),
    }


def test_cache_hit_ratio_is_hits_over_lookups() -> None:
    tree = parse(q.cache_hit_ratio(REF))
    assert op(tree) == "/"
    assert metric_names(tree.lhs) == {"nv_cache_num_hits_per_model"}
    denominator = unparen(tree.rhs)
    assert op(denominator) == ">"
    lookups = unparen(denominator.lhs)
    assert op(lookups) == "+"
    assert metric_names(lookups) == {"nv_cache_num_hits_per_model", "nv_cache_num_misses_per_model"}


def test_requests_per_minute_counts_successful_requests_times_60() -> None:
    tree = parse(q.requests_per_minute(REF))
    assert op(tree) == "*"
    assert isinstance(tree.lhs, pp.NumberLiteral)
    assert tree.lhs.val == 60
    assert metric_names(tree) == {"nv_inference_request_success"}  # not nv_inference_count
    [(sel, ancestors)] = selectors(tree)
    assert matchers(sel) == {
        "namespace": (pp.MatchOp.Equal, "triton"),
        "model": (pp.MatchOp.Equal, "ner_pipeline"),
    }
    assert ancestors[-2].func.name == "rate"
    assert group_labels(aggregations(ancestors)[-1]) == ("model", "version")


def test_avg_requests_in_queue_is_queue_time_rate_over_a_million() -> None:
    tree = parse(q.avg_requests_in_queue(REF))
    assert op(tree) == "/"
    assert metric_names(tree.lhs) == {"nv_inference_queue_duration_us"}
    assert tree.rhs.val == 1e6


def test_first_response_quantile_is_kept_only_between_two_finite_bounds() -> None:
    """histogram_quantile, and-ed with lowest < q*N and highest finite >= q*N."""
    tree = parse(q.first_response_quantile(REF, 0.5))
    assert op(tree) == "and"
    estimate = tree.lhs.lhs
    assert isinstance(estimate, pp.Call) and estimate.func.name == "histogram_quantile"
    assert estimate.args[0].val == 0.5
    assert op(tree.lhs.rhs) == "<" and op(tree.rhs) == ">="
    finite = [s for s, _ in selectors(tree.rhs.lhs)]
    assert [matchers(s)["le"] for s in finite] == [(pp.MatchOp.NotEqual, "+Inf")]
    for sel, ancestors in selectors(tree):
        assert sel.name == "nv_inference_first_response_histogram_ms_bucket"
        assert "le" in group_labels(aggregations(ancestors)[-1])
    with pytest.raises(ValueError):
        q.first_response_quantile(REF, 1.5)


@pytest.mark.parametrize(
    "shares",
    [q.first_response_shares(REF), q.first_response_shares(REF.recorded()),
     llm.bucket_shares(REF, llm.TTFT)],
    ids=["first-response", "first-response-recorded", "vllm-ttft"],
)  # fmt: skip
def test_bucket_shares_leave_out_the_inf_bucket_but_divide_by_it(shares: Expr) -> None:
    """Every observation is at or below +Inf: its share is 100 % by definition and would
    only be drawn as "<= +Inf 100 %". The shares are of finite bounds; the total they
    divide by is still the +Inf bucket (the count of every observation)."""
    tree = parse(shares)
    assert op(tree) == "/"
    (numerator,) = selectors(tree.lhs)
    assert matchers(numerator[0])["le"] == (pp.MatchOp.NotEqual, "+Inf")
    (denominator,) = selectors(tree.rhs)
    assert "le" not in matchers(denominator[0])


def test_bucket_shares_parse_with_a_bare_group_left_before_parentheses() -> None:
    """``group_left (x > 0)`` would read ``x > 0`` as a label list: it is ``group_left ()``."""
    tree = parse(q.first_response_shares(REF.by()))
    assert op(tree) == "/"
    assert str(q.first_response_shares(REF.by())).count("group_left () (max(") == 1


# -- GPU, host and per-model families never mix -------------------------------------------------


@pytest.mark.parametrize("key", sorted(GPU_KEYS))
@pytest.mark.parametrize("gpus", [None, "GPU-1"])
def test_gpu_recipes_per_gpu_uuid_without_model_matchers(key: str, gpus: str | None) -> None:
    scope = REF if gpus is None else REF.gpus(gpus)
    found = selectors(parse(RECIPES[key](scope)))
    assert found
    for sel, ancestors in found:
        family = catalog.family_of(sel.name)
        assert family.group is Group.GPU
        assert "gpu_uuid" in family.labels
        assert not family.per_model
        assert group_labels(aggregations(ancestors)[-1]) == ("gpu_uuid",)
        found_matchers = matchers(sel)
        assert "model" not in found_matchers
        assert "version" not in found_matchers
        assert found_matchers["namespace"] == (pp.MatchOp.Equal, "triton")
        if gpus is None:
            assert "gpu_uuid" not in found_matchers
        else:
            assert found_matchers["gpu_uuid"] == (pp.MatchOp.Equal, "GPU-1")


@pytest.mark.parametrize("key", sorted(HOST_KEYS))
def test_host_recipes_per_instance_without_model_or_gpu_matchers(key: str) -> None:
    found = selectors(parse(RECIPES[key](REF.gpus("GPU-1"))))
    assert found
    for sel, ancestors in found:
        assert not catalog.family_of(sel.name).per_model
        assert group_labels(aggregations(ancestors)[-1]) == ("instance",)
        assert set(matchers(sel)) == {"namespace"}
    assert str(RECIPES[key](REF.gpus("GPU-1"))) == PINS[key]


@pytest.mark.parametrize("key", sorted(PER_MODEL_KEYS))
def test_per_model_recipes_ignore_gpu_filter(key: str) -> None:
    query = RECIPES[key](REF.gpus("GPU-1"))
    assert str(query) == PINS[key]
    for sel, _ in selectors(parse(query)):
        assert catalog.family_of(sel.name).per_model
        assert "gpu_uuid" not in matchers(sel)
        assert matchers(sel)["model"] == (pp.MatchOp.Equal, "ner_pipeline")


def test_mean_gpu_utilization_averages_each_gpu_once() -> None:
    tree = parse(q.mean_gpu_utilization(REF))
    assert isinstance(tree, pp.AggregateExpr)
    assert op(tree) == "avg"
    assert group_labels(tree) == ()
    inner = unparen(tree.expr)
    assert op(inner) == "avg"
    assert group_labels(inner) == ("gpu_uuid",)


# -- other scopes -----------------------------------------------------------------------------


@pytest.mark.parametrize("key", sorted(RECIPES))
def test_grafana_variables_use_regex_matchers(key: str) -> None:
    scope = Scope(namespace=Var("namespace")).model(Var("model")).gpus(Var("gpu"))
    query = str(RECIPES[key](scope))
    found = selectors(parse(query))
    assert found
    for sel, _ in found:
        found_matchers = matchers(sel)
        assert found_matchers["namespace"] == (pp.MatchOp.Re, "$namespace")
        if key in PER_MODEL_KEYS:
            assert found_matchers["model"] == (pp.MatchOp.Re, "$model")
            assert "gpu_uuid" not in found_matchers
        else:
            assert "model" not in found_matchers
        if key in GPU_KEYS:
            assert found_matchers["gpu_uuid"] == (pp.MatchOp.Re, "$gpu")


def test_grafana_variable_request_rate_pinned() -> None:
    scope = Scope(namespace=Var("namespace")).model(Var("model"))
    assert str(q.request_rate(scope)) == (
        'sum by (model, version) (rate(nv_inference_request_success{namespace=~"$namespace", '
        'model=~"$model"}[$__rate_interval]))'
    )


@pytest.mark.parametrize("key", sorted(PER_MODEL_KEYS))
def test_model_name_with_quotes_and_backslashes_round_trips(key: str) -> None:
    name = 'a"b\\c'
    query = str(RECIPES[key](Scope(namespace="triton").model(name)))
    assert 'model="a\\"b\\\\c"' in query
    found = selectors(parse(query))
    assert found
    for sel, _ in found:
        assert matchers(sel)["model"] == (pp.MatchOp.Equal, name)


@pytest.mark.parametrize("key", sorted(GROUPED_KEYS))
def test_by_model_changes_the_grouping(key: str) -> None:
    expected = ("model", *EXTRA_GROUP_LABELS.get(key, ()))
    for _, ancestors in selectors(parse(RECIPES[key](REF.by("model")))):
        assert sorted(group_labels(aggregations(ancestors)[-1])) == sorted(expected)


@pytest.mark.parametrize("key", sorted(GROUPED_KEYS))
def test_by_nothing_aggregates_fleet_wide(key: str) -> None:
    expected = EXTRA_GROUP_LABELS.get(key, ())
    tree = parse(RECIPES[key](REF.by()))
    assert unaggregated_division_operands(tree) == []
    for _, ancestors in selectors(tree):
        assert sorted(group_labels(aggregations(ancestors)[-1])) == sorted(expected)


def test_by_pinned_strings() -> None:
    assert str(q.request_rate(REF.by("model"))) == (
        'sum by (model) (rate(nv_inference_request_success{namespace="triton", '
        'model="ner_pipeline"}[$__rate_interval]))'
    )
    assert str(q.request_rate(REF.by())) == (
        'sum(rate(nv_inference_request_success{namespace="triton", '
        'model="ner_pipeline"}[$__rate_interval]))'
    )
    assert str(q.avg_latency(REF.by(), Phase.REQUEST)) == (
        'sum(rate(nv_inference_request_duration_us{namespace="triton", '
        'model="ner_pipeline"}[$__rate_interval])) / '
        '(sum(rate(nv_inference_request_success{namespace="triton", '
        'model="ner_pipeline"}[$__rate_interval])) > 0)'
    )


# -- summaries ------------------------------------------------------------------------------


@pytest.mark.parametrize("phase", list(Phase), ids=lambda p: p.name)
@pytest.mark.parametrize("quantile", [0.5, 0.9, 0.99, 0.999])
def test_summary_quantile_keeps_instances_and_drops_nan(phase: Phase, quantile: float) -> None:
    tree = parse(q.summary_quantile(REF, phase, quantile))
    assert isinstance(tree, pp.BinaryExpr)
    assert op(tree) == ">="  # NaN compares false, so a summary with no requests shows a gap
    assert isinstance(tree.rhs, pp.NumberLiteral)
    assert tree.rhs.val == 0
    assert isinstance(tree.lhs, pp.VectorSelector)  # no sum, avg or rate: per instance
    assert not any(isinstance(n, pp.AggregateExpr | pp.Call) for n, _ in walk(tree))
    assert tree.lhs.name == phase.summary.name
    assert matchers(tree.lhs) == {
        "namespace": (pp.MatchOp.Equal, "triton"),
        "model": (pp.MatchOp.Equal, "ner_pipeline"),
        "quantile": (pp.MatchOp.Equal, str(quantile)),  # as Triton prints it, e.g. "0.5"
    }


@pytest.mark.parametrize("quantile", [0, 1, -0.1, 1.5, math.nan])
def test_summary_quantile_rejects_invalid_quantiles(quantile: float) -> None:
    with pytest.raises(ValueError):
        q.summary_quantile(REF, Phase.REQUEST, quantile)


# -- Scope ----------------------------------------------------------------------------------


def _rendered(matchers_: tuple[Matcher, ...]) -> list[str]:
    return [m.render() for m in matchers_]


SCOPED = Scope(namespace="triton").model("ner").gpus("GPU-1")


@pytest.mark.parametrize("metric", list(catalog.CATALOG.values()), ids=lambda m: m.name)
def test_select_adds_model_and_gpu_matchers_only_where_they_apply(metric: Metric) -> None:
    selector = SCOPED.select(metric)
    assert selector.metric == metric.name
    labels = [m.label for m in selector.matchers]
    assert labels[0] == "namespace"
    assert ("model" in labels) == metric.per_model
    assert ("gpu_uuid" in labels) == ("gpu_uuid" in metric.labels and not metric.per_model)


def test_select_examples() -> None:
    assert str(SCOPED.select(catalog.REQUEST_SUCCESS)) == (
        'nv_inference_request_success{namespace="triton", model="ner"}'
    )
    assert str(SCOPED.select(catalog.GPU_UTILIZATION)) == (
        'nv_gpu_utilization{namespace="triton", gpu_uuid="GPU-1"}'
    )
    assert str(SCOPED.select(catalog.CPU_UTILIZATION)) == 'nv_cpu_utilization{namespace="triton"}'
    assert str(SCOPED.select(catalog.PINNED_MEMORY_USED)) == (
        'nv_pinned_memory_pool_used_bytes{namespace="triton"}'
    )


def test_select_per_model_family_with_gpu_uuid_label_gets_no_gpu_matcher() -> None:
    """Per-model series are summed over gpu_uuid; filtering them by GPU would drop
    the startup-loaded models that have no gpu_uuid."""
    odd = Metric(
        name="nv_test_per_model_with_gpu",
        kind=Kind.COUNTER,
        unit="short",
        help="test",
        group=Group.COUNTS,
        labels=("gpu_uuid",),
        per_model=True,
    )
    assert str(SCOPED.select(odd)) == 'nv_test_per_model_with_gpu{namespace="triton", model="ner"}'


def test_select_sample_override_and_extra_matchers() -> None:
    histogram = catalog.FIRST_RESPONSE_HISTOGRAM
    selector = SCOPED.select(
        histogram, Matcher("le", "=", "+Inf"), sample=histogram.name + "_bucket"
    )
    assert selector.metric == "nv_inference_first_response_histogram_ms_bucket"
    assert str(selector) == (
        'nv_inference_first_response_histogram_ms_bucket{namespace="triton", model="ner", '
        'le="+Inf"}'
    )
    assert SCOPED.select(histogram).metric == histogram.name


def test_models_needs_names() -> None:
    with pytest.raises(PromQLError, match="at least one"):
        Scope().models()
    with pytest.raises(ValueError):
        Scope(namespace="triton").models()


def test_models_matchers() -> None:
    assert _rendered(Scope().models("ner").model_filter) == ['model="ner"']
    assert _rendered(Scope().models("ner", "ner.post").model_filter) == [
        'model=~"ner|ner\\\\.post"'
    ]
    selector = Scope().models("ner", "ner.post").select(catalog.REQUEST_SUCCESS)
    [(sel, _)] = selectors(parse(selector))
    assert matchers(sel)["model"] == (pp.MatchOp.Re, "ner|ner\\.post")


def test_model_version_and_versions() -> None:
    assert _rendered(Scope().model("ner", "2").model_filter) == ['model="ner"', 'version="2"']
    assert _rendered(Scope().model("ner").versions(Var("version")).model_filter) == [
        'model="ner"',
        'version=~"$version"',
    ]
    # model() replaces the previous model filter rather than adding to it.
    assert _rendered(Scope().model("a").model("b").model_filter) == ['model="b"']


def test_model_filters_replace_only_their_own_label() -> None:
    """``models()`` after ``model(name, version)`` keeps the version (it used to drop it);
    ``versions()`` replaces a version rather than adding a second, contradictory one."""
    kept = Scope().model("m", "2").models("a", "b")
    assert _rendered(kept.model_filter) == ['model=~"a|b"', 'version="2"']
    assert _rendered(Scope().versions("2").model("m").model_filter) == [
        'model="m"',
        'version="2"',
    ]
    assert _rendered(Scope().model("m", "2").versions("3").model_filter) == [
        'model="m"',
        'version="3"',
    ]
    assert _rendered(Scope().model("m", "2").model("n").model_filter) == [
        'model="n"',
        'version="2"',
    ]
    assert _rendered(Scope().gpus("GPU-1").gpus("GPU-2").gpu_filter) == ['gpu_uuid="GPU-2"']


def test_legend() -> None:
    assert REF.legend == "{{model}} v{{version}}"
    assert REF.by("model").legend == "{{model}}"
    assert REF.by("model", "version", "pod").legend == "{{model}} v{{version}} {{pod}}"
    assert REF.by().legend == "all"


def test_also_adds_target_matchers_and_keeps_the_original() -> None:
    scoped = REF.also(job="triton-ner", pod=["p-0", "p-1"])
    assert _rendered(scoped.target) == [
        'namespace="triton"',
        'job="triton-ner"',
        'pod=~"p-0|p-1"',
    ]
    assert _rendered(REF.target) == ['namespace="triton"']  # scopes are immutable
    assert scoped.model_filter == REF.model_filter
    assert str(scoped.select(catalog.GPU_POWER_USAGE)) == (
        'nv_gpu_power_usage{namespace="triton", job="triton-ner", pod=~"p-0|p-1"}'
    )


def test_scope_defaults_and_model_name() -> None:
    scope = Scope()
    assert scope.group == ("model", "version")
    assert scope.gpu_group == ("gpu_uuid",)
    assert scope.host_group == ("instance",)
    assert str(scope.select(catalog.INFERENCE_COUNT)) == "nv_inference_count"
    assert REF.model_name == "ner_pipeline"
    assert Scope().model(Var("model")).model_name is None
    assert Scope().models("a", "b").model_name is None
    assert Scope().model_name is None


def test_phase_is_one_enum_under_every_public_name() -> None:
    from triton_dashboards import Phase, queries

    assert Phase is queries.Phase is catalog.Phase
    assert q.STEPS == catalog.STEPS

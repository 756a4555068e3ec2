"""The linter's LLM rules: no counter function over a gauge, no sum over unlike label values.

Run on NVIDIA's TensorRT-LLM autoscaling tutorial dashboard it names exactly the three
panels that get the math wrong; the committed dashboards (``test_lint.py``) stay clean.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from _support import TESTDATA

from triton_dashboards.catalog import llm
from triton_dashboards.dashboard.lint import Finding, lint_dashboard

TUTORIAL = "tutorials_TensorRT-LLM_Autoscaling_grafana_inference-metrics_dashboard.json"


def lint(*exprs: str) -> list[Finding]:
    board: dict[str, Any] = {
        "panels": [{"title": "p", "targets": [{"expr": e} for e in exprs]}],
        "templating": {"list": []},
    }
    return lint_dashboard(board, "test.json")


def messages(*exprs: str) -> list[str]:
    found = lint(*exprs)
    assert all(not f.error for f in found), found  # findings, never build errors
    return [f.message for f in found]


# -- a gauge under a counter function ----------------------------------------------------------


@pytest.mark.parametrize("function", ["rate", "irate", "increase", "resets"])
@pytest.mark.parametrize(
    "gauge",
    [
        'nv_trt_llm_kv_cache_block_metrics{kv_cache_block_type="used"}',
        "nv_gpu_utilization",
        "nv_inference_pending_request_count",
        "vllm:num_requests_waiting",
    ],
)
def test_a_gauge_in_a_counter_function_is_a_finding(function: str, gauge: str) -> None:
    (message,) = messages(f"{function}({gauge}[5m])")
    assert message.startswith(f"gauge {gauge.split('{')[0]} is used in {function}()")


@pytest.mark.parametrize(
    "expr",
    [
        "nv_gpu_utilization",
        "avg_over_time(nv_gpu_utilization[5m])",
        "deriv(nv_inference_pending_request_count[5m])",
        "delta(nv_gpu_power_usage[5m])",
        # the counters of the LLM backends are rated as they should be
        "sum by (model) (rate(vllm:generation_tokens_total[5m]))",
        'sum(rate(nv_trt_llm_disaggregated_serving_metrics{disaggregated_serving_type="request_count"}[5m]))',
    ],
)
def test_a_gauge_read_as_a_gauge_and_a_rated_counter_are_clean(expr: str) -> None:
    assert messages(expr) == []


def test_a_gauge_in_rate_of_a_subquery_is_a_finding() -> None:
    (message,) = messages("rate(sum(nv_gpu_utilization)[10m:1m])")
    assert "gauge nv_gpu_utilization is used in rate()" in message


# -- a sum or average over label values that are different quantities ---------------------------


@pytest.mark.parametrize("family", [f for f in llm.FAMILIES if f.label], ids=lambda f: f.label)
def test_every_statistic_label_of_the_catalog_is_checked(family: llm.LlmFamily) -> None:
    name, label, first = family.metric.name, family.label, family.values[0]
    assert label is not None

    def read(selector: str) -> str:  # the counter among them is rated, as it must be
        return f"rate({selector}[5m])" if family.metric.cumulative else selector

    (message,) = messages(f"sum by (model) ({read(name)})")
    assert message.startswith(f"sum adds up the {label} values of {name}")
    assert f"select one ({label}=" in message and f"by ({label})" in message
    # one value selected, or the values kept apart: clean

    def selected(op: str) -> str:
        return read(f'{name}{{{label}{op}"{first}"}}')

    one = f"sum by (model) ({selected('=')})"
    regex = f"sum({selected('=~')})"
    apart = f"sum by (model, {label}) ({read(name)})"
    assert messages(one, apart, regex) == []


@pytest.mark.parametrize(
    "expr",
    [
        "avg(nv_trt_llm_request_metrics)",
        'sum by (job) (nv_trt_llm_request_metrics{request_type=~"waiting|active"})',
        'sum(nv_trt_llm_request_metrics{request_type!="max"})',
        "sum by (job) (sum by (job, request_type) (nv_trt_llm_request_metrics))",
        "sum(nv_trt_llm_request_metrics) / 2",
    ],
)
def test_unlike_values_added_or_averaged_are_a_finding(expr: str) -> None:
    (message,) = messages(expr)
    assert "request_type values of nv_trt_llm_request_metrics" in message


@pytest.mark.parametrize(
    "expr",
    [
        "nv_trt_llm_request_metrics",  # a line per value, nothing added
        "sum without (pod) (nv_trt_llm_request_metrics)",  # request_type kept
        "max by (job) (nv_trt_llm_request_metrics)",  # not adding, another mistake if any
        "count(nv_trt_llm_request_metrics)",
        'sum by (model) (nv_trt_llm_request_metrics{request_type="waiting"}) '
        '/ sum by (model) (nv_trt_llm_request_metrics{request_type="max"})',
    ],
)
def test_one_value_selected_or_kept_apart_is_clean(expr: str) -> None:
    assert messages(expr) == []


# -- NVIDIA's TensorRT-LLM tutorial dashboard ---------------------------------------------------


def test_the_tutorial_dashboard_reports_its_gauge_and_sum_mistakes() -> None:
    board = json.loads((TESTDATA / "triton/dashboards" / TUTORIAL).read_text(encoding="utf-8"))
    findings = lint_dashboard(board, TUTORIAL)
    found = [(f.panel, f.message.split(":")[0]) for f in findings if "window" not in f.message]
    assert sorted(found) == [
        ("TRT-LLM General", "avg averages the general_type values of nv_trt_llm_general_metrics "
                            "(timestamp, iteration_counter), which are different quantities; "
                            'select one (general_type="timestamp") or keep them apart with by '
                            "(general_type)"),
        ("TRT-LLM General", "gauge nv_trt_llm_general_metrics is used in rate()"),
        ("TRT-LLM In-Flight Batcher", "sum adds up the inflight_batcher_specific_metric values "
                                      "of nv_trt_llm_inflight_batcher_metrics (total_context_"
                                      "tokens, generation_requests, micro_batch_id, "
                                      "paused_requests), which are different quantities; "
                                      'select one (inflight_batcher_specific_metric="total_'
                                      'context_tokens") or keep them apart with by '
                                      "(inflight_batcher_specific_metric)"),
        ("TRT-LLM Requests", "gauge nv_trt_llm_request_metrics is used in rate()"),
        ("TRT-LLM Requests", "sum adds up the request_type values of nv_trt_llm_request_metrics "
                             "(active, max, scheduled, context, waiting), which are different "
                             'quantities; select one (request_type="active") or keep them '
                             "apart with by (request_type)"),
    ]  # fmt: skip

"""The query linter: Grafana variable stand-ins, and each rule on a small hand-built dashboard.

Every committed dashboard is also linted: each of its expressions must parse with
``promql_parser`` once its variables have stand-ins, and none may have a finding.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import promql_parser as pp
import pytest

from triton_dashboards.dashboard.lint import Finding, expressions, lint_dashboard, substitute

ROOT = Path(__file__).resolve().parents[1]
DASHBOARDS = sorted((ROOT / "dashboards").glob("*.json"))

MODEL = {"name": "model", "multi": True}
SINGLE = {"name": "window", "multi": False}


def dashboard(*exprs: str, variables: tuple[dict[str, Any], ...] = (MODEL,)) -> dict[str, Any]:
    """One timeseries panel titled ``p`` with one target per expression."""
    return {
        "panels": [{"title": "p", "type": "timeseries", "targets": [{"expr": e} for e in exprs]}],
        "templating": {"list": list(variables)},
    }


def lint(*exprs: str, variables: tuple[dict[str, Any], ...] = (MODEL,)) -> list[Finding]:
    return lint_dashboard(dashboard(*exprs, variables=variables), "test.json")


def only(findings: list[Finding]) -> Finding:
    assert len(findings) == 1, findings
    finding = findings[0]
    assert finding.source == "test.json"
    assert finding.panel == "p"
    return finding


# -- substitute() -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expr", "text", "used"),
    [
        ("rate(x[$__rate_interval])", "rate(x[1d])", {"__rate_interval"}),
        ("rate(x[${window}])", "rate(x[1d])", {"window"}),
        ("rate(x[${window:raw}])", "rate(x[1d])", {"window"}),
        ("increase(x[ $__range ])", "increase(x[1d])", {"__range"}),
        ("max_over_time(rate(x[5m])[$span:1m])", "max_over_time(rate(x[5m])[1d:1m])", {"span"}),
        ("rate(x[5m]) * $__interval_ms / 1000", "rate(x[5m]) * 1 / 1000", {"__interval_ms"}),
        ("topk($k, x)", "topk(1, x)", {"k"}),
        ("x", "x", set()),
    ],
)
def test_substitute_gives_stand_ins_where_variables_stand(
    expr: str, text: str, used: set[str]
) -> None:
    assert substitute(expr) == (text, used)
    pp.parse(text)


@pytest.mark.parametrize(
    "expr",
    [
        'x{model=~"$model"}',
        'x{model=~"${model:regex}", pod="[$pod]"}',
        'x{model=~"say \\"$model\\" [$pod]"}',
        "x{model=~'$model'}",
        "x{model=~`$model`}",
    ],
)
def test_substitute_leaves_variables_inside_strings(expr: str) -> None:
    text, used = substitute(expr)
    assert text == expr
    assert "model" in used
    pp.parse(text)


def test_substitute_returns_every_variable_used() -> None:
    expr = (
        'sum by (model) (rate(nv_inference_count{namespace=~"$namespace", model=~"${model}"}'
        "[$__rate_interval])) * $__interval_ms"
    )
    text, used = substitute(expr)
    assert used == {"namespace", "model", "__rate_interval", "__interval_ms"}
    assert text == (
        'sum by (model) (rate(nv_inference_count{namespace=~"$namespace", model=~"${model}"}'
        "[1d])) * 1"
    )


def test_substitute_sees_deprecated_bracket_syntax() -> None:
    """Grafana's deprecated ``[[var]]`` form (no ``$``) is a variable too."""
    text, used = substitute('sum(increase(nv_inference_count{pod=~"[[pod]]"}[$__range]))')
    assert text == 'sum(increase(nv_inference_count{pod=~"[[pod]]"}[1d]))'
    assert used == {"pod", "__range"}


# -- lint_dashboard(), one rule at a time -------------------------------------------------------


def test_clean_dashboard_has_no_findings() -> None:
    assert (
        lint(
            'sum by (model, version) (rate(nv_inference_request_success{model=~"$model"}'
            "[$__rate_interval]))",
            "avg by (gpu_uuid) (nv_gpu_utilization)",
            'nv_inference_request_summary_us{model=~"$model", quantile="0.99"} >= 0',
        )
        == []
    )


def test_unparseable_query_is_an_error() -> None:
    expr = "sum(rate(nv_inference_count[$__rate_interval])"
    finding = only(lint(expr))
    assert finding.error
    assert "does not parse" in finding.message
    assert expr in finding.message


def test_unknown_variable_is_an_error() -> None:
    finding = only(lint('sum(rate(nv_inference_count{model=~"$modle"}[$__rate_interval]))'))
    assert finding.error
    assert "unknown Grafana variable $modle" in finding.message
    assert "p" in str(finding)
    assert "test.json" in str(finding)


def test_builtin_variables_are_known() -> None:
    assert lint("sum(increase(nv_inference_count[$__range])) / $__range_s", variables=()) == []


def test_removed_metric_is_an_error() -> None:
    finding = only(lint("sum(rate(nv_inference_load_ratio_bucket[5m]))"))
    assert finding.error
    assert "nv_inference_load_ratio" in finding.message
    assert "removed" in finding.message


def test_removed_metric_with_replacement_names_it() -> None:
    finding = only(lint("sum(rate(nv_inference_compute_duration_us[5m]))"))
    assert finding.error
    assert "nv_inference_compute_infer_duration_us" in finding.message


def test_unknown_triton_metric_is_an_error_with_did_you_mean() -> None:
    finding = only(lint("sum(rate(nv_inference_cout[5m]))"))
    assert finding.error
    assert "did you mean 'nv_inference_count'" in finding.message


def test_non_triton_metric_is_not_checked() -> None:
    assert lint("up", "sum(rate(http_requests_total[5m]))") == []


def test_raw_counter_is_a_finding_not_an_error() -> None:
    finding = only(lint("sum by (model) (nv_inference_request_success)"))
    assert not finding.error
    assert "nv_inference_request_success" in finding.message
    assert "raw" in finding.message
    assert "rate()" in finding.message


@pytest.mark.parametrize(
    "expr",
    [
        "count(count(nv_inference_count) by (instance))",
        "count by (model) (nv_inference_request_success)",
        'count_values("v", nv_inference_exec_count)',
        "group by (instance) (nv_inference_count)",
        "absent(nv_inference_count)",
        "present_over_time(nv_inference_count[5m])",
        "count_over_time(nv_inference_count[5m])",
        "nv_inference_count > 0",
        "0 < nv_inference_count",
        "nv_inference_count != 0",
        "sum(count by (instance) (nv_inference_count > 0))",
    ],
)
def test_counter_only_counted_or_tested_for_existence_is_fine(expr: str) -> None:
    assert lint(expr) == []


@pytest.mark.parametrize(
    "expr",
    [
        "sum(nv_inference_count)",
        "nv_inference_count",
        "nv_inference_count > 10",
        "0 > nv_inference_count",
        "max(nv_inference_count)",
        "count(nv_inference_count) + sum(nv_inference_exec_count)",
    ],
)
def test_counter_whose_value_is_read_stays_a_finding(expr: str) -> None:
    finding = only(lint(expr))
    assert not finding.error
    assert "raw" in finding.message


def test_counter_inside_delta_is_a_finding() -> None:
    finding = only(lint("sum(delta(nv_inference_count[5m]))"))
    assert not finding.error
    assert "delta()" in finding.message


def test_counter_inside_over_time_is_a_finding() -> None:
    finding = only(lint("avg_over_time(nv_inference_exec_count[5m])"))
    assert not finding.error
    assert "avg_over_time()" in finding.message


@pytest.mark.parametrize("function", ["rate", "increase", "irate"])
def test_counter_inside_rate_is_fine(function: str) -> None:
    assert lint(f"sum by (model) ({function}(nv_inference_count[$__rate_interval]))") == []


def test_histogram_bucket_inside_rate_is_fine() -> None:
    assert (
        lint(
            "histogram_quantile(0.95, sum by (le) "
            "(rate(nv_inference_first_response_histogram_ms_bucket[$__rate_interval])))"
        )
        == []
    )


def test_raw_histogram_bucket_is_a_finding() -> None:
    finding = only(
        lint("histogram_quantile(0.95, nv_inference_first_response_histogram_ms_bucket)")
    )
    assert not finding.error
    assert "nv_inference_first_response_histogram_ms_bucket" in finding.message


def test_summary_quantile_raw_is_fine_but_summary_count_raw_is_flagged() -> None:
    assert lint('nv_inference_request_summary_us{quantile="0.99"}') == []
    finding = only(lint("nv_inference_request_summary_us_count"))
    assert not finding.error
    assert "nv_inference_request_summary_us_count" in finding.message
    assert lint("rate(nv_inference_request_summary_us_count[5m])") == []


def test_gauges_raw_are_fine_but_cumulative_cache_gauges_are_flagged() -> None:
    assert lint("nv_gpu_utilization", "sum(nv_inference_pending_request_count)") == []
    finding = only(lint("nv_cache_num_hits"))  # typed gauge, but a count that only grows
    assert not finding.error


def test_equals_with_multi_value_variable_suggests_regex_match() -> None:
    finding = only(lint('sum(rate(nv_inference_count{model="$model"}[5m]))'))
    assert not finding.error
    assert "=~" in finding.message
    assert "$model" in finding.message


def test_not_equals_with_multi_value_variable_suggests_not_regex() -> None:
    finding = only(lint('sum(rate(nv_inference_count{model!="$model"}[5m]))'))
    assert not finding.error
    assert "!~" in finding.message


def test_include_all_counts_as_multi_value() -> None:
    variables = ({"name": "model", "multi": False, "includeAll": True},)
    finding = only(lint('nv_gpu_utilization{model="${model}"}', variables=variables))
    assert not finding.error


def test_regex_match_with_multi_value_variable_is_clean() -> None:
    assert lint('sum(rate(nv_inference_count{model=~"$model"}[5m]))') == []


def test_equals_with_single_value_variable_is_clean() -> None:
    single = ({"name": "model", "multi": False},)
    assert lint('sum(rate(nv_inference_count{model="$model"}[5m]))', variables=single) == []


def test_findings_of_one_query_are_all_reported() -> None:
    findings = lint('sum(nv_inference_count{model="$model"}) / rate(nv_inference_cout[5m])')
    assert sorted((f.error, f.message.split()[0]) for f in findings) == [
        (False, "counter"),
        (False, 'model="$model"'),
        (True, "unknown"),
    ]


def test_panels_nested_in_a_collapsed_row_are_linted() -> None:
    board = {
        "panels": [
            {
                "title": "row",
                "type": "row",
                "collapsed": True,
                "panels": [
                    {
                        "title": "inner",
                        "type": "timeseries",
                        "targets": [{"expr": "sum(nv_inference_request_success)"}],
                    }
                ],
            },
            {"title": "outer", "type": "stat", "targets": [{"expr": "nv_gpu_utilization"}]},
        ],
        "templating": {"list": []},
    }
    assert [title for title, _ in expressions(board)] == ["inner", "outer"]
    [finding] = lint_dashboard(board, "rows.json")
    assert finding.panel == "inner"
    assert not finding.error


def test_label_replace_capture_group_is_not_a_variable() -> None:
    """``$1`` in label_replace is a regex group; Grafana leaves unknown variables as they are."""
    assert lint('label_replace(nv_gpu_utilization, "gpu", "$1", "gpu_uuid", "GPU-(.*)")') == []


def test_variable_as_grouping_label_parses() -> None:
    """A variable in ``by (...)`` stands for a label name, not a number."""
    variables = ({"name": "group", "multi": False},)
    assert lint("sum by ($group) (nv_gpu_utilization)", variables=variables) == []


def test_unknown_variable_in_bracket_syntax_is_an_error() -> None:
    finding = only(lint('nv_gpu_utilization{instance=~"[[instanse]]"}'))
    assert finding.error
    assert "instanse" in finding.message


# -- the committed dashboards -------------------------------------------------------------------


def test_committed_dashboards_are_found() -> None:
    assert len(DASHBOARDS) >= 4


@pytest.mark.parametrize("path", DASHBOARDS, ids=lambda p: p.name)
def test_committed_dashboard_queries_parse_and_are_clean(path: Path) -> None:
    board = json.loads(path.read_text())
    exprs = list(expressions(board))
    assert exprs, f"{path.name} has no queries"
    for title, expr in exprs:
        text, _ = substitute(expr)
        try:
            pp.parse(text)
        except ValueError as e:
            pytest.fail(f"{path.name}: panel {title!r}: {e}: {text}")
    assert lint_dashboard(board, path.name) == []


# -- fixed windows on counters --------------------------------------------------------------


def test_the_documented_anti_pattern_is_flagged_and_points_to_rate_interval() -> None:
    """`increase(nv_inference_count{model="ner_pipeline"}[1m])` holds one sample at a 60 s
    scrape; it built and linted clean."""
    finding = only(lint('increase(nv_inference_count{model="ner_pipeline"}[1m])'))
    assert not finding.error  # builds; `lint` (and so `make check`) fails
    assert "[1m]" in finding.message and "[$__rate_interval]" in finding.message
    assert "at least [4m]" in finding.message


@pytest.mark.parametrize(
    "expr",
    [
        "rate(nv_inference_count[$__rate_interval])",
        "increase(nv_inference_count[${window}])",
        "rate(nv_inference_count[4m])",
        "sum(rate(nv_inference_request_duration_us[10m]))",
        "max_over_time(nv_gpu_utilization[1m])",  # a gauge: any window has a sample
        "rate(up[30s])",  # not a Triton counter: not this rule's business
    ],
)
def test_windows_of_four_scrapes_or_variables_are_clean(expr: str) -> None:
    assert lint(expr, variables=(SINGLE,)) == []


@pytest.mark.parametrize(
    "expr",
    [
        "rate(nv_inference_request_success[2m])",
        "irate(nv_inference_exec_count[1m])",
        "sum(increase(nv_inference_first_response_histogram_ms_bucket[3m])) by (le)",
    ],
)
def test_short_fixed_windows_on_triton_counters_are_findings(expr: str) -> None:
    assert "window holds fewer than 4 scrapes at a 1m scrape interval" in only(lint(expr)).message


def test_a_shorter_scrape_interval_allows_a_shorter_window() -> None:
    expr = "rate(nv_inference_count[1m])"
    board = dashboard(expr)
    assert lint_dashboard(board, "test.json", scrape_interval=15) == []
    [finding] = lint_dashboard(board, "test.json", scrape_interval=30)
    assert "at a 30s scrape interval" in finding.message and "at least [2m]" in finding.message

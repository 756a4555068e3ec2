"""Grafana's query-time rules as triton_dashboards.inspect emulates them, and the benchmark
planning its requests with that one emulation (bench/grafana_refresh.py imports it)."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Mapping, Sequence
from typing import Any

import promql_parser as pp
import pytest
from _support import ROOT

from triton_dashboards.inspect import QueryContext, Variables

DAY = 86400.0


class Labels:
    """Label values without a server: from ``values``, else ``<label>-b``, ``<label>-a`` (as
    Prometheus would list two), recording what each lookup asked."""

    def __init__(self, values: Mapping[str, list[str]] | None = None) -> None:
        self.values = values or {}
        self.asked: list[tuple[str, tuple[str, ...]]] = []

    def label_values(
        self,
        label: str,
        match: Sequence[str] = (),
        start: float | None = None,
        end: float | None = None,
    ) -> list[str]:
        self.asked.append((label, tuple(match)))
        return list(self.values.get(label, [f"{label}-b", f"{label}-a"]))


def test_interval_factor_multiplies_the_step_not_the_rate_interval() -> None:
    plain = QueryContext(start=0, end=DAY, scrape_interval=15)
    halved = plain.for_panel({}, {"intervalFactor": 2})
    assert plain.step == 60 and halved.step == 120
    assert halved.rate_interval == plain.rate_interval == 75


def test_the_benchmark_plans_requests_with_the_tests_emulation() -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import grafana_refresh as gr
    finally:
        sys.path.remove(str(ROOT / "bench"))
    assert gr.gv.QueryContext is QueryContext
    board = json.loads((ROOT / "dashboards" / "triton-overview.json").read_text(encoding="utf-8"))
    context = QueryContext(start=0, end=DAY, scrape_interval=15, max_data_points=960)
    variables = Variables(board, Labels(), context, all_values=True)
    panels = gr.panels_of(board)
    plan = gr.requests_for(panels, variables, range_s=DAY, end=DAY, width_px=960, scrape_s=15)
    ranged = [r for r in plan if r.path.endswith("query_range")]
    assert ranged
    for r in ranged:  # the width's points, or fewer where the panel caps maxDataPoints
        points = min(960, panels[r.panel].max_data_points or 960)
        assert r.step == QueryContext(0, DAY, scrape_interval=15, max_data_points=points).step
    assert all("$" not in r.form["query"] for r in plan), [r.form["query"] for r in plan]
    assert any('=~"(model-a|model-b)"' in r.form["query"] for r in plan)


@pytest.mark.parametrize("bad", ["5 minutes", "1m5"])
def test_a_bad_min_interval_is_one_line_for_the_benchmark(bad: str) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import grafana_refresh as gr
    finally:
        sys.path.remove(str(ROOT / "bench"))
    target = gr.Target("A", "up", instant=False, ranged=True, min_step="", interval_factor=1)
    panel = gr.Panel("p", "timeseries", 12, bad, None, (target,))
    variables = Variables({}, Labels(), QueryContext(start=0, end=DAY))
    with pytest.raises(gr.RefreshError, match="write it like 15s"):
        gr.requests_for([panel], variables, range_s=DAY, end=DAY, width_px=960, scrape_s=15)


# --- the Grafana emulation itself (no Prometheus) ---------------------------------------


def _variable(name: str, query: str, **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "type": "query",
        "query": {"qryType": 1, "query": query},
        "multi": True,
        "includeAll": True,
        "allValue": ".*",
        "current": {"value": ["$__all"]},
        **extra,
    }


_CHAIN = {
    "templating": {
        "list": [
            {"name": "datasource", "type": "datasource", "query": "prometheus"},
            _variable("namespace", "label_values(nv_inference_request_success, namespace)"),
            _variable(
                "model",
                'label_values(nv_inference_request_success{namespace=~"$namespace"}, model)',
            ),
        ]
    }
}
_HOUR = QueryContext(start=0, end=3600, scrape_interval=15)


def _matcher_regex(expr: str, label: str) -> str:
    """The regex Prometheus applies for ``label=~`` in ``expr`` (string escapes undone)."""
    selector = pp.parse(expr)
    assert isinstance(selector, pp.VectorSelector), expr
    [matcher] = [m for m in selector.matchers.matchers if m.name == label]
    return str(matcher.value)


def test_all_expands_to_a_regex_of_the_chained_values() -> None:
    source = Labels({"namespace": ["triton", "a.b"], "model": ["ner", "ner_pipeline"]})
    variables = Variables(_CHAIN, source, _HOUR, all_values=True)
    # the model query was sent with the namespace values already interpolated
    regex = _matcher_regex(source.asked[1][1][0], "namespace")
    assert re.fullmatch(regex, "a.b") and re.fullmatch(regex, "triton")
    assert not re.fullmatch(regex, "aXb")
    model = _matcher_regex(variables.interpolate('x{model=~"$model"}'), "model")
    assert [m for m in ("ner", "ner_pipeline", "ner2") if re.fullmatch(model, m)] == [
        "ner",
        "ner_pipeline",
    ]


def test_custom_all_value_is_inserted_verbatim_as_grafana_does() -> None:
    variables = Variables(_CHAIN, Labels({"namespace": ["a.b"], "model": ["m"]}), _HOUR)
    assert variables.interpolate('x{namespace=~"$namespace"}') == 'x{namespace=~".*"}'
    assert variables.interpolate('x{model=~"${model:regex}"}') == 'x{model=~".*"}'


def test_one_selected_value_is_escaped_without_a_group() -> None:
    source = Labels({"namespace": ["triton"], "model": ["v1.2"]})
    variables = Variables(_CHAIN, source, _HOUR, selected={"model": ["v1.2"]})
    expr = variables.interpolate('x{model=~"$model"}')
    assert re.fullmatch(_matcher_regex(expr, "model"), "v1.2")
    assert not re.fullmatch(_matcher_regex(expr, "model"), "v1x2")
    assert variables.value("model", "regex") == r"v1\.2"
    assert variables.interpolate("$datasource") == "prometheus"


@pytest.mark.parametrize(
    ("start", "end", "scrape", "interval", "rate_interval"),
    [
        # 1 h over 1000 points: 3.6 s, rounded to 2 s, raised to the 15 s scrape interval;
        # rate interval max(15 + 15, 4 × 15) = 60 s.
        (0, 3600, 15, "15s", "1m0s"),
        # 7 d over 1000 points: 604.8 s, rounded to 10 m; max(600 + 15, 60) = 615 s.
        (0, 7 * 86400, 15, "10m", "10m15s"),
        # This module: 6 s at a 1 s scrape interval: max(1 + 1, 4 × 1) = 4 s.
        (100, 106, 1, "1s", "4s"),
    ],
)
def test_builtin_intervals_follow_grafana(
    start: float, end: float, scrape: float, interval: str, rate_interval: str
) -> None:
    """``$__interval``, ``$__rate_interval`` and ``$__range`` as Grafana's backend writes them."""
    context = QueryContext(start=start, end=end, scrape_interval=scrape)
    variables = Variables({}, Labels({}), context)
    expr = "rate(x[$__rate_interval]) + increase(x[$__range]) + avg_over_time(x[$__interval])"
    assert variables.interpolate(expr) == (
        f"rate(x[{rate_interval}]) + increase(x[{end - start:g}s]) + avg_over_time(x[{interval}])"
    )
    pp.parse(variables.interpolate(expr))  # and the result is PromQL


class _Results(Labels):
    """Labels plus an instant query answer and the label names, for the other query kinds."""

    def labels(
        self, match: Sequence[str] = (), start: float | None = None, end: float | None = None
    ) -> list[str]:
        return ["job", "model"]

    def query(self, expr: str, time: float | None = None) -> list[dict[str, Any]]:
        self.asked.append(("query", (expr, str(time))))
        return [
            {"metric": {"__name__": "up", "job": "triton"}, "value": [1.5, "1"]},
            {"metric": {"__name__": "up", "job": "node"}, "value": [1.5, "0"]},
        ]


def test_query_result_runs_at_the_range_end_and_the_regex_picks_the_value() -> None:
    board = {
        "templating": {
            "list": [
                {
                    "name": "job",
                    "type": "query",
                    "query": {"query": "query_result(up == 1)"},
                    "regex": '/job="([^"]+)"/',
                    "current": {"value": "triton"},
                },
                {"name": "names", "type": "query", "query": "label_names()", "current": {}},
                {"name": "m", "type": "query", "query": "metrics(^nv_.*)", "current": {}},
            ]
        }
    }
    source = _Results({"__name__": ["nv_a", "up", "nv_b"]})
    variables = Variables(board, source, _HOUR)
    assert ("query", ("up == 1", "3600")) in source.asked
    assert variables.options["job"] == ["triton", "node"]
    assert variables.options["names"] == ["job", "model"]
    assert variables.options["m"] == ["nv_a", "nv_b"]
    # no saved value: the first option, as Grafana selects it
    assert variables.interpolate("$names $m") == "job nv_a"


def test_custom_constant_textbox_and_interval_variables() -> None:
    board = {
        "templating": {
            "list": [
                {"name": "k", "type": "custom", "query": "five : 5,ten : 10", "current": {}},
                {"name": "c", "type": "constant", "query": "triton"},
                {"name": "t", "type": "textbox", "query": "ner", "current": {"value": "x"}},
                {
                    "name": "w",
                    "type": "interval",
                    "query": "1m,10m",
                    "auto": True,
                    "auto_count": 30,
                    "auto_min": "10s",
                    "current": {"value": "$__auto_interval_w"},
                },
            ]
        }
    }
    variables = Variables(board, Labels(), _HOUR)
    assert variables.options["k"] == ["5", "10"]
    # 1 h / 30 = 120 s, a round interval already
    assert variables.interpolate("$k $c $t rate(x[$w])") == "5 triton x rate(x[120s])"

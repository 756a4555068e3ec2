"""Grafana's query-time rules as tests/grafana_variables.py emulates them, and the benchmark
planning its requests with that one emulation (bench/grafana_refresh.py imports it)."""

from __future__ import annotations

import json
import sys

import pytest
from _shared import ROOT
from grafana_variables import QueryContext, Variables

DAY = 86400.0


class Labels:
    """Label values as Prometheus would list them, for variables without a server."""

    def label_values(self, label: str, *_: object) -> list[str]:
        return [f"{label}-b", f"{label}-a"]


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

"""The overview at fleet size: instant headlines, top $k, links to the model, honest titles.

What the panels compute is checked on a real Prometheus in tests/test_e2e.py; these
pin the shape that keeps a refresh cheap and the headlines unambiguous.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from triton_dashboards.dashboard.render import to_json
from triton_dashboards.dashboard.stock import model_detail, overview
from triton_dashboards.dashboard.stock.interval import MAX_POINTS
from triton_dashboards.query.fleet import Ensemble, clients, steps_of
from triton_dashboards.query.recording import Recording
from triton_dashboards.query.scope import Scope

NER = (Ensemble("ner_pipeline", ("ner_preprocess", "ner", "ner_postprocess")),)
VARIANTS = {"raw": overview(), "recorded": overview(recording_rules=True)}
#: Group labels that would draw a line per model (or per GPU or host).
_PER_SERIES = re.compile(r"\bby \([^)]*\b(model|gpu_uuid|instance)\b")


def _panels(model: dict[str, Any]) -> list[dict[str, Any]]:
    return [p for panel in model["panels"] for p in (panel, *panel.get("panels", []))]


def _data_panels(name: str) -> list[dict[str, Any]]:
    return [p for p in _panels(to_json(VARIANTS[name])) if p["type"] != "row"]


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_no_overview_time_series_draws_a_line_per_model(name: str) -> None:
    for panel in _data_panels(name):
        if panel["type"] != "timeseries":
            continue
        for target in panel["targets"]:
            assert not _PER_SERIES.search(target["expr"]), (panel["title"], target["expr"])


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_every_overview_panel_but_the_time_series_is_an_instant_query(name: str) -> None:
    for panel in _data_panels(name):
        if panel["type"] == "timeseries":
            continue
        for target in panel["targets"]:
            assert (target["instant"], target["range"]) == (True, False), panel["title"]


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_per_model_panels_list_the_top_k_and_link_to_the_model(name: str) -> None:
    """Every panel grouped by model is a topk($k) bar gauge or the models table, and a
    click opens the model dashboard of the same variant on that model and time range."""
    model_uid = "triton-model" + ("-rec" if name == "recorded" else "")
    per_model = [
        p for p in _data_panels(name) if any("model" in t["expr"] for t in p["targets"])
        and any(re.search(r"\bby \([^)]*\bmodel\b", t["expr"]) for t in p["targets"])
    ]  # fmt: skip
    titles = sorted(p["title"] for p in per_model)
    assert titles == sorted(
        ["Models"]
        + [
            f"Top $k models by {what}"
            for what in (
                "requests per second",
                "failure ratio",
                "average request time",
                "average queue time",
            )
        ]
    )
    for panel in per_model:
        if panel["type"] == "bargauge":
            assert all(t["expr"].startswith("topk($k, ") for t in panel["targets"])
        [link] = panel["fieldConfig"]["defaults"]["links"]
        assert link["url"].startswith(f"/d/{model_uid}?${{__url_time_range}}&")
        assert "var-model=${__field.labels.model}" in link["url"]
        assert "${namespace:queryparam}" in link["url"]
        assert "instance" not in link["url"]  # the overview has no Instance variable


@pytest.mark.parametrize(
    "dashboard",
    [
        overview(),
        overview(recording_rules=True),
        model_detail(),
        model_detail(recording_rules=True),
    ],
    ids=["overview", "overview-recorded", "model", "model-recorded"],
)
def test_time_series_ask_for_at_most_300_points(dashboard: Any) -> None:
    """A point per minute over 24 h reads every raw sample four times; 300 read it once."""
    for panel in _panels(to_json(dashboard)):
        expected = MAX_POINTS if panel["type"] == "timeseries" else None
        assert panel.get("maxDataPoints") == expected, panel["title"]


def test_k_is_a_variable_defaulting_to_ten() -> None:
    variables = {v["name"]: v for v in to_json(overview())["templating"]["list"]}
    k = variables["k"]
    assert k["type"] == "custom"
    assert k["current"]["value"] == "10"
    assert "10" in k["query"].split(",")


def test_recorded_top_k_reads_recorded_series() -> None:
    for panel in _data_panels("recorded"):
        for target in panel["targets"]:
            if target["expr"].startswith("topk("):
                assert "rate(nv_" not in target["expr"], target["expr"]
                assert ":rate" in target["expr"], target["expr"]


def test_min_interval_is_the_rules_evaluation_interval_on_recorded_series_only() -> None:
    assert {p.get("interval") for p in _data_panels("raw")} == {None}
    assert {p.get("interval") for p in _data_panels("recorded")} == {"1m"}
    every = to_json(overview(recording_rules=Recording(interval="30s")))
    assert {p.get("interval") for p in _panels(every) if p["type"] != "row"} == {"30s"}
    detail = to_json(model_detail(recording_rules=True))
    assert {p.get("interval") for p in _panels(detail) if p["type"] != "row"} == {"1m"}


def _headlines(dashboard: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["title"]: p for p in _panels(dashboard) if p["type"] != "row"}


#: Every fleet-wide request or latency number of the overview, after its prefix.
_COUNTED = (
    "requests per second",
    "failure ratio",
    "average request time",
    "requests per second over time",
    "average request time over time",
    "first responses within each bound",
    "mean time to first response now",
)


def test_headlines_say_they_count_every_model_and_step_when_no_step_is_declared() -> None:
    panels = _headlines(to_json(overview()))
    for what in _COUNTED:
        panel = panels[f"Every model and step: {what}"]
        assert "ensembles and their steps each counted" in panel["description"]
    assert not any(title.startswith("Client") for title in panels)


def test_headlines_count_client_requests_where_the_steps_are_declared() -> None:
    panels = _headlines(to_json(overview(ensembles=NER)))
    for what in _COUNTED:
        panel = panels[f"Client {what}"]
        assert "steps (ner_preprocess, ner, ner_postprocess) are left out" in panel["description"]
        for target in panel["targets"]:
            assert 'model!~"ner_preprocess|ner|ner_postprocess"' in target["expr"]


def test_clients_leaves_out_each_step_once_and_escapes_names() -> None:
    ensembles = (Ensemble("a", ("s.1", "s2")), Ensemble("b", ("s2", "s3")))
    assert steps_of(ensembles) == ("s.1", "s2", "s3")
    scope = clients(Scope(namespace="t"), ensembles)
    assert [str(m) for m in scope.target] == ['namespace="t"', r'model!~"s\\.1|s2|s3"']
    assert clients(Scope(namespace="t"), ()) == Scope(namespace="t")


def test_an_ensemble_needs_steps_and_is_not_its_own_step() -> None:
    with pytest.raises(ValueError, match="at least one step"):
        Ensemble("a", ())
    with pytest.raises(ValueError, match="own steps"):
        Ensemble("a", ("a", "b"))


@pytest.mark.parametrize("recorded", [False, True], ids=["raw", "recorded"])
def test_model_dashboard_stats_are_instant_queries(recorded: bool) -> None:
    """A stat shows one number: asking for a range only to draw a sparkline costs a range."""
    for panel in _panels(to_json(model_detail(recording_rules=recorded))):
        if panel["type"] == "stat":
            for target in panel["targets"]:
                assert (target["instant"], target["range"]) == (True, False), panel["title"]

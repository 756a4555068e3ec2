"""Rendered JSON is what current Grafana stores: schema-valid, stable, without legacy keys."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from _support import ROOT, TESTDATA
from grafanalib import core as g

from triton_dashboards import Dashboard, Row, Scope, catalog, panels, queries
from triton_dashboards.dashboard.render import SCHEMA_VERSION, render, to_json
from triton_dashboards.dashboard.stock import gpu_and_host, model_detail, overview
from triton_dashboards.dashboard.stock.interval import MAX_POINTS
from triton_dashboards.panels import Query, series_override
from triton_dashboards.promql import Selector

DASHBOARD_JSON = sorted((ROOT / "dashboards").glob("*.json"))

# Where grafana-foundation-sdk's JSON schema is stricter than Grafana itself. Each entry is
# (path pattern, reason); any other schema error fails the test.
TOLERATED = [
    (
        r"templating/list/\d+/query",
        "Prometheus query variables store {qryType, query, refId}: Grafana 11/12 write that "
        "object (as dashboards saved from Grafana's UI show), the CUE `query?: _` was generated as "
        "'object of objects'",
    ),
    (
        r"panels/\d+(/panels/\d+)?/fieldConfig/overrides/\d+/matcher/options",
        "matcher options are `_` (any) in Grafana's CUE; byName/byRegexp take a string",
    ),
    (
        r"panels/\d+(/panels/\d+)?/fieldConfig/overrides/\d+/properties/\d+/value",
        "override values are `_` (any) in Grafana's CUE; a unit override is a string",
    ),
]


def _schema(name: str, ref: str | None = None) -> dict[str, Any]:
    schema = json.loads((TESTDATA / "grafana-schema" / name).read_text(encoding="utf-8"))
    if ref is not None:
        schema = {**schema, "$ref": f"#/definitions/{ref}"}
    return schema


def _leaf_errors(error: jsonschema.ValidationError) -> list[jsonschema.ValidationError]:
    """oneOf errors (Panel or RowPanel) hide the real cause in their context."""
    if not error.context:
        return [error]
    branches: dict[int, list[jsonschema.ValidationError]] = {}
    for sub in error.context:
        branches.setdefault(sub.relative_schema_path[0], []).extend(_leaf_errors(sub))
    # Drop the branch whose `type` const the instance does not have (a panel is no row).
    plausible = [
        errors
        for errors in branches.values()
        if not any(e.validator == "const" and list(e.path)[-1:] == ["type"] for e in errors)
    ]
    return min(plausible or list(branches.values()), key=len)


def _untolerated(validator: jsonschema.Draft7Validator, doc: Any) -> list[str]:
    problems = []
    for error in validator.iter_errors(doc):
        for leaf in _leaf_errors(error):
            path = "/".join(str(p) for p in leaf.absolute_path)
            if not any(re.fullmatch(pattern, path) for pattern, _ in TOLERATED):
                problems.append(f"{path}: {leaf.message[:160]}")
    return problems


def _all_panels(model: dict[str, Any]) -> list[dict[str, Any]]:
    return [p for panel in model["panels"] for p in (panel, *panel.get("panels", []))]


def test_committed_dashboards_exist() -> None:
    names = {p.name for p in DASHBOARD_JSON}
    assert {
        "triton-overview.json",
        "triton-model.json",
        "triton-gpu-host.json",
        "ner.json",
    } <= names


@pytest.mark.parametrize("path", DASHBOARD_JSON, ids=lambda p: p.name)
def test_committed_dashboard_validates_against_grafana_schema(path: Path) -> None:
    validator = jsonschema.Draft7Validator(_schema("dashboard.jsonschema.json"))
    model = json.loads(path.read_text(encoding="utf-8"))
    assert _untolerated(validator, model) == []


@pytest.mark.parametrize("path", DASHBOARD_JSON, ids=lambda p: p.name)
def test_panel_options_validate_against_panel_schemas(path: Path) -> None:
    model = json.loads(path.read_text(encoding="utf-8"))
    problems = []
    checked = 0
    for panel in _all_panels(model):
        kind = panel["type"]
        if kind == "row":
            continue
        file = TESTDATA / "grafana-schema" / f"{kind}.jsonschema.json"
        assert file.exists(), f"no panel schema for type {kind!r}"
        options = jsonschema.Draft7Validator(_schema(file.name, "Options"))
        problems += [
            f"{panel['title']}: options: {e}" for e in _untolerated(options, panel["options"])
        ]
        if "FieldConfig" in _schema(file.name)["definitions"]:
            custom = panel["fieldConfig"]["defaults"].get("custom", {})
            field = jsonschema.Draft7Validator(_schema(file.name, "FieldConfig"))
            problems += [f"{panel['title']}: custom: {e}" for e in _untolerated(field, custom)]
        for target in panel.get("targets", []):
            query = jsonschema.Draft7Validator(_schema("prometheus.jsonschema.json"))
            problems += [f"{panel['title']}: target: {e}" for e in _untolerated(query, target)]
        checked += 1
    assert checked > 0
    assert problems == []


def test_tolerated_differences_are_still_needed() -> None:
    """Each tolerated path must occur in some committed dashboard, or it goes from the list."""
    validator = jsonschema.Draft7Validator(_schema("dashboard.jsonschema.json"))
    seen = set()
    for path in DASHBOARD_JSON:
        for error in validator.iter_errors(json.loads(path.read_text(encoding="utf-8"))):
            for leaf in _leaf_errors(error):
                where = "/".join(str(p) for p in leaf.absolute_path)
                seen |= {pattern for pattern, _ in TOLERATED if re.fullmatch(pattern, where)}
    assert seen == {pattern for pattern, _ in TOLERATED}


@pytest.mark.parametrize("path", DASHBOARD_JSON, ids=lambda p: p.name)
def test_units_are_grafana_unit_ids(path: Path) -> None:
    known = {
        d["const"] for d in _schema("units.jsonschema.json")["definitions"].values() if "const" in d
    }
    model = json.loads(path.read_text(encoding="utf-8"))
    units = set()
    for panel in _all_panels(model):
        defaults = panel.get("fieldConfig", {}).get("defaults", {})
        units.add(defaults.get("unit"))
        for override in panel.get("fieldConfig", {}).get("overrides", []):
            units |= {p["value"] for p in override["properties"] if p["id"] == "unit"}
        units.add(panel.get("options", {}).get("yAxis", {}).get("unit"))
    units.discard(None)
    assert units and units <= known, units - known


def test_microseconds_is_micro_sign() -> None:
    text = (ROOT / "dashboards" / "triton-overview.json").read_text(encoding="utf-8")
    assert '"unit": "\u00b5s"' in text
    assert "\u03bcs" not in text  # GREEK SMALL LETTER MU is not Grafana's unit id


def test_no_legacy_keys_and_pinned_schema_version() -> None:
    for path in DASHBOARD_JSON:
        model = json.loads(path.read_text(encoding="utf-8"))
        assert model["schemaVersion"] == SCHEMA_VERSION == 42
        for key in ("style", "rows", "hideControls", "sharedCrosshair", "gnetId", "__inputs"):
            assert key not in model, (path.name, key)
        for panel in _all_panels(model):
            # grafanalib's 100 is gone; a stock time series asks for its own cap on purpose
            assert panel.get("maxDataPoints") in (None, MAX_POINTS), (path.name, panel["title"])
            for key in ("span", "height", "error", "minSpan", "cacheTimeout"):
                assert key not in panel, (path.name, panel["title"], key)
            for target in panel.get("targets", []):
                assert target["datasource"] == {"type": "prometheus", "uid": "${datasource}"}
                assert set(target) >= {"refId", "expr", "legendFormat", "range", "instant"}
                assert not {"query", "target", "step", "metric", "intervalFactor"} & set(target)
            if panel["type"] != "row" and panel["type"] != "text":
                assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}
            steps = panel.get("fieldConfig", {}).get("defaults", {}).get("thresholds", {})
            if steps:
                assert steps["steps"][0]["value"] is None  # JSON null, not the string "null"


def test_uids_fit_grafana_rules_and_are_unique() -> None:
    uids = [json.loads(p.read_text(encoding="utf-8"))["uid"] for p in DASHBOARD_JSON]
    assert len(set(uids)) == len(uids)
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{1,40}", uid) for uid in uids)


def test_panel_ids_unique_and_grid_valid() -> None:
    for path in DASHBOARD_JSON:
        model = json.loads(path.read_text(encoding="utf-8"))
        ids = [p["id"] for p in _all_panels(model)]
        assert len(ids) == len(set(ids)), path.name
        for p in _all_panels(model):
            pos = p["gridPos"]
            assert pos["x"] >= 0 and pos["x"] + pos["w"] <= 24 and pos["h"] > 0, (path.name, p)


def test_render_is_byte_identical_across_processes() -> None:
    """Same code, same bytes: rendered in a fresh interpreter with another hash seed."""
    script = (
        "import sys; from triton_dashboards.dashboard.stock import overview;"
        "from triton_dashboards.dashboard.render import render;"
        "sys.stdout.write(render(overview()))"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONHASHSEED": seed, "PATH": ""},
            timeout=60,
        ).stdout
        for seed in ("1", "2")
    }
    assert len(outputs) == 1
    assert outputs == {render(overview())}


def test_keys_sorted_utf8_and_final_newline() -> None:
    text = render(model_detail())
    assert text.endswith("}\n")
    model = json.loads(text)
    assert text == json.dumps(model, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def test_datasource_variable_added_when_missing() -> None:
    model = to_json(Dashboard(title="t", uid="t", rows=[Row("r", [panels.request_rate(Scope())])]))
    variables = model["templating"]["list"]
    assert variables[0]["type"] == "datasource"
    assert variables[0]["name"] == "datasource"
    assert variables[0]["query"] == "prometheus"


def test_all_variables_are_regex_matched_and_default_to_all() -> None:
    model = to_json(gpu_and_host())
    for variable in model["templating"]["list"][1:]:
        assert variable["multi"] and variable["includeAll"] and variable["allValue"] == ".*"
        assert variable["current"] == {"text": ["All"], "value": ["$__all"]}
        assert variable["definition"].startswith("label_values(")


def test_plain_grafanalib_dashboard_is_modernised() -> None:
    """A grafanalib dashboard (legacy thresholds, gauge options) comes out current too."""
    legacy = g.Dashboard(
        title="legacy",
        uid="legacy",
        panels=[
            g.GaugePanel(
                title="gauge",
                dataSource="prom-uid",
                targets=[g.Target(expr="up", refId="A")],
                gridPos=g.GridPos(h=4, w=6, x=0, y=0),
                thresholds=[g.Threshold("green", 0, 0.0), g.Threshold("red", 1, 80.0)],
            )
        ],
    )
    model = to_json(legacy)
    gauge = model["panels"][0]
    assert gauge["id"] == 1
    assert gauge["datasource"] == {"type": "prometheus", "uid": "prom-uid"}
    assert "maxDataPoints" not in gauge
    steps = gauge["fieldConfig"]["defaults"]["thresholds"]["steps"]
    assert steps == [{"color": "green", "value": None}, {"color": "red", "value": 80.0}]
    assert set(gauge["fieldConfig"]["defaults"]) <= {
        "unit",
        "min",
        "max",
        "decimals",
        "mappings",
        "thresholds",
        "links",
        "color",
        "custom",
    }
    assert model["schemaVersion"] == SCHEMA_VERSION
    assert "style" not in model and "rows" not in model


def test_golden_ner_dashboard() -> None:
    """The reference deployment's dashboard, pinned: its JSON and its key queries."""
    model = json.loads((ROOT / "dashboards" / "ner.json").read_text(encoding="utf-8"))
    assert model["uid"] == "triton-ner" and model["title"] == "NER pipeline"
    first_row = model["panels"][0]
    assert first_row["type"] == "row" and first_row["collapsed"] is False
    ratio = model["panels"][1]
    assert ratio["title"] == "ner_pipeline: failure ratio"
    assert ratio["type"] == "stat" and ratio["options"]["colorMode"] == "background"
    assert ratio["fieldConfig"]["defaults"]["thresholds"]["steps"][-1] == {
        "color": "red",
        "value": 0.5,
    }
    rpm = next(p for p in _all_panels(model) if p["title"] == "ner_pipeline: requests per minute")
    assert rpm["fieldConfig"]["defaults"]["unit"] == "reqpm"
    assert [t["expr"] for t in rpm["targets"]] == [
        '60 * sum by (model, version) (rate(nv_inference_request_success{namespace="triton", '
        'model="ner_pipeline"}[$__rate_interval]))',
        '60 * sum by (model, version) (rate(nv_inference_request_failure{namespace="triton", '
        'model="ner_pipeline"}[$__rate_interval]))',
    ]
    gpu_row = next(p for p in model["panels"] if p["type"] == "row" and p["title"] == "GPU")
    assert gpu_row["collapsed"] is True and len(gpu_row["panels"]) == 2
    # Golden: the committed file is exactly what the dashboard file renders today.
    import runpy

    dashboard = runpy.run_path(str(ROOT / "dashboards" / "ner.dashboard.py"))["dashboard"]
    assert render(dashboard) == (ROOT / "dashboards" / "ner.json").read_text(encoding="utf-8")


def test_stock_dashboards_cover_what_the_issue_asks() -> None:
    titles = {
        d.uid: [p["title"] for p in _all_panels(to_json(d))]
        for d in (overview(), model_detail(), gpu_and_host())
    }
    over = " | ".join(titles["triton-overview"]).lower()
    for word in (
        "requests per second",
        "failure ratio",
        "average request time",
        "failures by reason",
        "pending requests",
        "gpu utilization",
        "top $k models by requests per second",
        "top $k models by failure ratio",
        "top $k models by average request time",
        "top $k models by average queue time",
        "models",
        "first responses within each bound",
        "mean time to first response",
        "gpus",
        "hosts",
    ):
        assert word in over, word
    detail = " | ".join(titles["triton-model"]).lower()
    for word in (
        "requests per second",
        "time per request by phase",
        "average queue time",
        "average requests queued",
        "batch size",
        "inferences and executions per second",
        "cache hit ratio",
        "first responses within each bound",
        "mean time to first response",
        "time to first response",
        "quantiles per instance",
        "model load time",
    ):
        assert word in detail, word
    links = {
        d.uid: [link["url"] for link in to_json(d)["links"]]
        for d in (overview(), model_detail(), gpu_and_host())
    }
    assert links["triton-overview"] == ["/d/triton-model", "/d/triton-gpu-host", "/d/triton-llm"]
    assert links["triton-gpu-host"] == ["/d/triton-overview", "/d/triton-model", "/d/triton-llm"]


# -- tables: a column's title and unit travel with its query ------------------------------------


def _table_json(panel: g.Panel) -> dict[str, Any]:
    model = json.loads(render(Dashboard(title="t", uid="t", panels=[panel])))
    (table,) = model["panels"]
    return table  # type: ignore[no-any-return]


def _column_units(table: dict[str, Any]) -> dict[str, str]:
    """Column title -> unit, joined through the refId the table renames."""
    renames = table["transformations"][1]["options"]["renameByName"]
    units = {
        o["matcher"]["options"]: o["properties"][0]["value"]
        for o in table["fieldConfig"]["overrides"]
    }
    refs = {t["refId"]: t["expr"] for t in table["targets"]}
    return {refs[key.removeprefix("Value #")]: units[name] for key, name in renames.items()}


def test_table_columns_keep_their_units_when_queries_are_reordered() -> None:
    rate = panels.Query("sum(rate(nv_inference_count[5m]))", column="rate", unit="reqps")
    time = panels.Query("sum(rate(nv_inference_request_duration_us[5m]))", column="time", unit="µs")
    forward = _column_units(_table_json(panels.table("T", [rate, time])))
    backward = _column_units(_table_json(panels.table("T", [time, rate])))
    assert forward == backward == {str(rate.expr): "reqps", str(time.expr): "µs"}


def test_table_column_that_names_no_query_is_an_error() -> None:
    with pytest.raises(ValueError, match="table column 'C' names no query"):
        panels.table("T", ["up", "up"], columns={"A": ("a", "short"), "C": ("c", "µs")})


def test_table_column_given_twice_is_an_error() -> None:
    with pytest.raises(ValueError, match="given twice"):
        panels.table("T", [panels.Query("up", column="a")], columns={"A": ("a", "short")})


def test_a_unit_without_a_column_is_an_error() -> None:
    with pytest.raises(ValueError, match="needs a column title"):
        panels.Query("up", unit="µs")


# -- units: a panel of a family's own quantity takes the catalog's unit -------------------------


def _unit(panel: g.Panel) -> str:
    return _table_json(panel)["fieldConfig"]["defaults"]["unit"]  # type: ignore[no-any-return]


def test_stock_panels_take_the_unit_of_the_family_they_plot() -> None:
    scope = Scope(namespace="triton")
    for phase in catalog.Phase:
        assert _unit(panels.latency(scope, phase)) == phase.duration.unit
        assert _unit(panels.summary_percentiles(scope, phase)) == phase.summary.unit
    expected = {
        panels.first_response_percentiles: catalog.FIRST_RESPONSE_HISTOGRAM,
        panels.pending_requests: catalog.PENDING_REQUESTS,
        panels.model_load_time: catalog.MODEL_LOAD_DURATION,
        panels.gpu_utilization: catalog.GPU_UTILIZATION,
        panels.gpu_power: catalog.GPU_POWER_USAGE,
        panels.cpu_utilization: catalog.CPU_UTILIZATION,
        panels.pinned_memory: catalog.PINNED_MEMORY_USED,
    }
    for panel, family in expected.items():
        assert _unit(panel(scope)) == family.unit, panel.__name__
    table = _column_units(_table_json(panels.models_table(scope)))
    latency = str(queries.avg_latency(scope, catalog.Phase.REQUEST))
    assert table[latency] == catalog.Phase.REQUEST.duration.unit


def test_families_of_different_units_cannot_share_a_panel() -> None:
    from triton_dashboards.dashboard.panels.scoped import unit_of

    assert unit_of(catalog.GPU_POWER_USAGE, catalog.GPU_POWER_LIMIT) == "watt"
    with pytest.raises(ValueError, match="do not share a unit"):
        unit_of(catalog.GPU_POWER_USAGE, catalog.REQUEST_DURATION)


def test_an_override_hidden_from_the_visualization_is_hidden_from_the_tooltip_too() -> None:
    """schemaVersion 42's one migration (Grafana 12.3+ and 13): a field hidden from the
    visualization is hidden from the tooltip too. We render 42, so we must render what that
    migration would have made, or Grafana 13 stores something other than what we sent."""
    hidden = {"legend": True, "tooltip": False, "viz": True}
    override = {
        "matcher": {"id": "byName", "options": "capacity"},
        "properties": [{"id": "custom.hideFrom", "value": hidden}],
    }
    shown = {**override, "properties": [{"id": "custom.hideFrom", "value": {"viz": False}}]}
    panel = panels.timeseries(
        "p",
        [Query(Selector("up"), "x")],
        unit=panels.Unit.COUNT,
        overrides=[override, shown, series_override("a", "red")],
    )
    model = json.loads(render(Dashboard(title="t", uid="t", rows=[Row("r", [panel])])))
    (drawn,) = [p for p in _all_panels(model) if p["type"] == "timeseries"]
    rendered = drawn["fieldConfig"]["overrides"]
    assert rendered[0]["properties"][0]["value"] == {"legend": True, "tooltip": True, "viz": True}
    assert rendered[1] == shown
    assert rendered[2] == series_override("a", "red").to_json()
    assert hidden["tooltip"] is False  # the caller's override is not changed in place

"""Schema v2: every dashboard as the dashboard.grafana.app/v2 resource, valid against
Grafana's v2 schema, with the same queries as v1 and a layout that uses v2 (auto grids,
conditional rendering); the repository chooses v1 or v2 in pyproject.toml or --schema."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import promql_parser as pp
import pytest
from _support import ROOT

from triton_dashboards import catalog
from triton_dashboards.catalog import Metric
from triton_dashboards.dashboard import project, stock
from triton_dashboards.dashboard.panels.llm import BACKEND_TITLES
from triton_dashboards.dashboard.render import render, to_json
from triton_dashboards.dashboard.schema.v2 import API_VERSION, is_v2
from triton_dashboards.dashboard.schema.v2_view import v1_view

SOURCES = sorted((ROOT / "dashboards").glob("*.dashboard.py"))
CLI = [sys.executable, "-m", "triton_dashboards"]
# Where grafana-foundation-sdk's v2 schema is stricter than Grafana (as in test_render for
# v1): CUE's `_` (any) for a matcher's options and an override's value came out as
# "object"; byName takes a string and a unit override's value is a string.
TOLERATED = (
    r"elements/panel-\d+/spec/vizConfig/spec/fieldConfig/overrides/\d+/matcher/options",
    r"elements/panel-\d+/spec/vizConfig/spec/fieldConfig/overrides/\d+/properties/\d+/value",
)


#: The same two differences at their v1 places (tests/test_render.py lists them for v1).
V1_TOLERATED = (
    r"panels/\d+/fieldConfig/overrides/\d+/matcher/options",
    r"panels/\d+/fieldConfig/overrides/\d+/properties/\d+/value",
)


def _schema(testdata: Path, name: str, ref: str) -> jsonschema.Draft7Validator:
    schema = json.loads((testdata / "grafana-schema" / name).read_text(encoding="utf-8"))
    return jsonschema.Draft7Validator({**schema, "$ref": f"#/definitions/{ref}"})


def _leaves(error: jsonschema.ValidationError) -> list[jsonschema.ValidationError]:
    """A oneOf (Panel or LibraryPanel, the layouts, the variables) hides the cause in the
    branch whose ``kind`` matches: drop the branches whose ``kind`` const fails."""
    if not error.context:
        return [error]
    branches: dict[int, list[jsonschema.ValidationError]] = {}
    for sub in error.context:
        branches.setdefault(sub.relative_schema_path[0], []).extend(_leaves(sub))
    plausible = [
        errors
        for errors in branches.values()
        if not any(e.validator == "const" and list(e.path)[-1:] == ["kind"] for e in errors)
    ]
    return min(plausible or list(branches.values()), key=len)


def _problems(
    validator: jsonschema.Draft7Validator, doc: Any, tolerated: tuple[str, ...] = TOLERATED
) -> list[str]:
    out = []
    for error in validator.iter_errors(doc):
        for leaf in _leaves(error):
            path = "/".join(str(p) for p in leaf.absolute_path)
            if not any(re.fullmatch(t, path) for t in tolerated):
                out.append(f"{path}: {leaf.message[:160]}")
    return out


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.name)
def test_v2_output_validates_against_grafanas_v2_schema(testdata: Path, source: Path) -> None:
    resource = to_json(project.load(source), "v2")
    assert resource["apiVersion"] == API_VERSION and resource["kind"] == "Dashboard"
    assert (
        _problems(_schema(testdata, "dashboardv2.jsonschema.json", "Dashboard"), resource["spec"])
        == []
    )


def test_the_tolerated_differences_are_still_needed(testdata: Path) -> None:
    resource = to_json(stock.overview(), "v2")
    validator = _schema(testdata, "dashboardv2.jsonschema.json", "Dashboard")
    paths = {
        "/".join(str(p) for p in leaf.absolute_path)
        for e in validator.iter_errors(resource["spec"])
        for leaf in _leaves(e)
    }
    for pattern in TOLERATED:
        assert any(re.fullmatch(pattern, p) for p in paths), pattern


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.name)
def test_v2_panel_options_validate_against_panel_schemas(testdata: Path, source: Path) -> None:
    resource = to_json(project.load(source), "v2")
    problems = []
    for name, element in resource["spec"]["elements"].items():
        viz = element["spec"]["vizConfig"]
        options = _schema(testdata, f"{viz['group']}.jsonschema.json", "Options")
        problems += [f"{name}: {e.message}" for e in options.iter_errors(viz["spec"]["options"])]
    assert problems == []


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.name)
def test_v1_and_v2_hold_the_same_queries_and_variables(source: Path) -> None:
    model = project.load(source)
    v1, v2 = to_json(model), to_json(model, "v2")
    assert v2["metadata"]["name"] == v1["uid"] and v2["spec"]["title"] == v1["title"]

    def queries(doc: dict[str, Any]) -> set[tuple[Any, ...]]:
        keys = ("refId", "expr", "instant", "range", "format", "legendFormat")
        return {
            (panel["title"], panel["id"], *(t[k] for k in keys), panel.get("interval"))
            for top in doc["panels"]
            for panel in (top, *top.get("panels", []))
            for t in panel.get("targets", [])
        }

    assert queries(v1_view(v2)) == queries(v1) != set()
    variables = [
        (v["name"], v["type"], v.get("query"), v.get("multi"), v.get("includeAll"))
        for v in v1["templating"]["list"]
    ]
    assert [
        (v["name"], v["type"], v.get("query"), v.get("multi"), v.get("includeAll"))
        for v in v1_view(v2)["templating"]["list"]
    ] == variables


def _rows(resource: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["spec"]["title"]: row["spec"] for row in resource["spec"]["layout"]["spec"]["rows"]}


def test_alike_panels_make_an_auto_grid_and_mixed_ones_keep_their_places() -> None:
    rows = _rows(to_json(stock.model_detail(), "v2"))
    queue = rows["Queue and batching"]["layout"]
    assert queue["kind"] == "AutoGridLayout" and queue["spec"]["maxColumnCount"] == 4
    assert len(queue["spec"]["items"]) == 4
    traffic = rows["Traffic"]["layout"]  # four stats over two charts: v1's places
    assert traffic["kind"] == "GridLayout"
    places = [(i["spec"]["x"], i["spec"]["y"], i["spec"]["width"], i["spec"]["height"])
              for i in traffic["spec"]["items"]]  # fmt: skip
    assert places == [(0, 0, 6, 4), (6, 0, 6, 4), (12, 0, 6, 4), (18, 0, 6, 4),
                      (0, 4, 12, 8), (12, 4, 12, 8)]  # fmt: skip
    assert rows["Response cache and loading"]["collapse"] is True


def test_the_llm_backend_rows_show_only_when_their_panels_have_data() -> None:
    rows = _rows(to_json(stock.llm_serving(), "v2"))
    for title in ("vLLM", "TensorRT-LLM"):
        rendering = rows[title]["conditionalRendering"]["spec"]
        assert rendering["visibility"] == "show"
        assert rendering["items"] == [{"kind": "ConditionalRenderingData", "spec": {"value": True}}]
    assert "conditionalRendering" not in rows[stock.llm.FIRST_RESPONSE_ROW]
    v1 = json.loads(render(stock.llm_serving()))
    assert [p["title"] for p in v1["panels"] if p["type"] == "row"] == [
        "vLLM", "TensorRT-LLM", stock.llm.FIRST_RESPONSE_ROW
    ]  # fmt: skip


def _families_read(element: dict[str, Any]) -> set[Metric]:
    """The catalog families an element's queries read (``x_bucket`` -> ``x``)."""
    found: set[Metric] = set()
    for query in element["spec"]["data"]["spec"]["queries"]:
        expr = query["spec"]["query"]["spec"]["expr"]
        tree = pp.parse(re.sub(r"\$__rate_interval", "5m", expr))

        def visit(node: Any) -> None:
            if isinstance(node, pp.VectorSelector):
                family = catalog.family_of(node.name)
                assert family is not None, node.name
                found.add(family)

        pp.walk(tree, visit)
    return found


def test_a_backend_row_reads_only_its_own_backends_families() -> None:
    """Grafana shows a conditionally rendered row while any of its panels has data, so a
    panel on a core family (the first-response histogram, which vLLM's decoupled models
    fill too) would show the TensorRT-LLM row on a vLLM-only server: each backend's row
    reads only the families the catalog gives that backend's plug-in."""
    resource = to_json(stock.llm_serving(), "v2")
    elements = resource["spec"]["elements"]
    plugin_of = {title: plugin for plugin, title in BACKEND_TITLES.items()}
    conditional = 0
    for row in resource["spec"]["layout"]["spec"]["rows"]:
        spec = row["spec"]
        if "conditionalRendering" not in spec:
            continue
        conditional += 1
        names = [i["spec"]["element"]["name"] for i in spec["layout"]["spec"]["items"]]
        plugins = {f.plugin for name in names for f in _families_read(elements[name])}
        assert plugins == {plugin_of[spec["title"]]}, spec["title"]
    assert conditional == 2


def test_the_headline_row_hides_its_header() -> None:
    (headline, *_) = to_json(stock.overview(), "v2")["spec"]["layout"]["spec"]["rows"]
    assert headline["spec"]["hideHeader"] is True and headline["spec"]["title"] == ""
    assert headline["spec"]["layout"]["spec"]["maxColumnCount"] == 6


def test_a_v2_file_is_recognised_by_apiversion_and_kind() -> None:
    assert is_v2(to_json(stock.overview(), "v2"))
    assert not is_v2(to_json(stock.overview()))
    assert not is_v2({"apiVersion": "dashboard.grafana.app/v1", "kind": "Dashboard"})


def _repo(tmp_path: Path, setting: str | None) -> Path:
    (tmp_path / "dashboards").mkdir()
    (tmp_path / "dashboards" / "ner.dashboard.py").write_text(
        (ROOT / "dashboards" / "ner.dashboard.py").read_text(encoding="utf-8"), encoding="utf-8"
    )
    table = "" if setting is None else f"\n[tool.triton-dashboards]\nschema = {setting}\n"
    (tmp_path / "pyproject.toml").write_text(
        f'[project]\nname = "mine"\nversion = "0"\n{table}', encoding="utf-8"
    )
    return tmp_path


def _run(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args], cwd=repo, capture_output=True, text=True, timeout=60, check=False
    )


def test_the_repository_chooses_v2_and_build_check_lint_follow(tmp_path: Path) -> None:
    repo = _repo(tmp_path, '"v2"')
    assert _run(repo, "build").returncode == 0
    written = json.loads((repo / "dashboards" / "ner.json").read_text(encoding="utf-8"))
    assert is_v2(written) and written["metadata"]["name"] == "triton-ner"
    assert _run(repo, "check").returncode == 0
    linted = _run(repo, "lint")
    assert linted.returncode == 0 and "1 dashboard clean" in linted.stdout
    stale = _run(repo, "check", "--schema", "v1")  # the command line overrides the file
    assert stale.returncode == 1
    assert "stale (v2 JSON, the build writes v1): dashboards/ner.json" in stale.stderr


def test_v1_is_the_default_and_a_bad_setting_is_one_line(tmp_path: Path) -> None:
    repo = _repo(tmp_path, None)
    assert _run(repo, "build").returncode == 0
    assert "schemaVersion" in json.loads((repo / "dashboards" / "ner.json").read_text("utf-8"))
    (repo / "pyproject.toml").write_text(
        '[tool.triton-dashboards]\nschema = "v3"\n', encoding="utf-8"
    )
    done = _run(repo, "build")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.strip().endswith("schema = 'v3' is not one of 'v1', 'v2'")
    assert len(done.stderr.strip().splitlines()) == 1


def test_a_configmap_is_made_of_v1_and_a_v2_file_is_refused_in_one_line(tmp_path: Path) -> None:
    from triton_dashboards.prometheus.configmap import ConfigMapError, configmap

    path = tmp_path / "triton-overview.json"
    path.write_text(render(stock.overview(), "v2"), encoding="utf-8")
    with pytest.raises(ConfigMapError, match=r"schema v2 Dashboard resource.*--schema v1") as e:
        configmap(path)
    assert "\n" not in str(e.value)
    path.write_text(render(stock.overview()), encoding="utf-8")
    assert configmap(path)["metadata"]["name"] == "grafana-dashboard-triton-overview"


def _every_visualization() -> Any:
    from triton_dashboards import Dashboard, Row, panels

    kinds = [
        panels.timeseries("ts", ["up"], unit="short"),
        panels.stat("st", ["up"], unit="short"),
        panels.gauge("ga", ["up"], unit="percentunit"),
        panels.bar_gauge("bg", ["up"], unit="short"),
        panels.table("ta", [panels.Query("up", column="up", unit="short")]),
        panels.heatmap(
            "hm",
            "sum by (le) (rate(nv_inference_first_response_histogram_ms_bucket[5m]))",
            unit="ms",
        ),
        panels.text("tx", "**note**"),
        panels.bar_chart("bc", ["up"], unit="short"),
    ]
    return Dashboard(title="all", uid="all", rows=[Row("r", kinds)])


@pytest.mark.parametrize("schema", ["v1", "v2"])
def test_every_visualization_of_the_model_validates_in_both_schemas(
    testdata: Path, schema: str
) -> None:
    doc = to_json(_every_visualization(), schema)  # type: ignore[arg-type]
    if schema == "v1":
        validator = _schema(testdata, "dashboard.jsonschema.json", "Dashboard")
        problems = _problems(validator, doc, V1_TOLERATED)
        found = {
            p["type"]: (p["options"], p["fieldConfig"]["defaults"].get("custom", {}))
            for p in doc["panels"]
            if p["type"] != "row"
        }
    else:
        problems = _problems(
            _schema(testdata, "dashboardv2.jsonschema.json", "Dashboard"), doc["spec"]
        )
        found = {
            e["spec"]["vizConfig"]["group"]: (
                e["spec"]["vizConfig"]["spec"]["options"],
                e["spec"]["vizConfig"]["spec"]["fieldConfig"]["defaults"].get("custom", {}),
            )
            for e in doc["spec"]["elements"].values()
        }
    assert set(found) == {
        "timeseries",
        "stat",
        "gauge",
        "bargauge",
        "table",
        "heatmap",
        "text",
        "barchart",
    }
    for kind, (options, custom) in found.items():
        plugin = json.loads(
            (testdata / "grafana-schema" / f"{kind}.jsonschema.json").read_text("utf-8")
        )
        problems += [
            f"{kind}: {e.message}"
            for e in _schema(testdata, f"{kind}.jsonschema.json", "Options").iter_errors(options)
        ]
        if "FieldConfig" in plugin["definitions"]:
            field = _schema(testdata, f"{kind}.jsonschema.json", "FieldConfig")
            problems += [f"{kind} custom: {e.message}" for e in field.iter_errors(custom)]
    assert problems == []

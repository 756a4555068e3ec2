"""What a preview panel shows, from Prometheus' answers, without a browser: legend names,
reducers, table transformations, thresholds, links, layout, and text panels made safe."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from triton_dashboards.preview import frames, markdown, page, views
from triton_dashboards.preview.frames import Target
from triton_dashboards.preview.links import Linker

ROOT = Path(__file__).resolve().parents[1]


def _instant(labels: dict[str, str], value: float) -> dict[str, Any]:
    return {"metric": labels, "value": [100.0, repr(value)]}


def _target(ref: str, items: list[dict[str, Any]], **target: Any) -> Target:
    return Target(ref_id=ref, target={"refId": ref, **target}, expr="up", items=items)


LINK = Linker({"k": "10", "namespace": "All"}, 0.0, 3600.0, {"triton-model": "triton-model.html"})


def test_legend_format_names_series_with_their_labels() -> None:
    labels = {"model": "ner", "version": "1", "le": "100"}
    assert frames.legend_name("{{model}} v{{ version }} <= {{le}}", labels, "x") == "ner v1 <= 100"
    assert frames.legend_name("__auto", {"__name__": "up", "job": "t"}, "x") == 'up{job="t"}'
    assert frames.legend_name("", {}, "sum(up)") == "sum(up)"


def test_reducers_skip_points_without_a_number() -> None:
    series = frames.Series("s", {}, "A", ((1, 2.0), (2, 4.0), (3, math.nan)))
    assert frames.reduce(series, "lastNotNull") == 4.0
    assert frames.reduce(series, "mean") == 3.0
    assert frames.reduce(series, "max") == 4.0


def test_table_merges_targets_on_labels_renames_and_sorts() -> None:
    panel = {
        "type": "table",
        "transformations": [
            {"id": "merge", "options": {}},
            {
                "id": "organize",
                "options": {
                    "excludeByName": {"Time": True},
                    "renameByName": {"Value #A": "requests/s", "Value #B": "failure ratio"},
                },
            },
        ],
        "options": {"sortBy": [{"displayName": "requests/s", "desc": True}]},
    }
    a = [_instant({"model": "a"}, 1.0), _instant({"model": "b"}, 5.0)]
    b = [_instant({"model": "b"}, 0.5), _instant({"model": "a"}, 0.25)]
    table = frames.table_of(panel, [_target("A", a), _target("B", b)])
    assert table.columns == ("model", "requests/s", "failure ratio")
    assert table.rows == (("b", 5.0, 0.5), ("a", 1.0, 0.25))
    assert table.labels == ({"model": "b"}, {"model": "a"})


def test_table_cells_take_their_columns_units_and_the_panels_links() -> None:
    committed = json.loads((ROOT / "dashboards" / "triton-overview.json").read_text())
    panel = next(p for p in committed["panels"] if p["type"] == "table" and p["title"] == "Models")
    items = {
        "A": [_instant({"model": "ner", "version": "1"}, 20.3)],
        "C": [_instant({"model": "ner", "version": "1"}, 10059.0)],
    }
    targets = [
        _target(t["refId"], items.get(t["refId"], []), format="table") for t in panel["targets"]
    ]
    view = views.panel_view(panel, targets, [], LINK)
    row = {c: cell["text"] for c, cell in zip(view["columns"], view["rows"][0], strict=False)}
    assert row["requests/s"] == "20.3 req/s"
    assert row["avg request time"] == "10.1 ms"
    href = view["rows"][0][0]["href"]
    assert href.startswith("triton-model.html?from=0&to=3600000&")
    assert "var-model=ner" in href and "var-version=1" in href


def _stat(**defaults: Any) -> dict[str, Any]:
    return {
        "type": "stat",
        "title": "Top $k",
        "fieldConfig": {"defaults": defaults},
        "options": {"reduceOptions": {"calcs": ["lastNotNull"]}, "colorMode": "background"},
    }


def test_stat_colour_is_the_threshold_step_its_value_reaches() -> None:
    thresholds = {"mode": "absolute", "steps": [{"color": "green", "value": None},
                                                 {"color": "red", "value": 0.05}]}  # fmt: skip
    panel = _stat(unit="percentunit", decimals=1, thresholds=thresholds)
    low = views.panel_view(panel, [_target("A", [_instant({}, 0.01)])], [], LINK)
    high = views.panel_view(panel, [_target("A", [_instant({}, 0.2)])], [], LINK)
    assert [v["text"] for v in low["values"]] == ["1.0%"]
    assert low["values"][0]["color"] == "#73BF69"
    assert high["values"][0]["color"] == "#F2495C"
    assert low["title"] == "Top 10"


def test_stat_without_data_shows_its_no_value_text() -> None:
    panel = _stat(unit="short", noValue="0")
    assert [v["text"] for v in views.panel_view(panel, [], [], LINK)["values"]] == ["0"]
    assert views.panel_view(_stat(unit="short"), [], [], LINK)["values"] == []


def test_time_series_axis_ticks_are_in_the_panels_unit_and_stacks_add_up() -> None:
    panel = {
        "type": "timeseries",
        "fieldConfig": {"defaults": {"unit": "µs", "custom": {"stacking": {"mode": "normal"}}}},
        "options": {"legend": {"calcs": ["mean", "max"], "showLegend": True}},
    }
    a = {"metric": {"model": "a"}, "values": [[0, "1000"], [15, "1000"]]}
    b = {"metric": {"model": "b"}, "values": [[0, "500"], [15, "NaN"]]}
    view = views.panel_view(panel, [_target("A", [a, b], legendFormat="{{model}}")], [], LINK)
    assert [s["values"] for s in view["series"]] == [[1000.0, 1000.0], [1500.0, None]]
    assert view["series"][1]["calcs"] == ["500 µs", "500 µs"]
    assert view["axis"]["labels"][0] == "0 µs"
    assert "1.50 ms" in view["axis"]["labels"]


def test_unknown_panel_kinds_are_boxes_naming_them() -> None:
    view = views.panel_view({"type": "piechart", "title": "p"}, [], [], LINK)
    assert view["kind"] == "unsupported" and view["type"] == "piechart"


def test_text_panels_cannot_put_markup_on_the_page() -> None:
    html = markdown.to_html("# Hi\n\n**bold** <script>alert(1)</script> [x](https://a.b)\n- one")
    assert "<script>" not in html
    assert "<h1>Hi</h1>" in html and "<strong>bold</strong>" in html
    assert '<a href="https://a.b">x</a>' in html and "<li>one</li>" in html
    view = views.panel_view(
        {"type": "text", "options": {"mode": "html", "content": "<img src=x onerror=alert(1)>hi"}},
        [], [], LINK,
    )  # fmt: skip
    assert "<img" not in view["html"] and "hi" in view["html"]


def test_links_lead_to_previewed_pages_only() -> None:
    assert LINK("/d/triton-model?var-model=${__field.labels.model}", {"model": "a b"}) == (
        "triton-model.html?var-model=a%20b"
    )
    assert LINK("/d/elsewhere", {}) is None
    assert LINK("https://example.com/${namespace}", {}) == "https://example.com/All"


def test_a_collapsed_row_opens_and_pushes_what_follows_down() -> None:
    dashboard = {
        "panels": [
            {"type": "row", "collapsed": True, "gridPos": {"x": 0, "y": 0, "w": 24, "h": 1},
             "panels": [{"type": "stat", "id": 2, "gridPos": {"x": 0, "y": 1, "w": 12, "h": 4}}]},
            {"type": "stat", "id": 3, "gridPos": {"x": 0, "y": 1, "w": 12, "h": 4}},
        ]
    }  # fmt: skip
    placed = [(p.get("id"), x, y, w, h) for p, x, y, w, h in page.layout(dashboard)]
    assert placed == [(None, 0, 0, 24, 1), (2, 0, 1, 12, 4), (3, 0, 5, 12, 4)]
    assert page.page_height(list(page.layout(dashboard))) == 9


def test_bars_with_a_data_link_lead_to_the_linked_page() -> None:
    committed = json.loads((ROOT / "dashboards" / "triton-overview.json").read_text())
    panel = next(p for p in committed["panels"] if p["type"] == "bargauge")
    items = [_instant({"model": "ner", "version": "1"}, 20.3)]
    view = views.panel_view(panel, [_target("A", items)], [], LINK)
    assert view["title"].startswith("Top 10 ")
    assert [b["text"] for b in view["bars"]] == ["20.3 req/s"]
    assert "var-model=ner" in view["bars"][0]["href"]
    assert view["bars"][0]["href"].startswith("triton-model.html?")

"""Size is layout data: rows size their panels, panels flow on the 24-column grid, and
Grafana's two row models (expanded, collapsed) come out of one placement."""

from __future__ import annotations

import pytest

from triton_dashboards import Dashboard, Row, Scope, panels
from triton_dashboards.dashboard.layout import Placed, arrange
from triton_dashboards.dashboard.render import to_json
from triton_dashboards.dashboard.schema.panel import Panel


def note(title: str = "p") -> Panel:
    return panels.text(title, "x")


def chart(title: str = "c") -> Panel:
    return panels.timeseries(title, ["up"], unit=panels.Unit.COUNT)


def positions(items: tuple[Placed, ...]) -> list[tuple[int, int, int, int]]:
    return [(p.x, p.y, p.w, p.h) for p in items]


def test_panels_flow_left_to_right_and_wrap_at_24() -> None:
    row = Row("r", [note(), note(), note(), note()], width=(12, 8, 6, 24), height=(8, 4, 5, 3))
    (placed,) = arrange([row])
    assert positions(placed.items) == [(0, 1, 12, 8), (12, 1, 8, 4), (0, 9, 6, 5), (0, 14, 24, 3)]
    assert placed.below == 17


def test_a_panel_the_row_does_not_size_gets_its_visualizations_size() -> None:
    (placed,) = arrange([Row("r", [chart(), panels.stat("s", ["up"], unit="short")])])
    assert positions(placed.items)[0] == (0, 1, 12, 8)
    assert (placed.items[1].w, placed.items[1].h) == (12, 4)  # the last line is filled


def test_the_last_panel_of_a_part_empty_line_stretches_to_the_end() -> None:
    (placed,) = arrange([Row("r", [chart(), chart(), chart()])])
    assert positions(placed.items) == [(0, 1, 12, 8), (12, 1, 12, 8), (0, 9, 24, 8)]


def test_one_width_for_every_panel_of_a_row() -> None:
    (placed,) = arrange([Row("r", [chart(), chart(), chart()], width=8, height=5)])
    assert positions(placed.items) == [(0, 1, 8, 5), (8, 1, 8, 5), (16, 1, 8, 5)]


def test_a_size_per_panel_must_match_the_panels() -> None:
    with pytest.raises(ValueError, match="2 widths for 3 panels"):
        Row("r", [chart(), chart(), chart()], width=(8, 8))
    with pytest.raises(ValueError, match="outside the grid"):
        Row("r", [chart()], width=25)


def test_panel_functions_take_no_size() -> None:
    with pytest.raises(TypeError):
        panels.request_rate(Scope(), width=6)  # type: ignore[call-arg]


def test_expanded_row_is_followed_by_its_panels() -> None:
    model = to_json(Dashboard(title="t", uid="t", rows=[Row("a", [note()]), Row("b", [note()])]))
    kinds = [(p["type"], p["gridPos"]["y"]) for p in model["panels"]]
    assert kinds == [("row", 0), ("text", 1), ("row", 4), ("text", 5)]
    assert model["panels"][0]["panels"] == []


def test_collapsed_row_nests_its_panels() -> None:
    rows = [Row("a", [chart(), chart()], collapsed=True), Row("b", [note()])]
    model = to_json(Dashboard(title="t", uid="t", rows=rows))
    assert [p["type"] for p in model["panels"]] == ["row", "row", "text"]
    folded = model["panels"][0]
    assert folded["collapsed"] and [p["gridPos"]["y"] for p in folded["panels"]] == [1, 1]
    assert model["panels"][1]["gridPos"]["y"] == 1  # the next row follows the folded one
    assert model["panels"][2]["gridPos"]["y"] == 2


def test_ids_are_unique_sequential_and_keep_explicit_ones() -> None:
    explicit = Panel(title="x", viz=note().viz, id=2)
    (placed,) = arrange([Row("a", [note(), explicit, note()], collapsed=True)])
    assert [placed.id, *(p.panel.id for p in placed.items)] == [1, 3, 2, 4]


def test_only_the_first_row_may_go_without_a_header() -> None:
    model = to_json(Dashboard(title="t", uid="t", rows=[Row("", [note()]), Row("b", [note()])]))
    assert [p["type"] for p in model["panels"]] == ["text", "row", "text"]
    with pytest.raises(ValueError, match="only the first row"):
        arrange([Row("a", [note()]), Row("", [note()])])


def test_rendered_rows_follow_grafanas_model() -> None:
    scope = Scope(namespace="triton")
    model = to_json(
        Dashboard(
            title="t",
            uid="t",
            rows=[
                Row("open", [panels.request_rate(scope)]),
                Row("closed", [panels.gpu_utilization(scope)], collapsed=True),
            ],
        )
    )
    kinds = [(p["type"], p.get("title")) for p in model["panels"]]
    assert kinds == [("row", "open"), ("timeseries", "requests per second"), ("row", "closed")]
    assert model["panels"][0]["panels"] == []
    assert [p["title"] for p in model["panels"][2]["panels"]] == ["GPU utilization"]

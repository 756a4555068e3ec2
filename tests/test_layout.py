"""Auto placement on the 24-column grid, and Grafana's two row models."""

from __future__ import annotations

from grafanalib import core as g

from triton_dashboards import Dashboard, Row, Scope, panels
from triton_dashboards.dashboard.layout import layout, place
from triton_dashboards.dashboard.render import to_json


def sized(w: int, h: int, title: str = "p") -> g.Panel:
    return g.Text(title=title, gridPos=g.GridPos(h=h, w=w, x=0, y=0))


def positions(placed: list[g.Panel]) -> list[tuple[int, int, int, int]]:
    return [(p.gridPos.x, p.gridPos.y, p.gridPos.w, p.gridPos.h) for p in placed]


def test_panels_flow_left_to_right_and_wrap_at_24() -> None:
    placed, below = place([sized(12, 8), sized(8, 4), sized(6, 5), sized(24, 3)])
    assert positions(placed) == [(0, 0, 12, 8), (12, 0, 8, 4), (0, 8, 6, 5), (0, 13, 24, 3)]
    assert below == 16


def test_a_panel_without_size_gets_the_default() -> None:
    placed, _ = place([g.Text(title="x")])
    assert positions(placed) == [(0, 0, 12, 8)]


def test_expanded_row_is_followed_by_its_panels() -> None:
    out = layout([Row("a", [sized(24, 2)]), Row("b", [sized(12, 3)])])
    assert [type(p).__name__ for p in out] == ["RowPanel", "Text", "RowPanel", "Text"]
    assert out[0].panels == [] and out[0].gridPos.y == 0
    assert out[1].gridPos.y == 1
    assert out[2].gridPos.y == 3 and out[3].gridPos.y == 4


def test_collapsed_row_nests_its_panels() -> None:
    out = layout([Row("a", [sized(12, 4), sized(12, 4)], collapsed=True), Row("b", [sized(6, 2)])])
    assert [type(p).__name__ for p in out] == ["RowPanel", "RowPanel", "Text"]
    assert out[0].collapsed and len(out[0].panels) == 2
    assert [p.gridPos.y for p in out[0].panels] == [1, 1]  # as if the row were open
    assert out[1].gridPos.y == 1  # the next row follows the folded one directly
    assert out[2].gridPos.y == 2


def test_ids_are_unique_sequential_and_keep_explicit_ones() -> None:
    explicit = g.Text(title="x", id=2, gridPos=g.GridPos(h=1, w=1, x=0, y=0))
    out = layout([Row("a", [sized(1, 1), explicit, sized(1, 1)], collapsed=True)])
    ids = [out[0].id, *(p.id for p in out[0].panels)]
    assert ids == [1, 3, 2, 4]


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

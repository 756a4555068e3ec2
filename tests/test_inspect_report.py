"""Doctor's verdict: which causes make the report not ok (and the command exit 1), and the
table's columns. The causes themselves are proven on real servers in tests/test_doctor.py."""

from __future__ import annotations

from triton_dashboards.inspect.causes import Cause, Kind
from triton_dashboards.inspect.report import DashboardReport, PanelReport, Report

HIDDEN = Cause(Kind.QUANTILE_HIDDEN, "the 0.5 quantile falls in the lowest bucket", "none")
UNDECLARED = Cause(Kind.ENSEMBLE_UNDECLARED, "counts every model and step", "declare them")
DOWN = Cause(Kind.TARGET_DOWN, "target x is down: refused", "check it")


def _report(*panels: PanelReport, findings: tuple[Cause, ...] = ()) -> Report:
    return Report("http://p", findings, (DashboardReport("u", "Board", "b.json", panels),))


def test_a_hidden_quantile_alone_is_ok() -> None:
    report = _report(PanelReport("q", "ok", (HIDDEN,)), PanelReport("r", "ok"))
    assert report.ok and report.to_json()["ok"] is True


def test_a_headline_with_data_that_counts_steps_is_not_ok() -> None:
    assert not _report(PanelReport("Every model and step: x", "ok", (UNDECLARED,))).ok


def test_an_empty_panel_or_a_finding_is_not_ok() -> None:
    assert not _report(PanelReport("e", "empty")).ok
    assert not _report(PanelReport("r", "ok"), findings=(DOWN,)).ok
    assert not _report(PanelReport("x", "error", error="bad_data: parse error")).ok


def test_the_json_is_the_documented_shape() -> None:
    document = _report(PanelReport("x", "error", error="bad_data")).to_json()
    assert set(document) == {"ok", "prometheus", "findings", "dashboards"}
    [board] = document["dashboards"]
    assert set(board) == {"uid", "title", "file", "panels"}
    assert board["panels"] == [
        {"title": "x", "verdict": "error", "causes": [], "error": "bad_data"}
    ]


def test_the_table_has_panel_verdict_cause_fix_and_says_when_no_cause_is_found() -> None:
    table = _report(
        PanelReport("q", "ok", (HIDDEN,)), PanelReport("e", "empty"), findings=(DOWN,)
    ).table()
    lines = table.splitlines()
    assert lines[0] == "Board (b.json): 1 of 2 panels ok"
    assert lines[1].split() == ["panel", "verdict", "cause", "fix"]
    assert "quantile-hidden: the 0.5 quantile" in table
    assert "no cause found" in table
    assert "target-down: target x is down: refused" in table
    assert lines[-1] == "not all well: see the causes and fixes above"

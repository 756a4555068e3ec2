"""The stock dashboards as a set for one's own repository: chosen, tailored, with uids of their own.

``stock_dashboards()`` untailored is the stock set, byte for byte the committed JSON; any
option changed gives other uids and titles (a prefix), with links inside the set;
``replace_stock=True`` keeps the stock uids. A dashboard file binding the list builds
one JSON per dashboard, and ``build``/``check`` remove/report the ones it no longer makes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from _support import ROOT
from click.testing import CliRunner

from triton_dashboards.cli import main
from triton_dashboards.dashboard import stock
from triton_dashboards.dashboard.lint import lint_dashboard
from triton_dashboards.dashboard.model import Dashboard, DashboardError
from triton_dashboards.dashboard.render import render, to_json
from triton_dashboards.query.recording import Recording

NER = [stock.Ensemble("ner_pipeline", ["ner_preprocess", "ner", "ner_postprocess"])]
STOCK_UIDS = [stock.OVERVIEW_UID, stock.MODEL_UID, stock.GPU_UID, stock.LLM_UID]
COMMITTED = ["triton-overview", "triton-model", "triton-gpu-host", "triton-llm"]
TAILORINGS: dict[str, dict[str, Any]] = {
    "namespace": {"namespace": "triton"},
    "ensembles": {"ensembles": NER},
    "rule window": {"recorded": Recording(window="2m")},
}


def _uids(dashboards: list[Dashboard]) -> list[str]:
    return [d.uid for d in dashboards]


def _link_targets(model: dict[str, Any]) -> set[str]:
    """The uids a dashboard links to: header links and the panels' data links."""
    urls = [link["url"] for link in model["links"]]
    for panel in model["panels"]:
        for p in (panel, *(panel.get("panels") or [])):
            links = p.get("fieldConfig", {}).get("defaults", {}).get("links", [])
            urls += [link["url"] for link in links]
    return {url.split("/d/", 1)[1].split("?", 1)[0] for url in urls}


@pytest.mark.parametrize("recorded", [False, True])
def test_the_untailored_set_is_the_committed_stock_json(recorded: bool) -> None:
    shipped = stock.stock_dashboards(recorded=recorded)
    suffix = "-recorded" if recorded else ""
    for dashboard, name in zip(shipped, COMMITTED, strict=True):
        committed = (ROOT / "dashboards" / f"{name}{suffix}.json").read_text(encoding="utf-8")
        assert render(dashboard) == committed, name


@pytest.mark.parametrize("tailoring", list(TAILORINGS))
def test_a_tailored_set_takes_uids_and_titles_of_its_own(tailoring: str) -> None:
    stock_set = stock.stock_dashboards(recorded=True)
    tailored = stock.stock_dashboards(**TAILORINGS[tailoring])
    assert not set(_uids(tailored)) & set(_uids(stock_set) + STOCK_UIDS)
    assert all(uid.startswith(stock.TAILORED_PREFIX) for uid in _uids(tailored))
    assert not {d.title for d in tailored} & {d.title for d in stock_set}


def test_replace_stock_keeps_the_stock_uids_of_a_tailored_set() -> None:
    replaced = stock.stock_dashboards(namespace="triton", ensembles=NER, replace_stock=True)
    assert _uids(replaced) == STOCK_UIDS
    assert [d.title for d in replaced] == [d.title for d in stock.stock_dashboards()]


def test_links_stay_within_the_prefixed_set() -> None:
    shipped = stock.stock_dashboards(namespace="triton", uid_prefix="ml-")
    uids = set(_uids(shipped))
    assert uids == {f"ml-{uid}" for uid in STOCK_UIDS}
    for dashboard in shipped:
        model = to_json(dashboard)
        targets = _link_targets(model)
        assert targets and targets <= uids - {dashboard.uid}, (dashboard.uid, targets)


def test_a_lone_tailored_overview_is_not_the_stock_one_and_links_to_the_stock_set() -> None:
    """The README's `overview(ensembles=...)`: never the stock uid by accident."""
    model = to_json(stock.overview(ensembles=NER))
    assert model["uid"] == stock.TAILORED_PREFIX + stock.OVERVIEW_UID
    assert model["title"] != to_json(stock.overview())["title"]
    assert _link_targets(model) <= set(STOCK_UIDS)
    kept = to_json(stock.overview(ensembles=NER, replace_stock=True))
    assert kept["uid"] == stock.OVERVIEW_UID


def test_a_pinned_namespace_replaces_the_namespace_variable_in_every_query() -> None:
    for dashboard in stock.stock_dashboards(namespace="triton", ensembles=NER, recorded=True):
        model = to_json(dashboard)
        assert lint_dashboard(model, dashboard.uid) == []  # no $namespace left anywhere
        names = [v["name"] for v in model["templating"]["list"]]
        assert "namespace" not in names and "job" in names
        text = json.dumps(model)
        assert "$namespace" not in text and "${namespace" not in text
        assert 'namespace=\\"triton\\"' in text


def test_only_chooses_and_an_unknown_name_is_one_line() -> None:
    assert _uids(stock.stock_dashboards(only=["gpu-host", "overview"])) == [
        stock.GPU_UID,
        stock.OVERVIEW_UID,
    ]
    with pytest.raises(DashboardError, match=r"no stock dashboard 'gpu'; choose among overview"):
        stock.stock_dashboards(only=["gpu"])
    with pytest.raises(DashboardError, match="contradict"):
        stock.stock_dashboards(uid_prefix="ml-", replace_stock=True)


STOCK_FILE = """\
from triton_dashboards.dashboard.stock import stock_dashboards

dashboards = stock_dashboards(only=ONLY)
"""


def _cli(*args: str) -> Any:
    return CliRunner().invoke(main, list(args))


def test_a_file_binding_a_list_builds_one_json_each_and_check_follows_it(tmp_path: Path) -> None:
    source = tmp_path / "stock.dashboard.py"
    source.write_text(STOCK_FILE.replace("ONLY", '["overview", "gpu-host"]'), encoding="utf-8")
    built = _cli("build", "--dir", str(tmp_path))
    assert built.exit_code == 0, built.output
    made = sorted(p.name for p in tmp_path.glob("*.json"))
    assert made == ["stock.triton-gpu-host.json", "stock.triton-overview.json"]
    assert _cli("check", "--dir", str(tmp_path)).exit_code == 0

    source.write_text(STOCK_FILE.replace("ONLY", '["overview"]'), encoding="utf-8")
    check = _cli("check", "--dir", str(tmp_path))
    assert check.exit_code == 1
    assert f"orphan: {tmp_path / 'stock.triton-gpu-host.json'}" in check.output
    rebuilt = _cli("build", "--dir", str(tmp_path))
    assert f"removed {tmp_path / 'stock.triton-gpu-host.json'}" in rebuilt.output
    assert sorted(p.name for p in tmp_path.glob("*.json")) == ["stock.triton-overview.json"]
    assert _cli("check", "--dir", str(tmp_path)).exit_code == 0


def test_a_file_binding_both_names_is_refused_in_one_line(tmp_path: Path) -> None:
    both = STOCK_FILE.replace("ONLY", '["overview"]') + "dashboard = dashboards[0]\n"
    (tmp_path / "both.dashboard.py").write_text(both, encoding="utf-8")
    result = _cli("build", "--dir", str(tmp_path))
    assert result.exit_code == 2
    [line] = result.output.splitlines()
    assert "binds both `dashboard` and a list `dashboards`" in line
    assert not list(tmp_path.glob("*.json"))

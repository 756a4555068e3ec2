"""The files discover writes, for names a real repository may hold: they build with their
own uids (none a stock one, none twice) and are already in ruff's layout, so ``make check``
of an own repository passes on them as written."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from triton_dashboards.dashboard.project import build
from triton_dashboards.dashboard.stock import MODEL_UID, OVERVIEW_UID
from triton_dashboards.inspect.starter import (
    OVERVIEW_FILE,
    EnsemblePlan,
    Plan,
    ensemble_uid,
    files,
)
from triton_dashboards.query.fleet import Ensemble
from triton_dashboards.validation import is_uid

LONG = "a_very_long_ensemble_name_that_goes_on_" * 2
ODD = [
    EnsemblePlan(Ensemble("ner_pipeline", ["pre", "ner", "post"]), "triton", ("ner",)),
    EnsemblePlan(
        Ensemble(LONG, [f"step_{i}_of_a_long_pipeline_with_long_names" for i in range(4)]),
        None,
        ("step_0_of_a_long_pipeline_with_long_names", "step_3_of_a_long_pipeline_with_long_names"),
    ),
    EnsemblePlan(
        Ensemble(LONG + "x", ["pre"]), "a-namespace-of-sixty-three-characters-" + "x" * 25
    ),
    EnsemblePlan(Ensemble('odd "quoted" name.v2', ['a "step"', "b\\c"]), None, ('a "step"',)),
    EnsemblePlan(Ensemble("odd-quoted-name-v2", ["x"])),  # the slug the one above would take
    EnsemblePlan(Ensemble("overview", ["x"])),  # the overview's file name
]


@pytest.fixture
def written(tmp_path: Path) -> Path:
    plan = Plan(ensembles=tuple(ODD), gpus=True, overview_uid="tailored-x", model_uid=MODEL_UID)
    for name, text in files(plan).items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_every_file_builds_with_its_own_uid_apart_from_the_stock_ones(written: Path) -> None:
    sources = sorted(written.glob("*.dashboard.py"))
    assert len(sources) == 1 + len(ODD) and (written / OVERVIEW_FILE).exists()
    uids = [item.uid for item in build([s for s in sources if s.name != OVERVIEW_FILE])]
    assert len(set(uids)) == len(ODD) and all(is_uid(uid) for uid in uids)
    assert not any(uid.startswith("triton-") for uid in uids)
    assert ensemble_uid(LONG) != ensemble_uid(LONG + "x")  # cut to 40, told apart by a hash


def test_the_overview_declares_every_ensemble_with_its_steps(written: Path) -> None:
    namespace: dict[str, object] = {}
    exec((written / OVERVIEW_FILE).read_text("utf-8"), namespace)
    dashboard = namespace["dashboard"]
    assert getattr(dashboard, "uid", OVERVIEW_UID) != OVERVIEW_UID
    declared = declared_ensembles((written / OVERVIEW_FILE).read_text("utf-8"))
    assert declared == [(p.ensemble.name, list(p.ensemble.steps)) for p in ODD]


def declared_ensembles(source: str) -> list[tuple[str, list[str]]]:
    """The ``Ensemble(name, [steps])`` calls of a dashboard file, as written."""
    return [
        (ast.literal_eval(node.args[0]), ast.literal_eval(node.args[1]))
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Ensemble"
    ]


def test_the_files_are_in_ruffs_layout_and_lint_clean(written: Path) -> None:
    ruff = Path(sys.executable).parent / "ruff"
    for command in (["format", "--check", "--diff"], ["check"]):
        done = subprocess.run(
            [str(ruff), *command, "--no-cache", str(written)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stdout + done.stderr

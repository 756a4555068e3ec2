"""``triton-dashboards init``: a repository of one's own that builds, checks, lints and is safe
to run twice. The whole flow with the installed package is in test_own_repo.py."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from _support import GRAFANA_TOKEN, ROOT
from click.testing import CliRunner, Result
from grafana_double import GrafanaDouble

from triton_dashboards.cli import main
from triton_dashboards.cli.init import EXAMPLE, FILES, STOCK_FILE

STOCK_VARIABLES = [
    "datasource",
    "cluster",
    "namespace",
    "job",
    "instance",
    "model",
    "version",
    "gpu",
]


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_init_writes_the_repository_with_normal_modes(tmp_path: Path, umask_022: None) -> None:
    result = invoke("init", str(tmp_path / "mine"))
    assert result.exit_code == 0, result.output
    for path in [*FILES, STOCK_FILE]:
        written = tmp_path / "mine" / path
        assert stat.S_IMODE(written.stat().st_mode) == 0o644, path
        assert f"wrote {written}" in result.output
    assert not list((tmp_path / "mine").rglob(".*.tmp"))


def test_init_example_builds_with_the_stock_template_variables(tmp_path: Path) -> None:
    assert invoke("init", str(tmp_path)).exit_code == 0
    dashboards = str(tmp_path / "dashboards")
    for command in ("build", "check", "lint"):
        result = invoke(command, "--dir", dashboards)
        assert result.exit_code == 0, (command, result.output)
    built = json.loads((tmp_path / "dashboards" / "triton.json").read_text(encoding="utf-8"))
    assert [v["name"] for v in built["templating"]["list"]] == STOCK_VARIABLES
    exprs = [t["expr"] for p in built["panels"] for t in p.get("targets", [])]
    exprs += [t["expr"] for r in built["panels"] for p in r.get("panels", []) for t in p["targets"]]
    assert exprs and all('model=~"$model"' in e or "gpu_uuid" in e for e in exprs), exprs


def test_second_init_refuses_in_one_line_and_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "Makefile").write_text("mine\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "triton_dashboards", "init", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert line.startswith("error: ") and "Makefile already exists" in line and "--force" in line
    assert result.stdout == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Makefile"]
    assert (tmp_path / "Makefile").read_text(encoding="utf-8") == "mine\n"


def test_init_force_overwrites_and_keeps_the_old_mode(tmp_path: Path) -> None:
    assert invoke("init", str(tmp_path)).exit_code == 0
    makefile = tmp_path / "Makefile"
    makefile.write_text("mine\n", encoding="utf-8")
    makefile.chmod(0o664)
    refused = invoke("init", str(tmp_path))
    assert refused.exit_code == 2 and "(and 5 more)" in refused.output
    assert invoke("init", "--force", str(tmp_path)).exit_code == 0
    assert makefile.read_text(encoding="utf-8") == FILES[Path("Makefile")]
    assert stat.S_IMODE(makefile.stat().st_mode) == 0o664


def test_init_into_an_unwritable_place_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("", encoding="utf-8")
    result = invoke("init", str(tmp_path / "file" / "repo"))
    assert result.exit_code == 2
    [line] = result.output.splitlines()
    assert line.startswith("error: cannot write ") and "; check the path" in line


def test_init_example_is_formatted_as_ruff_formats_a_new_repository(tmp_path: Path) -> None:
    """`make check` in the new repository runs `ruff format --check` with its ruff.toml."""
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    assert ruff, "ruff is a dev dependency: pip install -e '.[dev]'"
    assert invoke("init", str(tmp_path)).exit_code == 0
    for args in (["format", "--check"], ["check"]):
        result = subprocess.run(
            [ruff, *args, "dashboards"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stdout + result.stderr


def test_init_makefile_and_workflow_parse(tmp_path: Path) -> None:
    assert invoke("init", str(tmp_path)).exit_code == 0
    for target in ("dashboards", "check", "format", "publish"):
        dry = subprocess.run(
            ["make", "-n", target], cwd=tmp_path, capture_output=True, text=True, timeout=30
        )
        assert dry.returncode == 0, dry.stderr
        assert "triton-dashboards" in dry.stdout or "ruff format" in dry.stdout, target
    workflow = yaml.safe_load((tmp_path / ".github/workflows/dashboards.yml").read_text())
    runs = [step.get("run", "") for step in workflow["jobs"]["check"]["steps"]]
    assert "make check" in runs


def test_init_ruff_settings_are_the_projects(tmp_path: Path) -> None:
    """The README's snippets are formatted at this project's width: the new repository's
    `make format` and `make check` must format them alike (ruff's default is 88)."""
    assert invoke("init", str(tmp_path)).exit_code == 0
    theirs = (tmp_path / "ruff.toml").read_text(encoding="utf-8")
    ours = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    for key in ("line-length", "target-version", "select"):
        pattern = rf"^{key} = (.+)$"
        assert re.findall(pattern, theirs, re.M) == re.findall(pattern, ours, re.M), key
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    assert ruff, "ruff is a dev dependency: pip install -e '.[dev]'"
    steps = '["ner_preprocess", "ner", "post"]'
    wide = f'dashboard = overview(ensembles=[Ensemble("ner_pipeline", {steps})])\n'
    assert 88 < len(wide) <= 100
    (tmp_path / "dashboards" / "wide.py").write_text(wide, encoding="utf-8")
    result = subprocess.run(
        [ruff, "format", "--check", "dashboards"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _pinned(example: str) -> str:
    """The example with its commented pin-one-model recipe in place of the two lines it replaces."""
    lines = example.splitlines()
    start = lines.index(
        "# For one deployment, pin its model instead of offering the model and version pickers:"
    )
    recipe = [line.removeprefix("#   ") for line in lines[start + 1 : start + 3]]
    assert [r.split(" = ")[0] for r in recipe] == ["selection", "scope"], recipe
    kept = [line for line in lines if not line.startswith(("selection = ", "scope = "))]
    kept[kept.index(lines[start]) : kept.index(lines[start]) + 3] = recipe
    return "\n".join(kept) + "\n"


def test_init_pin_one_model_recipe_builds(tmp_path: Path) -> None:
    """The recipe exactly as the file `init` writes has it: no model or version picker,
    and no query reads one (it failed with `unknown Grafana variable $version`)."""
    assert invoke("init", "--no-stock", str(tmp_path)).exit_code == 0
    source = tmp_path / "dashboards" / "triton.dashboard.py"
    assert source.read_text(encoding="utf-8") == EXAMPLE
    source.write_text(_pinned(EXAMPLE), encoding="utf-8")
    result = invoke("build", "--dir", str(tmp_path / "dashboards"))
    assert result.exit_code == 0, result.output
    built = json.loads((tmp_path / "dashboards" / "triton.json").read_text(encoding="utf-8"))
    names = [v["name"] for v in built["templating"]["list"]]
    assert names == [n for n in STOCK_VARIABLES if n not in ("model", "version")]
    exprs = [
        t["expr"]
        for r in built["panels"]
        for p in (r, *r.get("panels", []))
        for t in p.get("targets", [])
    ]
    assert exprs and all("$model" not in e and "$version" not in e for e in exprs)
    assert any('model="ner_pipeline"' in e for e in exprs)


def test_init_no_stock_leaves_the_stock_dashboards_out(tmp_path: Path) -> None:
    assert invoke("init", "--no-stock", str(tmp_path)).exit_code == 0
    assert not (tmp_path / STOCK_FILE).exists()
    assert invoke("init", "--force", str(tmp_path)).exit_code == 0
    assert invoke("build", "--dir", str(tmp_path / "dashboards")).exit_code == 0
    made = sorted(p.name for p in (tmp_path / "dashboards").glob("*.json"))
    assert made == [
        f"stock.{uid}.json"
        for uid in sorted(["triton-overview", "triton-model", "triton-gpu-host", "triton-llm"])
    ] + ["triton.json"]


def test_make_publish_names_the_tools_exit_status(tmp_path: Path, double: GrafanaDouble) -> None:
    """make exits 2 on any failed recipe; the line before says what the tool's status was."""
    assert invoke("init", "--no-stock", str(tmp_path)).exit_code == 0
    assert invoke("build", "--dir", str(tmp_path / "dashboards")).exit_code == 0
    td = f"TD={sys.executable} -m triton_dashboards"
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRAFANA_")}

    def make_publish(**grafana: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["make", "publish", td],
            cwd=tmp_path,
            env={**env, **grafana},
            capture_output=True,
            text=True,
            timeout=60,
        )

    nothing = make_publish()
    assert nothing.returncode == 2
    assert "triton-dashboards publish exited 2: nothing could be done" in nothing.stderr
    grafana = {"GRAFANA_URL": double.url, "GRAFANA_TOKEN": GRAFANA_TOKEN}
    assert make_publish(**grafana).returncode == 0
    double.ui_save("my-team-triton", {"title": "edited"}, user="alice")
    conflict = make_publish(**grafana)
    assert conflict.returncode == 2 and "CONFLICT" in conflict.stdout
    assert "triton-dashboards publish exited 1: a conflict" in conflict.stderr

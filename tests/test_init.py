"""``triton-dashboards init``: a repository of one's own that builds, checks, lints and is safe
to run twice. The whole flow with the installed package is in test_own_repo.py."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

from triton_dashboards.cli import main
from triton_dashboards.cli.init import FILES

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
    for path in FILES:
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
    assert refused.exit_code == 2 and "(and 3 more)" in refused.output
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
    """`make check` in the new repository runs `ruff format --check` with ruff's defaults."""
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    assert ruff, "ruff is a dev dependency: pip install -e '.[dev]'"
    assert invoke("init", str(tmp_path)).exit_code == 0
    for args in (["format", "--check"], ["check"]):
        result = subprocess.run(
            [ruff, *args, "--isolated", "dashboards"],
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

"""A dashboards repository of one's own, as docs/own-repository.md starts it.

The package is built into a wheel and installed into a fresh virtual environment; a new
repository outside this checkout is started with ``triton-dashboards init`` and run through
``build``, ``check``, ``lint`` and its Makefile. Nothing is fetched: the wheel is built
without build isolation (setuptools is a dev dependency) and installed with ``--no-index
--no-deps``, the dependencies coming from the running environment's site-packages through
a ``.pth`` file. About two seconds on the 2-core runner.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import venv
from collections.abc import Mapping
from pathlib import Path

import pytest
from _support import ROOT
from test_init import STOCK_VARIABLES

from triton_dashboards.cli.init import EXAMPLE

BIN = Path(sys.executable).parent


def run(
    args: list[str], cwd: Path, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def ok(args: list[str], cwd: Path, env: Mapping[str, str] | None = None) -> str:
    result = run(args, cwd, env)
    assert result.returncode == 0, (args, result.stdout, result.stderr)
    return result.stdout


def build_wheel(out: Path) -> Path:
    """A wheel of the working tree, built from a copy so that no build/ lands in the checkout."""
    source = out / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, source / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
    shutil.copytree(ROOT / "src", source / "src", ignore=ignore)
    pip_wheel = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation"]
    ok([*pip_wheel, "--no-index", "--quiet", ".", "-w", str(out / "dist")], source)
    [wheel] = (out / "dist").glob("triton_dashboards-*.whl")
    return wheel


def install(wheel: Path, env_dir: Path) -> Path:
    """A fresh venv with ``wheel`` installed; its bin directory."""
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    purelib = ok(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], env_dir
    )
    (Path(purelib.strip()) / "_dependencies.pth").write_text(
        sysconfig.get_path("purelib") + "\n", encoding="utf-8"
    )
    pip = [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet"]
    ok([*pip, "--no-deps", "--no-index", str(wheel)], env_dir)
    return env_dir / "bin"


@pytest.mark.e2e
def test_own_repository_from_a_wheel_builds_checks_lints_and_refuses_a_second_init(
    tmp_path: Path,
) -> None:
    wheel = build_wheel(tmp_path)
    bin_dir = install(wheel, tmp_path / "env")
    mine = tmp_path / "my-dashboards"
    mine.mkdir()
    assert ROOT not in mine.parents
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    td = str(bin_dir / "triton-dashboards")

    where = ok(
        [str(bin_dir / "python"), "-c", "import triton_dashboards as t; print(t.__file__)"], mine
    )
    assert Path(where.strip()).is_relative_to(tmp_path / "env"), where

    said = ok([td, "init"], mine, env)
    assert "wrote dashboards/triton.dashboard.py" in said
    assert "wrote dashboards/stock.dashboard.py" in said
    first = ok([td, "build"], mine, env)
    assert "built dashboards/triton.json" in first
    stock_json = mine / "dashboards" / "stock.triton-overview.json"
    assert f"built {stock_json.relative_to(mine)}" in first
    assert "5 dashboards up to date" in ok([td, "check"], mine, env)
    assert "5 dashboards clean" in ok([td, "lint"], mine, env)
    built = json.loads((mine / "dashboards" / "triton.json").read_text(encoding="utf-8"))
    assert [v["name"] for v in built["templating"]["list"]] == STOCK_VARIABLES
    committed = (ROOT / "dashboards" / "triton-overview.json").read_text(encoding="utf-8")
    assert stock_json.read_text(encoding="utf-8") == committed

    # A new release of the package renders a stock dashboard differently: check fails on the
    # stale JSON until build writes the new one.
    [overview] = (tmp_path / "env").rglob("triton_dashboards/dashboard/stock/overview.py")
    code = overview.read_text(encoding="utf-8")
    overview.write_text(code.replace('"Triton overview"', '"Triton fleet"'), encoding="utf-8")
    stale = run([td, "check"], mine, env)
    assert stale.returncode == 1, stale.stdout + stale.stderr
    assert f"stale: {stock_json.relative_to(mine)}" in stale.stderr
    assert f"built {stock_json.relative_to(mine)}" in ok([td, "build"], mine, env)
    assert '"title": "Triton fleet"' in stock_json.read_text(encoding="utf-8")
    ok([td, "check"], mine, env)

    make = ["make", f"RUFF={shutil.which('ruff', path=str(BIN)) or 'ruff'}"]
    ok([*make, "check"], mine, env)
    example = mine / "dashboards" / "triton.dashboard.py"
    example.write_text(example.read_text(encoding="utf-8").replace("scope = ", "scope  =  "))
    unformatted = run([*make, "check"], mine, env)
    assert unformatted.returncode != 0 and "would be reformatted" in unformatted.stdout
    ok([*make, "format"], mine, env)
    ok([*make, "check"], mine, env)

    again = run([td, "init"], mine, env)
    assert again.returncode == 2 and again.stdout == ""
    [line] = again.stderr.splitlines()
    assert line.startswith("error: ") and "already exists" in line and "--force" in line
    assert "Traceback" not in again.stderr


def test_mypy_checks_the_oldest_python_the_package_claims() -> None:
    """mypy must see the code as the oldest supported Python does, or 3.11-only code slips in."""
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    [oldest] = re.findall(r'^requires-python = ">=(3\.\d+)"$', pyproject, re.M)
    [checked] = re.findall(r'^python_version = "(3\.\d+)"$', pyproject, re.M)
    [ruff_target] = re.findall(r'^target-version = "py3(\d+)"$', pyproject, re.M)
    assert checked == oldest == f"3.{ruff_target}"


def test_docs_start_an_own_repository_the_way_this_test_does() -> None:
    """docs/own-repository.md shows these steps, and the very dashboard `init` writes."""
    section = (ROOT / "docs" / "own-repository.md").read_text(encoding="utf-8")
    [example] = re.findall(r"```python\n# dashboards/triton.dashboard.py\n(.*?)```", section, re.S)
    assert example in EXAMPLE
    for step in (
        "pip install /path/to/triton-dashboards",
        "pip wheel . -w dist",
        "triton-dashboards init",
        "dashboards.Selection()",
        "selection.scope",
        "make format",
        "make check",
    ):
        assert step in section, step

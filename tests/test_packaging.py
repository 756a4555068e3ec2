"""The sdist and the wheel, as ``make dist`` builds them: what they carry and what twine says.

Built offline from a copy of the working tree (``python -m build --no-isolation``: the
running environment's setuptools, nothing downloaded), so no ``build/`` or ``dist/`` lands
in the checkout. ``build`` makes the wheel from the sdist, so a file the sdist forgets is
missing from the wheel too. About three seconds on the 2-core runner.
"""

from __future__ import annotations

import email
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
from _support import ROOT, TESTDATA

import triton_dashboards

PACKAGE = ROOT / "src" / "triton_dashboards"
#: What a checkout has that no distribution should: caches, environments, build output.
_NOT_SOURCE = shutil.ignore_patterns(
    ".git", ".venv", "__pycache__", "*.egg-info", ".*_cache", ".cache", "build", "dist"
)
#: A data file in a directory with no Python in it, added to the copy only: data a future
#: module brings (vendored assets, say) must ship without anyone editing a list.
PROBE = "triton_dashboards/assets_probe/vendor/probe.js"


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``dist/`` with the sdist and the wheel of a copy of the working tree."""
    base = tmp_path_factory.mktemp("packaging")
    source = base / "source"
    shutil.copytree(ROOT, source, ignore=_NOT_SOURCE)
    probe = source / "src" / PROBE
    probe.parent.mkdir(parents=True)
    probe.write_text("// shipped as it is\n", encoding="utf-8")
    # What `make docs` generates in the tree (autosummary's pages) is output, not source.
    generated = source / "docs" / "api"
    generated.mkdir(exist_ok=True)
    (generated / "triton_dashboards.rst").write_text("generated\n", encoding="utf-8")
    command = [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(base / "dist")]
    result = subprocess.run(
        [*command, "."], cwd=source, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return base / "dist"


def _one(dist: Path, pattern: str) -> Path:
    [path] = dist.glob(pattern)
    return path


def _wheel_names(dist: Path) -> set[str]:
    with zipfile.ZipFile(_one(dist, "*.whl")) as wheel:
        return set(wheel.namelist())


def _sdist_names(dist: Path) -> set[str]:
    with tarfile.open(_one(dist, "*.tar.gz")) as sdist:
        # every member sits under triton_dashboards-<version>/
        return {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}


def _source_files(top: Path) -> list[Path]:
    return [
        p
        for p in sorted(top.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts and p.suffix not in {".pyc", ".pyo"}
    ]


@pytest.mark.e2e
def test_twine_accepts_the_sdist_and_the_wheel(dist: Path) -> None:
    files = [str(_one(dist, "*.tar.gz")), str(_one(dist, "*.whl"))]
    result = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", *files],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("PASSED") == 2, result.stdout


@pytest.mark.e2e
def test_the_wheel_carries_every_file_of_the_package(dist: Path) -> None:
    """Modules and data alike: the workloads, the runbook, py.typed, the stock dashboards,
    and any data a new module brings (a vendored asset directory included), so that no
    package-data list has to be kept in step by hand."""
    names = _wheel_names(dist)
    expected = {str(p.relative_to(PACKAGE.parent)) for p in _source_files(PACKAGE)}
    assert sorted(expected - names) == []
    assert PROBE in names
    for must in (
        "triton_dashboards/py.typed",
        "triton_dashboards/prometheus/rules/runbook.md",
        "triton_dashboards/simulator/ner.yaml",
        "triton_dashboards/simulator/vllm.yaml",
        "triton_dashboards/simulator/trtllm.yaml",
        "triton_dashboards/dashboard/stock/__init__.py",
    ):
        assert must in names, must
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    assert not [n for n in names if n.startswith(("tests/", "docs/", "dashboards/"))]


@pytest.mark.e2e
def test_the_wheel_has_the_licence_the_version_and_the_command(dist: Path) -> None:
    version = triton_dashboards.__version__
    info = f"triton_dashboards-{version}.dist-info"
    names = _wheel_names(dist)
    assert f"{info}/licenses/LICENSE" in names
    with zipfile.ZipFile(_one(dist, "*.whl")) as wheel:
        metadata = email.message_from_bytes(wheel.read(f"{info}/METADATA"))
        entry_points = wheel.read(f"{info}/entry_points.txt").decode()
    assert metadata["Version"] == version
    assert metadata["License-Expression"] == "Apache-2.0"
    assert "triton-dashboards = triton_dashboards.cli:main" in entry_points


@pytest.mark.e2e
def test_the_sdist_carries_the_tests_with_their_data_and_what_they_read(dist: Path) -> None:
    names = _sdist_names(dist)
    data = {str(p.relative_to(ROOT)) for p in _source_files(TESTDATA)}
    assert data, "tests/data is empty"
    assert sorted(data - names) == []
    for must in (
        "LICENSE",
        "CHANGELOG.md",
        "Makefile",
        "tests/conftest.py",
        "tests/grafana_double/__init__.py",
        "docs/metrics.md",
        "dashboards/triton-overview.json",
    ):
        assert must in names, must
    assert not [n for n in names if "__pycache__" in n or n.startswith(".venv/")]
    assert not [n for n in names if n.startswith("docs/api/")], "make docs output in the sdist"


def test_the_version_lives_in_one_place() -> None:
    """pyproject.toml reads it from the package; the command prints it from there too."""
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'dynamic = ["version"]' in pyproject
    assert 'attr = "triton_dashboards.__version__"' in pyproject
    assert "\nversion = " not in pyproject.split("[tool.")[0]
    result = subprocess.run(
        [sys.executable, "-m", "triton_dashboards", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"triton-dashboards, version {triton_dashboards.__version__}"

"""The repository stands alone: a clone with nothing beside it builds, documents and tests.

Everything the tests compare against lives in ``tests/data/`` with its provenance, and no
file of the project points at material outside the repository (a reference directory next
to the checkout, its notes by file name, or the environment variable that once located it).
"""

from __future__ import annotations

import re
from pathlib import Path

from _support import ROOT, TESTDATA

#: What the project's files may not cite: a sibling directory, or notes that lived there.
_OUTSIDE = re.compile(
    r"\.\./shared"
    r"|\bshared/(triton|grafana|prometheus|grafana-schema)\b"
    r"|\b(METRICS|API|NOTES|DESIGN|EXAMPLES)\.md\b"
    r"|TRITON_DASHBOARDS_SHARED"
)
_TEXT = {".py", ".md", ".toml", ".yaml", ".yml", ".cfg", ".txt", ".json", ""}
_SCANNED = ("src", "tests", "bench", "docs", "dashboards")
_TOP = ("README.md", "Makefile", "pyproject.toml", "BENCHMARKS.md", "CHANGELOG.md", ".ci/run")


def _project_files() -> list[Path]:
    files = [ROOT / name for name in _TOP if (ROOT / name).is_file()]
    for top in _SCANNED:
        for path in sorted((ROOT / top).rglob("*")):
            skipped = {"__pycache__", ".cache"} & set(path.parts) or path.is_relative_to(TESTDATA)
            if path.is_file() and path.suffix in _TEXT and not skipped:
                files.append(path)
    # this file spells out what it looks for
    return [f for f in files if ".egg-info" not in str(f) and f != Path(__file__).resolve()]


def test_no_project_file_points_outside_the_repository() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in _project_files()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if _OUTSIDE.search(line)
    ]
    assert not offenders, "\n".join(offenders)


def test_the_guard_catches_each_kind_of_outside_reference() -> None:
    for line in (
        "see ../shared/triton",
        "after shared/triton/samples",
        "(METRICS.md §4.5)",
        "follows API.md to the status code",
        "TRITON_DASHBOARDS_SHARED=/x",
    ):
        assert _OUTSIDE.search(line), line
    assert not _OUTSIDE.search("docs/metrics.md and Grafana API §6.8, a shared store")


def _data_files() -> list[Path]:
    return [
        path
        for path in sorted(TESTDATA.rglob("*"))
        if path.is_file() and path.name != "README.md" and not path.name.startswith("LICENSE")
    ]


def _up_to_testdata(path: Path) -> list[Path]:
    """The directories from ``path``'s own up to ``tests/data``, nearest first."""
    return [d for d in path.parents if d == TESTDATA or d.is_relative_to(TESTDATA)]


def test_every_data_file_is_named_in_a_readme_with_its_source() -> None:
    unnamed = []
    for path in _data_files():
        readmes = [d / "README.md" for d in _up_to_testdata(path) if (d / "README.md").is_file()]
        if not any(path.name in r.read_text(encoding="utf-8") for r in readmes):
            unnamed.append(str(path.relative_to(TESTDATA)))
    assert _data_files(), "tests/data is empty"
    assert not unnamed, f"not named in any README.md of tests/data: {unnamed}"


def test_every_data_file_has_a_licence_beside_it_or_above() -> None:
    unlicensed = sorted(
        str(path.relative_to(TESTDATA))
        for path in _data_files()
        if not any(any(d.glob("LICENSE*")) for d in _up_to_testdata(path))
    )
    assert not unlicensed, f"no LICENSE* file for: {unlicensed}"

"""The house plan, checked: floors import only downward, modules stay small, the public
names keep working, and docs/internals.md "Layout of the code" lists what ``src/`` holds.

These are the rules of docs/internals.md (the layout and the floors) made executable, so that a
change which breaks one fails here with the offending import or module named.
"""

from __future__ import annotations

import ast
import importlib
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "triton_dashboards"

GROUND = {"catalog", "promql", "validation", "defaults", "files", "redaction"}
#: Which floors each floor may import (besides itself). The ground floor's members are
#: listed one by one: the catalog knows nothing of PromQL, PromQL nothing of Triton.
ALLOWED: dict[str, set[str]] = {
    "validation": set(),
    "defaults": set(),
    "files": set(),
    "redaction": set(),
    "catalog": {"validation"},
    "promql": {"validation"},
    "query": GROUND,
    "dashboard": GROUND | {"query"},
    # Publishing works on rendered JSON: nothing of queries or panels.
    "grafana": GROUND,
    "prometheus": GROUND | {"query"},
    "simulator": GROUND,
    # Reading a live system: runs rendered dashboards' queries, explains with the recipes.
    "inspect": GROUND | {"query"},
    # Pictures of dashboards from the engine's answers: no panels, no Grafana client.
    "preview": GROUND | {"inspect"},
}
#: Public re-exports and entry points sit on top and may import anything.
TOP = {"__init__", "__main__", "cli", "panels", "queries", "rules"}
#: "no module over ~400 lines" (issue 9); the tilde leaves room for a docstring.
MAX_LINES = 420


def _modules() -> Iterator[Path]:
    yield from sorted(PACKAGE.rglob("*.py"))


def _floor(path: Path) -> str:
    return path.relative_to(PACKAGE).parts[0].removesuffix(".py")


def _imported_floors(path: Path) -> Iterator[tuple[int, str]]:
    """(line, floor) for every import of a triton_dashboards module in ``path``."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "triton_dashboards":
                names = [f"triton_dashboards.{alias.name}" for alias in node.names]
            else:
                names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "triton_dashboards" and len(parts) > 1:
                yield node.lineno, parts[1]


def test_floors_import_only_downward() -> None:
    wrong = []
    for path in _modules():
        floor = _floor(path)
        if floor in TOP:
            continue
        allowed = ALLOWED[floor] | {floor}
        wrong += [
            f"{path.relative_to(ROOT)}:{line} imports {target}"
            for line, target in _imported_floors(path)
            if target not in allowed
        ]
    assert not wrong, "\n".join(wrong)


def test_every_floor_is_known() -> None:
    floors = {_floor(path) for path in _modules()}
    assert floors <= set(ALLOWED) | TOP, floors - set(ALLOWED) - TOP


def test_no_module_is_over_about_400_lines() -> None:
    long = {
        str(path.relative_to(ROOT)): n
        for path in _modules()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long, long


def test_old_public_imports_and_new_paths_are_the_same_objects() -> None:
    from triton_dashboards import Dashboard, Recording, Row, Scope, panels, queries
    from triton_dashboards.panels import Query, Unit
    from triton_dashboards.rules import RulesConfig

    new = {
        "Dashboard": ("triton_dashboards.dashboard.model", Dashboard),
        "Row": ("triton_dashboards.dashboard.layout", Row),
        "Scope": ("triton_dashboards.query.scope", Scope),
        "Recording": ("triton_dashboards.query.recording", Recording),
        "Query": ("triton_dashboards.dashboard.panels", Query),
        "Unit": ("triton_dashboards.dashboard.panels", Unit),
        "RulesConfig": ("triton_dashboards.prometheus.rules", RulesConfig),
    }
    for name, (module, obj) in new.items():
        assert getattr(importlib.import_module(module), name) is obj, name
    assert (
        panels.requests_per_minute
        is importlib.import_module("triton_dashboards.dashboard.panels").requests_per_minute
    )
    assert (
        queries.request_rate
        is importlib.import_module("triton_dashboards.query.recipes").request_rate
    )


@pytest.mark.parametrize("name", ["panels", "queries", "rules"])
def test_public_shims_export_everything_their_module_lists(name: str) -> None:
    shim = importlib.import_module(f"triton_dashboards.{name}")
    for exported in shim.__all__:
        assert hasattr(shim, exported), f"triton_dashboards.{name}.{exported}"


def _documented_layout() -> dict[str, set[str]]:
    """docs/internals.md's layout block as {package: {module names}}; "" is the top of the package.

    A line ``name/  a, b, c  (text)`` lists a package's modules before any two-space gap
    and text; a line ``name  text`` is a module of the top level.
    """
    text = (ROOT / "docs" / "internals.md").read_text(encoding="utf-8")
    section = text.split("## Layout of the code", 1)[1]
    block = re.search(r"```text\n(.*?)```", section, re.S)
    assert block, "docs/internals.md 'Layout of the code' needs a ```text block with the tree"
    listed: dict[str, set[str]] = {"": set()}
    for line in block.group(1).splitlines()[1:]:
        if not line.strip():
            continue
        head, _, rest = line.strip().partition("  ")
        if head.endswith("/"):
            modules = rest.strip().split("  ")[0]
            listed[head.rstrip("/")] = {m.strip() for m in modules.split(",") if m.strip()}
        else:
            listed[""].add(head)
    return listed


def _src_layout() -> dict[str, set[str]]:
    actual: dict[str, set[str]] = {"": set()}
    for path in _modules():
        rel = path.relative_to(PACKAGE)
        if len(rel.parts) == 1:
            if rel.stem not in {"__init__", "__main__"}:
                actual[""].add(rel.stem)
            continue
        package = "/".join(rel.parts[:-1])
        actual.setdefault(package, set())
        if rel.stem != "__init__":
            actual[package].add(rel.stem)
    return actual


def test_documented_layout_lists_every_module_of_src() -> None:
    assert _documented_layout() == _src_layout()

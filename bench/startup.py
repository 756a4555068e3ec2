"""Benchmark: start-up before and after the panel model (issue 18), in one run.

Before the model every panel went through grafanalib, whose import (~130 ms) every command
paid. This script measures, as subprocesses of one interpreter, interleaved, medians of
``--repeat`` runs each:

* ``import triton_dashboards``, and the imports of a dashboard file
  (``from triton_dashboards import Dashboard, Row, panels``);
* ``triton-dashboards --help``;
* ``triton-dashboards build`` of the stock dashboards (a copy of ``dashboards/``);

for the tree at ``--before`` (default: the commit before the model landed, from git) and the
working tree. The before tree is taken with ``git archive`` into a temporary folder and run
with ``PYTHONPATH`` pointing at its ``src``; both use this venv's packages.

``--models PYTHON`` also times the imports the model decision compared, in that interpreter
(it needs grafanalib, grafana-foundation-sdk==0.0.21 and attrs): grafanalib, the sdk's v2
models and builders, and ours. A benchmark, not a test: it always exits 0.

    .venv/bin/python bench/startup.py
    .venv/bin/python bench/startup.py --repeat 21 --models /tmp/sdk/bin/python
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: The file the model added: the commit before the one that added it is "before".
MODEL_FILE = "src/triton_dashboards/dashboard/schema/panel.py"
COMMANDS = {
    "import triton_dashboards": ["-c", "import triton_dashboards"],
    "a dashboard file's imports": ["-c", "from triton_dashboards import Dashboard, Row, panels"],
    "triton-dashboards --help": ["-m", "triton_dashboards", "--help"],
    "build (stock dashboards)": ["-m", "triton_dashboards", "build", "--dir", "dashboards"],
}
MODEL_IMPORTS = {
    "attrs alone (grafanalib and ours are built on it; the whole package imports it)": (
        "import attrs"
    ),
    "grafanalib.core": "import grafanalib.core",
    "grafana-foundation-sdk 0.0.21 (v2 models)": "import grafana_foundation_sdk.models.dashboardv2",
    "grafana-foundation-sdk 0.0.21 (v2 + panel builders)": (
        "from grafana_foundation_sdk.builders import dashboardv2, timeseries, stat, gauge, "
        "bargauge, table, heatmap, text, barchart, prometheus"
    ),
    "ours (triton_dashboards.dashboard.schema: model, v1, v2)": (
        "from triton_dashboards.dashboard.schema import panel, viz, field, variable, v1, v2"
    ),
}


def _git(*args: str) -> bytes:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, check=True).stdout


def before_commit() -> str:
    added = _git("log", "--diff-filter=A", "--format=%H", "--", MODEL_FILE).split()
    return f"{added[-1].decode()}^" if added else "HEAD"


def _tree(rev: str, into: Path) -> Path:
    """``src`` and ``dashboards`` of ``rev`` under ``into``."""
    archive = _git("archive", "--format=tar", rev, "src", "dashboards")
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


def _work_tree(into: Path) -> Path:
    shutil.copytree(ROOT / "src", into / "src", ignore=shutil.ignore_patterns("*.egg-info"))
    shutil.copytree(ROOT / "dashboards", into / "dashboards")
    return into


def _time(argv: list[str], tree: Path) -> float:
    env = {**os.environ, "PYTHONPATH": str(tree / "src"), "PYTHONDONTWRITEBYTECODE": ""}
    start = time.perf_counter()
    subprocess.run(argv, cwd=tree, env=env, capture_output=True, check=True)
    return (time.perf_counter() - start) * 1000


def startup(rev: str, repeat: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        trees = {
            f"before ({rev})": _tree(rev, Path(tmp) / "before"),
            "after (this tree)": _work_tree(Path(tmp) / "after"),
        }
        times: dict[tuple[str, str], list[float]] = {}
        for tree in trees.values():  # warm-up: byte-compile, fill the OS cache
            for args in COMMANDS.values():
                _time([sys.executable, *args], tree)
        for i in range(repeat):
            order = list(trees.items())[i % 2 :] + list(trees.items())[: i % 2]
            for name, tree in order:
                for command, args in COMMANDS.items():
                    times.setdefault((command, name), []).append(
                        _time([sys.executable, *args], tree)
                    )
        print(f"| median of {repeat} runs, ms | " + " | ".join(trees) + " | after / before |")
        print("|---|" + "---:|" * (len(trees) + 1))
        for command in COMMANDS:
            before, after = (statistics.median(times[(command, t)]) for t in trees)
            print(f"| `{command}` | {before:.0f} | {after:.0f} | {after / before:.2f} |")


def _importtime(python: str, statement: str, env: dict[str, str]) -> float:
    """Milliseconds of the top-level imports ``python -X importtime -c statement`` lists."""
    err = subprocess.run(
        [python, "-X", "importtime", "-c", statement],
        env=env, capture_output=True, text=True, check=True,
    ).stderr  # fmt: skip
    total = 0
    for line in err.splitlines():
        parts = line.split("|")
        top_level = parts[-1].startswith(" ") and not parts[-1].startswith("  ")
        counted = len(parts) == 3 and parts[1].strip().isdigit()
        if line.startswith("import time:") and top_level and counted:
            total += int(parts[1])  # a top-level import: cumulative µs
    return total / 1000


def model_imports(python: str, repeat: int) -> None:
    """What each statement imports beyond the interpreter's own start-up (``pass``)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    runs: dict[str, list[float]] = {}
    for _ in range(repeat):  # interleaved, so load from elsewhere hits all alike
        for name, statement in {"pass": "pass", **MODEL_IMPORTS}.items():
            runs.setdefault(name, []).append(_importtime(python, statement, env))
    base = statistics.median(runs.pop("pass"))
    print(f"\n| `{python} -X importtime`, median of {repeat}, beyond start-up | ms |")
    print("|---|---:|")
    for name, times in runs.items():
        print(f"| {name} | {statistics.median(times) - base:.0f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", default=None, help="git revision of the before state")
    parser.add_argument("--repeat", type=int, default=11)
    parser.add_argument(
        "--models", metavar="PYTHON", help="interpreter with grafanalib and the sdk"
    )
    args = parser.parse_args()
    startup(args.before or before_commit(), args.repeat)
    if args.models:
        model_imports(args.models, args.repeat)


if __name__ == "__main__":
    main()

"""Benchmark: how long ``triton-dashboards preview`` takes, next to its targets (issue 17).

Run from the repository root::

    .venv/bin/python bench/preview.py            # 3 demo runs, 7 single-dashboard runs
    .venv/bin/python bench/preview.py --quick    # 1 and 3

This is a benchmark, not a test: it always exits 0. Every figure is the wall time of the
real command in a fresh process (imports included, as a user waits for it), the median of
the runs, printed next to its target as a ratio (below 1 meets it):

1. ``preview --demo`` of every committed dashboard (10): the demo Prometheus backfilled
   (the simulator's four pods, an hour at 15 s, the stock recording rules in two passes),
   started, every dashboard drawn, stopped. Target 30 s. Also with ``--png`` (Chromium
   per page), for information.
2. ``preview --prometheus URL`` of one dashboard (the overview, 18 panels) against a
   running Prometheus (the demo's, kept running across the runs). Target 2 s. The share
   spent in the engine and the drawing is measured in process beside it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLI = Path(sys.executable).parent / "triton-dashboards"
DEMO_TARGET_S = 30.0
ONE_TARGET_S = 2.0
OVERVIEW = ROOT / "dashboards" / "triton-overview.json"


def _wall(command: list[str]) -> float:
    began = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    took = time.perf_counter() - began
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed: {done.stderr.strip()[-300:]}")
    return took


def _line(what: str, runs: list[float], target: float | None) -> str:
    median = statistics.median(runs)
    ratio = f"{median / target:.2f}x of the {target:g} s target" if target else "no target"
    spread = ", ".join(f"{r:.2f}" for r in runs)
    return f"{what:<52} median {median:6.2f} s  ({ratio}; runs {spread})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs")
    args = parser.parse_args()
    demo_runs, one_runs = (1, 3) if args.quick else (3, 7)
    print(f"{platform.node()} {os.cpu_count()} cores, Python {platform.python_version()}")
    with tempfile.TemporaryDirectory(prefix="bench-preview-") as tmp:
        out = Path(tmp)
        demo = [
            _wall([str(CLI), "preview", "--demo", "-o", str(out / "d")]) for _ in range(demo_runs)
        ]
        print(_line("preview --demo, 10 dashboards", demo, DEMO_TARGET_S), flush=True)
        png = [_wall([str(CLI), "preview", "--demo", "--png", "-o", str(out / "p")])]
        print(_line("preview --demo --png, 10 dashboards (information)", png, None), flush=True)
        one, inside = _one_dashboard(out, one_runs)
        print(_line("preview --prometheus URL, the overview", one, ONE_TARGET_S))
        print(_line("  of which the engine's queries and the drawing", inside, None))
        result = {
            "demo_s": statistics.median(demo),
            "demo_png_s": statistics.median(png),
            "one_s": statistics.median(one),
            "one_in_process_s": statistics.median(inside),
        }
        print(json.dumps(result))


def _one_dashboard(out: Path, runs: int) -> tuple[list[float], list[float]]:
    from triton_dashboards import rules
    from triton_dashboards.inspect import Prometheus, QueryContext, run_dashboard
    from triton_dashboards.preview.backfill import Target
    from triton_dashboards.preview.demo import demo_prometheus
    from triton_dashboards.preview.draw import draw
    from triton_dashboards.simulator.demo import demo_pods

    targets = [Target(pod.labels, pod.scrape()) for pod in demo_pods()]
    dashboard = json.loads(OVERVIEW.read_text(encoding="utf-8"))
    with demo_prometheus(targets, rules.render(rules.RulesConfig())) as demo:
        command = [str(CLI), "preview", "--prometheus", demo.url, "-o", str(out / "o")]
        _wall([*command, str(OVERVIEW)])  # warm the server's page cache once
        walls = [_wall([*command, str(OVERVIEW)]) for _ in range(runs)]
        context = QueryContext(start=demo.start, end=demo.end, scrape_interval=demo.scrape_interval)
        inside = []
        for _ in range(runs):
            began = time.perf_counter()
            draw(run_dashboard(dashboard, Prometheus(demo.url), context), source=demo.url)
            inside.append(time.perf_counter() - began)
    return walls, inside


if __name__ == "__main__":
    main()

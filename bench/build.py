"""Benchmark: how long building dashboards takes, and what our layer adds to grafanalib.

Run from the repository root::

    .venv/bin/python bench/build.py            # full run, 7 repeats
    .venv/bin/python bench/build.py --quick    # smoke run: 3 repeats, 10 dashboards

This is a benchmark, not a test: it always exits 0. The machine it is meant for has two
noisy cores, so every comparison is measured side by side in the same process, the
variants are interleaved within each repeat (their order rotating from one repeat to
the next), and the figures are medians.

1. Stock dashboards: ``project.build`` over ``dashboards/*.dashboard.py`` (run each file,
   render, lint) the way ``triton-dashboards build`` does, without writing anything;
   and rendering the same four dashboard objects alone (no files, no lint).
2. Generated dashboards (default 100 of 20 time series panels each):
   (a) ours: ``panels.timeseries`` + ``Row`` + ``Dashboard`` + ``render``;
   (b) grafanalib alone: the same panels made with ``g.TimeSeries`` / ``g.Target``,
       placed by hand, ``g.Dashboard(...).auto_panel_ids()``, ``json.dumps`` with
       grafanalib's ``DashboardEncoder``;
   (c) ours including the PromQL: as (a), with the expressions built by
       ``triton_dashboards.query.recipes`` inside the timed region.
   (a) and (b) take the same expression strings, computed once outside the timing.
3. Startup: ``triton-dashboards --help`` against ``python -c pass`` (same interpreter).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
CLI = VENV_BIN / "triton-dashboards"

#: Targets from the brief.
MAX_OVERHEAD_RATIO = 1.20  # ours / grafanalib alone, variant (a) / (b)
MAX_HELP_MS = 300.0

PANELS_PER_DASHBOARD = 20
PANELS_PER_ROW = 10
#: Widths cycle so that each row wraps into 4 lines: 12+12 | 8+8+8 | 24 | 6+6+6+6.
WIDTHS = (12, 12, 8, 8, 8, 24, 6, 6, 6, 6)
HEIGHT = 8


# --------------------------------------------------------------------------- timing


def _time_once(fn: Callable[[], Any]) -> float:
    gc.collect()
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def interleaved(variants: dict[str, Callable[[], Any]], repeat: int) -> dict[str, list[float]]:
    """Run every variant once per repeat, rotating the order; seconds per variant."""
    names = list(variants)
    for name in names:  # warm-up: imports, caches, first-call costs
        variants[name]()
    times: dict[str, list[float]] = {name: [] for name in names}
    for r in range(repeat):
        k = r % len(names)
        for name in names[k:] + names[:k]:
            times[name].append(_time_once(variants[name]))
    return times


def subprocess_times(
    commands: dict[str, list[str]], runs: int
) -> tuple[dict[str, list[float]], dict[str, int]]:
    """Wall time of each command, ``runs`` times, interleaved (seconds); last exit codes."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    names = list(commands)
    for name in names:  # warm the page cache and the .pyc files already there
        subprocess.run(commands[name], cwd=ROOT, env=env, capture_output=True, check=False)
    times: dict[str, list[float]] = {name: [] for name in names}
    codes: dict[str, int] = {}
    for r in range(runs):
        k = r % len(names)
        for name in names[k:] + names[:k]:
            start = time.perf_counter()
            done = subprocess.run(
                commands[name], cwd=ROOT, env=env, capture_output=True, check=False
            )
            times[name].append(time.perf_counter() - start)
            codes[name] = done.returncode
    return times, codes


def med_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def spread(samples: list[float]) -> str:
    return f"{min(samples) * 1000:.1f}-{max(samples) * 1000:.1f}"


# ------------------------------------------------------------------ 1. stock dashboards


def bench_stock(repeat: int) -> list[tuple[str, list[float]]]:
    from triton_dashboards.dashboard import stock
    from triton_dashboards.dashboard.project import build, dashboard_files, load
    from triton_dashboards.dashboard.render import render

    sources = dashboard_files(ROOT / "dashboards")
    objects = [load(source) for source in sources]

    def build_all() -> None:
        build(sources)  # runs each file, renders, lints; writes nothing

    def render_only() -> None:
        for dashboard in objects:
            render(dashboard)

    def make_and_render() -> None:
        for make in (stock.overview, stock.model_detail, stock.gpu_and_host):
            render(make())

    times = interleaved(
        {"build": build_all, "render": render_only, "make+render": make_and_render}, repeat
    )
    n = len(sources)
    return [
        (f"project.build, {n} dashboard files (run, render, lint)", times["build"]),
        (f"render() only, the same {n} Dashboard objects", times["render"]),
        ("make + render() the 3 stock dashboards in code", times["make+render"]),
    ]


# ------------------------------------------------------------- 2. generated dashboards


def _recipes() -> list[tuple[str, Callable[[Any], Any], str]]:
    from triton_dashboards.dashboard.panels import Unit
    from triton_dashboards.query import recipes as q
    from triton_dashboards.query.recipes import Phase

    return [
        ("requests per second", q.request_rate, Unit.REQUESTS_PER_SECOND),
        ("failures per second", q.failure_rate, Unit.REQUESTS_PER_SECOND),
        ("failure ratio", q.failure_ratio, Unit.RATIO),
        ("request time", lambda s: q.avg_latency(s, Phase.REQUEST), Unit.MICROSECONDS),
        ("queue time", lambda s: q.avg_latency(s, Phase.QUEUE), Unit.MICROSECONDS),
        ("infer time", lambda s: q.avg_latency(s, Phase.COMPUTE_INFER), Unit.MICROSECONDS),
        ("batch size", q.avg_batch_size, Unit.NONE),
        ("pending requests", q.pending_requests, Unit.COUNT),
        ("inferences per second", q.inference_rate, Unit.OPS_PER_SECOND),
        ("executions per second", q.execution_rate, Unit.OPS_PER_SECOND),
        ("requests per minute", q.requests_per_minute, Unit.REQUESTS_PER_MINUTE),
        ("queued requests", q.avg_requests_in_queue, Unit.COUNT),
        ("cache hit ratio", q.cache_hit_ratio, Unit.RATIO),
        ("failures by reason", q.failures_by_reason, Unit.REQUESTS_PER_SECOND),
        ("p99 first response", lambda s: q.first_response_quantile(s, 0.99), Unit.MILLISECONDS),
    ]


class Spec:
    """One generated panel: everything both variants need, computed outside the timing."""

    __slots__ = ("expr", "grid", "legend", "recipe", "scope", "title", "unit", "width")

    def __init__(self, **fields: Any) -> None:
        for key, value in fields.items():
            setattr(self, key, value)


def generated_specs(n_dashboards: int) -> list[list[Spec]]:
    """``n_dashboards`` lists of 20 panel specs over varied scopes, with hand-placed grids."""
    from triton_dashboards import Scope

    recipes = _recipes()
    base = Scope(namespace="triton", job="triton-metrics")
    out = []
    for i in range(n_dashboards):
        specs = []
        y = 0
        for j in range(PANELS_PER_DASHBOARD):
            if j % PANELS_PER_ROW == 0:
                y += 1  # the row header sits on the line above its panels
                x, line_height = 0, 0
            scope = base.model(f"model_{i}") if j % 2 == 0 else base.model(f"model_{i}", str(j))
            title, recipe, unit = recipes[(i + j) % len(recipes)]
            width = WIDTHS[j % len(WIDTHS)]
            if x + width > 24:
                y, x, line_height = y + line_height, 0, 0
            specs.append(
                Spec(
                    title=f"model_{i}: {title} {j}",
                    recipe=recipe,
                    scope=scope,
                    expr=str(recipe(scope)),
                    legend=scope.legend,
                    unit=unit,
                    width=width,
                    grid=(HEIGHT, width, x, y),
                )
            )
            x, line_height = x + width, max(line_height, HEIGHT)
            if j % PANELS_PER_ROW == PANELS_PER_ROW - 1:
                y += line_height
        out.append(specs)
    return out


def _row_header_y(specs: list[Spec]) -> list[int]:
    """y of each hand-placed row header: one line above the first panel of the row."""
    return [specs[k].grid[3] - 1 for k in range(0, len(specs), PANELS_PER_ROW)]


def ours(all_specs: list[list[Spec]], *, build_promql: bool) -> list[str]:
    from triton_dashboards import Dashboard, Row, panels
    from triton_dashboards.dashboard.panels import Query

    # Not `from triton_dashboards import render`: that name resolves to the submodule
    # triton_dashboards.dashboard.render, not the function (the lazy export is shadowed).
    from triton_dashboards.dashboard.render import render

    texts = []
    for i, specs in enumerate(all_specs):
        made = [
            panels.timeseries(
                s.title,
                [Query(s.recipe(s.scope) if build_promql else s.expr, s.legend)],
                unit=s.unit,
            )
            for s in specs
        ]
        rows = [
            Row(
                f"row {k // PANELS_PER_ROW}",
                made[k : k + PANELS_PER_ROW],
                width=[s.width for s in specs[k : k + PANELS_PER_ROW]],
                height=HEIGHT,
            )
            for k in range(0, len(made), PANELS_PER_ROW)
        ]
        dashboard = Dashboard(title=f"Generated {i}", uid=f"generated-{i}", rows=rows)
        texts.append(render(dashboard))
    return texts


def grafanalib_alone(all_specs: list[list[Spec]]) -> list[str]:
    from grafanalib import core as g
    from grafanalib._gen import DashboardEncoder

    datasource = {"type": "prometheus", "uid": "${datasource}"}
    texts = []
    for i, specs in enumerate(all_specs):
        made: list[Any] = []
        for k, y in zip(range(0, len(specs), PANELS_PER_ROW), _row_header_y(specs), strict=True):
            header = g.GridPos(h=1, w=24, x=0, y=y)
            made.append(g.RowPanel(title=f"row {k // PANELS_PER_ROW}", gridPos=header))
            for s in specs[k : k + PANELS_PER_ROW]:
                h, w, x, y_ = s.grid
                made.append(
                    g.TimeSeries(
                        title=s.title,
                        dataSource=datasource,
                        targets=[
                            g.Target(
                                expr=s.expr,
                                legendFormat=s.legend,
                                refId="A",
                                datasource=datasource,
                            )
                        ],
                        unit=s.unit,
                        gridPos=g.GridPos(h=h, w=w, x=x, y=y_),
                    )
                )
        dashboard = g.Dashboard(
            title=f"Generated {i}",
            uid=f"generated-{i}",
            panels=made,
            templating=g.Templating(
                list=[g.Template(name="datasource", type="datasource", query="prometheus")]
            ),
        ).auto_panel_ids()
        texts.append(
            json.dumps(dashboard.to_json_data(), sort_keys=True, indent=2, cls=DashboardEncoder)
        )
    return texts


def check_same_layout(all_specs: list[list[Spec]]) -> None:
    """Our placement must land every panel where (b) placed it by hand, or (b) is unfair."""
    a = json.loads(ours(all_specs[:1], build_promql=False)[0])
    b = json.loads(grafanalib_alone(all_specs[:1])[0])

    def shape(model: dict[str, Any]) -> list[tuple[Any, ...]]:
        return [
            (p["type"], p["title"], tuple(sorted(p["gridPos"].items())),
             tuple(t["expr"] for t in p.get("targets", ())))
            for p in model["panels"]
        ]  # fmt: skip

    if shape(a) != shape(b):
        raise SystemExit("bench bug: (a) and (b) do not build the same panels in the same places")
    c = ours(all_specs[:1], build_promql=True)[0]
    if json.loads(c) != a:
        raise SystemExit("bench bug: (c) renders differently from (a)")


def bench_generated(n_dashboards: int, repeat: int) -> dict[str, list[float]]:
    all_specs = generated_specs(n_dashboards)
    check_same_layout(all_specs)
    return interleaved(
        {
            "a": lambda: ours(all_specs, build_promql=False),
            "b": lambda: grafanalib_alone(all_specs),
            "c": lambda: ours(all_specs, build_promql=True),
        },
        repeat,
    )


# ---------------------------------------------------------------------------- report


def _row(cells: list[str], widths: list[int]) -> str:
    pairs = enumerate(zip(cells, widths, strict=True))
    return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in pairs)


def table(header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    print(_row(header, widths))
    print(_row(["-" * w for w in widths], widths))
    for r in rows:
        print(_row(r, widths))


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="timed repeats per variant (7)")
    parser.add_argument("--quick", action="store_true", help="smoke run: 3 repeats, 10 dashboards")
    parser.add_argument("--dashboards", type=int, default=None, help="generated dashboards (100)")
    args = parser.parse_args(argv)
    repeat = min(args.repeat, 3) if args.quick else args.repeat
    n_dashboards = args.dashboards or (10 if args.quick else 100)
    startup_runs = max(5, repeat) if args.quick else 3 * repeat
    if repeat < 1 or n_dashboards < 1:
        parser.error("--repeat and --dashboards must be at least 1")

    sys.path.insert(0, str(ROOT / "src"))  # harmless when installed editable
    os.chdir(ROOT)
    import grafanalib

    print(
        f"machine: {os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}), "
        f"Python {platform.python_version()} ({platform.python_implementation()}), "
        f"grafanalib {getattr(grafanalib, '__version__', '0.7.1')}, {platform.machine()}"
    )
    print(f"repeats: {repeat} (medians, variants interleaved){'  [--quick]' if args.quick else ''}")
    print()

    print("1. Stock dashboards (in process, warm imports)")
    stock = bench_stock(repeat)
    table(
        ["what", "median ms", "min-max ms"],
        [[name, f"{med_ms(t):.1f}", spread(t)] for name, t in stock],
    )
    print()

    print(
        f"2. {n_dashboards} generated dashboards x {PANELS_PER_DASHBOARD} time series panels "
        f"(2 rows), to JSON text"
    )
    gen = bench_generated(n_dashboards, repeat)
    b = statistics.median(gen["b"])
    labels = {
        "a": "(a) ours: panels.timeseries + Row + Dashboard + render",
        "b": "(b) grafanalib alone: g.TimeSeries + g.Dashboard + json.dumps",
        "c": "(c) ours including building the PromQL",
    }
    n_panels = n_dashboards * PANELS_PER_DASHBOARD
    table(
        ["variant", "median ms", "min-max ms", "µs/panel", "x (b)"],
        [
            [labels[k], f"{med_ms(gen[k]):.1f}", spread(gen[k]),
             f"{statistics.median(gen[k]) / n_panels * 1e6:.0f}",
             f"{statistics.median(gen[k]) / b:.2f}"]
            for k in ("a", "b", "c")
        ],
    )  # fmt: skip
    ratio = statistics.median(gen["a"]) / b
    paired = [ta / tb for ta, tb in zip(gen["a"], gen["b"], strict=True)]
    print(
        f"   ours/grafanalib, ratio of medians: {ratio:.2f}; per repeat (a and b run back to "
        f"back): median {statistics.median(paired):.2f}, range {min(paired):.2f}-{max(paired):.2f}"
    )
    promql_share = statistics.median(gen["c"]) - statistics.median(gen["a"])
    print(
        f"   PromQL building (c - a): {promql_share * 1000:.1f} ms, "
        f"{promql_share / n_panels * 1e6:.0f} µs/panel"
    )
    print()

    print(f"3. Startup (subprocess, median of {startup_runs} runs)")
    startup, codes = subprocess_times(
        {
            "help": [str(CLI), "--help"],
            "pass": [sys.executable, "-c", "pass"],
            "check": [str(CLI), "check"],
        },
        startup_runs,
    )
    help_ms = med_ms(startup["help"])
    pass_ms = med_ms(startup["pass"])
    table(
        ["command", "median ms", "min-max ms"],
        [
            ["triton-dashboards --help", f"{help_ms:.1f}", spread(startup["help"])],
            ["python -c pass", f"{pass_ms:.1f}", spread(startup["pass"])],
            ["triton-dashboards check (cold build, read-only)", f"{med_ms(startup['check']):.1f}",
             spread(startup["check"])],
        ],
    )  # fmt: skip
    print(f"   --help over bare interpreter: {help_ms - pass_ms:.1f} ms")
    if codes["help"] != 0:
        print(f"   note: triton-dashboards --help exited {codes['help']}")
    if codes["check"] != 0:
        print(
            f"   note: triton-dashboards check exited {codes['check']} (JSON stale or a file "
            "failed to build); its time still covers startup, imports and the build"
        )
    print()

    print("Targets")
    table(
        ["target", "measured", "result"],
        [
            [f"(a)/(b) <= {MAX_OVERHEAD_RATIO:.2f}", f"{ratio:.2f}",
             verdict(ratio <= MAX_OVERHEAD_RATIO)],
            [f"--help < {MAX_HELP_MS:.0f} ms", f"{help_ms:.1f} ms", verdict(help_ms < MAX_HELP_MS)],
        ],
    )  # fmt: skip
    return 0


if __name__ == "__main__":
    main()
    sys.exit(0)

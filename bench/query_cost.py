"""Benchmark: what a refresh of the overview dashboard costs Prometheus, next to NVIDIA's.

Run from the repository root::

    .venv/bin/python bench/query_cost.py                      # full size: 50 models x 2
                                                              # versions x 8 GPUs x 4 pods, 7 d
    .venv/bin/python bench/query_cost.py --days 1 --models 5  # a quick run
    .venv/bin/python bench/query_cost.py --estimate           # time a small build, extrapolate

A benchmark, not a test: it exits 0 once it has measured, whatever the numbers.

1. The reference TSDB (bench/reference_tsdb.py) is backfilled with promtool for the
   families the dashboards (and the recording rules) read, and cached under
   ``bench/.cache/`` keyed by its parameters: the first run builds it, later runs reuse it
   (``--rebuild`` forces a new one). The cache ignores itself in git.
2. Prometheus (the Debian binary, via tests/prometheus_server.py) serves a hard-linked
   copy of it on 127.0.0.1, without scrape jobs.
3. Each dashboard refreshes the way Grafana does (bench/grafana_refresh.py: variables at
   All, Grafana's step and ``$__rate_interval`` for a panel ``--width`` px wide, ranges
   of 1 h, 24 h and 7 d ending where the data ends, ``stats=all``). Per panel: wall time
   (its requests one after another, request to decoded JSON) and
   ``totalQueryableSamples``; medians of ``--repeat`` passes after a warm-up pass. The
   whole dashboard is also refreshed with 6 requests in flight, as a browser does.
4. With ``triton_dashboards.prometheus.rules`` (issue 5), the overview built with
   ``recording_rules=Recording(window=--rule-window)`` is measured too, on the TSDB plus
   its recording rules backfilled by ``promtool tsdb create-blocks-from rules``.

Nothing is written outside a temporary directory and the cache, unless ``--keep DIR``
(Prometheus logs, the rules file and results.json go there).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import dataclasses
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

# Run as a script, so bench/ is on sys.path: these are the two halves next to this file.
import grafana_refresh as gr
import reference_tsdb as ref

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "bench" / ".cache"
OVERVIEW_JSON = ROOT / "dashboards" / "triton-overview.json"
NVIDIA_JSON = Path("triton") / "dashboards" / "triton-server_k8s-onprem_dashboard.json"
RANGES = (("1h", 3600), ("24h", 86400), ("7d", 7 * 86400))
#: Issue 4 part 4: the overview on recorded series refreshes over 24 h in under 1 s.
MAX_RECORDED_24H_S = 1.0
#: Requests a browser keeps in flight to one host over HTTP/1.1.
IN_FLIGHT = 6
TITLES = {
    "overview": "Overview (ours)",
    "overview-recorded": "Overview on recording rules (ours)",
    "nvidia": "NVIDIA k8s-onprem",
}


class BenchError(Exception):
    """Something the user can fix; printed as one ``error:`` line."""


# ----------------------------------------------------------------------- measurement


@dataclasses.dataclass(frozen=True)
class Outcome:
    wall: float
    samples: int
    series: int
    error: str | None
    engine: float = 0.0  # Prometheus' evalTotalTime: the rest is HTTP and JSON


def send(session: Any, url: str, request: gr.Request) -> Outcome:
    """POST one request; the wall time covers the request and decoding its JSON."""
    began = time.perf_counter()
    body = session.post(f"{url}{request.path}", data=request.form, timeout=600).json()
    wall = time.perf_counter() - began
    if body.get("status") != "success":
        return Outcome(wall, 0, 0, f"{body.get('errorType')}: {body.get('error')}")
    data = body["data"]
    stats = data.get("stats", {})
    samples = int(stats.get("samples", {}).get("totalQueryableSamples", 0))
    engine = float(stats.get("timings", {}).get("evalTotalTime", 0.0))
    result = data.get("result")
    series = len(result) if isinstance(result, list) else 1
    return Outcome(wall, samples, series, None, engine)


@dataclasses.dataclass
class Measured:
    """One dashboard over one range: per-panel walls per pass, and what came back."""

    dashboard: str
    range_name: str
    panels: list[gr.Panel]
    requests: list[gr.Request]
    walls: dict[int, list[float]] = dataclasses.field(default_factory=dict)
    engines: list[float] = dataclasses.field(default_factory=list)  # summed per pass
    outcomes: list[Outcome] = dataclasses.field(default_factory=list)  # one per request
    refresh: list[float] = dataclasses.field(default_factory=list)

    def wall(self, i: int) -> float:
        return statistics.median(self.walls[i])

    def of_panel(self, i: int) -> list[Outcome]:
        return [o for q, o in zip(self.requests, self.outcomes, strict=True) if q.panel == i]

    def samples(self, i: int) -> int:
        return sum(o.samples for o in self.of_panel(i))

    def status(self, i: int) -> str:
        mine = self.of_panel(i)
        errors = [o.error for o in mine if o.error]
        if errors:
            return "error: " + errors[0]
        empty = sum(1 for o in mine if o.series == 0)
        if empty == len(mine):
            return "no data"
        return f"{empty} of {len(mine)} queries empty" if empty else ""

    @property
    def total_wall(self) -> float:
        return sum(self.wall(i) for i in self.walls)

    @property
    def total_samples(self) -> int:
        return sum(self.samples(i) for i in self.walls)

    @property
    def engine(self) -> float:
        """Median over the passes of Prometheus' own evaluation time, all requests."""
        return statistics.median(self.engines) if self.engines else 0.0

    @property
    def refresh_wall(self) -> float | None:
        return statistics.median(self.refresh) if self.refresh else None

    def heaviest(self) -> tuple[int, str]:
        i = max(self.walls, key=self.samples)
        return self.samples(i), self.panels[i].title


def measure(
    url: str,
    runs: Sequence[Measured],
    *,
    repeat: int,
    in_flight: int,
) -> None:
    """A warm-up pass, then ``repeat`` passes over every run, each run's panels in order."""
    import requests

    local = threading.local()
    opened: list[Any] = []

    def in_thread(request: gr.Request) -> Outcome:
        if not hasattr(local, "session"):
            local.session = requests.Session()
            opened.append(local.session)
        return send(local.session, url, request)

    since = time.perf_counter()
    with requests.Session() as session, concurrent.futures.ThreadPoolExecutor(
        max_workers=max(1, in_flight)
    ) as pool:  # fmt: skip
        for rep in range(repeat + 1):
            for run in runs:
                walls: dict[int, float] = {}
                outcomes = []
                for request in run.requests:
                    o = send(session, url, request)
                    walls[request.panel] = walls.get(request.panel, 0.0) + o.wall
                    outcomes.append(o)
                refresh = None
                if in_flight:
                    began = time.perf_counter()
                    list(pool.map(in_thread, run.requests))
                    refresh = time.perf_counter() - began
                if rep == 0:  # the warm-up pass fills caches and is not counted
                    continue
                for i, wall in walls.items():
                    run.walls.setdefault(i, []).append(wall)
                run.engines.append(sum(o.engine for o in outcomes))
                run.outcomes = outcomes
                if refresh is not None:
                    run.refresh.append(refresh)
            label = "warm-up pass" if rep == 0 else f"pass {rep}/{repeat}"
            print(f"  {label} done, {time.perf_counter() - since:.0f} s", flush=True)
    for s in opened:
        s.close()


# -------------------------------------------------------------------------- reporting


def fmt_samples(n: float) -> str:
    if n >= 1e6:
        return f"{n / 1e6:.1f} M"
    return f"{n / 1e3:.0f} k" if n >= 1e4 else f"{n:.0f}"


def fmt_ms(s: float) -> str:
    return f"{s * 1000:,.0f}" if s >= 0.1 else f"{s * 1000:.1f}"


def markdown(header: Sequence[str], rows: Sequence[Sequence[str]], align: str = "") -> str:
    """A Markdown table; ``align`` has an ``l`` or ``r`` per column (default: ``l``, then ``r``)."""
    align = align or "l" + "r" * (len(header) - 1)
    widths = [max(3, *(len(r[i]) for r in [header, *rows])) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        padded = [
            c.rjust(w) if a == "r" else c.ljust(w)
            for c, w, a in zip(cells, widths, align, strict=True)
        ]
        return "| " + " | ".join(padded) + " |"

    rules = [
        "-" * (w - 1) + ":" if a == "r" else "-" * w for w, a in zip(widths, align, strict=True)
    ]
    return "\n".join([line(header), "| " + " | ".join(rules) + " |", *map(line, rows)])


def panel_table(runs: Sequence[Measured]) -> str:
    """One dashboard: a row per panel, ms and samples per range."""
    first = runs[0]
    header = ["panel", "queries"]
    for r in runs:
        header += [f"{r.range_name} ms", f"{r.range_name} samples"]
    rows = []
    for i, panel in enumerate(first.panels):
        mine = [q for q in first.requests if q.panel == i]
        row = [panel.title, str(len(mine))]
        notes = ["instant"] if any(q.path.endswith("/query") for q in mine) else []
        for r in runs:
            row += [fmt_ms(r.wall(i)), fmt_samples(r.samples(i))]
            status = r.status(i)
            if status and status not in notes:
                notes.append(status[:120])
        rows.append([*row, "; ".join(notes)])
    total = ["**whole dashboard, one request at a time**", str(len(first.requests))]
    for r in runs:
        total += [f"**{fmt_ms(r.total_wall)}**", f"**{fmt_samples(r.total_samples)}**"]
    rows.append([*total, ""])
    if first.refresh:
        refresh = [f"whole dashboard, {IN_FLIGHT} requests in flight", ""]
        for r in runs:
            refresh += [fmt_ms(r.refresh_wall or 0.0), ""]
        rows.append([*refresh, ""])
    return markdown([*header, "notes"], rows, "l" + "r" * (len(header) - 1) + "l")


def summary_table(runs: Sequence[Measured]) -> str:
    """Every dashboard and range on one line: the figures BENCHMARKS.md records."""
    rows = []
    for dashboard, title in TITLES.items():
        for r in (r for r in runs if r.dashboard == dashboard):
            samples, heaviest = r.heaviest()
            rows.append(
                [
                    title,
                    r.range_name,
                    str(len(r.requests)),
                    fmt_ms(r.total_wall),
                    fmt_ms(r.engine),
                    fmt_ms(r.refresh_wall) if r.refresh_wall is not None else "-",
                    fmt_samples(r.total_samples),
                    f"{fmt_samples(samples)} ({heaviest})",
                ]
            )
    header = ["dashboard", "range", "queries", "ms, one at a time", "of which engine ms",
              f"ms, {IN_FLIGHT} in flight", "samples", "heaviest panel (samples)"]  # fmt: skip
    return markdown(header, rows, "llrrrrrl")


def failures(runs: Sequence[Measured]) -> list[str]:
    """Each target that failed or returned nothing, with the ranges where it did."""
    found: dict[tuple[str, str, str], list[str]] = {}
    for r in runs:
        for q, o in zip(r.requests, r.outcomes, strict=True):
            if o.error or o.series == 0:
                expr = r.panels[q.panel].targets[q.target].expr
                why = o.error or "no data"
                key = (TITLES[r.dashboard], r.panels[q.panel].title, f"{expr} -> {why}")
                found.setdefault(key, []).append(r.range_name)
    return [f"- {d}, {p} ({', '.join(rs)}): `{e}`" for (d, p, e), rs in found.items()]


def steps_line(runs: Sequence[Measured]) -> str:
    """The step and $__rate_interval our panels got per range (NVIDIA's may differ)."""
    seen: dict[str, str] = {}
    for r in runs:
        ranged = next((q for q in r.requests if q.path.endswith("query_range")), None)
        if r.dashboard == "overview" and ranged is not None:
            rate = gr.duration(ranged.rate_interval)
            seen[r.range_name] = f"{r.range_name}: step {gr.duration(ranged.step)}, rate {rate}"
    return "; ".join(seen.values())


def targets_table(runs: Sequence[Measured]) -> str:
    def find(dashboard: str, range_name: str) -> Measured | None:
        return next(
            (r for r in runs if (r.dashboard, r.range_name) == (dashboard, range_name)), None
        )

    def refresh(run: Measured) -> str:
        return (
            f", {fmt_ms(run.refresh_wall)} ms with {IN_FLIGHT} in flight"
            if run.refresh_wall
            else ""
        )

    rows = []
    for range_name, _ in RANGES:
        nvidia = find("nvidia", range_name)
        for name in ("overview", "overview-recorded"):
            ours = find(name, range_name)
            if ours is None or nvidia is None:
                continue
            limit, limit_title = nvidia.heaviest()
            worst, worst_title = ours.heaviest()
            over = [p.title for i, p in enumerate(ours.panels) if ours.samples(i) > limit]
            rows.append(
                [
                    f"{range_name}, {name}: no panel touches more samples than NVIDIA's heaviest",
                    f"heaviest {fmt_samples(worst)} ({worst_title}) vs {fmt_samples(limit)} "
                    f"({limit_title}); {len(over)} of {len(ours.panels)} panels over",
                    "PASS" if not over else "MISS",
                ]
            )
    recorded, plain = find("overview-recorded", "24h"), find("overview", "24h")
    if recorded is not None:
        rows.append(
            [
                "24h, overview-recorded: whole dashboard in under 1 s",
                f"{fmt_ms(recorded.total_wall)} ms one at a time{refresh(recorded)}",
                "PASS" if recorded.total_wall < MAX_RECORDED_24H_S else "MISS",
            ]
        )
    else:
        rows.append(["24h, overview-recorded: whole dashboard in under 1 s", "not measured", "-"])
    if plain is not None:
        rows.append(
            [
                "24h, overview without recording rules (for the record)",
                f"{fmt_ms(plain.total_wall)} ms one at a time{refresh(plain)}",
                "-",
            ]
        )
    return markdown(["target", "measured", "result"], rows, "lll")


def report(runs: Sequence[Measured], fleet: ref.Fleet, args: argparse.Namespace) -> None:
    print()
    print(f"Data: {fleet.describe()}; {ref.series_count(fleet):,} series.")
    all_text = "a regex of every value" if args.all_values else "allValue (.*), as Grafana sends"
    width = f"their share of a {args.screen} px screen" if args.screen else f"{args.width} px"
    print(
        f"Panels {width} wide, data source scrape interval {args.resolution} s, All = "
        f"{all_text}; medians of {args.repeat} passes after a warm-up; ms = wall time to "
        "decoded JSON (engine = Prometheus' evalTotalTime), samples = totalQueryableSamples."
    )
    print(f"Our panels: {steps_line(runs)}.")
    for dashboard, title in TITLES.items():
        mine = [r for r in runs if r.dashboard == dashboard]
        if mine:
            print(f"\n### {title}\n")
            print(panel_table(mine))
    print("\n### Summary\n")
    print(summary_table(runs))
    failed = failures(runs)
    print("\n### Queries that failed or returned nothing\n")
    print("\n".join(failed) if failed else "none")
    print("\n### Targets\n")
    print(targets_table(runs))


def as_json(runs: Sequence[Measured]) -> list[dict[str, Any]]:
    return [
        {
            "dashboard": r.dashboard,
            "range": r.range_name,
            "total_wall_s": r.total_wall,
            "engine_s": r.engine,
            "refresh_wall_s": r.refresh_wall,
            "panels": [
                {
                    "title": p.title,
                    "wall_s": r.wall(i),
                    "walls_s": r.walls[i],
                    "samples": r.samples(i),
                    "status": r.status(i),
                    "requests": [q.form for q in r.requests if q.panel == i],
                }
                for i, p in enumerate(r.panels)
            ],
        }
        for r in runs
    ]


# ---------------------------------------------------------------------- the variants


def recorded_overview(window: str) -> tuple[dict[str, Any], str] | None:
    """The overview on recorded series and its rules file, or None before issue 5."""
    try:
        from triton_dashboards.dashboard import stock as dashboards
        from triton_dashboards.prometheus import rules
        from triton_dashboards.query.recording import Recording
    except ImportError:
        return None
    from triton_dashboards.dashboard.render import to_json

    recording = Recording(window=window)
    board = to_json(dashboards.overview(recording_rules=recording))
    text: str = rules.render(rules.RulesConfig(recording=recording), format="prometheus")
    return board, text


def load_json(path: Path) -> dict[str, Any]:
    try:
        data: dict[str, Any] = json.loads(path.read_text())
    except FileNotFoundError:
        raise BenchError(
            f"{path} not found; run from a checkout with ../shared next to it"
        ) from None
    return data


def shared_dir() -> Path:
    override = os.environ.get("TRITON_DASHBOARDS_SHARED")
    return Path(override) if override else ROOT.parent / "shared"


def estimate(fleet: ref.Fleet, *, jobs: int) -> None:
    """Build a tenth of the models for 18 h, and extrapolate to the whole fleet."""
    probe = dataclasses.replace(fleet, models=max(1, fleet.models // 10), days=0.75)
    full, small = ref.series_count(fleet), ref.series_count(probe)
    with tempfile.TemporaryDirectory(prefix="query-cost-estimate-") as tmp:
        t = ref.backfill(probe, Path(tmp) / "tsdb", Path(tmp), jobs=1)
        size = ref.dir_size(Path(tmp) / "tsdb")
    scale = full / small * fleet.days / probe.days
    generate, importing = t["generate"] * scale, (t["total"] - t["generate"]) * scale
    # Generation overlaps the imports, and everything shares the machine's cores.
    wall = max(generate, importing / jobs, (generate + importing) / (os.cpu_count() or 1))
    rows = [
        ["series", f"{small:,}", f"{full:,}"],
        ["samples", fmt_samples(t["samples"]), fmt_samples(t["samples"] * scale)],
        ["generate (Python)", f"{t['generate']:.1f} s", f"{generate / 60:.1f} min"],
        ["import (promtool)", f"{t['total'] - t['generate']:.1f} s", f"{importing / 60:.1f} min"],
        ["wall", f"{t['total']:.1f} s", f"about {wall / 60:.0f} min on idle cores"],
        ["TSDB", f"{size / 1e6:.1f} MB", f"about {size * scale / 1e9:.1f} GB"],
        ["largest window file", f"{t['window_bytes'] / 1e6:.0f} MB",
         f"{t['window_bytes'] * full / small / 1e9:.1f} GB"],
    ]  # fmt: skip
    print(markdown(["build", "probe", f"{fleet.describe()}, --jobs {jobs}"], rows))


# ------------------------------------------------------------------------------ main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    data = parser.add_argument_group("reference data (cached under bench/.cache/)")
    data.add_argument("--models", type=int, default=50)
    data.add_argument("--versions", type=int, default=2)
    data.add_argument("--gpus", type=int, default=8, help="GPUs per pod (8)")
    data.add_argument("--pods", type=int, default=4)
    data.add_argument("--days", type=float, default=7.0)
    data.add_argument("--resolution", type=int, default=60, help="seconds between samples (60)")
    data.add_argument(
        "--startup-loaded",
        action="store_true",
        help="per-model series without gpu_uuid (models loaded at start-up): GPUs x fewer",
    )
    data.add_argument("--jobs", type=int, default=2, help="promtool imports at a time (2)")
    data.add_argument("--rebuild", action="store_true", help="build again, ignoring the cache")
    data.add_argument("--estimate", action="store_true", help="time a small build; extrapolate")
    data.add_argument("--build-only", action="store_true", help="build the cached TSDBs; exit")
    run = parser.add_argument_group("measurement")
    run.add_argument("--repeat", type=int, default=3, help="timed passes; medians (3)")
    run.add_argument(
        "--ranges",
        default="1h,24h,7d",
        help="time ranges to refresh, from 1h, 24h and 7d (all three)",
    )
    run.add_argument("--width", type=int, default=1000, help="panel width in px (1000)")
    run.add_argument(
        "--screen",
        type=int,
        default=0,
        metavar="PX",
        help="instead of --width, each panel gets its grid share of a screen PX wide",
    )
    run.add_argument(
        "--all-values",
        action="store_true",
        help="send All as a regex of every value, not the variable's allValue",
    )
    run.add_argument(
        "--in-flight",
        type=int,
        default=IN_FLIGHT,
        help=f"requests in flight for the whole-dashboard refresh ({IN_FLIGHT}); 0 skips it",
    )
    run.add_argument(
        "--rules",
        choices=("auto", "on", "off"),
        default="auto",
        help="measure the overview on recording rules too (auto: when they exist)",
    )
    run.add_argument("--rule-window", default="5m", help="rate window of the recording rules")
    run.add_argument("--keep", type=Path, help="keep logs, rules.yml and results.json here")
    args = parser.parse_args(argv)
    if min(args.models, args.versions, args.gpus, args.pods, args.repeat, args.jobs) < 1:
        parser.error("sizes, --repeat and --jobs must be at least 1")
    args.ranges = [r.strip() for r in args.ranges.split(",") if r.strip()]
    if not args.ranges or set(args.ranges) - {name for name, _ in RANGES}:
        parser.error("--ranges takes a comma-separated list of 1h, 24h and 7d")
    if args.resolution < 1 or 3600 % args.resolution or args.days <= 0:
        parser.error("--resolution must divide 3600, and --days must be positive")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        return run_bench(args)
    except (BenchError, ref.BuildError, gr.RefreshError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted; Prometheus and promtool were stopped", file=sys.stderr)
        return 130


def run_bench(args: argparse.Namespace) -> int:
    overview = load_json(OVERVIEW_JSON)
    nvidia = load_json(shared_dir() / NVIDIA_JSON)
    variant = recorded_overview(args.rule_window)
    if variant is None and args.rules == "on":
        raise BenchError(
            "triton_dashboards.prometheus.rules is not there yet (issue 5); use --rules off"
        )
    # The recording rules' inputs are backfilled even with --rules off, so that both modes
    # share one cached TSDB.
    boards = [overview, nvidia, *([variant[0]] if variant else [])]
    names = gr.metric_names(boards, ref.record_exprs(variant[1]) if variant else [])
    fleet = ref.Fleet(
        models=args.models, versions=args.versions, gpus=args.gpus, pods=args.pods,
        days=args.days, resolution=args.resolution, model_gpu_uuid=not args.startup_loaded,
        families=tuple(sorted(n for n in names if n.startswith("nv_"))),
    )  # fmt: skip
    print(f"families backfilled ({len(fleet.families)}): {', '.join(fleet.families)}")
    if args.estimate:
        estimate(fleet, jobs=args.jobs)
        return 0
    raw = ref.cached(fleet, CACHE, rebuild=args.rebuild, jobs=args.jobs)
    plans: list[tuple[Path, list[tuple[str, dict[str, Any]]]]] = [
        (raw, [("overview", overview), ("nvidia", nvidia)])
    ]
    if variant is not None and args.rules != "off":
        storage = ref.recorded(
            raw, fleet, variant[1], CACHE, eval_interval=f"{args.resolution}s",
            rebuild=args.rebuild,
        )  # fmt: skip
        plans.append((storage, [("overview-recorded", variant[0])]))
    if args.build_only:
        return 0
    ranges = [(n, s) for n, s in RANGES if n in args.ranges and s <= fleet.days * 86400]
    runs: list[Measured] = []
    logs: list[str] = []
    with tempfile.TemporaryDirectory(prefix="query-cost-") as tmp:
        for storage, dashboards in plans:
            runs += run_on(storage, Path(tmp) / f"tsdb-{len(logs)}", dashboards, fleet, ranges,
                           args, logs)  # fmt: skip
    report(runs, fleet, args)
    if args.keep:
        keep = args.keep.resolve()
        keep.mkdir(parents=True, exist_ok=True)
        for i, log in enumerate(logs):
            (keep / f"prometheus-{i}.log").write_text(log)
        if variant is not None:
            (keep / "rules.yml").write_text(variant[1])
        (keep / "results.json").write_text(json.dumps(as_json(runs), indent=2) + "\n")
        print(f"\nkept the Prometheus logs, rules.yml and results.json in {keep}")
    return 0


def run_on(
    storage: Path,
    copy: Path,
    dashboards: Sequence[tuple[str, Mapping[str, Any]]],
    fleet: ref.Fleet,
    ranges: Sequence[tuple[str, int]],
    args: argparse.Namespace,
    logs: list[str],
) -> list[Measured]:
    """Measure ``dashboards`` on a Prometheus serving a linked copy of ``storage``."""
    import requests

    runs = []
    with ref.serving(ref.linked_copy(storage, copy)) as server:
        print(f"Prometheus {server.url} (pid {server.pid}) on {storage.name}")
        with requests.Session() as session:
            for name, board in dashboards:
                values = gr.variable_values(
                    board, session, server.url, fleet.start, fleet.end, regex=args.all_values
                )
                panels = gr.panels_of(board)
                for range_name, range_s in ranges:
                    plan = gr.requests_for(
                        panels, values, range_s=range_s, end=fleet.end, width_px=args.width,
                        scrape_s=float(args.resolution), screen_px=args.screen,
                    )  # fmt: skip
                    runs.append(Measured(name, range_name, panels, plan))
        measure(server.url, runs, repeat=args.repeat, in_flight=args.in_flight)
        log = server.log()
        logs.append(log)
        if "compact blocks" in log:
            print("  note: Prometheus compacted blocks during the measurement: timings are noisy")
    return runs


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: what a refresh of the overview dashboard costs Prometheus, next to NVIDIA's.

Run from the repository root::

    .venv/bin/python bench/query_cost.py                      # full size: 50 models x 2
                                                              # versions x 8 GPUs x 4 pods, 7 d
    .venv/bin/python bench/query_cost.py --standard           # the standard run: 24 h of a
                                                              # 1-day fleet, default rules
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

``--standard`` is the run to repeat between changes (about 12 minutes with the data
build, a few once it is cached): the full-size fleet for one day at 60 s, refreshed over
24 h, with the recording rules ``triton-dashboards rules`` writes by default. Every run
reports, per query, whether it returned data, and writes its results as JSON
(``--json``, by default ``bench/.cache/query-cost[-standard].json``) next to the tables
it prints. Nothing else is written outside a temporary directory and the cache, unless
``--keep DIR`` (Prometheus logs and the rules file go there).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import dataclasses
import json
import os
import signal
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
from query_report import (
    IN_FLIGHT,
    RANGES,
    Measured,
    Outcome,
    as_json,
    fmt_samples,
    markdown,
    report,
)

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "bench" / ".cache"
OVERVIEW_JSON = ROOT / "dashboards" / "triton-overview.json"
#: The model dashboard, measured with one model picked (as the overview's links open it).
MODEL_JSON = ROOT / "dashboards" / "triton-model.json"
ONE_MODEL = "model (one)"
NVIDIA_JSON = (
    ROOT / "tests" / "data" / "triton" / "dashboards" / "triton-server_k8s-onprem_dashboard.json"
)
#: ``--rule-window`` value for the window ``triton-dashboards rules`` writes by default.
DEFAULT_RULES = "default"
#: ``--standard``: the run issue 12 measures against, short enough to repeat. The full
#: fleet for one day at 60 s (Prometheus' default scrape interval), refreshed over 24 h,
#: on the rules a user gets without flags.
STANDARD = {
    "models": 50, "versions": 2, "gpus": 8, "pods": 4, "days": 1.0, "resolution": 60,
    "ranges": "24h", "rule_window": DEFAULT_RULES, "startup_loaded": False,
}  # fmt: skip


class BenchError(Exception):
    """Something the user can fix; printed as one ``error:`` line."""


# ----------------------------------------------------------------------- measurement


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
    return Outcome(wall, samples, series, None, engine, has_data=has_data(data))


def has_data(data: Mapping[str, Any]) -> bool:
    """Whether a panel would draw anything: a value that is a number (not NaN)."""
    result = data.get("result")
    if data.get("resultType") in ("scalar", "string"):
        return True
    for series in result or []:
        points = series.get("values") or [series.get("value")]
        if any(p and p[1] != "NaN" for p in points):
            return True
    return False


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


# ---------------------------------------------------------------------- the variants


def recorded_overview(window: str) -> tuple[dict[str, Any], str] | None:
    """The overview on recorded series and its rules file, or None before issue 5.

    ``window`` :data:`DEFAULT_RULES` takes :class:`Recording`'s default, which is what
    ``triton-dashboards rules`` writes and the committed recorded dashboards read.
    """
    try:
        from triton_dashboards.dashboard import stock as dashboards
        from triton_dashboards.prometheus import rules
        from triton_dashboards.query.recording import Recording
    except ImportError:
        return None
    from triton_dashboards.dashboard.render import to_json

    recording = Recording() if window == DEFAULT_RULES else Recording(window=window)
    board = to_json(dashboards.overview(recording_rules=recording))
    text: str = rules.render(rules.RulesConfig(recording=recording), format="prometheus")
    return board, text


def load_json(path: Path) -> dict[str, Any]:
    try:
        data: dict[str, Any] = json.loads(path.read_text())
    except FileNotFoundError:
        raise BenchError(f"{path} not found; run from a full checkout of the repository") from None
    return data


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
    run.add_argument(
        "--rule-window",
        default="5m",
        help=f"rate window of the recording rules (5m); {DEFAULT_RULES!r}: the window "
        "`triton-dashboards rules` writes without flags",
    )
    run.add_argument("--keep", type=Path, help="keep the Prometheus logs and rules.yml here")
    run.add_argument(
        "--json",
        type=Path,
        help="write the results here (default bench/.cache/query-cost[-standard].json)",
    )
    parser.add_argument(
        "--standard",
        action="store_true",
        help="the standard run: "
        + " ".join(f"--{k.replace('_', '-')} {v}" for k, v in STANDARD.items() if v is not False),
    )
    args = parser.parse_args(argv)
    if args.standard:
        changed = [
            k for k, v in STANDARD.items() if getattr(args, k) not in (v, parser.get_default(k))
        ]
        if changed:
            flags = ", ".join(f"--{k.replace('_', '-')}" for k in changed)
            parser.error(f"--standard fixes {flags}; drop them or drop --standard")
        for key, value in STANDARD.items():
            setattr(args, key, value)
    if min(args.models, args.versions, args.gpus, args.pods, args.repeat, args.jobs) < 1:
        parser.error("sizes, --repeat and --jobs must be at least 1")
    args.ranges = [r.strip() for r in args.ranges.split(",") if r.strip()]
    if not args.ranges or set(args.ranges) - {name for name, _ in RANGES}:
        parser.error("--ranges takes a comma-separated list of 1h, 24h and 7d")
    if args.resolution < 1 or 3600 % args.resolution or args.days <= 0:
        parser.error("--resolution must divide 3600, and --days must be positive")
    return args


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # `kill PID` of a run in the background stops promtool and Prometheus too, as Ctrl-C
    # does, and removes the partial build (default SIGTERM would leave both behind).
    signal.signal(signal.SIGTERM, _interrupt)
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
    model = load_json(MODEL_JSON)
    nvidia = load_json(NVIDIA_JSON)
    variant = recorded_overview(args.rule_window)
    if variant is None and args.rules == "on":
        raise BenchError(
            "triton_dashboards.prometheus.rules is not there yet (issue 5); use --rules off"
        )
    # The recording rules' inputs are backfilled even with --rules off, so that both modes
    # share one cached TSDB.
    boards = [overview, model, nvidia, *([variant[0]] if variant else [])]
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
        (raw, [("overview", overview), ("nvidia", nvidia), (ONE_MODEL, model)])
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
        print(f"\nkept the Prometheus logs and rules.yml in {keep}")
    results = args.json or CACHE / (
        "query-cost-standard.json" if args.standard else "query-cost.json"
    )
    results.parent.mkdir(parents=True, exist_ok=True)
    results.write_text(json.dumps(as_json(runs, fleet, args), indent=2) + "\n")
    print(f"results as JSON: {results}")
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
    runs = []
    with ref.serving(ref.linked_copy(storage, copy)) as server:
        print(f"Prometheus {server.url} (pid {server.pid}) on {storage.name}")
        for name, board in dashboards:
            values = gr.variable_values(
                board, server.url, fleet.start, fleet.end, regex=args.all_values
            )
            if name == ONE_MODEL:  # the first model, every version, pod and GPU
                values = gr.variable_values(
                    board, server.url, fleet.start, fleet.end,
                    regex=args.all_values, pick={"model": values.options["model"][:1]},
                )  # fmt: skip
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

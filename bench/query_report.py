"""What bench/query_cost.py measured, and how it is reported: Markdown tables and JSON.

A run is a list of :class:`Measured`, one per dashboard and time range. The tables are
the ones BENCHMARKS.md records; the JSON (:func:`as_json`) holds the same per panel and
per query, including whether each query returned data, for comparing runs by script.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import subprocess
from collections.abc import Sequence
from typing import Any

# Run as a script, so bench/ is on sys.path.
import grafana_refresh as gr
import reference_tsdb as ref

RANGES = (("1h", 3600), ("24h", 86400), ("7d", 7 * 86400))
#: Issue 12's targets: the overview on recorded series refreshes over 24 h in under 1 s
#: and in at most this share of NVIDIA's time in the same run, by range; on raw series
#: in at most NVIDIA's time over 24 h.
MAX_RECORDED_24H_S = 1.0
MAX_RECORDED_VS_NVIDIA = {"24h": 0.2, "7d": 0.5}
MAX_RAW_VS_NVIDIA = {"24h": 1.0}
#: Requests a browser keeps in flight to one host over HTTP/1.1.
IN_FLIGHT = 6
TITLES = {
    "overview": "Overview (ours)",
    "overview-recorded": "Overview on recording rules (ours)",
    "nvidia": "NVIDIA k8s-onprem",
    "model (one)": "Model dashboard, one model (ours)",
}
#: The model dashboard with one model picked (raw series) refreshes over 24 h in under 1 s.
MAX_ONE_MODEL_24H_S = 1.0


# ----------------------------------------------------------------------- what came back


@dataclasses.dataclass(frozen=True)
class Outcome:
    wall: float
    samples: int
    series: int
    error: str | None
    engine: float = 0.0  # Prometheus' evalTotalTime: the rest is HTTP and JSON
    has_data: bool = False  # a value that is not NaN: the panel draws something


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
        empty = sum(1 for o in mine if not o.has_data)
        if empty == len(mine):
            return "no data"
        return f"{empty} of {len(mine)} queries empty" if empty else ""

    @property
    def without_data(self) -> int:
        """Queries that failed or returned nothing (the last pass; data does not change)."""
        return sum(1 for o in self.outcomes if o.error or not o.has_data)

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
                    f"{r.without_data} of {len(r.requests)}",
                ]
            )
    header = ["dashboard", "range", "queries", "ms, one at a time", "of which engine ms",
              f"ms, {IN_FLIGHT} in flight", "samples", "heaviest panel (samples)",
              "queries with no data"]  # fmt: skip
    return markdown(header, rows, "llrrrrrlr")


def failures(runs: Sequence[Measured]) -> list[str]:
    """Each target that failed or returned nothing, with the ranges where it did."""
    found: dict[tuple[str, str, str], list[str]] = {}
    for r in runs:
        for q, o in zip(r.requests, r.outcomes, strict=True):
            if o.error or not o.has_data:
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


def _find(runs: Sequence[Measured], dashboard: str, range_name: str) -> Measured | None:
    return next((r for r in runs if (r.dashboard, r.range_name) == (dashboard, range_name)), None)


def _verdict(ok: bool, run: Measured | None = None) -> str:
    """PASS or MISS; never PASS for a cost when some of ``run``'s queries return nothing:
    a query that finds no series is cheap, so the figure would flatter it."""
    if run is not None and run.without_data and ok:
        return f"VOID ({run.without_data} queries return nothing)"
    return "PASS" if ok else "MISS"


def _time_vs_nvidia(
    runs: Sequence[Measured], name: str, limits: dict[str, float]
) -> list[list[str]]:
    rows = []
    for range_name, limit in limits.items():
        ours, nvidia = _find(runs, name, range_name), _find(runs, "nvidia", range_name)
        if ours is None or nvidia is None:
            continue
        share = ours.total_wall / nvidia.total_wall
        rows.append(
            [
                f"{range_name}, {name}: at most {limit:g}x NVIDIA's time",
                f"{fmt_ms(ours.total_wall)} vs {fmt_ms(nvidia.total_wall)} ms: {share:.2f}x",
                _verdict(share <= limit, ours),
            ]
        )
    return rows


def _samples_vs_nvidia(runs: Sequence[Measured]) -> list[list[str]]:
    rows = []
    for range_name, _ in RANGES:
        nvidia = _find(runs, "nvidia", range_name)
        for name in ("overview", "overview-recorded"):
            ours = _find(runs, name, range_name)
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
                    _verdict(not over, ours),
                ]
            )
    return rows


def targets_table(runs: Sequence[Measured]) -> str:
    """Issue 12's benchmark targets, each measured, PASS or MISS (``-``: not measured)."""
    rows = []
    recorded = _find(runs, "overview-recorded", "24h")
    if recorded is None:
        rows.append(["24h, overview-recorded: every query returns data; under 1 s", "not measured",
                     "-"])  # fmt: skip
    else:
        n = len(recorded.requests)
        rows.append(
            [
                "24h, overview-recorded: every query returns data",
                f"{recorded.without_data} of {n} return nothing",
                _verdict(recorded.without_data == 0),
            ]
        )
        rows.append(
            [
                "24h, overview-recorded: whole dashboard in under 1 s",
                f"{fmt_ms(recorded.total_wall)} ms one at a time",
                _verdict(recorded.total_wall < MAX_RECORDED_24H_S, recorded),
            ]
        )
    rows += _time_vs_nvidia(runs, "overview-recorded", MAX_RECORDED_VS_NVIDIA)
    rows += _time_vs_nvidia(runs, "overview", MAX_RAW_VS_NVIDIA)
    rows += _samples_vs_nvidia(runs)
    model = _find(runs, "model (one)", "24h")
    if model is not None:
        rows.append(
            [
                "24h, model dashboard for one model, raw: under 1 s",
                f"{fmt_ms(model.total_wall)} ms one at a time",
                _verdict(model.total_wall < MAX_ONE_MODEL_24H_S, model),
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


def as_json(runs: Sequence[Measured], fleet: ref.Fleet, args: argparse.Namespace) -> dict[str, Any]:
    """Everything the tables show, per run, panel and query, for comparing runs by script."""
    return {
        "revision": revision(),
        "fleet": {**dataclasses.asdict(fleet), "series": ref.series_count(fleet)},
        "preset": "standard" if args.standard else None,
        "rule_window": args.rule_window,
        "width_px": args.width,
        "repeat": args.repeat,
        "runs": [_run_json(r) for r in runs],
    }


def revision() -> str:
    """The commit measured (``-dirty`` with uncommitted changes): runs compare by it."""
    try:
        done = subprocess.run(
            ["git", "describe", "--always", "--dirty"],
            cwd=ref.ROOT, capture_output=True, text=True, timeout=10, check=True,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return done.stdout.strip()


def _run_json(r: Measured) -> dict[str, Any]:
    samples, heaviest = r.heaviest()
    return {
        "dashboard": r.dashboard,
        "range": r.range_name,
        "queries": len(r.requests),
        "queries_without_data": r.without_data,
        "total_wall_s": r.total_wall,
        "engine_s": r.engine,
        "refresh_wall_s": r.refresh_wall,
        "samples": r.total_samples,
        "heaviest_panel": {"title": heaviest, "samples": samples},
        "panels": [
            {
                "title": p.title,
                "wall_s": r.wall(i),
                "walls_s": r.walls[i],
                "samples": r.samples(i),
                "status": r.status(i),
                "queries": [
                    {
                        "expr": p.targets[q.target].expr,
                        "form": q.form,
                        "has_data": o.has_data,
                        "error": o.error,
                        "series": o.series,
                        "samples": o.samples,
                    }
                    for q, o in zip(r.requests, r.outcomes, strict=True)
                    if q.panel == i
                ],
            }
            for i, p in enumerate(r.panels)
        ],
    }

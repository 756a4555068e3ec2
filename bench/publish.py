"""Benchmark: publishing 200 dashboards to a Grafana that answers in 20 ms per request.

Run from the repository root::

    .venv/bin/python bench/publish.py                 # 200 dashboards, 5 repeats, 11/12/13
    .venv/bin/python bench/publish.py --profile 13    # one Grafana profile
    .venv/bin/python bench/publish.py --quick         # smoke run: 40 dashboards, 3 repeats

This is a benchmark, not a test: it always exits 0. Grafana is the test double
(tests/grafana_double/) over real HTTP on 127.0.0.1 with ``latency`` seconds added to
every request, run in a process of its own (a real Grafana does not share our
interpreter lock), so the numbers are round trips plus the publisher's own work. The
dashboards are the committed stock ones (dashboards/*.json, 25-80 KB each), copied under
200 uids. Figures are medians of ``--repeat`` runs, each against a fresh Grafana.

Each scenario runs on each Grafana profile of the double: "11" (legacy ``/api`` only), "12"
(``/apis`` v1beta1, legacy storage) and "13" (``/apis`` v1, unified storage, migration to
schemaVersion 42 on write); the publisher picks the API as ``--api auto`` does. Scenarios,
each timed end to end through ``Publisher.publish`` (discovery and folder included):

1. first publish into an empty Grafana;
2. publish again with nothing changed (the target: 0 writes);
3. publish with one dashboard changed (one panel title);
4. a naive sequential publisher, as grizzly and gdg do it: for each dashboard, one at a
   time, GET it, then POST it with ``overwrite: true``. It writes (and bumps the version
   of) every dashboard on every run, changed or not.
"""

from __future__ import annotations

import argparse
import copy
import json
import multiprocessing
import os
import platform
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from grafana_double import GrafanaDouble  # noqa: E402

from triton_dashboards.grafana.client import GrafanaClient, GrafanaConfig  # noqa: E402
from triton_dashboards.grafana.discovery import open_api  # noqa: E402
from triton_dashboards.grafana.local import LocalDashboard, normalise  # noqa: E402
from triton_dashboards.grafana.publish import Publisher  # noqa: E402

TOKEN = "glsa_BENCH"
PROFILES = ("11", "12", "13")
BASELINE = "sequential GET+POST (baseline)"
#: Targets from issue 10, as fractions of the sequential baseline's time (same run).
TARGETS: dict[tuple[str, str], tuple[float, str]] = {
    ("13", "first publish"): (0.5, "<= 0.5x"),
    ("13", "no change"): (0.05, "<= 0.05x, 0 writes, <= 10 requests"),
    ("11", "first publish"): (0.41, "<= 0.41x"),
    ("11", "no change"): (0.20, "<= 0.20x, 0 writes"),
}


def generated(n: int) -> list[LocalDashboard]:
    """``n`` dashboards: the stock JSON files cycled, each under its own uid and title."""
    stock = [
        json.loads(p.read_text(encoding="utf-8"))
        for p in sorted((ROOT / "dashboards").glob("*.json"))
    ]
    out: list[LocalDashboard] = []
    for i in range(n):
        data = copy.deepcopy(stock[i % len(stock)])
        data["uid"] = f"bench-{i:03d}"
        data["title"] = f"{data['title']} {i:03d}"
        out.append(LocalDashboard(data))
    return out


def with_one_changed(dashboards: list[LocalDashboard], k: int) -> list[LocalDashboard]:
    result = list(dashboards)
    data = copy.deepcopy(result[k].dashboard)
    panel = next(p for p in data["panels"] if p.get("type") != "row")
    panel["title"] = f"{panel.get('title', '')} (edit {time.monotonic_ns()})"
    result[k] = LocalDashboard(data)
    return result


def sequential_baseline(client: GrafanaClient, dashboards: list[LocalDashboard]) -> None:
    """One at a time: GET, then POST with overwrite (what grizzly and gdg do)."""
    for local in dashboards:
        client.get_dashboard(local.uid)
        client.save_dashboard(
            normalise(local.dashboard), folder_uid="", message="sequential", overwrite=True
        )


def _serve(conn: Any, latency: float, profile: str) -> None:
    """The child process: one double, answering "reset", "counts" and "stop" on a pipe."""
    with GrafanaDouble(profile=profile, token=TOKEN, latency=latency) as double:
        conn.send(double.url)
        while (command := conn.recv()) != "stop":
            if command == "reset":
                double.reset_counts()
                conn.send(None)
            else:
                conn.send(Counter(r.method for r in double.requests))


class RemoteDouble:
    """A GrafanaDouble in a child process, driven over a pipe."""

    def __init__(self, latency: float, profile: str) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(target=_serve, args=(child, latency, profile), daemon=True)

    def __enter__(self) -> RemoteDouble:
        self._process.start()
        self.url: str = self._conn.recv()
        return self

    def __exit__(self, *exc: object) -> None:
        self._conn.send("stop")
        self._process.join(timeout=10)
        if self._process.is_alive():
            self._process.kill()

    def reset_counts(self) -> None:
        self._conn.send("reset")
        self._conn.recv()

    def methods(self) -> Counter[str]:
        self._conn.send("counts")
        counts: Counter[str] = self._conn.recv()
        return counts


#: profile, scenario, seconds of each repeat, requests by method (of the last repeat)
Row = tuple[str, str, list[float], Counter[str]]


def timed(double: RemoteDouble, action: Callable[[], Any]) -> tuple[float, Counter[str]]:
    double.reset_counts()
    start = time.perf_counter()
    action()
    elapsed = time.perf_counter() - start
    return elapsed, double.methods()


def run(n: int, repeat: int, latency: float, concurrency: int, profile: str) -> list[Row]:
    dashboards = generated(n)
    names = ("first publish", "no change", "one changed", BASELINE)
    samples: dict[str, list[float]] = {name: [] for name in names}
    counts: dict[str, Counter[str]] = {}
    for r in range(repeat):
        with RemoteDouble(latency, profile) as double:
            config = GrafanaConfig(double.url, token=TOKEN, pool_size=concurrency)
            with GrafanaClient(config) as client:

                def publish(items: list[LocalDashboard], client: GrafanaClient = client) -> Any:
                    api = open_api(client)  # discovery is part of every run, as in the CLI
                    report = Publisher(api, concurrency=concurrency).publish(items)
                    assert report.ok, report.summary()
                    return report

                changed = with_one_changed(dashboards, r % n)
                actions: dict[str, Callable[[], Any]] = {
                    "first publish": lambda: publish(dashboards),
                    "no change": lambda: publish(dashboards),
                    "one changed": lambda items=changed: publish(items),  # type: ignore[misc]
                    BASELINE: lambda: sequential_baseline(client, dashboards),
                }
                for name in names:
                    seconds, counts[name] = timed(double, actions[name])
                    samples[name].append(seconds)
    return [(profile, name, samples[name], counts[name]) for name in names]


def _writes(count: Counter[str]) -> int:
    return count["POST"] + count["PUT"] + count["DELETE"]


def table(rows: list[Row]) -> list[str]:
    """The table (also returned, for the verdicts) with each run's x of its own baseline."""
    base = {p: statistics.median(s) for p, name, s, _ in rows if name == BASELINE}
    header = ["Grafana", "scenario", "median s", "min-max s", "requests", "GET", "writes"]
    header += ["x baseline", "target", "met"]
    lines = [header]
    verdicts = []
    for profile, name, samples, count in rows:
        med = statistics.median(samples)
        ratio = med / base[profile]
        target = TARGETS.get((profile, name))
        met = ""
        if target is not None:
            ok = ratio <= target[0]
            if name == "no change":
                ok = ok and _writes(count) == 0
                ok = ok and (profile != "13" or sum(count.values()) <= 10)
            met = "yes" if ok else "NO"
            verdicts.append(f"{profile} {name}: {'met' if ok else 'MISSED'} ({ratio:.3f}x)")
        lines.append(
            [
                profile,
                name,
                f"{med:.3f}",
                f"{min(samples):.2f}-{max(samples):.2f}",
                str(sum(count.values())),
                str(count["GET"]),
                str(_writes(count)),
                f"{ratio:.3f}x",
                target[1] if target else "",
                met,
            ]
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    for k, line in enumerate(lines):
        print("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(line)).rstrip())
        if k == 0:
            print("  ".join("-" * w for w in widths))
    return verdicts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--dashboards", type=int, default=200, help="dashboards (200)")
    parser.add_argument("--repeat", type=int, default=5, help="timed repeats (5)")
    parser.add_argument("--latency", type=float, default=0.020, help="seconds per request")
    parser.add_argument("--concurrency", type=int, default=8, help="publisher workers (8)")
    parser.add_argument("--quick", action="store_true", help="40 dashboards, 3 repeats")
    parser.add_argument("--profile", choices=PROFILES, help="one Grafana profile (default: all)")
    args = parser.parse_args(argv)
    n, repeat = (40, 3) if args.quick else (args.dashboards, args.repeat)
    profiles = [args.profile] if args.profile else list(PROFILES)
    print(
        f"python {platform.python_version()} on {platform.machine()}, "
        f"{os.cpu_count()} CPUs; {n} dashboards, latency {args.latency * 1000:.0f} ms/request, "
        f"concurrency {args.concurrency}, {repeat} repeats (medians)"
    )
    rows: list[Row] = []
    for profile in profiles:
        rows += run(n, repeat, args.latency, args.concurrency, profile)
    print()
    verdicts = table(rows)
    if n == 200 and args.latency == 0.020:
        print()
        print("\n".join(verdicts))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: publishing 200 dashboards to a Grafana that answers in 20 ms per request.

Run from the repository root::

    .venv/bin/python bench/publish.py            # 200 dashboards, 5 repeats
    .venv/bin/python bench/publish.py --quick    # smoke run: 40 dashboards, 3 repeats

This is a benchmark, not a test: it always exits 0. Grafana is the test double
(tests/grafana_double/) over real HTTP on 127.0.0.1 with ``latency`` seconds added to
every request, run in a process of its own (a real Grafana does not share our
interpreter lock), so the numbers are round trips plus the publisher's own work. The
dashboards are the committed stock ones (dashboards/*.json, 25-80 KB each), copied under
200 uids. Figures are medians of ``--repeat`` runs, each against a fresh Grafana.

Scenarios, each timed end to end through ``Publisher.publish`` (folder included):

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
from triton_dashboards.grafana.local import LocalDashboard, normalise  # noqa: E402
from triton_dashboards.grafana.publish import Publisher  # noqa: E402

TOKEN = "glsa_BENCH"
#: Targets from issue 3.
MAX_NO_CHANGE_S = 1.5
MAX_FIRST_S = 2.5


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


def _serve(conn: Any, latency: float) -> None:
    """The child process: one double, answering "reset", "counts" and "stop" on a pipe."""
    with GrafanaDouble(token=TOKEN, latency=latency) as double:
        conn.send(double.url)
        while (command := conn.recv()) != "stop":
            if command == "reset":
                double.reset_counts()
                conn.send(None)
            else:
                conn.send(Counter(r.method for r in double.requests))


class RemoteDouble:
    """A GrafanaDouble in a child process, driven over a pipe."""

    def __init__(self, latency: float) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(target=_serve, args=(child, latency), daemon=True)

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


Row = tuple[str, list[float], Counter[str], str]


def timed(double: RemoteDouble, action: Callable[[], Any]) -> tuple[float, Counter[str]]:
    double.reset_counts()
    start = time.perf_counter()
    action()
    elapsed = time.perf_counter() - start
    return elapsed, double.methods()


def run(n: int, repeat: int, latency: float, concurrency: int) -> list[Row]:
    dashboards = generated(n)
    first: list[float] = []
    unchanged: list[float] = []
    one: list[float] = []
    naive: list[float] = []
    counts: dict[str, Counter[str]] = {}
    notes: dict[str, str] = {}
    for r in range(repeat):
        with RemoteDouble(latency) as double:
            config = GrafanaConfig(double.url, token=TOKEN, pool_size=concurrency)
            with GrafanaClient(config) as client:

                def publish(items: list[LocalDashboard], client: GrafanaClient = client) -> Any:
                    report = Publisher(client, concurrency=concurrency).publish(items)
                    assert report.ok, report.summary()
                    return report

                seconds, counts["first"] = timed(double, lambda: publish(dashboards))
                first.append(seconds)
                seconds, counts["unchanged"] = timed(double, lambda: publish(dashboards))
                unchanged.append(seconds)
                changed = with_one_changed(dashboards, r % n)
                seconds, counts["one"] = timed(double, lambda items=changed: publish(items))
                one.append(seconds)
                seconds, counts["naive"] = timed(
                    double, lambda: sequential_baseline(client, dashboards)
                )
                naive.append(seconds)
                notes["naive"] = f"bumps {n} versions per run"
    return [
        ("first publish", first, counts["first"], f"<= {MAX_FIRST_S} s"),
        ("no change", unchanged, counts["unchanged"], f"<= {MAX_NO_CHANGE_S} s, 0 writes"),
        ("one changed", one, counts["one"], "1 write"),
        ("sequential GET+POST (baseline)", naive, counts["naive"], notes["naive"]),
    ]


def table(rows: list[Row]) -> None:
    header = ["scenario", "median s", "min s", "max s", "GET", "POST", "DELETE", "target"]
    lines = [header]
    for name, samples, count, target in rows:
        lines.append(
            [
                name,
                f"{statistics.median(samples):.3f}",
                f"{min(samples):.3f}",
                f"{max(samples):.3f}",
                str(count["GET"]),
                str(count["POST"]),
                str(count["DELETE"]),
                target,
            ]
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    for k, line in enumerate(lines):
        print("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(line)).rstrip())
        if k == 0:
            print("  ".join("-" * w for w in widths))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--dashboards", type=int, default=200, help="dashboards (200)")
    parser.add_argument("--repeat", type=int, default=5, help="timed repeats (5)")
    parser.add_argument("--latency", type=float, default=0.020, help="seconds per request")
    parser.add_argument("--concurrency", type=int, default=8, help="publisher workers (8)")
    parser.add_argument("--quick", action="store_true", help="40 dashboards, 3 repeats")
    args = parser.parse_args(argv)
    n, repeat = (40, 3) if args.quick else (args.dashboards, args.repeat)
    print(
        f"python {platform.python_version()} on {platform.machine()}, "
        f"{os.cpu_count()} CPUs; {n} dashboards, latency {args.latency * 1000:.0f} ms/request, "
        f"concurrency {args.concurrency}, {repeat} repeats (medians)"
    )
    rows = run(n, repeat, args.latency, args.concurrency)
    print()
    table(rows)
    med = {name: statistics.median(samples) for name, samples, _, _ in rows}
    base = med["sequential GET+POST (baseline)"]
    print()
    print(f"baseline / first publish: {base / med['first publish']:.1f}x")
    print(f"baseline / no change:     {base / med['no change']:.1f}x")
    if n == 200 and args.latency == 0.020:
        writes = rows[1][2]["POST"] + rows[1][2]["DELETE"]
        ok_none = med["no change"] <= MAX_NO_CHANGE_S and writes == 0
        ok_first = med["first publish"] <= MAX_FIRST_S
        print(f"no-change target ({MAX_NO_CHANGE_S} s, 0 writes): {'met' if ok_none else 'MISSED'}")
        print(f"first-publish target ({MAX_FIRST_S} s): {'met' if ok_first else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

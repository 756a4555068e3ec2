"""Benchmark: ``triton-dashboards doctor`` on every committed dashboard, against a local
Prometheus, and what running the queries concurrently buys.

Run from the repository root::

    .venv/bin/python bench/doctor.py            # 5 repeats
    .venv/bin/python bench/doctor.py --quick    # 3 repeats

A real Prometheus (1 s scrapes, the shipped recording rules) scrapes the reference NER
deployment on two pods and the TensorRT-LLM and vLLM workloads, so every committed
dashboard has data to find and the LLM ones empty panels to explain where a family is not
there. Measured, medians of the repeats, the variants interleaved within each repeat:

1. the command as a user runs it (a new process: Python start, import, variables, every
   query, the diagnosis, the table) over the default range (1 h); target under 10 s;
2. the same diagnosis in process with the queries at most 8 at a time (the default) and
   one at a time, side by side, against the local server and through a proxy that adds
   :data:`RTT_MS` to every request, as a Prometheus across a network does: what the bounded
   concurrency buys where requests wait on the network rather than on the two cores.

This is a benchmark, not a test: it always exits 0.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from prometheus_server import PrometheusServer  # noqa: E402

from triton_dashboards import inspect  # noqa: E402
from triton_dashboards.inspect.doctor import diagnose  # noqa: E402
from triton_dashboards.prometheus import rules  # noqa: E402
from triton_dashboards.simulator import Workload, serve  # noqa: E402

#: The target of issue 16: doctor on the stock dashboards in under 10 s.
TARGET_S = 10.0
#: Seconds of scrapes before the first run: more than a rate window and a step.
WARM_S = 10.0
#: The round trip the proxy adds: a Prometheus in another zone or behind an ingress.
RTT_MS = 20.0


@contextlib.contextmanager
def _delayed(url: str, delay_s: float) -> Iterator[str]:
    """A proxy on 127.0.0.1 that forwards to ``url`` after ``delay_s`` per request."""
    import requests

    session = requests.Session()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _forward(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            time.sleep(delay_s)
            headers = {"Content-Type": self.headers.get("Content-Type", "")} if body else {}
            answer = session.request(
                self.command, url + self.path, data=body, headers=headers, timeout=60
            )
            self.send_response(answer.status_code)
            self.send_header("Content-Type", answer.headers.get("Content-Type", ""))
            self.send_header("Content-Length", str(len(answer.content)))
            self.end_headers()
            self.wfile.write(answer.content)

        do_GET = do_POST = _forward

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _workloads() -> dict[str, Workload]:
    package = resources.files("triton_dashboards.simulator")
    llm = {
        name: Workload.load(Path(str(package.joinpath(f"{name}.yaml"))))
        for name in ("trtllm", "vllm")
    }
    return {"triton-0": Workload.default(), "triton-1": Workload.default().scaled(0.5), **llm}


def _cli(url: str, files: list[Path]) -> float:
    began = time.perf_counter()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "triton_dashboards",
            "doctor",
            "--prometheus",
            url,
            *map(str, files),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    elapsed = time.perf_counter() - began
    if result.returncode not in (0, 1):
        raise SystemExit(f"doctor failed: {result.stderr.strip()}")
    return elapsed


def _in_process(
    url: str, boards: list[tuple[str, dict[str, Any]]], workers: int
) -> tuple[float, int]:
    prometheus = inspect.Prometheus(url)
    began = time.perf_counter()
    context = inspect.QueryContext.last(
        3600, scrape_interval=prometheus.read_scrape_interval() or 15
    )
    report = diagnose(boards, prometheus, context, workers=workers)
    empty = sum(p.verdict != "ok" for d in report.dashboards for p in d.panels)
    return time.perf_counter() - began, empty


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="3 repeats instead of 5")
    args = parser.parse_args()
    repeats = 3 if args.quick else 5
    files = sorted((ROOT / "dashboards").glob("*.json"))
    boards = [(str(p), json.loads(p.read_text(encoding="utf-8"))) for p in files]
    panels = sum(len(list(inspect.panel_targets(b))) for _, b in boards)
    with contextlib.ExitStack() as stack:
        rules_file = stack.enter_context(_rules_file())
        servers = {
            pod: stack.enter_context(serve(w, port=0, pod=pod)) for pod, w in _workloads().items()
        }
        prometheus = stack.enter_context(
            PrometheusServer(
                scrape_targets=[s.url for s in servers.values()],
                rule_files=[rules_file],
                labels={"namespace": "triton"},
                target_labels={s.url: {"pod": pod} for pod, s in servers.items()},
            )
        )
        prometheus.wait_for(
            "count(up == 1)",
            lambda r: bool(r) and float(r[0]["value"][1]) == len(servers),
            timeout=30,
        )
        time.sleep(WARM_S)
        remote = stack.enter_context(_delayed(prometheus.url, RTT_MS / 1000))
        runs: dict[str, list[float]] = {}
        empty = 0
        variants = ("cli", "local-8", "local-1", "remote-8", "remote-1")
        for i in range(repeats):
            for variant in variants[i % 5 :] + variants[: i % 5]:
                if variant == "cli":
                    runs.setdefault(variant, []).append(_cli(prometheus.url, files))
                    continue
                where, workers = variant.split("-")
                url = prometheus.url if where == "local" else remote
                elapsed, empty = _in_process(url, boards, int(workers))
                runs.setdefault(variant, []).append(elapsed)
    med = {k: statistics.median(v) for k, v in runs.items()}
    met = "met" if med["cli"] < TARGET_S else "MISSED"
    print(f"{len(files)} dashboards, {panels} queries, {empty} panels not ok, {repeats} repeats")
    cli = med["cli"]
    print(f"  doctor command (new process, 1 h range)  {cli:6.2f} s  (< {TARGET_S:g} s: {met})")
    for where, label in (("local", "local Prometheus"), ("remote", f"+{RTT_MS:g} ms a request")):
        many, one = med[f"{where}-8"], med[f"{where}-1"]
        print(
            f"  {label:<22} 8 at a time {many:6.2f} s, one at a time {one:6.2f} s"
            f"  ({one / many:.1f}x)"
        )


@contextlib.contextmanager
def _rules_file() -> Any:
    import tempfile

    with tempfile.TemporaryDirectory(prefix="bench-doctor-") as tmp:
        path = Path(tmp) / "triton.rules.yml"
        path.write_text(rules.render(rules.RulesConfig()), encoding="utf-8")
        yield path


if __name__ == "__main__":
    main()

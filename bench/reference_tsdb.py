"""The reference TSDB the query-cost benchmark runs on: built once, cached, reused.

A fleet of Triton pods (by default 50 models x 2 versions x 8 GPUs x 4 pods, 7 days at
60 s) is written as OpenMetrics text, one file per 18 h window, and imported with
``promtool tsdb create-blocks-from openmetrics --max-block-duration=18h``: promtool
re-parses its whole input once per output block, so one window per file and one block
per window is the fast way, and 18 h blocks are the largest Prometheus plans with the
default 15 d retention, so it never compacts them afterwards. The files are generated while
earlier ones import and deleted once imported.

Why not the simulator (``triton_dashboards.simulator``): it renders a whole scrape per
call for a constant workload; 40,000 scrapes of 55,000 series, re-parsed to put
timestamps on them, would take hours. Here every counter of a model on a pod is
``c x U(t)``, ``U`` being the integral of the model's daily curve since the pod started,
so a sample costs one multiplication, counters are exactly monotonic between resets,
and the last pod restarts halfway (one counter reset, as a model reload gives).
Per-model series carry ``gpu_uuid`` (models loaded after start-up: one series per
model, version and GPU), the heavier and common case; ``model_gpu_uuid=False`` gives
start-up-loaded models without it.

The recorded variant adds the recording rules' series, backfilled by ``promtool tsdb
create-blocks-from rules`` against a Prometheus on the raw TSDB. promtool writes small
2 h blocks that overlap the raw ones; Prometheus merges them one minute after it starts,
so the merged copy is compacted once before it is cached, and timings never include a
compaction.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import math
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

from triton_dashboards.preview.backfill import rule_passes

__all__ = [
    "BuildError",
    "Fleet",
    "Generator",
    "cached",
    "record_exprs",
    "recorded",
    "series_count",
    "serving",
]

ROOT = Path(__file__).resolve().parents[1]
#: 2026-01-01T00:00:00Z: a multiple of 18 h, so each window is exactly one promtool block.
EPOCH = 1_767_225_600
WINDOW = 18 * 3600
#: Bumped whenever the generated data changes, so stale caches are never reused.
GENERATOR_VERSION = 1
#: Bytes of OpenMetrics text per sample, measured; for the disk check only.
BYTES_PER_SAMPLE = 240
#: promtool allocates per sample; a lazier garbage collector saves ~15 % of its CPU.
PROMTOOL_ENV = {**os.environ, "GOGC": "400"}


class BuildError(Exception):
    """Building the TSDB failed in a way the user can fix; one line."""


@dataclasses.dataclass(frozen=True)
class Fleet:
    """The reference deployment: its size, and the sample names to backfill."""

    models: int = 50
    versions: int = 2
    gpus: int = 8
    pods: int = 4
    days: float = 7.0
    resolution: int = 60
    model_gpu_uuid: bool = True
    families: tuple[str, ...] = ()

    @property
    def start(self) -> int:
        return EPOCH

    @property
    def end(self) -> int:
        return EPOCH + int(self.days * 86400)

    def key(self) -> str:
        """A cache key that changes with every parameter and with the generator."""
        fields = {**dataclasses.asdict(self), "generator": GENERATOR_VERSION}
        digest = hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()[:12]
        days = f"{self.days:g}".replace(".", "_")
        size = f"m{self.models}v{self.versions}g{self.gpus}p{self.pods}"
        startup = "" if self.model_gpu_uuid else "-startup"
        return f"{size}-{days}d-{self.resolution}s{startup}-{digest}"

    def describe(self) -> str:
        gpu = "one per GPU" if self.model_gpu_uuid else "no gpu_uuid (loaded at start-up)"
        return (
            f"{self.models} models x {self.versions} versions x {self.gpus} GPUs x "
            f"{self.pods} pods, {self.days:g} d at {self.resolution} s, per-model series {gpu}"
        )


# ---------------------------------------------------------------------- the workload


@dataclasses.dataclass(frozen=True)
class Profile:
    """One model's workload; rates are per (version, GPU, pod) series before the split."""

    rate: float  # successful requests/s
    batch: float  # inferences per request
    per_exec: float  # requests the dynamic batcher merges into one execution
    latency_us: float  # request duration
    first_ms: float  # mean time to first response
    reject: float  # REJECTED failures per success
    amplitude: float  # daily swing of the rate, 0..1
    phase: float
    pending: float  # typical queue depth

    @classmethod
    def of(cls, model: int) -> Profile:
        rng = random.Random(model)
        return cls(
            rate=rng.uniform(0.2, 3.0),
            batch=rng.choice((1.0, 1.0, 2.0, 4.0, 8.0)),
            per_exec=rng.choice((1.0, 2.0, 4.0)),
            latency_us=rng.uniform(1500.0, 40000.0),
            first_ms=rng.uniform(5.0, 800.0),
            reject=0.08 if model == 7 else rng.uniform(0.0, 0.01),
            amplitude=rng.uniform(0.2, 0.7),
            phase=rng.uniform(0.0, 2 * math.pi),
            pending=rng.uniform(0.0, 6.0),
        )


#: Per-model counters: increase per second as a multiple of the series' request rate.
COUNTERS: dict[str, Callable[[Profile], float]] = {
    "nv_inference_request_success": lambda p: 1.0,
    "nv_inference_count": lambda p: p.batch,
    "nv_inference_exec_count": lambda p: 1.0 / p.per_exec,
    "nv_inference_request_duration_us": lambda p: p.latency_us,
    "nv_inference_queue_duration_us": lambda p: 0.15 * p.latency_us,
    "nv_inference_compute_input_duration_us": lambda p: 0.05 * p.latency_us,
    "nv_inference_compute_infer_duration_us": lambda p: 0.6 * p.latency_us,
    "nv_inference_compute_output_duration_us": lambda p: 0.05 * p.latency_us,
    "nv_cache_num_hits_per_model": lambda p: 0.2,
    "nv_cache_num_misses_per_model": lambda p: 0.8,
    "nv_cache_hit_duration_per_model": lambda p: 0.2 * 20.0,
    "nv_cache_miss_duration_per_model": lambda p: 0.8 * 45.0,
}
#: Failures per success by reason; Triton creates all four series, OTHER stays 0 here.
FAILURES: dict[str, Callable[[Profile], float]] = {
    "REJECTED": lambda p: p.reject,
    "BACKEND": lambda p: 0.004,
    "CANCELED": lambda p: 0.001,
    "OTHER": lambda p: 0.0,
}
GPU_MEMORY = 85_899_345_920  # 80 GiB
HOST_MEMORY = 1_081_575_571_456
PENDING = "nv_inference_pending_request_count"
#: The quantiles a Triton summary reports by default (``summary_quantiles``).
SUMMARY_QUANTILES = (0.5, 0.9, 0.95, 0.99, 0.999)
PINNED_POOL = 268_435_456  # Triton's default pinned memory pool
#: Gauges per GPU and per host as a function of the load (about 1, swinging daily).
GPU_GAUGES: dict[str, Callable[[float], str]] = {
    "nv_gpu_utilization": lambda u: f"{u:.3f}",
    "nv_gpu_memory_total_bytes": lambda u: str(GPU_MEMORY),
    "nv_gpu_memory_used_bytes": lambda u: str(int(GPU_MEMORY * (0.45 + 0.4 * u))),
    "nv_gpu_power_usage": lambda u: f"{90 + 500 * u:.1f}",
    "nv_gpu_power_limit": lambda u: "700",
}
HOST_GAUGES: dict[str, Callable[[float], str]] = {
    "nv_cpu_utilization": lambda x: f"{min(1.0, 0.2 * x):.3f}",
    "nv_cpu_memory_total_bytes": lambda x: str(HOST_MEMORY),
    "nv_cpu_memory_used_bytes": lambda x: str(int(HOST_MEMORY * (0.2 + 0.1 * x))),
    "nv_pinned_memory_pool_total_bytes": lambda x: str(PINNED_POOL),
    "nv_pinned_memory_pool_used_bytes": lambda x: str(int(PINNED_POOL * min(1.0, 0.3 * x))),
}


def gpu_uuid(pod: int, gpu: int) -> str:
    digest = hashlib.md5(f"pod{pod}-gpu{gpu}".encode()).hexdigest()
    return f"GPU-{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"


def target_labels(pod: int) -> str:
    """The labels Kubernetes discovery and relabelling put on every series of a pod."""
    return (
        f'namespace="triton",job="triton-inference-ner",'
        f'instance="10.0.1.{10 + pod}:8002",pod="triton-inference-ner-{pod}"'
    )


@dataclasses.dataclass
class _Clock:
    """One window's time axis per pod: sample suffixes, daily curves, integrals, load."""

    suffix: dict[int, list[str]]  # " <timestamp>\n" per sample, per pod
    curve: dict[tuple[int, int], list[float]]  # (model, pod) -> daily curve
    total: dict[tuple[int, int], list[float]]  # (model, pod) -> its integral since start
    load: dict[int, list[float]]  # pod -> load driving its gauges


class Generator:
    """Writes the fleet's samples for one time window as OpenMetrics text."""

    def __init__(self, fleet: Fleet) -> None:
        from triton_dashboards import catalog
        from triton_dashboards.simulator.workload import FIRST_RESPONSE_BUCKETS

        self.fleet = fleet
        self.catalog = catalog
        self.buckets = [*(f"{b:g}" for b in FIRST_RESPONSE_BUCKETS), "+Inf"]
        self.profiles = [Profile.of(m) for m in range(fleet.models)]
        # The last pod restarts halfway through: its counters start again from 0.
        self.restart = fleet.start + int(fleet.days * 86400 / 2) if fleet.pods > 1 else None
        self.generic: set[str] = set()  # families with no model here: given plain values

    def _times(self, pod: int, lo: int, hi: int) -> range:
        """Scrape times of ``pod`` in ``[lo, hi)``: each target has its own offset."""
        res = self.fleet.resolution
        offset = (7 + 17 * pod) % res
        return range(lo + (offset - lo) % res, hi, res)

    def _daily(self, profile: Profile, t: float) -> tuple[float, float]:
        """The model's daily curve 1 + a sin(wt + phi) at ``t``, and its integral since EPOCH."""
        w = 2 * math.pi / 86400
        a, phi, x = profile.amplitude, profile.phase, t - EPOCH
        return 1.0 + a * math.sin(w * x + phi), x + a / w * (math.cos(phi) - math.cos(w * x + phi))

    def _clock(self, lo: int, hi: int) -> _Clock:
        fleet = self.fleet
        times = {p: self._times(p, lo, hi) for p in range(fleet.pods)}
        clock = _Clock({p: [f" {t}\n" for t in ts] for p, ts in times.items()}, {}, {}, {})
        for m, profile in enumerate(self.profiles):
            for p in range(fleet.pods):
                pairs = [self._daily(profile, t) for t in times[p]]
                clock.curve[(m, p)] = [c for c, _ in pairs]
                total = [u for _, u in pairs]
                if self.restart is not None and p == fleet.pods - 1:
                    base = self._daily(profile, self.restart)[1]
                    total = [
                        u - base if t >= self.restart else u
                        for u, t in zip(total, times[p], strict=True)
                    ]
                clock.total[(m, p)] = total
        # A pod's gauges follow its load: the mean daily curve of its first few models.
        for p in range(fleet.pods):
            curves = [clock.curve[(m, p)] for m in range(min(8, fleet.models))]
            clock.load[p] = [sum(v) / len(v) for v in zip(*curves, strict=True)]
        return clock

    def window(self, lo: int, hi: int, out: IO[str]) -> int:
        """Write every sample with ``lo <= t < hi``; returns how many."""
        clock = self._clock(lo, hi)
        written = 0
        for sample in self.fleet.families:
            family = self.catalog.family_of(sample)
            name, kind = (family.name, family.kind.value) if family else (sample, "unknown")
            out.write(f"# TYPE {name} {kind}\n")
            if family is not None and family.kind.value == "summary" and sample == family.name:
                for labels, p, values in self._summary_quantiles(clock):
                    head = f"{sample}{{{labels},{target_labels(p)}}} "
                    out.write(
                        "".join(
                            [head + v + s for v, s in zip(values, clock.suffix[p], strict=True)]
                        )
                    )
                    written += len(values)
                continue
            if family is not None and family.per_model and sample != PENDING:
                for labels, p, c, total in self._counters(sample, clock):
                    head = f"{sample}{{{labels},{target_labels(p)}}} "
                    suffix = clock.suffix[p]
                    out.write(
                        "".join(
                            [f"{head}{int(c * u)}{s}" for u, s in zip(total, suffix, strict=True)]
                        )
                    )
                    written += len(total)
                continue
            for labels, p, values in self._gauges(sample, family, clock):
                both = f"{labels},{target_labels(p)}" if labels else target_labels(p)
                head = f"{sample}{{{both}}} "
                out.write(
                    "".join([head + v + s for v, s in zip(values, clock.suffix[p], strict=True)])
                )
                written += len(values)
        out.write("# EOF\n")
        return written

    def _share(self, version: int) -> float:
        """The newest version takes most traffic; it spreads evenly over the GPUs."""
        weights = [2.0**i for i in range(self.fleet.versions)]
        gpus = self.fleet.gpus if self.fleet.model_gpu_uuid else 1
        return weights[version - 1] / sum(weights) / gpus

    def _summary_quantiles(self, clock: _Clock) -> Iterator[tuple[str, int, list[str]]]:
        """A summary's quantile series (gauges, per model, version and pod, no GPU): the
        model's latency scaled by the quantile of an exponential distribution."""
        for m, profile in enumerate(self.profiles):
            for v in range(1, self.fleet.versions + 1):
                for p in range(self.fleet.pods):
                    for q in SUMMARY_QUANTILES:
                        scale = -math.log1p(-q) * profile.latency_us
                        values = [f"{scale * c:.1f}" for c in clock.curve[(m, p)]]
                        yield f'model="model_{m:02d}",version="{v}",quantile="{q}"', p, values

    def _counters(
        self, sample: str, clock: _Clock
    ) -> Iterator[tuple[str, int, float, list[float]]]:
        """(labels, pod, increase per unit of U, U) of every series of a per-model counter."""
        fleet = self.fleet
        gpus: Sequence[int | None] = range(fleet.gpus) if fleet.model_gpu_uuid else [None]
        coefficient = COUNTERS.get(sample)
        if (
            coefficient is None
            and sample != "nv_inference_request_failure"
            and not sample.endswith("_bucket")
        ):
            self.generic.add(sample)
            coefficient = COUNTERS["nv_inference_request_success"]
        for m, profile in enumerate(self.profiles):
            for v in range(1, fleet.versions + 1):
                r = profile.rate * self._share(v)
                for p in range(fleet.pods):
                    for g in gpus:
                        gpu = "" if g is None else f',gpu_uuid="{gpu_uuid(p, g)}"'
                        base = f'model="model_{m:02d}",version="{v}"{gpu}'
                        total = clock.total[(m, p)]
                        if sample == "nv_inference_request_failure":
                            for reason, share in FAILURES.items():
                                yield f'{base},reason="{reason}"', p, r * share(profile), total
                        elif sample.endswith("_bucket"):
                            for le in self.buckets:
                                below = (
                                    1.0
                                    if le == "+Inf"
                                    else 1 - math.exp(-float(le) / profile.first_ms)
                                )
                                yield f'{base},le="{le}"', p, r * below, total
                        else:
                            assert coefficient is not None
                            yield base, p, r * coefficient(profile), total

    def _gauges(
        self, sample: str, family: Any, clock: _Clock
    ) -> Iterator[tuple[str, int, list[str]]]:
        fleet = self.fleet
        if sample == PENDING:  # per model, never per GPU
            for m, profile in enumerate(self.profiles):
                for v in range(1, fleet.versions + 1):
                    depth = profile.pending * (1.0 if v == fleet.versions else 0.3)
                    for p in range(fleet.pods):
                        values = [str(int(depth * c)) for c in clock.curve[(m, p)]]
                        yield f'model="model_{m:02d}",version="{v}"', p, values
        elif family is not None and "gpu_uuid" in family.labels:
            show = GPU_GAUGES.get(sample)
            if show is None:
                self.generic.add(sample)
                show = GPU_GAUGES["nv_gpu_utilization"]
            for p in range(fleet.pods):
                for g in range(fleet.gpus):
                    util = [min(0.99, 0.3 * x + 0.05 * g / fleet.gpus) for x in clock.load[p]]
                    yield f'gpu_uuid="{gpu_uuid(p, g)}"', p, [show(u) for u in util]
        else:
            show = HOST_GAUGES.get(sample)
            if show is None:
                self.generic.add(sample)
                show = HOST_GAUGES["nv_cpu_utilization"]
            for p in range(fleet.pods):
                yield "", p, [show(x) for x in clock.load[p]]


def series_count(fleet: Fleet) -> int:
    """How many series the generator writes for ``fleet``."""
    from triton_dashboards import catalog

    per_model = fleet.models * fleet.versions * fleet.pods
    n = 0
    for sample in fleet.families:
        family = catalog.family_of(sample)
        if sample == PENDING:
            n += per_model
        elif family is not None and family.kind.value == "summary" and sample == family.name:
            n += per_model * len(SUMMARY_QUANTILES)
        elif family is not None and family.per_model:
            fan = len(FAILURES) if sample == "nv_inference_request_failure" else 1
            fan = 5 if sample.endswith("_bucket") else fan
            n += per_model * (fleet.gpus if fleet.model_gpu_uuid else 1) * fan
        elif family is not None and "gpu_uuid" in family.labels:
            n += fleet.pods * fleet.gpus
        else:
            n += fleet.pods
    return n


# --------------------------------------------------------------------------- backfill


def _promtool() -> str:
    path = shutil.which("promtool")
    if path is None:
        raise BuildError("promtool not found; install the Debian prometheus package")
    return path


def _run(command: Sequence[str], what: str) -> None:
    done = subprocess.run(command, capture_output=True, text=True, env=PROMTOOL_ENV, check=False)
    if done.returncode != 0:
        last = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
        raise BuildError(f"{what} failed (exit {done.returncode}): {last[0]}")


def dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def backfill(fleet: Fleet, out_dir: Path, work: Path, *, jobs: int = 1) -> dict[str, float]:
    """Generate and import every window of ``fleet`` into ``out_dir``; timings in s.

    A window is generated while up to ``jobs`` earlier ones import, so at most
    ``jobs + 1`` window files exist at once; each is deleted once imported.
    """
    promtool = _promtool()
    generator = Generator(fleet)
    out_dir.mkdir(parents=True)
    windows = [(lo, min(lo + WINDOW, fleet.end)) for lo in range(fleet.start, fleet.end, WINDOW)]
    running: list[tuple[subprocess.Popen[bytes], Path]] = []
    timings = {"generate": 0.0, "samples": 0.0, "window_bytes": 0.0}
    began = time.perf_counter()

    def finish_oldest() -> None:
        process, path = running.pop(0)
        _, stderr = process.communicate()
        path.unlink(missing_ok=True)
        if process.returncode != 0:
            last = stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no output"]
            raise BuildError(f"promtool import failed (exit {process.returncode}): {last[0]}")

    try:
        for i, (lo, hi) in enumerate(windows):
            path = work / f"window-{lo}.om"
            t0 = time.perf_counter()
            with path.open("w", buffering=1 << 22) as f:
                timings["samples"] += generator.window(lo, hi, f)
            timings["generate"] += time.perf_counter() - t0
            size = path.stat().st_size
            timings["window_bytes"] = max(timings["window_bytes"], size)
            while len(running) >= jobs:
                finish_oldest()
            command = [promtool, "tsdb", "create-blocks-from", "openmetrics", "-q",
                       "--max-block-duration=18h", str(path), str(out_dir)]  # fmt: skip
            process = subprocess.Popen(
                command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=PROMTOOL_ENV
            )
            running.append((process, path))
            print(
                f"  window {i + 1}/{len(windows)} written ({size / 1e9:.2f} GB), importing; "
                f"{time.perf_counter() - began:.0f} s elapsed",
                flush=True,
            )
        while running:
            finish_oldest()
    finally:
        for process, path in running:
            process.kill()
            process.wait()
            path.unlink(missing_ok=True)
    timings["total"] = time.perf_counter() - began
    if generator.generic:
        print(f"  note: no workload model for {', '.join(sorted(generator.generic))}: plain values")
    return timings


def _ignore_in_git(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    marker = directory / ".gitignore"
    if not marker.exists():
        marker.write_text("# built by bench/query_cost.py; never committed\n*\n")


def _manifest(path: Path) -> Path:
    return path.parent / f"{path.name}.json"


def cached(fleet: Fleet, cache: Path, *, rebuild: bool = False, jobs: int = 2) -> Path:
    """The TSDB for ``fleet`` under ``cache``, built first unless it is there already."""
    _ignore_in_git(cache)
    path = cache / f"tsdb-{fleet.key()}"
    if path.is_dir() and _manifest(path).exists() and not rebuild:
        info = json.loads(_manifest(path).read_text())
        print(f"reference TSDB: cached {path.name} (built in {info['total']:.0f} s)")
        return path
    shutil.rmtree(path, ignore_errors=True)
    n = series_count(fleet)
    samples = n * fleet.days * 86400 / fleet.resolution
    window = BYTES_PER_SAMPLE * n * min(WINDOW, fleet.days * 86400) / fleet.resolution
    need, free = window * (jobs + 1) + samples * 3, shutil.disk_usage(cache).free
    print(
        f"building the reference TSDB: {fleet.describe()}\n"
        f"  {n:,} series, {samples / 1e6:,.1f} M samples, about {window / 1e9:.1f} GB of text "
        f"per 18 h window, {jobs} import(s) at a time"
    )
    if need > free:
        raise BuildError(
            f"about {need / 1e9:.0f} GB of disk needed, {free / 1e9:.0f} GB free; "
            "use fewer --days or --models, or --jobs 1"
        )
    partial = cache / f"partial-{fleet.key()}"
    shutil.rmtree(partial, ignore_errors=True)
    try:
        with tempfile.TemporaryDirectory(prefix="windows-", dir=cache) as work:
            timings = backfill(fleet, partial, Path(work), jobs=jobs)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    partial.rename(path)
    info = {"fleet": dataclasses.asdict(fleet), "series": n, **timings, "bytes": dir_size(path)}
    _manifest(path).write_text(json.dumps(info, indent=2))
    print(
        f"  built in {timings['total']:.0f} s (generating {timings['generate']:.0f} s), "
        f"{timings['samples'] / 1e6:,.1f} M samples, TSDB {info['bytes'] / 1e6:,.0f} MB"
    )
    return path


def linked_copy(source: Path, target: Path) -> Path:
    """A copy of a TSDB made of hard links: instant, and the original stays untouched,
    because Prometheus never rewrites a block file in place (compaction writes new
    blocks and unlinks the old ones)."""
    shutil.copytree(source, target, copy_function=os.link)
    return target


# ------------------------------------------------------------------------- Prometheus


def _server_class() -> Any:
    """tests/prometheus_server.PrometheusServer (the test suite's launcher)."""
    if shutil.which("prometheus") is None:
        raise BuildError("prometheus not found; install the Debian prometheus package")
    tests = str(ROOT / "tests")
    sys.path.insert(0, tests)
    try:
        from prometheus_server import PrometheusServer  # type: ignore[import-not-found]
    finally:
        sys.path.remove(tests)
    return PrometheusServer


@contextlib.contextmanager
def serving(storage: Path) -> Iterator[Any]:
    """Prometheus on ``storage`` with no scrape jobs, on 127.0.0.1; stopped on exit."""
    config = json.dumps(
        {"global": {"scrape_interval": "1m", "evaluation_interval": "1m"}, "scrape_configs": []}
    )  # JSON is YAML
    # The largest block range Prometheus plans with the default 15 d retention is 18 h;
    # saying so keeps it that way whatever the retention.
    args = ["--storage.tsdb.max-block-duration=18h", "--storage.tsdb.retention.time=15d"]
    with _server_class()(storage=storage, config=config, extra_args=args) as server:
        yield server


def _self_metric(url: str, name: str) -> float:
    import requests

    text = requests.get(f"{url}/metrics", timeout=10).text
    match = re.search(rf"^{name}(?:{{[^}}]*}})? (\S+)$", text, re.M)
    return float(match.group(1)) if match else 0.0


def settle(server: Any, timeout: float = 3600.0) -> float:
    """Wait until Prometheus has finished its first compaction cycle; seconds waited.

    The TSDB loop compacts one minute after start, planning until nothing is left, and
    triggers again each minute; the trigger counter only moves once the previous cycle
    has returned, so a count of 2 means the first cycle is done.
    """
    began = time.monotonic()
    while _self_metric(server.url, "prometheus_tsdb_compactions_triggered_total") < 2:
        if time.monotonic() - began > timeout:
            raise BuildError(f"Prometheus was still compacting after {timeout:.0f} s")
        time.sleep(2)
    return time.monotonic() - began


def recorded(
    raw: Path, fleet: Fleet, rules_text: str, cache: Path, *, eval_interval: str, rebuild: bool
) -> Path:
    """``raw`` plus the recorded series of ``rules_text``, compacted once, cached."""
    digest = hashlib.sha256(f"{rules_text}{eval_interval}".encode()).hexdigest()[:12]
    path = cache / f"{raw.name}-rules-{digest}"
    if path.is_dir() and _manifest(path).exists() and not rebuild:
        info = json.loads(_manifest(path).read_text())
        print(f"recorded TSDB: cached {path.name} (rules backfilled in {info['rules']:.0f} s)")
        return path
    shutil.rmtree(path, ignore_errors=True)
    promtool = _promtool()
    print("backfilling the recording rules (promtool tsdb create-blocks-from rules)")
    with tempfile.TemporaryDirectory(prefix="rules-", dir=cache) as tmp:
        work = Path(tmp)
        began = time.perf_counter()
        blocks: list[Path] = []
        # promtool cannot backfill a rule that reads another rule's output: one pass per
        # level of records, each served the raw data and the blocks of the passes before.
        # The passes are the preview demo's (triton_dashboards.preview.backfill).
        for i, text in enumerate(rule_passes(rules_text)):
            rules_file = work / f"rules-{i}.yml"
            rules_file.write_text(text)
            _run([promtool, "check", "rules", str(rules_file)], "promtool check rules")
            source = linked_copy(raw, work / f"source-{i}")
            for block in blocks:
                linked_copy(block, source / block.name)
            with serving(source) as server:
                _run(
                    [promtool, "tsdb", "create-blocks-from", "rules", "-q",
                     f"--start={fleet.start}", f"--end={fleet.end}", f"--url={server.url}",
                     f"--output-dir={work / f'blocks-{i}'}", f"--eval-interval={eval_interval}",
                     str(rules_file)],
                    "promtool tsdb create-blocks-from rules",
                )  # fmt: skip
            blocks += [b for b in (work / f"blocks-{i}").iterdir() if (b / "meta.json").exists()]
        took = time.perf_counter() - began
        merged = linked_copy(raw, work / "merged")
        for block in blocks:
            block.rename(merged / block.name)
        print(f"  {len(blocks)} blocks in {took:.0f} s; Prometheus merges them once (~2 min)")
        with serving(merged) as server:
            waited = settle(server)
        for leftover in ("wal", "chunks_head"):
            shutil.rmtree(merged / leftover, ignore_errors=True)
        for leftover in ("lock", "queries.active"):
            (merged / leftover).unlink(missing_ok=True)
        merged.rename(path)
    info = {"rules": took, "blocks": len(blocks), "settle": waited, "bytes": dir_size(path)}
    _manifest(path).write_text(json.dumps(info, indent=2))
    print(f"  merged in {waited:.0f} s; TSDB {info['bytes'] / 1e6:,.0f} MB")
    return path


def record_exprs(text: str) -> list[str]:
    """The recording rules' expressions in a rules file: what the recorded series read."""
    import yaml

    document: Mapping[str, Any] = yaml.safe_load(text) or {}
    rules = [r for g in document.get("groups") or [] for r in g.get("rules") or []]
    return [r["expr"] for r in rules if "record" in r]

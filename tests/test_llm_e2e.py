"""End-to-end truth of the LLM dashboards: a real Prometheus scraping a simulated
TensorRT-LLM pod and a simulated vLLM pod (the workload files shipped with the simulator).

Every query of "Triton LLM" (raw and recorded variant) and of dashboards/llm.json runs the
way Grafana runs it (triton_dashboards.inspect) and must equal the workload within 5 %;
a quantile that lies in the lowest bucket must show no value (vllm_fast's TTFT median,
0.4 ms against a first bound of 1 ms). The values seen are written to
``$LLM_E2E_REPORT`` (default: the test's tmp dir) and printed with ``-s``.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import shlex
from collections.abc import Callable, Iterator, Mapping
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from _support import ROOT
from click.testing import CliRunner
from prometheus_server import PrometheusServer

from triton_dashboards.catalog import llm as catalog_llm
from triton_dashboards.cli import main
from triton_dashboards.dashboard import render
from triton_dashboards.dashboard.records import records_read
from triton_dashboards.dashboard.stock.llm import llm_serving
from triton_dashboards.inspect import QueryContext, Variables, panel_targets, run_target
from triton_dashboards.prometheus import rules
from triton_dashboards.query.recording import TABLE, Recording
from triton_dashboards.simulator import Workload, serve
from triton_dashboards.simulator.llm import TrtLlm, Vllm
from triton_dashboards.simulator.parts import FIRST_RESPONSE_BUCKETS

pytestmark = pytest.mark.e2e

#: Rates times this: enough requests that a bucket's share, counted in whole requests over
#: one rate window, is the workload's within TOLERANCE (test_the_shares_count_enough_requests:
#: at 100, vllm_model's 0.5 % below 1 ms was 12 requests a window, and a scrape a few ms
#: late on a loaded machine made it 11, 8 % off).
SCALE = 1000.0
RANGE = 6.0
TOLERANCE = 0.05
RECORDING = Recording(window="4s", interval="1s")
_FILES = resources.files("triton_dashboards.simulator")
PODS = {
    pod: Workload.from_mapping(
        yaml.safe_load(_FILES.joinpath(f"{pod}.yaml").read_text("utf-8"))
    ).scaled(SCALE)
    for pod in ("trtllm", "vllm")
}
DASHBOARDS: dict[str, dict[str, Any]] = {
    "triton-llm": render.to_json(llm_serving()),
    "triton-llm-recorded": render.to_json(llm_serving(recording_rules=RECORDING)),
    "llm": json.loads((ROOT / "dashboards" / "llm.json").read_text(encoding="utf-8")),
}

Labels = Mapping[str, str]
Expected = Callable[[Labels], "float | None"]


def honest(quantile: float, mean: float, bounds: tuple[float, ...]) -> float | None:
    """What ``histogram_quantile`` gives on exponential buckets, None where it is no
    measurement (the rank in the lowest bucket or above the last finite bound)."""
    shares = [-math.expm1(-b / mean) for b in bounds]
    if quantile <= shares[0] or quantile > shares[-1]:
        return None
    for i in range(1, len(bounds)):
        if quantile <= shares[i]:
            low, high = bounds[i - 1], bounds[i]
            return low + (high - low) * (quantile - shares[i - 1]) / (shares[i] - shares[i - 1])
    return None


def _entries() -> dict[str, TrtLlm | Vllm]:
    return {e.model: e for w in PODS.values() for e in w.llm}


def _vllm(labels: Labels) -> Vllm | None:
    entry = _entries().get(labels.get("model", ""))
    return entry if isinstance(entry, Vllm) else None


def _trt(labels: Labels) -> TrtLlm | None:
    entry = _entries().get(labels.get("model", ""))
    return entry if isinstance(entry, TrtLlm) else None


def _first_response_mean(labels: Labels) -> float | None:
    """Mean ms to the first response: the simulator's request time, per model."""
    for workload in PODS.values():
        for model in workload.models:
            if model.name == labels.get("model") and workload.histogram_latencies:
                return workload.truth(model.name).latency_us["request"] / 1000.0
    return None


def _latency(field: str, family: str) -> dict[str, Expected]:
    bounds = catalog_llm.family(family).buckets

    def quantile(q: float) -> Expected:
        def value(labels: Labels) -> float | None:
            e = _vllm(labels)
            return None if e is None else honest(q, getattr(e, field), bounds)

        return value

    def mean(labels: Labels) -> float | None:
        e = _vllm(labels)
        return None if e is None else float(getattr(e, field))

    return {"A": mean, "B": quantile(0.5), "C": quantile(0.95), "D": quantile(0.99)}


def _first_response() -> dict[str, Expected]:
    def quantile(q: float) -> Expected:
        def value(labels: Labels) -> float | None:
            mean = _first_response_mean(labels)
            return None if mean is None else honest(q, mean, FIRST_RESPONSE_BUCKETS)

        return value

    return {"A": _first_response_mean, "B": quantile(0.5), "C": quantile(0.95), "D": quantile(0.99)}


def _share(labels: Labels) -> float | None:
    """Within each finite bound; no +Inf series (its share is 100 % by definition)."""
    e = _vllm(labels)
    le = float(labels["le"].replace("+Inf", "inf"))
    return None if e is None or not math.isfinite(le) else -math.expm1(-le / e.ttft)


def _first_response_share(labels: Labels) -> float | None:
    mean = _first_response_mean(labels)
    le = float(labels["le"].replace("+Inf", "inf"))
    return None if mean is None or not math.isfinite(le) else -math.expm1(-le / mean)


def _v(get: Callable[[Vllm], float]) -> Expected:
    return lambda labels: None if (e := _vllm(labels)) is None else float(get(e))


def _t(get: Callable[[TrtLlm], float]) -> Expected:
    return lambda labels: None if (e := _trt(labels)) is None else float(get(e))


#: panel title -> refId -> what each series must show (by its labels).
TRUTH: dict[str, dict[str, Expected]] = {
    "vLLM time to first token": _latency("ttft", "vllm:time_to_first_token_seconds"),
    "vLLM first token within each bound": {"A": _share},
    "vLLM time per output token": _latency(
        "time_per_output_token", "vllm:time_per_output_token_seconds"
    ),
    "vLLM end-to-end latency": _latency("e2e", "vllm:e2e_request_latency_seconds"),
    "vLLM tokens per second": {
        "A": _v(lambda e: e.requests * e.prompt_tokens),
        "B": _v(lambda e: e.requests * e.generation_tokens),
    },
    "vLLM tokens per request": {
        "A": _v(lambda e: e.prompt_tokens),
        "B": _v(lambda e: e.generation_tokens),
    },
    "vLLM requests running and waiting": {
        "A": _v(lambda e: e.running),
        "B": _v(lambda e: e.waiting),
    },
    "vLLM KV cache used": {"A": _v(lambda e: e.kv_cache_usage)},
    "time to first response": _first_response(),
    "first token within each bound": {"A": _first_response_share},
    "TensorRT-LLM requests": {
        **{
            ref: _t(lambda e, k=key: e.requests[k])  # type: ignore[misc]
            for ref, key in zip("ABCD", ("active", "scheduled", "context", "waiting"), strict=True)
        },
        "E": _t(lambda e: e.generation_requests),
    },
    "TensorRT-LLM KV cache used": {"A": _t(lambda e: e.kv_cache["used"] / e.kv_cache["max"])},
    "TensorRT-LLM KV cache blocks": {
        "A": _t(lambda e: e.kv_cache["used"]),
        "B": _t(lambda e: e.kv_cache["max"] - e.kv_cache["used"]),
        "C": _t(lambda e: e.kv_cache["max"]),
    },
    "TensorRT-LLM runtime memory": {
        ref: _t(lambda e, k=key: e.memory[k])  # type: ignore[misc]
        for ref, key in zip("ABC", ("gpu", "cpu", "pinned"), strict=True)
    },
    "TensorRT-LLM in-flight context tokens": {"A": _t(lambda e: e.context_tokens)},
    "TensorRT-LLM KV cache transfer time": {"A": _t(lambda e: e.kv_transfer_ms)},
    # dashboards/llm.json: the ensemble deployment
    "ensemble: time to first token": _first_response(),
    "ensemble: first token within each bound": {"A": _first_response_share},
    "tensorrt_llm: TensorRT-LLM requests": {},
    "tensorrt_llm: TensorRT-LLM KV cache used": {},
    "tensorrt_llm: TensorRT-LLM KV cache blocks": {},
    "tensorrt_llm: TensorRT-LLM runtime memory": {},
}
for _title in list(TRUTH):
    if _title.startswith("tensorrt_llm: "):
        TRUTH[_title] = TRUTH[_title.removeprefix("tensorrt_llm: ")]


def documented_scrape_config(targets: list[str]) -> dict[str, Any]:
    """The scrape job docs/llm.md gives for the two simulators, run as written but for
    the targets (the simulators' real ports), a 1 s interval and stdout instead of -o."""
    docs = (ROOT / "docs" / "llm.md").read_text(encoding="utf-8")
    [line] = [ln for ln in docs.splitlines() if ln.startswith("triton-dashboards scrape-config")]
    args = shlex.split(line)[1:]
    given = [args[i + 1] for i, arg in enumerate(args) if arg == "--target"]
    assert given == ["127.0.0.1:8002", "127.0.0.1:8003"], line  # trtllm, then vllm
    for i, arg in enumerate(args):
        if arg == "--target":
            args[i + 1] = targets[given.index(args[i + 1])]
    del args[args.index("-o") : args.index("-o") + 2]
    result = CliRunner().invoke(main, [*args, "--interval", "1s"])
    assert result.exit_code == 0, result.output
    config: dict[str, Any] = yaml.safe_load(result.output)
    return config


@pytest.fixture(scope="module")
def running(
    tmp_path_factory: pytest.TempPathFactory, prometheus_binary: str
) -> Iterator[tuple[PrometheusServer, QueryContext]]:
    rules_file = tmp_path_factory.mktemp("rules") / "triton.rules.yml"
    rules_file.write_text(rules.render(rules.RulesConfig(recording=RECORDING)), encoding="utf-8")
    with contextlib.ExitStack() as stack:
        servers = {pod: stack.enter_context(serve(w, port=0, pod=pod)) for pod, w in PODS.items()}
        targets = [urlsplit(servers[pod].url).netloc for pod in ("trtllm", "vllm")]
        config = documented_scrape_config(targets)
        config["global"] = {"evaluation_interval": "1s"}
        config["rule_files"] = [str(rules_file)]
        prometheus = stack.enter_context(PrometheusServer(config=yaml.safe_dump(config)))
        value = lambda r: float(r[0]["value"][1]) if r else math.nan  # noqa: E731
        prometheus.wait_for("count(up == 1)", lambda r: value(r) == len(PODS), timeout=20)
        first = max(float(s["value"][1]) for s in prometheus.query("timestamp(up)"))
        end = math.ceil(first + RANGE)
        prometheus.wait_for("min(timestamp(up))", lambda r: value(r) > end + 1, timeout=RANGE + 15)
        yield prometheus, QueryContext(start=end - RANGE, end=end, scrape_interval=1.0)


def _last(series: Mapping[str, Any]) -> float:
    points = series.get("values") or [series["value"]]
    values = [float(v) for _, v in points if not math.isnan(float(v))]
    return values[-1] if values else math.nan


def _key(labels: Labels) -> tuple[str, ...]:
    return tuple(labels.get(k, "") for k in ("model", "le"))


def _fewest_per_second() -> float:
    """The fewest requests a second that any bucket of the share panels gains: a bucket
    counts whole requests, so its share over a window is off by up to one of them."""
    gains = [
        share * rate
        for e in _entries().values()
        if isinstance(e, Vllm)
        for share, rate in (
            (-math.expm1(-b / e.ttft), e.requests)
            for b in catalog_llm.family("vllm:time_to_first_token_seconds").buckets
        )
    ]
    for workload in PODS.values():
        if workload.histogram_latencies:
            for model in workload.models:
                mean = workload.truth(model.name).latency_us["request"] / 1000.0
                gains += [-math.expm1(-b / mean) * model.rate for b in FIRST_RESPONSE_BUCKETS]
    return min(gains)


def test_the_shares_count_enough_requests() -> None:
    """In the shortest window a rate can have (two scrapes, 1 s apart), one request more or
    less in the smallest bucket moves its share by less than TOLERANCE: a late scrape cannot
    fail the truth test, however loaded the machine."""
    assert 1 / _fewest_per_second() < TOLERANCE


@pytest.mark.parametrize("name", sorted(DASHBOARDS))
def test_every_llm_panel_shows_the_workload(
    running: tuple[PrometheusServer, QueryContext], name: str, tmp_path: Path
) -> None:
    prometheus, context = running
    dashboard = DASHBOARDS[name]
    variables = Variables(dashboard, prometheus, context)
    problems: list[str] = []
    seen: list[str] = []
    for panel, target in panel_targets(dashboard):
        title, ref = panel["title"], target["refId"]
        truth = TRUTH[title][ref]
        result = run_target(prometheus, variables, panel, target)
        got = {
            _key(s["metric"]): (_last(s), {k: v for k, v in s["metric"].items() if k != "__name__"})
            for s in result
        }
        if not any(not math.isnan(v) for v, _ in got.values()):
            problems.append(f"{name}: {title!r} {ref}: no data")
        for key, (value, labels) in sorted(got.items()):
            expected = truth(labels)
            seen.append(f"{name} | {title} | {ref} | {' '.join(key)} | {value:.6g} | {expected}")
            if expected is None:
                problems.append(f"{name}: {title!r} {ref} {key}: shows {value:.6g}, want none")
            elif not math.isclose(value, expected, rel_tol=TOLERANCE, abs_tol=1e-9):
                problems.append(f"{name}: {title!r} {ref} {key}: {value:.6g}, truth {expected:.6g}")
    report = Path(os.environ.get("LLM_E2E_REPORT", tmp_path / "llm_e2e.txt"))
    with report.open("a", encoding="utf-8") as out:
        out.write("\n".join(seen) + "\n")
    print("\n".join(seen))
    assert not problems, "\n".join(problems)


def test_a_ttft_below_the_first_bucket_is_not_shown_as_a_number(
    running: tuple[PrometheusServer, QueryContext],
) -> None:
    prometheus, context = running
    dashboard = DASHBOARDS["triton-llm"]
    variables = Variables(dashboard, prometheus, context)
    found = {}
    for panel, target in panel_targets(dashboard):
        if panel["title"] == "vLLM time to first token":
            result = run_target(prometheus, variables, panel, target)
            found[target["refId"]] = {s["metric"]["model"]: _last(s) for s in result}
    assert "vllm_fast" not in found["B"]  # median 0.28 ms < 1 ms: in the lowest bucket
    assert math.isclose(found["A"]["vllm_fast"], 0.0004, rel_tol=TOLERANCE)  # exact mean
    assert "vllm_fast" in found["C"] and "vllm_model" in found["B"]


def test_the_recorded_dashboard_reads_the_llm_records_the_rules_write(
    running: tuple[PrometheusServer, QueryContext],
) -> None:
    """With the rules loaded, every LLM record has series, and the recorded dashboard reads
    the per-target ones (its Instance variable needs them), so the truth test above checks
    them against the workload."""
    prometheus, _ = running
    llm = [r for r in TABLE if r.metric.plugin == catalog_llm.VLLM]
    assert llm, "no LLM record in the recording table"
    for record in llm:
        name = record.name(RECORDING.window)
        models = {s["metric"].get("model") for s in prometheus.query(name)}
        assert models and models <= {e.model for e in _entries().values()}, (name, models)
    read = {name for _, name in records_read(DASHBOARDS["triton-llm-recorded"])}
    assert {r.name(RECORDING.window) for r in llm if r.keeps is None} <= read

"""The Triton metrics simulator: Triton's exact exposition, counters that follow the workload.

The exposition is checked three ways: the real ``promtool check metrics`` parses it, a
strict parser here checks the text format line by line, and its families, HELP text and
label order are compared with the catalog and with real Triton output in tests/data/triton/samples.
"""

from __future__ import annotations

import contextlib
import math
import re
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import attrs
import pytest
from _support import ROOT
from test_cli import assert_one_line_error

from triton_dashboards import catalog
from triton_dashboards.simulator import Workload, WorkloadError, exposition, format_value, serve

# -- a strict parser of the text format, as Prometheus reads it -------------------------------

_NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
_LABEL = r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"'
_SAMPLE = re.compile(rf"^({_NAME})(?:\{{((?:{_LABEL},)*{_LABEL})\}})? (\S+)$")
_VALUE = re.compile(r"^(?:[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|[+-]Inf|Nan|NaN)$")


class Sample(NamedTuple):
    name: str
    labels: tuple[tuple[str, str], ...]  # in the order printed
    value: float


class Family(NamedTuple):
    help: str
    type: str
    samples: list[Sample]


def parse(text: str) -> dict[str, Family]:
    """Families by name; fails the test on anything Prometheus would reject or misread."""
    assert text.endswith("\n"), "the body must end with a newline (promtool rejects it)"
    families: dict[str, Family] = {}
    current: str | None = None
    lines = text.splitlines()
    for number, line in enumerate(lines, 1):
        where = f"line {number}: {line!r}"
        if line.startswith("# HELP "):
            name, _, help_text = line[7:].partition(" ")
            assert name not in families, f"{where}: family repeated"
            assert lines[number].startswith(f"# TYPE {name} "), f"{where}: no TYPE after HELP"
            families[name] = Family(help_text, lines[number].split()[3], [])
            current = name
        elif line.startswith("# TYPE "):
            assert line.split()[2] == current, f"{where}: TYPE for another family"
        else:
            match = _SAMPLE.match(line)
            assert match and current, f"{where}: not a sample line"
            name, body, value = match.group(1), match.group(2), match.group(7)
            kind = families[current].type
            suffixes = {
                "histogram": ("_bucket", "_sum", "_count"),
                "summary": ("", "_sum", "_count"),
            }
            allowed = {current + s for s in suffixes.get(kind, ("",))}
            assert name in allowed, f"{where}: sample of another family than {current}"
            assert _VALUE.match(value), f"{where}: value {value!r}"
            labels = tuple(re.findall(_LABEL, body or ""))
            families[current].samples.append(
                Sample(name, labels, float(value.replace("Nan", "nan")))
            )
    return families


def by_model(
    family: Family, sample: str | None = None, **match: str
) -> dict[tuple[str, str], float]:
    """Sum of a family's samples per (model, version), like ``sum by (model, version)``."""
    totals: dict[tuple[str, str], float] = defaultdict(float)
    for s in family.samples:
        labels = dict(s.labels)
        if s.name == (sample or s.name) and all(labels.get(k) == v for k, v in match.items()):
            totals[labels["model"], labels["version"]] += s.value
    return dict(totals)


def approx(expected: float) -> object:
    return pytest.approx(expected, rel=1e-12, abs=1e-9)


DEFAULT = Workload.default()


@pytest.fixture(scope="module")
def default_text() -> str:
    return exposition(DEFAULT, elapsed=12.5, pod="triton-0")


# -- the format ---------------------------------------------------------------------------------


def test_promtool_parses_the_exposition_and_finds_only_tritons_own_naming(
    default_text: str, promtool: str
) -> None:
    result = subprocess.run(
        [promtool, "check", "metrics"],
        input=default_text,
        capture_output=True,
        text=True,
        timeout=30,
    )
    # 0: clean, 3: lint findings only; 1 would be a parse error. Real Triton output draws the
    # same findings (no _total suffix, "_us" units, "summary" in names).
    assert result.returncode in (0, 3), result.stderr
    findings = (result.stdout + result.stderr).splitlines()
    assert findings, "promtool found none of the naming problems Triton's real names have"
    for finding in findings:
        assert re.search(r" (should|should not) ", finding), finding
        assert "error" not in finding.lower(), finding


def test_every_core_family_is_present_with_the_catalogs_help_and_type(default_text: str) -> None:
    families = parse(default_text)
    core = [m for m in catalog.CATALOG.values() if not m.plugin]
    assert len(core) > 30
    for metric in core:
        assert metric.name in families, metric.name
        assert families[metric.name].help == metric.help, metric.name
        assert families[metric.name].type == metric.kind.value, metric.name
        assert families[metric.name].samples, f"{metric.name} has no series"
    assert set(families) == {m.name for m in core}, "only Triton core families are exposed"


def _label_orders(text: str) -> dict[str, set[tuple[str, ...]]]:
    orders: dict[str, set[tuple[str, ...]]] = defaultdict(set)
    for line in text.splitlines():
        match = _SAMPLE.match(line)
        if match and match.group(2):
            names = tuple(re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="', match.group(2)))
            orders[match.group(1)].add(names)
    return orders


def test_label_names_come_in_the_order_real_triton_prints_them(
    default_text: str, testdata: Path
) -> None:
    samples = testdata / "triton" / "samples"
    real: dict[str, set[tuple[str, ...]]] = defaultdict(set)
    for path in samples.glob("*.txt"):
        for name, orders in _label_orders(path.read_text(encoding="utf-8")).items():
            real[name] |= orders
    ours = _label_orders(default_text)
    compared = set()
    for name, our_orders in ours.items():
        for order in our_orders:
            for real_order in real.get(name, ()):
                if set(real_order) == set(order):
                    assert order == real_order, name
                    compared.add(order)
    # The comparisons cover plain per-model series, reason, gpu_uuid and quantile.
    assert ("model", "reason", "version") in compared
    assert ("gpu_uuid", "model", "version") in compared
    assert ("model", "version", "quantile") in compared
    assert ("gpu_uuid",) in compared
    # What the samples cannot show follows the same rule: sorted, le/quantile last.
    for orders in ours.values():
        for order in orders:
            plain = tuple(n for n in order if n not in ("le", "quantile"))
            assert plain == tuple(sorted(plain)) and order[: len(plain)] == plain, order


def test_values_are_printed_as_prometheus_cpp_prints_them() -> None:
    assert format_value(268435456.0) == "268435456"
    assert format_value(0.0) == "0" and format_value(-0.0) == "0"
    assert format_value(32.09) == "32.09"
    assert format_value(0.02255639097744361) == "0.02255639097744361"  # real sample value
    assert format_value(math.inf) == "+Inf" and format_value(math.nan) == "Nan"


# -- the numbers -------------------------------------------------------------------------------

HAND = {
    "metrics": {"summary_latencies": True, "histogram_latencies": True},
    "gpus": [{"name": "g", "utilization": 0.5, "power": 100, "power_limit": 250}],
    "models": [
        {
            "name": "m",
            "rate": 10,
            "failures": {"BACKEND": 1, "REJECTED": 0.5},
            "batching": {"inferences_per_request": 3, "requests_per_execution": 2},
            "durations": {
                "queue": 100,
                "compute_input": 10,
                "compute_infer": 500,
                "compute_output": 20,
                "overhead": 70,
            },
            "cache": {"hits": 2, "hit_us": 5, "miss_us": 8},
        }
    ],
}


def test_counters_follow_tritons_rules_worked_by_hand() -> None:
    # 10 successes/s of which 2 cache hits, so 8 executed. Over 4 s (+1 s offset = 5 s):
    w = attrs.evolve(Workload.from_mapping(HAND), start_offset=1.0)
    f = parse(exposition(w, elapsed=4.0))
    key = ("m", "1")
    assert by_model(f["nv_inference_request_success"])[key] == approx(50)  # hits count
    assert by_model(f["nv_inference_count"])[key] == approx(8 * 3 * 5)  # not the hits
    assert by_model(f["nv_inference_exec_count"])[key] == approx(8 / 2 * 5)
    assert by_model(f["nv_inference_request_failure"], reason="BACKEND")[key] == approx(5)
    # 0.5/s x 5 s = 2.5 rejections: Triton counts whole requests, so 2 so far
    assert by_model(f["nv_inference_request_failure"], reason="REJECTED")[key] == 2
    assert by_model(f["nv_inference_request_failure"], reason="OTHER")[key] == 0
    assert by_model(f["nv_inference_queue_duration_us"])[key] == approx(8 * 100 * 5)
    assert by_model(f["nv_inference_compute_infer_duration_us"])[key] == approx(8 * 500 * 5)
    # a miss adds its lookup+insert time, a hit its lookup time and the overhead
    request = 8 * (100 + 10 + 500 + 20 + 70 + 8) + 2 * (5 + 70)
    assert by_model(f["nv_inference_request_duration_us"])[key] == approx(request * 5)
    assert by_model(f["nv_cache_num_hits_per_model"])[key] == approx(10)
    assert by_model(f["nv_cache_num_misses_per_model"])[key] == approx(40)
    assert by_model(f["nv_cache_hit_duration_per_model"])[key] == approx(2 * 5 * 5)
    assert by_model(f["nv_cache_miss_duration_per_model"])[key] == approx(8 * 8 * 5)
    assert f["nv_energy_consumption"].samples[0].value == approx(100 * 5)
    truth = w.truth("m")
    assert truth.cache_hit_ratio == approx(0.2)
    assert truth.batch_size == approx(6)
    assert truth.latency_us["request"] == approx(request / 10)
    assert truth.failure_ratio == approx(1.5 / 11.5)


def test_counters_equal_rate_times_elapsed_for_every_model_of_the_default_workload() -> None:
    for elapsed in (0.0, 12.5, 3600.0):
        f = parse(exposition(DEFAULT, elapsed=elapsed))
        for t in DEFAULT.truths():
            key = (t.model, t.version)
            expected = {
                "nv_inference_request_success": t.request_rate,
                "nv_inference_count": t.inference_rate,
                "nv_inference_exec_count": t.execution_rate,
                "nv_inference_request_duration_us": t.latency_us["request"] * t.request_rate,
                "nv_inference_queue_duration_us": t.latency_us["queue"] * t.request_rate,
                "nv_inference_compute_infer_duration_us": t.latency_us["compute_infer"]
                * t.request_rate,
            }
            for family, rate in expected.items():
                assert _floored(by_model(f[family])[key], rate * elapsed), family
            for reason, rate in t.failure_rates.items():
                got = by_model(f["nv_inference_request_failure"], reason=reason)[key]
                assert _floored(got, rate * elapsed), reason


def _floored(got: float, exact: float) -> bool:
    """``got`` is the sum of the floors of at most 3 series (model-level and 2 GPUs)
    that add up to ``exact``."""
    return exact - 3 < got <= exact + 1e-6 * max(exact, 1)


#: Sample values Triton prints for its integer counters: no fraction, no exponent.
_WHOLE = re.compile(r"^\d+$")


def test_counters_triton_keeps_as_integers_print_as_integers() -> None:
    """Request, execution, inference, failure and cache counts and µs durations print as
    whole numbers, as in every Triton scrape (tests/data/triton/samples), at any instant."""
    w = attrs.evolve(DEFAULT, start_offset=0.37)
    integer = {m.name for m in catalog.CATALOG.values() if m.integer}
    assert integer, "the catalog marks no integer family"
    checked = 0
    for line in exposition(w, elapsed=12.345).splitlines():
        if line.startswith("#"):
            continue
        sample, value = line.rsplit(" ", 1)
        name = sample.split("{", 1)[0]
        family = catalog.family_of(name)
        assert family is not None, name
        whole = family.name in integer or name.endswith(("_count", "_bucket"))
        whole = whole or (family.kind is catalog.Kind.SUMMARY and name.endswith("_sum"))
        if whole:
            checked += 1
            assert _WHOLE.match(value), line
    assert checked > 100


def test_the_default_workload_is_the_reference_deployment() -> None:
    names = [m.name for m in DEFAULT.models]
    assert set(names) == {"ner_pipeline", "ner_preprocess", "ner", "ner_postprocess"}
    assert DEFAULT.model("ner_pipeline").steps == ("ner_preprocess", "ner", "ner_postprocess")
    assert len(DEFAULT.gpus) == 2
    pipeline = DEFAULT.truth("ner_pipeline")
    steps = [DEFAULT.truth(s) for s in ("ner_preprocess", "ner", "ner_postprocess")]
    # An ensemble's compute time is the sum of its steps' (docs/metrics.md).
    for phase in ("compute_input", "compute_infer", "compute_output"):
        assert pipeline.latency_us[phase] == approx(sum(s.latency_us[phase] for s in steps))
    assert pipeline.latency_us["request"] > sum(s.latency_us["request"] for s in steps)
    assert pipeline.execution_rate == pipeline.request_rate


def test_ensembles_and_startup_models_have_no_gpu_uuid_and_later_loaded_ones_do() -> None:
    f = parse(exposition(DEFAULT, elapsed=10.0, pod="triton-0"))
    with_uuid: dict[str, set[str]] = defaultdict(set)
    for family in f.values():
        for s in family.samples:
            labels = dict(s.labels)
            if "model" in labels and "gpu_uuid" in labels:
                with_uuid[labels["model"]].add(s.name)
    assert DEFAULT.model("ner").gpus and DEFAULT.model("ner").loaded == "startup"
    assert "ner_pipeline" not in with_uuid
    assert "ner" not in with_uuid
    assert "ner_preprocess" not in with_uuid  # KIND_CPU
    later = DEFAULT.model("ner_postprocess")
    assert later.loaded == "later"
    assert "nv_inference_request_success" in with_uuid["ner_postprocess"]
    for never in ("nv_inference_pending_request_count", "nv_model_load_duration_secs"):
        assert never not in with_uuid["ner_postprocess"]
    uuids = {
        dict(s.labels)["gpu_uuid"]
        for s in f["nv_inference_count"].samples
        if "gpu_uuid" in dict(s.labels)
    }
    assert uuids == {g.uuid for g in DEFAULT.gpu_truth("triton-0") if g.name in later.gpus}


def test_a_later_loaded_model_on_two_gpus_splits_its_series_and_sums_to_the_truth() -> None:
    data = {
        "gpus": [{"name": "a"}, {"name": "b"}],
        "models": [
            {
                "name": "m",
                "rate": 6,
                "failures": {"BACKEND": 1, "OTHER": 2},
                "gpus": ["a", "b"],
                "loaded": "later",
            }
        ],
    }
    w = Workload.from_mapping(data)
    f = parse(exposition(w, elapsed=2.0, pod="p"))
    success = f["nv_inference_request_success"].samples
    assert {dict(s.labels)["gpu_uuid"] for s in success} == {g.uuid for g in w.gpu_truth("p")}
    assert [s.value for s in success] == [6.0, 6.0]
    failures = by_model(f["nv_inference_request_failure"], reason="OTHER")
    assert failures[("m", "1")] == approx(4)
    core_detected = [
        s
        for s in f["nv_inference_request_failure"].samples
        if dict(s.labels)["reason"] == "OTHER" and s.value
    ]
    assert all("gpu_uuid" not in dict(s.labels) for s in core_detected)


def test_pods_report_different_gpus_unless_the_workload_pins_the_uuid() -> None:
    a = {g.uuid for g in DEFAULT.gpu_truth("triton-0")}
    b = {g.uuid for g in DEFAULT.gpu_truth("triton-1")}
    assert len(a) == 2 and not a & b
    assert all(re.fullmatch(r"GPU-[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", u) for u in a)
    pinned = Workload.from_mapping(
        {"gpus": [{"name": "g", "uuid": "GPU-1"}], "models": [{"name": "m"}]}
    )
    assert pinned.gpu_truth("x")[0].uuid == pinned.gpu_truth("y")[0].uuid == "GPU-1"


@pytest.mark.parametrize(
    ("batching", "counts"),
    [
        ({"inferences_per_request": 4.5, "requests_per_execution": 2}, (2, 9, 1)),  # batched
        ({"inferences_per_request": 4.5, "executions": 1}, (2, 9, 1)),
        ({"inferences_per_request": 4.5}, (2, 9, 2)),  # no dynamic batcher
    ],
)
def test_a_batch_1_and_a_batch_8_request_give_the_counts_of_tritons_docs(
    batching: dict[str, float], counts: tuple[int, int, int]
) -> None:
    w = Workload.from_mapping({"models": [{"name": "m", "rate": 2, "batching": batching}]})
    f = parse(exposition(w, elapsed=1.0))
    got = tuple(
        by_model(f[name])[("m", "1")]
        for name in (
            "nv_inference_request_success",
            "nv_inference_count",
            "nv_inference_exec_count",
        )
    )
    assert got == counts  # exactly: 2 requests, 9 inferences, 1 (or 2) executions
    assert w.truth("m").batch_size == 9 / counts[2]
    zero = parse(exposition(w, elapsed=0.0))
    assert by_model(zero["nv_inference_count"])[("m", "1")] == 0


def test_summaries_and_histogram_agree_with_the_counters(default_text: str) -> None:
    f = parse(default_text)
    summary = f["nv_inference_queue_summary_us"]
    assert by_model(summary, "nv_inference_queue_summary_us_sum") == by_model(
        f["nv_inference_queue_duration_us"]
    )
    assert by_model(summary, "nv_inference_queue_summary_us_count") == by_model(
        f["nv_inference_request_success"]
    )
    quantiles = [
        dict(s.labels)["quantile"]
        for s in summary.samples
        if s.name == "nv_inference_queue_summary_us"
    ]
    assert quantiles[:5] == ["0.5", "0.9", "0.95", "0.99", "0.999"]
    # no request summary for a model with the response cache on (docs/metrics.md)
    request_models = {
        m
        for m, _ in by_model(
            f["nv_inference_request_summary_us"], "nv_inference_request_summary_us_count"
        )
    }
    assert "ner_preprocess" not in request_models and "ner" in request_models
    histogram = f["nv_inference_first_response_histogram_ms"]
    for (model, _version), count in by_model(
        histogram, "nv_inference_first_response_histogram_ms_count"
    ).items():
        buckets = [
            (dict(s.labels)["le"], s.value)
            for s in histogram.samples
            if s.name.endswith("_bucket")
            and dict(s.labels)["model"] == model
            and "gpu_uuid" not in dict(s.labels)
        ]
        if not buckets:
            continue
        assert [le for le, _ in buckets] == ["100", "500", "2000", "5000", "+Inf"]
        values = [v for _, v in buckets]
        assert values == sorted(values) and values[-1] == count
    # the counter holds whole µs (at most one short per series), the histogram's sum ms
    histogram_ms = by_model(histogram, "nv_inference_first_response_histogram_ms_sum")
    counter_us = by_model(f["nv_inference_request_duration_us"])[("ner", "1")]
    assert 0 <= histogram_ms[("ner", "1")] - counter_us / 1000 < 3 / 1000


def test_scaled_multiplies_rates_and_keeps_averages() -> None:
    busier = DEFAULT.scaled(2.0)
    for name in ("ner_pipeline", "ner", "ner_preprocess"):
        one, two = DEFAULT.truth(name), busier.truth(name)
        assert two.request_rate == approx(2 * one.request_rate)
        assert two.failure_rate == approx(2 * one.failure_rate)
        assert two.latency_us == pytest.approx(dict(one.latency_us))
        assert two.batch_size == pytest.approx(one.batch_size)


# -- the workload file ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "needles"),
    [
        ({"models": [{"name": "m", "rate": "fast"}]}, ["models[0] (m).rate", "number"]),
        (
            {"models": [{"name": "m", "failures": {"TIMEOUT": 1}}]},
            ["models[0] (m).failures", "TIMEOUT", "REJECTED"],
        ),
        (
            {"models": [{"name": "m", "rate": 1, "cache": {"hits": 2}}]},
            ["models[0] (m).cache.hits"],
        ),
        ({"models": [{"name": "m", "gpus": ["g9"]}]}, ["models[0] (m).gpus", "g9"]),
        ({"models": [{"name": "e", "ensemble": ["nope"]}]}, ["models[0] (e).ensemble", "nope"]),
        (
            {
                "models": [
                    {"name": "x"},
                    {"name": "e", "ensemble": ["x"], "failures": {"BACKEND": 1}},
                ]
            },
            ["failures.BACKEND", "OTHER"],
        ),
        (
            {"models": [{"name": "m", "batching": {"executions": 1, "requests_per_execution": 2}}]},
            ["batching", "keep one"],
        ),
        ({"models": [{"name": "m", "loaded": "soon"}]}, ["models[0] (m).loaded", "later"]),
        ({"models": [{"rate": 1}]}, ["models[0].name"]),
        ({"models": []}, ["models"]),
        (
            {"gpus": [{"name": "g", "utilization": 62}], "models": [{"name": "m"}]},
            ["gpus[0] (g).utilization"],
        ),
        ({"modles": []}, ["unknown field 'modles'"]),
    ],
)
def test_a_wrong_workload_gets_one_line_naming_the_field(data: object, needles: list[str]) -> None:
    with pytest.raises(WorkloadError) as raised:
        Workload.from_mapping(data)
    message = str(raised.value)
    assert "\n" not in message
    for needle in needles:
        assert needle in message, (needle, message)


def test_load_reads_yaml_and_names_the_file_in_errors(tmp_path: Path) -> None:
    good = tmp_path / "w.yaml"
    good.write_text("models:\n  - name: m\n    version: 2\n    rate: 3\n", encoding="utf-8")
    assert Workload.load(good).truth("m").version == "2"
    bad = tmp_path / "bad.yaml"
    bad.write_text("models: [\n", encoding="utf-8")
    with pytest.raises(WorkloadError, match=r"bad\.yaml line \d+: .*; fix the YAML"):
        Workload.load(bad)


# -- HTTP ----------------------------------------------------------------------------------------


def test_the_server_answers_over_real_http_with_growing_counters_and_stops() -> None:
    w = Workload.from_mapping({"models": [{"name": "m", "rate": 1000}]})
    with serve(w, host="127.0.0.1", port=0, pod="triton-0") as server:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/metrics", server.url)
        before = server.elapsed()
        with urllib.request.urlopen(server.url, timeout=5) as response:
            assert response.status == 200
            assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
            body = response.read().decode("utf-8")
        after = server.elapsed()
        success = by_model(parse(body)["nv_inference_request_success"])[("m", "1")]
        # Triton prints this counter as a whole number: what had happened by then, rounded down.
        assert math.floor(1000 * before) <= success <= 1000 * after
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(server.url.replace("/metrics", "/v2"), timeout=5)
        assert missing.value.code == 404
        with pytest.raises(urllib.error.HTTPError) as post:
            urllib.request.urlopen(
                urllib.request.Request(server.url, data=b"", method="POST"), timeout=5
            )
        assert post.value.code == 405
        port = server.port
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()


# -- the command ---------------------------------------------------------------------------------


def cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "triton_dashboards", "simulate", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
    )


@contextlib.contextmanager
def simulating(*args: str) -> Iterator[tuple[subprocess.Popen[str], str, dict[str, Any]]]:
    """`simulate ARGS --listen 127.0.0.1:0` as a process: it, its first line, and the
    families its /metrics serves; killed afterwards if it still runs."""
    command = [sys.executable, "-m", "triton_dashboards", "simulate", *args]
    process = subprocess.Popen(
        [*command, "--listen", "127.0.0.1:0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        url = re.search(r"http://\S+/metrics", first)
        assert url, first
        with urllib.request.urlopen(url.group(0), timeout=5) as response:
            families = parse(response.read().decode("utf-8"))
        yield process, first, families
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate(timeout=10)


def test_cli_serves_until_interrupted() -> None:
    with simulating("--pod", "triton-1") as (process, _, families):
        uuids = {dict(s.labels)["gpu_uuid"] for s in families["nv_gpu_utilization"].samples}
        assert uuids == {g.uuid for g in DEFAULT.gpu_truth("triton-1")}
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=10)
        assert process.returncode == 0, err
        assert "stopped" in out and "Traceback" not in err


@pytest.mark.parametrize("name", ["trtllm", "vllm"])
def test_cli_serves_a_shipped_workload_by_name(name: str) -> None:
    """`simulate trtllm` said `cannot read workload trtllm`: the LLM workloads were hidden."""
    with simulating(name) as (_, first, families):
        assert first.startswith(f"serving {name} "), first
        served = {dict(s.labels)["model"] for s in families["nv_inference_count"].samples}
        assert served == {m.name for m in Workload.named(name).models}


def test_simulate_help_names_every_shipped_workload() -> None:
    from triton_dashboards.simulator import spec

    names = spec.shipped()
    assert {"ner", "trtllm", "vllm"} <= set(names)
    shown = " ".join(cli("--help").stdout.split())
    for name in names:
        assert f" {name} (" in shown, name
    assert_one_line_error(cli("nope"), "no workload 'nope'", ", ".join(names))


def test_cli_errors_are_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "w.yaml"
    bad.write_text("models:\n  - name: m\n    rate: -1\n", encoding="utf-8")
    assert_one_line_error(cli(str(bad)), "w.yaml", "models[0] (m).rate", "negative")
    assert_one_line_error(cli(str(tmp_path / "none.yaml")), "none.yaml", "check the path")
    assert_one_line_error(cli("--listen", "nowhere"), "--listen", "HOST:PORT")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert_one_line_error(cli("--listen", f"127.0.0.1:{port}"), "in use", "--listen")


def test_the_format_documented_in_spec_loads_as_written(tmp_path: Path) -> None:
    from triton_dashboards.simulator import spec

    assert spec.__doc__
    example = spec.__doc__.split("Format", 1)[1].split("::\n", 1)[1]
    path = tmp_path / "example.yaml"
    path.write_text(example, encoding="utf-8")
    w = Workload.load(path)  # 6.4e10 is a number, as in YAML 1.2
    assert w.host is not None and w.host.memory_total == 6.4e10
    assert w.truth("ner").batch_size == 4 and w.truth("ner").cache_hit_ratio == approx(0.25)


def test_simulator_modules_import_one_way_with_no_lazy_imports() -> None:
    """parts <- checks, spec <- workload <- exposition <- server: no module imports one
    above it, and none hides an import in a function to dodge a circle."""
    package = Path(catalog.__file__).parent.parent / "simulator"
    order = ["parts", "truth", "checks", "spec", "workload", "exposition", "kserve", "server"]
    for position, name in enumerate(order):
        source = (package / f"{name}.py").read_text(encoding="utf-8")
        own = re.findall(
            r"^[ \t]*from triton_dashboards\.simulator(?:\.(\w+))? import", source, re.M
        )
        above = set(own) & set(order[position:])
        assert not above, f"{name} imports {above}"
        lazy = re.findall(r"^[ \t]+(?:from \S+ )?import (?!yaml\b)", source, re.M)
        assert not lazy, f"{name} imports inside a function: {lazy}"

"""The default rules and the committed recorded dashboards work together, at any scrape.

* every recorded series a committed ``*-recorded.json`` reads is a record of the rules
  ``triton-dashboards rules`` writes with no flag;
* those rules, evaluated by the real promtool over series scraped every 15 s, 30 s and
  60 s (Prometheus' default), produce every one of those records: a rate needs two
  samples in its window, which a 1m window does not hold at a 60 s scrape;
* a mismatch does not pass silently: ``triton-dashboards lint --rules FILE`` names each
  record a dashboard reads that the file does not write, one line each, exit 1.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from _support import ROOT, require_tool

from triton_dashboards import catalog
from triton_dashboards.dashboard.records import records_read, records_written, unrecorded
from triton_dashboards.prometheus.rules import RulesConfig, render
from triton_dashboards.query.recording import TABLE, Recording

RECORDED = sorted((ROOT / "dashboards").glob("*-recorded.json"))
#: Minutes of input: two 5m windows and then some.
MINUTES = 12
TARGET = {"namespace": "triton", "job": "triton", "instance": "10.0.0.1:8002", "pod": "triton-0"}


def _dashboard(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def _read() -> set[str]:
    return {name for path in RECORDED for _, name in records_read(_dashboard(path))}


def _default_rules(tmp_path: Path) -> Path:
    path = tmp_path / "rules.yml"
    path.write_text(render(RulesConfig()), encoding="utf-8")
    return path


def test_there_are_committed_recorded_dashboards_that_read_records() -> None:
    assert {p.name for p in RECORDED} >= {
        "triton-overview-recorded.json",
        "triton-model-recorded.json",
        "triton-gpu-host-recorded.json",
    }
    assert _read() and all(name.count(":") == 2 for name in _read())


def test_a_metric_name_with_one_colon_is_not_a_record() -> None:
    """vLLM's own metrics are ``vllm:...``: a dashboard reading them needs no rules."""
    board = {"panels": [{"title": "p", "targets": [{"expr": "vllm:num_requests_running"}]}]}
    assert list(records_read(board)) == []


@pytest.mark.parametrize("path", RECORDED, ids=lambda p: p.name)
def test_every_record_a_committed_dashboard_reads_is_in_the_default_rules(
    path: Path, tmp_path: Path
) -> None:
    written = records_written(_default_rules(tmp_path))
    assert unrecorded(_dashboard(path), path.name, written, "rules.yml") == []


# --- the default rules at every common scrape interval ---------------------------------


def _label_text(labels: dict[str, str]) -> str:
    return "{" + ", ".join(f'{k}="{v}"' for k, v in labels.items()) + "}"


#: Input resolution: every scrape interval tested is a multiple of it.
TICK = 15
#: Scrapes land this long after each rule evaluation, as they do in a real Prometheus where
#: scrapes and evaluations run on their own offsets: a window then holds window / scrape
#: samples, not one more (promtool evaluates exactly on the sample times otherwise).
OFFSET = TICK


def _values(value: Any, scrape: int) -> str:
    """``value(t)`` at ``t = OFFSET, OFFSET + scrape, ...``; no sample (``_``) in between."""
    ticks = range(MINUTES * 60 // TICK + 1)
    return " ".join(
        f"{value(t * TICK):g}" if (t * TICK - OFFSET) % scrape == 0 else "_" for t in ticks
    )


def _counter(name: str, labels: dict[str, str], per_second: float, scrape: int) -> dict[str, str]:
    """A counter growing ``per_second``, scraped every ``scrape`` seconds."""
    return {
        "series": name + _label_text(labels),
        "values": _values(lambda t: per_second * t, scrape),
    }


def _gauge(name: str, labels: dict[str, str], value: float, scrape: int) -> dict[str, str]:
    return {"series": name + _label_text(labels), "values": _values(lambda t: value, scrape)}


def _inputs(scrape: int) -> list[dict[str, str]]:
    """One model on one GPU of one pod, with every family the rules read."""
    model = {**TARGET, "model": "ner", "version": "1", "gpu_uuid": "GPU-a"}
    counters = [
        catalog.REQUEST_SUCCESS,
        catalog.INFERENCE_COUNT,
        catalog.EXEC_COUNT,
        *(phase.duration for phase in catalog.Phase),
    ]
    out = [_counter(m.name, model, 10.0, scrape) for m in counters]
    out += [
        _counter(catalog.REQUEST_FAILURE.name, {**model, "reason": "BACKEND"}, 0.5, scrape),
        *(
            _counter(catalog.FIRST_RESPONSE_HISTOGRAM.name + "_bucket", {**model, "le": le},
                     share, scrape)
            for le, share in (("10", 3.0), ("100", 8.0), ("+Inf", 10.0))
        ),
    ]  # fmt: skip
    gpu = {**TARGET, "gpu_uuid": "GPU-a"}
    out += [
        _gauge(catalog.GPU_UTILIZATION.name, gpu, 0.5, scrape),
        _gauge(catalog.GPU_MEMORY_USED.name, gpu, 8e9, scrape),
        _gauge(catalog.GPU_MEMORY_TOTAL.name, gpu, 16e9, scrape),
    ]
    # A vLLM model: the counters and histogram buckets of the LLM records.
    llm = {**TARGET, "model": "llama", "version": "1"}
    out += [
        _counter(r.series, {**llm, "le": "+Inf"} if r.sample else llm, 1.0, scrape)
        for r in TABLE
        if r.metric.plugin == "vllm" and r.keeps is None
    ]
    return out


def _promtool_test(tmp_path: Path, rules: str, scrape: int, names: set[str]) -> str:
    """Run promtool: each of ``names`` must exist at the end; its output on failure."""
    (tmp_path / "rules.yml").write_text(rules, encoding="utf-8")
    at = f"{MINUTES - 1}m"
    spec = {
        "rule_files": ["rules.yml"],
        # Rules evaluated as often as the targets are scraped, as most setups do.
        "evaluation_interval": f"{scrape}s",
        "tests": [
            {
                "interval": f"{TICK}s",
                "input_series": _inputs(scrape),
                "promql_expr_test": [
                    {"expr": f"absent({name})", "eval_time": at, "exp_samples": []}
                    for name in sorted(names)
                ],
            }
        ],
    }
    (tmp_path / "test.yml").write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    done = subprocess.run(
        [require_tool("promtool"), "test", "rules", "test.yml"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    return "" if done.returncode == 0 else done.stdout + done.stderr


@pytest.mark.parametrize("scrape", [15, 30, 60])
def test_default_rules_produce_every_record_the_dashboards_read_at_this_scrape_interval(
    scrape: int, tmp_path: Path
) -> None:
    names = _read()
    assert names
    problems = _promtool_test(tmp_path, render(RulesConfig()), scrape, names)
    assert not problems, problems


def test_a_one_minute_window_records_nothing_at_a_60s_scrape(tmp_path: Path) -> None:
    """Why the default is 5m: the shipped 1m held one sample at Prometheus' default scrape."""
    one_minute = RulesConfig(recording=Recording(window="1m"))
    rate = one_minute.recording.name(catalog.REQUEST_SUCCESS)
    problems = _promtool_test(tmp_path, render(one_minute), 60, {rate})
    assert f"absent({rate})" in problems
    assert not _promtool_test(tmp_path, render(one_minute), 15, {rate})


# --- lint --rules: where a user meets a mismatch ----------------------------------------


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "triton_dashboards", *args],
        cwd=cwd, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_lint_with_the_default_rules_passes_on_the_committed_dashboards(tmp_path: Path) -> None:
    rules = tmp_path / "triton-rules.yml"
    assert _cli("rules", "-o", str(rules), cwd=tmp_path).returncode == 0
    done = _cli("lint", "--rules", str(rules), *map(str, RECORDED), cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


def test_lint_names_each_record_the_rules_file_lacks_with_the_window_it_has(
    tmp_path: Path,
) -> None:
    rules = tmp_path / "triton-rules.yml"
    assert _cli("rules", "--window", "2m", "-o", str(rules), cwd=tmp_path).returncode == 0
    path = ROOT / "dashboards" / "triton-gpu-host-recorded.json"
    done = _cli("lint", "--rules", str(rules), str(path), cwd=tmp_path)
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    expected = {(p, n) for p, n in records_read(_dashboard(path)) if not n.endswith(":ratio")}
    assert len(lines) == len(expected) > 0
    for line in lines:
        assert "does not record" in line and "over 2m, the dashboard reads 5m" in line, line
        assert "--window 5m" in line
    assert "finding" in done.stderr


def test_lint_reads_a_prometheusrule_manifest_too(tmp_path: Path) -> None:
    manifest = tmp_path / "rule.yaml"
    manifest.write_text(render(RulesConfig(), "prometheusrule"), encoding="utf-8")
    assert records_written(manifest) == records_written(_default_rules(tmp_path))


@pytest.mark.parametrize(
    ("text", "message"),
    [("groups: [", "cannot read rules file"), ("a: 1\n", "has no rule groups")],
)
def test_lint_refuses_a_file_that_is_not_rules_in_one_line(
    text: str, message: str, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text(text, encoding="utf-8")
    done = _cli("lint", "--rules", str(bad), str(RECORDED[0]), cwd=tmp_path)
    assert done.returncode == 2
    assert message in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert "Traceback" not in done.stderr

"""The demo's data: backfilled exactly (the simulator's truth, read back from Prometheus),
recorded on top, and its Prometheus gone afterwards, also after an error."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pytest
import requests

from triton_dashboards.preview import backfill
from triton_dashboards.preview.demo import Demo, demo_prometheus, rules_read
from triton_dashboards.simulator import Workload
from triton_dashboards.simulator.demo import demo_pods


def _query(demo: Demo, expr: str) -> list[dict]:  # type: ignore[type-arg]
    answer = requests.get(
        f"{demo.url}/api/v1/query", params={"query": expr, "time": demo.end}, timeout=10
    ).json()
    assert answer["status"] == "success", answer
    return answer["data"]["result"]  # type: ignore[no-any-return]


def test_linear_targets_are_extended_the_rest_rendered_at_every_scrape() -> None:
    calls: list[float] = []

    def linear(elapsed: float) -> str:
        calls.append(elapsed)
        return f'# TYPE c counter\nc{{m="a"}} {3 * elapsed}\n# TYPE g gauge\ng 7\n'

    def curved(elapsed: float) -> str:
        return f"# TYPE g gauge\ng {elapsed**2}\n"

    out = io.StringIO()
    times = [100.0 + 15 * i for i in range(10)]
    written = backfill.write_openmetrics(
        [backfill.Target({"pod": "p1"}, linear), backfill.Target({"pod": "p2"}, curved)], times, out
    )
    text = out.getvalue()
    assert len(calls) == 3  # first, one second later, last: then arithmetic
    assert written == 10 * 5  # up twice, c, g twice
    assert f'c{{m="a",pod="p1"}} {3 * 135:g} 235.000' in text
    assert 'g{pod="p2"} 18225.0 235.000' in text  # as rendered 135 s after the first scrape
    assert text.count("# TYPE g gauge") == 1  # one family, both targets
    assert text.endswith("# EOF\n")
    stamps = [float(m) for m in re.findall(r'^g\{pod="p2"\} \S+ (\S+)$', text, re.M)]
    assert stamps == sorted(stamps) and len(stamps) == 10


def test_recording_rules_are_backfilled_in_passes_of_what_they_read() -> None:
    text = """
groups:
  - name: g
    rules:
      - {record: "b:x", expr: "sum(a:x)"}
      - {record: "a:x", expr: "sum(rate(x[5m]))"}
      - {alert: A, expr: "b:x > 1"}
"""
    passes = backfill.rule_passes(text)
    assert ["a:x" in p and "b:x" not in p for p in passes] == [True, False]
    assert "b:x" in passes[1] and "alert" not in "".join(passes)


def test_demo_serves_the_simulators_numbers(preview_demo: Demo) -> None:
    """Each pod's request rate and latency read back are the workload's, to the digit."""
    ner = Workload.default()
    rate = _query(
        preview_demo,
        'sum by (pod) (rate(nv_inference_request_success{namespace="triton",model="ner"}[5m]))',
    )
    by_pod = {r["metric"]["pod"]: float(r["value"][1]) for r in rate}
    model = ner.model("ner")
    assert by_pod["triton-inference-ner-0"] == pytest.approx(model.rate, rel=1e-9)
    assert by_pod["triton-inference-ner-1"] == pytest.approx(model.rate / 2, rel=1e-9)
    pods = {r["metric"]["pod"] for r in _query(preview_demo, "up == 1")}
    assert pods == {p.pod for p in demo_pods()}


def test_demo_holds_the_recorded_series_the_recorded_dashboards_read(preview_demo: Demo) -> None:
    from triton_dashboards import rules

    records = set(re.findall(r"record: (\S+)", rules.render(rules.RulesConfig())))
    assert records
    present = {r["metric"]["__name__"] for r in _query(preview_demo, '{__name__=~".+:.+"}')}
    assert records <= present, records - present


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return Path(f"/proc/{pid}/status").read_text().find("State:\tZ") >= 0


def test_demo_prometheus_stops_on_error_too(prometheus_binary: str, promtool: str) -> None:
    pod = demo_pods()[0]
    pid = None
    target = backfill.Target(pod.labels, pod.scrape())
    with pytest.raises(RuntimeError, match="boom"), demo_prometheus([target], span=120) as demo:
        pid = demo.pid
        assert _query(demo, "up")
        raise RuntimeError("boom")
    assert pid is not None and _gone(pid)


def test_values_are_written_as_promtool_reads_them() -> None:
    """Triton's ``Nan`` becomes OpenMetrics' ``NaN``; a target without labels gets no ``{}``."""
    out = io.StringIO()
    backfill.write_openmetrics(
        [backfill.Target({}, lambda e: "# TYPE g gauge\ng Nan\n")], [1.0, 2.0, 3.0], out
    )
    assert out.getvalue().splitlines()[-4:] == [
        "g NaN 1.000",
        "g NaN 2.000",
        "g NaN 3.000",
        "# EOF",
    ]
    assert "{}" not in out.getvalue()


def test_records_are_backfilled_only_for_dashboards_that_read_them() -> None:
    from triton_dashboards import rules

    text = rules.render(rules.RulesConfig())
    dashboards = Path(__file__).resolve().parents[1] / "dashboards"
    raw = (dashboards / "triton-overview.json").read_text(encoding="utf-8")
    recorded = (dashboards / "triton-overview-recorded.json").read_text(encoding="utf-8")
    assert rules_read(text, [raw]) == ""
    assert rules_read(text, [raw, recorded]) == text

"""``triton-dashboards doctor`` on real Prometheus servers set up wrong in each way it names.

Five servers start together (their first scrapes overlap, so the module waits about as long
as for one), each scraping simulated Triton pods or holding backfilled data:

* ``good``: the end-to-end pods (tests/test_e2e.py), the shipped rules loaded, namespace
  ``triton``: the committed dashboards are clean (exit 0); with ``--triton`` on a Triton
  that serves the ``ner_pipeline`` ensemble, the overviews' every-model-and-step headlines
  are ``ensemble-undeclared`` and nothing else;
* ``broken``: latency summaries off, namespace ``prod``, no rules, first responses that
  fall in the lowest bucket (NER) and in the +Inf one (a 10 s model): ``family-absent`` on
  the summary panels, ``quantile-hidden`` (ok) on the quantile panel, ``record-absent`` on
  every panel of the recorded dashboards that reads a record, ``label-mismatch`` on every
  panel of the NER dashboard (it reads namespace ``triton``);
* ``down``: a healthy pod and a target where nothing listens: a ``target-down`` finding;
* ``gone``: a pod that leaves service discovery inside the range: ``stale`` on every
  instant panel, the time series still ok;
* ``slow``: an hour of samples 60 s apart, backfilled with promtool: ``window-too-short``
  on a ``[1m]`` rate, while ``$__rate_interval`` (4 scrapes) is fine.

Every run is the real command in its own process; the JSON report is what is checked.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import attrs
import pytest
import test_e2e as e2e
from _support import ROOT, require_tool
from prometheus_server import PrometheusServer
from simulators import serve_apart

from triton_dashboards.dashboard import render, stock
from triton_dashboards.files import write_atomic
from triton_dashboards.prometheus import rules
from triton_dashboards.query.fleet import Ensemble, counted
from triton_dashboards.simulator import Durations, Model, Workload
from triton_dashboards.simulator.server import Server

pytestmark = pytest.mark.e2e

BOARDS = ROOT / "dashboards"
#: The committed dashboards these pods serve (the LLM ones need LLM backends), the recorded
#: ones rendered for the end-to-end rules' 4 s window (test_e2e.DASHBOARDS), as files.
CLASSIC = sorted(e2e.DASHBOARDS)
#: A recorded series' name, ``level:metric:operations`` (a Triton family has no colon).
_RECORDED = re.compile(r"\b[a-z_]+:[a-z0-9_]+:[a-z0-9_]+\b")


#: The range the tests refresh over: seconds of data fill it (1 s steps, 4 s rate windows).
RANGE = "5m"
#: Samples of every target before the first refresh: more than a rate window and a step.
SAMPLES = 8
#: Seconds the leaving pod is gone before the refresh: longer than any rate window.
GONE_FOR = 8.0


def _samples(n: int) -> str:
    """True once every target has ``n`` scrapes (up or down) in the last minute."""
    return f"min(count_over_time(up[1m])) >= {n}"


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _glacial() -> Workload:
    """First responses of 10 s: beyond Triton's highest default bucket (5000 ms)."""
    model = Model(name="glacial", rate=5.0, durations=Durations(compute_infer=10_000_000))
    return Workload(models=(model,), host=None, histogram_latencies=True)


@attrs.frozen
class Servers:
    good: PrometheusServer
    broken: PrometheusServer
    down: PrometheusServer
    gone: PrometheusServer
    slow: PrometheusServer
    triton_http: str
    boards: dict[str, Path]  # the end-to-end variants of the classic dashboards, as files


def _file_sd(path: Path, targets: list[dict[str, Any]]) -> None:
    write_atomic(path, json.dumps(targets))


def _backfill(work: Path, promtool: str) -> Path:
    """An hour of one pod's samples 60 s apart, 30 s off the minute (as scrapes are)."""
    now = time.time()
    last = (now - 30) // 60 * 60 + 30
    if last > now - 5:
        last -= 60
    lines = []
    labels = 'job="triton",instance="10.0.0.9:8002",namespace="triton",model="m",version="1"'
    for i in range(60, -1, -1):
        t = last - 60 * i
        lines.append(f"nv_inference_request_success{{{labels}}} {1000 + 30 * (60 - i)} {t:.0f}")
    gpu = 'job="triton",instance="10.0.0.9:8002",namespace="triton",gpu_uuid="GPU-1"'
    lines += [f"nv_gpu_utilization{{{gpu}}} 0.5 {last - 60 * i:.0f}" for i in range(60, -1, -1)]
    source = work / "samples.om"
    source.write_text("\n".join(lines) + "\n# EOF\n", encoding="utf-8")
    storage = work / "tsdb"
    subprocess.run(
        [promtool, "tsdb", "create-blocks-from", "openmetrics", str(source), str(storage)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return storage


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory, prometheus_binary: str) -> Iterator[Servers]:
    work = tmp_path_factory.mktemp("doctor")
    rules_file = work / "triton.rules.yml"
    rules_file.write_text(
        rules.render(rules.RulesConfig(recording=e2e.RECORDING)), encoding="utf-8"
    )
    promtool = require_tool("promtool")
    broken = {
        "flags-off": attrs.evolve(Workload.default(), summary_latencies=False).scaled(e2e.SCALE),
        "glacial": _glacial().scaled(e2e.SCALE),
    }
    sd_file = work / "targets.json"
    with contextlib.ExitStack() as stack:
        # Pod -> URL; a process of their own, so that no pause of this one is read as stale.
        pods = stack.enter_context(serve_apart(e2e.PODS))
        bad = stack.enter_context(serve_apart(broken))
        lone = stack.enter_context(serve_apart({"lone": Workload.default()}))["lone"]
        leaving = stack.enter_context(
            serve_apart({"triton-0": Workload.default().scaled(e2e.SCALE)})
        )
        leaving_port = urlsplit(leaving["triton-0"]).port
        http = Server(Workload.default(), port=0, service="http")
        stack.callback(http.close)
        _file_sd(sd_file, [{"targets": [f"127.0.0.1:{leaving_port}"], "labels": {"pod": "gone-0"}}])
        gone_config = (
            "global: {scrape_interval: 1s, scrape_timeout: 1s}\n"
            "scrape_configs:\n"
            "- job_name: triton\n"
            f"  file_sd_configs: [{{files: ['{sd_file}'], refresh_interval: 1s}}]\n"
        )
        started = [
            PrometheusServer(
                scrape_targets=list(pods.values()),
                rule_files=[rules_file],
                labels={"namespace": e2e.NAMESPACE},
                target_labels={url: {"pod": p} for p, url in pods.items()},
            ),
            PrometheusServer(
                scrape_targets=list(bad.values()),
                labels={"namespace": "prod"},
                target_labels={url: {"pod": p} for p, url in bad.items()},
            ),
            PrometheusServer(
                scrape_targets=[lone, f"127.0.0.1:{_closed_port()}"],
                labels={"namespace": e2e.NAMESPACE},
            ),
            PrometheusServer(config=gone_config),
            PrometheusServer(storage=_backfill(work, promtool)),
        ]
        for server in started:
            stack.enter_context(server)
        good, broken_server, down, gone, slow = started
        gone.wait_for(_samples(4), timeout=30)
        _file_sd(sd_file, [])  # the pod leaves discovery: its series go stale
        left = time.monotonic()
        for server in (good, broken_server, down):
            server.wait_for(_samples(SAMPLES), timeout=30)
        good.wait_for(f"namespace_job_model_version:nv_inference_count:rate{e2e.RECORDING.window}")
        gone.wait_for("up", lambda r: not r, timeout=20)
        time.sleep(max(0.0, GONE_FOR - (time.monotonic() - left)))
        boards = {}
        for name in CLASSIC:
            boards[name] = work / f"{name}.json"
            boards[name].write_text(json.dumps(e2e.DASHBOARDS[name]), encoding="utf-8")
        yield Servers(good, broken_server, down, gone, slow, http.base_url, boards)


def doctor(
    prometheus: PrometheusServer, *args: str, span: str = RANGE
) -> tuple[int, dict[str, Any]]:
    """Run the command; its exit code and its JSON report (stdout holds nothing else)."""
    result = subprocess.run(
        [sys.executable, "-m", "triton_dashboards", "doctor", "--prometheus", prometheus.url,
         "--range", span, "--output", "json", *args],
        capture_output=True, text=True, timeout=120, env={**os.environ, "COLUMNS": "200"},
    )  # fmt: skip
    assert result.returncode in (0, 1), result.stderr
    return result.returncode, json.loads(result.stdout)


def kinds(report: Mapping[str, Any]) -> dict[tuple[str, str], set[str]]:
    """(dashboard file name, panel title) -> the kinds of its causes."""
    return {
        (Path(board["file"]).name, panel["title"]): {c["kind"] for c in panel["causes"]}
        for board in report["dashboards"]
        for panel in board["panels"]
    }


def _panels(path: Path) -> Iterator[dict[str, Any]]:
    for panel in json.loads(path.read_text(encoding="utf-8"))["panels"]:
        for p in (panel, *(panel.get("panels") or [])):
            if p.get("targets"):
                yield p


def _reads(panel: Mapping[str, Any], text: str) -> bool:
    return any(text in t["expr"] for t in panel["targets"])


def test_a_correct_setup_is_clean(servers: Servers) -> None:
    code, report = doctor(servers.good, *map(str, servers.boards.values()))
    problems = [
        (board["file"], panel)
        for board in report["dashboards"]
        for panel in board["panels"]
        if panel["verdict"] != "ok" or {c["kind"] for c in panel["causes"]} - {"quantile-hidden"}
    ]
    assert not problems and not report["findings"], problems or report["findings"]
    assert report["ok"] is True and code == 0
    assert len(report["dashboards"]) == len(CLASSIC)


def test_a_flag_off_is_family_absent_on_its_panels_only(servers: Servers) -> None:
    path = BOARDS / "triton-model.json"
    code, report = doctor(servers.broken, str(path))
    found = kinds(report)
    summary = {p["title"] for p in _panels(path) if _reads(p, "_summary_us")}
    assert summary
    for panel in _panels(path):
        got = found[(path.name, panel["title"])]
        if panel["title"] in summary:
            assert got == {"family-absent"}, panel["title"]
        elif "histogram_quantile" not in json.dumps(panel["targets"]):
            assert got == set(), (panel["title"], got)
    causes = [c for b in report["dashboards"] for p in b["panels"] for c in p["causes"]]
    absent = [c for c in causes if c["kind"] == "family-absent"]
    assert all("summary_latencies=true" in c["detail"] + c["fix"] for c in absent)
    assert code == 1 and report["ok"] is False


def test_a_quantile_in_the_lowest_or_inf_bucket_is_hidden_and_ok(servers: Servers) -> None:
    path = BOARDS / "triton-model.json"
    _, report = doctor(servers.broken, str(path))
    quantile = [p for p in _panels(path) if "histogram_quantile" in json.dumps(p["targets"])]
    assert quantile
    for panel in quantile:
        [board] = report["dashboards"]
        [got] = [p for p in board["panels"] if p["title"] == panel["title"]]
        assert got["verdict"] == "ok", got
        [cause] = got["causes"]
        assert cause["kind"] == "quantile-hidden"
        assert "lowest bucket (<= 100)" in cause["detail"], cause
        assert "+Inf bucket (> 5000)" in cause["detail"], cause


@pytest.mark.parametrize("name", ["triton-overview-recorded", "triton-gpu-host-recorded"])
def test_rules_not_loaded_is_record_absent_where_records_are_read(
    servers: Servers, name: str
) -> None:
    path = BOARDS / f"{name}.json"
    code, report = doctor(servers.broken, str(path))
    found = kinds(report)
    for panel in _panels(path):
        reads_record = any(_RECORDED.search(t["expr"]) for t in panel["targets"])
        want = {"record-absent"} if reads_record else set()
        assert found[(path.name, panel["title"])] == want, panel["title"]
    details = [c["detail"] for b in report["dashboards"] for p in b["panels"] for c in p["causes"]]
    assert details and all("no recording rules loaded" in d for d in details)
    assert code == 1


def test_another_namespace_is_a_label_mismatch_with_the_values_carried(servers: Servers) -> None:
    path = BOARDS / "ner.json"
    code, report = doctor(servers.broken, str(path))
    [board] = report["dashboards"]
    assert board["panels"]
    for panel in board["panels"]:
        assert panel["verdict"] == "empty"
        assert {c["kind"] for c in panel["causes"]} == {"label-mismatch"}, panel
        for cause in panel["causes"]:
            assert 'namespace="triton" matches no series' in cause["detail"]
            assert 'namespace="prod"' in cause["detail"]
    assert code == 1


def test_a_target_down_is_a_finding_with_the_scrape_error(servers: Servers) -> None:
    path = BOARDS / "triton-gpu-host.json"
    code, report = doctor(servers.down, str(path))
    assert all(not v for v in kinds(report).values()), kinds(report)
    [finding] = report["findings"]
    assert finding["kind"] == "target-down"
    assert "connection refused" in finding["detail"]
    assert code == 1 and report["ok"] is False


def test_a_pod_gone_inside_the_range_is_stale_on_instant_panels(servers: Servers) -> None:
    path = BOARDS / "triton-overview.json"
    code, report = doctor(servers.gone, str(path))
    found = kinds(report)
    instant = [p for p in _panels(path) if all(t.get("instant") for t in p["targets"])]
    assert instant
    for panel in _panels(path):
        want = {"stale"} if panel in instant else set()
        assert found[(path.name, panel["title"])] == want, panel["title"]
    assert not report["findings"]
    assert code == 1


def _dashboard(path: Path) -> Path:
    def panel(title: str, expr: str, instant: bool) -> dict[str, Any]:
        return {
            "title": title,
            "type": "stat",
            "targets": [{"refId": "A", "expr": expr, "instant": instant}],
        }

    board = {
        "uid": "window",
        "title": "windows",
        "panels": [
            panel("rate over 1m", "sum(rate(nv_inference_request_success[1m]))", False),
            panel(
                "rate over $__rate_interval",
                "sum(rate(nv_inference_request_success[$__rate_interval]))",
                False,
            ),
            panel("GPU utilization", "avg(nv_gpu_utilization)", True),
        ],
    }
    path.write_text(json.dumps(board), encoding="utf-8")
    return path


def test_a_60s_scrape_under_a_1m_window_is_window_too_short(
    servers: Servers, tmp_path: Path
) -> None:
    path = _dashboard(tmp_path / "windows.json")
    code, report = doctor(servers.slow, "--scrape-interval", "60s", str(path), span="1h")
    found = kinds(report)
    assert found == {
        ("windows.json", "rate over 1m"): {"window-too-short"},
        ("windows.json", "rate over $__rate_interval"): set(),
        ("windows.json", "GPU utilization"): set(),
    }
    [cause] = report["dashboards"][0]["panels"][0]["causes"]
    assert (
        "[1m] window holds at most 1 sample" in cause["detail"]
        and "1m scrape interval" in cause["detail"]
    )
    assert "Prometheus 3" in cause["detail"] and "[4m]" in cause["fix"]
    assert code == 1


def test_undeclared_ensembles_are_named_on_the_headlines_that_count_steps(
    servers: Servers,
) -> None:
    paths = [servers.boards["triton-overview"], servers.boards["triton-overview-recorded"]]
    code, report = doctor(servers.good, "--triton", servers.triton_http, *map(str, paths))
    flagged = {k for k, v in kinds(report).items() if v}
    headlines = {
        (path.name, p["title"])
        for path in paths
        for p in _panels(path)
        if counted(()).sentence in p.get("description", "")
    }
    assert headlines and flagged == headlines
    causes = [c for b in report["dashboards"] for p in b["panels"] for c in p["causes"]]
    assert {c["kind"] for c in causes} == {"ensemble-undeclared"}
    assert all("ner_pipeline" in c["detail"] and "Ensemble(" in c["fix"] for c in causes)
    assert code == 1


def test_the_table_names_panel_verdict_cause_and_fix(servers: Servers) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "triton_dashboards", "doctor", "--prometheus",
         servers.broken.url, "--range", RANGE, str(BOARDS / "ner.json")],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("NER pipeline (") and "0 of 12 panels ok" in lines[0]
    assert lines[1].split() == ["panel", "verdict", "cause", "fix"]
    assert "label-mismatch" in result.stdout and result.stdout.rstrip().endswith(
        "see the causes and fixes above"
    )


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--prometheus", "localhost:9090"], "write it like http://prometheus:9090"),
        (["--prometheus", f"http://127.0.0.1:{_closed_port()}"], "cannot reach Prometheus"),
        (["--prometheus", "http://127.0.0.1:9", "--range", "an hour"], "--range"),
    ],
)
def test_it_cannot_run_exits_2_in_one_line(args: list[str], needle: str, tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "triton_dashboards", "doctor", *args, str(BOARDS / "ner.json")],
        capture_output=True, text=True, timeout=60, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 2 and not result.stdout, result
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("error: ") and needle in line and "Traceback" not in line


def test_a_file_that_is_not_a_dashboard_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "triton_dashboards", "doctor", "--prometheus",
         "http://127.0.0.1:9", str(bad)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert "is not JSON" in line and "bad.json" in line


def test_a_triton_that_does_not_answer_exits_2_in_one_line(servers: Servers) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "triton_dashboards", "doctor", "--prometheus", servers.down.url,
         "--triton", f"http://127.0.0.1:{_closed_port()}", str(BOARDS / "ner.json")],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 2 and not result.stdout, result
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("error: ") and "Traceback" not in line


def test_rules_of_another_window_are_record_absent_naming_what_is_recorded(
    servers: Servers,
) -> None:
    """The committed dashboard reads 5m records; this server's rules record 4s ones."""
    path = BOARDS / "triton-gpu-host-recorded.json"
    code, report = doctor(servers.good, str(path))
    found = kinds(report)
    windowed = re.compile(r":[a-z_]+5m\b")
    for panel in _panels(path):
        reads_5m = any(windowed.search(t["expr"]) for t in panel["targets"])
        assert found[(path.name, panel["title"])] == ({"record-absent"} if reads_5m else set())
    causes = [c for b in report["dashboards"] for p in b["panels"] for c in p["causes"]]
    recorded = f"instance_gpu_uuid:nv_gpu_utilization:avg{e2e.RECORDING.window}"
    assert causes and all(recorded in c["detail"] for c in causes), causes
    assert code == 1


def test_a_declaration_that_misses_an_ensemble_is_flagged_and_a_full_one_is_not(
    servers: Servers, tmp_path: Path
) -> None:
    """Client headlines leave the declared steps out; Triton's other ensembles still count."""
    ner = Workload.default().model("ner_pipeline")
    declarations = {
        "partial": [Ensemble("other", ["x"])],
        "full": [Ensemble("ner_pipeline", ner.steps)],
    }
    paths = {}
    for name, ensembles in declarations.items():
        paths[name] = tmp_path / f"{name}.json"
        board = render.to_json(stock.overview(ensembles=ensembles))
        paths[name].write_text(json.dumps(board), encoding="utf-8")
    _, report = doctor(servers.good, "--triton", servers.triton_http, *map(str, paths.values()))
    flagged = {k for k, v in kinds(report).items() if "ensemble-undeclared" in v}
    clients = {("partial.json", p["title"]) for p in _panels(paths["partial"])}
    clients = {k for k in clients if k[1].startswith("Client ")}
    assert clients and flagged == clients
    causes = [c for b in report["dashboards"] for p in b["panels"] for c in p["causes"]]
    assert all("ner_pipeline" in c["detail"] and "other" not in c["detail"] for c in causes)


def test_a_dashboard_whose_variables_fail_is_reported_and_the_others_diagnosed(
    servers: Servers, tmp_path: Path
) -> None:
    good = _dashboard(tmp_path / "windows.json")
    bad = tmp_path / "bad.json"
    board = json.loads(good.read_text(encoding="utf-8"))
    board["templating"] = {"list": [{"name": "x", "type": "query", "query": "histogram(up)"}]}
    bad.write_text(json.dumps(board), encoding="utf-8")
    code, report = doctor(servers.good, str(good), str(bad))
    first, second = report["dashboards"]
    assert all(p["verdict"] == "ok" for p in first["panels"]), first
    assert second["panels"] and all(p["verdict"] == "error" for p in second["panels"])
    assert "variables cannot be resolved" in second["panels"][0]["error"]
    assert code == 1

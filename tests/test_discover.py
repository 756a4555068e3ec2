"""``discover`` end to end: simulators of the reference deployment (two pods) and of the LLM
workloads, scraped by a real Prometheus, with Triton's HTTP API served beside each, and the
command run as a real process; what it names, what it writes, how it fails."""

from __future__ import annotations

import contextlib
import json
import runpy
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
from _support import ROOT
from prometheus_server import PrometheusServer
from test_cli import assert_one_line_error
from test_kserve import TRTLLM, VLLM
from test_starter import declared_ensembles

from triton_dashboards.dashboard.stock import OVERVIEW_UID
from triton_dashboards.inspect.discover import NO_SERIES, NO_TRITON
from triton_dashboards.simulator import Workload, serve

pytestmark = pytest.mark.e2e

NER = Workload.default()
#: pod -> (workload, namespace): two NER pods, a TensorRT-LLM pod and a vLLM pod.
PODS = {
    "triton-0": (NER, "triton"),
    "triton-1": (NER, "triton"),
    "trtllm-0": (TRTLLM, "llm"),
    "vllm-0": (VLLM, "llm"),
}


@attrs.frozen
class Deployment:
    prometheus: str
    triton: dict[str, str]  # pod -> the URL of its HTTP API


@pytest.fixture(scope="module")
def deployment(prometheus_binary: str) -> Iterator[Deployment]:
    with contextlib.ExitStack() as stack:
        metrics = {
            pod: stack.enter_context(serve(w, port=0, pod=pod)) for pod, (w, _) in PODS.items()
        }
        apis = {
            pod: stack.enter_context(serve(w, port=0, pod=pod, service="http"))
            for pod, (w, _) in PODS.items()
        }
        server = stack.enter_context(
            PrometheusServer(
                scrape_targets=[s.url for s in metrics.values()],
                target_labels={
                    s.url: {"pod": pod, "namespace": PODS[pod][1]} for pod, s in metrics.items()
                },
            )
        )
        server.wait_for(
            "count(up == 1)", lambda r: bool(r) and float(r[0]["value"][1]) == len(PODS), timeout=20
        )
        yield Deployment(server.url, {pod: api.url for pod, api in apis.items()})


def discover(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "triton_dashboards", "discover", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
    )


def cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "triton_dashboards", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
    )


def test_the_table_names_where_triton_runs_its_models_and_the_ensemble(
    deployment: Deployment,
) -> None:
    result = discover(
        "--prometheus", deployment.prometheus, "--triton", deployment.triton["triton-0"]
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "  namespace  llm, triton" in out
    assert "  pod        triton-0, triton-1, trtllm-0, vllm-0" in out
    assert "scrape interval 1s" in out
    table = out.split("\nMODEL ", 1)[1].split("\n\n", 1)[0].splitlines()[1:]
    rows = {line.split()[0]: line.split() for line in table}
    for model in (
        "ner_pipeline",
        "ner_preprocess",
        "ner",
        "ner_postprocess",
        "tensorrt_llm",
        "vllm_model",
    ):
        assert model in rows, model
    assert rows["ner_pipeline"][-4:] == ["READY", "ensemble", "of", "3"]
    assert rows["ner_preprocess"][-2:] == ["READY", "python"]
    assert rows["ner"][-2:] == ["READY", "onnxruntime"]
    assert "  ensemble ner_pipeline: ner_preprocess -> ner -> ner_postprocess" in out
    assert "BLS" in out and "ner_preprocess, ner_postprocess" in out
    # The LLM models report to this Prometheus but are served by other Tritons.
    assert "tensorrt_llm" in out.split("note:", 1)[1] and "another server serves them" in out


def test_json_is_one_document_with_models_families_switches_and_ensembles(
    deployment: Deployment,
) -> None:
    result = discover(
        "--prometheus", deployment.prometheus, "--triton", deployment.triton["trtllm-0"],
        "--output", "json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["scrape_interval_seconds"] == 1.0
    assert doc["locations"]["namespace"] == ["llm", "triton"] and doc["locations"]["cluster"] == []
    models = {m["name"]: m for m in doc["models"]}
    assert models["ner_pipeline"]["namespaces"] == ["triton"]
    assert models["vllm_model"]["namespaces"] == ["llm"]
    assert "nv_inference_request_summary_us" in models["ner"]["families"]
    assert "nv_inference_request_summary_us" not in models["tensorrt_llm"]["families"]
    assert "nv_trt_llm_kv_cache_block_metrics" in models["tensorrt_llm"]["families"]
    flags = {f["flag"]: f for f in doc["flags"]}
    summaries = flags["--metrics-config summary_latencies=true"]
    assert set(summaries["models"]) == {m.name for m in NER.models}  # only NER turns it on
    assert flags["response cache enabled"]["models"] == ["ner_preprocess"]
    vllm = next(f for f in doc["flags"] if "REPORT_CUSTOM_METRICS" in f["flag"])
    assert vllm["on"] and set(vllm["models"]) == {"vllm_fast", "vllm_model"}
    assert flags["--cache-config local,size=N"]["on"] is False
    assert flags["--allow-gpu-metrics"]["on"] and flags["--allow-gpu-metrics"]["models"] == []
    assert doc["ensembles"] == [
        {"name": "ensemble", "steps": ["preprocessing", "tensorrt_llm", "postprocessing"]}
    ]
    triton = {m["name"]: m for m in doc["triton"]["models"]}
    assert triton["tensorrt_llm"]["backend"] == "tensorrtllm"
    assert triton["ensemble"]["platform"] == "ensemble"


def test_without_triton_it_says_ensembles_cannot_be_known_and_how(deployment: Deployment) -> None:
    result = discover("--prometheus", deployment.prometheus, "--output", "json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["triton"] is None and doc["ensembles"] == [] and doc["notes"] == [NO_TRITON]
    assert "--triton http://TRITON:8000" in NO_TRITON
    refused = discover("--prometheus", deployment.prometheus, "--write", "anywhere")
    assert_one_line_error(refused, "--write needs --triton")
    assert not (ROOT / "anywhere").exists()


def _exprs(dashboard: dict[str, Any]) -> dict[str, set[str]]:
    """Panel title -> its queries, rows' panels included."""
    out: dict[str, set[str]] = {}
    for panel in dashboard["panels"]:
        for p in [panel, *panel.get("panels", [])]:
            exprs = {t["expr"] for t in p.get("targets", []) if t.get("expr")}
            if exprs:
                out[p["title"]] = exprs
    return out


def test_write_on_the_reference_deployment_yields_the_ner_dashboards_ensemble(
    deployment: Deployment, tmp_path: Path
) -> None:
    target = tmp_path / "dashboards"
    result = discover(
        "--prometheus", deployment.prometheus, "--triton", deployment.triton["triton-1"],
        "--write", str(target),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in target.iterdir()) == [
        "ner_pipeline.dashboard.py",
        "overview.dashboard.py",
    ]
    # The ensemble and its steps are dashboards/ner.dashboard.py's.
    reference = runpy.run_path(str(ROOT / "dashboards" / "ner.dashboard.py"))
    written = runpy.run_path(str(target / "ner_pipeline.dashboard.py"))
    assert written["pipeline"] == reference["pipeline"] and written["steps"] == reference["steps"]
    declared = declared_ensembles((target / "overview.dashboard.py").read_text("utf-8"))
    assert declared == [("ner_pipeline", ["ner_preprocess", "ner", "ner_postprocess"])]
    # The written files build, check and lint clean, and are ruff's layout already.
    for command in ("build", "check", "lint"):
        done = cli(command, "--dir", str(target))
        assert done.returncode == 0, (command, done.stdout, done.stderr)
    ruff = Path(sys.executable).parent / "ruff"
    for command in (["format", "--check"], ["check"]):
        done = subprocess.run(
            [ruff, *command, str(target)], capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stdout + done.stderr
    overview = json.loads((target / "overview.json").read_text("utf-8"))
    assert overview["uid"] != OVERVIEW_UID  # a tailored overview never replaces the stock one
    # The ensemble dashboard asks what dashboards/ner.json asks; its batch size panel reads
    # every step that batches (max_batch_size > 0), ner_postprocess too.
    mine = _exprs(json.loads((target / "ner_pipeline.json").read_text("utf-8")))
    theirs = _exprs(json.loads((ROOT / "dashboards" / "ner.json").read_text("utf-8")))
    batch = {title for title in mine if "batch size" in title}
    assert {t: e for t, e in mine.items() if t not in batch} == {
        t: e for t, e in theirs.items() if "batch size" not in t
    }
    (batch_exprs,) = [mine[t] for t in batch]
    assert all('model=~"ner|ner_postprocess"' in e for e in batch_exprs)


def test_write_never_overwrites_without_force(deployment: Deployment, tmp_path: Path) -> None:
    args = ("--prometheus", deployment.prometheus, "--triton", deployment.triton["trtllm-0"])
    mine = tmp_path / "overview.dashboard.py"
    mine.write_text("# mine\n", encoding="utf-8")
    refused = discover(*args, "--write", str(tmp_path))
    assert_one_line_error(refused, "overview.dashboard.py already exists", "--force")
    assert refused.stdout == ""  # refused before printing anything
    assert (
        mine.read_text("utf-8") == "# mine\n" and not (tmp_path / "ensemble.dashboard.py").exists()
    )
    forced = discover(*args, "--write", str(tmp_path), "--force", "--uid-prefix", "ml-")
    assert forced.returncode == 0, forced.stderr
    assert 'uid_prefix="ml-"' in mine.read_text("utf-8")
    assert 'uid="ml-ensemble-ensemble"' in (tmp_path / "ensemble.dashboard.py").read_text("utf-8")


def test_an_unwritable_write_dir_is_one_line(deployment: Deployment, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    result = discover(
        "--prometheus", deployment.prometheus, "--triton", deployment.triton["triton-0"],
        "--write", str(blocker / "dashboards"),
    )  # fmt: skip
    assert_one_line_error(result, "cannot write", "a-file", "--write another DIR")
    assert blocker.read_text("utf-8") == ""


@pytest.fixture
def dead_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


def test_dead_or_wrong_servers_are_one_line_each(deployment: Deployment, dead_url: str) -> None:
    assert_one_line_error(discover("--prometheus", dead_url), "cannot reach Prometheus", dead_url)
    assert_one_line_error(
        discover("--prometheus", deployment.prometheus, "--triton", dead_url),
        "cannot reach Triton",
        "8000",
    )
    # Prometheus itself is not Triton: its /v2 is a 404 page.
    assert_one_line_error(
        discover("--prometheus", deployment.prometheus, "--triton", deployment.prometheus),
        "does not answer as Triton's HTTP API",
    )
    assert_one_line_error(
        discover("--prometheus", deployment.prometheus, "--uid-prefix", "a b"), "--uid-prefix"
    )


def test_a_prometheus_without_triton_series_says_what_to_check(
    prometheus: PrometheusServer,
) -> None:
    result = discover("--prometheus", prometheus.url, "--output", "json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["models"] == [] and not any(f["on"] for f in doc["flags"])
    assert doc["notes"] == [NO_SERIES, NO_TRITON]


def test_a_server_that_is_not_prometheus_is_one_line(deployment: Deployment) -> None:
    result = discover("--prometheus", deployment.triton["vllm-0"])
    assert_one_line_error(result, "without Prometheus' JSON", "is this a Prometheus URL?")


def test_credentials_in_the_urls_are_never_printed(deployment: Deployment) -> None:
    host = deployment.prometheus.removeprefix("http://")
    triton = deployment.triton["triton-0"].removeprefix("http://")
    for output in ("table", "json"):
        result = discover(
            "--prometheus", f"http://alice:s3cret@{host}",
            "--triton", f"http://bob:t0ken@{triton}", "--output", output,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        assert "s3cret" not in result.stdout + result.stderr
        assert "t0ken" not in result.stdout + result.stderr
        assert host in result.stdout and triton in result.stdout


def _undeclared(doctor: subprocess.CompletedProcess[str]) -> list[str]:
    """The panels doctor flags ``ensemble-undeclared`` (exit 0 or 1: it ran)."""
    assert doctor.returncode in (0, 1), doctor.stderr
    report = json.loads(doctor.stdout)
    return [
        panel["title"]
        for dashboard in report["dashboards"]
        for panel in dashboard["panels"]
        if any(cause["kind"] == "ensemble-undeclared" for cause in panel["causes"])
    ]


def test_doctor_finds_the_written_overview_declares_what_triton_serves(
    deployment: Deployment, tmp_path: Path
) -> None:
    triton = deployment.triton["triton-0"]
    written = discover(
        "--prometheus", deployment.prometheus, "--triton", triton, "--write", str(tmp_path)
    )
    assert written.returncode == 0, written.stderr
    assert cli("build", "--dir", str(tmp_path)).returncode == 0
    args = ("doctor", "--prometheus", deployment.prometheus, "--triton", triton, "--output", "json")
    before = set(_undeclared(cli(*args, str(ROOT / "dashboards" / "triton-overview.json"))))
    after = set(_undeclared(cli(*args, str(tmp_path / "overview.json"))))
    # The headlines that counted every step now count client requests; what doctor still
    # flags is only what no declaration changes (failures by reason count every model by
    # design: a failed step fails its ensemble too, with another reason).
    assert after < before
    assert not any("request" in title.lower() for title in after), after


def test_write_for_a_triton_without_ensembles_writes_nothing_and_says_why(
    deployment: Deployment, tmp_path: Path
) -> None:
    result = discover(
        "--prometheus", deployment.prometheus, "--triton", deployment.triton["vllm-0"],
        "--write", str(tmp_path / "dashboards"),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "nothing written: Triton serves no ensemble" in result.stderr
    assert not (tmp_path / "dashboards").exists()

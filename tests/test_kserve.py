"""The simulator's Triton HTTP API (KServe v2), served over real HTTP on 127.0.0.1.

Its answers are derived from the same workload as the exposition, so the models it lists
are the ones ``/metrics`` counts and an ensemble's steps are the workload's, in order.
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from test_simulator import by_model, parse

from triton_dashboards.simulator import Workload, WorkloadError, exposition, serve

WORKLOADS = Path(str(resources.files("triton_dashboards.simulator")))
TRTLLM = Workload.load(WORKLOADS / "trtllm.yaml")
VLLM = Workload.load(WORKLOADS / "vllm.yaml")


def call(base: str, method: str, path: str, body: bytes | None = None) -> tuple[int, Any]:
    request = urllib.request.Request(base + path, data=body, method=method)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            assert response.headers["Content-Type"] == "application/json"
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as e:
        assert e.headers["Content-Type"] == "application/json"
        return e.code, json.loads(e.read())


@pytest.fixture
def api() -> Iterator[str]:
    with serve(Workload.default(), port=0, service="http") as server:
        yield server.url


def test_server_metadata_names_triton_and_the_extensions_discover_uses(api: str) -> None:
    status, metadata = call(api, "GET", "/v2")
    assert status == 200 and metadata["name"] == "triton"
    assert re.fullmatch(r"2\.\d+\.\d+", metadata["version"])
    assert {"model_repository", "model_configuration"} <= set(metadata["extensions"])


def test_the_index_lists_exactly_the_models_the_exposition_counts(api: str) -> None:
    status, index = call(api, "POST", "/v2/repository/index", b"")
    assert status == 200
    text = exposition(Workload.default(), elapsed=1.0)
    counted = by_model(parse(text)["nv_inference_request_success"])
    assert {(m["name"], m["version"]) for m in index} == set(counted)
    assert all(m["state"] == "READY" and m["reason"] == "" for m in index)
    assert call(api, "POST", "/v2/repository/index", b'{"ready": true}') == (200, index)


def test_an_ensembles_config_lists_its_steps_in_the_workloads_order(api: str) -> None:
    status, config = call(api, "GET", "/v2/models/ner_pipeline/config")
    assert status == 200
    assert (config["name"], config["platform"], config["backend"]) == (
        "ner_pipeline",
        "ensemble",
        "",
    )
    steps = [step["model_name"] for step in config["ensemble_scheduling"]["step"]]
    assert steps == list(Workload.default().model("ner_pipeline").steps)
    assert "instance_group" not in config


def test_a_models_config_names_its_backend_instances_and_batching(api: str) -> None:
    _, ner = call(api, "GET", "/v2/models/ner/versions/1/config")
    assert (ner["platform"], ner["backend"]) == ("onnxruntime_onnx", "onnxruntime")
    assert ner["instance_group"] == [
        {"name": "ner_0", "kind": "KIND_GPU", "count": 1, "gpus": [0, 1]}
    ]
    assert ner["max_batch_size"] == 4 and "dynamic_batching" in ner  # 4 requests per execution
    _, pre = call(api, "GET", "/v2/models/ner_preprocess/config")
    assert (pre["platform"], pre["backend"]) == ("", "python")
    assert pre["instance_group"][0]["kind"] == "KIND_CPU" and pre["max_batch_size"] == 0
    assert pre["response_cache"] == {"enable": True}


def test_errors_carry_tritons_error_body(api: str) -> None:
    status, body = call(api, "GET", "/v2/models/nope/config")
    assert status == 404 and body == {"error": "Request for unknown model: 'nope' is not found"}
    assert call(api, "GET", "/v2/models/ner/versions/7/config")[0] == 404
    status, body = call(api, "POST", "/v2/repository/index", b"{not json")
    assert status == 400 and body["error"]
    assert call(api, "GET", "/metrics") == (400, {"error": "Not Found"})
    assert call(api, "DELETE", "/v2")[0] == 405


def test_the_metrics_port_serves_no_api_and_the_api_port_no_metrics() -> None:
    w = Workload.default()
    with serve(w, port=0) as metrics, serve(w, port=0, service="http") as api:
        assert metrics.port != api.port
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(metrics.base_url + "/v2", timeout=5)
        assert missing.value.code == 404
        assert call(api.url, "GET", "/metrics")[0] == 400


def test_the_llm_workloads_serve_their_ensemble_and_backends() -> None:
    with serve(TRTLLM, port=0, service="http") as server:
        _, ensemble = call(server.url, "GET", "/v2/models/ensemble/config")
        steps = [step["model_name"] for step in ensemble["ensemble_scheduling"]["step"]]
        assert steps == ["preprocessing", "tensorrt_llm", "postprocessing"]
        _, engine = call(server.url, "GET", "/v2/models/tensorrt_llm/config")
        assert engine["backend"] == "tensorrtllm"  # from its llm entry, written once
        _, tokenizer = call(server.url, "GET", "/v2/models/preprocessing/config")
        assert tokenizer["backend"] == "python"
    with serve(VLLM, port=0, service="http") as server:
        _, index = call(server.url, "POST", "/v2/repository/index")
        assert [m["name"] for m in index] == ["vllm_model", "vllm_fast"]
        for model in index:
            _, config = call(server.url, "GET", f"/v2/models/{model['name']}/config")
            assert config["backend"] == "vllm" and "ensemble_scheduling" not in config


@pytest.mark.parametrize(
    ("model", "needles"),
    [
        (
            {"name": "e", "ensemble": ["m"], "backend": "python"},
            ["models[0] (e).backend", "ensemble has no backend"],
        ),
        ({"name": "m", "backend": 'py"thon'}, ["models[1] (m).backend", "not a backend name"]),
    ],
)
def test_a_wrong_backend_gets_one_line_naming_the_field(
    model: dict[str, Any], needles: list[str]
) -> None:
    models = [model, {"name": "m"}] if "ensemble" in model else [{"name": "x"}, model]
    with pytest.raises(WorkloadError) as e:
        Workload.from_mapping({"models": models})
    for needle in needles:
        assert needle in str(e.value)


def test_a_backend_that_contradicts_the_llm_entry_is_refused() -> None:
    data = {
        "models": [{"name": "vllm_model", "backend": "python"}],
        "llm": [{"backend": "vllm", "model": "vllm_model"}],
    }
    with pytest.raises(WorkloadError, match=r"models\[0\] \(vllm_model\)\.backend: .*write vllm"):
        Workload.from_mapping(data)


def test_simulate_serves_the_api_on_its_own_port_with_http() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "triton_dashboards", "simulate", "--listen", "127.0.0.1:0",
         "--http", "127.0.0.1:0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        metrics = re.search(r"http://\S+/metrics", process.stdout.readline())
        api = re.search(r"HTTP API at (http://\S+)", process.stdout.readline())
        assert metrics and api
        assert call(api[1], "GET", "/v2")[1]["name"] == "triton"
        with urllib.request.urlopen(metrics[0], timeout=5) as response:
            assert b"nv_inference_request_success" in response.read()
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=10)
        assert process.returncode == 0 and "stopped" in out, err
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate(timeout=10)


def test_simulate_refuses_a_bad_http_address_in_one_line() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "triton_dashboards", "simulate", "--http", "nowhere"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip() == (
        "error: --http 'nowhere' is not HOST:PORT; write e.g. 127.0.0.1:8000"
    )

"""inspect.triton reads what a Triton server serves from its HTTP API: the simulator's over
real HTTP on 127.0.0.1, and servers that are not Triton, dead or mute, each failing in one line."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable, Iterator

import pytest
from plain_http import Answer, not_found_page, serving
from test_kserve import TRTLLM, VLLM

from triton_dashboards.inspect.triton import Repository, TritonError, read_repository
from triton_dashboards.query.fleet import Ensemble
from triton_dashboards.simulator import Workload, serve


def test_the_reference_deployment_reads_as_one_ensemble_with_python_steps() -> None:
    with serve(Workload.default(), port=0, service="http") as api:
        repository = read_repository(api.url, timeout=5)
    assert repository.url == api.url and repository.version.startswith("2.")
    assert dict(repository.ensembles) == {
        "ner_pipeline": ("ner_preprocess", "ner", "ner_postprocess")
    }
    assert repository.declarations() == (
        Ensemble("ner_pipeline", ["ner_preprocess", "ner", "ner_postprocess"]),
    )
    backends = {m.name: (m.backend, m.state) for m in repository.models}
    assert backends == {
        "ner_pipeline": ("", "READY"),
        "ner_preprocess": ("python", "READY"),
        "ner": ("onnxruntime", "READY"),
        "ner_postprocess": ("python", "READY"),
    }


def test_python_models_are_named_as_possible_bls_callers() -> None:
    with serve(Workload.default(), port=0, service="http") as api:
        repository = read_repository(api.url, timeout=5)
    assert repository.bls == ("ner_preprocess", "ner_postprocess")
    (note,) = repository.notes
    assert "ner_preprocess, ner_postprocess" in note and "BLS" in note
    with serve(VLLM, port=0, service="http") as api:
        vllm = read_repository(api.url, timeout=5)
    assert vllm.bls == () and vllm.notes == () and dict(vllm.ensembles) == {}
    assert {m.backend for m in vllm.models} == {"vllm"}


def test_the_tensorrt_llm_ensemble_reads_in_step_order() -> None:
    with serve(TRTLLM, port=0, service="http") as api:
        repository = read_repository(api.url.rstrip("/") + "/", timeout=5)  # a trailing / too
    assert dict(repository.ensembles) == {
        "ensemble": ("preprocessing", "tensorrt_llm", "postprocessing")
    }
    assert {m.name: m.backend for m in repository.models}["tensorrt_llm"] == "tensorrtllm"


METADATA = b'{"name": "triton", "version": "2.40.0", "extensions": []}'


def _triton_like(
    index: list[dict[str, str]], configs: dict[str, object]
) -> Callable[[str], Answer]:
    """A Triton whose index and configs a test writes: for states the simulator never has."""

    def answer(path: str) -> Answer:
        if path == "/v2":
            return (
                200,
                "application/json",
                b'{"name":"triton","version":"2.40.0","extensions":[]}',
                None,
            )
        if path == "/v2/repository/index":
            return 200, "application/json", json.dumps(index).encode(), None
        for name, config in configs.items():
            if path == f"/v2/models/{name}/versions/1/config":
                return 200, "application/json", json.dumps(config).encode(), None
        return 404, "application/json", b'{"error":"Request for unknown model"}', None

    return answer


def test_a_model_that_is_not_ready_is_listed_with_its_reason_and_no_config() -> None:
    index = [
        {"name": "ok", "version": "1", "state": "READY", "reason": ""},
        {"name": "broken", "version": "1", "state": "UNAVAILABLE", "reason": "unloaded"},
    ]
    with serving(_triton_like(index, {"ok": {"backend": "tensorrt"}})) as (url, asked):
        repository = read_repository(url, timeout=5)
    broken = {m.name: m for m in repository.models}["broken"]
    assert (broken.state, broken.reason, broken.backend) == ("UNAVAILABLE", "unloaded", "")
    assert "/v2/models/broken/versions/1/config" not in asked


def test_an_error_answer_is_one_line_with_tritons_message() -> None:
    index = [{"name": "gone", "version": "1", "state": "READY", "reason": ""}]
    with serving(_triton_like(index, {})) as (url, _), pytest.raises(TritonError) as e:
        read_repository(url, timeout=5)
    assert str(e.value) == (
        f"Triton refused GET {url}/v2/models/gone/versions/1/config: HTTP 404: "
        "Request for unknown model"
    )


@pytest.fixture
def dead_port() -> Iterator[int]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    yield port


def test_unreachable_triton_is_one_line_that_says_which_port_to_give(dead_port: int) -> None:
    with pytest.raises(TritonError) as e:
        read_repository(f"127.0.0.1:{dead_port}", timeout=2)
    message = str(e.value)
    assert message.startswith(f"cannot reach Triton at http://127.0.0.1:{dead_port}: ")
    assert "8000" in message and "\n" not in message


def test_the_metrics_port_or_a_web_page_is_not_triton() -> None:
    with serve(Workload.default(), port=0) as metrics, pytest.raises(TritonError) as e:
        read_repository(metrics.base_url, timeout=5)
    assert "does not answer as Triton's HTTP API" in str(e.value) and "8002" in str(e.value)
    with serving(not_found_page) as (url, _), pytest.raises(TritonError) as e:
        read_repository(url, timeout=5)
    assert f"{url} does not answer as Triton's HTTP API (GET {url}/v2: HTTP 404" in str(e.value)
    page = (200, "application/json", b'{"status": "ok"}', None)
    with serving(lambda path: page) as (url, _), pytest.raises(TritonError) as e:
        read_repository(url, timeout=5)
    assert "does not answer as Triton's HTTP API" in str(e.value)


def test_a_server_that_never_answers_times_out_in_one_line() -> None:
    with socket.socket() as mute:
        mute.bind(("127.0.0.1", 0))
        mute.listen()  # accepts connections (the backlog) and never answers
        port = mute.getsockname()[1]
        with pytest.raises(TritonError) as e:
            read_repository(f"http://127.0.0.1:{port}", timeout=0.3)
    assert str(e.value) == (
        f"Triton at http://127.0.0.1:{port} did not answer GET /v2 within 0.3 s;"
        " check the URL, or raise the timeout"
    )


def test_a_url_that_is_not_http_is_refused_before_any_request() -> None:
    with pytest.raises(TritonError, match=r"'ftp://triton:8000' is not http\(s\)://HOST:PORT"):
        read_repository("ftp://triton:8000")


def test_repository_is_a_plain_record() -> None:
    empty = Repository(url="http://t:8000", version="2.53.0", models=())
    assert dict(empty.ensembles) == {} and empty.declarations() == () and empty.notes == ()

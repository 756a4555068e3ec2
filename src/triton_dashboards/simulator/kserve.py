"""Triton's HTTP/REST API for a workload: the KServe v2 endpoints that say what is served.

Triton answers its API on the HTTP port (8000 by default) and ``/metrics`` on the metrics
port (8002); the simulator keeps them apart the same way (:class:`~.server.Server`'s
``service``). Each answer is derived from the workload, the same one the exposition is, so
the models the API lists are exactly the models ``/metrics`` counts, and an ensemble's
steps are written once, in the workload. The endpoints, as Triton implements them:

* ``GET /v2``: server metadata, ``{"name": "triton", "version", "extensions": [...]}``;
* ``POST /v2/repository/index`` (body optional, ``{"ready": true}`` keeps the ready ones):
  ``[{"name", "version", "state", "reason"}]``, every model ``READY``;
* ``GET /v2/models/NAME[/versions/V]/config``: the model configuration as JSON (the
  ``ModelConfig`` message of ``model_config.proto``): ``name``, ``platform``, ``backend``,
  ``max_batch_size``, ``instance_group`` (one instance per GPU it runs on, else one CPU
  instance), ``dynamic_batching`` where requests are merged, ``response_cache`` where the
  cache is on, and for an ensemble ``ensemble_scheduling.step[].model_name`` in order.

Errors carry Triton's body, ``{"error": "..."}``: an unknown model is 404 (``NOT_FOUND``,
which Triton's HTTP server maps to 404; releases before it answered 400), a malformed
request 400, a path the API does not have 400 ``Not Found``, another method 405.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any
from urllib.parse import unquote

from triton_dashboards.catalog import backends
from triton_dashboards.simulator.parts import Model
from triton_dashboards.simulator.workload import Workload

__all__ = ["EXTENSIONS", "TRITON_VERSION", "answer", "model_config", "repository_index"]

#: The release the exposition follows (failure reasons, the first-response histogram):
#: container 24.12.
TRITON_VERSION = "2.53.0"
#: What that release lists in its server metadata.
EXTENSIONS = (
    "classification",
    "sequence",
    "model_repository",
    "model_repository(unload_dependents)",
    "schedule_policy",
    "model_configuration",
    "system_shared_memory",
    "cuda_shared_memory",
    "binary_tensor_data",
    "parameters",
    "statistics",
    "trace",
    "logging",
)

_CONFIG = re.compile(r"^/v2/models/(?P<name>[^/]+)(?:/versions/(?P<version>[^/]+))?/config$")

#: ``(status, JSON body)`` of one request.
Answer = tuple[int, Any]


def answer(workload: Workload, method: str, path: str, body: bytes = b"") -> Answer:
    """What Triton's HTTP port answers to ``method path`` (with ``body``) for ``workload``."""
    path = path.split("?", 1)[0].rstrip("/") or "/"
    if path == "/v2":
        if method != "GET":
            return 405, _error("Method Not Allowed")
        return 200, {"name": "triton", "version": TRITON_VERSION, "extensions": list(EXTENSIONS)}
    if path == "/v2/repository/index":
        if method != "POST":
            return 405, _error("Method Not Allowed")
        return _index(workload, body)
    match = _CONFIG.match(path)
    if match:
        if method != "GET":
            return 405, _error("Method Not Allowed")
        config = model_config(workload, unquote(match["name"]), match["version"])
        if config is None:
            return 404, _error(
                f"Request for unknown model: '{unquote(match['name'])}' is not found"
            )
        return 200, config
    return 400, _error("Not Found")


def repository_index(workload: Workload) -> list[dict[str, str]]:
    """Every model of the workload as the repository index lists it: all loaded, ready."""
    return [
        {"name": m.name, "version": m.version, "state": "READY", "reason": ""}
        for m in workload.models
    ]


def model_config(
    workload: Workload, name: str, version: str | None = None
) -> dict[str, Any] | None:
    """The configuration of model ``name`` (its highest version by default); None if unknown."""
    found = [m for m in workload.models if m.name == name and version in (None, m.version)]
    if not found:
        return None
    model = max(found, key=lambda m: int(m.version) if m.version.isdigit() else -1)
    backend = workload.backend(model)
    config: dict[str, Any] = {
        "name": model.name,
        "platform": backends.ENSEMBLE_PLATFORM
        if model.is_ensemble
        else backends.backend(backend).platform,
        "backend": backend,
        "version_policy": {"latest": {"num_versions": 1}},
        "max_batch_size": _max_batch_size(model),
        "input": [],
        "output": [],
    }
    if model.is_ensemble:
        config["ensemble_scheduling"] = {
            "step": [
                {"model_name": step, "model_version": -1, "input_map": {}, "output_map": {}}
                for step in model.steps
            ]
        }
        return config
    config["instance_group"] = _instance_groups(workload, model)
    if _merges_requests(model):
        config["dynamic_batching"] = {"max_queue_delay_microseconds": 0}
    if model.cache is not None:
        config["response_cache"] = {"enable": True}
    return config


def _index(workload: Workload, body: bytes) -> Answer:
    ready_only = False
    if body.strip():
        try:
            request = json.loads(body)
        except ValueError:
            return 400, _error("failed to parse the request JSON buffer: Invalid value.")
        if not isinstance(request, dict) or not isinstance(request.get("ready", False), bool):
            return 400, _error("expected a JSON object with an optional boolean 'ready'")
        ready_only = request.get("ready", False)
    index = repository_index(workload)
    return 200, [m for m in index if m["state"] == "READY"] if ready_only else index


def _instance_groups(workload: Workload, model: Model) -> list[dict[str, Any]]:
    """One GPU instance on each GPU the model runs on, else one CPU instance."""
    names = [gpu.name for gpu in workload.gpus]
    gpus = [names.index(gpu) for gpu in model.gpus]
    kind = "KIND_GPU" if gpus else "KIND_CPU"
    return [{"name": f"{model.name}_0", "kind": kind, "count": 1, "gpus": gpus}]


def _merges_requests(model: Model) -> bool:
    return model.executions is not None or model.requests_per_execution > 1


def _max_batch_size(model: Model) -> int:
    """0 (no batching) for single-inference requests run one by one; else the smallest
    power of two holding the mean batch an execution runs."""
    if model.is_ensemble or (model.inferences_per_request == 1 and not _merges_requests(model)):
        return 0
    batch = model.inference_rate / model.execution_rate if model.execution_rate else 1.0
    return int(2 ** math.ceil(math.log2(max(batch, 1.0))))


def _error(message: str) -> dict[str, str]:
    return {"error": message}

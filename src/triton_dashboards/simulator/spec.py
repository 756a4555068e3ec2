"""The workload file: YAML in, a checked :class:`~.workload.Workload` out.

A wrong file gets one line that names the field, ``models[1] (ner).cache.hits``, says what is
wrong and what to write instead, so a demo never starts from a silently misread file. This
module only reads: :func:`read` and :func:`fields` give the arguments of a
:class:`~.workload.Workload` (``Workload.load(path)``, ``Workload.from_mapping(data)``),
whose construction runs the semantic checks of :mod:`.checks`, for workloads built in
Python too.

Format (every field but ``models[].name`` is optional; times in µs, rates a second)::

    start_offset: 0                 # seconds of traffic already counted at start
    metrics:                        # --metrics-config switches
      summary_latencies: true       # *_summary_us families
      histogram_latencies: true     # nv_inference_first_response_histogram_ms
      summary_quantiles: [0.5, 0.9, 0.95, 0.99, 0.999]
    host: {cpu_utilization: 0.3, memory_total: 6.4e10, memory_used: 2.1e10,
           pinned_total: 268435456, pinned_used: 3.3e7}
    gpus:
      - {name: gpu0, utilization: 0.6, power: 180, power_limit: 300,
         memory_total: 2.4e10, memory_used: 9.6e9}      # uuid: GPU-... to pin it
    models:
      - name: ner
        version: "1"
        backend: onnxruntime        # as its config names it; default: onnxruntime, or
                                    # the llm entry's backend (ensembles have none)
        rate: 20                    # successful requests/s, cache hits included
        failures: {BACKEND: 0.3}    # REJECTED, CANCELED, BACKEND, OTHER
        batching: {inferences_per_request: 1, requests_per_execution: 4}  # or executions: 5
        durations: {queue: 1500, compute_input: 120, compute_infer: 6000,
                    compute_output: 90, overhead: 100}
        cache: {hits: 5, hit_us: 15, miss_us: 25}
        gpus: [gpu0]
        loaded: startup             # or later: series then carry gpu_uuid
        pending: 3
        load_seconds: 4.2
        first_response_buckets: [100, 500, 2000, 5000]
      - name: ner_pipeline
        ensemble: [ner]             # its steps, each a model above
        rate: 20
        failures: {OTHER: 0.5}      # ensembles fail with reason OTHER
        durations: {queue: 40, overhead: 150}
    llm: []                         # LLM backends' statistics: see simulator.llm
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from triton_dashboards.simulator import llm
from triton_dashboards.simulator.parts import (
    DURATION_FIELDS,
    FIRST_RESPONSE_BUCKETS,
    REASONS,
    SUMMARY_QUANTILES,
    Cache,
    Durations,
    Gpu,
    Host,
    Model,
    WorkloadError,
)

__all__ = ["DEFAULT_WORKLOAD", "default_fields", "fields", "read", "shipped", "shipped_fields"]

_YAML12_FLOAT = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)[eE][-+]?\d+$")


def read(path: Path) -> dict[str, Any]:
    """The Workload arguments in the workload file ``path``; WorkloadError (one line)."""
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise WorkloadError(f"cannot read workload {path}: {e.strerror}; check the path") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(e, "problem", None) or "invalid YAML"
        raise WorkloadError(f"{path}{where}: {problem}; fix the YAML") from None
    try:
        return fields(data)
    except WorkloadError as e:
        raise WorkloadError(f"{path}: {e}") from None


#: The workload ``simulate`` serves without one named.
DEFAULT_WORKLOAD = "ner"


def shipped() -> list[str]:
    """The names of the workloads shipped with the package (``NAME.yaml`` beside this file)."""
    files = resources.files(__package__).iterdir()
    return sorted(f.name[: -len(".yaml")] for f in files if f.name.endswith(".yaml"))


def shipped_fields(name: str) -> dict[str, Any]:
    """The Workload arguments of the shipped workload ``name``; WorkloadError (one line)."""
    import yaml

    names = shipped()
    if name not in names:
        raise WorkloadError(
            f"no workload {name!r} is shipped; name one of {', '.join(names)}, or a YAML file"
        )
    text = resources.files(__package__).joinpath(f"{name}.yaml").read_text("utf-8")
    try:
        return fields(yaml.safe_load(text))
    except WorkloadError as e:
        raise WorkloadError(f"{name}: {e}") from None


def default_fields() -> dict[str, Any]:
    """The Workload arguments of the reference deployment shipped with the package."""
    return shipped_fields(DEFAULT_WORKLOAD)


def fields(data: object) -> dict[str, Any]:
    """The Workload arguments in parsed YAML (or any plain mapping)."""
    top = _mapping(data, "workload", {"start_offset", "metrics", "host", "gpus", "models", "llm"})
    metrics = _mapping(
        top.get("metrics", {}),
        "metrics",
        {"summary_latencies", "histogram_latencies", "summary_quantiles"},
    )
    quantiles = _list(
        metrics.get("summary_quantiles", list(SUMMARY_QUANTILES)), "metrics.summary_quantiles"
    )
    models = _list(top.get("models"), "models")
    gpus = _list(top.get("gpus", []), "gpus")
    return dict(
        models=tuple(_model(m, f"models[{i}]") for i, m in enumerate(models)),
        gpus=tuple(_gpu(g, f"gpus[{i}]") for i, g in enumerate(gpus)),
        host=_host(top["host"]) if "host" in top else Host(),
        start_offset=_number(top.get("start_offset", 0), "start_offset"),
        summary_latencies=_bool(
            metrics.get("summary_latencies", False), "metrics.summary_latencies"
        ),
        histogram_latencies=_bool(
            metrics.get("histogram_latencies", False), "metrics.histogram_latencies"
        ),
        summary_quantiles=tuple(
            _number(q, f"metrics.summary_quantiles[{i}]") for i, q in enumerate(quantiles)
        ),
        llm=llm.entries(top.get("llm")),
    )


def _model(data: object, where: str) -> Model:
    keys = {
        "name", "version", "rate", "failures", "batching", "durations", "cache", "gpus",
        "loaded", "ensemble", "backend", "pending", "load_seconds", "first_response_buckets",
    }  # fmt: skip
    m = _mapping(data, where, keys)
    if "name" not in m:
        raise WorkloadError(f"{where}.name is missing; give every model a name")
    name = _string(m["name"], f"{where}.name")
    where = f"{where} ({name})"
    failures = _mapping(m.get("failures", {}), f"{where}.failures", set(REASONS))
    batching = _mapping(
        m.get("batching", {}),
        f"{where}.batching",
        {"inferences_per_request", "requests_per_execution", "executions"},
    )
    if "executions" in batching and "requests_per_execution" in batching:
        raise WorkloadError(
            f"{where}.batching: executions and requests_per_execution both given; keep one"
        )
    durations = _mapping(m.get("durations", {}), f"{where}.durations", set(DURATION_FIELDS))
    steps = tuple(
        _string(s, f"{where}.ensemble[{i}]")
        for i, s in enumerate(_list(m.get("ensemble", []), f"{where}.ensemble"))
    )
    version = m.get("version", "1")
    if isinstance(version, int) and not isinstance(version, bool):
        version = str(version)
    return Model(
        name=name,
        version=_string(version, f"{where}.version"),
        rate=_number(m.get("rate", 0), f"{where}.rate"),
        failures={r: _number(v, f"{where}.failures.{r}") for r, v in failures.items()},
        inferences_per_request=_number(
            batching.get("inferences_per_request", 1), f"{where}.batching.inferences_per_request"
        ),
        requests_per_execution=_number(
            batching.get("requests_per_execution", 1), f"{where}.batching.requests_per_execution"
        ),
        executions=(
            _number(batching["executions"], f"{where}.batching.executions")
            if "executions" in batching
            else None
        ),
        durations=Durations(
            **{k: _number(v, f"{where}.durations.{k}") for k, v in durations.items()}
        ),
        cache=_cache(m["cache"], f"{where}.cache") if "cache" in m else None,
        gpus=tuple(
            _string(g, f"{where}.gpus[{i}]")
            for i, g in enumerate(_list(m.get("gpus", []), f"{where}.gpus"))
        ),
        loaded=_string(m.get("loaded", "startup"), f"{where}.loaded"),
        steps=steps,
        backend=_string(m.get("backend", ""), f"{where}.backend"),
        pending=_number(m.get("pending", 0), f"{where}.pending"),
        load_seconds=_number(m.get("load_seconds", 0), f"{where}.load_seconds"),
        first_response_buckets=tuple(
            _number(b, f"{where}.first_response_buckets[{i}]")
            for i, b in enumerate(
                _list(
                    m.get("first_response_buckets", list(FIRST_RESPONSE_BUCKETS)),
                    f"{where}.first_response_buckets",
                )
            )
        ),
    )


def _cache(data: object, where: str) -> Cache:
    c = _mapping(data, where, {"hits", "hit_us", "miss_us"})
    return Cache(
        hits=_number(c.get("hits", 0), f"{where}.hits"),
        hit_us=_number(c.get("hit_us", 0), f"{where}.hit_us"),
        miss_us=_number(c.get("miss_us", 0), f"{where}.miss_us"),
    )


def _gpu(data: object, where: str) -> Gpu:
    keys = {"name", "uuid", "utilization", "power", "power_limit", "memory_total", "memory_used"}
    g = _mapping(data, where, keys)
    if "name" not in g:
        raise WorkloadError(f"{where}.name is missing; name every GPU (models refer to it)")
    numbers = {k: _number(v, f"{where}.{k}") for k, v in g.items() if k not in ("name", "uuid")}
    return Gpu(
        name=_string(g["name"], f"{where}.name"),
        uuid=_string(g["uuid"], f"{where}.uuid") if "uuid" in g else None,
        **numbers,
    )


def _host(data: object) -> Host | None:
    if data is None:
        return None  # ``host: null``: a server without CPU metrics
    keys = {"cpu_utilization", "memory_total", "memory_used", "pinned_total", "pinned_used"}
    h = _mapping(data, "host", keys)
    return Host(**{k: _number(v, f"host.{k}") for k, v in h.items()})


# -- field readers: each raises a one-line error naming the field ------------------------------


def _mapping(data: object, where: str, allowed: set[str]) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise WorkloadError(f"{where}: expected a mapping, got {_kind(data)}")
    for key in data:
        if key not in allowed:
            raise WorkloadError(
                f"{where}: unknown field {key!r}; expected one of {', '.join(sorted(allowed))}"
            )
    return data


def _list(data: object, where: str) -> list[Any]:
    if data is None:
        raise WorkloadError(f"{where} is missing; add it")
    if not isinstance(data, list):
        raise WorkloadError(f"{where}: expected a list, got {_kind(data)}")
    return data


def _number(data: object, where: str) -> float:
    if isinstance(data, str) and _YAML12_FLOAT.match(data):
        data = float(data)  # 6.4e10: a number in YAML 1.2, a string to PyYAML (YAML 1.1)
    if isinstance(data, bool) or not isinstance(data, int | float):
        raise WorkloadError(f"{where}: expected a number, got {_kind(data)}")
    if not math.isfinite(data):
        raise WorkloadError(f"{where}: {data} is not a finite number")
    return float(data)


def _string(data: object, where: str) -> str:
    if not isinstance(data, str):
        raise WorkloadError(f"{where}: expected a string, got {_kind(data)}")
    return data


def _bool(data: object, where: str) -> bool:
    if not isinstance(data, bool):
        raise WorkloadError(f"{where}: expected true or false, got {_kind(data)}")
    return data


def _kind(data: object) -> str:
    return "nothing" if data is None else f"{type(data).__name__} {data!r}"[:60]

"""A Triton metrics endpoint for demos and tests, with a known truth.

``Workload`` describes what a Triton server is doing (models, rates, batching, phase
durations, GPUs); ``exposition`` renders Triton's exact ``/metrics`` text for it at any
instant (counters are rate × elapsed seconds); ``serve`` puts that on real HTTP, and with
``service="http"`` Triton's HTTP API (:mod:`.kserve`: the models, their configurations and
each ensemble's steps) on another port, as Triton does. Because every rate is constant,
what each dashboard panel must show is known exactly: ``Workload.truth(model)`` and
``Workload.gpu_truth(pod)``::

    w = Workload.default()                    # ner_pipeline and its steps, on 2 GPUs
    text = exposition(w, elapsed=12.5, pod="triton-0")
    with serve(w, host="127.0.0.1", port=0, pod="triton-0") as server:
        print(server.url)                     # http://127.0.0.1:PORT/metrics
"""

from __future__ import annotations

from triton_dashboards.simulator.exposition import exposition, format_value
from triton_dashboards.simulator.server import SERVICES, Server, Service, serve
from triton_dashboards.simulator.workload import (
    PHASES,
    REASONS,
    Cache,
    Durations,
    Gpu,
    GpuTruth,
    Host,
    Model,
    ModelTruth,
    Workload,
    WorkloadError,
)

__all__ = [
    "PHASES",
    "REASONS",
    "SERVICES",
    "Cache",
    "Durations",
    "Gpu",
    "GpuTruth",
    "Host",
    "Model",
    "ModelTruth",
    "Server",
    "Service",
    "Workload",
    "WorkloadError",
    "exposition",
    "format_value",
    "serve",
]

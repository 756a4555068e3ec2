"""The demo deployment: which simulated Triton servers run, and the labels Prometheus gives them.

Two pods of the reference deployment (``ner_pipeline`` and its steps, in namespace
``triton`` behind Service ``triton-inference-ner``; the second at half the traffic, so a
sum over pods is not twice one pod), and one TensorRT-LLM and one vLLM server in namespace
``llm``. Their labels are those Kubernetes discovery and the stock scrape config's
relabelling give (namespace, job, service, pod, instance), so the stock dashboards, the
NER one (``Scope(namespace="triton")``) and the TensorRT-LLM example
(``Scope(namespace="llm", service="triton-trtllm")``) all find their series.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib import resources

import attrs

from triton_dashboards.simulator.exposition import exposition
from triton_dashboards.simulator.workload import Workload

__all__ = ["DemoPod", "demo_pods"]


@attrs.frozen
class DemoPod:
    """One simulated server: its pod name, discovery labels and workload."""

    pod: str
    labels: Mapping[str, str]
    workload: Workload

    def scrape(self) -> Callable[[float], str]:
        """Its ``/metrics`` text ``elapsed`` seconds after it started."""
        return lambda elapsed: exposition(self.workload, elapsed=elapsed, pod=self.pod)


def _packaged(name: str) -> Workload:
    import yaml

    text = resources.files(__package__).joinpath(f"{name}.yaml").read_text("utf-8")
    return Workload.from_mapping(yaml.safe_load(text))


def _labels(namespace: str, service: str, pod: str, ip: str) -> dict[str, str]:
    return {
        "namespace": namespace,
        "job": service,
        "service": service,
        "pod": pod,
        "instance": f"{ip}:8002",
    }


def demo_pods() -> list[DemoPod]:
    """The demo's servers, in the order they are backfilled."""
    ner = "triton-inference-ner"
    pods = [
        DemoPod(f"{ner}-0", _labels("triton", ner, f"{ner}-0", "10.0.1.10"), Workload.default()),
        DemoPod(
            f"{ner}-1",
            _labels("triton", ner, f"{ner}-1", "10.0.1.11"),
            Workload.default().scaled(0.5),
        ),
    ]
    for backend, ip in (("trtllm", "10.0.2.10"), ("vllm", "10.0.2.20")):
        service = f"triton-{backend}"
        pods.append(
            DemoPod(f"{service}-0", _labels("llm", service, f"{service}-0", ip), _packaged(backend))
        )
    return pods

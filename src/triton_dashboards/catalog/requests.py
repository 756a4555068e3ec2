"""What happens to a request, as Triton reports it: its phases and its failure reasons.

Every layer above needs these facts: the recipes divide a phase's duration counter by the
success counter, the recording rules record each phase, the alerts name the reasons, the
simulator prints a series per phase and per reason and checks a workload file against
both. They are written here once, each with the families that report it.
"""

from __future__ import annotations

import enum

from triton_dashboards.catalog.lookup import CATALOG
from triton_dashboards.catalog.records import Metric

__all__ = ["ENSEMBLE_REASON", "REASONS", "STEPS", "FailureReason", "Phase"]


class Phase(enum.Enum):
    """A phase of a successful request, with its cumulative ``*_duration_us`` counter and
    its ``*_summary_us`` summary (both µs).

    ``key`` is the phase as a word (workload files, truth tables), ``title`` as a legend
    shows it.
    """

    REQUEST = ("request", "request", "nv_inference_request")
    QUEUE = ("queue", "queue", "nv_inference_queue")
    COMPUTE_INPUT = ("compute_input", "compute input", "nv_inference_compute_input")
    COMPUTE_INFER = ("compute_infer", "compute infer", "nv_inference_compute_infer")
    COMPUTE_OUTPUT = ("compute_output", "compute output", "nv_inference_compute_output")

    @property
    def key(self) -> str:
        return self.value[0]

    @property
    def title(self) -> str:
        return self.value[1]

    @property
    def duration(self) -> Metric:
        """The cumulative duration counter (µs, successful requests only)."""
        return CATALOG[f"{self.value[2]}_duration_us"]

    @property
    def summary(self) -> Metric:
        """The per-server summary of the phase (``summary_latencies=true``)."""
        return CATALOG[f"{self.value[2]}_summary_us"]


#: The phases a request goes through after it is queued, in order; the request phase spans
#: them and the time outside them (network, scheduling, copies).
STEPS: tuple[Phase, ...] = tuple(p for p in Phase if p is not Phase.REQUEST)


class FailureReason(enum.Enum):
    """A value of the ``reason`` label of ``nv_inference_request_failure`` (24.07+).

    Members are in the order Triton prints them; every reporter creates all four series
    at 0. ``backend`` failures are reported by the model instances (so they carry
    ``gpu_uuid`` where the instances' series do), the others by the core's model-level
    reporter, which never does (docs/metrics.md, "GPUs split per-model series").
    """

    OTHER = ("OTHER", "anything else, including every ensemble failure", False)
    BACKEND = ("BACKEND", "the backend reported a failure", True)
    CANCELED = ("CANCELED", "the client or the server cancelled the request", False)
    REJECTED = ("REJECTED", "the scheduler's timeout or queue policy refused it", False)

    @property
    def label(self) -> str:
        """The value of the ``reason`` label."""
        return self.value[0]

    @property
    def meaning(self) -> str:
        return self.value[1]

    @property
    def backend(self) -> bool:
        """Reported by the model instances rather than the core."""
        return self.value[2]

    @property
    def since(self) -> str:
        """First release (container YY.MM) with the ``reason`` label."""
        return "24.07"


#: The ``reason`` label values, in the order Triton prints them.
REASONS: tuple[str, ...] = tuple(r.label for r in FailureReason)
#: The only reason an ensemble fails with, whatever failed in its steps (docs/metrics.md).
ENSEMBLE_REASON = FailureReason.OTHER

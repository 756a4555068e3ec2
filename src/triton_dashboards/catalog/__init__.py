"""Triton Inference Server's Prometheus metric families, as typed records.

Every dashboard panel, alert and recording rule in this project names Triton metrics. This
package is the one place those names are written down, together with the facts a query needs:
the metric type, the unit of the raw value, whether the value only grows (so it needs ``rate()``),
which labels it carries, and which switch turns it on; and the facts about a request that span
families: its phases (each with a duration counter and a summary) and its failure reasons.
Other modules look names up here (``get``), so a typo or a family that Triton removed years ago
fails at build time with a message that says what to use instead, rather than as an empty panel.

:mod:`.records` holds the record types, :mod:`.families` the tables (:mod:`.llm` the LLM
backends' families with their label values and buckets), :mod:`.backends` the backends a
model configuration names, :mod:`.lookup` the indexes and the error for an unknown name,
:mod:`.requests` the phases and failure reasons;
everything is re-exported here (``from triton_dashboards import catalog``; ``catalog.get``).

This is the lowest layer: it knows nothing of PromQL or Grafana panels. ``unit`` is a Grafana unit
id only because that is the vocabulary the upper layers speak.
"""

from __future__ import annotations

import triton_dashboards.catalog.backends as backends
import triton_dashboards.catalog.llm as llm
from triton_dashboards.catalog.lookup import (
    CATALOG,
    REMOVED,
    UnknownMetricError,
    family_of,
    get,
    in_group,
    removed_family_of,
)
from triton_dashboards.catalog.records import (
    MICROSECONDS,
    UNITS,
    Group,
    Kind,
    Metric,
    RemovedMetric,
)
from triton_dashboards.catalog.requests import (
    ENSEMBLE_REASON,
    REASONS,
    STEPS,
    FailureReason,
    Phase,
)

__all__ = [
    "CACHE_HITS",
    "CACHE_HIT_DURATION",
    "CACHE_HIT_SUMMARY",
    "CACHE_MISSES",
    "CACHE_MISS_DURATION",
    "CACHE_MISS_SUMMARY",
    "CATALOG",
    "COMPUTE_INFER_DURATION",
    "COMPUTE_INFER_SUMMARY",
    "COMPUTE_INPUT_DURATION",
    "COMPUTE_INPUT_SUMMARY",
    "COMPUTE_OUTPUT_DURATION",
    "COMPUTE_OUTPUT_SUMMARY",
    "CPU_MEMORY_TOTAL",
    "CPU_MEMORY_USED",
    "CPU_UTILIZATION",
    "ENERGY_CONSUMPTION",
    "ENSEMBLE_REASON",
    "EXEC_COUNT",
    "FIRST_RESPONSE_HISTOGRAM",
    "GPU_MEMORY_TOTAL",
    "GPU_MEMORY_USED",
    "GPU_POWER_LIMIT",
    "GPU_POWER_USAGE",
    "GPU_UTILIZATION",
    "INFERENCE_COUNT",
    "MICROSECONDS",
    "MODEL_LOAD_DURATION",
    "PENDING_REQUESTS",
    "PINNED_MEMORY_TOTAL",
    "PINNED_MEMORY_USED",
    "QUEUE_DURATION",
    "QUEUE_SUMMARY",
    "REASONS",
    "REMOVED",
    "REQUEST_DURATION",
    "REQUEST_FAILURE",
    "REQUEST_SUCCESS",
    "REQUEST_SUMMARY",
    "STEPS",
    "UNITS",
    "FailureReason",
    "Group",
    "Kind",
    "Metric",
    "Phase",
    "RemovedMetric",
    "UnknownMetricError",
    "backends",
    "family_of",
    "get",
    "in_group",
    "llm",
    "removed_family_of",
]

# -- Core families by role; other modules use these rather than strings ---------------------------
REQUEST_SUCCESS = CATALOG["nv_inference_request_success"]
REQUEST_FAILURE = CATALOG["nv_inference_request_failure"]
INFERENCE_COUNT = CATALOG["nv_inference_count"]
EXEC_COUNT = CATALOG["nv_inference_exec_count"]
REQUEST_DURATION = CATALOG["nv_inference_request_duration_us"]
QUEUE_DURATION = CATALOG["nv_inference_queue_duration_us"]
COMPUTE_INPUT_DURATION = CATALOG["nv_inference_compute_input_duration_us"]
COMPUTE_INFER_DURATION = CATALOG["nv_inference_compute_infer_duration_us"]
COMPUTE_OUTPUT_DURATION = CATALOG["nv_inference_compute_output_duration_us"]
PENDING_REQUESTS = CATALOG["nv_inference_pending_request_count"]
MODEL_LOAD_DURATION = CATALOG["nv_model_load_duration_secs"]
FIRST_RESPONSE_HISTOGRAM = CATALOG["nv_inference_first_response_histogram_ms"]
REQUEST_SUMMARY = CATALOG["nv_inference_request_summary_us"]
QUEUE_SUMMARY = CATALOG["nv_inference_queue_summary_us"]
COMPUTE_INPUT_SUMMARY = CATALOG["nv_inference_compute_input_summary_us"]
COMPUTE_INFER_SUMMARY = CATALOG["nv_inference_compute_infer_summary_us"]
COMPUTE_OUTPUT_SUMMARY = CATALOG["nv_inference_compute_output_summary_us"]
CACHE_HITS = CATALOG["nv_cache_num_hits_per_model"]
CACHE_MISSES = CATALOG["nv_cache_num_misses_per_model"]
CACHE_HIT_DURATION = CATALOG["nv_cache_hit_duration_per_model"]
CACHE_MISS_DURATION = CATALOG["nv_cache_miss_duration_per_model"]
CACHE_HIT_SUMMARY = CATALOG["nv_cache_hit_summary_per_model"]
CACHE_MISS_SUMMARY = CATALOG["nv_cache_miss_summary_per_model"]
GPU_UTILIZATION = CATALOG["nv_gpu_utilization"]
GPU_MEMORY_TOTAL = CATALOG["nv_gpu_memory_total_bytes"]
GPU_MEMORY_USED = CATALOG["nv_gpu_memory_used_bytes"]
GPU_POWER_USAGE = CATALOG["nv_gpu_power_usage"]
GPU_POWER_LIMIT = CATALOG["nv_gpu_power_limit"]
ENERGY_CONSUMPTION = CATALOG["nv_energy_consumption"]
CPU_UTILIZATION = CATALOG["nv_cpu_utilization"]
CPU_MEMORY_TOTAL = CATALOG["nv_cpu_memory_total_bytes"]
CPU_MEMORY_USED = CATALOG["nv_cpu_memory_used_bytes"]
PINNED_MEMORY_TOTAL = CATALOG["nv_pinned_memory_pool_total_bytes"]
PINNED_MEMORY_USED = CATALOG["nv_pinned_memory_pool_used_bytes"]

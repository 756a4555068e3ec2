"""The tables: every current Triton family and every removed one, as records.

Source: Triton core ``src/metrics.cc`` and ``src/metric_model_reporter.cc`` plus the plug-ins
(local_cache, TensorRT-LLM backend, vLLM backend); tests/test_catalog.py checks them against
the family table in tests/data/triton/families.json. Help strings are verbatim; where that
table has none (the plug-in families) they are the ones the plug-in's own README sample or
source prints. What the families mean for a query: docs/metrics.md.
"""

from __future__ import annotations

from triton_dashboards.catalog.llm import LLM_FAMILIES
from triton_dashboards.catalog.records import MICROSECONDS, Group, Kind, Metric, RemovedMetric

# Switches (docs/metrics.md, "What turns the families on").
_HISTOGRAM_FLAG = "--metrics-config histogram_latencies=true"
_SUMMARY_FLAG = "--metrics-config summary_latencies=true"
_CACHE_FLAG = "response cache enabled"  # --cache-config local,size=N + response_cache{enable:true}
_CACHE_SUMMARY_FLAG = f"{_CACHE_FLAG} and {_SUMMARY_FLAG}"
_LOCAL_CACHE_FLAG = "--cache-config local,size=N"
_GPU_FLAG = "--allow-gpu-metrics"  # on by default, but needs a GPU build and a visible GPU
_CPU_FLAG = "--allow-cpu-metrics"  # on by default, Linux only

_C, _G, _H, _S = Kind.COUNTER, Kind.GAUGE, Kind.HISTOGRAM, Kind.SUMMARY
_US = MICROSECONDS

# fmt: off
FAMILIES: tuple[Metric, ...] = (
    # -- 2.1 Core per-model families, updated when a request completes --------------------------
    # With --metrics-config counter_latencies=false *all* per-model counters stay 0, not only the
    # *_duration_us ones (core metric_model_reporter.cc returns early from every increment).
    Metric(name="nv_inference_request_success", kind=_C, unit="short", group=Group.COUNTS,
           help="Number of successful inference requests, all batch sizes",
           labels=(), per_model=True, since="19.03"),
    # Split by reason since 24.07 (catalog.FailureReason); all four series start at 0.
    Metric(name="nv_inference_request_failure", kind=_C, unit="short", group=Group.COUNTS,
           help="Number of failed inference requests, all batch sizes",
           labels=("reason",), per_model=True, since="19.03"),
    Metric(name="nv_inference_count", kind=_C, unit="short", group=Group.COUNTS,
           help="Number of inferences performed (does not include cached requests)",
           labels=(), per_model=True, since="19.03"),
    Metric(name="nv_inference_exec_count", kind=_C, unit="short", group=Group.COUNTS,
           help="Number of model executions performed (does not include cached requests)",
           labels=(), per_model=True, since="19.03"),
    Metric(name="nv_inference_request_duration_us", kind=_C, unit=_US, group=Group.LATENCY,
           help="Cumulative inference request duration in microseconds (includes cached requests)",
           labels=(), per_model=True, since="19.03"),
    Metric(name="nv_inference_queue_duration_us", kind=_C, unit=_US, group=Group.LATENCY,
           help="Cumulative inference queuing duration in microseconds (includes cached requests)",
           labels=(), per_model=True, since="19.03"),
    Metric(name="nv_inference_compute_input_duration_us", kind=_C, unit=_US, group=Group.LATENCY,
           help="Cumulative compute input duration in microseconds"
                " (does not include cached requests)",
           labels=(), per_model=True, since="20.06"),
    Metric(name="nv_inference_compute_infer_duration_us", kind=_C, unit=_US, group=Group.LATENCY,
           help="Cumulative compute inference duration in microseconds"
                " (does not include cached requests)",
           labels=(), per_model=True, since="20.06"),
    Metric(name="nv_inference_compute_output_duration_us", kind=_C, unit=_US, group=Group.LATENCY,
           help="Cumulative inference compute output duration in microseconds"
                " (does not include cached requests)",
           labels=(), per_model=True, since="20.06"),
    Metric(name="nv_inference_pending_request_count", kind=_G, unit="short", group=Group.COUNTS,
           help="Instantaneous number of pending requests awaiting execution per-model.",
           labels=(), per_model=True, since="23.09"),
    # Not in the server's metrics.md, but exposed by core since 24.11 (core #397).
    Metric(name="nv_model_load_duration_secs", kind=_G, unit="s", group=Group.LATENCY,
           help="Model load time in seconds",
           labels=(), per_model=True, since="24.11"),
    # Decoupled models only in 24.11-25.12, every model since 26.01. Default buckets 100, 500,
    # 2000, 5000 ms. The docs' example wrongly shows nv_first_response_histogram_ms.
    Metric(name="nv_inference_first_response_histogram_ms", kind=_H, unit="ms",
           group=Group.LATENCY,
           help="Duration from request to first response in milliseconds",
           labels=("le",), per_model=True, flag=_HISTOGRAM_FLAG, since="24.11"),
    # Summaries: sliding window (60 s), not aggregatable across servers. The request summary is
    # never created for models with the response cache on. The compute_* helps are copies of the
    # counters' helps (sic).
    Metric(name="nv_inference_request_summary_us", kind=_S, unit=_US, group=Group.LATENCY,
           help="Summary of inference request duration in microseconds (includes cached requests)",
           labels=("quantile",), per_model=True, flag=_SUMMARY_FLAG, since="23.04"),
    Metric(name="nv_inference_queue_summary_us", kind=_S, unit=_US, group=Group.LATENCY,
           help="Summary of inference queuing duration in microseconds (includes cached requests)",
           labels=("quantile",), per_model=True, flag=_SUMMARY_FLAG, since="23.04"),
    Metric(name="nv_inference_compute_input_summary_us", kind=_S, unit=_US, group=Group.LATENCY,
           help="Cumulative compute input duration in microseconds"
                " (does not include cached requests)",
           labels=("quantile",), per_model=True, flag=_SUMMARY_FLAG, since="23.04"),
    Metric(name="nv_inference_compute_infer_summary_us", kind=_S, unit=_US, group=Group.LATENCY,
           help="Cumulative compute inference duration in microseconds"
                " (does not include cached requests)",
           labels=("quantile",), per_model=True, flag=_SUMMARY_FLAG, since="23.04"),
    Metric(name="nv_inference_compute_output_summary_us", kind=_S, unit=_US, group=Group.LATENCY,
           help="Cumulative inference compute output duration in microseconds"
                " (does not include cached requests)",
           labels=("quantile",), per_model=True, flag=_SUMMARY_FLAG, since="23.04"),
    Metric(name="nv_cache_num_hits_per_model", kind=_C, unit="short", group=Group.CACHE,
           help="Number of cache hits per model",
           labels=(), per_model=True, flag=_CACHE_FLAG, since="22.02"),
    Metric(name="nv_cache_num_misses_per_model", kind=_C, unit="short", group=Group.CACHE,
           help="Number of cache misses per model",
           labels=(), per_model=True, flag=_CACHE_FLAG, since="22.03"),
    Metric(name="nv_cache_hit_duration_per_model", kind=_C, unit=_US, group=Group.CACHE,
           help="Total cache hit duration per model, in microseconds",
           labels=(), per_model=True, flag=_CACHE_FLAG, since="23.03"),
    Metric(name="nv_cache_miss_duration_per_model", kind=_C, unit=_US, group=Group.CACHE,
           help="Total cache miss (insert+lookup) duration per model, in microseconds",
           labels=(), per_model=True, flag=_CACHE_FLAG, since="23.03"),
    Metric(name="nv_cache_hit_summary_per_model", kind=_S, unit=_US, group=Group.CACHE,
           help="Summary of cache hit counts/durations per model, in microseconds.",
           labels=("quantile",), per_model=True, flag=_CACHE_SUMMARY_FLAG, since="23.04"),
    Metric(name="nv_cache_miss_summary_per_model", kind=_S, unit=_US, group=Group.CACHE,
           help="Summary of cache miss counts/durations per model, in microseconds.",
           labels=("quantile",), per_model=True, flag=_CACHE_SUMMARY_FLAG, since="23.04"),

    # -- 2.2 Server-wide families, polled every --metrics-interval-ms (default 2000) -------------
    # One series per CUDA-visible GPU, keyed by the DCGM UUID.
    Metric(name="nv_gpu_utilization", kind=_G, unit="percentunit", group=Group.GPU,
           help="GPU utilization rate [0.0 - 1.0)",
           labels=("gpu_uuid",), per_model=False, flag=_GPU_FLAG, since="19.03"),
    Metric(name="nv_gpu_memory_total_bytes", kind=_G, unit="bytes", group=Group.GPU,
           help="GPU total memory, in bytes",
           labels=("gpu_uuid",), per_model=False, flag=_GPU_FLAG, since="19.03"),
    Metric(name="nv_gpu_memory_used_bytes", kind=_G, unit="bytes", group=Group.GPU,
           help="GPU used memory, in bytes",
           labels=("gpu_uuid",), per_model=False, flag=_GPU_FLAG, since="19.03"),
    Metric(name="nv_gpu_power_usage", kind=_G, unit="watt", group=Group.GPU,
           help="GPU power usage in watts",
           labels=("gpu_uuid",), per_model=False, flag=_GPU_FLAG, since="19.03"),
    Metric(name="nv_gpu_power_limit", kind=_G, unit="watt", group=Group.GPU,
           help="GPU power management limit in watts",
           labels=("gpu_uuid",), per_model=False, flag=_GPU_FLAG, since="19.03"),
    # A counter in joules, so rate() of it is the average power in watts.
    Metric(name="nv_energy_consumption", kind=_C, unit="joule", group=Group.GPU,
           help="GPU energy consumption in joules since the Triton Server started",
           labels=("gpu_uuid",), per_model=False, flag=_GPU_FLAG, since="19.03"),
    # CPU families read the host's /proc, so inside a container they show node-wide values.
    Metric(name="nv_cpu_utilization", kind=_G, unit="percentunit", group=Group.CPU,
           help="CPU utilization rate [0.0 - 1.0]",
           labels=(), per_model=False, flag=_CPU_FLAG, since="22.09"),
    Metric(name="nv_cpu_memory_total_bytes", kind=_G, unit="bytes", group=Group.CPU,
           help="CPU total memory (RAM), in bytes",
           labels=(), per_model=False, flag=_CPU_FLAG, since="22.09"),
    Metric(name="nv_cpu_memory_used_bytes", kind=_G, unit="bytes", group=Group.CPU,
           help="CPU used memory (RAM), in bytes",
           labels=(), per_model=False, flag=_CPU_FLAG, since="22.09"),
    # Only updated while the poll thread runs, i.e. with GPU or CPU metrics on.
    Metric(name="nv_pinned_memory_pool_total_bytes", kind=_G, unit="bytes", group=Group.MEMORY,
           help="Pinned memory pool total memory size, in bytes",
           labels=(), per_model=False, since="24.01"),
    Metric(name="nv_pinned_memory_pool_used_bytes", kind=_G, unit="bytes", group=Group.MEMORY,
           help="Pinned memory pool used memory size, in bytes",
           labels=(), per_model=False, since="24.01"),

    # -- 2.3 Plug-in families (TRITONSERVER_MetricFamilyNew) -----------------------------------
    # local_cache: server-wide, polled every 1000 ms. All typed gauge, although all but util and
    # entries are cumulative counts. The same names were core gauges in 22.02-23.02.
    Metric(name="nv_cache_util", kind=_G, unit="percentunit", group=Group.CACHE,
           help="Cache utilization [0.0 - 1.0]",
           labels=(), per_model=False, flag=_LOCAL_CACHE_FLAG, since="23.03",
           plugin="local_cache"),
    Metric(name="nv_cache_num_entries", kind=_G, unit="short", group=Group.CACHE,
           help="Number of responses stored in response cache",
           labels=(), per_model=False, flag=_LOCAL_CACHE_FLAG, since="23.03",
           plugin="local_cache"),
    Metric(name="nv_cache_num_lookups", kind=_G, unit="short", group=Group.CACHE,
           help="Number of cache lookups in response cache",
           labels=(), per_model=False, flag=_LOCAL_CACHE_FLAG, since="23.03",
           cumulative=True, plugin="local_cache"),
    Metric(name="nv_cache_num_hits", kind=_G, unit="short", group=Group.CACHE,
           help="Number of cache hits in response cache",
           labels=(), per_model=False, flag=_LOCAL_CACHE_FLAG, since="23.03",
           cumulative=True, plugin="local_cache"),
    Metric(name="nv_cache_num_misses", kind=_G, unit="short", group=Group.CACHE,
           help="Number of cache misses in response cache",
           labels=(), per_model=False, flag=_LOCAL_CACHE_FLAG, since="23.03",
           cumulative=True, plugin="local_cache"),
    Metric(name="nv_cache_num_evictions", kind=_G, unit="short", group=Group.CACHE,
           help="Number of cache evictions in response cache",
           labels=(), per_model=False, flag=_LOCAL_CACHE_FLAG, since="23.03",
           cumulative=True, plugin="local_cache"),
    Metric(name="nv_cache_lookup_duration", kind=_G, unit=_US, group=Group.CACHE,
           help="Total cache lookup duration (hit and miss), in microseconds",
           labels=(), per_model=False, flag=_LOCAL_CACHE_FLAG, since="23.03",
           cumulative=True, plugin="local_cache"),
    Metric(name="nv_cache_insertion_duration", kind=_G, unit=_US, group=Group.CACHE,
           help="Total cache insertion duration, in microseconds",
           labels=(), per_model=False, flag=_LOCAL_CACHE_FLAG, since="23.03",
           cumulative=True, plugin="local_cache"),
    # TensorRT-LLM and vLLM backends: catalog.llm, with label values and bucket bounds.
    *LLM_FAMILIES,
)

# -- 2.4 Removed or renamed families; four of NVIDIA's five deploy dashboards still query some.
_COMPUTE_SPLIT = (
    "nv_inference_compute_input_duration_us",
    "nv_inference_compute_infer_duration_us",
    "nv_inference_compute_output_duration_us",
)
REMOVED_FAMILIES: tuple[RemovedMetric, ...] = (
    RemovedMetric(name="nv_inference_load_ratio", kind=_H,
                  existed="19.03-20.07 (TRTIS v1.0.0-v1.15.0, the V1 line)",
                  fate="removed in Triton 2.0 (20.06)", replacement=()),
    RemovedMetric(name="nv_inference_compute_duration_us", kind=_C,
                  existed="19.03-20.07 (TRTIS v1.0.0-v1.15.0, the V1 line)",
                  fate="removed in Triton 2.0 (20.06): split into compute_input, compute_infer"
                       " and compute_output",
                  replacement=_COMPUTE_SPLIT),
    RemovedMetric(name="nv_cache_hit_lookup_duration_per_model", kind=_C,
                  existed="22.02-23.02",
                  fate="renamed in 23.03 (Triton 2.32)",
                  replacement=("nv_cache_hit_duration_per_model",)),
    RemovedMetric(name="nv_cache_miss_lookup_duration_per_model", kind=_C,
                  existed="22.03-23.02",
                  fate="merged with the insertion duration in 23.03 (Triton 2.32)",
                  replacement=("nv_cache_miss_duration_per_model",)),
    RemovedMetric(name="nv_cache_miss_insertion_duration_per_model", kind=_C,
                  existed="22.03-23.02",
                  fate="merged with the lookup duration in 23.03 (Triton 2.32)",
                  replacement=("nv_cache_miss_duration_per_model",)),
)
# fmt: on

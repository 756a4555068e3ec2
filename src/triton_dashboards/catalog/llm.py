"""The LLM backends' families: TensorRT-LLM's gauges and vLLM's counters and histograms.

Both backends add their families through Triton's custom-metrics C API, so they share the
endpoint (port 8002) and the ``model``/``version`` labels of the core families, but not the
core's rules:

* **TensorRT-LLM** (``tensorrt_llm`` model, 23.11+) reports one *gauge* family per kind of
  statistic and puts the statistic in a label: ``nv_trt_llm_request_metrics{request_type=
  "waiting"}`` and ``{request_type="max"}`` are different quantities on one name. Every
  one is a gauge that the backend sets each iteration, so it is never rated, and a query
  selects one label value; a sum over the label adds requests to a configuration limit.
  The one counter is ``nv_trt_llm_disaggregated_serving_metrics``.
* **vLLM** (``vllm:*``, 24.08+, only with ``REPORT_CUSTOM_METRICS`` in config.pbtxt) reports
  Prometheus counters and histograms with fixed bucket bounds; histograms add up across
  pods with ``sum by (le, ...)``. Its families are labelled ``model`` like Triton's, not
  ``model_name`` as vLLM's own server and dashboards are.

Each :class:`LlmFamily` holds the catalog record plus the two facts a query needs beyond
it: the documented values of the statistic label, and the bucket bounds. Sources: the
TensorRT-LLM backend's ``custom_metrics_reporter.cc`` and README sample, the vLLM backend's
``src/utils/metrics.py`` and README sample (tests/data/triton/samples/ holds both samples).
"""

from __future__ import annotations

import attrs

from triton_dashboards.catalog.records import Group, Kind, Metric

__all__ = [
    "BACKENDS",
    "BEYOND_FAMILY_TABLE",
    "FAMILIES",
    "LLM_FAMILIES",
    "TENSORRT_LLM",
    "VLLM",
    "VLLM_FLAG",
    "LlmFamily",
    "family",
    "statistic",
]

TENSORRT_LLM = "tensorrt_llm"
VLLM = "vllm"
BACKENDS = (TENSORRT_LLM, VLLM)
#: The vLLM backend reports nothing without this in the model's config.pbtxt.
VLLM_FLAG = 'config.pbtxt parameters { key: "REPORT_CUSTOM_METRICS" value: {string_value: "true"}}'
#: The TensorRT-LLM statistics need no switch; Triton's base metrics of the ``tensorrt_llm``
#: model are 0 before 23.12 (tensorrtllm_backend#284).
_TRT_SINCE = "23.11"
_VLLM_SINCE = "24.08"
#: Families of vllm_backend src/utils/metrics.py (2025) that the family table predates.
_VLLM_NEWER = ""

_C, _G, _H = Kind.COUNTER, Kind.GAUGE, Kind.HISTOGRAM


@attrs.frozen(kw_only=True)
class LlmFamily:
    """A catalog record with the values of its statistic label and its bucket bounds.

    ``values`` are the documented values of the one label that names the statistic
    (``request_type`` ...); each is its own quantity, never added to another. ``buckets``
    are the finite ``le`` bounds a histogram is created with, in its unit.
    """

    metric: Metric
    values: tuple[str, ...] = ()
    buckets: tuple[float, ...] = ()

    @property
    def label(self) -> str | None:
        """The label whose values are different quantities, or None."""
        named = [label for label in self.metric.labels if label != "le"]
        return named[0] if named and self.values else None

    @property
    def backend(self) -> str:
        return self.metric.plugin


def _trt(
    name: str,
    help: str,
    label: str,
    values: tuple[str, ...],
    *,
    kind: Kind = _G,
    unit: str = "short",
    since: str = _TRT_SINCE,
) -> LlmFamily:
    metric = Metric(
        name=name, kind=kind, unit=unit, group=Group.LLM, help=help, labels=(label,),
        per_model=True, since=since, plugin=TENSORRT_LLM,
    )  # fmt: skip
    return LlmFamily(metric=metric, values=values)


def _vllm(
    name: str, kind: Kind, unit: str, help: str, since: str, buckets: tuple[float, ...] = ()
) -> LlmFamily:
    labels = ("le",) if kind is _H else ()
    metric = Metric(
        name=name, kind=kind, unit=unit, group=Group.LLM, help=help, labels=labels,
        per_model=True, flag=VLLM_FLAG, since=since, plugin=VLLM,
    )  # fmt: skip
    return LlmFamily(metric=metric, buckets=buckets)


def _one_two_five(limit: int) -> tuple[float, ...]:
    """vLLM's ``build_1_2_5_buckets``: 1, 2, 5, 10, 20, 50 ... up to ``limit``."""
    out: list[float] = []
    exponent = 0
    while True:
        for mantissa in (1, 2, 5):
            value = mantissa * 10**exponent
            if value > limit:
                return tuple(out)
            out.append(float(value))
        exponent += 1


#: Token-count buckets for a model with max_model_len 4096 (the bounds follow the model).
TOKEN_BUCKETS = _one_two_five(4096)
TTFT_BUCKETS = (0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5,
                5.0, 7.5, 10.0)  # fmt: skip
TPOT_BUCKETS = (0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5)
REQUEST_LATENCY_BUCKETS = (0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0,
                           50.0, 60.0, 120.0, 240.0, 480.0, 960.0, 1920.0, 7680.0)  # fmt: skip

# fmt: off
FAMILIES: tuple[LlmFamily, ...] = (
    # -- TensorRT-LLM: gauges set every iteration; the statistic is a label value ----------
    # active: in flight now; max: the configured max_batch_size-like limit; scheduled: in
    # this iteration's batch; context: of those, in the context (prefill) phase; waiting:
    # queued in the batch manager, not yet scheduled.
    _trt("nv_trt_llm_request_metrics", "TRT LLM request metrics", "request_type",
         ("active", "max", "scheduled", "context", "waiting")),
    _trt("nv_trt_llm_runtime_memory_metrics", "TRT LLM runtime memory metrics", "memory_type",
         ("cpu", "gpu", "pinned"), unit="bytes"),
    # Blocks (max, free, used, reused), tokens per block, and fraction = used / max (0..1).
    _trt("nv_trt_llm_kv_cache_block_metrics", "TRT LLM KV cache block metrics",
         "kv_cache_block_type", ("max", "free", "used", "tokens_per", "reused", "fraction")),
    # A model exposes one of these two, depending on whether it runs the in-flight batcher.
    _trt("nv_trt_llm_inflight_batcher_metrics", "TRT LLM inflight_batcher-specific metrics",
         "inflight_batcher_specific_metric",
         ("total_context_tokens", "generation_requests", "micro_batch_id", "paused_requests")),
    _trt("nv_trt_llm_v1_metrics", "TRT LLM v1-specific metrics", "v1_specific_metric",
         ("total_context_tokens", "total_generation_tokens", "empty_generation_slots")),
    # timestamp is epoch seconds of the last iteration, iteration_counter its number: both
    # gauges as Triton declares them, so no rate() even of the counter-like one.
    _trt("nv_trt_llm_general_metrics", "General TRT LLM metrics", "general_type",
         ("timestamp", "iteration_counter")),
    # The one counter: KV-cache transfer ms and transferred requests, summed since start.
    _trt("nv_trt_llm_disaggregated_serving_metrics", "TRT LLM disaggregated serving metrics",
         "disaggregated_serving_type", ("kv_cache_transfer_ms", "request_count"),
         kind=_C, since=""),
    # Token-length histograms, buckets 10, 50, 100, 500, 1000 tokens; both share one help.
    LlmFamily(metric=Metric(name="nv_llm_input_token_len", kind=_H, unit="short",
                            group=Group.LLM, help="TRT LLM response metrics",
                            labels=("response_metric_type", "le"), per_model=True,
                            plugin=TENSORRT_LLM),
              buckets=(10.0, 50.0, 100.0, 500.0, 1000.0)),
    LlmFamily(metric=Metric(name="nv_llm_output_token_len", kind=_H, unit="short",
                            group=Group.LLM, help="TRT LLM response metrics",
                            labels=("response_metric_type", "le"), per_model=True,
                            plugin=TENSORRT_LLM),
              buckets=(10.0, 50.0, 100.0, 500.0, 1000.0)),
    # -- vLLM: its own names, with a colon; counters carry _total in the name --------------
    _vllm("vllm:prompt_tokens_total", _C, "short", "Number of prefill tokens processed.",
          _VLLM_SINCE),
    _vllm("vllm:generation_tokens_total", _C, "short",
          "Number of generation tokens processed.", _VLLM_SINCE),
    _vllm("vllm:num_preemptions_total", _C, "short",
          "Number of preemption tokens processed.", _VLLM_NEWER),
    _vllm("vllm:time_to_first_token_seconds", _H, "s",
          "Histogram of time to first token in seconds.", _VLLM_SINCE, TTFT_BUCKETS),
    _vllm("vllm:time_per_output_token_seconds", _H, "s",
          "Histogram of time per output token in seconds.", _VLLM_SINCE, TPOT_BUCKETS),
    _vllm("vllm:e2e_request_latency_seconds", _H, "s",
          "Histogram of end to end request latency in seconds.", _VLLM_SINCE,
          REQUEST_LATENCY_BUCKETS),
    _vllm("vllm:request_queue_time_seconds", _H, "s",
          "Histogram of time spent in WAITING phase for request.", _VLLM_NEWER,
          REQUEST_LATENCY_BUCKETS),
    _vllm("vllm:request_prompt_tokens", _H, "short", "Number of prefill tokens processed.",
          _VLLM_SINCE, TOKEN_BUCKETS),
    _vllm("vllm:request_generation_tokens", _H, "short",
          "Number of generation tokens processed.", _VLLM_SINCE, TOKEN_BUCKETS),
    _vllm("vllm:request_params_n", _H, "short", "Histogram of the n request parameter.",
          _VLLM_SINCE, (1.0, 2.0, 5.0, 10.0, 20.0)),
    _vllm("vllm:num_requests_running", _G, "short",
          "Number of requests currently running on GPU.", _VLLM_NEWER),
    _vllm("vllm:num_requests_waiting", _G, "short",
          "Number of requests waiting to be processed.", _VLLM_NEWER),
    _vllm("vllm:gpu_cache_usage_perc", _G, "percentunit",
          "GPU KV-cache usage. 1 means 100 percent usage.", _VLLM_NEWER),
)
# fmt: on

#: The catalog records, for :data:`triton_dashboards.catalog.families.FAMILIES`.
LLM_FAMILIES: tuple[Metric, ...] = tuple(f.metric for f in FAMILIES)
_BY_NAME = {f.metric.name: f for f in FAMILIES}
#: Families the current vLLM backend reports (src/utils/metrics.py, 2025) that the family
#: table the tests check against (tests/data/triton/families.json) predates: the scheduler
#: gauges, the KV-cache share, preemptions and queue time.
BEYOND_FAMILY_TABLE: frozenset[str] = frozenset(
    f.metric.name for f in FAMILIES if f.backend == VLLM and f.metric.since == _VLLM_NEWER
)


def family(name: str) -> LlmFamily:
    """The LLM family called ``name``; KeyError naming the LLM families otherwise."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise KeyError(f"{name!r} is not an LLM family; one of {', '.join(_BY_NAME)}") from None


def statistic(name: str, value: str) -> tuple[str, str]:
    """``(label, value)`` selecting one statistic of a TensorRT-LLM family.

    A value the backend does not report raises ValueError naming the ones it does, so a
    typo fails at build time instead of as an empty panel.
    """
    found = family(name)
    if found.label is None or value not in found.values:
        raise ValueError(
            f"{name} has no statistic {value!r}; use one of {', '.join(found.values) or 'none'}"
        )
    return found.label, value

"""Triton LLM: time to first token, tokens, requests and KV cache, for either backend.

A row per backend, each reading only the families its backend adds (the catalog's
``plugin``): vLLM's histograms and counters, TensorRT-LLM's gauges. A deployment shows data
in the row of the backend it runs; in v1 the other row's panels say "No data", in v2 that
row is not shown (conditional rendering: a row only while its panels have data, so one
panel on a core family would show it for either backend). Triton's own first-response
histogram, the time to first token of a TensorRT-LLM model and a measure of any decoupled
model (vLLM's too), has a row of its own below them, always shown.
"""

from __future__ import annotations

from triton_dashboards.dashboard.layout import Row
from triton_dashboards.dashboard.model import Dashboard
from triton_dashboards.dashboard.panels import llm as panels
from triton_dashboards.dashboard.stock.selection import LLM_UID, Variant
from triton_dashboards.query import llm as q
from triton_dashboards.query.recording import Recording

__all__ = ["FIRST_RESPONSE_ROW", "LLM_TITLE", "LLM_UID", "llm_serving"]

LLM_TITLE = "Triton LLM"
#: The row of Triton's first-response histogram: a core family, so in no backend's row.
FIRST_RESPONSE_ROW = "Time to first response (Triton, every backend)"


def llm_serving(
    recording_rules: bool | Recording = False,
    *,
    namespace: str | None = None,
    uid_prefix: str | None = None,
    replace_stock: bool = False,
) -> Dashboard:
    """The LLM dashboard: a vLLM row and a TensorRT-LLM row, each shown in v2 only while its
    backend reports, and Triton's time to first response, with the stock variables."""
    variant = Variant(
        recording_rules, namespace=namespace, uid_prefix=uid_prefix, replace_stock=replace_stock
    )
    scope = variant.scope
    return variant.dashboard(
        LLM_UID,
        LLM_TITLE,
        "LLM serving on Triton: vLLM (REPORT_CUSTOM_METRICS) and TensorRT-LLM (with "
        "--metrics-config histogram_latencies=true for the time to first token). Means are "
        "exact; quantiles only where the buckets measure them.",
        rows=[
            Row(
                "vLLM",
                [
                    panels.time_to_first_token(scope),
                    panels.time_to_first_token_shares(scope),
                    panels.time_per_output_token(scope),
                    panels.e2e_latency(scope),
                    panels.token_throughput(scope),
                    panels.tokens_per_request(scope),
                    panels.vllm_requests(scope),
                    panels.vllm_kv_cache(scope),
                ],
                hide_without_data=True,
            ),
            Row(
                "TensorRT-LLM",
                [
                    panels.trt_requests(scope),
                    panels.kv_cache_utilization(scope),
                    panels.kv_cache_blocks(scope),
                    panels.runtime_memory(scope),
                    panels.trt_context_tokens(scope),
                    panels.kv_transfer_time(scope),
                ],
                hide_without_data=True,
            ),
            Row(
                FIRST_RESPONSE_ROW,
                [
                    panels.latency_histogram(scope, q.FIRST_RESPONSE, "time to first response"),
                    panels.time_to_first_token_shares(scope, q.FIRST_RESPONSE),
                ],
            ),
        ],
    )

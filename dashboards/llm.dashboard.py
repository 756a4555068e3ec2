"""A TensorRT-LLM ensemble deployment: `ensemble` -> preprocessing, tensorrt_llm,
postprocessing, streaming. Time to first token of the ensemble and of the engine, the
engine's requests and KV cache; Triton started with histogram_latencies=true."""

from triton_dashboards.dashboard.layout import Row
from triton_dashboards.dashboard.model import Dashboard
from triton_dashboards.dashboard.panels import llm as panels
from triton_dashboards.query import llm as q
from triton_dashboards.query.scope import Scope

# Every scrape config of `triton-dashboards scrape-config` labels the namespace; only
# Kubernetes discovery adds `service`, so the example filters on the namespace alone and
# shows data on a static job too (docs/llm.md, "Try it on the simulator").
deployment = Scope(namespace="llm")
ensemble = deployment.model("ensemble")
engine = deployment.model("tensorrt_llm")

dashboard = Dashboard(
    title="TensorRT-LLM ensemble",
    uid="trtllm-ensemble",
    rows=[
        Row(
            "Time to first token",
            [
                panels.latency_histogram(ensemble, q.FIRST_RESPONSE, "time to first token"),
                panels.time_to_first_token_shares(ensemble, q.FIRST_RESPONSE),
            ],
        ),
        Row(
            "Engine",
            [
                panels.trt_requests(engine),
                panels.kv_cache_utilization(engine),
                panels.kv_cache_blocks(engine),
                panels.runtime_memory(engine),
            ],
        ),
    ],
)

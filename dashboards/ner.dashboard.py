"""The reference deployment: the NER ensemble in namespace ``triton``.

``ner_pipeline`` is an ensemble of ``ner_preprocess`` -> ``ner`` -> ``ner_postprocess``
behind the Service ``triton-inference-ner``. Its metrics once read 168 successes and
1405 failures; the first row makes such a failure rate impossible to miss.
"""

from triton_dashboards import Dashboard, Link, Row, Scope, panels
from triton_dashboards.query.recipes import Phase

ner = Scope(namespace="triton")
pipeline = ner.model("ner_pipeline")  # the ensemble
steps = ner.models("ner_preprocess", "ner", "ner_postprocess")

dashboard = Dashboard(
    title="NER pipeline",
    uid="triton-ner",
    description="The ner_pipeline ensemble and its steps, namespace triton.",
    links=[
        Link.to("Triton overview", "triton-overview"),
        Link.to("Triton model detail", "triton-model"),
    ],
    rows=[
        Row(
            "Is it working?",
            [
                panels.failure_ratio(pipeline),  # red when failures outnumber successes
                panels.successes_in_range(pipeline),
                panels.failures_in_range(pipeline),
                panels.latency(pipeline, Phase.REQUEST),
                panels.requests_per_minute(pipeline),  # succeeded and failed, per minute
                panels.failures_by_reason(pipeline),
            ],
            # four numbers in a line, then two charts
            width=(6, 6, 6, 6, 12, 12),
            height=(4, 4, 4, 4, 8, 8),
        ),
        Row(
            "Where the time goes",
            [
                panels.latency_by_phase(steps),  # queue, input, infer, output per request
                panels.batch_size(ner.model("ner")),
                panels.pending_requests(steps),
                panels.request_rate(steps),
            ],
        ),
        Row("GPU", [panels.gpu_utilization(ner), panels.gpu_memory(ner)], collapsed=True),
    ],
)

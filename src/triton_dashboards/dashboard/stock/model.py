"""Triton model detail: one model, or an ensemble with its steps, picked in ``$model``.

The overview's top-k panels and models table link here with one model picked: this is
where the per-model time series are. Its stats are instant queries (the number now).
"""

from __future__ import annotations

from triton_dashboards.catalog import Phase
from triton_dashboards.dashboard import panels
from triton_dashboards.dashboard.layout import Row
from triton_dashboards.dashboard.model import Dashboard
from triton_dashboards.dashboard.panels import Query, Unit
from triton_dashboards.dashboard.stock.interval import with_resolution
from triton_dashboards.dashboard.stock.selection import MODEL_UID, Variant
from triton_dashboards.query import recipes as q
from triton_dashboards.query.recording import Recording

__all__ = ["model_detail"]


def model_detail(
    recording_rules: bool | Recording = False,
    *,
    namespace: str | None = None,
    uid_prefix: str | None = None,
    replace_stock: bool = False,
) -> Dashboard:
    """One model, or an ensemble with its composing steps: pick them in ``$model``."""
    variant = Variant(
        recording_rules, namespace=namespace, uid_prefix=uid_prefix, replace_stock=replace_stock
    )
    scope = variant.scope
    return variant.dashboard(
        MODEL_UID,
        "Triton model detail",
        "Pick a model, or an ensemble and its composing models, in the Model "
        "variable (the overview's top-k panels and table link here with one model picked). "
        "Ensemble compute times are the sum over its steps.",
        rows=with_resolution(
            variant,
            [
                Row(
                    "Traffic",
                    [
                        panels.failure_ratio(scope, instant=True),
                        panels.successes_in_range(scope),
                        panels.failures_in_range(scope),
                        panels.stat(
                            "Average batch size",
                            [Query(q.avg_batch_size(scope), scope.legend, instant=True)],
                            unit=Unit.NONE,
                            decimals=2,
                            graph_mode="none",
                            description="Inferences per execution over the rate window.",
                        ),
                        panels.request_rate(scope),
                        panels.failures_by_reason(scope),
                    ],
                ),
                Row(
                    "Where the time goes",
                    [
                        panels.latency_by_phase(scope),
                        panels.latency(scope, Phase.REQUEST),
                        panels.summary_percentiles(scope),
                        panels.latency(scope, Phase.QUEUE),
                    ],
                ),
                Row(
                    "First responses",
                    [
                        panels.first_response_shares(scope),
                        panels.first_response_mean(scope),
                        panels.first_response_percentiles(scope),
                    ],
                    width=8,
                ),
                Row(
                    "Queue and batching",
                    [
                        panels.pending_requests(scope),
                        panels.avg_queued_requests(scope),
                        panels.batch_size(scope),
                        panels.execution_rate(scope),
                    ],
                    width=6,
                ),
                Row(
                    "Response cache and loading",
                    [panels.cache_hit_ratio(scope), panels.model_load_time(scope)],
                    collapsed=True,
                ),
            ],
        ),
    )

"""The two divisions every Triton average is made of, written once.

Recipes, recording rules and alerts all divide one rate by another: a duration by the
successes ("per request"), inferences by executions, used memory by total, failures by
every completed request. How an idle model reads (no value, or 0) is decided here.
"""

from __future__ import annotations

from triton_dashboards.promql import Expr, clamp_min

__all__ = ["MIN_RATE", "completed", "per_request"]

#: A denominator floor far below any real request rate (one request a year is 3e-8/s).
MIN_RATE = 1e-9


def per_request(numerator: Expr, denominator: Expr) -> Expr:
    """``numerator / denominator``, with no value (rather than NaN or Inf) where the
    denominator is 0: an idle model shows a gap, not noise.

    Used for every average "per something that happened": duration per successful
    request, inferences per execution, hits per lookup, used per total.
    """
    return numerator / denominator.gt(0)


def completed(successes: Expr, failures: Expr) -> Expr:
    """Every request that completed, successes plus failures, floored at :data:`MIN_RATE`.

    A request increments exactly one of ``nv_inference_request_success`` and
    ``nv_inference_request_failure``, so their sum counts each completed request once.
    The floor makes a share of it (the failure ratio) read 0 for an idle model, which an
    alert and a stat panel both want, instead of no value.
    """
    return clamp_min(successes + failures, MIN_RATE)

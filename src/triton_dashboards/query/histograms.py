"""Histogram quantiles that are measurements, and the numbers to show where they are not.

``histogram_quantile`` interpolates linearly inside the bucket the quantile falls in. That
is an estimate bounded by two bucket bounds only when the bucket has two finite bounds: in
the lowest bucket the lower bound is taken as 0 (a TTFT of 3 ms in a first bucket of 100 ms
reads 50 ms at the median), and in the +Inf bucket Prometheus returns the highest finite
bound, whatever the real value. House rule: such a quantile is not shown as a number.

The test needs no bucket bounds. With ``B = sum by (le, <by>) (rate(x_bucket[w]))`` the
cumulative counts are monotone in ``le``, so per series of ``<by>``:

* ``min by (<by>) (B)`` is the count in the lowest bucket,
* ``max by (<by>) (B)`` the count of every observation (the +Inf bucket), call it N,
* ``max by (<by>) (sum by (le, <by>) (rate(x_bucket{le!="+Inf"}[w])))`` the count up to the
  highest finite bound.

The q-quantile lies between two finite bounds iff ``lowest < q*N`` and
``highest_finite >= q*N``; :func:`honest_quantile` keeps ``histogram_quantile(q, B)`` only
there (``and``). Next to it, show :func:`bucket_shares` (the share of observations within
each finite bound, exact; not +Inf, whose share is 100 % by definition) and the exact mean
(``_sum / _count``, :func:`mean`). Used for the LLM latency histograms (vLLM's TTFT, time
per output token, end-to-end latency, and Triton's first-response histogram); it works for
any Prometheus histogram.
"""

from __future__ import annotations

from collections.abc import Callable

from triton_dashboards.promql import (
    Expr,
    Matcher,
    Op,
    binop,
    histogram_quantile,
    max_by,
    min_by,
    sort_ascending,
)
from triton_dashboards.promql import sum_by as _sum_by
from triton_dashboards.query.ratios import per_request

__all__ = ["FINITE", "BucketRates", "bucket_shares", "honest_quantile", "in_bound_order", "mean"]

#: Per-series bucket rates (``rate(x_bucket{...}[w])`` or a recorded equivalent) with the
#: extra matchers given; called with no matcher and with :data:`FINITE`.
BucketRates = Callable[..., Expr]
#: The matcher that leaves out the +Inf bucket.
FINITE = Matcher("le", "!=", "+Inf")


def _summed(rates: BucketRates, by: tuple[str, ...], *extra: Matcher) -> Expr:
    return _sum_by(("le", *by), rates(*extra))


def honest_quantile(quantile: float, rates: BucketRates, by: tuple[str, ...]) -> Expr:
    """The ``quantile`` of the histogram per ``by``, only where it is a measurement.

    No value where the quantile lies in the lowest bucket (below the first bound), in the
    +Inf bucket (above the last), or where nothing was observed (0 < 0 is false).
    """
    if not 0 < quantile < 1:
        raise ValueError(f"quantile {quantile} must be between 0 and 1")
    buckets = _summed(rates, by)
    total = quantile * max_by(by, buckets)
    above_lowest = binop(Op.LT, min_by(by, buckets), total)
    below_last = binop(Op.GE, max_by(by, _summed(rates, by, FINITE)), total)
    estimate = histogram_quantile(quantile, buckets)
    return binop(Op.AND, binop(Op.AND, estimate, above_lowest, on=by), below_last, on=by)


def bucket_shares(rates: BucketRates, by: tuple[str, ...]) -> Expr:
    """Share of observations at or below each finite bound ``le``, 0..1, per ``by`` (exact).

    The cumulative count of each finite bucket over the count of the +Inf bucket (the
    largest); no value where nothing was observed. The +Inf bucket has no share of its own:
    every observation is at or below +Inf, so it would always read 100 % and say nothing.
    """
    total = max_by(by, _summed(rates, by))
    return binop(Op.DIV, _summed(rates, by, FINITE), total.gt(0), on=by, group_left=())


def in_bound_order(shares: Expr, by: tuple[str, ...]) -> Expr:
    """:func:`bucket_shares` as an instant query whose series come in increasing bound.

    Prometheus returns an instant vector in no set order (a bar gauge's bars would move at
    each refresh), and orders nothing by ``le`` as a number: as a string, 2000 comes before
    500. The share within a bound never decreases as the bound grows, so sorted by value
    (``sort``, kept by Prometheus for an instant query and by Grafana) the bounds of one
    histogram read upwards; bounds with equal shares (no observation between them) show
    the same number in either order. With several series per bound (``by`` not empty) a
    sort by value would interleave them, so they are left in Prometheus' order.
    """
    return shares if by else sort_ascending(shares)


def mean(sum_rate: Expr, count_rate: Expr) -> Expr:
    """The exact mean observation: rate of ``_sum`` over rate of ``_count``, both summed
    over the same labels; no value where nothing was observed."""
    return per_request(sum_rate, count_rate)

"""Doctor takes a query apart before it asks the server about each part: the selectors with
the window and function that read them, and the quantiles with the labels they group by."""

from __future__ import annotations

from triton_dashboards.inspect.anatomy import Part, parts, quantiles
from triton_dashboards.inspect.doctor import _bucket_of


def test_parts_keep_each_selector_once_with_its_window_and_reader() -> None:
    expr = (
        'sum(rate(x_bucket{a=~"b", c!=""}[1m])) / sum(rate(x_bucket{a=~"b", c!=""}[1m]))'
        ' and on () max(y{q="a\\"b"}) > 0 + avg_over_time(z[5m])'
    )
    assert parts(expr) == [
        Part("x_bucket", ('a=~"b"', 'c!=""'), ("a", "c"), 60.0, "rate"),
        Part("y", ('q="a\\"b"',), ("q",)),
        Part("z", (), (), 300.0, "avg_over_time"),
    ]


def test_a_selector_narrows_one_matcher_at_a_time() -> None:
    [part] = parts('x{namespace="triton", model=~"ner.*"}')
    assert part.selector(0) == "x"
    assert part.selector(1) == 'x{namespace="triton"}'
    assert part.selector() == 'x{namespace="triton", model=~"ner.*"}'


def test_a_query_that_does_not_parse_has_no_parts() -> None:
    assert parts("sum(rate(x[5m])") == []
    assert quantiles("sum(rate(x[5m])") == []


def test_quantiles_know_q_and_the_labels_besides_le() -> None:
    [q] = quantiles("histogram_quantile(0.95, sum by (le, model) (rate(h_bucket[5m])))")
    assert q.q == 0.95 and q.group == ("model",)
    assert q.buckets.startswith("sum by (le, model)") and "h_bucket" in q.buckets


def test_a_quantile_in_the_lowest_or_the_inf_bucket_is_named() -> None:
    inf = float("inf")
    lowest = {100.0: 90.0, 500.0: 95.0, inf: 100.0}  # 90 % at or below the lowest bound
    beyond = {100.0: 1.0, 500.0: 2.0, inf: 100.0}  # 98 % beyond the highest finite bound
    measured = {100.0: 10.0, 500.0: 80.0, inf: 100.0}
    assert _bucket_of(0.5, lowest) == "the lowest bucket (<= 100)"
    assert _bucket_of(0.5, beyond) == "the +Inf bucket (> 500)"
    assert _bucket_of(0.5, measured) is None
    assert _bucket_of(0.5, {100.0: 0.0, inf: 0.0}) is None  # no traffic: nothing to say

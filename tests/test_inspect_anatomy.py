"""Doctor takes a query apart before it asks the server about each part: the selectors with
the window and function that read them, and the quantiles with the labels they group by."""

from __future__ import annotations

from typing import Any, cast

from triton_dashboards.inspect.anatomy import Part, parts, quantiles
from triton_dashboards.inspect.causes import Kind
from triton_dashboards.inspect.doctor import _bucket_of, _part
from triton_dashboards.inspect.facts import Facts


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


class _YoungData:
    """Facts of a server whose series exist now but whose windows held one sample at most."""

    def exists(self, selector: str) -> bool:
        return True

    def now(self, selector: str) -> list[dict[str, Any]]:
        return [{"metric": {}, "value": [0, "1"]}]

    def most_samples(self, selector: str, window: float) -> int:
        return 1


def test_one_sample_in_a_window_of_many_scrapes_is_young_data_not_a_short_window() -> None:
    (part,) = parts('rate(nv_inference_count{model="ner"}[4m])')
    facts = cast(Facts, _YoungData())
    assert _part(part, facts, scrape=15.0, depth=0) == []  # 16 scrapes long: data too young
    (short,) = _part(part, facts, scrape=120.0, depth=0)  # two scrapes long: too short
    assert short.build(["rate(nv_inference_count)"]).kind is Kind.WINDOW_TOO_SHORT

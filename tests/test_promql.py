"""The PromQL builder: exact rendering, precedence, escaping and errors.

Every pinned string is also parsed with ``promql_parser`` (a port of Prometheus' own parser),
so a pin cannot drift to a query that Prometheus would reject. For precedence, vector matching
and escaping the parsed tree is compared with the built one: the tests check what a query
means, not only how it looks.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable
from typing import Any

import promql_parser as pp
import pytest

from triton_dashboards import promql
from triton_dashboards.promql import (
    RANGE,
    RATE_INTERVAL,
    Binary,
    Expr,
    Matcher,
    Number,
    Op,
    PromQLError,
    Selector,
    Var,
    aggregate,
    avg_by,
    binop,
    clamp_min,
    escape_label_value,
    histogram_quantile,
    increase,
    max_by,
    rate,
    regex_escape,
    sum_by,
    sum_without,
)

# Grafana's duration variables are not valid inside [...] for a parser, which wants a literal
# duration there: each gets a stand-in. A ``$var`` inside a quoted string is plain text and stays.
_DURATION_STAND_INS = {"$__rate_interval": "1m", "$__range": "1h", "$__interval": "30s"}


def parse(query: str) -> Any:
    """Parse a rendered query with promql_parser, after substituting range variables."""
    for var, stand_in in _DURATION_STAND_INS.items():
        query = query.replace(f"[{var}]", f"[{stand_in}]")
    return pp.parse(query)


def built_shape(expr: Expr) -> Any:
    """The operator tree the builder meant, for selectors, numbers and binary operators."""
    if isinstance(expr, Binary):
        return (expr.op.symbol, built_shape(expr.lhs), built_shape(expr.rhs))
    if isinstance(expr, Selector):
        return expr.metric
    if isinstance(expr, Number):
        return float(expr.value)
    raise TypeError(f"no shape for {expr!r}")


def parsed_shape(node: Any) -> Any:
    """The operator tree promql_parser read, with parentheses dropped."""
    if isinstance(node, pp.ParenExpr):
        return parsed_shape(node.expr)
    if isinstance(node, pp.BinaryExpr):
        return (str(node.op), parsed_shape(node.lhs), parsed_shape(node.rhs))
    if isinstance(node, pp.VectorSelector):
        return node.name
    if isinstance(node, pp.NumberLiteral):
        return float(node.val)
    if isinstance(node, pp.UnaryExpr):
        return ("neg", parsed_shape(node.expr))
    raise TypeError(f"no shape for {type(node).__name__}")


def only_matcher(query: str) -> Any:
    """The single matcher of a query that is one vector selector."""
    node = parse(query)
    assert isinstance(node, pp.VectorSelector), query
    matchers = node.matchers.matchers
    assert len(matchers) == 1, query
    return matchers[0]


a, b, c = Selector("a"), Selector("b"), Selector("c")
x = Selector("x")
m = Selector("m")

# -- Rendering pins ---------------------------------------------------------------------------

_BUCKET = Selector(
    "nv_inference_first_response_histogram_ms_bucket", (Matcher("model", "=~", "ner|cls"),)
)

PINS: list[tuple[str, Expr, str]] = [
    # selectors
    ("no matchers", Selector("nv_inference_count"), "nv_inference_count"),
    ("colon metric", Selector("job:nv_inference_count:rate5m"), "job:nv_inference_count:rate5m"),
    ("eq", Selector("m", (Matcher("model", "=", "ner"),)), 'm{model="ner"}'),
    ("ne", Selector("m", (Matcher("model", "!=", "ner"),)), 'm{model!="ner"}'),
    ("re", Selector("m", (Matcher("model", "=~", "ner|cls"),)), 'm{model=~"ner|cls"}'),
    ("nre", Selector("m", (Matcher("model", "!~", "n.*"),)), 'm{model!~"n.*"}'),
    ("default op is =", Selector("m", (Matcher("model", value="ner"),)), 'm{model="ner"}'),
    (
        "several matchers in order",
        m.where(
            Matcher("model", "=", "ner"),
            Matcher("version", "!=", "1"),
            Matcher("pod", "=~", "triton-.*"),
            Matcher("gpu", "!~", "GPU-0"),
        ),
        'm{model="ner", version!="1", pod=~"triton-.*", gpu!~"GPU-0"}',
    ),
    (
        "where appends after existing matchers",
        Selector("m", (Matcher("z", "=", "1"),)).where(Matcher("a", "=", "2")),
        'm{z="1", a="2"}',
    ),
    # range selectors
    ("range 5m", m.over("5m"), "m[5m]"),
    ("range 1h30m", m.over("1h30m"), "m[1h30m]"),
    ("range 1d", m.over("1d"), "m[1d]"),
    ("range var", m.over(Var("__rate_interval")), "m[$__rate_interval]"),
    ("range RATE_INTERVAL", m.over(RATE_INTERVAL), "m[$__rate_interval]"),
    (
        "range with matchers",
        Selector("m", (Matcher("model", "=", "ner"),)).over("5m"),
        'm{model="ner"}[5m]',
    ),
    # range functions
    ("rate default window", rate(m), "rate(m[$__rate_interval])"),
    ("rate 5m", rate(m, "5m"), "rate(m[5m])"),
    ("increase 1h", increase(m, "1h"), "increase(m[1h])"),
    ("increase RANGE", increase(m, RANGE), "increase(m[$__range])"),
    ("irate", promql.irate(m, "1m"), "irate(m[1m])"),
    ("avg_over_time", promql.over_time("avg", m, "10m"), "avg_over_time(m[10m])"),
    ("max_over_time default", promql.over_time("max", m), "max_over_time(m[$__rate_interval])"),
    ("resets default RANGE", promql.resets(m), "resets(m[$__range])"),
    # aggregations
    (
        "sum_by",
        sum_by(("model",), rate(x, "5m")),
        "sum by (model) (rate(x[5m]))",
    ),
    ("sum_by two labels", sum_by(("model", "version"), x), "sum by (model, version) (x)"),
    ("sum_by list", sum_by(["model"], x), "sum by (model) (x)"),
    ("sum_by empty is everything", sum_by((), x), "sum(x)"),
    ("sum_without", sum_without(("pod", "instance"), x), "sum without (pod, instance) (x)"),
    ("avg_by", avg_by(("model",), x), "avg by (model) (x)"),
    ("max_by", max_by(("gpu_uuid",), x), "max by (gpu_uuid) (x)"),
    ("min_by", promql.min_by(("gpu_uuid",), x), "min by (gpu_uuid) (x)"),
    ("count_by", promql.count_by(("model",), x), "count by (model) (x)"),
    ("aggregate no modifier", aggregate("sum", x), "sum(x)"),
    ("topk param", aggregate("topk", x, param=5), "topk(5, x)"),
    ("topk by", aggregate("topk", x, by=("model",), param=5), "topk by (model) (5, x)"),
    ("quantile param", aggregate("quantile", x, param=0.9), "quantile(0.9, x)"),
    (
        "aggregate over arithmetic",
        sum_by(("model",), a / b),
        "sum by (model) (a / b)",
    ),
    # binary operators and vector matching
    ("on", binop(Op.DIV, a, b, on=("model",)), "a / on (model) b"),
    ("on two labels", binop(Op.DIV, a, b, on=("model", "pod")), "a / on (model, pod) b"),
    ("ignoring", binop(Op.DIV, a, b, ignoring=("version",)), "a / ignoring (version) b"),
    (
        "group_left labels",
        binop(Op.MUL, a, b, on=("model",), group_left=("version",)),
        "a * on (model) group_left (version) b",
    ),
    (
        "group_left bare",
        binop(Op.MUL, a, b, ignoring=("gpu",), group_left=()),
        "a * ignoring (gpu) group_left b",
    ),
    (
        "group_right labels",
        binop(Op.MUL, a, b, on=("model",), group_right=("pod",)),
        "a * on (model) group_right (pod) b",
    ),
    (
        "group_right bare",
        binop(Op.MUL, a, b, on=("model",), group_right=()),
        "a * on (model) group_right b",
    ),
    ("bool", binop(Op.GT, a, 0, bool_=True), "a > bool 0"),
    ("bool on", binop(Op.EQ, a, b, bool_=True, on=("model",)), "a == bool on (model) b"),
    ("unless on", binop(Op.UNLESS, a, b, on=("model",)), "a unless on (model) b"),
    ("mod", binop(Op.MOD, a, 2), "a % 2"),
    ("ne vector", binop(Op.NE, a, b), "a != b"),
    ("lt le", binop(Op.LE, binop(Op.LT, a, 1), 2), "a < 1 <= 2"),
    # functions
    (
        "histogram_quantile",
        histogram_quantile(0.99, sum_by(("le", "model"), rate(_BUCKET))),
        "histogram_quantile(0.99, sum by (le, model) "
        '(rate(nv_inference_first_response_histogram_ms_bucket{model=~"ner|cls"}'
        "[$__rate_interval])))",
    ),
    ("histogram_quantile 0", histogram_quantile(0, x), "histogram_quantile(0, x)"),
    ("histogram_quantile 1", histogram_quantile(1, x), "histogram_quantile(1, x)"),
    ("clamp_min", clamp_min(x, 0), "clamp_min(x, 0)"),
    ("clamp_min tiny", clamp_min(rate(x), 1e-9), "clamp_min(rate(x[$__rate_interval]), 1e-09)"),
    ("clamp_max", promql.clamp_max(x, 100), "clamp_max(x, 100)"),
    # numbers
    ("number 60.0", Number(60.0), "60"),
    ("number 1e-9", Number(1e-9), "1e-09"),
    ("number 0.5", Number(0.5), "0.5"),
    ("number negative", Number(-2.0), "-2"),
    ("number inf", Number(float("inf")), "Inf"),
    ("number -inf", Number(float("-inf")), "-Inf"),
    ("number nan", Number(float("nan")), "NaN"),
    # operator overloading
    ("int * expr", 60 * rate(x), "60 * rate(x[$__rate_interval])"),
    ("expr * float", x * 0.5, "x * 0.5"),
    ("expr / expr", a / b, "a / b"),
    ("expr + int", a + 1, "a + 1"),
    ("int - expr", 1 - a, "1 - a"),
    ("int / expr", 1 / a, "1 / a"),
    ("gt", a.gt(0), "a > 0"),
    ("ge", a.ge(0), "a >= 0"),
    ("or_", a.or_(b), "a or b"),
    ("or_ vector", a.or_(promql.vector(0)), "a or vector(0)"),
]


@pytest.mark.parametrize(("expr", "expected"), [p[1:] for p in PINS], ids=[p[0] for p in PINS])
def test_render_pins(expr: Expr, expected: str) -> None:
    assert expr.render() == expected
    assert str(expr) == expected
    parse(expected)  # raises ValueError if Prometheus' grammar rejects it


def test_pin_ids_are_unique() -> None:
    ids = [p[0] for p in PINS]
    assert len(ids) == len(set(ids))


def test_matcher_ops_reach_the_parser() -> None:
    ops = {
        "=": pp.MatchOp.Equal,
        "!=": pp.MatchOp.NotEqual,
        "=~": pp.MatchOp.Re,
        "!~": pp.MatchOp.NotRe,
    }
    for op, parsed_op in ops.items():
        parsed = only_matcher(Selector("m", (Matcher("model", op, "ner"),)).render())
        assert (parsed.name, parsed.op, parsed.value) == ("model", parsed_op, "ner")


def test_several_matchers_parse_in_order() -> None:
    sel = m.where(
        Matcher("model", "=", "ner"), Matcher("version", "!=", "1"), Matcher("pod", "=~", "t.*")
    )
    node = parse(sel.render())
    assert [(x.name, x.value) for x in node.matchers.matchers] == [
        ("model", "ner"),
        ("version", "1"),
        ("pod", "t.*"),
    ]


@pytest.mark.parametrize(("window", "seconds"), [("5m", 300), ("1h30m", 5400), ("90s", 90)])
def test_range_reaches_the_parser(window: str, seconds: int) -> None:
    node = parse(rate(m, window).render())
    assert node.func.name == "rate"
    assert node.args[0].range.total_seconds() == seconds


def test_vector_matching_reaches_the_parser() -> None:
    on = parse(binop(Op.MUL, a, b, on=("model",), group_left=("version",)).render())
    assert on.modifier.matching.type == pp.LabelModifierType.Include
    assert list(on.modifier.matching.labels) == ["model"]
    assert on.modifier.card == pp.VectorMatchCardinality.ManyToOne
    assert list(on.modifier.group_labels) == ["version"]
    assert not on.modifier.return_bool

    ign = parse(binop(Op.MUL, a, b, ignoring=("pod",), group_right=("gpu",)).render())
    assert ign.modifier.matching.type == pp.LabelModifierType.Exclude
    assert list(ign.modifier.matching.labels) == ["pod"]
    assert ign.modifier.card == pp.VectorMatchCardinality.OneToMany
    assert list(ign.modifier.group_labels) == ["gpu"]

    cmp = parse(binop(Op.GT, a, b, bool_=True).render())
    assert cmp.modifier.return_bool


def test_aggregation_modifiers_reach_the_parser() -> None:
    by = parse(sum_by(("le", "model"), x).render())
    assert (str(by.op), by.modifier.type, list(by.modifier.labels)) == (
        "sum",
        pp.AggModifierType.By,
        ["le", "model"],
    )
    without = parse(sum_without(("pod",), x).render())
    assert without.modifier.type == pp.AggModifierType.Without
    assert list(without.modifier.labels) == ["pod"]
    topk = parse(aggregate("topk", x, param=5).render())
    assert (str(topk.op), topk.param.val, topk.modifier) == ("topk", 5.0, None)


def test_histogram_quantile_reaches_the_parser() -> None:
    node = parse(histogram_quantile(0.99, sum_by(("le", "model"), rate(_BUCKET))).render())
    assert node.func.name == "histogram_quantile"
    assert node.args[0].val == 0.99
    agg = node.args[1]
    assert list(agg.modifier.labels) == ["le", "model"]
    assert agg.expr.func.name == "rate"
    assert agg.expr.args[0].vector_selector.name == _BUCKET.metric


def test_histogram_quantile_with_a_variable() -> None:
    q = histogram_quantile(Var("quantile", multi=False), sum_by(("le",), rate(_BUCKET)))
    rendered = q.render()
    assert rendered.startswith("histogram_quantile($quantile, sum by (le) (rate(")
    # A bare $var is not valid PromQL; Grafana substitutes a number before the query runs.
    assert parse(rendered.replace("$quantile", "0.5")).args[0].val == 0.5


def test_number_operands_become_numbers() -> None:
    expr = 60 * x
    assert isinstance(expr, Binary)
    assert expr.lhs == Number(60.0)
    assert expr.rhs is x
    assert expr.op is Op.MUL


@pytest.mark.parametrize("bad", [True, "60", None, [1]])
def test_non_numbers_are_rejected_as_operands(bad: object) -> None:
    with pytest.raises(PromQLError) as excinfo:
        x * bad  # type: ignore[operator]
    assert str(excinfo.value) == f"cannot use {bad!r} in a PromQL expression"


# -- Precedence -------------------------------------------------------------------------------

PRECEDENCE: list[tuple[Expr, str]] = [
    ((a + b) * c, "(a + b) * c"),
    (a + b * c, "a + b * c"),
    (a * b + c, "a * b + c"),
    (c * (a + b), "c * (a + b)"),
    (a - (b - c), "a - (b - c)"),
    ((a - b) - c, "a - b - c"),
    (a - (b + c), "a - (b + c)"),
    (a + (b - c), "a + (b - c)"),
    (a / (b / c), "a / (b / c)"),
    ((a / b) / c, "a / b / c"),
    (a / (b * c), "a / (b * c)"),
    (a / b.gt(0), "a / (b > 0)"),
    (a.gt(0) * b, "(a > 0) * b"),
    (binop(Op.GT, a + b, c), "a + b > c"),
    (binop(Op.POW, a, binop(Op.POW, b, c)), "a ^ b ^ c"),
    (binop(Op.POW, binop(Op.POW, a, b), c), "(a ^ b) ^ c"),
    (binop(Op.POW, a + b, c), "(a + b) ^ c"),
    (binop(Op.POW, a * b, c), "(a * b) ^ c"),
    (a * binop(Op.POW, b, c), "a * b ^ c"),
    (a.or_(b * c), "a or b * c"),
    (a.or_(b) * c, "(a or b) * c"),
    ((a * b).or_(c), "a * b or c"),
    (binop(Op.AND, a, b + c), "a and b + c"),
    (binop(Op.AND, a.or_(b), c), "(a or b) and c"),
    (binop(Op.AND, a, b).or_(c), "a and b or c"),
    (a.or_(binop(Op.AND, b, c)), "a or b and c"),
    (a.gt(b).or_(c), "a > b or c"),
    (binop(Op.AND, a, b.gt(0)), "a and b > 0"),
    (binop(Op.UNLESS, a, binop(Op.AND, b, c)), "a unless (b and c)"),
    (binop(Op.GT, a, b.gt(c)), "a > (b > c)"),
    ((1 - a) * 100, "(1 - a) * 100"),
]


@pytest.mark.parametrize(("expr", "expected"), PRECEDENCE, ids=[p[1] for p in PRECEDENCE])
def test_precedence(expr: Expr, expected: str) -> None:
    assert expr.render() == expected
    # The parser must read back the tree that was built, not just accept the string.
    assert parsed_shape(parse(expected)) == built_shape(expr)


def test_precedence_is_not_just_text() -> None:
    # Without the parentheses the parser reads a different tree: the check above has teeth.
    assert parsed_shape(parse("a + b * c")) != built_shape((a + b) * c)
    assert parsed_shape(parse("a - b - c")) != built_shape(a - (b - c))
    assert parsed_shape(parse("a ^ b ^ c")) != built_shape(binop(Op.POW, binop(Op.POW, a, b), c))


def test_aggregations_and_calls_need_no_parentheses() -> None:
    expr = sum_by(("model",), rate(a)) / clamp_min(sum_by(("model",), rate(b)), 1)
    assert expr.render() == (
        "sum by (model) (rate(a[$__rate_interval])) / "
        "clamp_min(sum by (model) (rate(b[$__rate_interval])), 1)"
    )
    parse(expr.render())


# -- Escaping ---------------------------------------------------------------------------------


def test_escape_quote_and_backslash() -> None:
    rendered = Matcher("model", "=", 'a"b\\c').render()
    assert rendered == 'model="a\\"b\\\\c"'
    assert rendered == r'model="a\"b\\c"'


def test_escape_control_characters() -> None:
    assert Matcher("model", "=", "x\ny").render() == 'model="x\\ny"'
    assert Matcher("model", "=", "x\ry").render() == 'model="x\\ry"'
    assert Matcher("model", "=", "x\ty").render() == 'model="x\\ty"'
    assert "\n" not in Selector("m", (Matcher("model", "=", "a\nb"),)).render()


def test_escape_label_value_order() -> None:
    # The backslash is doubled first, so the escapes added for quotes are not doubled again.
    assert escape_label_value('\\"') == '\\\\\\"'
    assert escape_label_value("\\n") == "\\\\n"  # a backslash and an n, not a newline
    assert escape_label_value("plain-value_1.2") == "plain-value_1.2"


NASTY_VALUES = [
    'a"b\\c',
    '"',
    '""',
    "\\",
    "\\\\",
    '\\"',
    "a\\nb",
    "line1\nline2",
    "cr\rlf\n",
    "tab\there",
    "",
    " ",
    "ünïcødé 模型 🚀",
    "$notavar",
    "${model:regex}",
    "[[model]]",
    "it's",
    "`back`",
    "x}",
    "a, b",
    'ner"} or vector(1) # ',
    'x,model="evil"',
    "\u2028",
]


@pytest.mark.parametrize("op", ["=", "!="])
@pytest.mark.parametrize("value", NASTY_VALUES)
def test_label_value_round_trip(value: str, op: str) -> None:
    query = Selector("nv_inference_count", (Matcher("model", op, value),)).render()
    parsed = only_matcher(query)  # exactly one matcher: nothing leaked out of the string
    assert parsed.name == "model"
    assert parsed.op == (pp.MatchOp.Equal if op == "=" else pp.MatchOp.NotEqual)
    assert parsed.value == value


def test_string_literal_round_trip() -> None:
    for value in NASTY_VALUES:
        node = parse(aggregate("count_values", x, param=promql.StringLiteral(value)).render())
        assert node.param.val == value


def test_var_value_is_verbatim() -> None:
    assert Matcher("model", "=~", Var("model")).render() == 'model=~"$model"'
    assert (
        Matcher("model", "=~", Var("model", format="regex")).render() == 'model=~"${model:regex}"'
    )
    assert str(Var("__rate_interval")) == "$__rate_interval"
    assert str(Var("pod", format="pipe")) == "${pod:pipe}"


# -- Matcher.of -------------------------------------------------------------------------------


def test_of_single_string() -> None:
    matcher = Matcher.of("model", "a.b")
    assert (matcher.op, matcher.value) == ("=", "a.b")
    assert matcher.render() == 'model="a.b"'


def test_of_list_of_one_matches_exactly() -> None:
    matcher = Matcher.of("model", ["a.b"])
    assert matcher == Matcher("model", "=", "a.b")
    assert matcher.render() == 'model="a.b"'


def test_of_several_is_an_escaped_regex() -> None:
    matcher = Matcher.of("model", ["ner", "cls"])
    assert matcher.render() == 'model=~"ner|cls"'

    matcher = Matcher.of("model", ["a.b", "c"])
    assert matcher.op == "=~"
    assert matcher.value == "a\\.b|c"  # the regex a\.b|c
    assert matcher.render() == 'model=~"a\\\\.b|c"'  # the PromQL source model=~"a\\.b|c"
    assert matcher.render() == r'model=~"a\\.b|c"'
    assert only_matcher(Selector("m", (matcher,)).render()).value == r"a\.b|c"


def test_of_accepts_any_iterable() -> None:
    assert Matcher.of("model", ("a", "b")).value == "a|b"
    assert Matcher.of("model", (n for n in ["a", "b", "c"])).value == "a|b|c"


def test_of_variables() -> None:
    multi = Matcher.of("model", Var("model"))
    assert (multi.op, multi.render()) == ("=~", 'model=~"$model"')
    single = Matcher.of("model", Var("model", multi=False))
    assert (single.op, single.render()) == ("=", 'model="$model"')
    formatted = Matcher.of("model", Var("model", format="regex"))
    assert formatted.render() == 'model=~"${model:regex}"'
    for matcher in (multi, single, formatted):
        parse(Selector("m", (matcher,)).render())


# name -> strings that an unescaped regex would also match, but the name must not
REGEX_NAMES: dict[str, list[str]] = {
    "a.b": ["aXb", "a-b"],
    "a+b": ["ab", "aab", "aaab"],
    "a*b": ["b", "aab"],
    "a?b": ["b", "ab"],
    "(a)": ["a"],
    "a|b": ["a", "b"],
    "[xy]": ["x", "y"],
    "x{2}": ["xx"],
    "^a$": ["a"],
    "a\\d": ["a1", "ad"],
    "a.*": ["abc", "a"],
    "$": [""],
    "llama-3.1-8b": ["llama-3X1-8b"],
    "gpt 4.0": ["gpt 400"],
    "ner.v2": ["nerXv2"],
    "模型.v1": ["模型Xv1"],
}


@pytest.mark.parametrize("name", list(REGEX_NAMES))
def test_of_regex_round_trip_one_name(name: str) -> None:
    matcher = Matcher.of("model", [name, "other"])
    parsed = only_matcher(Selector("m", (matcher,)).render())
    assert parsed.op == pp.MatchOp.Re
    for candidate in (name, "other"):
        assert re.fullmatch(parsed.value, candidate), candidate
    for near_miss in REGEX_NAMES[name]:
        assert not re.fullmatch(parsed.value, near_miss), near_miss


def test_of_regex_round_trip_all_names() -> None:
    names = list(REGEX_NAMES)
    parsed = only_matcher(Selector("m", (Matcher.of("model", names),)).render())
    assert parsed.op == pp.MatchOp.Re
    for name in names:
        assert re.fullmatch(parsed.value, name), name
    for near_misses in REGEX_NAMES.values():
        for near_miss in near_misses:
            if near_miss not in REGEX_NAMES:
                assert not re.fullmatch(parsed.value, near_miss), near_miss


# -- regex_escape -----------------------------------------------------------------------------


@pytest.mark.parametrize("char", list(".+*?()|[]{}^$\\"))
def test_regex_escape_metacharacters(char: str) -> None:
    assert regex_escape(char) == "\\" + char
    assert regex_escape(f"a{char}b") == f"a\\{char}b"


def test_regex_escape_leaves_space_and_dash() -> None:
    # RE2 rejects "\ " as an invalid escape, so Python's re.escape is not usable.
    assert re.escape("a b") == "a\\ b"
    assert regex_escape("a b-c") == "a b-c"
    assert regex_escape("llama 3.1-8b") == "llama 3\\.1-8b"


def test_regex_escape_touches_only_metacharacters() -> None:
    specials = set(".+*?()|[]{}^$\\")
    for char in string.printable + "éü模🚀":
        expected = "\\" + char if char in specials else char
        assert regex_escape(char) == expected, repr(char)


def test_regex_escape_matches_the_literal() -> None:
    literal = string.punctuation + " 0aZ_é"
    assert re.fullmatch(regex_escape(literal), literal)
    assert not re.fullmatch(regex_escape("a.b"), "aXb")


# -- Errors -----------------------------------------------------------------------------------

ERRORS: list[tuple[str, Callable[[], object], str]] = [
    ("metric dash", lambda: Selector("nv-inference"), "invalid metric name 'nv-inference'"),
    ("metric digit", lambda: Selector("1abc"), "invalid metric name '1abc'"),
    ("metric empty", lambda: Selector(""), "invalid metric name ''"),
    (
        "label dash",
        lambda: Matcher("model-name", "=", "x"),
        "invalid label name 'model-name': use [a-zA-Z_][a-zA-Z0-9_]*",
    ),
    (
        "label colon",
        lambda: Matcher("a:b", "=", "x"),
        "invalid label name 'a:b': use [a-zA-Z_][a-zA-Z0-9_]*",
    ),
    (
        "label in by",
        lambda: sum_by(("bad label",), x),
        "invalid label name 'bad label': use [a-zA-Z_][a-zA-Z0-9_]*",
    ),
    (
        "label in on",
        lambda: binop(Op.DIV, a, b, on=("9x",)),
        "invalid label name '9x': use [a-zA-Z_][a-zA-Z0-9_]*",
    ),
    (
        "label in of",
        lambda: Matcher.of("bad-label", "x"),
        "invalid label name 'bad-label': use [a-zA-Z_][a-zA-Z0-9_]*",
    ),
    (
        "matcher op",
        lambda: Matcher("model", "==", "x"),
        "invalid matcher operator '==': use =, !=, =~ or !~",
    ),
    (
        "range 5x",
        lambda: m.over("5x"),
        "invalid range '5x': use a Prometheus duration such as 5m or 1h30m, "
        "or a Grafana variable such as $__rate_interval",
    ),
    (
        "range empty",
        lambda: m.over(""),
        "invalid range '': use a Prometheus duration such as 5m or 1h30m, "
        "or a Grafana variable such as $__rate_interval",
    ),
    (
        "range no unit via rate",
        lambda: rate(m, "5"),
        "invalid range '5': use a Prometheus duration such as 5m or 1h30m, "
        "or a Grafana variable such as $__rate_interval",
    ),
    (
        "range as text variable",
        lambda: rate(m, "$__rate_interval"),
        "invalid range '$__rate_interval': use a Prometheus duration such as 5m or 1h30m, "
        "or a Grafana variable such as $__rate_interval",
    ),
    (
        "by and without",
        lambda: aggregate("sum", x, by=("a",), without=("b",)),
        "sum: use either by or without, not both",
    ),
    (
        "bool on arithmetic",
        lambda: binop(Op.ADD, a, b, bool_=True),
        "bool applies to comparisons, not to '+'",
    ),
    (
        "bool on set op",
        lambda: binop(Op.AND, a, b, bool_=True),
        "bool applies to comparisons, not to 'and'",
    ),
    (
        "on and ignoring",
        lambda: binop(Op.DIV, a, b, on=("a",), ignoring=("b",)),
        "use either on or ignoring, not both",
    ),
    (
        "group_left and group_right",
        lambda: binop(Op.DIV, a, b, on=("a",), group_left=(), group_right=()),
        "use either group_left or group_right, not both",
    ),
    ("unknown aggregation", lambda: aggregate("median", x), "unknown aggregation 'median'"),
    (
        "var bad name",
        lambda: Var("bad-name"),
        "invalid Grafana variable name 'bad-name': use [A-Za-z0-9_]",
    ),
    (
        "var with dollar",
        lambda: Var("$model"),
        "invalid Grafana variable name '$model': use [A-Za-z0-9_]",
    ),
    ("quantile above 1", lambda: histogram_quantile(1.5, x), "quantile 1.5 is outside [0, 1]"),
    ("quantile below 0", lambda: histogram_quantile(-0.1, x), "quantile -0.1 is outside [0, 1]"),
    ("quantile 99", lambda: histogram_quantile(99, x), "quantile 99 is outside [0, 1]"),
    ("quantile nan", lambda: histogram_quantile(float("nan"), x), "quantile nan is outside [0, 1]"),
    ("of empty list", lambda: Matcher.of("model", []), "no values given for label 'model'"),
    ("of empty tuple", lambda: Matcher.of("pod", ()), "no values given for label 'pod'"),
]


@pytest.mark.parametrize(("build", "message"), [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS])
def test_errors(build: Callable[[], object], message: str) -> None:
    with pytest.raises(PromQLError) as excinfo:
        build()
    assert isinstance(excinfo.value, ValueError)
    assert str(excinfo.value) == message
    assert "\n" not in str(excinfo.value)


def test_unknown_var_format_lists_the_valid_ones() -> None:
    with pytest.raises(PromQLError) as excinfo:
        Var("model", format="regexp")
    message = str(excinfo.value)
    assert "\n" not in message
    prefix = "unknown Grafana variable format 'regexp'; use one of "
    assert message.startswith(prefix)
    listed = message[len(prefix) :].split(", ")
    assert "regex" in listed
    assert "pipe" in listed
    for fmt in listed:  # the advice is usable: every listed format is accepted
        assert str(Var("model", format=fmt)) == f"${{model:{fmt}}}"


def test_promql_error_is_a_value_error() -> None:
    assert issubclass(PromQLError, ValueError)
    with pytest.raises(ValueError, match="invalid metric name"):
        Selector("bad metric")


# -- Regressions: inputs that once rendered invalid or wrong PromQL -----------------------------


def test_number_from_int_renders() -> None:
    assert Number(60).render() == "60"


def test_negative_base_of_power() -> None:
    expr = binop(Op.POW, -2, a)
    assert expr.render() == "(-2) ^ a"
    assert parsed_shape(parse(expr.render())) == built_shape(expr)


def test_group_left_needs_on_or_ignoring() -> None:
    with pytest.raises(PromQLError, match="need on"):
        binop(Op.MUL, a, b, group_left=("version",))


def test_no_grouping_on_set_operators() -> None:
    with pytest.raises(PromQLError, match="no grouping allowed"):
        binop(Op.AND, a, b, on=("model",), group_left=())


@pytest.mark.parametrize("window", ["30m1h", "5m5m", "0s"])
def test_durations_prometheus_rejects(window: str) -> None:
    with pytest.raises(PromQLError, match="invalid range"):
        rate(m, window)


def test_labels_as_a_bare_string() -> None:
    with pytest.raises(PromQLError, match="not the string"):
        sum_by("le", x)


def test_empty_without_is_not_sum_of_everything() -> None:
    rendered = sum_without((), x).render()
    assert rendered == "sum without () (x)"
    parsed = parse(rendered)
    assert parsed.modifier is not None
    assert parsed.modifier.type == pp.AggModifierType.Without

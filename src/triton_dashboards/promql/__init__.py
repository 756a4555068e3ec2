"""A small typed PromQL builder that renders canonical strings.

Expressions are immutable trees. Rendering follows the shape of Prometheus' own
pretty-printer (``/api/v1/format_query``): ``sum by (model) (rate(x{a="b"}[5m]))``,
binary operators spaced, parentheses only where precedence needs them. The same tree
always renders to the same string, which keeps the committed dashboard JSON stable.

Two kinds of values reach a query from outside, and both are handled here so that no
caller ever formats PromQL by hand:

* label values, which are escaped (a model named ``a"b\\c`` gives ``model="a\\"b\\\\c"``),
  and literal alternatives, which are regex-escaped for ``=~``;
* Grafana variables (``$model``, ``${model:regex}``, ``$__rate_interval``), which are
  written verbatim so that Grafana can interpolate them.

This package knows PromQL, not Triton. :mod:`.values` holds what comes from outside
(variables, escaping, names, windows), :mod:`.expr` the tree and its rendering,
:mod:`.functions` the calls and aggregations; everything is re-exported here, so
``from triton_dashboards.promql import rate, Selector`` is the way to use it.
"""

from triton_dashboards.promql.expr import (
    Aggregate,
    Binary,
    Call,
    Expr,
    Matcher,
    Number,
    Op,
    RangeSelector,
    Selector,
    StringLiteral,
    binop,
)
from triton_dashboards.promql.functions import (
    absent,
    aggregate,
    avg_by,
    clamp_max,
    clamp_min,
    count_by,
    delta,
    deriv,
    histogram_quantile,
    increase,
    irate,
    max_by,
    min_by,
    over_time,
    rate,
    resets,
    sort_ascending,
    sum_by,
    sum_without,
    vector,
)
from triton_dashboards.promql.values import (
    RANGE,
    RATE_INTERVAL,
    VARIABLE_SYNTAX,
    LabelValue,
    PromQLError,
    Var,
    Window,
    escape_label_value,
    regex_escape,
)

__all__ = [
    "RANGE",
    "RATE_INTERVAL",
    "VARIABLE_SYNTAX",
    "Aggregate",
    "Binary",
    "Call",
    "Expr",
    "LabelValue",
    "Matcher",
    "Number",
    "Op",
    "PromQLError",
    "RangeSelector",
    "Selector",
    "StringLiteral",
    "Var",
    "Window",
    "absent",
    "aggregate",
    "avg_by",
    "binop",
    "clamp_max",
    "clamp_min",
    "count_by",
    "delta",
    "deriv",
    "escape_label_value",
    "histogram_quantile",
    "increase",
    "irate",
    "max_by",
    "min_by",
    "over_time",
    "rate",
    "regex_escape",
    "resets",
    "sort_ascending",
    "sum_by",
    "sum_without",
    "vector",
]

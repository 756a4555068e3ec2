"""A dashboard's template variables resolved against a live Prometheus, as Grafana does.

Variables are resolved in dashboard order, each query interpolated with the variables before
it (chained variables), then sent to Prometheus (Grafana's metric_find_query.ts):

* ``label_values(selector, label)`` / ``label_values(label)``: the label values API over the
  dashboard's range; ``label_names()``; ``metrics(regex)``: the ``__name__`` values;
* ``query_result(expr)``: an instant query at the range's end, each series written
  ``name{a="b"} value timestamp_ms``, the variable's regex then picking the value;
* ``custom`` (``a,b`` or ``text : value`` pairs), ``constant``, ``textbox`` and ``interval``
  (its ``auto`` option: the range over ``auto_count`` steps, rounded, at least ``auto_min``).

A multi-value or "All" selection becomes a regex of the values (``(a|b)``, each value
escaped by ``prometheusSpecialRegexEscape``, ``interpolateQueryExpr`` in
packages/grafana-prometheus/src/datasource.ts). A custom all value (``allValue: ".*"``) is
inserted verbatim instead (``templateSrv``: "skip formatting of custom all values");
``all_values=True`` expands All to the real values anyway, so the chained variable queries
themselves are exercised. Formats ``${var:regex}``, ``:pipe``, ``:csv``, ``:raw`` and
``:text`` follow Grafana's format registry; ``$datasource`` becomes the data source name.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import attrs

from triton_dashboards.inspect.intervals import QueryContext, parse_duration, round_interval
from triton_dashboards.promql.values import VARIABLE_SYNTAX

__all__ = ["ALL", "Source", "VariableError", "Variables"]

#: The value Grafana saves for an "All" selection.
ALL = "$__all"
_LABEL_VALUES = re.compile(r"^label_values\((?:(.+),\s*)?([a-zA-Z_$][a-zA-Z0-9_]*)\)\s*$")
_LABEL_NAMES = re.compile(r"^label_names\(\)\s*$")
_METRICS = re.compile(r"^metrics\((.+)\)\s*$")
_QUERY_RESULT = re.compile(r"^query_result\((.+)\)\s*$", re.S)
_CUSTOM_ITEM = re.compile(r"(?:\\,|[^,])+")


class VariableError(ValueError):
    """A variable this engine cannot resolve as Grafana would; the message is one line."""


class Source(Protocol):
    """What variable queries need from Prometheus (:class:`.prometheus.Prometheus` has it)."""

    def label_values(
        self,
        label: str,
        match: Sequence[str] = (),
        start: float | None = None,
        end: float | None = None,
    ) -> list[str]: ...

    def labels(
        self, match: Sequence[str] = (), start: float | None = None, end: float | None = None
    ) -> list[str]: ...

    def query(self, expr: str, time: float | None = None) -> list[dict[str, Any]]: ...


def _regular_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("'", "\\\\'")


def _special_regex_escape(value: str) -> str:
    """prometheusSpecialRegexEscape (classic): regex metacharacters, escaped for a string."""
    value = value.replace("\\", "\\\\\\\\")
    return re.sub(r"[$^*{}\[\]+?.()|]", lambda m: "\\\\" + m.group(0), value)


def _regex_escape(value: str) -> str:
    """kbn.regexEscape, used by the ``:regex`` format."""
    return re.sub(r"[\\^$*+?.()|\[\]{}/]", lambda m: "\\" + m.group(0), value)


def _join(values: list[str]) -> str:
    return values[0] if len(values) == 1 else "(" + "|".join(values) + ")"


@attrs.frozen
class _Value:
    values: tuple[str, ...]
    multi: bool
    raw: str | None = None  # a custom all value, inserted as it is


def _format(value: _Value, fmt: str | None) -> str:
    if value.raw is not None and fmt not in ("text", "percentencode"):
        return value.raw
    values = list(value.values)
    if fmt is None:
        if not value.multi:
            return _regular_escape(values[0] if values else "")
        return _join([_special_regex_escape(v) for v in values])
    if fmt == "regex":
        return _join([_regex_escape(v) for v in values])
    if fmt == "pipe":
        return "|".join(values)
    if fmt in ("csv", "raw"):
        return ",".join(values)
    if fmt == "text":
        return "All" if value.raw is not None else " + ".join(values)
    raise VariableError(f"variable format {fmt!r} is not emulated: use regex, pipe, csv or text")


def _variable_format(match: re.Match[str]) -> str | None:
    text = match.group(0)
    if text.startswith(("${", "[[")) and ":" in text:
        return text[text.index(":") + 1 :].rstrip("}]")
    return None


def _variable_name(match: re.Match[str]) -> str:
    return next(n for n in match.groups() if n)


def _series_text(series: Mapping[str, Any]) -> str:
    """One ``query_result`` row as Grafana writes it: ``name{a="b"} value timestamp_ms``."""
    labels = dict(series.get("metric") or {})
    name = labels.pop("__name__", "")
    inner = ",".join(f'{k}="{v}"' for k, v in labels.items())
    t, v = series["value"]
    return f"{name}{{{inner}}} {v} {round(float(t) * 1000)}"


class Variables:
    """The dashboard's template variables resolved against Prometheus for one refresh.

    ``selected`` picks values per variable name (``["$__all"]`` for All); by default each
    variable keeps the ``current`` value saved in the dashboard. ``options[name]`` lists the
    values a variable offers, as its query found them.
    """

    def __init__(
        self,
        dashboard: Mapping[str, Any],
        prometheus: Source,
        context: QueryContext,
        *,
        selected: Mapping[str, Sequence[str]] | None = None,
        all_values: bool = False,
        datasource: str = "prometheus",
    ) -> None:
        self.context = context
        self.options: dict[str, list[str]] = {}
        self._values: dict[str, _Value] = {}
        selected = selected or {}
        for variable in (dashboard.get("templating") or {}).get("list") or []:
            name = variable["name"]
            if variable["type"] == "datasource":
                self._values[name] = _Value((datasource,), multi=False)
                continue
            if variable["type"] == "adhoc":
                continue  # ad hoc filters add matchers only when a user sets one
            options = self._options(variable, prometheus)
            self.options[name] = options
            current = list(selected.get(name) or _current(variable, options))
            if variable["type"] == "interval" and current == [f"$__auto_interval_{name}"]:
                current = [self._auto_interval(variable)]
            multi = bool(variable.get("multi") or variable.get("includeAll"))
            if ALL in current:
                raw = None if all_values else variable.get("allValue")
                self._values[name] = _Value(tuple(options), multi, raw or None)
            else:
                self._values[name] = _Value(tuple(current), multi)

    def _options(self, variable: Mapping[str, Any], prometheus: Source) -> list[str]:
        kind = variable["type"]
        query = variable.get("query")
        if kind in ("custom", "interval"):
            items = [i.strip().replace("\\,", ",") for i in _CUSTOM_ITEM.findall(str(query))]
            return [i.split(" : ", 1)[-1] for i in items if i]
        if kind in ("constant", "textbox"):
            return [str(query or "")]
        if kind != "query":
            raise VariableError(f"variable {variable['name']}: type {kind!r} is not emulated")
        text = self.interpolate(query["query"] if isinstance(query, Mapping) else str(query))
        start, end = self.context.start, self.context.end
        values: list[str]
        if match := _LABEL_VALUES.match(text):
            selector, label = match.groups()
            values = prometheus.label_values(label, [selector] if selector else [], start, end)
        elif _LABEL_NAMES.match(text):
            values = prometheus.labels((), start, end)
        elif match := _METRICS.match(text):
            pattern = re.compile(match.group(1).strip())
            names = prometheus.label_values("__name__", (), start, end)
            values = [n for n in names if pattern.search(n)]
        elif match := _QUERY_RESULT.match(text):
            values = [_series_text(s) for s in prometheus.query(match.group(1), time=end)]
        else:
            raise VariableError(
                f"variable {variable['name']}: {text!r} is not a query Grafana's Prometheus "
                "data source runs (label_values, label_names, metrics, query_result)"
            )
        return _filter(values, variable.get("regex") or "", variable.get("sort") or 0)

    def _auto_interval(self, variable: Mapping[str, Any]) -> str:
        """An interval variable's ``auto`` value: range / auto_count, rounded, >= auto_min."""
        count = int(variable.get("auto_count") or 30)
        low = parse_duration(str(variable.get("auto_min") or "10s"))
        seconds = max(round_interval(self.context.range / count), low)
        return f"{seconds:g}s"

    def value(self, name: str, fmt: str | None = None) -> str:
        """What ``$name`` (or ``${name:fmt}``) becomes in a query."""
        return _format(self._values[name], fmt)

    def interpolate(self, expr: str, context: QueryContext | None = None) -> str:
        """``expr`` with every variable and built-in replaced; unknown ones are left as is."""
        builtins = (context or self.context).builtins()

        def replace(match: re.Match[str]) -> str:
            name = _variable_name(match)
            if name in self._values:
                return self.value(name, _variable_format(match))
            return builtins.get(name, match.group(0))

        return VARIABLE_SYNTAX.sub(replace, expr)


def _current(variable: Mapping[str, Any], options: list[str]) -> list[str]:
    """The saved selection; Grafana falls back to the first option when none is saved."""
    current = variable.get("current") or {}
    if "value" not in current:
        if variable.get("includeAll"):
            return [ALL]
        return options[:1]
    value = current["value"]
    return [value] if isinstance(value, str) else list(value)


def _filter(values: list[str], regex: str, sort: int) -> list[str]:
    """A variable's ``regex`` (first group if any) and ``sort`` applied to its values."""
    if regex:
        pattern = re.compile(regex[1:-1] if regex.startswith("/") else regex)
        kept = []
        for v in values:
            m = pattern.search(v)
            if m:
                kept.append(m.group(1) if m.groups() else v)
        values = list(dict.fromkeys(kept))
    if sort in (1, 2, 5, 6, 7, 8):  # alphabetical / case-insensitive / natural
        values = sorted(values, key=str.lower if sort in (5, 6) else None, reverse=sort % 2 == 0)
    elif sort in (3, 4):
        values = sorted(values, key=_number, reverse=sort == 4)
    return values


def _number(value: str) -> float:
    m = re.search(r"-?\d+(\.\d+)?", value)
    return float(m.group(0)) if m else math.inf

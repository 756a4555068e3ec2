"""Run a rendered dashboard's queries the way Grafana would, against a real Prometheus.

No Grafana server can run here, so its query-time behaviour is reproduced from its source
(grafana/grafana, files named below) closely enough that a query which works here works
in Grafana, and returns the same numbers:

* **Template variables** are resolved in dashboard order, each ``label_values(selector,
  label)`` query sent to Prometheus' labels API after the variables before it were
  interpolated into it (chained variables). A multi-value or "All" selection becomes a
  regex of the values (``(a|b)``, each value escaped by ``prometheusSpecialRegexEscape``,
  ``interpolateQueryExpr`` in packages/grafana-prometheus/src/datasource.ts). When a
  variable has a custom all value (``allValue: ".*"``) Grafana inserts it verbatim instead
  (``templateSrv`` "skip formatting of custom all values"); ``all_values=True`` expands All
  to the real values anyway, so the chained variable queries themselves are exercised.
* **Built-ins** are interpolated as the Prometheus backend does (pkg/promlib/models/
  query.go ``InterpolateVariables``): ``$__interval`` is the query step (range / max data
  points, rounded by ``gtime.RoundInterval``, never below the data source's scrape
  interval); ``$__rate_interval`` is ``max($__interval + scrape interval, 4 * scrape
  interval)`` (``calculateRateInterval``; Grafana docs, "Prometheus template variables",
  "Use $__rate_interval"); ``$__range`` is the dashboard range in whole seconds plus ``s``.
* **Formats** ``${var:regex}``, ``:pipe``, ``:csv``, ``:raw``, ``:text`` follow Grafana's
  format registry; ``$datasource`` becomes the data source name.

The variable syntax is the one lint.py already parses (``$var``, ``${var}``,
``${var:format}``, ``[[var]]``): its regex is reused, not rewritten.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Protocol

import attrs

from triton_dashboards.dashboard.lint import VARIABLE as VARIABLE_SYNTAX

__all__ = [
    "LabelSource",
    "QueryContext",
    "Variables",
    "go_duration",
    "grafana_duration",
    "panel_targets",
    "parse_duration",
    "round_interval",
    "run_target",
]

#: ``label_values(metric{...}, label)`` or ``label_values(label)``, as Grafana's
#: metric_find_query.ts matches it.
_LABEL_VALUES = re.compile(r"^label_values\((?:(.+),\s*)?([a-zA-Z_$][a-zA-Z0-9_]*)\)\s*$")
_ALL = "$__all"
#: Grafana's default data source scrape interval when none is configured.
DEFAULT_SCRAPE_INTERVAL = 15.0
#: The Prometheus backend never asks for more points than this per series ("safe" step).
SAFE_RESOLUTION = 11000

# (upper bound in ms, rounded interval in ms), gtime.RoundInterval.
_ROUNDING: tuple[tuple[float, int], ...] = (
    (10, 1),
    (15, 10),
    (35, 20),
    (75, 50),
    (150, 100),
    (350, 200),
    (750, 500),
    (1500, 1000),
    (3500, 2000),
    (7500, 5000),
    (12500, 10000),
    (17500, 15000),
    (25000, 20000),
    (45000, 30000),
    (90000, 60000),
    (210000, 120000),
    (450000, 300000),
    (750000, 600000),
    (1050000, 900000),
    (1500000, 1200000),
    (2700000, 1800000),
    (5400000, 3600000),
    (9000000, 7200000),
    (16200000, 10800000),
    (32400000, 21600000),
    (86400000, 43200000),
    (172800000, 86400000),
    (604800000, 86400000),
    (1814400000, 604800000),
    (3628800000 - 1e-9, 2592000000),
)


def round_interval(seconds: float) -> float:
    """Grafana's "nice" interval at or below ``seconds`` (gtime.RoundInterval)."""
    ms = seconds * 1000
    for bound, rounded in _ROUNDING:
        if ms <= bound:
            return rounded / 1000
    return 31536000.0


def grafana_duration(seconds: float) -> str:
    """``$__interval`` text: the largest whole unit, as gtime.FormatInterval writes it."""
    for unit, size in (("y", 31536000), ("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if seconds >= size:
            return f"{int(seconds // size)}{unit}"
    return f"{max(1, int(seconds * 1000))}ms"


def go_duration(seconds: float) -> str:
    """``$__rate_interval`` text: Go's ``time.Duration.String()`` (``4s``, ``1m30s``, ``1h0m0s``).

    Only whole milliseconds are written; Prometheus accepts every such form but fractions.
    """
    ms = round(seconds * 1000)
    if ms < 1000:
        return f"{ms}ms" if ms else "0s"
    hours, rest = divmod(ms, 3600_000)
    minutes, rest = divmod(rest, 60_000)
    secs = f"{rest // 1000}" + (f".{rest % 1000:03d}".rstrip("0") if rest % 1000 else "")
    if hours:
        return f"{hours}h{minutes}m{secs}s"
    if minutes:
        return f"{minutes}m{secs}s"
    return f"{secs}s"


@attrs.frozen
class QueryContext:
    """One dashboard refresh: time range, data source scrape interval, panel resolution.

    ``max_data_points`` is the panel's width in pixels unless the panel sets it; 1000 is a
    panel half as wide as a 2000 px screen. ``min_interval`` is a panel's "Min interval"
    and ``min_step`` a query's "Min step" (None: the data source's scrape interval).
    ``interval_factor`` is a query's legacy "Resolution" (1/2 is 2): it multiplies the step.
    """

    start: float
    end: float
    scrape_interval: float = DEFAULT_SCRAPE_INTERVAL
    max_data_points: int = 1000
    min_interval: float | None = None
    min_step: float | None = None
    interval_factor: float = 1.0

    @property
    def range(self) -> float:
        return self.end - self.start

    @property
    def interval(self) -> float:
        """The query interval the front end sends (rangeutil.calculateInterval)."""
        low = self.min_interval if self.min_interval is not None else self.scrape_interval
        return max(round_interval(self.range / self.max_data_points), low)

    @property
    def step(self) -> float:
        """The step of range queries and ``$__interval`` (calculatePrometheusInterval)."""
        low = self.min_step if self.min_step is not None else self.interval
        raw = self.range / self.max_data_points
        calculated = low if raw < low else round_interval(raw)
        safe = round_interval(self.range / SAFE_RESOLUTION)
        return max(calculated, safe) * self.interval_factor

    @property
    def rate_interval(self) -> float:
        """``$__rate_interval``: max(interval + scrape interval, 4 × scrape interval).

        "Scrape interval" is the query's Min step when it has one (calculateRateInterval).
        """
        scrape = self.min_step if self.min_step is not None else self.scrape_interval
        return max(self.interval + scrape, 4 * scrape)

    def for_panel(self, panel: Mapping[str, Any], target: Mapping[str, Any]) -> QueryContext:
        """This refresh as one panel's query sees it (its Min interval, Min step, points)."""
        changes: dict[str, Any] = {}
        if panel.get("interval"):
            changes["min_interval"] = parse_duration(panel["interval"])
        if target.get("interval"):
            changes["min_step"] = parse_duration(target["interval"])
        if panel.get("maxDataPoints"):
            changes["max_data_points"] = int(panel["maxDataPoints"])
        if target.get("intervalFactor"):
            changes["interval_factor"] = float(target["intervalFactor"])
        return attrs.evolve(self, **changes) if changes else self

    def builtins(self) -> dict[str, str]:
        """Values of Grafana's built-in variables for this refresh."""
        range_s = round(self.range)
        return {
            "__interval": grafana_duration(self.step),
            "__interval_ms": str(round(self.step * 1000)),
            "__rate_interval": go_duration(self.rate_interval),
            "__rate_interval_ms": str(round(self.rate_interval * 1000)),
            "__range": f"{range_s}s",
            "__range_s": str(range_s),
            "__range_ms": str(round(self.range * 1000)),
            "__from": str(round(self.start * 1000)),
            "__to": str(round(self.end * 1000)),
        }

    def aligned(self) -> tuple[float, float]:
        """Start and end rounded down to a multiple of the step (AlignTimeRange, UTC)."""
        step = self.step
        return math.floor(self.start / step) * step, math.floor(self.end / step) * step


_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d|w|y)")
_UNIT_SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "y": 31536000}


def parse_duration(text: str) -> float:
    """Seconds in a Grafana interval (``30s``, ``1m30s``, ``<10s>``; a bare number is s)."""
    text = text.strip().strip("<>")
    if re.fullmatch(r"\d+", text):
        return float(text)
    parts = _DURATION_PART.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise ValueError(f"{text!r} is not a duration")
    return sum(float(n) * _UNIT_SECONDS[u] for n, u in parts)


class LabelSource(Protocol):
    """What variable queries need from Prometheus (tests.prometheus_server has it)."""

    def label_values(
        self,
        label: str,
        match: Sequence[str] = (),
        start: float | None = None,
        end: float | None = None,
    ) -> list[str]: ...


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
    raise ValueError(f"variable format {fmt!r} is not emulated; add it to grafana_variables")


def _variable_format(match: re.Match[str]) -> str | None:
    text = match.group(0)
    if text.startswith(("${", "[[")) and ":" in text:
        return text[text.index(":") + 1 :].rstrip("}]")
    return None


def _variable_name(match: re.Match[str]) -> str:
    return next(n for n in match.groups() if n)


class Variables:
    """The dashboard's template variables resolved against Prometheus for one refresh.

    ``selected`` picks values per variable name (``["$__all"]`` for All); by default each
    variable keeps the ``current`` value saved in the dashboard. ``all_values`` expands an
    All selection to the real label values even where Grafana would insert the custom all
    value.
    """

    def __init__(
        self,
        dashboard: Mapping[str, Any],
        prometheus: LabelSource,
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
            options = self._options(variable, prometheus)
            self.options[name] = options
            current = selected.get(name) or _current(variable)
            multi = bool(variable.get("multi") or variable.get("includeAll"))
            if _ALL in current:
                raw = None if all_values else variable.get("allValue")
                self._values[name] = _Value(tuple(options), multi, raw or None)
            else:
                self._values[name] = _Value(tuple(current), multi)

    def _options(self, variable: Mapping[str, Any], prometheus: LabelSource) -> list[str]:
        kind = variable["type"]
        query = variable.get("query")
        if kind == "custom":
            return [v.strip() for v in str(query).split(",") if v.strip()]
        if kind in ("constant", "textbox"):
            return [str(query)]
        if kind != "query":
            raise ValueError(f"variable type {kind!r} is not emulated")
        text = query["query"] if isinstance(query, Mapping) else str(query)
        match = _LABEL_VALUES.match(self.interpolate(text))
        if match is None:
            raise ValueError(f"variable {variable['name']}: only label_values() is emulated")
        selector, label = match.groups()
        values = prometheus.label_values(
            label, [selector] if selector else [], self.context.start, self.context.end
        )
        return _filter(values, variable.get("regex") or "", variable.get("sort") or 0)

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


def _current(variable: Mapping[str, Any]) -> list[str]:
    value = (variable.get("current") or {}).get("value", _ALL)
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


def panel_targets(dashboard: Mapping[str, Any]) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """``(panel, target)`` for every Prometheus query, panels inside rows included."""
    for panel in dashboard.get("panels") or []:
        for p in (panel, *(panel.get("panels") or [])):
            for target in p.get("targets") or []:
                if target.get("expr"):
                    yield p, target


class _Querier(Protocol):
    def query(self, expr: str, time: float | None = None) -> list[dict[str, Any]]: ...

    def query_range(
        self, expr: str, start: float, end: float, step: float
    ) -> list[dict[str, Any]]: ...


def run_target(
    prometheus: _Querier,
    variables: Variables,
    panel: Mapping[str, Any],
    target: Mapping[str, Any],
) -> list[dict[str, Any]]:
    """Run one target as Grafana does: instant at the range's end, or range with its step.

    A target that is neither instant nor range runs as a range query (old dashboards);
    one that is both runs as both, and the results are concatenated.
    """
    context = variables.context.for_panel(panel, target)
    expr = variables.interpolate(target["expr"], context)
    results: list[dict[str, Any]] = []
    if target.get("instant"):
        results += prometheus.query(expr, time=context.end)
    if target.get("range") or not target.get("instant"):
        start, end = context.aligned()
        results += prometheus.query_range(expr, start, end, context.step)
    return results

"""What Grafana sends to Prometheus when a dashboard refreshes: one request per target.

The benchmark must load Prometheus the way Grafana does, or its numbers say nothing about
a real refresh. The rules below follow Grafana's code:

* the query interval (PanelQueryRunner): ``roundInterval(range / maxDataPoints)``, where
  maxDataPoints is the panel's width in pixels unless the panel sets it, and no less
  than the panel's min interval or else the data source's scrape interval;
* the Prometheus data source (``createQuery``): step = max(interval x intervalFactor,
  the target's min step, range / 11000); ``$__rate_interval`` = max(step + scrape,
  4 x scrape), scrape being the target's min step when set, else the data source's;
  start and end floored to multiples of the step (``alignRange``, UTC);
* variables set to All become the variable's ``allValue`` when it has one (our
  dashboards say ``.*``), else a regex of every value the variable's
  ``label_values()`` query finds (``(a|b|c)``, values regex-escaped);
* a target is a range query, an instant query (``instant`` without ``range``), or both.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

__all__ = [
    "Interval",
    "Panel",
    "Request",
    "Target",
    "grafana_interval",
    "metric_names",
    "panels_of",
    "requests_for",
    "round_interval_ms",
    "substitute",
    "variable_values",
]


class RefreshError(Exception):
    """A dashboard this module cannot refresh as Grafana would; one line."""


# ------------------------------------------------------------------------- intervals

_NICE_MS = (
    (15, 10), (35, 20), (75, 50), (150, 100), (350, 200), (750, 500), (1500, 1000),
    (3500, 2000), (7500, 5000), (12500, 10000), (17500, 15000), (25000, 20000),
    (45000, 30000), (90000, 60000), (210000, 120000), (450000, 300000), (750000, 600000),
    (1050000, 900000), (1500000, 1200000), (2700000, 1800000), (5400000, 3600000),
    (9000000, 7200000), (16200000, 10800000), (32400000, 21600000), (86400000, 43200000),
    (604800000, 86400000), (1814400000, 604800000), (3628800000, 2592000000),
)  # fmt: skip


def round_interval_ms(ms: float) -> int:
    """Grafana's ``rangeUtil.roundInterval``: the nice interval for a raw one, in ms."""
    for below, nice in _NICE_MS:
        if ms < below:
            return nice
    return 31536000000


_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d|w|y)")
_UNIT_S = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "y": 31536000}


def seconds(text: str) -> float:
    """``"15s"`` -> 15.0, like Grafana's ``rangeUtil.intervalToSeconds``; a bare number is s."""
    text = text.strip()
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return float(text)
    match = _DURATION.fullmatch(text)
    if not match:
        raise RefreshError(f"bad duration {text!r}; write it like 15s, 5m or 1h")
    return float(match.group(1)) * _UNIT_S[match.group(2)]


def duration(s: float) -> str:
    """Seconds as a Prometheus duration: ``240`` -> ``"4m"``, ``90`` -> ``"90s"``."""
    whole = round(s)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if whole >= size and whole % size == 0:
            return f"{whole // size}{unit}"
    return f"{whole}s"


@dataclasses.dataclass(frozen=True)
class Interval:
    """What Grafana computes for one target over one time range, in seconds."""

    step: float  # the query_range step, also $__interval
    rate_interval: float
    start: float
    end: float


def grafana_interval(
    *,
    range_s: float,
    end: float,
    max_data_points: int,
    panel_min_interval: str,
    target_min_step: str,
    interval_factor: float,
    scrape_s: float,
) -> Interval:
    """The step, ``$__rate_interval`` and aligned range Grafana uses (module docstring)."""
    low = seconds(panel_min_interval) if panel_min_interval else scrape_s
    interval = max(round_interval_ms(range_s * 1000 / max_data_points) / 1000, low)
    min_step = seconds(target_min_step) if target_min_step else interval
    scrape = seconds(target_min_step) if target_min_step else scrape_s
    safe = range_s / 11000
    step = max(interval * interval_factor, min_step, math.ceil(safe) if safe > 1 else safe)
    return Interval(
        step=step,
        rate_interval=max(step + scrape, 4 * scrape),
        start=math.floor((end - range_s) / step) * step,
        end=math.floor(end / step) * step,
    )


# ------------------------------------------------------------------------- variables

# $var, ${var}, ${var:format} and [[var]]; $1 (a regex group) is not a variable.
_VAR = re.compile(
    r"\$(?:\{([A-Za-z_]\w*)(?::\w+)?\}|([A-Za-z_]\w*))|\[\[([A-Za-z_]\w*)(?::\w+)?\]\]"
)
_LABEL_VALUES = re.compile(r"\s*label_values\((?:(.*),)?\s*(\w+)\s*\)\s*", re.S)


def substitute(expr: str, values: Mapping[str, str]) -> str:
    """``expr`` with every Grafana variable replaced by its value in ``values``."""

    def value(match: re.Match[str]) -> str:
        name = next(n for n in match.groups() if n)
        if name not in values:
            raise RefreshError(f"no value for Grafana variable ${name} in {expr!r}")
        return values[name]

    return _VAR.sub(value, expr)


def builtins(interval: Interval, range_s: float) -> dict[str, str]:
    """Grafana's global variables for one target."""
    return {
        "__interval": duration(interval.step),
        "__interval_ms": str(int(interval.step * 1000)),
        "__rate_interval": duration(interval.rate_interval),
        "__range": duration(range_s),
        "__range_s": str(int(range_s)),
        "__range_ms": str(int(range_s * 1000)),
    }


def _regex_escape(value: str) -> str:
    """The characters Grafana's ``prometheusSpecialRegexEscape`` escapes."""
    return re.sub(r"([\\^$*+?.()|{}\[\]])", r"\\\1", value)


def variable_values(
    dashboard: Mapping[str, Any], session: Any, url: str, start: float, end: float, *, regex: bool
) -> dict[str, str]:
    """Every template variable set to All, as Grafana interpolates it into a query.

    ``regex`` ignores ``allValue`` and always sends the regex of every value. Values come
    from the variable's ``label_values()`` query over ``start``..``end``, earlier
    variables substituted first (the chain the dashboard defines).
    """
    values: dict[str, str] = {}
    for var in (dashboard.get("templating") or {}).get("list") or []:
        name, kind = var["name"], var.get("type")
        if kind == "datasource":
            values[name] = "prometheus"
        elif kind != "query":
            current = (var.get("current") or {}).get("value", "")
            values[name] = current if isinstance(current, str) else "|".join(current)
        elif var.get("allValue") and not regex:
            values[name] = var["allValue"]
        else:
            query = var.get("query")
            text = query.get("query", "") if isinstance(query, dict) else str(query or "")
            match = _LABEL_VALUES.fullmatch(text)
            if not match:
                raise RefreshError(f"variable ${name}: {text!r} is not label_values(...)")
            params: dict[str, Any] = {"start": start, "end": end}
            if match.group(1):
                params["match[]"] = substitute(match.group(1).strip(), values)
            response = session.get(f"{url}/api/v1/label/{match.group(2)}/values", params=params)
            found = [_regex_escape(v) for v in sorted(response.json().get("data") or [])]
            values[name] = found[0] if len(found) == 1 else "(" + "|".join(found) + ")"
    return values


# ------------------------------------------------------------------------ dashboards


@dataclasses.dataclass(frozen=True)
class Target:
    ref: str
    expr: str
    instant: bool
    ranged: bool
    min_step: str  # the target's "Min step" (`interval`), "" when unset
    interval_factor: float


@dataclasses.dataclass(frozen=True)
class Panel:
    title: str
    kind: str
    columns: int  # width on the 24-column grid
    min_interval: str  # the panel's "Min interval", "" when unset
    max_data_points: int | None
    targets: tuple[Target, ...]


def _walk(items: Sequence[Mapping[str, Any]]) -> Iterator[Mapping[str, Any]]:
    for item in items:
        yield item
        yield from _walk(item.get("panels") or [])


def _target(t: Mapping[str, Any], index: int) -> Target:
    # Grafana's query model: `instant` alone is an instant query, neither flag a range
    # query, both flags both queries.
    instant = bool(t.get("instant"))
    return Target(
        ref=t.get("refId") or chr(ord("A") + index),
        expr=t["expr"].strip(),
        instant=instant,
        ranged=bool(t.get("range")) or not instant,
        min_step=(t.get("interval") or "").strip(),
        interval_factor=float(t.get("intervalFactor") or 1),
    )


def panels_of(dashboard: Mapping[str, Any]) -> list[Panel]:
    """Every panel with a visible query, collapsed rows' panels included, in layout order."""
    out = []
    for p in _walk(dashboard.get("panels") or []):
        raw = [t for t in p.get("targets") or [] if t.get("expr") and not t.get("hide")]
        if raw:
            out.append(
                Panel(
                    title=p.get("title") or f"panel {p.get('id')}",
                    kind=p.get("type", "?"),
                    columns=int((p.get("gridPos") or {}).get("w") or 24),
                    min_interval=(p.get("interval") or "").strip(),
                    max_data_points=p.get("maxDataPoints"),
                    targets=tuple(_target(t, i) for i, t in enumerate(raw)),
                )
            )
    return out


def metric_names(dashboards: Sequence[Mapping[str, Any]], extra: Sequence[str] = ()) -> set[str]:
    """Metric names the targets (and ``extra`` expressions) select: what data they need."""
    import promql_parser as pp

    from triton_dashboards.dashboard import lint

    names: set[str] = set()

    def visit(node: Any) -> bool:
        if isinstance(node, pp.VectorSelector) and node.name:
            names.add(node.name)
        return True

    exprs = [t.expr for d in dashboards for p in panels_of(d) for t in p.targets]
    for expr in [*exprs, *extra]:
        pp.walk(pp.parse(lint.substitute(expr)[0]), pre_visit=visit)
    return names


# -------------------------------------------------------------------------- requests


@dataclasses.dataclass(frozen=True)
class Request:
    """One HTTP request exactly as Grafana would send it."""

    panel: int  # index into the panels it was planned from
    target: int  # index into that panel's targets
    path: str  # /api/v1/query_range or /api/v1/query
    form: dict[str, str]
    step: float
    rate_interval: float


def requests_for(
    panels: Sequence[Panel],
    values: Mapping[str, str],
    *,
    range_s: float,
    end: float,
    width_px: int,
    scrape_s: float,
    screen_px: int = 0,
) -> list[Request]:
    """Every request one refresh of ``panels`` sends for the range ending at ``end``.

    Panels are ``width_px`` wide, or with ``screen_px`` their share of a dashboard that
    wide (a 12-column panel on a 1920 px screen: 960 px), unless they set maxDataPoints.
    """
    out = []
    for i, panel in enumerate(panels):
        width = round(screen_px * panel.columns / 24) if screen_px else width_px
        for j, t in enumerate(panel.targets):
            iv = grafana_interval(
                range_s=range_s,
                end=end,
                max_data_points=panel.max_data_points or width,
                panel_min_interval=panel.min_interval,
                target_min_step=t.min_step,
                interval_factor=t.interval_factor,
                scrape_s=scrape_s,
            )
            expr = substitute(t.expr, {**values, **builtins(iv, range_s)})
            if t.ranged:
                form = {"query": expr, "start": f"{iv.start:.0f}", "end": f"{iv.end:.0f}",
                        "step": f"{iv.step:g}", "stats": "all"}  # fmt: skip
                out.append(Request(i, j, "/api/v1/query_range", form, iv.step, iv.rate_interval))
            if t.instant:
                form = {"query": expr, "time": f"{end:.0f}", "stats": "all"}
                out.append(Request(i, j, "/api/v1/query", form, iv.step, iv.rate_interval))
    return out

"""What Grafana sends to Prometheus when a dashboard refreshes: one request per target.

The benchmark must load Prometheus the way Grafana does, or its numbers say nothing about
a real refresh. Grafana's rules (the query interval, the step, ``$__rate_interval``, the
aligned range, template variables chained through ``label_values()``, "All" as the custom
all value or a regex of every value) are emulated once, in triton_dashboards.inspect
(the engine doctor runs), which the end-to-end tests check on a real Prometheus; this
module only plans the requests: a target is a range query, an instant query (``instant``
without ``range``), or both, and a panel gets as many data points as it is wide in pixels
unless it says.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from triton_dashboards import inspect as gv

__all__ = [
    "Panel",
    "RefreshError",
    "Request",
    "Target",
    "duration",
    "metric_names",
    "panels_of",
    "requests_for",
    "variable_values",
]


class RefreshError(Exception):
    """A dashboard this module cannot refresh as Grafana would; one line."""


def duration(s: float) -> str:
    """Seconds as a Prometheus duration, for reports: ``240`` -> ``"4m"``, ``90`` -> ``"90s"``."""
    whole = round(s)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if whole >= size and whole % size == 0:
            return f"{whole // size}{unit}"
    return f"{whole}s"


# ------------------------------------------------------------------------- variables


def variable_values(
    dashboard: Mapping[str, Any],
    url: str,
    start: float,
    end: float,
    *,
    regex: bool,
    pick: Mapping[str, Sequence[str]] | None = None,
) -> gv.Variables:
    """Every template variable set to All (or to the values ``pick`` gives it), resolved
    over ``start``..``end``.

    ``regex`` ignores ``allValue`` and always sends the regex of every value.
    """
    variables = (dashboard.get("templating") or {}).get("list") or []
    everything = {v["name"]: ["$__all"] for v in variables if v.get("type") == "query"}
    try:
        return gv.Variables(
            dashboard,
            gv.Prometheus(url),
            gv.QueryContext(start=start, end=end),
            selected={**everything, **(pick or {})},
            all_values=regex,
        )
    except ValueError as e:
        raise RefreshError(str(e)) from None


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
    variables: gv.Variables,
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
        refresh = gv.QueryContext(
            start=end - range_s, end=end, scrape_interval=scrape_s, max_data_points=width
        )
        panel_json = {"interval": panel.min_interval, "maxDataPoints": panel.max_data_points}
        for j, t in enumerate(panel.targets):
            target_json = {"interval": t.min_step, "intervalFactor": t.interval_factor}
            try:
                context = refresh.for_panel(panel_json, target_json)
            except ValueError as e:
                raise RefreshError(f"{panel.title}: {e}; write it like 15s, 5m or 1h") from None
            expr = variables.interpolate(t.expr, context)
            if t.ranged:
                start, stop = context.aligned()
                form = {"query": expr, "start": f"{start:.0f}", "end": f"{stop:.0f}",
                        "step": f"{context.step:g}", "stats": "all"}  # fmt: skip
                out.append(
                    Request(i, j, "/api/v1/query_range", form, context.step, context.rate_interval)
                )
            if t.instant:
                form = {"query": expr, "time": f"{end:.0f}", "stats": "all"}
                out.append(
                    Request(i, j, "/api/v1/query", form, context.step, context.rate_interval)
                )
    return out

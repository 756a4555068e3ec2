"""The minimum interval of the stock panels: what one point of their series stands for.

A recorded series has one point per rule evaluation (Prometheus' default 1m, unless the
rules say otherwise): a finer query step only repeats points and multiplies the work, so
the recorded variants set every panel's minimum interval to the rules' evaluation
interval. On raw series the minimum interval is left to the data source's "Scrape
interval" setting, which Grafana also uses for ``$__rate_interval``: set it to the real
scrape interval and both follow.
"""

from __future__ import annotations

from collections.abc import Iterable

from grafanalib import core as g

from triton_dashboards.dashboard.layout import Row
from triton_dashboards.dashboard.stock.selection import Variant

__all__ = ["DEFAULT_EVALUATION_INTERVAL", "min_interval", "with_min_interval"]

#: Prometheus' default ``evaluation_interval``.
DEFAULT_EVALUATION_INTERVAL = "1m"


def min_interval(variant: Variant) -> str | None:
    """The rules' evaluation interval on a recorded variant; None (the data source's) on raw."""
    if variant.recording is None:
        return None
    return variant.recording.interval or DEFAULT_EVALUATION_INTERVAL


def with_min_interval(variant: Variant, rows: Iterable[Row], *panels: g.Panel) -> list[Row]:
    """``rows`` (and the loose ``panels``) with each panel's minimum interval set."""
    out = list(rows)
    interval = min_interval(variant)
    for panel in [*panels, *(p for row in out for p in row.panels)]:
        panel.interval = interval
    return out

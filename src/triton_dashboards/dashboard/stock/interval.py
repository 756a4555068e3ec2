"""How finely the stock panels ask for points: minimum interval and maximum points.

* **Minimum interval.** A recorded series has one point per rule evaluation (Prometheus'
  default 1m, unless the rules say otherwise): a finer query step only repeats points and
  multiplies the work, so the recorded variants set every panel's minimum interval to the
  rules' evaluation interval. On raw series it is left to the data source's "Scrape
  interval" setting, which Grafana also uses for ``$__rate_interval``: set it to the real
  scrape interval and both follow.
* **Maximum points.** Every time series asks for at most :data:`MAX_POINTS` points. Each
  point is a ``rate()`` over ``$__rate_interval`` (four scrapes at least) of every series
  selected, so at a 60 s scrape one point a minute reads each sample four times; one
  every five minutes (24 h / 300) reads it about once. Up to about 6 h the cap changes
  nothing (the scrape interval is the coarser bound); over a day a line keeps ~300
  points, more than a panel's width shows apart.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from triton_dashboards.dashboard.layout import Row
from triton_dashboards.dashboard.schema.panel import Panel
from triton_dashboards.dashboard.stock.selection import Variant

__all__ = ["DEFAULT_EVALUATION_INTERVAL", "MAX_POINTS", "min_interval", "with_resolution"]

#: Prometheus' default ``evaluation_interval``.
DEFAULT_EVALUATION_INTERVAL = "1m"
#: The most points a stock time series asks for.
MAX_POINTS = 300


def min_interval(variant: Variant) -> str | None:
    """The rules' evaluation interval on a recorded variant; None (the data source's) on raw."""
    if variant.recording is None:
        return None
    return variant.recording.interval or DEFAULT_EVALUATION_INTERVAL


def with_resolution(variant: Variant, rows: Iterable[Row]) -> list[Row]:
    """``rows`` with each panel's minimum interval set, and each time series capped at
    :data:`MAX_POINTS`."""
    interval = min_interval(variant)

    def resolved(panel: Panel) -> Panel:
        points = MAX_POINTS if panel.kind == "timeseries" else panel.max_data_points
        return attrs.evolve(panel, interval=interval, max_data_points=points)

    return [row.map(resolved) for row in rows]

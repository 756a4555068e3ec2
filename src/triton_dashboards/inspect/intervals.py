"""Grafana's time arithmetic for one dashboard refresh: the query interval, the step of a
range query, ``$__interval``, ``$__rate_interval`` and ``$__range``.

Reproduced from Grafana's source so that a query run here asks Prometheus exactly what the
panel asks: ``gtime.RoundInterval`` and ``FormatInterval`` (pkg/components/gtime),
``calculateInterval`` (rangeutil), the Prometheus backend's ``calculatePrometheusInterval``,
``calculateRateInterval`` and ``InterpolateVariables`` (pkg/promlib/models/query.go), and
``AlignTimeRange``. ``$__rate_interval`` is ``max($__interval + scrape interval, 4 × scrape
interval)``, so a server's real scrape interval matters: Grafana reads it from the data
source's setting, doctor from the server's targets.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Mapping
from typing import Any

import attrs

__all__ = [
    "DEFAULT_SCRAPE_INTERVAL",
    "SAFE_RESOLUTION",
    "QueryContext",
    "go_duration",
    "grafana_duration",
    "parse_duration",
    "round_interval",
]

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

    @classmethod
    def last(
        cls,
        seconds: float,
        *,
        end: float | None = None,
        scrape_interval: float = DEFAULT_SCRAPE_INTERVAL,
        max_data_points: int = 1000,
    ) -> QueryContext:
        """The refresh of a dashboard showing the last ``seconds`` up to ``end`` (now)."""
        stop = time.time() if end is None else end
        return cls(
            start=stop - seconds,
            end=stop,
            scrape_interval=scrape_interval,
            max_data_points=max_data_points,
        )

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

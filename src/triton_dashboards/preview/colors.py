"""Grafana's colours: the named ones thresholds and overrides use, and the classic palette.

A preview is drawn on Grafana's dark theme, so "green" is the dark theme's green (#73BF69),
the colour a Grafana user knows from their own panels; series without a fixed colour take
the classic palette in order, as ``palette-classic`` does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["CLASSIC_PALETTE", "named", "threshold_color"]

#: The dark theme's visualization colours (the "main" shade of each hue, and its variants).
_NAMED = {
    "green": "#73BF69",
    "semi-dark-green": "#56A64B",
    "dark-green": "#37872D",
    "light-green": "#96D98D",
    "red": "#F2495C",
    "semi-dark-red": "#E02F44",
    "dark-red": "#C4162A",
    "light-red": "#FF7383",
    "orange": "#FF9830",
    "semi-dark-orange": "#FF780A",
    "dark-orange": "#FA6400",
    "light-orange": "#FFB357",
    "yellow": "#FADE2A",
    "semi-dark-yellow": "#F2CC0C",
    "dark-yellow": "#E0B400",
    "light-yellow": "#FFEE52",
    "blue": "#5794F2",
    "semi-dark-blue": "#3274D9",
    "dark-blue": "#1F60C4",
    "light-blue": "#8AB8FF",
    "purple": "#B877D9",
    "semi-dark-purple": "#A352CC",
    "dark-purple": "#8F3BB8",
    "light-purple": "#CA95E5",
    "text": "#CCCCDC",
    "transparent": "transparent",
}

#: ``palette-classic``: series colours in order.
CLASSIC_PALETTE: Sequence[str] = (
    "#7EB26D", "#EAB839", "#6ED0E0", "#EF843C", "#E24D42", "#1F78C1", "#BA43A9", "#705DA0",
    "#508642", "#CCA300", "#447EBC", "#C15C17", "#890F02", "#0A437C", "#6D1F62", "#584477",
    "#B7DBAB", "#F4D598", "#70DBED", "#F9BA8F", "#F29191", "#82B5D8", "#E5A8E2", "#AEA2E0",
)  # fmt: skip


def named(color: str | None) -> str:
    """A CSS colour for a Grafana colour name, hex or rgb(a) value."""
    if not color:
        return _NAMED["text"]
    return _NAMED.get(color, color)


def threshold_color(
    value: float | None,
    thresholds: Mapping[str, Any] | None,
    low: float = 0.0,
    high: float = 100.0,
) -> str:
    """The colour of the last threshold step at or below ``value``.

    The first step's value is null (minus infinity). In ``percentage`` mode the steps are
    percentages of the panel's range ``low``..``high``, as Grafana reads them.
    """
    steps = list((thresholds or {}).get("steps") or [])
    if not steps:
        return _NAMED["green"]
    color = steps[0].get("color")
    if value is not None and (thresholds or {}).get("mode") == "percentage":
        value = (value - low) / (high - low) * 100 if high > low else 0.0
    if value is not None:
        for step in steps[1:]:
            bound = step.get("value")
            if bound is not None and value >= float(bound):
                color = step.get("color")
    return named(color)

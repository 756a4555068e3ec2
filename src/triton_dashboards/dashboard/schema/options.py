"""The closed choices of Grafana's panel options, as enums, and the check that takes them.

Grafana stores these options as strings and ignores a value it does not know: a time
series with ``drawStyle: "lines"`` (not ``"line"``) draws with the default style, a legend
calc ``"avg"`` (not ``"mean"``) shows an empty column. The panel functions take a member
of these enums, or its string value, and anything else fails when the panel is made, with
the allowed values in the message (:func:`choose`).

The values are Grafana's (grafana-foundation-sdk ``common.jsonschema.json`` and the panel
schemas; the reducers are ``ReducerID`` of ``packages/grafana-data`` ``fieldReducer.ts``).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import TypeVar

__all__ = [
    "BarGaugeDisplayMode",
    "ColorMode",
    "DrawStyle",
    "GraphMode",
    "LegendDisplayMode",
    "LegendPlacement",
    "OptionError",
    "Orientation",
    "QueryFormat",
    "Reducer",
    "SortOrder",
    "StackingMode",
    "StatColorMode",
    "TextDisplayMode",
    "TextMode",
    "ThresholdsMode",
    "ThresholdsStyle",
    "TooltipMode",
    "choose",
    "choose_all",
]


class OptionError(ValueError):
    """A panel option Grafana would not understand; one line naming the panel and the
    allowed values."""


class _Choice(str, enum.Enum):
    """A string enum whose ``str()`` is its value (what Grafana stores)."""

    def __str__(self) -> str:
        return str(self.value)


class DrawStyle(_Choice):
    """How a time series draws its points."""

    LINE = "line"
    BARS = "bars"
    POINTS = "points"


class LegendDisplayMode(_Choice):
    LIST = "list"
    TABLE = "table"
    HIDDEN = "hidden"


class LegendPlacement(_Choice):
    BOTTOM = "bottom"
    RIGHT = "right"


class TooltipMode(_Choice):
    SINGLE = "single"
    MULTI = "multi"
    NONE = "none"


class SortOrder(_Choice):
    """The order of the series in a tooltip."""

    ASCENDING = "asc"
    DESCENDING = "desc"
    NONE = "none"


class StackingMode(_Choice):
    NONE = "none"
    NORMAL = "normal"
    PERCENT = "percent"


class ThresholdsMode(_Choice):
    """Absolute values, or percentages of the field's min..max."""

    ABSOLUTE = "absolute"
    PERCENTAGE = "percentage"


class ThresholdsStyle(_Choice):
    """Whether and how a time series draws its thresholds."""

    OFF = "off"
    LINE = "line"
    DASHED = "dashed"
    AREA = "area"
    LINE_AND_AREA = "line+area"
    DASHED_AND_AREA = "dashed+area"
    SERIES = "series"


class Reducer(_Choice):
    """How a series becomes one number: a legend column, a stat, a gauge."""

    LAST_NOT_NULL = "lastNotNull"
    LAST = "last"
    FIRST_NOT_NULL = "firstNotNull"
    FIRST = "first"
    MEAN = "mean"
    MEDIAN = "median"
    MAX = "max"
    MIN = "min"
    SUM = "sum"
    COUNT = "count"
    RANGE = "range"
    DELTA = "delta"
    STEP = "step"
    DIFF = "diff"
    DIFF_PERCENT = "diffperc"
    LOG_MIN = "logmin"
    VARIANCE = "variance"
    STD_DEV = "stdDev"
    CHANGE_COUNT = "changeCount"
    DISTINCT_COUNT = "distinctCount"
    ALL_IS_ZERO = "allIsZero"
    ALL_IS_NULL = "allIsNull"
    ALL_VALUES = "allValues"
    UNIQUE_VALUES = "uniqueValues"


class StatColorMode(_Choice):
    """What a stat colours by its thresholds: the number, the background, or nothing."""

    VALUE = "value"
    BACKGROUND = "background"
    BACKGROUND_SOLID = "background_solid"
    NONE = "none"


class GraphMode(_Choice):
    """The sparkline under a stat's number."""

    NONE = "none"
    LINE = "line"
    AREA = "area"


class TextMode(_Choice):
    """What a stat shows: the value, the series name, both."""

    AUTO = "auto"
    VALUE = "value"
    VALUE_AND_NAME = "value_and_name"
    NAME = "name"
    NONE = "none"


class Orientation(_Choice):
    AUTO = "auto"
    VERTICAL = "vertical"
    HORIZONTAL = "horizontal"


class BarGaugeDisplayMode(_Choice):
    BASIC = "basic"
    LCD = "lcd"
    GRADIENT = "gradient"


class ColorMode(_Choice):
    """Where a field's colour comes from (``fieldConfig.defaults.color.mode``)."""

    THRESHOLDS = "thresholds"
    PALETTE_CLASSIC = "palette-classic"
    PALETTE_CLASSIC_BY_NAME = "palette-classic-by-name"
    FIXED = "fixed"
    SHADES = "shades"
    CONTINUOUS_GREEN_YELLOW_RED = "continuous-GrYlRd"
    CONTINUOUS_RED_YELLOW_GREEN = "continuous-RdYlGr"
    CONTINUOUS_BLUE_YELLOW_RED = "continuous-BlYlRd"
    CONTINUOUS_YELLOW_RED = "continuous-YlRd"
    CONTINUOUS_BLUE_PURPLE = "continuous-BlPu"
    CONTINUOUS_YELLOW_BLUE = "continuous-YlBl"
    CONTINUOUS_BLUES = "continuous-blues"
    CONTINUOUS_REDS = "continuous-reds"
    CONTINUOUS_GREENS = "continuous-greens"
    CONTINUOUS_PURPLES = "continuous-purples"


class TextDisplayMode(_Choice):
    """How a text panel reads its content."""

    MARKDOWN = "markdown"
    HTML = "html"
    CODE = "code"


class QueryFormat(_Choice):
    """How Prometheus' answer becomes data frames."""

    TIME_SERIES = "time_series"
    TABLE = "table"
    HEATMAP = "heatmap"


E = TypeVar("E", bound=_Choice)


def _allowed(kind: type[E]) -> str:
    return ", ".join(repr(member.value) for member in kind)


def choose(kind: type[E], value: E | str, option: str, panel: str) -> E:
    """``value`` as a member of ``kind``, or :class:`OptionError` naming ``panel``.

    A member is taken as it is; a string only when it is one of the values (Grafana's
    spelling, ``"line"``), never a member's Python name.
    """
    if isinstance(value, kind):
        return value
    if isinstance(value, str):
        for member in kind:
            if member.value == value:
                return member
    raise OptionError(
        f"panel {panel!r}: {option}={value!r} is not a Grafana {kind.__name__}; "
        f"use one of {_allowed(kind)} (or a {kind.__name__} member)"
    )


def choose_all(kind: type[E], values: Iterable[E | str], option: str, panel: str) -> tuple[E, ...]:
    """Each of ``values`` through :func:`choose`; a lone string is refused, not spelled out."""
    if isinstance(values, str):
        raise OptionError(
            f"panel {panel!r}: {option}={values!r} must be a list of {kind.__name__} values, "
            f"e.g. ({_allowed(kind).split(', ')[0]},)"
        )
    return tuple(choose(kind, value, option, panel) for value in values)

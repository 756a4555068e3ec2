"""Values written as Grafana writes them for a panel's unit.

A preview is only useful if "4.96 ms" on it is what the same panel shows in Grafana, so the
rules follow Grafana's value formatters (packages/grafana-data/src/valueFormats in the
grafana repository: ``toFixed`` and its automatic decimals, ``scaledUnits``, the SI and
binary prefixes, the time units that step from µs to ms to s to min):

* with no ``decimals`` set, the number of decimals depends on the value's magnitude: two
  significant digits, three when the leading digits are above 2.25 (``1.50``, ``0.0231``,
  ``121``), none for a whole number;
* ``short`` scales by thousands (`` K``, `` Mil``, `` Bil``); ``reqps``/``ops`` by
  thousands with ``K``/``M`` and the rate after (``20.3 req/s``, ``1.20K req/s``); ``bytes`` by 1024
  (``KiB``, ``MiB``, ``GiB``); ``watt``/``joule`` by SI prefixes (``mW``, ``kW``);
* ``s``, ``ms`` and ``µs`` move to the unit that keeps the number readable (``1.85 ms``
  for 1850 µs, ``2.50 min`` for 150 s);
* an unknown unit id is written after the number, as Grafana does with a custom unit.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

__all__ = ["UNITS", "format_value", "to_fixed"]

Formatter = Callable[[float, "int | None"], str]


def _decimals_for(value: float) -> int:
    """Grafana's automatic decimals (``getDecimalsForValue``)."""
    if value % 1 == 0:
        return 0
    dec = -math.floor(math.log10(abs(value))) + 1
    magnitude = 10.0**-dec
    if value / magnitude > 2.25:
        dec += 1
    return max(0, dec)


def _js_number(value: float) -> str:
    """A float as JavaScript's ``String(number)`` writes it (no trailing ``.0``)."""
    if value == int(value) and abs(value) < 1e21:
        return str(int(value))
    text = repr(value)
    if "e" in text:
        mantissa, exponent = text.split("e")
        sign = "-" if exponent.startswith("-") else "+"
        return f"{mantissa}e{sign}{int(exponent.lstrip('+-'))}"
    return text


def _round_half_up(value: float) -> float:
    """JavaScript's ``Math.round`` (halves go up, also for negative numbers)."""
    return math.floor(value + 0.5)


def to_fixed(value: float, decimals: int | None = None) -> str:
    """The number part of a formatted value (``toFixed``)."""
    if math.isinf(value):
        return "∞" if value > 0 else "-∞"
    if math.isnan(value):
        return "NaN"
    if decimals is None:
        decimals = _decimals_for(value)
    if value == 0:
        return f"{0:.{decimals}f}"
    factor = 10**decimals if decimals > 0 else 1
    formatted = _js_number(_round_half_up(value * factor) / factor)
    if "e" in formatted:
        return formatted
    point = formatted.find(".")
    precision = 0 if point < 0 else len(formatted) - point - 1
    if precision < decimals:
        return (formatted if precision else formatted + ".") + "0" * (decimals - precision)
    return formatted


def _fixed_unit(unit: str) -> Formatter:
    suffix = f" {unit}" if unit else ""
    return lambda value, decimals: to_fixed(value, decimals) + suffix


def _scaled(factor: int, suffixes: Sequence[str], offset: int = 0) -> Formatter:
    """``scaledUnits``: the power of ``factor`` below the value picks the suffix."""

    def format_(value: float, decimals: int | None) -> str:
        if not math.isfinite(value):
            return to_fixed(value, decimals)
        power = math.floor(math.log(abs(value), factor)) if value else -offset
        # log(1000, 1000) may come out as 2.9999999999999996
        if value and abs(value) >= factor ** (power + 1):
            power += 1
        index = min(max(offset + power, 0), len(suffixes) - 1)
        scale = min(max(power, -offset), len(suffixes) - offset - 1)
        return to_fixed(value / factor**scale, decimals) + suffixes[index]

    return format_


_SI = ("f", "p", "n", "µ", "m", "c", "d", "", "da", "h", "k", "M", "G", "T", "P", "E", "Z", "Y")
_SI_THOUSANDS = ("f", "p", "n", "µ", "m", "", "k", "M", "G", "T", "P", "E", "Z", "Y")


def _si(unit: str, offset: int = 0) -> Formatter:
    """Decimal SI prefixes in steps of 1000 (``watt``: ``mW``, ``W``, ``kW``, ...)."""
    base = _SI_THOUSANDS.index("")
    return _scaled(1000, [f" {p}{unit}" for p in _SI_THOUSANDS], base + offset)


def _binary(unit: str, offset: int = 0) -> Formatter:
    prefixes = ("", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi")[offset:]
    return _scaled(1024, [f" {p}{unit}" for p in prefixes])


def _count(unit: str) -> Formatter:
    """``reqps``, ``ops``, ...: thousands as K, M, B, T, then what is counted per second."""
    scaled = _scaled(1000, ["", "K", "M", "B", "T"])
    return lambda value, decimals: f"{scaled(value, decimals)} {unit}"


def _steps(steps: Sequence[tuple[float, float, str]], last: tuple[float, str]) -> Formatter:
    """A time unit: the first ``(below, divisor, name)`` whose bound the value is under."""

    def format_(value: float, decimals: int | None) -> str:
        for below, divisor, name in steps:
            if abs(value) < below:
                return f"{to_fixed(value / divisor, decimals)} {name}"
        return f"{to_fixed(value / last[0], decimals)} {last[1]}"

    return format_


_SECONDS_STEPS = _steps(
    [
        (1e-6, 1e-9, "ns"),
        (1e-3, 1e-6, "µs"),
        (1, 1e-3, "ms"),
        (60, 1, "s"),
        (3600, 60, "min"),
        (86400, 3600, "hour"),
        (604800, 86400, "day"),
        (31536000, 604800, "week"),
    ],
    (3.15569e7, "year"),
)


def _seconds(value: float, decimals: int | None) -> str:
    """``s``: zero is ``0 s`` (not ``0 ns``), the rest steps from ns to years."""
    return "0 s" if value == 0 else _SECONDS_STEPS(value, decimals)


_MILLISECONDS = _steps(
    [
        (1000, 1, "ms"),
        (60000, 1000, "s"),
        (3600000, 60000, "min"),
        (86400000, 3600000, "hour"),
        (31536000000, 86400000, "day"),
    ],
    (31536000000, "year"),
)
_MICROSECONDS = _steps([(1000, 1, "µs"), (1e6, 1000, "ms")], (1e6, "s"))
_NANOSECONDS = _steps(
    [(1000, 1, "ns"), (1e6, 1000, "µs"), (1e9, 1e6, "ms"), (60e9, 1e9, "s")], (60e9, "min")
)


def _percent(scale: float) -> Formatter:
    return lambda value, decimals: to_fixed(value * scale, decimals) + "%"


#: Every unit id the preview formats as Grafana does (the committed dashboards use a dozen).
UNITS: dict[str, Formatter] = {
    "none": _fixed_unit(""),
    "short": _scaled(1000, ["", " K", " Mil", " Bil", " Tri", " Quadr", " Quint", " Sext"]),
    "percent": _percent(1),
    "percentunit": _percent(100),
    "ns": _NANOSECONDS,
    "µs": _MICROSECONDS,
    "ms": _MILLISECONDS,
    "s": _seconds,
    "bytes": _binary("B"),
    "kbytes": _binary("B", 1),
    "mbytes": _binary("B", 2),
    "decbytes": _si("B"),
    "bits": _binary("b"),
    "Bps": _si("B/s"),
    "binBps": _binary("B/s"),
    "watt": _si("W"),
    "kwatt": _si("W", 1),
    "joule": _si("J"),
    "watth": _si("Wh"),
    "kwatth": _si("Wh", 1),
    "hertz": _si("Hz"),
    "celsius": _fixed_unit("°C"),
    "reqps": _count("req/s"),
    "reqpm": _count("req/m"),
    "ops": _count("ops/s"),
    "opm": _count("ops/m"),
    "cps": _count("c/s"),
    "cpm": _count("c/m"),
    "rps": _count("rd/s"),
    "wps": _count("wr/s"),
    "iops": _count("io/s"),
}
UNITS["us"] = UNITS["µs"]  # "us" is an alias some dashboards use


def format_value(value: float | None, unit: str | None = None, decimals: int | None = None) -> str:
    """``value`` as a Grafana panel with ``unit`` and ``decimals`` shows it.

    None (no data) is an empty string, as Grafana leaves it to the panel's "No data".
    A ``suffix:X``/``prefix:X`` unit writes X after/before the number.
    """
    if value is None:
        return ""
    unit = unit or "none"
    formatter = UNITS.get(unit)
    if formatter is not None:
        return formatter(value, decimals)
    kind, _, text = unit.partition(":")
    if kind == "prefix" and text:
        return text + to_fixed(value, decimals)
    if kind == "suffix" and text:
        return to_fixed(value, decimals) + f" {text}"
    return _fixed_unit(unit)(value, decimals)

"""Values written as Grafana writes them, for every unit the committed dashboards use.

The expected texts follow Grafana's value formatters (packages/grafana-data/src/
valueFormats): automatic decimals (two significant digits, three above 2.25, none for
whole numbers), thousands for ``short`` and the throughput units, 1024 for ``bytes``, SI
prefixes for ``watt`` and ``joule``, and the time units stepping up as the value grows.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from triton_dashboards.preview.units import UNITS, format_value, to_fixed

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("value", "decimals", "text"),
    [
        (121.23, None, "121"),
        (2.5, None, "2.50"),
        (1.5, None, "1.50"),
        (0.0231, None, "0.0231"),
        (0.0099, None, "0.00990"),
        (20.3, None, "20.3"),
        (183.5, None, "184"),
        (4, None, "4"),
        (0, None, "0"),
        (4, 2, "4.00"),
        (12.345, 1, "12.3"),
        # a negative number never gets the extra decimal (Grafana compares it with its sign)
        (-0.5, None, "-0.50"),
        (float("inf"), None, "∞"),
    ],
)
def test_numbers_take_grafanas_automatic_decimals(
    value: float, decimals: int | None, text: str
) -> None:
    assert to_fixed(value, decimals) == text


@pytest.mark.parametrize(
    ("value", "unit", "decimals", "text"),
    [
        (0.0231, "percentunit", None, "2.31%"),
        (1, "percentunit", None, "100%"),
        (0.0099, "percentunit", 1, "1.0%"),
        (0, "percentunit", None, "0%"),
        (37.5, "percent", None, "37.5%"),
        (121.23, "short", None, "121"),
        (1500, "short", None, "1.50 K"),
        (-1500, "short", None, "-1.5 K"),
        (2_500_000, "short", None, "2.50 Mil"),
        (0.25, "short", None, "0.250"),
        (850, "µs", None, "850 µs"),
        (1850, "µs", None, "1.85 ms"),
        (2_500_000, "µs", None, "2.50 s"),
        (10059, "µs", None, "10.1 ms"),
        (0.25, "s", None, "250 ms"),
        (0, "s", None, "0 s"),
        (45, "s", None, "45 s"),
        (150, "s", None, "2.50 min"),
        (7200, "s", None, "2 hour"),
        (19.2, "ms", None, "19.2 ms"),
        (1500, "ms", None, "1.50 s"),
        (20.3, "reqps", None, "20.3 req/s"),
        (1200, "reqps", None, "1.20K req/s"),
        (1212, "reqpm", None, "1.21K req/m"),
        (10, "ops", None, "10 ops/s"),
        (1_572_864, "bytes", None, "1.50 MiB"),
        (9_663_676_416, "bytes", None, "9 GiB"),
        (512, "bytes", None, "512 B"),
        (183.5, "watt", None, "184 W"),
        (1500, "watt", None, "1.50 kW"),
        (3_600_000, "joule", None, "3.60 MJ"),
        (4.5, "none", 2, "4.50"),
        (4.5, None, None, "4.50"),
        (3, "suffix:pods", None, "3 pods"),
        (3, "req", None, "3 req"),
    ],
)
def test_units_are_written_as_grafana_writes_them(
    value: float, unit: str | None, decimals: int | None, text: str
) -> None:
    assert format_value(value, unit, decimals) == text


def test_no_value_is_an_empty_text() -> None:
    assert format_value(None, "µs") == ""


def test_every_unit_of_the_committed_dashboards_is_formatted() -> None:
    used: set[str] = set()

    def walk(panels: list[dict]) -> None:  # type: ignore[type-arg]
        for panel in panels:
            config = panel.get("fieldConfig") or {}
            if unit := (config.get("defaults") or {}).get("unit"):
                used.add(unit)
            for override in config.get("overrides") or []:
                used.update(p["value"] for p in override["properties"] if p["id"] == "unit")
            walk(panel.get("panels") or [])

    for path in sorted((ROOT / "dashboards").glob("*.json")):
        walk(json.loads(path.read_text(encoding="utf-8"))["panels"])
    assert used, "no units found in the committed dashboards"
    assert used <= set(UNITS), used - set(UNITS)

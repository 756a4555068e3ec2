"""What the stock panels share: titles from the scope, colours, thresholds, catalog units."""

from __future__ import annotations

from triton_dashboards.catalog import Metric
from triton_dashboards.dashboard.panels.base import Threshold
from triton_dashboards.query.scope import Scope

__all__ = [
    "FAILED",
    "FAILURE_RATIO_THRESHOLDS",
    "SUCCEEDED",
    "USAGE_THRESHOLDS",
    "title_prefix",
    "unit_of",
    "with_suffix",
]

#: Failures are red wherever they appear, successes green.
FAILED = "red"
SUCCEEDED = "green"
#: A failure ratio is worth a look at 1 % and alarming once failures outnumber successes.
FAILURE_RATIO_THRESHOLDS: tuple[Threshold, ...] = ((None, "green"), (0.01, "orange"), (0.5, "red"))
#: Utilization and memory: fine below 80 %, tight above 90 %.
USAGE_THRESHOLDS: tuple[Threshold, ...] = ((None, "green"), (0.8, "orange"), (0.9, "red"))


def title_prefix(scope: Scope) -> str:
    """The literal model a scope pins, for titles: ``"ner_pipeline: "`` or ``""``."""
    return f"{scope.model_name}: " if scope.model_name is not None else ""


def with_suffix(legend: str, suffix: str) -> str:
    """A legend with a word after it, or the word alone when there is no legend."""
    return f"{legend} {suffix}" if legend else suffix


def unit_of(*metrics: Metric) -> str:
    """The one Grafana unit of the families a panel plots side by side.

    One axis has one unit: families that differ in unit on one panel are a mistake.
    """
    units = sorted({metric.unit for metric in metrics})
    if len(units) != 1:
        names = ", ".join(metric.name for metric in metrics)
        raise ValueError(f"{names} do not share a unit ({', '.join(units)}); plot them apart")
    return units[0]

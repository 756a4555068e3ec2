"""A panel of today's Grafana: its queries, its visualization and how it shows numbers.

:class:`Panel` is what every panel function returns and what both writers read
(:mod:`.v1` for the classic dashboard JSON, :mod:`.v2` for the ``dashboard.grafana.app/v2``
resource). It has no size: where a panel sits is layout data
(:mod:`triton_dashboards.dashboard.layout`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import attrs

from triton_dashboards.dashboard.schema.field import FieldDefaults, Override
from triton_dashboards.dashboard.schema.options import QueryFormat
from triton_dashboards.dashboard.schema.viz import Viz

__all__ = [
    "DATASOURCE",
    "DATASOURCE_VARIABLE",
    "DataSourceRef",
    "Panel",
    "Target",
    "Transformation",
]


@attrs.frozen
class DataSourceRef:
    """A data source by plugin type and uid (``${datasource}`` for the picker variable)."""

    type: str
    uid: str

    def to_json(self) -> dict[str, str]:
        return {"type": self.type, "uid": self.uid}


#: Name of the data source template variable every panel reads from.
DATASOURCE_VARIABLE = "datasource"
#: The Prometheus data source the ``$datasource`` variable picks: every stock panel's.
DATASOURCE = DataSourceRef("prometheus", "${" + DATASOURCE_VARIABLE + "}")


@attrs.frozen
class Target:
    """One Prometheus query of a panel, lettered by ``ref_id``."""

    expr: str
    ref_id: str
    legend: str = ""
    instant: bool = False
    format: QueryFormat = QueryFormat.TIME_SERIES
    datasource: DataSourceRef = DATASOURCE

    def spec(self) -> dict[str, Any]:
        """The query as the Prometheus plugin stores it (v1 target and v2 query spec)."""
        return {
            "editorMode": "code",
            "expr": self.expr,
            "format": str(self.format),
            "instant": self.instant,
            "legendFormat": self.legend or "__auto",
            "range": not self.instant,
        }


@attrs.frozen
class Transformation:
    """A data transformation Grafana applies before the visualization (``id`` + options)."""

    id: str
    options: dict[str, Any] = attrs.Factory(dict)


def _tuple(items: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(items)


@attrs.frozen
class Panel:
    """A panel: title, queries, visualization (:mod:`.viz`), field defaults and overrides.

    ``interval`` is the minimum query step (``1m``); ``max_data_points`` caps the points
    Grafana asks for. ``id`` is given by the layout unless set.
    """

    title: str
    viz: Viz
    description: str = ""
    targets: tuple[Target, ...] = attrs.field(default=(), converter=_tuple)
    defaults: FieldDefaults | None = None
    overrides: tuple[Override, ...] = attrs.field(default=(), converter=_tuple)
    transformations: tuple[Transformation, ...] = attrs.field(default=(), converter=_tuple)
    datasource: DataSourceRef | None = DATASOURCE
    interval: str | None = None
    max_data_points: int | None = None
    id: int | None = None

    @property
    def kind(self) -> str:
        """Grafana's plugin id: ``timeseries``, ``stat``, ..."""
        return self.viz.kind

    def field_config(self, link_format: str = "v1") -> dict[str, Any]:
        """``fieldConfig``: defaults (with the visualization's custom options) and overrides."""
        defaults: dict[str, Any] = {}
        if self.defaults is not None:
            custom = self.viz.custom()
            field = self.defaults if custom is None else attrs.evolve(self.defaults, custom=custom)
            defaults = field.to_json(link_format)
        return {"defaults": defaults, "overrides": [o.to_json() for o in self.overrides]}

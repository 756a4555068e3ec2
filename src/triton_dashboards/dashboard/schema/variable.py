"""Template variables: the data source picker, label-value queries, fixed lists.

Three kinds cover the stock dashboards and a user's: :class:`DatasourceVariable`,
:class:`QueryVariable` (a Prometheus ``label_values(...)`` query) and
:class:`CustomVariable` (a fixed list, such as top-k's 5, 10, 20, 50). Both writers read
them: v1 as ``templating.list`` entries, v2 as ``variables`` kinds.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from triton_dashboards.dashboard.schema.panel import DATASOURCE, DataSourceRef

__all__ = ["CustomVariable", "DatasourceVariable", "QueryVariable", "Variable"]


def _tuple(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(values)


@attrs.frozen
class DatasourceVariable:
    """Picks a data source of ``plugin`` (``prometheus``): every panel reads through it."""

    name: str
    label: str
    plugin: str = "prometheus"


@attrs.frozen
class QueryVariable:
    """The values a Prometheus query lists (``label_values(metric{...}, label)``).

    With ``include_all`` the "All" option's value is ``all_value`` (``.*``): Grafana then
    writes a regex, which queries match with ``=~``. It refreshes when the time range
    changes and sorts naturally (``v10`` after ``v9``).
    """

    name: str
    label: str
    query: str
    multi: bool = True
    include_all: bool = True
    all_value: str | None = ".*"
    datasource: DataSourceRef = DATASOURCE


@attrs.frozen
class CustomVariable:
    """A fixed list of values; ``default`` is selected."""

    name: str
    label: str
    values: tuple[str, ...] = attrs.field(converter=_tuple)
    default: str | None = None
    multi: bool = False
    include_all: bool = False

    def options(self) -> list[dict[str, object]]:
        """The values as Grafana lists them, the default selected (v1 and v2 alike)."""
        return [
            {"selected": value == self.default, "text": value, "value": value}
            for value in self.values
        ]

    def query(self) -> str:
        """The values as the comma-separated list Grafana stores."""
        return ",".join(self.values)

    def __attrs_post_init__(self) -> None:
        if self.default is not None and self.default not in self.values:
            raise ValueError(
                f"variable {self.name!r}: default {self.default!r} is not one of its values "
                f"{', '.join(self.values)}"
            )


Variable = DatasourceVariable | QueryVariable | CustomVariable

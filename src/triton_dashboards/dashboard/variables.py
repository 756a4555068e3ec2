"""Template variables: the datasource picker and label-value filters.

Every filter variable is multi-value with an "All" option whose value is ``.*``:
Grafana then interpolates a regex, so queries match it with ``=~`` (the
:class:`~triton_dashboards.promql.Var` of a variable says so), and "All" also matches
series that lack the label (a plain Prometheus has no ``namespace`` label).
"""

from __future__ import annotations

from collections.abc import Sequence

from triton_dashboards.dashboard.schema.panel import DATASOURCE_VARIABLE
from triton_dashboards.dashboard.schema.variable import (
    CustomVariable,
    DatasourceVariable,
    QueryVariable,
)
from triton_dashboards.promql import Matcher, Selector, Var

__all__ = ["custom", "datasource", "label_values"]


def datasource(label: str = "Data source") -> DatasourceVariable:
    """The ``$datasource`` picker of Prometheus datasources every panel reads from."""
    return DatasourceVariable(DATASOURCE_VARIABLE, label)


def label_values(
    var: Var,
    metric: str,
    *,
    label: str | None = None,
    filters: Sequence[Matcher] = (),
    title: str | None = None,
    include_all: bool = True,
) -> QueryVariable:
    """A variable listing the values of ``label`` on ``metric`` filtered by ``filters``.

    ``filters`` are usually the matchers of the variables before it, so that picking a
    namespace narrows the instances, and the instance narrows the models.
    """
    label = label or var.name
    query = f"label_values({Selector(metric, tuple(filters)).render()}, {label})"
    return QueryVariable(
        name=var.name,
        label=title or label,
        query=query,
        multi=var.multi,
        include_all=include_all,
        all_value=".*" if include_all else None,
    )


def custom(var: Var, values: Sequence[str], *, title: str, default: str) -> CustomVariable:
    """A fixed list of ``values`` with ``default`` selected (one value at a time)."""
    return CustomVariable(var.name, title, tuple(values), default=default)

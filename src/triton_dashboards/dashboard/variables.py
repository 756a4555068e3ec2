"""Template variables: the datasource picker and label-value filters.

Every filter variable is multi-value with an "All" option whose value is ``.*``:
Grafana then interpolates a regex, so queries match it with ``=~`` (the
:class:`~triton_dashboards.promql.Var` of a variable says so), and "All" also matches
series that lack the label (a plain Prometheus has no ``namespace`` label).
"""

from __future__ import annotations

from collections.abc import Sequence

from grafanalib import core as g

from triton_dashboards.dashboard.panels.factories import DATASOURCE, DATASOURCE_VARIABLE
from triton_dashboards.promql import Matcher, Selector, Var

__all__ = ["datasource", "label_values"]

_REFRESH_ON_TIME_RANGE_CHANGE = 2
_SORT_NATURAL_ASC = 7


def datasource(label: str = "Data source") -> g.Template:
    """The ``$datasource`` picker of Prometheus datasources every panel reads from."""
    return g.Template(
        name=DATASOURCE_VARIABLE,
        label=label,
        query="prometheus",
        type="datasource",
        regex="",
    )


def label_values(
    var: Var,
    metric: str,
    *,
    label: str | None = None,
    filters: Sequence[Matcher] = (),
    title: str | None = None,
    include_all: bool = True,
) -> g.Template:
    """A variable listing the values of ``label`` on ``metric`` filtered by ``filters``.

    ``filters`` are usually the matchers of the variables before it, so that picking a
    namespace narrows the instances, and the instance narrows the models.
    """
    label = label or var.name
    query = f"label_values({Selector(metric, tuple(filters)).render()}, {label})"
    return g.Template(
        name=var.name,
        label=title or label,
        query={
            "qryType": 1,
            "query": query,
            "refId": "PrometheusVariableQueryEditor-VariableQuery",
        },
        dataSource=DATASOURCE,
        multi=var.multi,
        includeAll=include_all,
        allValue=".*" if include_all else None,
        default="$__all" if include_all else None,
        refresh=_REFRESH_ON_TIME_RANGE_CHANGE,
        sort=_SORT_NATURAL_ASC,
        regex="",
    )

"""The dashboard a file describes: title, uid, rows, variables and links.

:class:`Dashboard` is the object a ``*.dashboard.py`` file binds to ``dashboard``. It
checks what Grafana would reject (a uid over 40 characters or outside
``[A-Za-z0-9_-]``) when it is made, so the error names the file that made it. The writers
of :mod:`.schema` turn it into v1 or v2 JSON; grafanalib panels and variables placed in it
are converted into the model when it is made (:mod:`.grafanalib_input`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import attrs

from triton_dashboards.dashboard.layout import Row, Sized, as_panel
from triton_dashboards.dashboard.schema.panel import DATASOURCE_VARIABLE, Panel
from triton_dashboards.dashboard.schema.variable import DatasourceVariable, Variable
from triton_dashboards.validation import MAX_UID_LENGTH, InvalidValue
from triton_dashboards.validation import check_uid as _check_uid

__all__ = ["MAX_UID_LENGTH", "Dashboard", "DashboardError", "Link", "check_uid"]


class DashboardError(ValueError):
    """A dashboard Grafana would refuse; the message is one line saying what to change."""


def check_uid(uid: str) -> str:
    """Return ``uid`` if Grafana accepts it, else raise :class:`DashboardError`.

    The rule is :func:`triton_dashboards.validation.check_uid`; this only gives the error
    the class a dashboard file's caller catches.
    """
    try:
        return _check_uid(uid)
    except InvalidValue as e:
        raise DashboardError(str(e)) from None


@attrs.frozen
class Link:
    """A link in the dashboard's header.

    ``Link.to("Triton model detail", "triton-model")`` points at another dashboard by uid
    and carries the time range and variables along; ``url=`` links anywhere else.
    """

    title: str
    url: str
    keep_time: bool = True
    include_vars: bool = True
    icon: str = "dashboard"

    @classmethod
    def to(cls, title: str, uid: str) -> Link:
        return cls(title=title, url=f"/d/{check_uid(uid)}")

    def to_json_data(self) -> dict[str, object]:
        return {
            "asDropdown": False,
            "icon": self.icon,
            "includeVars": self.include_vars,
            "keepTime": self.keep_time,
            "tags": [],
            "targetBlank": False,
            "title": self.title,
            "tooltip": "",
            "type": "link",
            "url": self.url,
        }


def _rows(rows: Iterable[Row]) -> tuple[Row, ...]:
    return tuple(rows)


def _panels(panels: Iterable[Any]) -> tuple[Panel | Sized, ...]:
    return tuple(as_panel(p) for p in panels)


def _variable(variable: Any) -> Variable:
    if type(variable).__module__.startswith("grafanalib"):
        from triton_dashboards.dashboard.grafanalib_input import variable_from_grafanalib

        return variable_from_grafanalib(variable)
    return variable  # type: ignore[no-any-return]


def _variables(variables: Iterable[Any]) -> tuple[Variable, ...]:
    return tuple(_variable(v) for v in variables)


def _links(links: Iterable[Link]) -> tuple[Link, ...]:
    return tuple(links)


def _tags(tags: Iterable[str]) -> tuple[str, ...]:
    return tuple(tags)


@attrs.frozen
class Dashboard:
    """A Triton dashboard: panels in rows, template variables and header links.

    The ``$datasource`` variable every panel reads from is added when ``variables``
    does not define it. ``panels`` are loose panels above the first row.
    """

    title: str
    uid: str = attrs.field(converter=check_uid)
    rows: tuple[Row, ...] = attrs.field(default=(), converter=_rows)
    panels: tuple[Panel | Sized, ...] = attrs.field(default=(), converter=_panels)
    variables: tuple[Variable, ...] = attrs.field(default=(), converter=_variables)
    links: tuple[Link, ...] = attrs.field(default=(), converter=_links)
    tags: tuple[str, ...] = attrs.field(default=("triton",), converter=_tags)
    description: str = ""
    time_from: str = "now-6h"
    refresh: str = "30s"

    def __attrs_post_init__(self) -> None:
        if not self.title.strip():
            raise DashboardError(f"dashboard {self.uid!r} has an empty title: give it one")

    def all_variables(self) -> list[Variable]:
        names = [v.name for v in self.variables]
        if DATASOURCE_VARIABLE in names:
            return list(self.variables)
        return [DatasourceVariable(DATASOURCE_VARIABLE, "Data source"), *self.variables]

    def all_rows(self) -> list[Row]:
        """The rows, the loose panels first as a row without a header."""
        loose = [Row("", self.panels)] if self.panels else []
        return [*loose, *self.rows]

    def panel_count(self) -> int:
        """How many panels the dashboard shows (rows are not panels)."""
        return sum(len(row.panels) for row in self.all_rows())

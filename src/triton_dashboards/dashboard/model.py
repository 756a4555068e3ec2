"""The dashboard a file describes: title, uid, rows, variables and links.

:class:`Dashboard` is the object a ``*.dashboard.py`` file binds to ``dashboard``. It
checks what Grafana would reject (a uid over 40 characters or outside
``[A-Za-z0-9_-]``) when it is made, so the error names the file that made it, and turns
into a grafanalib dashboard with every panel placed (:mod:`triton_dashboards.dashboard.layout`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import attrs
from grafanalib import core as g

from triton_dashboards.dashboard import variables
from triton_dashboards.dashboard.layout import Row, layout
from triton_dashboards.dashboard.panels.factories import DATASOURCE_VARIABLE
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


def _panels(panels: Iterable[g.Panel]) -> tuple[g.Panel, ...]:
    return tuple(panels)


def _variables(variables: Iterable[g.Template]) -> tuple[g.Template, ...]:
    return tuple(variables)


def _links(links: Iterable[Link]) -> tuple[Link, ...]:
    return tuple(links)


def _tags(tags: Iterable[str]) -> tuple[str, ...]:
    return tuple(tags)


@attrs.frozen
class Dashboard:
    """A Triton dashboard: panels in rows, template variables and header links.

    The ``$datasource`` variable every panel reads from is added when ``variables``
    does not define it.
    """

    title: str
    uid: str = attrs.field(converter=check_uid)
    rows: tuple[Row, ...] = attrs.field(default=(), converter=_rows)
    panels: tuple[g.Panel, ...] = attrs.field(default=(), converter=_panels)
    variables: tuple[g.Template, ...] = attrs.field(default=(), converter=_variables)
    links: tuple[Link, ...] = attrs.field(default=(), converter=_links)
    tags: tuple[str, ...] = attrs.field(default=("triton",), converter=_tags)
    description: str = ""
    time_from: str = "now-6h"
    refresh: str = "30s"

    def __attrs_post_init__(self) -> None:
        if not self.title.strip():
            raise DashboardError(f"dashboard {self.uid!r} has an empty title: give it one")

    def all_variables(self) -> list[g.Template]:
        names = [v.name for v in self.variables]
        if DATASOURCE_VARIABLE in names:
            return list(self.variables)
        return [variables.datasource(), *self.variables]

    def to_grafanalib(self) -> g.Dashboard:
        """The grafanalib dashboard, panels placed and numbered."""
        return g.Dashboard(
            title=self.title,
            uid=self.uid,
            description=self.description,
            tags=list(self.tags),
            panels=layout(self.rows, self.panels),
            templating=g.Templating(list=self.all_variables()),
            links=list(self.links),
            time=g.Time(self.time_from, "now"),
            refresh=self.refresh,
            graphTooltip=g.GRAPH_TOOLTIP_MODE_SHARED_CROSSHAIR,
            timezone="browser",
        )


def panel_titles(panels: Sequence[g.Panel]) -> list[str]:
    """Titles of ``panels`` and of the panels nested in collapsed rows, in order."""
    return [p.title for panel in panels for p in (panel, *getattr(panel, "panels", ()))]

"""Whose dashboard it is: the uid a stock dashboard takes once it is tailored.

A Grafana uid names one dashboard everywhere (its URL, links, the publisher's plan). The
stock dashboards own theirs (``triton-overview``...). A copy changed in any way (a
namespace pinned, ensembles declared, another rule window) is another dashboard: with the
stock uid, it and the stock one would overwrite each other at every publish. So a
tailored dashboard takes a prefix, ``uid_prefix`` or :data:`TAILORED_PREFIX` when none is
given, unless its author asks for the stock uid (``replace_stock=True``: the tailored one
*is* the stock one in their Grafana). The title carries the prefix too, since Grafana
refuses two dashboards of one title in a folder.

Links follow an explicit prefix (a set shipped together, :func:`.stock_dashboards`) and
otherwise point at the stock uids, which a lone tailored dashboard sits beside.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from triton_dashboards.dashboard.model import DashboardError
from triton_dashboards.query.recording import Recording

__all__ = ["TAILORED_PREFIX", "Uids", "changes", "uids"]

#: The prefix of a tailored stock dashboard whose author named none.
TAILORED_PREFIX = "tailored-"


@attrs.frozen
class Uids:
    """The prefix of a dashboard's own uid and title, and the one of the uids it links to."""

    own: str = ""
    links: str = ""

    def uid(self, stock_uid: str) -> str:
        return self.own + stock_uid

    def link(self, stock_uid: str) -> str:
        return self.links + stock_uid

    def title(self, stock_title: str) -> str:
        return _marked(stock_title, self.own)

    def link_title(self, stock_title: str) -> str:
        return _marked(stock_title, self.links)


def _marked(title: str, prefix: str) -> str:
    mark = prefix.strip("-_")
    return f"{title} ({mark})" if mark else title


def changes(
    *, namespace: str | None = None, recording: Recording | None = None, ensembles: bool = False
) -> list[str]:
    """The options that make a stock dashboard tailored, as ``name=value``: a namespace
    pinned, a rule window or interval other than the stock recorded variant's, ensembles
    declared. The recorded variant itself is stock (``triton-*-rec``)."""
    out = []
    if namespace is not None:
        out.append(f"namespace={namespace!r}")
    if recording not in (None, Recording()):
        out.append(f"recording_rules={recording!r}")
    if ensembles:
        out.append("ensembles")
    return out


def uids(tailored: Sequence[str], uid_prefix: str | None, replace_stock: bool) -> Uids:
    """The uids of a stock dashboard changed by the options named in ``tailored``.

    ``uid_prefix`` applies whether or not anything is tailored (a team's own set);
    ``replace_stock`` keeps the stock uids and titles, tailored or not.
    """
    if replace_stock:
        if uid_prefix:
            raise DashboardError(
                f"uid_prefix={uid_prefix!r} and replace_stock=True contradict each other: "
                "keep the prefix for uids of your own, or drop it to replace the stock ones"
            )
        return Uids()
    if uid_prefix is not None:
        return Uids(uid_prefix, uid_prefix)
    return Uids(TAILORED_PREFIX if tailored else "")

"""A dashboard as the legacy API returns it: the model and Grafana's ``meta``, or, for one
stored as schema v2, only what Grafana's 406 says about it (Grafana API §3, §6.7)."""

from __future__ import annotations

import re
from typing import Any

import attrs

from triton_dashboards.grafana.errors import Call, GrafanaError
from triton_dashboards.grafana.plan import Live, Version

__all__ = ["LiveDashboard", "stored_v2"]


@attrs.frozen
class LiveDashboard:
    """A dashboard as Grafana returns it: the model and Grafana's ``meta``."""

    dashboard: dict[str, Any]
    meta: dict[str, Any]
    #: Stored as schema v2: the legacy API refused to read it (406) and named this version.
    stored_v2: str = ""
    #: The ``/apis`` path Grafana's 406 named for reading it.
    v2_path: str = ""

    @property
    def version(self) -> int:
        return int(self.dashboard.get("version") or self.meta.get("version") or 0)

    @property
    def folder_uid(self) -> str:
        """The folder's uid; "" at the root (General)."""
        return str(self.meta.get("folderUid") or "")

    @property
    def provisioned(self) -> bool:
        return bool(self.meta.get("provisioned"))

    @property
    def can_save(self) -> bool:
        """Whether Grafana would let this credential save it (True when meta does not say)."""
        return bool(self.meta.get("canSave", True))

    def state(self) -> Live:
        """What the plan needs of it, free of the legacy API's shape."""
        return Live(
            self.dashboard,
            self.version,
            folder_uid=self.folder_uid,
            folder_title=str(self.meta.get("folderTitle") or ""),
            provisioned=self.provisioned,
            updated_by=str(self.meta.get("updatedBy") or ""),
            updated=str(self.meta.get("updated") or ""),
            stored_v2=self.stored_v2,
        )

    def head(self) -> tuple[Version, ...]:
        """The latest version as the answer itself shows it: the legacy API does not."""
        return ()


_V2_PATH = re.compile(
    r"(/apis/dashboard\.grafana\.app/(v2[a-z0-9]*)/namespaces/[^\s/]+/dashboards/[^\s/]+)"
)


def stored_v2(call: Call, body: Any) -> LiveDashboard:
    """Grafana's 406 for a dashboard stored as schema v2 (Grafana API §6.7): the message names
    the ``/apis`` URL to read it through, and so the version it is stored in."""
    said = str(body.get("message") or "") if isinstance(body, dict) else ""
    found = _V2_PATH.search(said)
    if found is None:
        raise GrafanaError(
            f"Grafana cannot {call.what} through the legacy API (406: {said[:200]}); "
            "run with --api k8s (or auto) on Grafana 12 or later",
            status=406,
        )
    return LiveDashboard({}, {}, stored_v2=found.group(2), v2_path=found.group(1))

"""What the publisher needs of a Grafana API, whichever one serves it.

The legacy :class:`~triton_dashboards.grafana.client.GrafanaClient` and the Kubernetes-style
:class:`~triton_dashboards.grafana.k8s_client.K8sApi` both have these methods, so apply,
publish, folders, diff and pull are written once against this protocol.
"""

from __future__ import annotations

from typing import Any, Protocol

from triton_dashboards.grafana.plan import Live, Version

__all__ = ["DashboardApi", "Found"]


class Found(Protocol):
    """A stored dashboard as one API returned it."""

    @property
    def dashboard(self) -> dict[str, Any]: ...

    @property
    def version(self) -> int: ...

    @property
    def can_save(self) -> bool: ...

    @property
    def stored_v2(self) -> str: ...

    def state(self) -> Live: ...

    def head(self) -> tuple[Version, ...]: ...


class DashboardApi(Protocol):
    base_url: str

    def get_dashboard(self, uid: str) -> Found | None: ...

    def save_dashboard(
        self,
        dashboard: dict[str, Any],
        *,
        folder_uid: str,
        message: str,
        overwrite: bool = False,
        resource_version: str = "",
        source: str = "",
    ) -> dict[str, Any]: ...

    def delete_dashboard(self, uid: str) -> bool: ...

    def versions(self, uid: str, limit: int = 1) -> list[Version]: ...

    def search_dashboards(self, folder_uid: str) -> list[dict[str, Any]]: ...

    def get_folder(self, uid: str) -> dict[str, Any] | None: ...

    def list_folders(self, parent_uid: str | None = None) -> list[dict[str, Any]]: ...

    def create_folder(
        self, uid: str, title: str, parent_uid: str | None = None
    ) -> dict[str, Any]: ...

    def close(self) -> None: ...

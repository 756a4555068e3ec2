"""The real headless Chromium the preview's tests open pages in.

The product's own DevTools driver (:class:`triton_dashboards.preview.chromium.Chromium`,
on a pipe, one browser for many pages) runs the system Chromium; here it is started only
when Chromium is installed: without it a test is skipped locally and fails with CI=true,
as for Prometheus (``make chromium`` installs it as root).
"""

from __future__ import annotations

from _support import require_tool

from triton_dashboards.preview.chromium import Chromium, Tab

__all__ = ["Browser", "Tab"]


class Browser(Chromium):
    """A headless Chromium for a test module: ``with Browser() as browser``."""

    def __init__(self) -> None:
        require_tool("chromium", package="chromium")
        super().__init__()

"""Where the read-only reference material (``shared/``) lives, for tests that check against it.

It sits next to the repository (``../shared``) unless TRITON_DASHBOARDS_SHARED points elsewhere.
It is never copied into the repository. Without it the tests that need it are skipped locally
and fail in CI, so a CI run cannot pass by silently checking nothing.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: The token the Grafana double (conftest fixture ``double``) accepts; tests check it never leaks.
GRAFANA_TOKEN = "glsa_SECRET_ZZZ"


def shared_dir() -> Path:
    """The ``shared/`` directory; skips the calling test (fails it in CI) when it is missing."""
    override = os.environ.get("TRITON_DASHBOARDS_SHARED")
    path = Path(override) if override else ROOT.parent / "shared"
    if path.is_dir():
        return path
    message = (
        f"../shared not found next to the repository (looked for {path}); CI needs it: "
        "check it out next to the repository or set TRITON_DASHBOARDS_SHARED"
    )
    if os.environ.get("CI") == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def require_tool(name: str) -> str:
    """Path of ``prometheus`` or ``promtool``; skips the test without it, fails it when CI=true.

    ``make test`` installs both (Debian package ``prometheus``) when it runs as root.
    """
    path = shutil.which(name)
    if path:
        return path
    message = (
        f"{name} not found on PATH; install the Debian package prometheus "
        "(`make prometheus` as root, or apt-get install prometheus)"
    )
    if os.environ.get("CI") == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)

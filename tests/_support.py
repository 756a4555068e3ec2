"""What tests share besides fixtures: the repository's root, its test data, the double's token.

The data tests check against (Grafana's JSON schemas, Triton's real ``/metrics`` output, the
prometheus-operator CRDs, public Triton dashboards, Triton's metric families) lives in
``tests/data/``, each directory with a README naming its source and licence, so a clone with
nothing beside it runs every test.
"""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: The repository's own test data (provenance in each directory's README.md).
TESTDATA = ROOT / "tests" / "data"
#: The token the Grafana double (conftest fixture ``double``) accepts; tests check it never leaks.
GRAFANA_TOKEN = "glsa_SECRET_ZZZ"


def require_tool(name: str, package: str = "prometheus") -> str:
    """Path of ``name`` (``prometheus``, ``promtool``, ``chromium``); skips the test without
    it, fails it when CI=true.

    ``make test`` installs them (Debian packages ``prometheus`` and ``chromium``: ``make
    prometheus``, ``make chromium``) when it runs as root.
    """
    path = shutil.which(name)
    if path:
        return path
    message = (
        f"{name} not found on PATH; install the Debian package {package} "
        f"(`make {package}` as root, or apt-get install {package})"
    )
    if os.environ.get("CI") == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now, for a server a test starts."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])

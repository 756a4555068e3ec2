"""The connection and publishing defaults, written once: the CLI shows them in ``--help``,
the client and the publisher start from them, so a default never differs between commands.

The folder title is not here: ``configmap`` shows it too, so it lives in
:mod:`triton_dashboards.defaults`.
"""

from __future__ import annotations

from triton_dashboards.defaults import FOLDER

__all__ = ["BACKOFF", "CONCURRENCY", "FOLDER", "RETRIES", "TIMEOUT"]

#: Dashboards handled at once (and connections kept open).
CONCURRENCY = 8
#: Seconds per request.
TIMEOUT = 10.0
#: Attempts after the first on connection errors, timeouts and 500/502/503/504.
RETRIES = 3
#: Seconds before the first retry; doubles on each.
BACKOFF = 0.5

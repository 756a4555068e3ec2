"""The connection and publishing defaults, written once: the CLI shows them in ``--help``,
the client and the publisher start from them, so a default never differs between commands.

The folder title is not here: ``configmap`` shows it too, so it lives in
:mod:`triton_dashboards.defaults`.
"""

from __future__ import annotations

from triton_dashboards.defaults import FOLDER

__all__ = ["BACKOFF", "CONCURRENCY", "FOLDER", "MAX_DASHBOARD_BYTES", "RETRIES", "TIMEOUT"]

#: Dashboards handled at once (and connections kept open).
CONCURRENCY = 8
#: Seconds per request.
TIMEOUT = 10.0
#: Attempts after the first on connection errors, timeouts and 500/502/503/504.
RETRIES = 3
#: Seconds before the first retry; doubles on each.
BACKOFF = 0.5
#: The largest request body Grafana accepts, and so the largest dashboard we send: Grafana's
#: API server reads at most ``MaxRequestBodyBytes = 16 * 1024 * 1024`` bytes
#: (``pkg/services/apiserver/service.go``) and answers 413 "Dashboard is too large, max is
#: 16 MB" above it, on ``/apis`` and, since Grafana 12, on the legacy ``/api/dashboards/db``
#: (grafana/grafana PR #101590; Grafana API §1 Limits). Checked before anything is sent.
MAX_DASHBOARD_BYTES = 16 * 1024 * 1024

"""``GET /api/health``: no credentials needed, 503 while the database is failing (§5)."""

from __future__ import annotations

import json

from .errors import Reply


def health(healthy: bool, version: str) -> Reply:
    payload = {
        "commit": "0123456789",
        "database": "ok" if healthy else "failing",
        "version": version,
    }
    return Reply(
        200 if healthy else 503,
        json.dumps(payload, indent=2, sort_keys=True).encode("utf-8"),
        "application/json; charset=UTF-8",
    )

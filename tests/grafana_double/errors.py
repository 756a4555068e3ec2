"""How the double answers, and the error bodies more than one endpoint gives.

Grafana answers errors with Go ``map`` values, which encode with sorted keys, and successes
with structs, which keep their field order; ``error`` and ``ok`` follow that, so bodies match a
real Grafana's byte for byte. Bodies used by one endpoint only live with that endpoint.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

MAX_UID_LENGTH = 40

_UID_CHARS = re.compile(r"^[a-zA-Z0-9\-_]*$")


@dataclass(frozen=True)
class Reply:
    """An answer to send: shared freely, as it is never changed."""

    status: int
    body: bytes
    content_type: str = "application/json"


def encode(payload: Any, *, sort_keys: bool = False) -> bytes:
    return json.dumps(
        payload, separators=(",", ":"), ensure_ascii=False, sort_keys=sort_keys
    ).encode("utf-8")


def ok(payload: Any) -> Reply:
    return Reply(200, encode(payload))


def error(code: int, /, **fields: Any) -> Reply:
    """An error body: Grafana answers with Go maps, which encode with sorted keys."""
    return Reply(code, encode(fields, sort_keys=True))


NOT_FOUND = error(404, message="Not found")
BAD_REQUEST_DATA = error(400, message="bad request data")
DASHBOARD_NOT_FOUND = error(404, message="Dashboard not found", traceID="")
VERSION_NOT_FOUND = error(404, message="Dashboard version not found")
FOLDER_NOT_FOUND = error(404, message="folder not found", status="not-found")
FOLDER_CHANGED = error(
    412, message="the folder has been changed by someone else", status="version-mismatch"
)
FOLDER_TITLE_TAKEN = error(
    409, message="a folder or dashboard in the general folder with the same name already exists"
)


def uid_error(uid: str) -> Reply | None:
    """The uid rules dashboards and folders share (Grafana API §2, §4); None when ``uid`` passes."""
    if uid and not _UID_CHARS.match(uid):
        return error(400, message="uid contains illegal characters")
    if len(uid) > MAX_UID_LENGTH:
        return error(400, message="uid too long, max 40 characters")
    return None

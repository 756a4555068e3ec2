"""What the double keeps of each request, for tests to assert on."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Recorded:
    """One request as the double received it.

    ``path`` is the API path with the sub-path removed (so assertions read the same with or
    without one); a request outside the sub-path keeps its full path there. ``status`` is what
    the double produced, None when the connection was dropped before any answer. ``fault`` is
    None, "fail", "drop" or "lose-response" (status produced and the state changed, but the
    answer never sent).
    """

    method: str
    path: str
    query: dict[str, list[str]]
    headers: Mapping[str, str]
    status: int | None
    body: bytes = b""
    fault: str | None = None
    full_path: str = ""

"""What an API handler is given: the site it serves, the caller, the org, and the request."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from .auth import Identity
from .state import Org, Store


class Site(Protocol):
    """The parts of the double the handlers read, live, so a test may change them."""

    store: Store
    sub_path: str
    dashboard_quota: int | None
    max_body_bytes: int
    stack_id: int | None  # Grafana Cloud's stack: its namespace is ``stacks-<id>`` (§6.2)

    @property
    def unique_titles(self) -> bool: ...

    @property
    def grafana12(self) -> bool: ...


@dataclass
class Call:
    site: Site
    method: str
    query: dict[str, list[str]]
    body: bytes
    who: Identity
    org_id: int
    org: Org


def first(query: Mapping[str, list[str]], name: str) -> str | None:
    values = query.get(name)
    return values[0] if values else None


def query_int(query: Mapping[str, list[str]], name: str) -> int:
    """Grafana's ``c.QueryInt``: a missing or malformed value reads as 0."""
    try:
        return int(first(query, name) or 0)
    except ValueError:
        return 0


def json_object(body: bytes) -> dict[str, Any] | None:
    """The body as a JSON object; None where Go's binding into a struct would fail (400)."""
    try:
        value = json.loads(body)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None

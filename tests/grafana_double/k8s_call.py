"""What a Kubernetes-style handler is given, and the namespace <-> org mapping (Grafana API §6.2).

The org is chosen by the namespace in the path (``default`` is org 1, ``org-<id>`` the others,
``stacks-<id>`` on Grafana Cloud), not by ``X-Grafana-Org-Id``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

from .auth import Identity
from .call import Site
from .profiles import Profile
from .state import Org

_ORG_NAMESPACE = re.compile(r"^org-([1-9]\d*)$")
_STACK_NAMESPACE = re.compile(r"^stacks-([1-9]\d*)$")


class K8sSite(Site, Protocol):
    """The parts of the double the ``/apis`` handlers read, live."""

    orgs: tuple[int, ...]
    stack_id: int | None
    new_layouts: bool
    min_refresh: str
    max_body_bytes: int

    @property
    def profile(self) -> Profile: ...


@dataclass
class K8sCall:
    site: K8sSite
    method: str
    query: dict[str, list[str]]
    body: bytes
    who: Identity
    org_id: int
    org: Org
    namespace: str
    version: str  # the API version the request names

    def first(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None


def namespace_of(org_id: int, stack_id: int | None) -> str:
    if org_id == 1:
        return f"stacks-{stack_id}" if stack_id else "default"
    return f"org-{org_id}"


def org_of(namespace: str, stack_id: int | None) -> int | None:
    """The org a namespace names; None when it names none (unknown shape, other stack)."""
    if namespace == "default" and not stack_id:
        return 1
    found = _ORG_NAMESPACE.match(namespace)
    if found:
        return int(found[1])
    found = _STACK_NAMESPACE.match(namespace)
    if found and stack_id and int(found[1]) == stack_id:
        return 1
    return None

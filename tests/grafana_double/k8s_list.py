"""Kubernetes list semantics shared by dashboards and folders (Grafana API §6.4 List, §6.9).

``limit``/``continue`` paging with an opaque token that is absent on the last page;
``labelSelector`` on labels only (``k=v``, ``k==v``, ``k!=v``, ``k``, ``!k``, comma is AND);
``fieldSelector`` on ``metadata.name`` only. There is no folder filter.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from .errors import Reply
from .k8s_call import K8sCall
from .k8s_status import bad_request

T = TypeVar("T")
_TERM = re.compile(r"^(!?)([A-Za-z0-9./_-]+)(?:\s*(==|=|!=)\s*([A-Za-z0-9._-]*))?$")


@dataclass(frozen=True)
class Selector:
    """A parsed ``labelSelector``: (key, op, value) terms, op one of = != exists !exists."""

    terms: tuple[tuple[str, str, str], ...]

    def matches(self, labels: dict[str, str]) -> bool:
        for key, op, value in self.terms:
            if op == "exists" and key not in labels:
                return False
            if op == "!exists" and key in labels:
                return False
            if op == "=" and labels.get(key) != value:
                return False
            if op == "!=" and labels.get(key) == value:
                return False
        return True

    def wants(self, key: str) -> bool:
        return (key, "=", "true") in self.terms


def label_selector(call: K8sCall) -> Selector | Reply:
    raw = call.first("labelSelector") or ""
    terms = []
    for part in filter(None, (p.strip() for p in raw.split(","))):
        found = _TERM.match(part)
        if found is None:
            return bad_request(f"unable to parse requirement: {part!r}")
        negated, key, op, value = found.groups()
        if negated and op:
            return bad_request(f"unable to parse requirement: {part!r}")
        kind = {"==": "="}.get(op, op) if op else ("!exists" if negated else "exists")
        terms.append((key, kind, value or ""))
    return Selector(tuple(terms))


def name_selector(call: K8sCall) -> str | Reply | None:
    """The name ``fieldSelector=metadata.name=<name>`` asks for; None when there is none."""
    raw = call.first("fieldSelector") or ""
    if not raw:
        return None
    found = re.match(r"^\s*([^=!]+?)\s*==?\s*(.*?)\s*$", raw)
    if found is None or found[1] != "metadata.name":
        field = found[1] if found else raw
        return bad_request(f'field label not supported: "{field}"')
    return found[2]


def page(call: K8sCall, items: Sequence[T]) -> tuple[list[T], str] | Reply:
    """The page ``limit``/``continue`` ask for, and the token of the next ("" on the last)."""
    start = 0
    token = call.first("continue")
    if token:
        try:
            start = int(json.loads(base64.urlsafe_b64decode(token.encode("ascii")))["start"])
        except (ValueError, KeyError, TypeError, binascii.Error):
            return bad_request("continue key is not valid: incorrect encoded start resourceVersion")
    try:
        limit = max(int(call.first("limit") or 0), 0)
    except ValueError:
        return bad_request("limit must be an integer")
    end = start + limit if limit else len(items)
    following = ""
    if end < len(items):
        following = base64.urlsafe_b64encode(json.dumps({"start": end}).encode()).decode("ascii")
    return list(items[start:end]), following


def list_body(
    kind: str, api_version: str, resource_version: str, items: list[Any], token: str
) -> dict[str, Any]:
    metadata: dict[str, Any] = {"resourceVersion": resource_version}
    if token:
        metadata["continue"] = token
    return {"kind": kind, "apiVersion": api_version, "metadata": metadata, "items": items}

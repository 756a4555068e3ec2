"""Injected faults: planned ones (the next n requests) and random ones drawn from a seed.

A fault is decided before the request reaches the API, so a failed or dropped request never
changes state; only a lost response applies the write and then drops the answer, the case
that makes a retried save meet 412.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from http import HTTPStatus
from typing import Protocol

from .errors import Reply, error

FAILURE_STATUSES = (500, 502, 503, 504)
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True)
class Fault:
    kind: str  # "fail" | "drop" | "lose-response"
    status: int
    method: str | None


class Odds(Protocol):
    """The random faults asked for, read on every request so a test may change them."""

    seed: int
    failure_rate: float
    drop_rate: float
    failure_statuses: tuple[int, ...]


class Faults:
    """The planned faults, and how often each request was seen, for the random draws.

    Not locked: the double holds its lock around every use.
    """

    def __init__(self) -> None:
        self._planned: list[Fault] = []
        self._seen: dict[str, int] = {}

    def plan(self, kind: str, n: int, status: int, method: str | None) -> None:
        upper = method.upper() if method else None
        self._planned.extend(Fault(kind, status, upper) for _ in range(n))

    def pick(self, method: str, target: str, body: bytes, odds: Odds) -> Fault | None:
        """The fault for this request: the first planned one that fits, else a random draw."""
        for index, planned in enumerate(self._planned):
            if planned.method == method or (
                planned.method is None
                and (planned.kind != "lose-response" or method in WRITE_METHODS)
            ):
                return self._planned.pop(index)
        if odds.failure_rate <= 0 and odds.drop_rate <= 0:
            return None
        rng = self._rng(odds.seed, method, target, body)
        draw = rng.random()
        if draw < odds.failure_rate:
            return Fault("fail", rng.choice(odds.failure_statuses), None)
        if draw < odds.failure_rate + odds.drop_rate:
            return Fault("drop", 0, None)
        return None

    def _rng(self, seed: int, method: str, target: str, body: bytes) -> random.Random:
        """A generator for the n-th time this exact request is made, under this seed.

        Keyed by the request, not by arrival order, so a concurrent client meets the same
        faults on every run whatever the thread interleaving.
        """
        key = hashlib.sha256(f"{seed}\0{method}\0{target}\0".encode() + body).hexdigest()
        self._seen[key] = self._seen.get(key, 0) + 1
        return random.Random(f"{key}:{self._seen[key]}")


def failure_reply(status: int) -> Reply:
    """An injected 5xx: Grafana's own JSON for 500, a proxy's plain text for the others."""
    if status == 500:
        return error(500, message="Internal Server Error")
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    return Reply(status, f"{status} {phrase}\n".encode(), "text/plain; charset=utf-8")

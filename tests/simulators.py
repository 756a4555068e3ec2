"""Simulated Triton pods served from a process of their own, for tests that read a live
Prometheus at "now" (doctor): the pytest process must not be the pods' process.

Prometheus scrapes every second with a 1 s timeout. Pods served by threads of the pytest
process share its interpreter: when it pauses (a full run's garbage collection over every
module's objects, a long call that holds the GIL), every pod misses the same scrape, and
Prometheus marks all their series stale until the next one, so a query at "now" finds
nothing. A real fleet's pods do not pause together. Here they run in a fresh interpreter
(spawned, not forked: a fork would carry the big heap along) that does nothing else.
"""

from __future__ import annotations

import contextlib
import multiprocessing
from collections.abc import Iterator, Mapping
from multiprocessing.connection import Connection
from multiprocessing.reduction import ForkingPickler
from types import MappingProxyType
from typing import Any

from triton_dashboards.simulator import Workload

__all__ = ["serve_apart"]

#: Seconds the child may take to import the simulator and bind its ports.
START_TIMEOUT = 30.0


def _read_only(mapping: dict[Any, Any]) -> Mapping[Any, Any]:
    return MappingProxyType(mapping)


# A workload keeps read-only mappings (rates by phase), which pickle cannot send as they are.
ForkingPickler.register(MappingProxyType, lambda m: (_read_only, (dict(m),)))


def _child(pods: Mapping[str, Workload], conn: Connection) -> None:
    from triton_dashboards.simulator import serve

    with contextlib.ExitStack() as stack:
        servers = {pod: stack.enter_context(serve(w, port=0, pod=pod)) for pod, w in pods.items()}
        conn.send({pod: server.url for pod, server in servers.items()})
        with contextlib.suppress(EOFError):
            conn.recv()  # until the parent says stop, or is gone


@contextlib.contextmanager
def serve_apart(pods: Mapping[str, Workload]) -> Iterator[dict[str, str]]:
    """Serve each pod's ``/metrics`` from one child process; yields pod -> its URL."""
    context = multiprocessing.get_context("spawn")
    mine, theirs = context.Pipe()
    process = context.Process(target=_child, args=(dict(pods), theirs), daemon=True)
    process.start()
    theirs.close()
    try:
        if not mine.poll(START_TIMEOUT):
            raise TimeoutError(f"the simulators did not start within {START_TIMEOUT:g} s")
        urls: dict[str, str] = mine.recv()
        yield urls
    finally:
        with contextlib.suppress(OSError):
            mine.send(None)
        mine.close()
        process.join(timeout=5)
        if process.is_alive():
            process.kill()
            process.join(timeout=5)

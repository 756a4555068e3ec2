"""Serve a workload over HTTP, the way Triton's metrics port and HTTP port do.

Triton listens on two ports, and a server here plays one of them (``service``):

* ``"metrics"`` (Triton's 8002): ``GET /metrics`` (or ``/metrics/``) answers
  ``text/plain; charset=utf-8`` with the exposition at the seconds elapsed since the server
  started; any other path is 404 and any other method 405 (``src/http_server.cc``).
* ``"http"`` (Triton's 8000): the KServe v2 endpoints of :mod:`.kserve` (server metadata,
  repository index, model configuration), JSON in and out.

Run one of each on the same workload for a whole Triton. The server runs on a daemon
thread, so a test or a demo never waits on it, and :func:`serve` stops it on exit.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Literal

from triton_dashboards.simulator import kserve
from triton_dashboards.simulator.exposition import exposition
from triton_dashboards.simulator.workload import Workload

__all__ = ["SERVICES", "Server", "Service", "serve"]

_PATHS = ("/metrics", "/metrics/")
#: Which of Triton's ports a server plays: ``metrics`` (8002) or ``http`` (8000, KServe v2).
Service = Literal["metrics", "http"]
SERVICES: tuple[Service, ...] = ("metrics", "http")
#: The largest request body read (a repository index request is a few bytes).
_MAX_BODY = 65536


class _Http(ThreadingHTTPServer):
    daemon_threads = True
    # SO_REUSEADDR (the default) only skips TIME_WAIT: a port with a listener stays busy.

    def __init__(self, address: tuple[str, int], simulator: Server) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.simulator = simulator
        super().__init__(address, _Handler)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as Prometheus expects
    timeout = 10  # idle keep-alive connections end instead of holding a thread forever
    server: _Http

    def do_GET(self) -> None:
        if self.server.simulator.service == "http":
            self._api()
            return
        if self.path.split("?", 1)[0] not in _PATHS:
            self._reply(404, "Not Found\n")
            return
        simulator = self.server.simulator
        body = exposition(simulator.workload, simulator.elapsed(), pod=simulator.pod)
        self._reply(200, body)

    def _not_allowed(self) -> None:
        if self.server.simulator.service == "http":
            self._api()
            return
        self._reply(405, "Method Not Allowed\n", allow="GET")

    do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _not_allowed

    def _api(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if not 0 <= length <= _MAX_BODY:
            self.close_connection = True
            status, answer = 400, {"error": "request body too large"}
        else:
            body = self.rfile.read(length) if length else b""
            status, answer = kserve.answer(
                self.server.simulator.workload, self.command, self.path, body
            )
        self._reply(status, json.dumps(answer), content_type="application/json")

    def _reply(
        self,
        status: int,
        body: str,
        allow: str | None = None,
        content_type: str = "text/plain; charset=utf-8",
    ) -> None:
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        if allow:
            self.send_header("Allow", allow)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: a scrape a second would flood the terminal and test logs."""


class Server:
    """A simulated Triton metrics endpoint (or HTTP API), listening until :meth:`close`.

    Binding happens in the constructor, so a busy port raises OSError at once.
    """

    def __init__(
        self,
        workload: Workload,
        host: str = "127.0.0.1",
        port: int = 8002,
        pod: str = "triton-0",
        service: Service = "metrics",
    ) -> None:
        if service not in SERVICES:
            raise ValueError(f"service {service!r}: use one of {', '.join(SERVICES)}")
        self.workload = workload
        self.pod = pod
        self.service: Service = service
        self._http = _Http((host, port), self)
        self.host = host
        self.port: int = self._http.server_address[1]
        self.started = time.monotonic()
        self._thread = threading.Thread(
            target=self._http.serve_forever,
            kwargs={"poll_interval": 0.1},
            name=f"triton-simulator-{service}-{self.port}",
            daemon=True,
        )
        self._thread.start()

    @property
    def base_url(self) -> str:
        """``http://HOST:PORT``: what ``--triton`` takes for the HTTP service."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def url(self) -> str:
        """``http://HOST:PORT/metrics`` (the address Prometheus scrapes), or the HTTP
        service's :attr:`base_url`."""
        return self.base_url + ("/metrics" if self.service == "metrics" else "")

    def elapsed(self) -> float:
        """Seconds since the server started: the counters hold rate × this (+ offset)."""
        return time.monotonic() - self.started

    def close(self) -> None:
        """Stop serving and release the port; safe to call twice."""
        if self._thread.is_alive():
            self._http.shutdown()
            self._thread.join(timeout=5)
        self._http.server_close()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@contextmanager
def serve(
    workload: Workload,
    host: str = "127.0.0.1",
    port: int = 8002,
    pod: str = "triton-0",
    service: Service = "metrics",
) -> Iterator[Server]:
    """Serve ``workload`` on ``host:port`` (0 picks a free port) until the block ends."""
    server = Server(workload, host=host, port=port, pod=pod, service=service)
    try:
        yield server
    finally:
        server.close()

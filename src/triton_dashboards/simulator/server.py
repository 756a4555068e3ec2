"""Serve a workload's exposition over HTTP, the way Triton's metrics port does.

``GET /metrics`` (or ``/metrics/``) answers ``text/plain; charset=utf-8`` with the
exposition at the seconds elapsed since the server started; any other path is 404 and any
other method 405, as on Triton (``src/http_server.cc``). The server runs on a daemon
thread, so a test or a demo never waits on it, and :func:`serve` stops it on exit.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from triton_dashboards.simulator.exposition import exposition
from triton_dashboards.simulator.workload import Workload

__all__ = ["Server", "serve"]

_PATHS = ("/metrics", "/metrics/")


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
        if self.path.split("?", 1)[0] not in _PATHS:
            self._reply(404, "Not Found\n")
            return
        simulator = self.server.simulator
        body = exposition(simulator.workload, simulator.elapsed(), pod=simulator.pod)
        self._reply(200, body)

    def _not_allowed(self) -> None:
        self._reply(405, "Method Not Allowed\n", allow="GET")

    do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _not_allowed

    def _reply(self, status: int, body: str, allow: str | None = None) -> None:
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        if allow:
            self.send_header("Allow", allow)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: a scrape a second would flood the terminal and test logs."""


class Server:
    """A simulated Triton metrics endpoint, listening until :meth:`close`.

    Binding happens in the constructor, so a busy port raises OSError at once.
    """

    def __init__(
        self, workload: Workload, host: str = "127.0.0.1", port: int = 8002, pod: str = "triton-0"
    ) -> None:
        self.workload = workload
        self.pod = pod
        self._http = _Http((host, port), self)
        self.host = host
        self.port: int = self._http.server_address[1]
        self.started = time.monotonic()
        self._thread = threading.Thread(
            target=self._http.serve_forever,
            kwargs={"poll_interval": 0.1},
            name=f"triton-simulator-{self.port}",
            daemon=True,
        )
        self._thread.start()

    @property
    def url(self) -> str:
        """``http://HOST:PORT/metrics``, the address Prometheus scrapes."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/metrics"

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
    workload: Workload, host: str = "127.0.0.1", port: int = 8002, pod: str = "triton-0"
) -> Iterator[Server]:
    """Serve ``workload`` on ``host:port`` (0 picks a free port) until the block ends."""
    server = Server(workload, host=host, port=port, pod=pod)
    try:
        yield server
    finally:
        server.close()

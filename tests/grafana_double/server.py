"""HTTP transport: a threaded HTTP/1.1 server on 127.0.0.1 that hands each request to a
responder and sends its reply, or closes the connection when the responder gives none.

It knows nothing of Grafana; the double is the responder. ``stop`` also cuts open keep-alive
connections, so a pooled client cannot keep talking to a stopped double.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from socketserver import TCPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from requests.structures import CaseInsensitiveDict

from .errors import Reply


@dataclass(frozen=True)
class Request:
    method: str
    target: str  # as sent: path and query string
    full_path: str
    query: dict[str, list[str]]
    headers: CaseInsensitiveDict[str]
    body: bytes


Responder = Callable[[Request], Reply | None]


def below_sub_path(sub_path: str, full_path: str) -> str | None:
    """The path below the sub-path, or None for a request outside it."""
    if not sub_path:
        return full_path
    if full_path == sub_path or full_path.startswith(sub_path + "/"):
        return full_path[len(sub_path) :] or "/"
    return None


class Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 64

    def __init__(self, responder: Responder) -> None:
        self.responder = responder
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        super().__init__(("127.0.0.1", 0), _Handler)

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self.serve_forever,
            kwargs={"poll_interval": 0.01},
            name="grafana-double",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop listening and cut every open connection, so pooled clients cannot reach it."""
        self.shutdown()
        self.server_close()
        self._close_connections()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def server_bind(self) -> None:
        TCPServer.server_bind(self)  # skip HTTPServer's getfqdn lookup
        self.server_name = "127.0.0.1"
        self.server_port = self.port

    def track(self, conn: socket.socket) -> None:
        with self.connections_lock:
            self.connections.add(conn)

    def untrack(self, conn: socket.socket) -> None:
        with self.connections_lock:
            self.connections.discard(conn)

    def _close_connections(self) -> None:
        with self.connections_lock:
            open_now = list(self.connections)
        for conn in open_now:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away mid-answer is normal here; say nothing."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a pooled client expects
    server_version = "Grafana"
    sys_version = ""
    timeout = 60
    server: Server

    def setup(self) -> None:
        super().setup()
        # headers and body go out in two writes: without this, Nagle waits for a delayed ACK
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.track(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass
        finally:
            self.server.untrack(self.connection)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the double records traffic in ``GrafanaDouble.requests`` instead."""

    def _handle(self) -> None:
        reply = self.server.responder(self._read())
        if reply is None:
            self.close_connection = True
            return
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(reply.body)

    def _read(self) -> Request:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = 0
        split = urlsplit(self.path)
        return Request(
            method=self.command,
            target=self.path,
            full_path=split.path,
            query=parse_qs(split.query, keep_blank_values=True),
            headers=CaseInsensitiveDict(dict(self.headers.items())),
            body=self.rfile.read(length) if length > 0 else b"",
        )

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

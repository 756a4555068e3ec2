"""A tiny HTTP server on 127.0.0.1 that answers as a test says: for servers that are not
Grafana (a 404 page), cut answers short, or ignore ``page``, which the double never does."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

#: (status, content type, body, Content-Length to claim or None for the real one)
Answer = tuple[int, str, bytes, int | None]


@contextmanager
def serving(answer: Callable[[str], Answer]) -> Iterator[tuple[str, list[str]]]:
    """Serve ``answer(path_with_query)``; yields the base URL and the paths asked for."""
    asked: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.append(self.path)
            status, kind, body, length = answer(self.path)
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body) if length is None else length))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)
            self.close_connection = True

        do_POST = do_GET

        def log_message(self, *args: object) -> None:
            pass

    class Server(ThreadingHTTPServer):
        def handle_error(self, request: object, client_address: object) -> None:
            pass  # a client that hangs up on a cut answer is the point of some tests

    server = Server(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", asked
    finally:
        server.shutdown()
        server.server_close()


def not_found_page(path: str) -> Answer:
    """What a web server that is not Grafana answers for every API path."""
    return 404, "text/html", b"<html><body><h1>404 Not Found</h1></body></html>", None

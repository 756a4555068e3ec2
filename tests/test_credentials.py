"""No password or token in any output: doctor, discover and preview given URLs that carry
``user:password@``, against a server that is not there, one that refuses (and quotes the
credentials back), and a real Prometheus (the JSON report and the page name the server)."""

from __future__ import annotations

import base64
import json
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from _support import ROOT
from prometheus_server import PrometheusServer
from test_cli import run

from triton_dashboards.redaction import split_credentials, without_credentials

SECRET = "s3cret_ZZZ"
BASIC = base64.b64encode(f"alice:{SECRET}".encode()).decode()
NER = ROOT / "dashboards" / "ner.json"


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (f"http://alice:{SECRET}@prometheus:9090/prefix", "http://prometheus:9090/prefix"),
        ("http://prometheus:9090", "http://prometheus:9090"),
        (f"http://alice:{SECRET}@[::1", "http://***@[::1"),  # malformed: cannot be parsed
        (f"http://alice:s3/{SECRET}@host:9090", "http://***@host:9090"),  # unescaped /
        (f"http://alice:12#{SECRET}@host", "http://***@host"),  # "#" ends the host part
        (f"alice:{SECRET}@host:9090", "***@host:9090"),  # no scheme
        (f"http://alice:{SECRET}@x@host:1", "http://host:1"),  # "@" in the password
    ],
)
def test_a_url_is_shown_without_its_credentials_however_malformed(url: str, shown: str) -> None:
    assert without_credentials(url) == shown
    try:
        base, _, _ = split_credentials(url)
    except ValueError as error:
        assert SECRET not in str(error) and "s3" not in str(error)
    else:
        assert SECRET not in base


def test_the_credentials_are_split_off_percent_decoded() -> None:
    assert split_credentials("http://al%40ice:p%2Fw@Host:9090/p/") == (
        "http://host:9090/p",
        "al@ice",
        "p/w",
    )


@contextmanager
def refusing() -> Iterator[str]:
    """A server that answers 401 to everything, quoting back what it was sent."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            sent = self.headers.get("Authorization", "")
            decoded = base64.b64decode(sent.removeprefix("Basic ")).decode() if sent else ""
            body = f"refused {sent} ({decoded}) for {self.path}".encode()
            self.send_response(401)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_POST = do_GET

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return run(*args, cwd=ROOT)


def assert_no_secret(result: subprocess.CompletedProcess[str]) -> None:
    said = result.stdout + result.stderr
    assert SECRET not in said and BASIC not in said, said
    assert "Traceback" not in said, said


def _commands(prometheus: str, triton: str, out: Path) -> list[tuple[str, ...]]:
    with_creds = f"http://alice:{SECRET}@{prometheus}"
    triton_creds = f"http://alice:{SECRET}@{triton}"
    return [
        ("doctor", "--prometheus", with_creds, str(NER)),
        ("doctor", "--prometheus", with_creds, "--output", "json", str(NER)),
        ("doctor", "--prometheus", with_creds, "--scrape-interval", "15s", str(NER)),
        ("doctor", "--prometheus", with_creds, "--triton", triton_creds, str(NER)),
        ("discover", "--prometheus", with_creds),
        ("discover", "--prometheus", with_creds, "--output", "json"),
        ("discover", "--prometheus", with_creds, "--triton", triton_creds, "--output", "json"),
        ("preview", "--prometheus", with_creds, "-o", str(out), str(NER)),
    ]


def test_nothing_there_and_a_refusing_server_never_see_the_password_printed(
    tmp_path: Path,
) -> None:
    with refusing() as refuser:
        for where in ("127.0.0.1:1", refuser):
            for args in _commands(where, where, tmp_path / "out"):
                result = cli(*args)
                assert result.returncode == 2, (args, result)
                assert_no_secret(result)
                assert where in result.stderr, (args, result.stderr)
        refused = cli("discover", "--prometheus", f"http://alice:{SECRET}@{refuser}")
        assert "refused the request (HTTP 401" in refused.stderr
        assert "***" in refused.stderr  # the server's words, redacted


def test_a_real_prometheus_is_named_without_the_password_in_json_and_pages(
    prometheus: PrometheusServer, tmp_path: Path
) -> None:
    host = prometheus.url.removeprefix("http://")
    url = f"http://alice:{SECRET}@{host}"
    doctor = cli("doctor", "--prometheus", url, "--output", "json", str(NER))
    assert doctor.returncode in (0, 1), doctor.stderr
    assert_no_secret(doctor)
    assert json.loads(doctor.stdout)["prometheus"] == prometheus.url
    preview = cli("preview", "--prometheus", url, "-o", str(tmp_path), str(NER))
    assert preview.returncode == 0, preview.stderr
    assert_no_secret(preview)
    page = (tmp_path / "ner.html").read_text(encoding="utf-8")
    assert SECRET not in page and BASIC not in page and host in page

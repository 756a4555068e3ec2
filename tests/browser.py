"""A real headless Chromium driven over the DevTools protocol, for the preview's tests.

One browser per test module: ``with Browser() as browser: tab = browser.open(url)``.
Chromium starts with ``--remote-debugging-port=0`` and says where it listens on stderr; we
talk to it over one WebSocket (``websocket-client``) with flattened sessions, one per tab.
Each tab records console errors, uncaught exceptions and error log entries, so a test can
assert that a page drew without one. The browser runs with a temporary profile, without
the sandbox as root (Chromium refuses otherwise), in its own process group that is killed
whole at the end, and by the kernel if the test process dies first; every wait has a
timeout, so no test hangs on a browser.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import itertools
import json
import os
import re
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import Any

import websocket
from _support import require_tool
from prometheus_server import _die_with_parent, _libc_prctl

from triton_dashboards.preview.chromium import browser_args

__all__ = ["Browser", "BrowserError", "Tab"]

START_TIMEOUT = 30.0
COMMAND_TIMEOUT = 30.0
_LISTENING = re.compile(r"DevTools listening on (ws://\S+)")


class BrowserError(RuntimeError):
    """The browser did not start, or a DevTools command failed."""


class Browser:
    """A headless Chromium and a DevTools connection to it."""

    def __init__(self) -> None:
        self._binary = require_tool("chromium", package="chromium")
        self._profile = tempfile.TemporaryDirectory(prefix="preview-browser-")
        self._process: subprocess.Popen[bytes] | None = None
        self._socket: websocket.WebSocket | None = None
        self._ids = itertools.count(1)
        self._events: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def start(self) -> Browser:
        command = [
            self._binary,
            *browser_args(Path(self._profile.name)),
            "--remote-debugging-port=0",
            "--remote-allow-origins=*",
            "about:blank",
        ]
        self._process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
            preexec_fn=functools.partial(_die_with_parent, os.getpid(), _libc_prctl()),
        )
        try:
            url = self._wait_for_endpoint()
            self._socket = websocket.create_connection(url, timeout=COMMAND_TIMEOUT)
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_for_endpoint(self) -> str:
        assert self._process is not None and self._process.stderr is not None
        deadline = time.monotonic() + START_TIMEOUT
        seen = b""
        os.set_blocking(self._process.stderr.fileno(), False)
        while time.monotonic() < deadline:
            chunk = self._process.stderr.read() or b""
            seen += chunk
            match = _LISTENING.search(seen.decode(errors="replace"))
            if match:
                return match.group(1)
            if self._process.poll() is not None:
                raise BrowserError(f"chromium exited: {seen.decode(errors='replace')[-300:]}")
            time.sleep(0.05)
        raise BrowserError(f"chromium did not listen within {START_TIMEOUT} s")

    def send(
        self, method: str, params: dict[str, Any] | None = None, session: str | None = None
    ) -> Any:
        """One DevTools command; its result (events met on the way are kept)."""
        assert self._socket is not None
        message: dict[str, Any] = {"id": next(self._ids), "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self._socket.send(json.dumps(message))
        deadline = time.monotonic() + COMMAND_TIMEOUT
        while time.monotonic() < deadline:
            reply = json.loads(self._socket.recv())
            if reply.get("id") == message["id"]:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            if "method" in reply:
                self._events.append(reply)
        raise BrowserError(f"{method}: no answer within {COMMAND_TIMEOUT} s")

    def events(self, session: str) -> list[dict[str, Any]]:
        return [e for e in self._events if e.get("sessionId") == session]

    def open(self, url: str, width: int = 1400, height: int = 1000) -> Tab:
        """A new tab showing ``url``, once its page says it is drawn (``data-ready``)."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        tab = Tab(self, target, session)
        for domain in ("Page", "Runtime", "Log"):
            self.send(f"{domain}.enable", session=session)
        self.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
            session=session,
        )
        self.send("Page.navigate", {"url": url}, session=session)
        tab.wait_until("document.body && document.body.dataset.ready === '1'")
        return tab

    def stop(self) -> None:
        if self._socket is not None:
            with contextlib.suppress(OSError):
                self._socket.close()
            self._socket = None
        process, self._process = self._process, None
        if process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
            if process.stderr is not None:
                process.stderr.close()
        self._profile.cleanup()

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def __enter__(self) -> Browser:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


class Tab:
    """One page in the browser."""

    def __init__(self, browser: Browser, target: str, session: str) -> None:
        self.browser = browser
        self.target = target
        self.session = session

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (JSON-able, promises awaited)."""
        result = self.browser.send(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
            session=self.session,
        )
        if "exceptionDetails" in result:
            raise BrowserError(f"{expression[:60]}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_until(self, condition: str, timeout: float = COMMAND_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.evaluate(f"Boolean({condition})"):
                return
            time.sleep(0.05)
        raise BrowserError(f"page never met {condition!r} within {timeout} s")

    def errors(self) -> list[str]:
        """Console errors, uncaught exceptions and error log entries of this page so far."""
        found = []
        for event in self.browser.events(self.session):
            params = event.get("params") or {}
            if event["method"] == "Runtime.exceptionThrown":
                found.append(str(params.get("exceptionDetails", {}).get("text")))
            elif event["method"] == "Runtime.consoleAPICalled" and params.get("type") == "error":
                found.append(" ".join(str(a.get("value")) for a in params.get("args") or []))
            elif (
                event["method"] == "Log.entryAdded"
                and params.get("entry", {}).get("level") == "error"
            ):
                found.append(str(params["entry"].get("text")))
        return found

    def screenshot(self) -> bytes:
        """A PNG of the whole page."""
        data = self.browser.send(
            "Page.captureScreenshot",
            {"format": "png", "captureBeyondViewport": True},
            session=self.session,
        )["data"]
        return base64.b64decode(data)

    def close(self) -> None:
        self.browser.send("Target.closeTarget", {"targetId": self.target})

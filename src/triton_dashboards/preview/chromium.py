"""Headless Chromium, driven over the DevTools protocol on a pipe: pictures of preview pages.

One browser takes every picture of a run: it starts once (about a second) and each page
then costs about half a second, where a ``chromium --screenshot`` per page costs several.
Chromium speaks the DevTools protocol on file descriptors 3 and 4
(``--remote-debugging-pipe``: NUL-terminated JSON), so no port is opened and nothing but
the standard library is needed. Every read has a deadline, so a hung browser never hangs a
build.

Each browser gets a fresh temporary profile (``--user-data-dir``), runs without the sandbox
when we are root (Chromium refuses to start as root otherwise), runs in its own process
group, which is killed whole when it is stopped (helpers included), and is killed by the
kernel if this process dies first.
"""

from __future__ import annotations

import base64
import contextlib
import ctypes
import fcntl
import itertools
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

from triton_dashboards.files import write_atomic

__all__ = ["Chromium", "ChromiumError", "Tab", "browser_args", "find_chromium", "take_pictures"]

#: Where Debian and Ubuntu put it, then the names other systems use.
_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
TIMEOUT = 30.0


class ChromiumError(Exception):
    """Chromium is missing or failed; one line saying what to do."""


def find_chromium() -> str:
    """The Chromium binary (``CHROMIUM`` overrides the search); a one-line error without it."""
    configured = os.environ.get("CHROMIUM")
    if configured:
        if shutil.which(configured) is None:
            raise ChromiumError(f"CHROMIUM={configured} is not an executable; fix or unset it")
        return configured
    for name in _NAMES:
        path = shutil.which(name)
        if path is not None:
            return path
    raise ChromiumError(
        "--png needs Chromium and none was found; install it (Debian/Ubuntu: apt-get install "
        "chromium) or set CHROMIUM to its path"
    )


def browser_args(profile: Path) -> list[str]:
    """The flags every headless run here uses: a throwaway profile, no first-run noise,
    no GPU, and no sandbox for root."""
    args = [
        "--headless=new",
        f"--user-data-dir={profile}",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-gpu",
        "--disable-extensions",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        "--mute-audio",
        "--force-device-scale-factor=1",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--no-sandbox")
    return args


def _high(fd: int) -> int:
    """``fd`` moved to a number above 3 and 4, so that placing the pipes there in the child
    cannot overwrite one with the other."""
    moved = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return moved


def _prctl() -> Callable[..., int] | None:
    """libc's prctl, looked up before forking (the child only makes system calls)."""
    if not sys.platform.startswith("linux"):
        return None
    prctl: Callable[..., int] = ctypes.CDLL(None, use_errno=True).prctl
    return prctl


def _child_setup(
    commands: int, answers: int, parent: int, prctl: Callable[..., int] | None
) -> None:
    """Between fork and exec: the pipes on fds 3 and 4, and death with the parent."""
    os.dup2(commands, 3)
    os.dup2(answers, 4)
    if prctl is not None:
        prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:
        os._exit(1)


class Chromium:
    """``with Chromium() as browser:`` a headless Chromium; ``browser.open(url)`` a tab."""

    def __init__(self) -> None:
        self._binary = find_chromium()
        self._profile: tempfile.TemporaryDirectory[str] | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._write = self._read = -1
        self._buffer = b""
        self._ids = itertools.count(1)
        self.events: list[dict[str, Any]] = []

    def start(self) -> Chromium:
        self._profile = tempfile.TemporaryDirectory(prefix="triton-preview-chromium-")
        commands_read, commands_write = os.pipe()
        answers_read, answers_write = os.pipe()
        child_read, child_write = _high(commands_read), _high(answers_write)
        self._write, self._read = commands_write, answers_read
        parent, prctl = os.getpid(), _prctl()
        try:
            self._process = subprocess.Popen(
                [
                    self._binary,
                    *browser_args(Path(self._profile.name)),
                    "--remote-debugging-pipe",
                    "about:blank",
                ],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                close_fds=False,
                start_new_session=True,
                preexec_fn=lambda: _child_setup(child_read, child_write, parent, prctl),
            )
        except OSError as e:
            self.stop()
            raise ChromiumError(f"cannot start {self._binary}: {e.strerror}") from None
        finally:
            os.close(child_read)
            os.close(child_write)
        try:
            self.send("Target.getTargets")
        except BaseException:
            self.stop()
            raise
        return self

    def send(self, method: str, params: dict[str, Any] | None = None, session: str = "") -> Any:
        """One DevTools command; its result. Events met on the way are kept in ``events``."""
        number = next(self._ids)
        message: dict[str, Any] = {"id": number, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        try:
            os.write(self._write, json.dumps(message).encode() + b"\0")
        except OSError:
            raise ChromiumError(f"chromium is gone (it exited before {method})") from None
        deadline = time.monotonic() + TIMEOUT
        while True:
            while b"\0" in self._buffer:
                raw, self._buffer = self._buffer.split(b"\0", 1)
                reply = json.loads(raw)
                if reply.get("id") == number:
                    if "error" in reply:
                        raise ChromiumError(f"chromium: {method}: {reply['error'].get('message')}")
                    return reply.get("result", {})
                if "method" in reply:
                    self.events.append(reply)
            left = deadline - time.monotonic()
            if left <= 0:
                raise ChromiumError(f"chromium did not answer {method} within {TIMEOUT:.0f} s")
            ready, _, _ = select.select([self._read], [], [], left)
            if ready:
                chunk = os.read(self._read, 1 << 20)
                if not chunk:
                    raise ChromiumError(f"chromium exited while answering {method}")
                self._buffer += chunk

    def open(self, url: str, width: int = 1400, height: int = 1000) -> Tab:
        """A new tab of ``width`` x ``height`` showing ``url``, once its page is drawn (a
        preview page sets ``data-ready`` on its body when every panel is)."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})
        tab = Tab(self, target, session["sessionId"])
        for domain in ("Page", "Runtime", "Log"):
            tab.send(f"{domain}.enable")
        tab.resize(width, height)
        tab.send("Page.navigate", {"url": url})
        tab.wait_until("document.body && document.body.dataset.ready === '1'")
        return tab

    def stop(self) -> None:
        """Kill the browser and its helpers, close the pipes, remove the profile."""
        process, self._process = self._process, None
        if process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        for fd in (self._write, self._read):
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self._write = self._read = -1
        if self._profile is not None:
            self._profile.cleanup()
            self._profile = None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def __enter__(self) -> Chromium:
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

    def __init__(self, browser: Chromium, target: str, session: str) -> None:
        self.browser = browser
        self.target = target
        self.session = session

    def send(self, method: str, params: dict[str, Any] | None = None) -> Any:
        return self.browser.send(method, params, self.session)

    def resize(self, width: int, height: int) -> None:
        self.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
        )

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (JSON-able, promises awaited)."""
        result = self.send(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
        )
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            raise ChromiumError(f"chromium: {expression[:60]!r} threw {details.get('text')}")
        return result["result"].get("value")

    def wait_until(self, condition: str, timeout: float = TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while not self.evaluate(f"Boolean({condition})"):
            if time.monotonic() > deadline:
                raise ChromiumError(f"the page never met {condition!r} within {timeout:.0f} s")
            time.sleep(0.02)

    def errors(self) -> list[str]:
        """Console errors, uncaught exceptions and error log entries of this page so far,
        and the panels the page could not draw."""
        found = []
        for event in self.browser.events:
            if event.get("sessionId") != self.session:
                continue
            params = event.get("params") or {}
            method = event["method"]
            if method == "Runtime.exceptionThrown":
                found.append(str(params.get("exceptionDetails", {}).get("text")))
            elif method == "Runtime.consoleAPICalled" and params.get("type") == "error":
                found.append(" ".join(str(a.get("value")) for a in params.get("args") or []))
            elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
                found.append(str(params["entry"].get("text")))
        return found + list(self.evaluate("window.previewErrors || []"))

    def screenshot(self) -> bytes:
        """A PNG of the tab's viewport."""
        return base64.b64decode(self.send("Page.captureScreenshot", {"format": "png"})["data"])

    def close(self) -> None:
        self.browser.send("Target.closeTarget", {"targetId": self.target})


def take_pictures(pages: list[tuple[Path, Path, int, int]]) -> None:
    """``(page, png, width, height)``: a picture of each HTML page, by one browser. A page
    that fails to draw (an error in the browser) is an error, not a picture."""
    with Chromium() as browser:
        for page, png, width, height in pages:
            tab = browser.open(page.resolve().as_uri(), width, height)
            try:
                errors = tab.errors()
                if errors:
                    raise ChromiumError(f"{page} did not draw: {errors[0][:200]}")
                write_atomic(png, tab.screenshot())
            finally:
                tab.close()

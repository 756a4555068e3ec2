"""A private Prometheus for a demo: on 127.0.0.1, on a free port, on a TSDB we wrote, and
always stopped.

It listens on port 0 and reads the port it got from its log, so two demos never race for
one; by default it serves no scrape jobs and evaluates no rules (the data is already in its
TSDB), and given a configuration it runs that one (the tests' Prometheus, which scrapes
simulators, is this process with theirs). It is stopped on leaving the ``with`` block
whatever happened, Ctrl-C included (SIGTERM, then SIGKILL), and the kernel kills it if this
process dies first (``PR_SET_PDEATHSIG``), so no demo leaves a Prometheus behind.
"""

from __future__ import annotations

import ctypes
import functools
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType

import requests

__all__ = ["PrometheusProcess", "ServerError", "find_tool"]

_LISTENING = re.compile(r'msg="Listening on" address=[\w.\[\]:-]*:(\d+)')
START_TIMEOUT = 15.0
STOP_TIMEOUT = 5.0
_PR_SET_PDEATHSIG = 1
#: The demo's configuration: nothing to scrape, no rules (its data is in the TSDB).
_NO_JOBS = '{"global": {"scrape_interval": "15s"}, "scrape_configs": []}\n'


class ServerError(Exception):
    """Prometheus could not be found or started; one line saying what to do."""


def find_tool(name: str) -> str:
    """The path of ``prometheus`` or ``promtool``; a one-line error without it."""
    path = shutil.which(name)
    if path is None:
        raise ServerError(
            f"{name} not found on PATH; install Prometheus (Debian/Ubuntu: apt-get install "
            "prometheus), or give a running server with --prometheus URL"
        )
    return path


def _die_with_parent(parent: int, prctl: Callable[..., int] | None) -> None:
    """Between fork and exec: the kernel SIGKILLs the child when this process dies."""
    if prctl is not None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(1)


def _prctl() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    prctl: Callable[..., int] = ctypes.CDLL(None, use_errno=True).prctl
    return prctl


class PrometheusProcess:
    """``with PrometheusProcess(tsdb, work) as url:`` a Prometheus serving ``tsdb``."""

    def __init__(
        self,
        tsdb: Path,
        work: Path,
        extra_args: Sequence[str] = (),
        *,
        config: str = _NO_JOBS,
    ) -> None:
        self.tsdb = tsdb
        self.work = work
        self.extra_args = list(extra_args)
        self.config = config
        self._process: subprocess.Popen[bytes] | None = None
        self._log = work / f"prometheus-{os.getpid()}-{id(self)}.log"

    @property
    def log_path(self) -> Path:
        return self._log

    @property
    def returncode(self) -> int | None:
        """The exit status once the process has exited (None while it runs)."""
        return self._process.poll() if self._process is not None else None

    def log(self) -> str:
        return self._log.read_text(errors="replace") if self._log.exists() else ""

    def _last_line(self) -> str:
        lines = [line for line in self.log().splitlines() if line.strip()]
        return lines[-1][:200] if lines else "no output"

    def start(self) -> str:
        """Start Prometheus; its URL once it answers ``/-/ready``."""
        binary = find_tool("prometheus")
        config = self.work / "prometheus.yml"
        config.write_text(self.config)
        command = [
            binary,
            f"--config.file={config}",
            f"--storage.tsdb.path={self.tsdb}",
            "--web.listen-address=127.0.0.1:0",
            "--storage.tsdb.retention.time=100y",
            *self.extra_args,
        ]
        with self._log.open("wb") as log:
            self._process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.work,
                preexec_fn=functools.partial(_die_with_parent, os.getpid(), _prctl()),
            )
        try:
            return self._wait()
        except BaseException:
            self.stop()
            raise

    def _wait(self) -> str:
        deadline = time.monotonic() + START_TIMEOUT
        url = None
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                raise ServerError(f"prometheus exited at start: {self._last_line()}")
            if url is None and (match := _LISTENING.search(self.log())):
                url = f"http://127.0.0.1:{match.group(1)}"
            if url is not None:
                try:
                    if requests.get(f"{url}/-/ready", timeout=1).status_code == 200:
                        return url
                except requests.RequestException:
                    pass
            time.sleep(0.02)
        raise ServerError(
            f"prometheus was not ready within {START_TIMEOUT:.0f} s: {self._last_line()}"
        )

    def stop(self) -> None:
        """SIGTERM, then SIGKILL after :data:`STOP_TIMEOUT`; waits until it is gone."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=STOP_TIMEOUT)

    def kill(self) -> None:
        """Stop at once (SIGKILL), for a server whose TSDB is thrown away."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.kill()
            process.wait(timeout=STOP_TIMEOUT)

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def __enter__(self) -> str:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

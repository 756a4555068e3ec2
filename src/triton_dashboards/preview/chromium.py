"""PNG pictures of preview pages, taken by headless Chromium.

Chromium opens the page from disk (it needs no network: everything is inlined), runs its
script, and writes a screenshot of the given size. Each run gets a fresh temporary profile
(``--user-data-dir``), runs without the sandbox when we are root (Chromium refuses to start
as root otherwise), and is killed with its whole process group if it outlives its timeout,
so a hung browser never hangs a build.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from triton_dashboards.files import write_atomic

__all__ = ["ChromiumError", "browser_args", "find_chromium", "screenshot"]

#: Where Debian and Ubuntu put it, then the names other systems use.
_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
TIMEOUT = 60.0


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


def _run(command: Sequence[str], timeout: float) -> subprocess.CompletedProcess[bytes]:
    """Run Chromium in its own process group, killed as a group on timeout or interrupt."""
    process = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        out, err = process.communicate(timeout=timeout)
    finally:
        # On timeout or Ctrl-C, and after a normal exit too: Chromium leaves helpers
        # (zygote, GPU process) behind on some builds, so the whole group is ended.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    return subprocess.CompletedProcess(command, process.returncode, out, err)


def screenshot(page: Path, png: Path, width: int, height: int, *, timeout: float = TIMEOUT) -> None:
    """Write a ``width`` x ``height`` PNG of the HTML file ``page`` to ``png``."""
    binary = find_chromium()
    with tempfile.TemporaryDirectory(prefix="triton-preview-chromium-") as tmp:
        profile = Path(tmp) / "profile"
        partial = Path(tmp) / "shot.png"
        command = [
            binary,
            *browser_args(profile),
            f"--window-size={width},{height}",
            f"--screenshot={partial}",
            "--virtual-time-budget=10000",
            page.resolve().as_uri(),
        ]
        try:
            done = _run(command, timeout)
        except subprocess.TimeoutExpired:
            raise ChromiumError(f"chromium took over {timeout:.0f} s on {page}") from None
        if done.returncode != 0 or not partial.exists() or partial.stat().st_size == 0:
            lines = done.stderr.decode(errors="replace").strip().splitlines()
            raise ChromiumError(
                f"chromium failed on {page} (exit {done.returncode}): "
                f"{lines[-1][:200] if lines else 'no output'}"
            )
        write_atomic(png, partial.read_bytes())

"""Writing files so that a reader never sees half of one, with the mode a reader expects.

Every file the project writes (dashboard JSON, pulled dashboards, scrape configs, rules)
goes through :func:`write_atomic`: the text lands in a temporary file in the same folder,
then replaces the target in one ``os.replace``. An interrupted run leaves the old file.

The replacement keeps the old file's permission bits, and a new file gets what the
umask gives any new file (0644 under umask 022): a rules file that Prometheus, running
as another user, reads must stay readable after we rewrite it. ``tempfile.mkstemp``
would make every file 0600.
"""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

__all__ = ["WriteError", "make_directory", "write_atomic"]

_NEW_FILE_MODE = 0o666  # what open(2) asks for; the kernel takes the umask away


class WriteError(OSError):
    """A file or folder the project cannot write, said in one line with what to do.

    An :class:`OSError` still (``errno`` and ``strerror`` as the system gave them), so a
    caller that catches those keeps working; ``str()`` is the whole sentence, which the
    command line prints as it is.
    """

    def __init__(self, error: OSError, path: Path, what: str, fix: str) -> None:
        super().__init__(error.errno, error.strerror, str(path))
        self.message = f"cannot {what} {path}: {error.strerror or error}; {fix}"

    def __str__(self) -> str:
        return self.message


def make_directory(path: Path) -> None:
    """Create ``path`` and its parents (nothing when it exists); :class:`WriteError` if not."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise WriteError(e, path, "create the folder", "choose a folder you can write to") from e


def _create_temp(path: Path) -> tuple[int, Path]:
    """A new, empty temporary file beside ``path``: its descriptor and its path."""
    while True:
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, _NEW_FILE_MODE)
        except FileExistsError:
            continue
        return fd, tmp


def write_atomic(path: Path, text: str | bytes) -> None:
    """Replace ``path`` with ``text`` (UTF-8, ``\\n`` line ends; bytes as they are, for a
    picture) in one step.

    An existing file keeps its permission bits; a new one gets the umask's. A file that
    cannot be written (a read-only or missing folder, a folder in its place) raises
    :class:`WriteError`, and the old file stays as it was.
    """
    try:
        _replace(path, text)
    except WriteError:
        raise
    except OSError as e:
        fix = f"check that {path.parent} exists and that you may write there"
        raise WriteError(e, path, "write", fix) from e


def _replace(path: Path, text: str | bytes) -> None:
    try:
        old_mode: int | None = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        old_mode = None
    fd, tmp = _create_temp(path)
    try:
        if old_mode is not None:
            os.fchmod(fd, old_mode)
        if isinstance(text, bytes):
            with os.fdopen(fd, "wb") as binary:
                binary.write(text)
        else:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
                out.write(text)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise

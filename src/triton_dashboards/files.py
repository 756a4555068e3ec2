"""Writing files so that a reader never sees half of one.

Every file the project writes (dashboard JSON, pulled dashboards, scrape configs, rules)
goes through :func:`write_atomic`: the text lands in a temporary file in the same folder,
then replaces the target in one ``os.replace``. An interrupted run leaves the old file.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["write_atomic"]


def write_atomic(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` (UTF-8, ``\\n`` line ends) in one step."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise

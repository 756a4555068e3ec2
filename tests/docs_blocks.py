"""The code blocks of README.md and docs/*.md, and the conventions that say how each one runs.

A page's author needs only these rules (tests/test_docs.py applies them):

* ```` ```python ```` blocks are executed, each on its own, and must be formatted as
  ``ruff format`` formats them. A block whose first line is ``# dashboards/NAME.dashboard.py``
  *is* that file: it is written there and built with ``triton-dashboards build``.
* ```` ```sh ```` (``bash``, ``shell``, ``console``) blocks run with ``bash -euo pipefail``,
  one after another in one sandbox per page, as a reader types them into one terminal: the
  working directory and exported variables carry over; a command ending in ``&`` keeps
  running until the page ends.
* ```` ```yaml ```` and ```` ```json ```` blocks must parse; ```` ```text ```` is output or a
  picture of a tree, never run; ```` ```{toctree} ```` and the like are MyST directives.
* A block that cannot run here (it needs a Kubernetes cluster, installs into your
  environment, ...) has ``<!-- not run: the reason -->`` on the line right before its fence.
  Any other block fails the test, so nothing slips through unrun by accident.

The sandbox is a temporary directory with a copy of the repository's ``dashboards/`` and the
package's commands first on ``PATH``. The documented addresses are the usual local ones and
are mapped to free ports (see :data:`ADDRESSES`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: Languages whose blocks run as shell commands.
SHELL = {"sh", "bash", "shell", "console"}
#: Languages whose blocks are parsed, not run.
DATA = {"yaml", "yml", "json"}
#: Output, trees and the like.
TEXT = {"text"}

#: The local addresses the docs use, by the service that listens there. The test gives each
#: page its own free port for each, and serves what the page does not start itself.
ADDRESSES = {
    "grafana": 3000,
    "triton-http": 8000,
    "triton-metrics": 8002,
    "prometheus": 9090,
}

_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>```+|~~~+)(?P<info>[^`]*)$")
_NOT_RUN = re.compile(r"^\s*<!--\s*not run:\s*(?P<reason>.*?)\s*-->\s*$")
_DASHBOARD_FILE = re.compile(r"^#\s*(?P<path>\S+\.dashboard\.py)\b")


@dataclass(frozen=True)
class Block:
    """One fenced code block: where it is, its language, its text, and why it is not run."""

    page: Path
    line: int  # of the opening fence, 1-based
    lang: str
    code: str
    not_run: str | None  # the reason given in <!-- not run: ... -->, or None

    @property
    def where(self) -> str:
        """``page:line`` of the opening fence, the page relative to the repository."""
        page = self.page.relative_to(ROOT) if self.page.is_relative_to(ROOT) else self.page
        return f"{page}:{self.line}"

    @property
    def dashboard_file(self) -> str | None:
        """``dashboards/NAME.dashboard.py`` when the block's first line names that file."""
        first = self.code.split("\n", 1)[0]
        match = _DASHBOARD_FILE.match(first)
        return match.group("path") if match else None

    @property
    def is_directive(self) -> bool:
        return self.lang.startswith("{")


def pages() -> list[Path]:
    """README.md and every Markdown page under docs/ (pages others add are picked up too)."""
    docs = sorted(p for p in (ROOT / "docs").rglob("*.md") if "_build" not in p.parts)
    return [ROOT / "README.md", *docs]


def blocks(page: Path) -> list[Block]:
    """The fenced code blocks of ``page``, in order."""
    lines = page.read_text(encoding="utf-8").split("\n")
    found: list[Block] = []
    i = 0
    while i < len(lines):
        match = _FENCE.match(lines[i])
        if not match:
            i += 1
            continue
        indent, fence = match.group("indent"), match.group("fence")
        lang = match.group("info").strip().split(" ")[0].lower()
        start = i
        body: list[str] = []
        i += 1
        while i < len(lines) and not lines[i].strip().startswith(fence):
            body.append(lines[i][len(indent) :] if lines[i].startswith(indent) else lines[i])
            i += 1
        i += 1  # the closing fence
        marker = _NOT_RUN.match(lines[start - 1]) if start else None
        reason = marker.group("reason") if marker else None
        code = "\n".join(body) + "\n"
        found.append(Block(page, start + 1, lang, code, reason))
    return found


def commands(code: str) -> list[str]:
    """The commands of a shell block: continuation lines joined, comments and blanks left out."""
    joined = re.sub(r"\s*\\\n\s*", " ", code)
    out = []
    for line in joined.split("\n"):
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            out.append(stripped)
    return out


def backgrounded(code: str) -> list[str]:
    """The commands of a shell block that it leaves running (``... &``)."""
    return [c for c in commands(code) if re.search(r"(?<!&)&(\s+#.*)?$", c)]

"""Doctor's report: a verdict and its causes per panel, findings about the server, as a
JSON document or a table per dashboard.

The JSON shape is the contract scripts read::

    {"ok": bool, "prometheus": URL,
     "findings": [{"kind", "detail", "fix"}],
     "dashboards": [{"uid", "title", "file",
                     "panels": [{"title", "verdict": "ok"|"empty"|"error",
                                 "causes": [{"kind", "detail", "fix"}]}]}]}

A panel whose query Prometheus rejects also carries ``"error"``, Prometheus' message.
``ok`` is false when a panel is not ``ok`` or any cause or finding is not harmless (only
``quantile-hidden`` is): a headline that counts ensemble steps draws a number, but the
wrong one.
"""

from __future__ import annotations

import itertools
import textwrap
from typing import Any

import attrs

from triton_dashboards.inspect.causes import Cause

__all__ = ["DashboardReport", "PanelReport", "Report"]

#: An empty panel whose every part has data: the data may be younger than the panel's
#: step (a range aligned to a 1m step ends before the first sample) or the guards of the
#: query (a division by zero traffic) leave nothing.
_UNEXPLAINED = (
    "no cause found: every part of the query has data; the data may be younger than the "
    "panel's step or its range window (wait a few scrapes), or the query's own guards leave "
    "nothing (no traffic)"
)
#: Column widths of the table: panel title, verdict, cause, fix.
_WIDTHS = (34, 7, 56, 48)


@attrs.frozen
class PanelReport:
    title: str
    verdict: str  # ok, empty or error
    causes: tuple[Cause, ...] = ()
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.verdict == "ok" and all(c.kind.harmless for c in self.causes)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "title": self.title,
            "verdict": self.verdict,
            "causes": [c.to_json() for c in self.causes],
        }
        if self.error:
            out["error"] = self.error
        return out


@attrs.frozen
class DashboardReport:
    uid: str
    title: str
    file: str
    panels: tuple[PanelReport, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "uid": self.uid,
            "title": self.title,
            "file": self.file,
            "panels": [p.to_json() for p in self.panels],
        }


@attrs.frozen
class Report:
    prometheus: str
    findings: tuple[Cause, ...]
    dashboards: tuple[DashboardReport, ...]

    @property
    def ok(self) -> bool:
        panels = (p for d in self.dashboards for p in d.panels)
        return all(p.ok for p in panels) and all(f.kind.harmless for f in self.findings)

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "prometheus": self.prometheus,
            "findings": [f.to_json() for f in self.findings],
            "dashboards": [d.to_json() for d in self.dashboards],
        }

    def table(self) -> str:
        """A table per dashboard (panel, verdict, cause, fix), then the findings."""
        out = []
        for board in self.dashboards:
            good = sum(p.ok for p in board.panels)
            out.append(f"{board.title} ({board.file}): {good} of {len(board.panels)} panels ok")
            out.append(_row(("panel", "verdict", "cause", "fix")))
            for panel in board.panels:
                if not panel.causes:
                    why = f"error: {panel.error}" if panel.error else ""
                    if panel.verdict == "empty" and not why:
                        why = _UNEXPLAINED
                    out.append(_row((panel.title, panel.verdict, why, "")))
                fixes: set[str] = set()
                for i, cause in enumerate(panel.causes):
                    title, verdict = (panel.title, panel.verdict) if i == 0 else ("", "")
                    why = f"{cause.kind.value}: {cause.detail}"
                    fix = "" if cause.fix in fixes else cause.fix
                    fixes.add(cause.fix)
                    out.append(_row((title, verdict, why, fix)))
            out.append("")
        if self.findings:
            out.append("findings about the server:")
            out += [f"  {f.kind.value}: {f.detail}\n    fix: {f.fix}" for f in self.findings]
            out.append("")
        out.append("all well" if self.ok else "not all well: see the causes and fixes above")
        return "\n".join(out) + "\n"


def _row(cells: tuple[str, str, str, str]) -> str:
    wrapped = [textwrap.wrap(c, w) or [""] for c, w in zip(cells, _WIDTHS, strict=True)]
    lines = itertools.zip_longest(*wrapped, fillvalue="")
    return "\n".join(
        "  ".join(c.ljust(w) for c, w in zip(line, _WIDTHS, strict=True)).rstrip() for line in lines
    )

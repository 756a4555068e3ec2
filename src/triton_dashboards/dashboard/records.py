"""Which recorded series a dashboard reads, and which of those a rules file does not write.

A dashboard that reads a record no rule writes shows "No data" and says nothing more, so
a mismatch between the rules Prometheus loads and the dashboards Grafana shows would
pass silently. The window is part of every record's name (``...:rate5m``): rules
rendered with ``--window 2m`` and dashboards built for 5m disagree by name, and
``triton-dashboards lint --rules FILE`` names each record a dashboard reads that the
file does not record, one line per panel and record, with the window the file does use.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import promql_parser as pp
import yaml

from triton_dashboards.dashboard.lint import Finding, expressions, substitute

__all__ = ["RulesFileError", "is_record", "records_read", "records_written", "unrecorded"]

#: The window at the end of a record's operations: ``rate5m``, ``mean30s``, ``avg1h``.
_WINDOW = re.compile(
    r"(?<=:)(rate|mean|ratio_rate|avg)(\d+(?:ms|[smhdwy])(?:\d+(?:ms|[smhdwy]))*)$"
)


class RulesFileError(ValueError):
    """A rules file that cannot be read; the message is one line and says what to do."""


def is_record(name: str) -> bool:
    """Whether ``name`` is a recorded series: ``level:metric:operations``, two colons.

    One colon is not enough: exporters use it too (vLLM's ``vllm:num_requests_running``).
    """
    return name.count(":") >= 2


def records_read(dashboard: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """``(panel title, record)`` for every recorded series a query reads.

    Queries that do not parse are skipped: the lint reports them.
    """
    for panel, expr in expressions(dashboard):
        try:
            tree = pp.parse(substitute(expr)[0])
        except ValueError:
            continue
        names: list[str] = []

        def visit(node: Any, names: list[str] = names) -> None:
            name = node.name if isinstance(node, pp.VectorSelector) else None
            if name and is_record(name):
                names.append(name)

        pp.walk(tree, visit)
        for name in dict.fromkeys(names):
            yield panel, name


def _groups(document: Any) -> list[Any]:
    if isinstance(document, dict) and document.get("kind") == "PrometheusRule":
        document = document.get("spec")
    groups = document.get("groups") if isinstance(document, dict) else None
    return groups if isinstance(groups, list) else []


def records_written(path: Path) -> set[str]:
    """Every ``record:`` of a Prometheus rules file or of PrometheusRule manifests."""
    try:
        documents = list(yaml.safe_load_all(path.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as e:
        problem = " ".join(str(e).split())
        raise RulesFileError(f"cannot read rules file {path}: {problem}") from None
    groups = [g for d in documents for g in _groups(d)]
    if not groups:
        raise RulesFileError(
            f"{path} has no rule groups; pass a rules file (`triton-dashboards rules -o FILE`) "
            "or a PrometheusRule manifest"
        )
    return {
        str(rule["record"])
        for group in groups
        if isinstance(group, dict)
        for rule in group.get("rules") or []
        if isinstance(rule, dict) and "record" in rule
    }


def _windows(written: set[str]) -> dict[str, set[str]]:
    """Each windowed record name with its window taken out, and the windows written."""
    out: dict[str, set[str]] = {}
    for name in written:
        match = _WINDOW.search(name)
        if match:
            out.setdefault(name[: match.start(2)], set()).add(match.group(2))
    return out


def unrecorded(
    dashboard: dict[str, Any], source: str, written: set[str], rules: str
) -> list[Finding]:
    """A finding for each record ``dashboard`` reads that ``written`` (from ``rules``) lacks."""
    windows = _windows(written)
    findings = []
    for panel, name in records_read(dashboard):
        if name in written:
            continue
        match = _WINDOW.search(name)
        other = sorted(windows.get(name[: match.start(2)], ())) if match else []
        if match and other:
            hint = (
                f"the rules record it over {', '.join(other)}, the dashboard reads "
                f"{match.group(2)}: render the rules with `--window {match.group(2)}` or build "
                f"the dashboard with Recording(window={other[0]!r})"
            )
        else:
            hint = "render the rules with `triton-dashboards rules` and load them"
        findings.append(
            Finding(source, panel, f"reads {name}, which {rules} does not record; {hint}")
        )
    return findings

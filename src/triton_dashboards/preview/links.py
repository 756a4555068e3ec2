"""Panel titles and data links with the dashboard's variables filled in, as Grafana shows them.

A title such as ``Top $k models`` reads ``Top 10 models``. A data link to another dashboard
(``/d/triton-model?...&var-model=${__field.labels.model}``) becomes a link to that
dashboard's preview page in the same directory when it was drawn too, carrying the row's
labels and the selection as ``var-`` parameters; a link to anything else is kept as it is.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import quote

__all__ = ["Linker"]

_VARIABLE = re.compile(r"\$\{([\w.]+)(?::(\w+))?\}|\$(\w+)")
_DASHBOARD = re.compile(r"^/d/([\w-]+)(?:/[\w-]*)?")


class Linker:
    """Interpolates titles and links for one drawn dashboard."""

    def __init__(
        self,
        variables: Mapping[str, str],
        start: float,
        end: float,
        pages: Mapping[str, str] | None = None,
    ) -> None:
        """``variables``: each variable's shown value; ``pages``: dashboard uid -> page file."""
        self.variables = dict(variables)
        self.start = start
        self.end = end
        self.pages = dict(pages or {})

    def _value(self, name: str, fmt: str | None, labels: Mapping[str, str]) -> str | None:
        if name.startswith("__field.labels."):
            return quote(labels.get(name.removeprefix("__field.labels."), ""), safe="")
        if name == "__url_time_range":
            return f"from={int(self.start * 1000)}&to={int(self.end * 1000)}"
        if name not in self.variables:
            return None
        value = self.variables[name]
        if fmt == "queryparam":
            return f"var-{name}={quote(value, safe='')}"
        return value

    def interpolate_title(self, text: str) -> str:
        """``text`` with ``$var`` and ``${var}`` replaced by the variables' shown values."""

        def replace(match: re.Match[str]) -> str:
            name = match.group(1) or match.group(3)
            value = self._value(name, match.group(2), {})
            return match.group(0) if value is None else value

        return _VARIABLE.sub(replace, text)

    def __call__(self, url: str, labels: Mapping[str, str]) -> str | None:
        """The link for a row or value with ``labels``; None when it leads nowhere here."""

        def replace(match: re.Match[str]) -> str:
            name = match.group(1) or match.group(3)
            value = self._value(name, match.group(2), labels)
            return match.group(0) if value is None else value

        target = _VARIABLE.sub(replace, url)
        dashboard = _DASHBOARD.match(target)
        if dashboard is None:
            return target if target.startswith(("http://", "https://")) else None
        page = self.pages.get(dashboard.group(1))
        if page is None:
            return None
        rest = target[dashboard.end() :]
        return page + rest

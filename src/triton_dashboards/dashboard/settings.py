"""A repository's own settings: ``[tool.triton-dashboards]`` in its ``pyproject.toml``.

One object, read once, so a setting is written in one place: today the schema the
committed JSON is written in (``schema = "v1"``, the default, for Grafana 11-13, or
``"v2"``, the ``dashboard.grafana.app/v2`` resource of Grafana 13). The command line can
override it (``--schema``). The file is the nearest ``pyproject.toml`` at or above the
dashboards folder; a repository without one, or without the table, gets the defaults.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import attrs

from triton_dashboards.dashboard.render import SCHEMAS, Schema

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = ["TABLE", "Settings", "SettingsError", "find_pyproject", "read"]

#: The table of pyproject.toml the settings live in.
TABLE = "triton-dashboards"


class SettingsError(ValueError):
    """A setting that cannot be used; one line naming the file and the allowed values."""


@attrs.frozen
class Settings:
    """What a repository chose; every field has the default a repository without
    ``pyproject.toml`` gets."""

    schema: Schema = "v1"
    source: Path | None = None


def find_pyproject(start: Path) -> Path | None:
    """The nearest ``pyproject.toml`` at or above ``start``."""
    for folder in [start.resolve(), *start.resolve().parents]:
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def _schema(value: Any, source: Path) -> Schema:
    for schema in SCHEMAS:
        if value == schema:
            return schema
    raise SettingsError(
        f"{source}: [tool.{TABLE}] schema = {value!r} is not one of "
        f"{', '.join(repr(s) for s in SCHEMAS)}"
    )


def read(start: Path) -> Settings:
    """The settings of the repository holding ``start`` (the dashboards folder)."""
    source = find_pyproject(start)
    if source is None:
        return Settings()
    try:
        document = tomllib.loads(source.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise SettingsError(f"{source}: cannot read it ({e}); fix the file") from None
    table = (document.get("tool") or {}).get(TABLE) or {}
    if not isinstance(table, dict):
        raise SettingsError(f"{source}: [tool.{TABLE}] must be a table")
    unknown = sorted(set(table) - {"schema"})
    if unknown:
        raise SettingsError(
            f"{source}: [tool.{TABLE}] has no setting {unknown[0]!r}; the settings are: schema"
        )
    return Settings(schema=_schema(table.get("schema", "v1"), source), source=source)

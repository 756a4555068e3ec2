"""How a panel shows its numbers: unit, thresholds, colour, links, overrides.

This is Grafana's ``fieldConfig``: :class:`FieldDefaults` applies to every field of a
panel, an :class:`Override` to the fields a matcher picks. Both are checked when made: the
unit must be one of Grafana's unit ids (:mod:`.units`), thresholds must start at
-infinity and increase.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

import attrs

from triton_dashboards.dashboard.schema.options import (
    ColorMode,
    OptionError,
    ThresholdsMode,
)
from triton_dashboards.dashboard.schema.units import UNITS, is_unit

__all__ = ["DataLink", "FieldDefaults", "Override", "Step", "Thresholds", "check_unit"]


def check_unit(unit: str, panel: str, option: str = "unit") -> str:
    """``unit`` if Grafana knows it, else :class:`OptionError` naming the panel."""
    if not is_unit(unit):
        close = difflib.get_close_matches(unit, sorted(UNITS), n=3, cutoff=0.5)
        offer = f"did you mean {', '.join(map(repr, close))}? " if close else ""
        raise OptionError(
            f"panel {panel!r}: {option}={unit!r} is not a Grafana unit id; {offer}use one of "
            "Grafana's unit ids (Unit.REQUESTS_PER_SECOND 'reqps', Unit.MICROSECONDS 'µs', "
            "'percentunit', 'bytes', ...) or a custom 'suffix:<text>'"
        )
    return unit


@attrs.frozen
class Step:
    """A threshold step: from ``value`` up (``None`` is -infinity), the field is ``color``."""

    value: float | None
    color: str


def _steps(steps: Iterable[Step | tuple[float | None, str]]) -> tuple[Step, ...]:
    return tuple(s if isinstance(s, Step) else Step(*s) for s in steps)


@attrs.frozen
class Thresholds:
    """Steps from -infinity up, absolute or as percentages of min..max."""

    steps: tuple[Step, ...] = attrs.field(default=(Step(None, "green"),), converter=_steps)
    mode: ThresholdsMode = ThresholdsMode.ABSOLUTE

    def __attrs_post_init__(self) -> None:
        if not self.steps or self.steps[0].value is not None:
            raise ValueError("the first threshold step must have the value None (-infinity)")
        values = [step.value for step in self.steps[1:]]
        if any(v is None for v in values) or values != sorted(values):  # type: ignore[type-var]
            raise ValueError(f"threshold values must be increasing numbers, got {values}")

    def to_json(self) -> dict[str, Any]:
        return {
            "mode": str(self.mode),
            "steps": [{"color": s.color, "value": s.value} for s in self.steps],
        }


@attrs.frozen
class DataLink:
    """A link on a panel's values; Grafana interpolates ``${__field.labels.x}`` per value."""

    title: str
    url: str
    target_blank: bool = False

    def to_v1(self) -> dict[str, Any]:
        """v1 types field links as dashboard links: the other keys change nothing."""
        return {
            "asDropdown": False,
            "icon": "dashboard",
            "includeVars": False,
            "keepTime": False,
            "tags": [],
            "targetBlank": self.target_blank,
            "title": self.title,
            "tooltip": "",
            "type": "link",
            "url": self.url,
        }

    def to_v2(self) -> dict[str, Any]:
        return {"targetBlank": self.target_blank, "title": self.title, "url": self.url}


@attrs.frozen
class Override:
    """Properties (``(id, value)`` pairs) for the fields ``matcher`` picks by ``options``.

    ``matcher`` is ``"byName"`` (a field's display name) or ``"byRegexp"``.
    """

    matcher: str
    options: str
    properties: tuple[tuple[str, Any], ...]

    def __attrs_post_init__(self) -> None:
        if self.matcher not in ("byName", "byRegexp", "byType", "byFrameRefID"):
            raise OptionError(
                f"override matcher {self.matcher!r} is not one of 'byName', 'byRegexp', "
                "'byType', 'byFrameRefID'"
            )

    @classmethod
    def from_json(cls, override: dict[str, Any]) -> Override:
        """An override as Grafana stores it (``{"matcher": ..., "properties": [...]}``)."""
        matcher = override.get("matcher") or {}
        return cls(
            str(matcher.get("id", "")),
            matcher.get("options", ""),
            tuple((p["id"], p.get("value")) for p in override.get("properties") or []),
        )

    def to_json(self) -> dict[str, Any]:
        """As schemaVersion 42 stores it: a field hidden from the visualization is hidden
        from the tooltip too (Grafana's v42 migration), so Grafana has nothing to rewrite."""
        properties = []
        for key, value in self.properties:
            if key == "custom.hideFrom" and isinstance(value, dict) and value.get("viz"):
                value = {**value, "tooltip": True}
            properties.append({"id": key, "value": value})
        return {"matcher": {"id": self.matcher, "options": self.options}, "properties": properties}


@attrs.frozen
class FieldDefaults:
    """``fieldConfig.defaults``: what every field of the panel shares.

    ``custom`` is the visualization's own field options (a time series' draw style, a
    table's cell alignment), as its class in :mod:`.viz` writes them.
    """

    unit: str
    thresholds: Thresholds = Thresholds()
    color: ColorMode | None = None
    min: float | None = None
    max: float | None = None
    decimals: int | None = None
    no_value: str | None = None
    links: tuple[DataLink, ...] = ()
    custom: dict[str, Any] | None = None

    def to_json(self, link_format: str = "v1") -> dict[str, Any]:
        out: dict[str, Any] = {
            "mappings": [],
            "thresholds": self.thresholds.to_json(),
            "unit": self.unit,
        }
        optional = {"min": self.min, "max": self.max, "decimals": self.decimals,
                    "noValue": self.no_value}  # fmt: skip
        out.update({k: v for k, v in optional.items() if v is not None})
        if self.color is not None:
            out["color"] = {"mode": str(self.color)}
        if self.links:
            out["links"] = [
                link.to_v1() if link_format == "v1" else link.to_v2() for link in self.links
            ]
        if self.custom:
            out["custom"] = self.custom
        return out

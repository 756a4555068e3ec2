"""Finding a family by name, and saying what to use when the name is wrong.

A typo or a family that Triton removed years ago fails at build time with a message that
says what to use instead, rather than as an empty panel.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import TypeVar

from triton_dashboards.catalog.families import FAMILIES, REMOVED_FAMILIES
from triton_dashboards.catalog.records import Group, Metric, RemovedMetric

_Record = TypeVar("_Record", bound="Metric | RemovedMetric")


def _index(records: Iterable[_Record], *, with_samples: bool) -> Mapping[str, _Record]:
    """Records by family name, or by it and each sample name; a clash is a catalog bug."""
    index: dict[str, _Record] = {}
    for record in records:
        keys = (record.name, *record.samples) if with_samples else (record.name,)
        for key in keys:
            if index.get(key, record) is not record:
                raise ValueError(f"{key!r} names both {index[key].name!r} and {record.name!r}")
            index[key] = record
    return MappingProxyType(index)


CATALOG: Mapping[str, Metric] = _index(FAMILIES, with_samples=False)
REMOVED: Mapping[str, RemovedMetric] = _index(REMOVED_FAMILIES, with_samples=False)
_SAMPLES: Mapping[str, Metric] = _index(FAMILIES, with_samples=True)
_REMOVED_SAMPLES: Mapping[str, RemovedMetric] = _index(REMOVED_FAMILIES, with_samples=True)
if _SAMPLES.keys() & _REMOVED_SAMPLES.keys():
    raise ValueError(f"current and removed: {sorted(_SAMPLES.keys() & _REMOVED_SAMPLES.keys())}")


class UnknownMetricError(ValueError):
    """Raised by ``get`` for a name that is not a current Triton family.

    The message is one line and says what to do: the replacement of a removed family, the
    closest current name for a typo, or where the list of families is.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(_explain_unknown(name))


def get(name: str) -> Metric:
    """The current family called ``name``; raises UnknownMetricError otherwise."""
    metric = CATALOG.get(name)
    if metric is None:
        raise UnknownMetricError(name)
    return metric


def family_of(sample_name: str) -> Metric | None:
    """The current family a sample or family name belongs to (``x_bucket`` -> ``x``), or None."""
    return _SAMPLES.get(sample_name)


def removed_family_of(sample_name: str) -> RemovedMetric | None:
    """The removed family a sample or family name belongs to, or None."""
    return _REMOVED_SAMPLES.get(sample_name)


def in_group(group: Group) -> tuple[Metric, ...]:
    """The current families of one group, in catalog order."""
    return tuple(m for m in FAMILIES if m.group is group)


_SEE_CATALOG = "see triton_dashboards.catalog.CATALOG for the families"


def _explain_unknown(name: str) -> str:
    removed = removed_family_of(name)
    if removed is not None:
        subject = f"metric {name!r}"
        if name != removed.name:
            subject += f" (a sample of {removed.name!r})"
        if removed.replacement:
            todo = "use " + ", ".join(removed.replacement)
        else:
            todo = f"it has no replacement; {_SEE_CATALOG}"
        return f"{subject} was {removed.fate}; {todo}"
    family = family_of(name)
    if family is not None:
        return (
            f"{name!r} is a sample of the Triton {family.kind.value} {family.name!r};"
            f" pass the family name {family.name!r}"
        )
    close = difflib.get_close_matches(name, CATALOG.keys(), n=1, cutoff=0.75)
    if close:
        return f"unknown Triton metric {name!r}; did you mean {close[0]!r}? ({_SEE_CATALOG})"
    return f"unknown Triton metric {name!r}; {_SEE_CATALOG}"

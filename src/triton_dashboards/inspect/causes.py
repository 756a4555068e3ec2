"""Why a panel is empty: the eight causes doctor names, each written once with its fix.

Every cause is a ``kind`` (the JSON's machine name), a ``detail`` (what was found, with
the names and values that prove it) and a ``fix`` (what to change, and where). The texts
are built here from facts the diagnosis found; the facts about Triton (which flag,
backend or release brings a family) come from the catalog, never from a second copy.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence

import attrs

from triton_dashboards import catalog
from triton_dashboards.query.fleet import Ensemble

__all__ = [
    "Cause",
    "Kind",
    "ensemble_undeclared",
    "family_absent",
    "label_mismatch",
    "quantile_hidden",
    "record_absent",
    "stale",
    "target_down",
    "window_too_short",
]

#: How many label values a cause lists before it says "and N more".
SHOWN = 6


class Kind(enum.Enum):
    """The cause of an empty panel, as ``kind`` in doctor's JSON."""

    FAMILY_ABSENT = "family-absent"
    LABEL_MISMATCH = "label-mismatch"
    RECORD_ABSENT = "record-absent"
    WINDOW_TOO_SHORT = "window-too-short"
    TARGET_DOWN = "target-down"
    STALE = "stale"
    QUANTILE_HIDDEN = "quantile-hidden"
    ENSEMBLE_UNDECLARED = "ensemble-undeclared"

    @property
    def harmless(self) -> bool:
        """Whether the cause is the honest answer by design, not a fault to fix."""
        return self is Kind.QUANTILE_HIDDEN


@attrs.frozen
class Cause:
    """One reason, with its evidence and its fix."""

    kind: Kind
    detail: str
    fix: str

    def to_json(self) -> dict[str, str]:
        return {"kind": self.kind.value, "detail": self.detail, "fix": self.fix}


def listed(values: Sequence[str], quote: bool = True) -> str:
    """``"a", "b" and 3 more``: a few values, enough to recognise them."""
    shown = [f'"{v}"' if quote else v for v in values[:SHOWN]]
    more = len(values) - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def family_absent(metric: str) -> Cause:
    """No series of ``metric`` anywhere: what brings the family, from the catalog."""
    family = catalog.family_of(metric)
    removed = catalog.removed_family_of(metric)
    if removed is not None:
        instead = " or ".join(removed.replacement) or "nothing (no replacement)"
        return Cause(
            Kind.FAMILY_ABSENT,
            f"{metric} is scraped nowhere: the family was {removed.fate}",
            f"read {instead} instead",
        )
    if family is None:
        return Cause(
            Kind.FAMILY_ABSENT,
            f"{metric} is scraped nowhere, and it is not a Triton family",
            "check the exporter that should expose it, or the metric name in the query",
        )
    needs = []
    if family.plugin and family.plugin != "local_cache":
        needs.append(f"the {family.plugin} backend")
    if family.flag:
        needs.append(family.flag)
    if family.since:
        needs.append(f"Triton {family.since} or later")
    brought = " and ".join(needs) if needs else "a default Triton server"
    fix = f"turn it on: {family.flag}" if family.flag else "run a Triton that exposes it"
    if family.since:
        fix += f" (on Triton {family.since} or later)"
    return Cause(
        Kind.FAMILY_ABSENT,
        f"{family.name} is scraped nowhere; it needs {brought}",
        fix + ", or drop the panel if you do not need it",
    )


def label_mismatch(
    metrics: Sequence[str], matcher: str, label: str, values: Sequence[str]
) -> Cause:
    """``matcher`` selects no series of ``metrics``; the values the series do carry."""
    if values:
        carried = f"the series carry {label}={listed(values)}"
        fix = f"set {label} to one of those (the dashboard's Scope or variable), or relabel"
    else:
        carried = f"no series of it carries a {label} label"
        fix = f"add {label} to the scrape config's relabelling, or drop the matcher"
    detail = f"{matcher} matches no series of {listed(metrics, False)}: {carried}"
    return Cause(Kind.LABEL_MISMATCH, detail, fix)


def record_absent(records: Sequence[str], recorded: Sequence[str], loaded: bool) -> Cause:
    """No series named ``records``: rules not loaded, or another window or level recorded."""
    record = listed(records, False)
    if not loaded:
        detail = f"{record} is recorded nowhere: the server has no recording rules loaded"
    elif recorded:
        detail = (
            f"{record} is recorded nowhere; the loaded rules record {listed(recorded, False)} "
            "(another window or level)"
        )
    else:
        detail = f"{record} is recorded nowhere, and no loaded rule records its family"
    return Cause(
        Kind.RECORD_ABSENT,
        detail,
        "load the rules the dashboard reads (triton-dashboards rules -o triton.rules.yml, then "
        "rule_files or a PrometheusRule), or build it with Recording(window=...) as loaded",
    )


def window_too_short(
    where: Sequence[str], window: float, scrape: float, samples: int | None
) -> Cause:
    """A range of ``window`` s holds fewer than 2 samples at a ``scrape`` s interval."""
    held = f"holds at most {samples if samples is not None else int(window // scrape)}"
    return Cause(
        Kind.WINDOW_TOO_SHORT,
        f"{listed(where, False)}: a [{_duration(window)}] window {held} sample(s) at a "
        f"{_duration(scrape)} scrape interval; rate() needs 2. Prometheus 3 makes it worse: "
        "its ranges leave out a sample exactly at the window's start, so even a window of "
        "two intervals can hold 1",
        f"use $__rate_interval, or a window of at least 4 scrape intervals "
        f"([{_duration(4 * scrape)}]); for rules, Recording(window=...)",
    )


def target_down(target: str, job: str, error: str) -> Cause:
    """A Triton scrape target that is down, with Prometheus' scrape error."""
    return Cause(
        Kind.TARGET_DOWN,
        f"target {target} (job {job}) is down: {error or 'no error given'}",
        "check that Triton runs with --allow-metrics=true and that its metrics port (8002) "
        "answers from Prometheus' network",
    )


def no_target() -> Cause:
    """No Triton target at all: nothing scrapes Triton."""
    return Cause(
        Kind.TARGET_DOWN,
        "no Triton series in the range and no Triton target: Prometheus scrapes no Triton",
        "add a scrape config: triton-dashboards scrape-config",
    )


def stale(metrics: Sequence[str], last: float, end: float, gone: Sequence[str]) -> Cause:
    """The series stopped inside the range (a pod or a model gone)."""
    who = f" ({listed(gone, False)} gone)" if gone else ""
    return Cause(
        Kind.STALE,
        f"{listed(metrics, False)} stopped {_duration(end - last)} before the range's end{who}",
        "nothing to fix if the pod or model was removed; otherwise check that it is running "
        "and loaded, or pick a range that covers it",
    )


def quantile_hidden(qs: Sequence[str], where: Sequence[str]) -> Cause:
    """The quantiles ``qs`` fall in the lowest or the +Inf bucket: the panel shows nothing."""
    return Cause(
        Kind.QUANTILE_HIDDEN,
        f"the {listed(qs, False)} quantile falls in {' and '.join(where)}: an interpolation, not a "
        "measurement, so no value is the honest answer",
        "nothing to fix (by design); the bucket shares and the mean show the distribution, or "
        "configure buckets that bracket your latencies",
    )


def ensemble_undeclared(ensembles: Sequence[Ensemble]) -> Cause:
    """A headline counting every model and step where Triton serves ensembles."""
    named = "; ".join(f"{e.name} (steps {', '.join(e.steps)})" for e in ensembles)
    declared = ", ".join(f"Ensemble({e.name!r}, {list(e.steps)!r})" for e in ensembles)
    return Cause(
        Kind.ENSEMBLE_UNDECLARED,
        f"counts every model and step, and Triton serves ensembles: {named}; "
        "each client request is counted once per step too",
        f"declare them: overview(ensembles=[{declared}]) (triton-dashboards discover --write "
        "writes it)",
    )


def _duration(seconds: float) -> str:
    whole = round(seconds)
    for unit, size in (("h", 3600), ("m", 60)):
        if whole >= size and whole % size == 0:
            return f"{whole // size}{unit}"
    return f"{whole}s"

"""The record types of the catalog: what a metric family is, as data.

Kept apart from the tables (:mod:`.families`) so that a record's shape and its defaults
(which samples a family shows, whether it only grows, whether Triton prints it as an
integer) are read in one screen.
"""

from __future__ import annotations

import enum

import attrs


class Kind(enum.Enum):
    """Prometheus metric type, as Triton declares it in ``# TYPE``."""

    COUNTER = "counter"
    GAUGE = "gauge"
    HISTOGRAM = "histogram"
    SUMMARY = "summary"


class Group(enum.Enum):
    """What a family is about; dashboards lay out rows by group.

    GPU holds every ``gpu_uuid`` family (memory and energy included), CPU holds the
    ``--allow-cpu-metrics`` families (CPU RAM included), MEMORY is the pinned memory pool.
    """

    COUNTS = "counts"
    LATENCY = "latency"
    GPU = "gpu"
    CPU = "cpu"
    CACHE = "cache"
    MEMORY = "memory"
    LLM = "llm"


# Grafana unit ids for the raw values. Microseconds are U+00B5 MICRO SIGN + "s", which is what
# Grafana's unit picker stores (not U+03BC GREEK SMALL LETTER MU).
MICROSECONDS = "\u00b5s"
UNITS: frozenset[str] = frozenset(
    {MICROSECONDS, "ms", "s", "bytes", "watt", "joule", "percentunit", "short"}
)


def _sample_names(name: str, kind: Kind) -> tuple[str, ...]:
    if kind is Kind.HISTOGRAM:
        return (f"{name}_bucket", f"{name}_sum", f"{name}_count")
    if kind is Kind.SUMMARY:
        return (name, f"{name}_sum", f"{name}_count")
    return (name,)


def _cumulative_by_kind(metric: Metric) -> bool:
    # Counters, and histograms (whose _bucket, _sum and _count samples are all counters), only
    # grow until the model or server restarts. A summary's quantile samples are a sliding window.
    return metric.kind in (Kind.COUNTER, Kind.HISTOGRAM)


def _integer_by_kind(metric: Metric) -> bool:
    # Triton core's per-model counters are uint64 counts of requests, inferences, executions,
    # cache hits and whole microseconds (ns / 1000 per request, core src/infer_stats.cc); the
    # samples print them without a fraction. Energy (joules) and the plug-ins' are doubles.
    return metric.kind is Kind.COUNTER and metric.per_model and not metric.plugin


@attrs.frozen(kw_only=True)
class Metric:
    """One metric family as Triton exposes it on ``/metrics`` (port 8002).

    ``cumulative`` is True when every value only grows, so panels must use ``rate()`` or
    ``increase()``: counters, histograms, and the local_cache gauges that are really counts. For a
    summary only ``_sum`` and ``_count`` are cumulative; its quantile series are not.
    ``integer`` is True when Triton prints the value as a whole number.
    """

    name: str  # family name as exposed; Triton counters have no _total suffix
    kind: Kind
    unit: str  # Grafana unit id of the raw value, one of UNITS
    help: str  # verbatim HELP text of the current release
    group: Group
    labels: tuple[str, ...]  # labels beyond model/version (and namespace, _<tag>, gpu_uuid)
    per_model: bool  # the family carries model and version labels
    flag: str = ""  # switch or condition it needs; "" when a default server exposes it
    since: str = ""  # first release as container YY.MM; "" when not known
    cumulative: bool = attrs.field(default=attrs.Factory(_cumulative_by_kind, takes_self=True))
    plugin: str = ""  # "" for Triton core, else "local_cache", "tensorrt_llm" or "vllm"
    integer: bool = attrs.field(default=attrs.Factory(_integer_by_kind, takes_self=True))

    @property
    def samples(self) -> tuple[str, ...]:
        """Sample names a scrape shows for this family."""
        return _sample_names(self.name, self.kind)


@attrs.frozen(kw_only=True)
class RemovedMetric:
    """A family Triton no longer exposes; old dashboards still query it and show nothing."""

    name: str
    kind: Kind
    existed: str  # releases that exposed it
    fate: str  # reads after "was ...", e.g. "renamed in 23.03 (Triton 2.32)"
    replacement: tuple[str, ...]  # current family names to use instead, () if none

    @property
    def samples(self) -> tuple[str, ...]:
        """Sample names a scrape showed for this family."""
        return _sample_names(self.name, self.kind)

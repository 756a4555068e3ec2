"""Recorded series: the one table of recording rules, their names and their window.

Dashboards over many models and pods re-evaluate the same ``rate()`` over every raw
series on every refresh. Recording rules compute those rates once per evaluation, and
the recipes in :mod:`triton_dashboards.query.recipes` read the result instead when the scope
says so (``Scope(...).recorded(Recording())``). :mod:`triton_dashboards.prometheus.rules` emits the
rules from :data:`TABLE` below, and the recipes look their names up in the same table,
so the two can never disagree about a name.

Names follow Prometheus' ``level:metric:operations`` convention:

* **level** names the labels a series is *for*. Rates come at two levels:

  - ``instance_model_version``: one series per scrape target (``instance`` stands for
    every target label, ``namespace``, ``job``, ``pod``, ``service`` included) and per
    model and version, for the per-pod views and the alerts. Only ``gpu_uuid`` is summed
    away (``sum without (gpu_uuid)``): ensembles and models loaded at startup have no
    ``gpu_uuid`` while models loaded later do (docs/metrics.md), and without it every
    request counts once whatever the load timing. ``without`` keeps whatever else a
    target carries (``cluster``, ``_<tag>`` labels) with no list to maintain.
  - ``namespace_job_model_version``: the fleet level, the per-target records summed
    ``by (cluster, namespace, job, model, version)``. Pods, instances and services are
    summed away, so a fleet of 4 pods reads a quarter of the series; ``namespace`` and
    ``job`` stay so the dashboards' variables still filter, and the cluster label
    (:attr:`Recording.cluster`, ``cluster`` by default; a no-op where no series has it)
    stays so each cluster keeps its own series on a central server.

  Failures keep ``reason`` (``..._reason``), the first-response histogram ``le``
  (``..._le``). GPU records are ``instance_gpu_uuid``: per target and GPU, nothing
  aggregated, so two pods on one GPU stay two series and the dashboards average them
  per ``gpu_uuid``.
* **metric** is the Triton family, or ``x_per_y`` for a ratio of two. vLLM's families
  carry a colon (``vllm:generation_tokens_total``), the separator of the parts, so their
  metric part has an underscore instead (``vllm_generation_tokens_total``).
* **operations** is ``rate5m`` (per-second rate over the window), ``mean5m`` (per-request
  average: a duration's rate over the success rate, as Prometheus' docs name a
  ``sum / count`` mean), ``ratio_rate5m`` (a ratio of two rates), ``avg5m``
  (``avg_over_time`` of a gauge) and ``ratio`` (a ratio of two gauges, no window).

The window is in the name, so a dashboard built for one window never silently reads a
rate over another: ``triton-dashboards lint --rules`` names every record a dashboard
reads that a rules file does not write. The default, 5m, spans at least four scrapes at
every common scrape interval (15 s, 30 s and Prometheus' default 60 s), as
kubernetes-mixin's ``rate5m`` records do.

The rates are what the dashboards read: an average across pods is the sum of the rates
divided by the sum of the success rates, which per-pod averages cannot give. The
per-target means and batch size are for alerts, autoscalers and ad-hoc queries.
NVIDIA's tutorial rules (``triton:queue_duration:average`` and friends) are what not to
copy: they divide unsummed series (so ``reason`` and ``gpu_uuid`` splits never match) and
floor the success rate at 1/s, which inflates the average of any model under 1 req/s.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from typing import Protocol

import attrs

from triton_dashboards import catalog
from triton_dashboards.catalog import Metric
from triton_dashboards.promql import (
    Expr,
    PromQLError,
    Selector,
    over_time,
    rate,
    sum_by,
    sum_without,
)
from triton_dashboards.query.ratios import per_request
from triton_dashboards.validation import InvalidValue, check_duration, check_label_name

__all__ = ["DEFAULT_WINDOW", "TABLE", "Operation", "Record", "Recording"]

#: The label summed away from every per-model record (see the module docstring).
GPU_LABEL = "gpu_uuid"
#: The default window: four scrapes at Prometheus' default 60 s scrape interval.
DEFAULT_WINDOW = "5m"


class Operation(enum.Enum):
    """What a record computes; the value is the operations part of its name."""

    RATE = "rate"
    MEAN = "mean"
    RATIO_RATE = "ratio_rate"
    AVG = "avg"
    RATIO = "ratio"

    @property
    def windowed(self) -> bool:
        return self is not Operation.RATIO


@attrs.frozen
class Record:
    """One recorded series: ``operation`` of ``metric`` (over ``per``), at ``level``.

    ``keeps`` is None for a per-target record (every label but ``drops``), or the labels
    a fleet record keeps besides the cluster label (it sums its per-target record).
    """

    level: str
    metric: Metric
    operation: Operation
    per: Metric | None = None
    drops: tuple[str, ...] = ()
    ratio_of: str = ""  # the metric part of a ratio's name, ``x_per_y``
    sample: str = ""  # the sample the record reads, e.g. a histogram's ``_bucket``
    keeps: tuple[str, ...] | None = None

    @property
    def series(self) -> str:
        """The raw sample name the record reads (``metric`` plus ``sample``)."""
        return self.metric.name + self.sample

    def name(self, window: str) -> str:
        suffix = self.operation.value + (window if self.operation.windowed else "")
        # vLLM's ``vllm:x`` becomes ``vllm_x``: colons separate the parts of a record's name.
        return f"{self.level}:{self.ratio_of or self.series.replace(':', '_')}:{suffix}"

    def has(self, labels: set[str], cluster: str | None) -> bool:
        """Whether the record's series carry every one of ``labels``."""
        if self.keeps is None:
            return not labels & set(self.drops)
        return labels <= {*self.keeps, *([cluster] if cluster else [])}


_MODEL = "instance_model_version"
_FLEET = "namespace_job_model_version"
_GPU = "instance_gpu_uuid"
#: The target labels the fleet level keeps: the ones the stock variables filter on.
FLEET_TARGET_LABELS = ("namespace", "job")
_FLEET_KEEPS = (*FLEET_TARGET_LABELS, "model", "version")
_DURATIONS = tuple(phase.duration for phase in catalog.Phase)
_LLM_HISTOGRAMS = (
    "vllm:time_to_first_token_seconds",
    "vllm:time_per_output_token_seconds",
    "vllm:e2e_request_latency_seconds",
)
_LLM_TOKENS = ("vllm:prompt_tokens_total", "vllm:generation_tokens_total")


def _rate(metric: Metric, extra: str = "", sample: str = "") -> tuple[Record, Record]:
    """The per-target and the fleet record of ``metric``'s rate (``extra``: a label kept)."""
    suffix = f"_{extra}" if extra else ""
    per_target = Record(_MODEL + suffix, metric, Operation.RATE, drops=(GPU_LABEL,), sample=sample)
    keeps = (*_FLEET_KEEPS, extra) if extra else _FLEET_KEEPS
    fleet = Record(_FLEET + suffix, metric, Operation.RATE, sample=sample, keeps=keeps)
    return per_target, fleet


_RATES = (
    _rate(catalog.REQUEST_SUCCESS),
    _rate(catalog.REQUEST_FAILURE, "reason"),
    _rate(catalog.INFERENCE_COUNT),
    _rate(catalog.EXEC_COUNT),
    # The heaviest panel by far: every bucket of every model on every GPU, three quantiles.
    _rate(catalog.FIRST_RESPONSE_HISTOGRAM, "le", sample="_bucket"),
    *(_rate(duration) for duration in _DURATIONS),
    # LLM serving (query/llm.py): vLLM's latency histograms bucket by bucket, and its tokens.
    *(_rate(catalog.get(name), "le", sample="_bucket") for name in _LLM_HISTOGRAMS),
    *(_rate(catalog.get(name)) for name in _LLM_TOKENS),
)

#: Every recorded series, in the order the rules are evaluated: the per-target rates, the
#: fleet rates that sum them, then the per-request means and ratios that divide them (a
#: rule group evaluates its rules in order, so those read the rates of the same
#: evaluation). Cheapest first for each metric: the fleet level comes before the
#: per-target one in :meth:`Recording.find`.
TABLE: tuple[Record, ...] = (
    *(per_target for per_target, _ in _RATES),
    *(fleet for _, fleet in _RATES),
    *(
        Record(_MODEL, duration, Operation.MEAN, catalog.REQUEST_SUCCESS, (GPU_LABEL,))
        for duration in _DURATIONS
    ),
    Record(
        _MODEL,
        catalog.INFERENCE_COUNT,
        Operation.RATIO_RATE,
        catalog.EXEC_COUNT,
        (GPU_LABEL,),
        ratio_of="nv_inference_count_per_exec",
    ),
    Record(_GPU, catalog.GPU_UTILIZATION, Operation.AVG),
    Record(
        _GPU,
        catalog.GPU_MEMORY_USED,
        Operation.RATIO,
        catalog.GPU_MEMORY_TOTAL,
        ratio_of="nv_gpu_memory_used_per_total",
    ),
)


class Select(Protocol):
    """How the rules select a family's raw series (``Scope.select``)."""

    def __call__(self, metric: Metric, *, sample: str | None = None) -> Selector: ...


def _check_window(window: str) -> str:
    try:
        return check_duration(window, "recording window")
    except InvalidValue as e:
        raise PromQLError(str(e)) from None


def _check_interval(interval: str | None) -> str | None:
    return None if interval is None else _check_window(interval)


def _check_cluster(label: str | None) -> str | None:
    if label is None:
        return None
    try:
        return check_label_name(label, "cluster label")
    except InvalidValue as e:
        raise PromQLError(str(e)) from None


@attrs.frozen
class Recording:
    """Recording rules over ``window``, evaluated every ``interval``.

    ``window`` is the ``rate()`` range of every record. It needs at least two scrapes and
    is best at four: the default 5m fits every scrape interval up to Prometheus' default
    60 s. ``interval`` is the evaluation interval of the rule groups (records and
    alerts), ``None`` for Prometheus' global one. ``cluster`` is the label that tells
    clusters apart on a central server (Thanos, Mimir, remote write), kept by the fleet
    records; ``None`` for none. Dashboards on recorded series show the rate over exactly
    ``window`` whatever the zoom, where the raw ones use ``$__rate_interval``.
    """

    window: str = attrs.field(default=DEFAULT_WINDOW, converter=_check_window)
    interval: str | None = attrs.field(default=None, converter=_check_interval)
    cluster: str | None = attrs.field(default="cluster", converter=_check_cluster)

    def find(self, metric: Metric, operation: Operation, labels: set[str]) -> Record | None:
        """The cheapest record of ``operation`` over ``metric`` carrying ``labels``."""
        found = [r for r in TABLE if r.metric == metric and r.operation is operation]
        fitting = [r for r in found if r.has(labels, self.cluster)]
        fitting.sort(key=lambda r: r.keeps is None)  # fleet records first
        return fitting[0] if fitting else None

    def record(self, metric: Metric, operation: Operation) -> Record | None:
        """The table's per-target record of ``operation`` over ``metric``, or None."""
        for record in TABLE:
            if record.metric == metric and record.operation is operation and not record.keeps:
                return record
        return None

    def name(self, metric: Metric, operation: Operation = Operation.RATE) -> str:
        """The per-target recorded series' name, e.g. ``instance_model_version:...:rate5m``."""
        record = self.record(metric, operation)
        if record is None:
            raise KeyError(f"no {operation.value} record of {metric.name}")
        return record.name(self.window)

    def rules(self, select: Select) -> Iterator[tuple[str, Expr]]:
        """``(record, expr)`` for every row of :data:`TABLE`, in evaluation order.

        ``select`` gives the raw selector of a family (``Scope.select``), so the rules
        record only the targets and models the rules' scope names.
        """
        for record in TABLE:
            yield record.name(self.window), self._expr(record, select)

    def _expr(self, record: Record, select: Select) -> Expr:
        if record.keeps is not None:
            kept = (self.cluster, *record.keeps) if self.cluster else record.keeps
            return sum_by(kept, Selector(self.name(record.metric)))
        if record.operation is Operation.RATE:
            selector = select(record.metric, sample=record.series)
            return sum_without(record.drops, rate(selector, self.window))
        if record.operation is Operation.AVG:
            return over_time("avg", select(record.metric), self.window)
        assert record.per is not None
        if record.operation is Operation.RATIO:
            return per_request(select(record.metric), select(record.per))
        return per_request(Selector(self.name(record.metric)), Selector(self.name(record.per)))

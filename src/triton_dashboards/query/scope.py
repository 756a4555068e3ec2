"""Which Triton series a query looks at, and which labels it keeps.

A :class:`Scope` is the one configuration object every recipe takes (kubernetes-mixin
style): where Triton runs (namespace, job, service, pod, ...), which models, which GPUs,
and the labels an aggregation keeps. It turns a catalog family into a selector with the
right matchers: model matchers only on per-model families, GPU matchers only on families
that carry ``gpu_uuid``, so one scope serves every panel of a dashboard.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeAlias

import attrs

from triton_dashboards.catalog import Metric
from triton_dashboards.promql import Matcher, PromQLError, Selector, Var
from triton_dashboards.query.recording import Recording
from triton_dashboards.validation import check_label_name

__all__ = ["Scope", "ScopeValue"]

ScopeValue: TypeAlias = str | Var | Sequence[str]


#: Model filter matchers render model first, then version, whatever the call order.
_FILTER_ORDER = {"model": 0, "version": 1}


def _matchers(labels: dict[str, ScopeValue]) -> tuple[Matcher, ...]:
    return tuple(Matcher.of(label, value) for label, value in labels.items() if value is not None)


@attrs.frozen(init=False)
class Scope:
    """A selection of Triton series plus the labels that aggregations keep.

    ``Scope(namespace="triton", service="triton-inference-ner")`` selects the targets;
    ``.model("ner_pipeline")`` or ``.models("ner", "ner_postprocess")`` narrows the
    per-model families; ``.by("model")`` changes what a panel shows one series for.

    Per-model aggregations sum over everything else, ``gpu_uuid`` and pod included:
    ensembles and models loaded at startup have no ``gpu_uuid`` while models loaded
    later do (docs/metrics.md), and only a sum that drops it counts every request once.
    GPU families are deduplicated by ``gpu_uuid`` (two Triton pods on one GPU report the
    same device), host families are kept per ``instance``.

    ``.per_cluster()`` keeps a cluster label (``cluster`` by default) in every
    aggregation, for a central server (Thanos, Mimir, remote write) where each cluster's
    series carry it: sums never add two clusters together, alerts name the cluster. Where
    no series has the label, keeping it changes nothing. A dashboard that *selects*
    clusters with a variable instead adds a matcher (``Scope(cluster=Var("cluster"))``)
    and shows the selected clusters' total.

    ``.recorded(Recording())`` makes every recipe that has a recorded form read the
    series of the recording rules (:mod:`triton_dashboards.query.recording`) instead of the raw
    ones; the switch lives here so that panels and dashboards follow with no new argument.
    """

    target: tuple[Matcher, ...] = ()
    model_filter: tuple[Matcher, ...] = ()
    gpu_filter: tuple[Matcher, ...] = ()
    group: tuple[str, ...] = ("model", "version")
    gpu_group: tuple[str, ...] = ("gpu_uuid",)
    host_group: tuple[str, ...] = ("instance",)
    recording: Recording | None = None
    cluster: str | None = None

    def __init__(self, **labels: ScopeValue) -> None:
        """A scope over the targets whose labels match, e.g. ``namespace="triton"``."""
        self.__attrs_init__(target=_matchers(labels))

    def _with(
        self, **changes: tuple[Matcher, ...] | tuple[str, ...] | Recording | str | None
    ) -> Scope:
        new = object.__new__(Scope)
        new.__attrs_init__(**{**attrs.asdict(self, recurse=False), **changes})
        return new

    def also(self, **labels: ScopeValue) -> Scope:
        """This scope with more target matchers; every matcher must hold (they add up)."""
        return self._with(target=self.target + _matchers(labels))

    def where(self, *matchers: Matcher) -> Scope:
        """This scope with more target matchers written out, e.g. ``job=~".*triton.*"``.

        Like :meth:`also`, they add to the target matchers already there.
        """
        return self._with(target=self.target + matchers)

    def _filter(self, **labels: ScopeValue) -> Scope:
        """The model filter with the matchers of ``labels`` replaced, the others kept."""
        kept = tuple(m for m in self.model_filter if m.label not in labels)
        ordered = sorted(kept + _matchers(labels), key=lambda m: _FILTER_ORDER.get(m.label, 2))
        return self._with(model_filter=tuple(ordered))

    def model(self, name: str | Var, version: str | Var | None = None) -> Scope:
        """Only the model (or ensemble) ``name``, optionally one version.

        The model filter is per label: this replaces the ``model`` matcher (and the
        ``version`` one when ``version`` is given) and keeps any other, so
        ``.versions("2").model("m")`` and ``.model("m", "2").models("a", "b")`` both keep
        version 2.
        """
        if version is None:
            return self._filter(model=name)
        return self._filter(model=name, version=version)

    def models(self, *names: str) -> Scope:
        """Any of the models ``names`` (for example the steps of an ensemble).

        Replaces the ``model`` matcher and keeps the ``version`` one, like :meth:`model`.
        """
        if not names:
            raise PromQLError("Scope.models() needs at least one model name")
        return self._filter(model=list(names))

    def versions(self, version: str | Var) -> Scope:
        """Only model version ``version``; replaces a version matcher, keeps the model one."""
        return self._filter(version=version)

    def gpus(self, gpu_uuid: str | Var | Sequence[str]) -> Scope:
        """Only the GPUs ``gpu_uuid`` (GPU families; per-model ones are not split by GPU).

        Replaces the GPU filter: ``gpu_uuid`` is its only label.
        """
        return self._with(gpu_filter=_matchers({"gpu_uuid": gpu_uuid}))

    def _kept(self, labels: tuple[str, ...]) -> tuple[str, ...]:
        if self.cluster is None or self.cluster in labels:
            return labels
        return (self.cluster, *labels)

    def by(self, *labels: str) -> Scope:
        """Keep ``labels`` in per-model aggregations (default ``model, version``).

        The cluster label of :meth:`per_cluster` stays kept whatever ``labels`` say.
        """
        return self._with(group=self._kept(labels))

    def by_gpu(self, *labels: str) -> Scope:
        """Keep ``labels`` in GPU aggregations (default ``gpu_uuid``), and the cluster."""
        return self._with(gpu_group=self._kept(labels))

    def per_cluster(self, label: str | None = "cluster") -> Scope:
        """Keep the cluster label ``label`` in every aggregation; ``None``: keep none.

        It is a label name, checked as one; every later :meth:`by` keeps it too.
        """
        if label is not None:
            label = check_label_name(label, "cluster label")
        new = self._with(cluster=label)

        def regroup(labels: tuple[str, ...]) -> tuple[str, ...]:
            return new._kept(tuple(x for x in labels if x != self.cluster))

        return new._with(
            group=regroup(self.group),
            gpu_group=regroup(self.gpu_group),
            host_group=regroup(self.host_group),
        )

    def recorded(self, recording: Recording | None = Recording()) -> Scope:  # noqa: B008
        """Read recorded series where a recipe has one; ``None`` goes back to raw series."""
        return self._with(recording=recording)

    def select(self, metric: Metric, *extra: Matcher, sample: str | None = None) -> Selector:
        """A selector for ``metric`` with the matchers of this scope that apply to it.

        ``sample`` picks one of the family's sample names, e.g. a histogram's ``_bucket``.
        """
        matchers = self.target
        if metric.per_model:
            matchers += self.model_filter
        if "gpu_uuid" in metric.labels and not metric.per_model:
            matchers += self.gpu_filter
        return Selector(sample or metric.name, matchers + extra)

    @property
    def legend(self) -> str:
        """A Grafana legend naming each per-model series, e.g. ``{{model}} v{{version}}``."""
        parts = []
        for label in self.group:
            parts.append("v{{version}}" if label == "version" else "{{" + label + "}}")
        return " ".join(parts) if parts else "all"

    @property
    def model_name(self) -> str | None:
        """The model the scope pins by a literal name, if it pins exactly one."""
        for m in self.model_filter:
            if m.label == "model" and m.op == "=" and isinstance(m.value, str):
                return m.value
        return None

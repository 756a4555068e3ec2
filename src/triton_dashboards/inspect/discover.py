"""What a deployment has, read from Prometheus and from Triton: where dashboards start.

**From Prometheus**, with three instant queries and the targets API: where Triton runs
(the clusters, namespaces, jobs and pods its series carry), which models and versions
report, which catalog families each model and each server has, and the scrape interval of
the jobs that scrape Triton. A family that needs a switch proves the switch is on where it
is scraped: ``*_summary_us`` means ``--metrics-config summary_latencies=true``, a per-model
cache family means that model has the response cache on, ``nv_gpu_*`` means GPU metrics.
The switches and which families they bring are the catalog's (``Metric.flag``), not
written here.

**From Triton** (:mod:`.triton`): the models of the repository, their state and backend,
and each ensemble's steps. Prometheus alone cannot give the steps: a step's series look
like any model's, and nothing in the metrics says which model a request came through, so
without Triton the ensembles are unknown and the notes say how to get them.

Each side is checked against the other: a model Triton serves that no series shows means
this Prometheus does not scrape that server; a model with series that Triton does not list
is served elsewhere (another deployment on the same Prometheus).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from triton_dashboards.catalog import CATALOG, Kind, Metric, family_of
from triton_dashboards.inspect.prometheus import Prometheus
from triton_dashboards.inspect.triton import Repository
from triton_dashboards.promql import Matcher
from triton_dashboards.query.fleet import Ensemble
from triton_dashboards.query.recording import Recording

__all__ = ["NO_SERIES", "NO_TRITON", "Discovery", "Flag", "SeenModel", "discover", "locations_of"]

#: The label a central Prometheus tells clusters apart by (the recording rules' default).
CLUSTER_LABEL = Recording().cluster or "cluster"
#: Where a Triton server runs, as its series' labels say; the first is the cluster label.
WHERE = (CLUSTER_LABEL, "namespace", "job", "pod", "instance")

NO_SERIES = (
    "Prometheus holds no Triton series: check that it scrapes Triton's metrics port "
    "(8002 by default, path /metrics) and that the targets are up"
)
NO_TRITON = (
    "ensembles cannot be known from Prometheus alone: a step's series look like any "
    "model's; pass --triton http://TRITON:8000 (Triton's HTTP port) to read each "
    "ensemble's steps from its configuration"
)


@attrs.frozen
class SeenModel:
    """A model version with series in Prometheus: where, and which families it has."""

    name: str
    version: str
    namespaces: tuple[str, ...]
    families: tuple[str, ...]  # catalog family names, catalog order


@attrs.frozen
class Flag:
    """A Triton switch, as the catalog writes it, and the evidence for it in Prometheus.

    ``models`` are the models whose series show one of its per-model families (for a
    switch of the whole server, such as GPU metrics, none); ``families`` are those of its
    families that are scraped. A switch is on where any of them is.
    """

    flag: str
    families: tuple[str, ...]
    models: tuple[str, ...]

    @property
    def on(self) -> bool:
        return bool(self.families)


@attrs.frozen
class Discovery:
    """What one Prometheus (and, given, one Triton) says the deployment has."""

    prometheus: str
    scrape_interval: float | None
    locations: Mapping[str, tuple[str, ...]]  # label of WHERE -> its values, sorted
    models: tuple[SeenModel, ...]
    server_families: tuple[str, ...]  # families of the servers, not of a model
    flags: tuple[Flag, ...]
    triton: Repository | None = None

    @property
    def ensembles(self) -> tuple[Ensemble, ...]:
        """The ensembles Triton declares, in repository order; none without Triton."""
        return self.triton.declarations() if self.triton is not None else ()

    def namespaces_of(self, model: str) -> tuple[str, ...]:
        """The namespaces whose series carry ``model``, sorted."""
        return tuple(sorted({ns for m in self.models if m.name == model for ns in m.namespaces}))

    @property
    def notes(self) -> tuple[str, ...]:
        """What the reader should know and cannot see in the lists, one sentence each."""
        notes = [] if self.models or self.server_families else [NO_SERIES]
        if self.triton is None:
            return (*notes, NO_TRITON)
        notes += self.triton.notes
        seen = {m.name for m in self.models}
        served = {m.name for m in self.triton.models if m.ready}
        unseen = sorted(served - seen)
        if unseen:
            notes.append(
                f"Triton at {self.triton.url} serves {', '.join(unseen)}, which no series in "
                "Prometheus shows: does Prometheus scrape this server's metrics port (8002)?"
            )
        elsewhere = sorted(seen - {m.name for m in self.triton.models})
        if elsewhere:
            notes.append(
                f"{', '.join(elsewhere)} report to Prometheus but are not in the repository of "
                f"{self.triton.url}: another server serves them"
            )
        return tuple(notes)

    def to_json(self) -> dict[str, Any]:
        """The document ``discover --output json`` prints."""
        triton = self.triton
        return {
            "prometheus": self.prometheus,
            "scrape_interval_seconds": self.scrape_interval,
            "locations": {label: list(values) for label, values in self.locations.items()},
            "models": [
                {
                    "name": m.name,
                    "version": m.version,
                    "namespaces": list(m.namespaces),
                    "families": list(m.families),
                }
                for m in self.models
            ],
            "server_families": list(self.server_families),
            "flags": [
                {"flag": f.flag, "on": f.on, "families": list(f.families), "models": list(f.models)}
                for f in self.flags
            ],
            "triton": None
            if triton is None
            else {
                "url": triton.url,
                "version": triton.version,
                "models": [attrs.asdict(m) | {"steps": list(m.steps)} for m in triton.models],
            },
            "ensembles": [{"name": e.name, "steps": list(e.steps)} for e in self.ensembles],
            "notes": list(self.notes),
        }


def discover(prometheus: Prometheus, triton: Repository | None = None) -> Discovery:
    """What ``prometheus`` (and the Triton ``triton`` read) says the deployment has.

    Raises the client's one-line :class:`~.prometheus.PrometheusError` when Prometheus
    cannot be asked.
    """
    every = _names_matching(m for m in CATALOG.values())
    per_model = _names_matching(m for m in CATALOG.values() if m.per_model)
    located = prometheus.query(f"group by ({', '.join(WHERE)}) ({every})")
    by_model = prometheus.query(f"group by (__name__, model, version, namespace) ({per_model})")
    by_server = prometheus.query(f"group by (__name__) ({every})")
    locations = locations_of(item["metric"] for item in located)
    models = _models(item["metric"] for item in by_model)
    server = _families(item["metric"].get("__name__", "") for item in by_server)
    server_families = tuple(f for f in server if not CATALOG[f].per_model)
    return Discovery(
        prometheus=prometheus.url,
        scrape_interval=prometheus.read_scrape_interval(locations.get("job", ())),
        locations=locations,
        models=models,
        server_families=server_families,
        flags=_flags(models, server_families),
        triton=triton,
    )


def locations_of(label_sets: Iterable[Mapping[str, str]]) -> dict[str, tuple[str, ...]]:
    """Each label of :data:`WHERE` -> the values the label sets carry, sorted."""
    values: dict[str, set[str]] = {label: set() for label in WHERE}
    for labels in label_sets:
        for label in WHERE:
            if labels.get(label):
                values[label].add(labels[label])
    return {label: tuple(sorted(found)) for label, found in values.items()}


def _names_matching(metrics: Iterable[Metric]) -> str:
    """A name-only selector for one sample name of each of ``metrics``: the family's own,
    or its ``_count`` for a histogram or summary, which every one of its series sets have,
    so the buckets and quantiles (most of a histogram's series) are never read."""
    counted = (Kind.HISTOGRAM, Kind.SUMMARY)
    names = sorted(f"{m.name}_count" if m.kind in counted else m.name for m in metrics)
    return "{" + Matcher.of("__name__", names).render() + "}"


def _families(sample_names: Iterable[str]) -> tuple[str, ...]:
    """The catalog families of ``sample_names``, in catalog order."""
    found = {metric.name for name in sample_names if (metric := family_of(name)) is not None}
    return tuple(name for name in CATALOG if name in found)


def _models(label_sets: Iterable[Mapping[str, str]]) -> tuple[SeenModel, ...]:
    samples: dict[tuple[str, str], set[str]] = defaultdict(set)
    namespaces: dict[tuple[str, str], set[str]] = defaultdict(set)
    for labels in label_sets:
        if not labels.get("model"):
            continue
        key = (labels["model"], labels.get("version", ""))
        samples[key].add(labels.get("__name__", ""))
        if labels.get("namespace"):
            namespaces[key].add(labels["namespace"])
    return tuple(
        SeenModel(name, version, tuple(sorted(namespaces[name, version])), _families(names))
        for (name, version), names in sorted(samples.items())
    )


def _flags(models: tuple[SeenModel, ...], server_families: tuple[str, ...]) -> tuple[Flag, ...]:
    """Every switch of the catalog with the families and models that show it on."""
    scraped = set(server_families) | {f for m in models for f in m.families}
    switches: dict[str, list[Metric]] = defaultdict(list)
    for metric in CATALOG.values():
        if metric.flag:
            switches[metric.flag].append(metric)
    return tuple(
        Flag(
            flag=flag,
            families=tuple(m.name for m in metrics if m.name in scraped),
            models=tuple(
                dict.fromkeys(
                    model.name for model in models if any(m.name in model.families for m in metrics)
                )
            ),
        )
        for flag, metrics in switches.items()
    )

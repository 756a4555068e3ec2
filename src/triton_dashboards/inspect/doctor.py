"""Doctor: every panel of every dashboard run as Grafana would, and each empty one explained.

An empty panel's query is taken apart (:mod:`.anatomy`) and each part asked about in turn,
from the widest question to the narrowest, so the first answer that fails is the cause:

1. is the family (or the recorded series) there at all? If not: ``family-absent`` with
   what brings it (catalog), ``record-absent`` with what the loaded rules do record (a
   loaded rule that recorded nothing is explained by its own query, one level down), or
   ``target-down`` when Prometheus holds no Triton series at all;
2. does each matcher, added one at a time, still match? The first that matches nothing is
   a ``label-mismatch``, told with the values the series carry;
3. does the selector still match at the range's end? If not, the series stopped inside the
   range: ``stale``, with the pods or instances gone;
4. does each range window hold two samples at its end? If not: ``window-too-short``;
5. does a ``histogram_quantile`` have a value the panel's guard hides? ``quantile-hidden``,
   the lowest or the +Inf bucket (by design: no value is the honest answer).

Beside the panels: headlines that count every model and step get ``ensemble-undeclared``
when Triton (``--triton``) serves ensembles; targets that are down are ``findings`` of the
server, not of a panel. Queries run concurrently, at most ``workers`` at once.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

import attrs

from triton_dashboards.inspect import causes
from triton_dashboards.inspect.anatomy import Part, excluded, parts, quantiles
from triton_dashboards.inspect.causes import Cause
from triton_dashboards.inspect.engine import (
    DEFAULT_WORKERS,
    PanelRun,
    has_data,
    panel_targets,
    run_dashboard,
)
from triton_dashboards.inspect.facts import Facts
from triton_dashboards.inspect.intervals import QueryContext
from triton_dashboards.inspect.prometheus import Prometheus, PrometheusError, PrometheusUnreachable
from triton_dashboards.inspect.report import DashboardReport, PanelReport, Report
from triton_dashboards.inspect.variables import VariableError
from triton_dashboards.query.fleet import Ensemble, counted

__all__ = ["diagnose"]

#: What a headline's description says when it counts every model and step because no
#: ensemble is declared (query.fleet.counted), and the title of one over clients, where
#: the declared steps are left out.
_COUNTS_STEPS = counted(()).sentence
_CLIENTS = counted((Ensemble("ensemble", ("step",)),)).title + " "
#: Rules one level down explain a loaded record that holds nothing (fleet reads per-target).
_RULE_DEPTH = 2
#: Dashboards diagnosed at once (each resolves its variables one after another).
_DASHBOARDS_AT_ONCE = 4


def diagnose(
    dashboards: Sequence[tuple[str, Mapping[str, Any]]],
    prometheus: Prometheus,
    context: QueryContext,
    *,
    ensembles: Sequence[Ensemble] | None = None,
    workers: int = DEFAULT_WORKERS,
) -> Report:
    """The report on ``dashboards`` (file name, JSON) over ``context``.

    ``ensembles`` are the ensembles Triton serves (None: Triton was not asked).
    """
    facts = Facts(prometheus, context)
    with (
        ThreadPoolExecutor(max_workers=max(1, workers)) as pool,
        ThreadPoolExecutor(max_workers=_DASHBOARDS_AT_ONCE) as boards,
    ):

        def one(item: tuple[str, Mapping[str, Any]]) -> DashboardReport:
            file, dashboard = item
            try:
                run = run_dashboard(dashboard, prometheus, context, pool=pool)
            except PrometheusUnreachable:
                raise
            except (PrometheusError, VariableError) as e:
                return _unresolved(file, dashboard, f"its variables cannot be resolved: {e}")
            panels = list(pool.map(lambda p: _panel(p, facts, ensembles or ()), run.panels))
            return DashboardReport(run.uid, run.title, file, tuple(panels))

        reports = tuple(boards.map(one, dashboards))
    return Report(prometheus.url, tuple(_findings(facts)), reports)


@attrs.frozen
class _Found:
    """One part's cause before it is merged with the same cause of the panel's other parts.

    Causes with one ``key`` differ only in their ``subject`` (the family, record or
    selector), so a panel whose every family misses one namespace gets one cause.
    """

    key: tuple[Any, ...]
    subject: str
    build: Callable[[Sequence[str]], Cause]


def _merge(found: Sequence[_Found]) -> list[Cause]:
    subjects: dict[tuple[Any, ...], dict[str, None]] = {}
    builders: dict[tuple[Any, ...], Callable[[Sequence[str]], Cause]] = {}
    for f in found:
        subjects.setdefault(f.key, {})[f.subject] = None
        builders.setdefault(f.key, f.build)
    return [builders[key](list(names)) for key, names in subjects.items()]


def _unresolved(file: str, dashboard: Mapping[str, Any], error: str) -> DashboardReport:
    """A dashboard whose variables fail: every panel an error, the others still diagnosed."""
    titles = dict.fromkeys(str(p.get("title") or "") for p, _ in panel_targets(dashboard))
    panels = tuple(PanelReport(title, "error", error=error) for title in titles)
    uid, title = str(dashboard.get("uid") or ""), str(dashboard.get("title") or "")
    return DashboardReport(uid, title, file, panels)


def _panel(run: PanelRun, facts: Facts, ensembles: Sequence[Ensemble]) -> PanelReport:
    found: list[Cause] = []
    undeclared = _undeclared(run, ensembles)
    if undeclared:
        found.append(causes.ensemble_undeclared(undeclared))
    errors = run.errors
    if errors:
        return PanelReport(run.title, "error", tuple(found), errors[0])
    parts_found: list[_Found] = []
    for target in run.targets:
        if not target.has_data:
            explained = _explain(target.expr, facts, target.context.scrape_interval, 0)
            parts_found += explained if explained else _quantile(target.expr, facts)
    found += _merge(parts_found)
    if run.has_data:
        return PanelReport(run.title, "ok", tuple(found))
    harmless = bool(found) and all(c.kind.harmless for c in found)
    return PanelReport(run.title, "ok" if harmless else "empty", tuple(found))


def _undeclared(run: PanelRun, ensembles: Sequence[Ensemble]) -> list[Ensemble]:
    """The ensembles a headline counts the steps of: all of them where it says it counts
    every model and step for want of a declaration, and where it counts clients, those whose
    steps its ``model!~`` matcher does not leave out (declared before an ensemble was added).
    A panel that counts steps whatever is declared (failures by reason) is not flagged."""
    if not ensembles:
        return []
    if _COUNTS_STEPS in str(run.panel.get("description") or ""):
        return list(ensembles)
    if not run.title.startswith(_CLIENTS):
        return []
    regexes = [r for t in run.targets for r in excluded(t.expr, "model")]
    if not regexes:
        return []

    def left_out(step: str) -> bool:
        return all(_fullmatch(r, step) for r in regexes)

    return [e for e in ensembles if not all(left_out(step) for step in e.steps)]


def _fullmatch(regex: str, value: str) -> bool:
    """Whether Prometheus' (anchored, RE2) ``regex`` matches ``value``; Python's re reads the
    escaped alternatives the dashboards write."""
    try:
        return re.fullmatch(regex, value) is not None
    except re.error:
        return False


def _explain(expr: str, facts: Facts, scrape: float, depth: int) -> list[_Found]:
    found: list[_Found] = []
    for part in parts(expr):
        found += _part(part, facts, scrape, depth)
    return found


def _part(part: Part, facts: Facts, scrape: float, depth: int) -> list[_Found]:
    metric = part.metric
    if not metric:
        return []
    if not facts.exists(metric):
        if ":" in metric:
            return _record(metric, facts, scrape, depth)
        if not facts.triton_jobs():
            return [_Found(("none",), metric, lambda _: causes.no_target())]
        return [_Found(("family", metric), metric, lambda _: causes.family_absent(metric))]
    for upto in range(1, len(part.matchers) + 1):
        if not facts.exists(part.selector(upto)):
            matcher, label = part.matchers[upto - 1], part.labels[upto - 1]
            values = facts.values(label, part.selector(upto - 1))
            key = ("label", matcher, tuple(values))
            build = partial(causes.label_mismatch, matcher=matcher, label=label, values=values)
            return [_Found(key, metric, build)]
    selector = part.selector()
    if not facts.now(selector):
        return [_stale(metric, selector, facts)]
    window = part.window
    if window is not None:
        n = facts.most_samples(selector, window)
        # A window of more than two scrape intervals that still held fewer than 2 samples
        # saw data younger than itself (a server or target just started), not a window too
        # short: that is left to "no cause found", which says the data may be young.
        if n < 2 and window <= 2 * scrape:
            where = f"{part.function or 'range'}({metric})"
            return [
                _Found(
                    ("window", window, n),
                    where,
                    lambda w: causes.window_too_short(w, window, scrape, n),
                )
            ]
    return []


def _record(name: str, facts: Facts, scrape: float, depth: int) -> list[_Found]:
    rule = next((r for r in facts.rules() if r.get("name") == name), None)
    if rule is None or depth >= _RULE_DEPTH:
        rest = name.partition(":")[2]
        family = rest.rpartition(":")[0]
        recorded = facts.recorded()
        similar = tuple(r for r in recorded if r.split(":")[1:2] == [family])
        loaded = bool(recorded)
        return [
            _Found(
                ("record", similar, loaded),
                name,
                lambda names: causes.record_absent(names, similar, loaded),
            )
        ]
    if rule.get("health") == "err":
        error = " ".join(str(rule.get("lastError") or "").split())
        failing = f"{name} (its rule fails: {error})"
        return [_Found(("record", failing), failing, lambda n: causes.record_absent(n, [], True))]
    return _explain(str(rule.get("query") or ""), facts, scrape, depth + 1)


def _stale(metric: str, selector: str, facts: Facts) -> _Found:
    last = facts.last_seen(selector)
    end = facts.context.end
    seen = {v for label in ("pod", "instance") for v in facts.values(label, selector)}
    now = {s["metric"].get(k) for s in facts.now(selector) for k in ("pod", "instance")}
    gone = tuple(sorted(seen - now))
    stopped = last if last is not None else end
    key = ("stale", gone, round(stopped))
    return _Found(key, metric, lambda s: causes.stale(s, stopped, end, gone))


def _quantile(expr: str, facts: Facts) -> list[_Found]:
    for quantile in quantiles(expr):
        if not has_data(facts.instant(f"histogram_quantile({quantile.q:g}, {quantile.buckets})")):
            continue
        groups: dict[tuple[tuple[str, str], ...], dict[float, float]] = defaultdict(dict)
        for series in facts.instant(quantile.buckets):
            labels = series["metric"]
            key = tuple((k, labels.get(k, "")) for k in quantile.group)
            groups[key][float(labels.get("le", "nan"))] = float(series["value"][1])
        where = {w for buckets in groups.values() if (w := _bucket_of(quantile.q, buckets))}
        if where:
            bounds = sorted(where)
            build = partial(causes.quantile_hidden, where=bounds)
            return [_Found(("quantile", *bounds), f"{quantile.q:g}", build)]
    return []


def _bucket_of(q: float, buckets: Mapping[float, float]) -> str | None:
    """ "the lowest bucket (<= b)" or "the +Inf bucket (> b)" when ``q`` falls in one."""
    bounds = sorted(b for b in buckets if not math.isnan(b))
    total = buckets.get(math.inf, 0.0)
    finite = [b for b in bounds if math.isfinite(b)]
    if total <= 0 or not finite:
        return None
    rank = q * total
    if buckets[finite[0]] >= rank:
        return f"the lowest bucket (<= {finite[0]:g})"
    if buckets[finite[-1]] < rank:
        return f"the +Inf bucket (> {finite[-1]:g})"
    return None


def _findings(facts: Facts) -> list[Cause]:
    """Triton targets that are down (or none at all): facts about the server."""
    jobs = set(facts.triton_jobs())
    found = []
    for target in facts.targets():
        job = str((target.get("labels") or {}).get("job") or target.get("scrapePool") or "")
        if target.get("health") == "down" and (not jobs or job in jobs):
            url = str(target.get("scrapeUrl") or "")
            found.append(causes.target_down(url, job, str(target.get("lastError") or "")))
    if not jobs and not found:
        found.append(causes.no_target())
    return found

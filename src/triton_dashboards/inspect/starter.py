"""The starting ``*.dashboard.py`` files discover writes for a deployment.

Two kinds, from what Triton's configurations say (:class:`Plan`):

* ``overview.dashboard.py``: the stock overview with the deployment's ``Ensemble``
  declarations, so its headlines count client requests once instead of every step;
* a dashboard per ensemble, like the project's ``dashboards/ner.dashboard.py``: the
  ensemble's traffic, failures and request time, where the time goes in its steps, the
  batch size of the steps that batch, and the GPUs where the servers report them.

The files are written to be read and changed: public names only (``triton_dashboards``,
``triton_dashboards.dashboard.stock``, ``triton_dashboards.query.fleet``), one idea a line,
and already in ``ruff format``'s layout: a call that fits in 100 columns stays on one line,
any other is split one argument a line with a trailing comma, which ruff keeps as it is.
"""

from __future__ import annotations

import hashlib
import json
import re
import textwrap
from collections.abc import Sequence

import attrs

from triton_dashboards.catalog import Group, in_group
from triton_dashboards.inspect.discover import Discovery
from triton_dashboards.query.fleet import Ensemble
from triton_dashboards.validation import MAX_UID_LENGTH

__all__ = ["ENSEMBLE_UID_PREFIX", "OVERVIEW_FILE", "EnsemblePlan", "Plan", "ensemble_uid", "files"]

#: The file of the overview with the ensembles declared.
OVERVIEW_FILE = "overview.dashboard.py"
#: The uid of an ensemble's dashboard starts so; stock uids start with ``triton-``.
ENSEMBLE_UID_PREFIX = "ensemble-"
_WIDTH = 100  # ruff's line length (the project's and `init`'s)
_TEXT_WIDTH = 88


@attrs.frozen
class EnsemblePlan:
    """One ensemble's dashboard: its steps, where it runs, which steps batch."""

    ensemble: Ensemble
    namespace: str | None = None  # its series' one namespace, or None (several, or none)
    batching: tuple[str, ...] = ()  # steps with max_batch_size > 0


@attrs.frozen
class Plan:
    """What to write: the ensembles, whether the servers report GPUs, where links point."""

    ensembles: tuple[EnsemblePlan, ...]
    gpus: bool
    overview_uid: str  # the uid of the written overview, which each ensemble links to
    model_uid: str  # the model detail dashboard the overview links to
    uid_prefix: str = ""  # the team's prefix, before each ensemble dashboard's uid


def plan_for(found: Discovery, *, overview_uid: str, model_uid: str, uid_prefix: str = "") -> Plan:
    """What to write for ``found``: each ensemble Triton declares, in its namespace where its
    series carry one, with the batch size of the steps whose ``max_batch_size`` is above 0,
    and the GPU row where the servers report GPU families."""
    triton = found.triton
    batching = {m.name for m in triton.models if m.max_batch_size} if triton else set()
    gpu = {m.name for m in in_group(Group.GPU)}
    ensembles = []
    for ensemble in found.ensembles:
        namespaces = found.namespaces_of(ensemble.name)
        ensembles.append(
            EnsemblePlan(
                ensemble,
                namespace=namespaces[0] if len(namespaces) == 1 else None,
                batching=tuple(s for s in ensemble.steps if s in batching),
            )
        )
    return Plan(
        ensembles=tuple(ensembles),
        gpus=bool(gpu & set(found.server_families)),
        overview_uid=overview_uid,
        model_uid=model_uid,
        uid_prefix=uid_prefix,
    )


def files(plan: Plan) -> dict[str, str]:
    """File name -> Python source, the overview first, then one per ensemble."""
    out = {OVERVIEW_FILE: _overview(plan)}
    for item in plan.ensembles:
        name = _slug(item.ensemble.name)
        if f"{name}.dashboard.py" in out:
            name = f"{ENSEMBLE_UID_PREFIX}{name}"
        out[f"{name}.dashboard.py"] = _ensemble(item, plan)
    return out


def ensemble_uid(name: str, prefix: str = "") -> str:
    """The uid of ensemble ``name``'s dashboard: a Grafana uid, apart from the stock ones
    (which start with ``triton-``), and one per name (a hash where it had to be cut)."""
    uid = prefix + ENSEMBLE_UID_PREFIX + _slug(name)
    if len(uid) <= MAX_UID_LENGTH:
        return uid
    return f"{uid[: MAX_UID_LENGTH - 9]}-{_hash(name)}"


def _overview(plan: Plan) -> str:
    names = ", ".join(e.ensemble.name for e in plan.ensembles)
    doc = _docstring(
        "The Triton overview with this deployment's ensembles declared (written by "
        "triton-dashboards discover from Triton's model configurations).",
        f"Ensembles: {names}. Their steps are left out of the headline requests and request "
        "time, which then count each client request once. When ensembles change, run "
        "discover again or edit the list.",
    )
    declarations = [
        _call("Ensemble(", [_str(e.ensemble.name), _list(e.ensemble.steps)], ")")
        for e in plan.ensembles
    ]
    args: list[_Node] = [_Arg("ensembles=", _list_of(declarations))]
    if plan.uid_prefix:
        args.append(_Arg("uid_prefix=", _Atom(_str(plan.uid_prefix))))
    call = _call("dashboard = overview(", args, ")")
    return (
        f"{doc}\n"
        "from triton_dashboards.dashboard.stock import overview\n"
        "from triton_dashboards.query.fleet import Ensemble\n\n"
        f"{call.render(0)}\n"
    )


def _ensemble(item: EnsemblePlan, plan: Plan) -> str:
    ensemble = item.ensemble
    where = f'its series carry namespace "{item.namespace}".' if item.namespace else ""
    doc = _docstring(
        f"The {ensemble.name} ensemble and its steps (written by triton-dashboards discover).",
        f"Triton runs {ensemble.name} as {' -> '.join(ensemble.steps)} (its configuration's "
        f"ensemble_scheduling); {where or 'its series carry no single namespace.'}",
    )
    scope = f"Scope(namespace={_str(item.namespace)})" if item.namespace else "Scope()"
    health = [
        "panels.failure_ratio(pipeline)",
        "panels.successes_in_range(pipeline)",
        "panels.failures_in_range(pipeline)",
        "panels.latency(pipeline, Phase.REQUEST)",
        "panels.requests_per_minute(pipeline)",
        "panels.failures_by_reason(pipeline)",
    ]
    time: list[_Node] = [_Atom("panels.latency_by_phase(steps)")]
    if item.batching:
        time.append(_call("panels.batch_size(", [_models(item.batching)], ")"))
    time += [_Atom("panels.pending_requests(steps)"), _Atom("panels.request_rate(steps)")]
    rows = [
        _call(
            "Row(",
            [
                _str("Is it working?"),
                _list_of([_Atom(p) for p in health]),
                # four numbers in a line, then two charts
                _Atom("width=(6, 6, 6, 6, 12, 12)"),
                _Atom("height=(4, 4, 4, 4, 8, 8)"),
            ],
            ")",
        ),
        _call("Row(", [_str("Where the time goes"), _list_of(time)], ")"),
    ]
    if plan.gpus:
        gpu = ["panels.gpu_utilization(deployment)", "panels.gpu_memory(deployment)"]
        rows.append(
            _call(
                "Row(",
                [_str("GPU"), _list_of([_Atom(p) for p in gpu]), _Atom("collapsed=True")],
                ")",
            )
        )
    links = [
        _call("Link.to(", [_str("Triton overview"), _str(plan.overview_uid)], ")"),
        _call("Link.to(", [_str("Triton model detail"), _str(plan.model_uid)], ")"),
    ]
    dashboard = _call(
        "dashboard = Dashboard(",
        [
            _Arg("title=", _Atom(_str(f"{ensemble.name} ensemble"))),
            _Arg("uid=", _Atom(_str(ensemble_uid(ensemble.name, plan.uid_prefix)))),
            _Arg("description=", _Atom(_str("The ensemble and its steps, from Triton's config."))),
            _Arg("links=", _list_of(links)),
            _Arg("rows=", _list_of(rows)),
        ],
        ")",
    )
    steps = _call("steps = deployment.models(", [_str(s) for s in ensemble.steps], ")")
    pipeline = _call("pipeline = deployment.model(", [_str(ensemble.name)], ")")
    return (
        f"{doc}\n"
        "from triton_dashboards import Dashboard, Link, Phase, Row, Scope, panels\n\n"
        f"deployment = {scope}\n"
        "# the ensemble, and the models it runs for each request\n"
        f"{pipeline.render(0)}\n"
        f"{steps.render(0)}\n\n"
        f"{dashboard.render(0)}\n"
    )


# -- source in ruff format's layout --------------------------------------------------------------


class _Node:
    def render(self, indent: int, trailing: str = "", prefix: str = "") -> str:
        """The node at ``indent`` after ``prefix`` and before ``trailing``."""
        raise NotImplementedError

    def flat(self) -> str:
        raise NotImplementedError


@attrs.frozen
class _Atom(_Node):
    text: str

    def render(self, indent: int, trailing: str = "", prefix: str = "") -> str:
        line = " " * indent + prefix + self.text + trailing
        # A string no split can shorten (a very long model name): say it is meant.
        return line if len(line) <= _WIDTH else f"{line}  # noqa: E501"

    def flat(self) -> str:
        return self.text


@attrs.frozen
class _Arg(_Node):
    """``name=value``: the value splits as its own node would, after ``name=``."""

    name: str
    value: _Node

    def render(self, indent: int, trailing: str = "", prefix: str = "") -> str:
        return self.value.render(indent, trailing, prefix + self.name)

    def flat(self) -> str:
        return self.name + self.value.flat()


@attrs.frozen
class _Call(_Node):
    """``open arg, arg close``: on one line if it fits, else one argument a line."""

    open: str
    args: tuple[_Node, ...]
    close: str

    def flat(self) -> str:
        return self.open + ", ".join(a.flat() for a in self.args) + self.close

    def render(self, indent: int, trailing: str = "", prefix: str = "") -> str:
        pad = " " * indent
        line = pad + prefix + self.flat() + trailing
        if len(line) <= _WIDTH or not self.args:
            return line
        inner = "\n".join(a.render(indent + 4, ",") for a in self.args)
        return f"{pad}{prefix}{self.open}\n{inner}\n{pad}{self.close}{trailing}"


def _call(open: str, args: Sequence[_Node | str], close: str) -> _Call:
    return _Call(open, tuple(a if isinstance(a, _Node) else _Atom(a) for a in args), close)


def _list_of(items: Sequence[_Node]) -> _Call:
    return _Call("[", tuple(items), "]")


def _list(names: Sequence[str]) -> _Call:
    return _list_of([_Atom(_str(n)) for n in names])


def _models(names: Sequence[str]) -> _Node:
    if len(names) == 1:
        return _call("deployment.model(", [_str(names[0])], ")")
    return _call("deployment.models(", [_str(n) for n in names], ")")


def _str(text: str) -> str:
    """A Python string literal as ruff writes it: in double quotes, unless the text holds
    more double quotes than single ones (then single quotes need fewer escapes)."""
    body = json.dumps(text, ensure_ascii=False)[1:-1]  # \\, \" and control characters
    if text.count('"') > text.count("'"):
        return "'" + body.replace('\\"', '"').replace("'", "\\'") + "'"
    return f'"{body}"'


def _docstring(*paragraphs: str) -> str:
    body = "\n\n".join(
        textwrap.fill(p, _TEXT_WIDTH, break_on_hyphens=False, break_long_words=False)
        for p in paragraphs
    )
    body = body.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    return f'"""{body}\n"""\n'


def _slug(name: str) -> str:
    """A file name and uid part from a model name: letters, digits, ``_`` and ``-``; a name
    with other characters gets its hash too, so two names never give one slug."""
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-")
    return slug if slug == name else f"{slug or 'ensemble'}-{_hash(name)}"


def _hash(name: str) -> str:
    return hashlib.sha256(name.encode("utf-8")).hexdigest()[:8]

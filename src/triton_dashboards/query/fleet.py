"""Fleet headlines that count what they say, and the worst models by a number.

**Ensembles and their steps.** A request to an ensemble is also one request to each of
its composing models, and all of them report ``nv_inference_request_success``: 30 client
requests/s through ``ner_pipeline`` (three steps) add up to about 120 "requests" over every
model. Metrics do not say which model is a step, so the deployment declares it
(:class:`Ensemble`); :func:`clients` then leaves the steps out, and a sum or a
request-weighted average over what remains counts each client request once (ensembles
and standalone models). Where no step is declared a headline must say that it counts
every model, steps included (:func:`counted`).

**Top k.** ``topk($k, ...)`` over the per-model numbers, as an instant query: k rows
whatever the fleet size, read from the recorded series on a recorded scope.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import attrs

from triton_dashboards.promql import Expr, Matcher, Var, aggregate, regex_escape
from triton_dashboards.query.scope import Scope

__all__ = ["Counted", "Ensemble", "K", "clients", "counted", "steps_of", "top"]

#: The dashboard variable holding how many models a top-k panel lists.
K = Var("k", multi=False)


def _names(names: Iterable[str]) -> tuple[str, ...]:
    """A tuple of names; typed, so that a typed caller may pass any iterable of str."""
    return tuple(names)


@attrs.frozen
class Ensemble:
    """An ensemble and the models it runs for each request (its composing steps)."""

    name: str
    steps: tuple[str, ...] = attrs.field(converter=_names)

    def __attrs_post_init__(self) -> None:
        if not self.steps:
            raise ValueError(f"ensemble {self.name!r} needs at least one step")
        if self.name in self.steps:
            raise ValueError(f"ensemble {self.name!r} cannot be one of its own steps")


def steps_of(ensembles: Sequence[Ensemble]) -> tuple[str, ...]:
    """Every declared step, once, in declaration order."""
    return tuple(dict.fromkeys(step for e in ensembles for step in e.steps))


def clients(scope: Scope, ensembles: Sequence[Ensemble]) -> Scope:
    """The scope without the composing steps: what clients send requests to.

    A step that is also called directly by clients is left out too: the metrics cannot
    tell its two kinds of requests apart.
    """
    steps = steps_of(ensembles)
    if not steps:
        return scope
    return scope.where(Matcher("model", "!~", "|".join(regex_escape(s) for s in steps)))


@attrs.frozen
class Counted:
    """What a headline counts: a title prefix and a sentence for its description."""

    title: str
    sentence: str


def counted(ensembles: Sequence[Ensemble]) -> Counted:
    """How a headline over ``clients(scope, ensembles)`` must name what it counts."""
    steps = steps_of(ensembles)
    if steps:
        return Counted(
            "Client",
            "Counts client requests: ensembles and standalone models, each request once; "
            f"the composing steps ({', '.join(steps)}) are left out.",
        )
    return Counted(
        "Every model and step:",
        "Counts requests to every model, ensembles and their steps each counted: a request "
        "through an ensemble of three steps counts four times. No ensemble steps are "
        "declared for this dashboard (overview(ensembles=...)), so client traffic cannot "
        "be told apart.",
    )


@attrs.frozen
class _Scalar(Expr):
    """A Grafana variable standing for a number, e.g. the ``$k`` of ``topk($k, ...)``."""

    var: Var

    def render(self) -> str:
        return str(self.var)


def top(expr: Expr, k: Var | int = K) -> Expr:
    """The ``k`` largest series of ``expr`` (``topk``); Grafana fills in ``$k``."""
    return aggregate("topk", expr, param=_Scalar(k) if isinstance(k, Var) else k)

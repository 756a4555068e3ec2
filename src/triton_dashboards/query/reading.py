"""How a recipe reads a family: the raw series, or the recorded one when the scope asks.

On a recorded scope (``scope.recorded(Recording())``) a recipe whose rates or gauges have
a record in :data:`triton_dashboards.query.recording.TABLE` reads the recorded series instead,
with the same math on top: the window is then the recording's. Of the levels a family is
recorded at, the recipe reads the cheapest that carries every label the scope filters on
or keeps: the fleet level (per model, no pods) unless it needs a pod, an instance or
another target label. An explicit window other than the recording's, or a grouping by a
label every record summed away (``gpu_uuid``), asks a question the records cannot
answer, and the recipe stays on the raw series.
"""

from __future__ import annotations

from triton_dashboards.catalog import Metric
from triton_dashboards.promql import RATE_INTERVAL, Expr, Window, rate, sum_by
from triton_dashboards.query.recording import Operation
from triton_dashboards.query.scope import Scope

__all__ = ["recorded", "sum_rate", "window_rate"]


def recorded(
    scope: Scope,
    metric: Metric,
    operation: Operation,
    window: Window | None,
    keep: tuple[str, ...],
) -> Expr | None:
    """The recorded series for ``operation`` of ``metric``, when the scope asks and it fits.

    ``window`` None (an instant gauge) or ``$__rate_interval`` mean "the recipe's usual
    window" and take the recording's; ``keep`` are the labels the caller aggregates by.
    """
    recording = scope.recording
    if recording is None or window not in (None, RATE_INTERVAL, recording.window):
        return None
    needs = {m.label for m in scope.target} | set(keep)
    if metric.per_model:
        needs |= {m.label for m in scope.model_filter}
    record = recording.find(metric, operation, needs)
    if record is None:
        return None
    return scope.select(metric, sample=record.name(recording.window))


def window_rate(scope: Scope, metric: Metric, window: Window, keep: tuple[str, ...]) -> Expr:
    """Per-second rate of ``metric`` over ``window``, recorded where it can be."""
    found = recorded(scope, metric, Operation.RATE, window, keep)
    return found if found is not None else rate(scope.select(metric), window)


def sum_rate(scope: Scope, metric: Metric, window: Window, *, extra: tuple[str, ...] = ()) -> Expr:
    """The rate of ``metric`` summed by the scope's labels (and ``extra``)."""
    keep = scope.group + extra
    return sum_by(keep, window_rate(scope, metric, window, keep))

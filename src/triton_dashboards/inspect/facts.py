"""What a Prometheus server holds, asked once per doctor run and remembered.

Many panels read the same families with the same matchers, so each question (does this
selector match a series in the range? now? which values does a label take?) is asked once
and its answer shared by every panel, from any thread. Existence is asked through the
label values API (``/api/v1/label/__name__/values?match[]=...``): it lists names, never
samples, so it costs little whatever the number of series.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from triton_dashboards.inspect.intervals import QueryContext
from triton_dashboards.inspect.prometheus import Prometheus

__all__ = ["Facts"]

_T = TypeVar("_T")
#: A family name Triton's core or its backends expose (``nv_*``, vLLM's ``vllm:*``).
TRITON_SERIES = '{__name__=~"nv_.+|vllm:.+"}'


class Facts:
    """Answers about the server over one refresh's range, each asked once."""

    def __init__(self, prometheus: Prometheus, context: QueryContext) -> None:
        self.prometheus = prometheus
        self.context = context
        self._lock = threading.Lock()
        self._memo: dict[Hashable, Any] = {}
        self._events: dict[Hashable, threading.Event] = {}

    def _once(self, key: Hashable, ask: Callable[[], _T]) -> _T:
        with self._lock:
            if key in self._memo:
                return self._memo[key]  # type: ignore[no-any-return]
            event = self._events.get(key)
            mine = event is None
            if mine:
                event = self._events[key] = threading.Event()
        assert event is not None
        if not mine:
            event.wait()
            return self._memo[key]  # type: ignore[no-any-return]
        try:
            value = ask()
        except BaseException:
            with self._lock:
                del self._events[key]
            event.set()
            raise
        with self._lock:
            self._memo[key] = value
        event.set()
        return value

    def exists(self, selector: str) -> bool:
        """Whether ``selector`` matches a series with a sample in the range."""
        return bool(self.values("__name__", selector))

    def values(self, label: str, selector: str) -> list[str]:
        """The values ``label`` takes on the series ``selector`` matches in the range."""
        span = self.context.start, self.context.end
        return self._once(
            ("values", label, selector),
            lambda: self.prometheus.label_values(label, [selector], *span),
        )

    def now(self, selector: str) -> list[dict[str, Any]]:
        """The series ``selector`` matches at the range's end (stale ones are gone)."""
        return self._once(
            ("now", selector),
            lambda: self.prometheus.query(
                f"group by (instance, pod) ({selector})", self.context.end
            ),
        )

    def instant(self, expr: str) -> list[dict[str, Any]]:
        """``expr`` at the range's end."""
        return self._once(("instant", expr), lambda: self.prometheus.query(expr, self.context.end))

    def last_seen(self, selector: str) -> float | None:
        """When ``selector`` last had a sample in the range (to the step), None if never."""
        step = max(self.context.step, 1.0)
        start, end = self.context.start, self.context.end

        def ask() -> float | None:
            series = self.prometheus.query_range(f"count({selector})", start, end, step)
            times = [float(t) for s in series for t, _ in s.get("values") or []]
            return max(times) if times else None

        return self._once(("last", selector), ask)

    def most_samples(self, selector: str, window: float) -> int:
        """The most samples a ``[window]`` of ``selector`` held at any step of the range."""
        span, step = round(self.context.range), max(round(self.context.step), 1)
        expr = f"max(max_over_time(count_over_time({selector}[{window:g}s])[{span}s:{step}s]))"
        found = self.instant(expr)
        return int(float(found[0]["value"][1])) if found else 0

    def targets(self) -> list[dict[str, Any]]:
        """The active scrape targets."""
        return self._once("targets", self.prometheus.targets)

    def rules(self) -> list[dict[str, Any]]:
        """Every loaded rule, flat (``name``, ``query``, ``type``, ``health``, ``lastError``)."""
        return self._once(
            "rules", lambda: [r for g in self.prometheus.rules() for r in g.get("rules") or []]
        )

    def recorded(self) -> list[str]:
        """The names the loaded recording rules write."""
        return [r["name"] for r in self.rules() if r.get("type") == "recording"]

    def triton_jobs(self) -> list[str]:
        """The jobs whose series include Triton's families in the range."""
        return self.values("job", TRITON_SERIES)

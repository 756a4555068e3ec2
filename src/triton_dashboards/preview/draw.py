"""A dashboard drawn from one refresh of the inspect engine: its page as HTML.

The engine (:func:`triton_dashboards.inspect.run_dashboard`) runs every query as Grafana
would, variables resolved and intervals computed; here each panel's answers become its view
(:mod:`.views`) at its place on the grid (:mod:`.page`). Nothing is queried here, so the
same refresh can be drawn, tested and compared.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from triton_dashboards.inspect import DashboardRun, PanelRun
from triton_dashboards.preview import page, views
from triton_dashboards.preview.frames import Target
from triton_dashboards.preview.links import Linker

__all__ = ["draw", "shown_variables"]


def _variables(run: DashboardRun) -> list[tuple[str, str, str, bool]]:
    """``(name, label, shown value, seen)`` of each variable the engine resolved; ``seen``
    is whether a Grafana user sees it at the top of the dashboard (not hidden)."""
    out = []
    for variable in (run.dashboard.get("templating") or {}).get("list") or []:
        name = variable["name"]
        try:
            value = run.variables.value(name, "text")
        except KeyError:  # ad hoc filters: nothing to show
            continue
        label = str(variable.get("label") or name)
        out.append((name, label, value or "(none)", variable.get("hide") != 2))
    return out


def shown_variables(run: DashboardRun) -> list[tuple[str, str]]:
    """``(label, value)`` of each variable a Grafana user sees at the top of the dashboard."""
    return [(label, value) for _, label, value, seen in _variables(run) if seen]


def _targets(panel_run: PanelRun | None, panel: Mapping[str, Any]) -> list[Target]:
    if panel_run is None:
        return []
    by_ref = {str(t.get("refId") or ""): t for t in panel.get("targets") or []}
    return [
        Target(ref_id=t.ref_id, target=by_ref.get(t.ref_id, {}), expr=t.expr, items=t.series)
        for t in panel_run.targets
    ]


def draw(run: DashboardRun, *, source: str, pages: Mapping[str, str] | None = None) -> str:
    """The preview page of ``run``; ``pages`` maps the uids drawn beside it to their files,
    so data links between them work; ``source`` says where the data came from."""
    context = run.variables.context
    variables = {name: value for name, _, value, _ in _variables(run)}
    link = Linker(variables, context.start, context.end, pages)
    by_panel = {id(p.panel): p for p in run.panels}
    placed: list[dict[str, Any]] = []
    for panel, x, y, w, h in page.layout(run.dashboard):
        if panel.get("type") == "row":
            view: dict[str, Any] = {
                "kind": "row",
                "id": panel.get("id"),
                "title": link.interpolate_title(str(panel.get("title") or "")),
            }
        else:
            panel_run = by_panel.get(id(panel))
            errors: Sequence[str] = panel_run.errors if panel_run else ()
            view = views.panel_view(panel, _targets(panel_run, panel), errors, link)
        placed.append({**view, "x": x, "y": y, "w": w, "h": h})
    return page.render_page(
        run.dashboard, placed, shown_variables(run), context.start, context.end, source
    )

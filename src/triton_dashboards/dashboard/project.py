"""A repository of dashboard files: ``dashboards/NAME.dashboard.py`` -> ``dashboards/NAME.json``.

Every file is run, must bind a dashboard to the name ``dashboard``, and is rendered in
memory; only when all of them render, have distinct uids and queries without errors is
anything written, so a failed build leaves the committed JSON as it was. Files are
replaced atomically and only when their text changed.

A uid is checked against every JSON file of the folder, not only the built ones: a
dashboard pulled from Grafana next to the file that renders it would make ``publish``
refuse both, so ``build`` and ``check`` refuse it first.
"""

from __future__ import annotations

import json
import runpy
import traceback
from collections.abc import Iterable, Sequence
from pathlib import Path

import attrs

from triton_dashboards.dashboard import records
from triton_dashboards.dashboard.lint import SCRAPE_INTERVAL, Finding, lint_dashboard
from triton_dashboards.dashboard.model import Dashboard
from triton_dashboards.dashboard.render import Schema, as_dashboard, render, text_of, to_json
from triton_dashboards.dashboard.schema.v2 import is_v2
from triton_dashboards.dashboard.schema.v2_view import v1_view
from triton_dashboards.files import write_atomic

__all__ = [
    "Built",
    "ProjectError",
    "build",
    "check_folder_uids",
    "dashboard_files",
    "json_path",
    "load_all",
    "orphans",
    "stale",
    "write",
]

SUFFIX = ".dashboard.py"


class ProjectError(Exception):
    """A dashboard file that cannot be built; the message is one line naming the file."""


@attrs.frozen
class Built:
    source: Path
    target: Path
    uid: str
    title: str
    panels: int
    text: str


def dashboard_files(directory: Path) -> list[Path]:
    """The ``*.dashboard.py`` files of ``directory``, in name order."""
    return sorted(directory.glob(f"*{SUFFIX}"))


def json_path(source: Path) -> Path:
    """``dashboards/ner.dashboard.py`` -> ``dashboards/ner.json``."""
    return source.with_name(source.name[: -len(SUFFIX)] + ".json")


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return text or type(error).__name__


def _ours(error: BaseException) -> bool:
    """True for this package's errors, whose messages are written to be read as they are."""
    return type(error).__module__.split(".")[0] == __name__.split(".")[0]


def load(source: Path) -> Dashboard:
    """Run a dashboard file that binds one ``dashboard`` and return it."""
    loaded = load_all(source)
    if len(loaded) != 1 or loaded[0][0] != json_path(source):
        raise ProjectError(f"{source}: binds a list `dashboards`, not one `dashboard`")
    return loaded[0][1]


def load_all(source: Path) -> list[tuple[Path, Dashboard]]:
    """Run a dashboard file and return each dashboard it binds with the JSON file it makes.

    A file binds one dashboard to ``dashboard`` (``NAME.dashboard.py`` -> ``NAME.json``),
    or a list of them to ``dashboards`` (``NAME.dashboard.py`` -> ``NAME.UID.json`` each:
    the stock set of :func:`triton_dashboards.dashboards.stock_dashboards`, say).
    Any error the file raises, ours (a bad uid, an unknown metric) or Python's, is one
    line ``FILE:LINE: message`` pointing at the line of the file that raised it.
    """
    try:
        namespace = runpy.run_path(str(source), run_name="__dashboard__")
    except Exception as e:  # a dashboard file is user code: report any error in one line
        line = _error_line(e, source)
        kind = "" if _ours(e) else f"{type(e).__name__}: "
        raise ProjectError(f"{source}{line}: {kind}{_one_line(e)}") from None
    many = namespace.get("dashboards")
    listed = isinstance(many, list | tuple)  # not `from triton_dashboards import dashboards`
    if "dashboard" in namespace and listed:
        raise ProjectError(
            f"{source}: binds both `dashboard` and a list `dashboards`; keep one (or split "
            "the file)"
        )
    if listed and "dashboard" not in namespace:
        if not many:
            raise ProjectError(f"{source}: `dashboards` is an empty list; bind at least one")
        return [(_member_path(source, d), d) for d in (_checked(source, d) for d in many)]
    if "dashboard" not in namespace:
        raise ProjectError(
            f"{source}: defines no dashboard; bind a triton_dashboards.Dashboard to the "
            "name `dashboard` (or a list of them to `dashboards`)"
        )
    return [(json_path(source), _checked(source, namespace["dashboard"]))]


def _checked(source: Path, dashboard: object) -> Dashboard:
    """Ours, or a grafanalib dashboard converted into the model."""
    try:
        return as_dashboard(dashboard)
    except TypeError:
        raise ProjectError(
            f"{source}: `dashboard` is a {type(dashboard).__name__}, not a "
            "triton_dashboards.Dashboard"
        ) from None
    except ValueError as e:
        raise ProjectError(f"{source}: {_one_line(e)}") from None


def _member_path(source: Path, dashboard: Dashboard) -> Path:
    """``dashboards/stock.dashboard.py`` + uid ``triton-overview`` ->
    ``dashboards/stock.triton-overview.json``: one JSON file per dashboard, named by the
    file that makes it and the dashboard's uid, which no two may share."""
    uid = dashboard.uid
    if not uid:
        raise ProjectError(f"{source}: a dashboard of `dashboards` has no uid; give it one")
    return source.with_name(f"{source.name[: -len(SUFFIX)]}.{uid}.json")


def _error_line(error: BaseException, source: Path) -> str:
    """``":LINE"`` of the deepest frame of ``error`` in the dashboard file, or ``""``."""
    if isinstance(error, SyntaxError) and error.lineno is not None:
        return f":{error.lineno}"  # raised while compiling: the file has no frame yet
    in_file = [f.lineno for f in traceback.extract_tb(error.__traceback__)
               if Path(f.filename).resolve() == source.resolve()]  # fmt: skip
    return f":{in_file[-1]}" if in_file else ""


def _uid_in(path: Path) -> str | None:
    """The uid of a dashboard JSON file, or None when it holds none (lint reports those)."""
    try:
        model = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    uid = v1_view(model).get("uid") if isinstance(model, dict) else None
    return uid if isinstance(uid, str) and uid else None


def copy_and_original(a: Path, b: Path) -> tuple[Path, Path]:
    """Of two files with one uid, ``(the copy, the original)``: the copy is the one
    modified last (a copy is made after what it copies), ``a`` when both are as old.

    Name order says nothing: ``ner-copy.dashboard.py`` sorts before ``ner.dashboard.py``.
    """
    try:
        if b.stat().st_mtime_ns > a.stat().st_mtime_ns:
            return b, a
    except OSError:
        pass
    return a, b


def check_folder_uids(built: Sequence[Built]) -> None:
    """Raise :class:`ProjectError` when two JSON files of a built folder would carry one uid.

    A built dashboard counts with the uid it renders now; any other ``*.json`` beside it
    (a pulled copy, a leftover) with the uid it holds.
    """
    built_by = {item.target: f"{item.target} (from {item.source.name})" for item in built}
    owners = {item.uid: item.target for item in built}
    targets = {item.target.resolve() for item in built}
    for folder in sorted({item.target.parent for item in built}):
        for path in sorted(folder.glob("*.json")):
            uid = None if path.resolve() in targets else _uid_in(path)
            if uid is None:
                continue
            if uid in owners:
                other = owners[uid]
                if other not in built_by:  # two stray JSON files: the newer is the copy
                    path, other = copy_and_original(path, other)
                raise ProjectError(
                    f"{path} carries uid {uid!r} like {built_by.get(other, other)}; publish "
                    "would refuse both: delete the copy or give it its own uid"
                )
            owners[uid] = path


def _built(source: Path, target: Path, dashboard: Dashboard, schema: Schema = "v1") -> Built:
    """``dashboard`` rendered in ``schema`` and linted; :class:`ProjectError` when it
    cannot be. The lint reads the v1 JSON, whatever is written: the queries are the same."""
    try:
        model = to_json(dashboard)
        text = text_of(model) if schema == "v1" else render(dashboard, schema)
    except (ValueError, TypeError) as e:
        raise ProjectError(f"{source}: {_one_line(e)}") from None
    errors = [f for f in lint_dashboard(model, str(source)) if f.error]
    if errors:
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise ProjectError(f"{errors[0]}{more}")
    return Built(source, target, model["uid"], model["title"], dashboard.panel_count(), text)


def build(sources: Sequence[Path], schema: Schema = "v1") -> list[Built]:
    """Render every file in ``schema``; raise :class:`ProjectError` on the first that
    cannot be built."""
    built: list[Built] = []
    seen: dict[str, Path] = {}
    for source in sources:
        for target, dashboard in load_all(source):
            item = _built(source, target, dashboard, schema)
            if item.uid in seen:
                copy, original = copy_and_original(source, seen[item.uid])
                where = f"{copy}: uid {item.uid!r} is already used by {original}"
                if copy == original:
                    where = f"{source}: binds two dashboards with uid {item.uid!r}"
                raise ProjectError(f"{where}; give each dashboard its own uid")
            seen[item.uid] = source
            built.append(item)
    check_folder_uids(built)
    return built


def write(built: Iterable[Built]) -> list[Built]:
    """Write each dashboard's JSON if it changed; return the ones written."""
    written = []
    for item in built:
        if _holds(item.target, item.text):
            continue
        write_atomic(item.target, item.text)
        written.append(item)
    return written


def _holds(path: Path, text: str) -> bool:
    """``path`` is a file that holds ``text`` already (anything unreadable does not)."""
    try:
        return path.read_text(encoding="utf-8") == text
    except (OSError, UnicodeDecodeError):
        return False


def _schema_of(text: str) -> str:
    try:
        return "v2" if is_v2(json.loads(text)) else "v1"
    except ValueError:
        return "v1"


def stale(built: Iterable[Built]) -> list[tuple[Built, str]]:
    """Dashboards whose committed JSON is missing or differs from what the code renders;
    a file in the other schema says so (``stale (v1 JSON, the build writes v2)``)."""
    out = []
    for item in built:
        if not item.target.exists():
            out.append((item, "missing"))
            continue
        committed = item.target.read_text(encoding="utf-8")
        if committed != item.text:
            was, now = _schema_of(committed), _schema_of(item.text)
            out.append(
                (item, "stale" if was == now else f"stale ({was} JSON, the build writes {now})")
            )
    return out


def orphans(built: Sequence[Built]) -> list[Path]:
    """JSON files that a file binding ``dashboards`` made once and makes no more.

    ``stock.dashboard.py`` writes ``stock.UID.json`` per dashboard; when one leaves the
    list (a new package drops it, ``only=`` no longer names it, its uid changes), its old
    JSON would still be published. Every ``NAME.*.json`` beside such a file that this build
    does not write is one, unless another dashboard file renders it.
    """
    targets = {item.target for item in built}
    makers = sorted({item.source for item in built if item.target != json_path(item.source)})
    out = []
    for source in makers:
        for path in sorted(source.parent.glob(f"{source.name[: -len(SUFFIX)]}.*.json")):
            if path not in targets and not path.with_name(path.name[:-5] + SUFFIX).exists():
                out.append(path)
    return out


def lint_files(
    paths: Sequence[Path], rules: Path | None = None, scrape_interval: float = SCRAPE_INTERVAL
) -> list[Finding]:
    """Lint rendered dashboard JSON files; with ``rules``, also each record they read
    that the rules file does not write (:mod:`triton_dashboards.dashboard.records`).
    ``scrape_interval`` (seconds): the longest the window rule of :mod:`.lint` expects."""
    findings: list[Finding] = []
    try:
        written = None if rules is None else records.records_written(rules)
    except records.RulesFileError as e:
        raise ProjectError(str(e)) from None
    uids: dict[str, Path] = {}
    for path in paths:
        try:
            model = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise ProjectError(f"{path}: cannot read dashboard JSON: {_one_line(e)}") from None
        if isinstance(model, dict):
            model = v1_view(model)  # a v2 resource: its queries and variables, as v1's
        if not isinstance(model, dict) or "panels" not in model:
            raise ProjectError(f"{path}: not a Grafana dashboard (no `panels`)")
        uid = model.get("uid")
        if isinstance(uid, str) and uid in uids:
            copy, original = copy_and_original(path, uids[uid])
            findings.append(
                Finding(
                    str(copy),
                    "",
                    f"uid {uid!r} is also the uid of {original}; publish would refuse both: "
                    "delete the copy or give it its own uid",
                )
            )
        elif isinstance(uid, str):
            uids[uid] = path
        findings.extend(lint_dashboard(model, str(path), scrape_interval))
        if written is not None:
            findings.extend(records.unrecorded(model, str(path), written, str(rules)))
    return findings

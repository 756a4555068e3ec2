"""The panel model: typed options fail at build in one line, units are Grafana's, sizes are
layout data, grafanalib panels still build (and grafanalib is imported only for them),
a panel reading one backend's families says so, a mistyped panel name offers the right one."""

from __future__ import annotations

import inspect
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from _support import ROOT
from grafanalib import core as g

from triton_dashboards import Dashboard, Row, Scope, catalog, panels
from triton_dashboards.dashboard.panels import llm
from triton_dashboards.dashboard.render import to_json
from triton_dashboards.dashboard.schema.options import DrawStyle, OptionError, Reducer
from triton_dashboards.dashboard.schema.units import UNITS, is_unit

CLI = [sys.executable, "-m", "triton_dashboards"]


def _build_error(tmp_path: Path, call: str) -> str:
    """Build a one-panel dashboard file calling ``call``; return the error line."""
    (tmp_path / "dashboards").mkdir()
    source = tmp_path / "dashboards" / "mine.dashboard.py"
    source.write_text(
        "from triton_dashboards import Dashboard, Row, panels\n\n"
        f"dashboard = Dashboard(title='mine', uid='mine', rows=[Row('r', [{call}])])\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        [*CLI, "build"], cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "dashboards" / "mine.json").exists()  # nothing half-written
    (line,) = done.stderr.splitlines()
    return line


@pytest.mark.parametrize(
    ("option", "allowed"),
    [
        ('draw_style="lines"', "'line', 'bars', 'points'"),
        ('legend_calcs=("avg",)', "'mean'"),
        ('unit="reqs_per_sec"', "did you mean 'reqps'?"),
    ],
)
def test_a_mistyped_option_fails_the_build_in_one_line(
    tmp_path: Path, option: str, allowed: str
) -> None:
    """Each of these built, linted clean and drew wrong in Grafana before the model."""
    unit = "" if option.startswith("unit") else 'unit="reqps", '
    line = _build_error(tmp_path, f'panels.timeseries("requests", ["up"], {unit}{option})')
    assert line.startswith("error: dashboards/mine.dashboard.py:3: panel 'requests': ")
    assert allowed in line


def test_enum_members_and_their_grafana_strings_are_both_accepted() -> None:
    by_enum = panels.timeseries(
        "a", ["up"], unit="reqps", draw_style=DrawStyle.BARS, legend_calcs=(Reducer.MEAN,)
    )
    by_string = panels.timeseries(
        "a", ["up"], unit="reqps", draw_style="bars", legend_calcs=["mean"]
    )
    assert by_enum == by_string
    with pytest.raises(OptionError, match="'BARS'"):  # a member's Python name is no value
        panels.timeseries("a", ["up"], unit="reqps", draw_style="BARS")
    with pytest.raises(OptionError, match="must be a list"):
        panels.timeseries("a", ["up"], unit="reqps", legend_calcs="mean")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "make",
    [
        lambda: panels.stat("s", ["up"], unit="short", color_mode="bg"),
        lambda: panels.stat("s", ["up"], unit="short", reduce="average"),
        lambda: panels.bar_gauge("b", ["up"], unit="short", orientation="sideways"),
        lambda: panels.gauge("g", ["up"], unit="percent_unit"),
        lambda: panels.table("t", [panels.Query("up", column="c", unit="req/s")]),
    ],
)
def test_every_factory_checks_its_choices(make: object) -> None:
    with pytest.raises(OptionError, match=r"panel '[sbgt]'"):
        make()  # type: ignore[operator]


def test_unit_ids_are_grafanas(testdata: Path) -> None:
    schema = json.loads((testdata / "grafana-schema" / "units.jsonschema.json").read_text("utf-8"))
    assert {d["const"] for d in schema["definitions"].values()} == UNITS
    assert is_unit("µs") and not is_unit("μs")  # MICRO SIGN, not GREEK SMALL LETTER MU
    assert is_unit("suffix:tokens")


def test_a_grafanalib_panel_in_a_row_builds_converted() -> None:
    legacy = g.TimeSeries(
        title="legacy requests",
        dataSource="prom-uid",
        targets=[g.Target(expr="sum(rate(nv_inference_count[5m]))", refId="A", legendFormat="x")],
        unit="reqps",
        gridPos=g.GridPos(h=6, w=8, x=0, y=0),
    )
    model = to_json(Dashboard(title="t", uid="t", rows=[Row("r", [legacy, panels.text("n", "x")])]))
    converted = model["panels"][1]
    assert converted["type"] == "timeseries" and converted["title"] == "legacy requests"
    assert converted["gridPos"] == {"h": 6, "w": 8, "x": 0, "y": 1}
    assert converted["datasource"] == {"type": "prometheus", "uid": "prom-uid"}
    assert converted["fieldConfig"]["defaults"]["unit"] == "reqps"
    (target,) = converted["targets"]
    assert target["expr"] == "sum(rate(nv_inference_count[5m]))" and target["legendFormat"] == "x"
    assert "maxDataPoints" not in converted  # grafanalib's 100-point cap is not carried over


def test_a_grafanalib_panel_the_model_lacks_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match=r"grafanalib Graph 'old'.*no counterpart"):
        Row("r", [g.Graph(title="old", targets=[])])


def test_import_and_help_do_not_import_grafanalib() -> None:
    """grafanalib costs ~130 ms: only a dashboard holding a grafanalib object pays it."""
    probe = (
        "import sys, triton_dashboards\n"
        "from triton_dashboards import Dashboard, Row, panels, dashboards\n"
        "from triton_dashboards.dashboard.render import render\n"
        "render(dashboards.overview())\n"
        "from click.testing import CliRunner\n"
        "from triton_dashboards.cli import main\n"
        "assert CliRunner().invoke(main, ['--help']).exit_code == 0\n"
        "print(sorted(m for m in sys.modules if m.startswith('grafanalib')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "[]"


def _llm_panel_functions() -> list[str]:
    return [
        name
        for name in llm.__all__
        if callable(fn := getattr(llm, name))
        and name != "titled"
        and len([p for p in inspect.signature(fn).parameters.values()
                 if p.default is p.empty]) == 1
    ]  # fmt: skip


@pytest.mark.parametrize("name", _llm_panel_functions())
def test_a_panel_reading_one_backends_families_says_the_backend(name: str) -> None:
    """On a model of the other backend such a panel shows No data: its title says why
    (kv_cache_utilization read TensorRT-LLM's families under the title "KV cache used")."""
    panel = getattr(llm, name)(Scope())
    names = {m for t in panel.targets for m in re.findall(r"[a-zA-Z_:][\w:]*", t.expr)}
    plugins = {family.plugin for n in names if (family := catalog.family_of(n)) is not None}
    if len(plugins) == 1 and (plugin := plugins.pop()):
        assert llm.BACKEND_TITLES[plugin] in panel.title
    else:
        assert not any(backend in panel.title for backend in llm.BACKEND_TITLES.values())


def test_kv_cache_utilization_names_tensorrt_llm() -> None:
    assert panels.kv_cache_utilization(Scope()).title == "TensorRT-LLM KV cache used"
    stock = json.loads((ROOT / "dashboards" / "triton-llm.json").read_text(encoding="utf-8"))
    assert "TensorRT-LLM KV cache used" in [p["title"] for p in stock["panels"]]


def test_a_mistyped_panel_name_offers_the_right_one() -> None:
    with pytest.raises(AttributeError, match="did you mean batch_size"):
        panels.batch_sise  # noqa: B018
    with pytest.raises(AttributeError, match=r"no panel or name 'zzz'$"):
        panels.zzz  # noqa: B018


def test_grafanalib_variables_are_converted_too() -> None:
    variables = [
        g.Template(name="namespace", label="Namespace", query="label_values(up, namespace)",
                   dataSource="prom-uid", multi=True, includeAll=True, allValue=".*"),
        g.Template(name="k", label="Top k", query="5,10", type="custom", default="10"),
    ]  # fmt: skip
    model = to_json(Dashboard(title="t", uid="t", variables=variables))
    datasource, namespace, k = model["templating"]["list"]
    assert datasource["type"] == "datasource"  # added: the panels read $datasource
    assert namespace["type"] == "query" and namespace["definition"] == "label_values(up, namespace)"
    assert namespace["datasource"] == {"type": "prometheus", "uid": "prom-uid"}
    assert namespace["multi"] and namespace["allValue"] == ".*"
    assert k["type"] == "custom" and k["current"] == {"text": "10", "value": "10"}
    assert "auto" not in namespace  # grafanalib's interval-variable keys are not carried over

"""The command line, run as a user runs it: a real process, its exit code, its output."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from _support import ROOT

from triton_dashboards.cli import main
from triton_dashboards.files import write_atomic

GOOD = """\
from triton_dashboards import Dashboard, Row, Scope, panels

scope = Scope(namespace="triton").model({model!r})
dashboard = Dashboard(title="t", uid={uid!r}, rows=[Row("r", [panels.request_rate(scope)])])
"""


def run(*args: str, cwd: Path, umask: int | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "triton_dashboards", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONHASHSEED": "0"},
        preexec_fn=None if umask is None else (lambda: os.umask(umask)),
    )


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def umask() -> Iterator[None]:
    """Restore the test process's umask after a test that sets its own."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def write(repo: Path, name: str, text: str) -> Path:
    path = repo / "dashboards" / f"{name}.dashboard.py"
    path.write_text(text, encoding="utf-8")
    return path


def assert_one_line_error(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert result.returncode == 2, result
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])


def test_build_that_cannot_write_its_json_is_one_line_and_leaves_no_temporary_file(
    repo: Path,
) -> None:
    write(repo, "a", GOOD.format(model="ner", uid="a"))
    (repo / "dashboards" / "a.json").mkdir()  # something that is not a file stands in its way
    result = run("build", cwd=repo)
    assert_one_line_error(result, "cannot write dashboards/a.json: Is a directory", "writ")
    assert sorted(p.name for p in (repo / "dashboards").iterdir()) == [
        "a.dashboard.py",
        "a.json",
    ]


def test_build_writes_json_then_leaves_it_alone(repo: Path) -> None:
    write(repo, "a", GOOD.format(model="ner", uid="a"))
    first = run("build", cwd=repo)
    assert first.returncode == 0, first.stderr
    assert "built dashboards/a.json (1 panel)" in first.stdout
    target = repo / "dashboards" / "a.json"
    mtime = target.stat().st_mtime_ns
    second = run("build", cwd=repo)
    assert "unchanged dashboards/a.json" in second.stdout
    assert target.stat().st_mtime_ns == mtime
    assert json.loads(target.read_text(encoding="utf-8"))["uid"] == "a"


def test_file_that_raises(repo: Path) -> None:
    write(repo, "boom", "x = 1\nraise RuntimeError('the model list is empty')\n")
    assert_one_line_error(
        run("build", cwd=repo), "boom.dashboard.py:2", "RuntimeError", "the model list is empty"
    )


def test_file_without_dashboard(repo: Path) -> None:
    write(repo, "empty", "x = 1\n")
    assert_one_line_error(run("build", cwd=repo), "empty.dashboard.py", "defines no dashboard")


def test_dashboard_of_the_wrong_type(repo: Path) -> None:
    write(repo, "wrong", "dashboard = {'title': 'x'}\n")
    assert_one_line_error(run("build", cwd=repo), "wrong.dashboard.py", "is a dict")


def test_two_dashboards_with_one_uid(repo: Path) -> None:
    write(repo, "a", GOOD.format(model="ner", uid="same"))
    write(repo, "b", GOOD.format(model="ner", uid="same"))
    assert_one_line_error(run("build", cwd=repo), "b.dashboard.py", "'same'", "a.dashboard.py")


def test_a_copy_that_sorts_first_is_named_as_the_copy(repo: Path) -> None:
    """`ner-copy` sorts before `ner` (`-` < `.`): the error names the file made last."""
    original = write(repo, "ner", GOOD.format(model="ner", uid="same"))
    copy = write(repo, "ner-copy", GOOD.format(model="ner", uid="same"))
    os.utime(original, ns=(1_000_000_000, 1_000_000_000))
    result = run("build", cwd=repo)
    assert_one_line_error(result, "'same'")
    assert result.stderr.startswith(
        f"error: dashboards/{copy.name}: uid 'same' is already used by dashboards/{original.name}"
    )


def test_lint_reports_two_json_files_with_one_uid(repo: Path) -> None:
    """`lint` used to say "2 dashboards clean"; publish would refuse both."""
    original = repo / "dashboards" / "ner.json"
    original.write_bytes((ROOT / "dashboards" / "ner.json").read_bytes())
    os.utime(original, ns=(1_000_000_000, 1_000_000_000))
    copy = repo / "dashboards" / "a-copy.json"
    copy.write_bytes(original.read_bytes())
    result = run("lint", cwd=repo)
    assert result.returncode == 1, result
    assert "clean" not in result.stdout + result.stderr
    assert (
        f"dashboards/{copy.name}: uid 'triton-ner' is also the uid of dashboards/{original.name}"
        in result.stdout
    )


def test_uid_too_long(repo: Path) -> None:
    write(repo, "long", GOOD.format(model="ner", uid="x" * 41))
    assert_one_line_error(run("build", cwd=repo), "long.dashboard.py", "at most 40")


def test_uid_with_bad_characters(repo: Path) -> None:
    write(repo, "bad", GOOD.format(model="ner", uid="a/b"))
    assert_one_line_error(run("build", cwd=repo), "bad.dashboard.py", "A-Z a-z 0-9 _ -")


def test_unknown_metric_names_file_and_panel(repo: Path) -> None:
    write(
        repo,
        "typo",
        "from triton_dashboards import Dashboard, Row, panels\n"
        "dashboard = Dashboard(title='t', uid='t', rows=[Row('r', [\n"
        "    panels.timeseries('My panel', ['rate(nv_inference_cout[5m])'], unit='ops')])])\n",
    )
    assert_one_line_error(
        run("build", cwd=repo), "typo.dashboard.py", "'My panel'", "nv_inference_count"
    )


def test_removed_metric_is_an_error(repo: Path) -> None:
    write(
        repo,
        "old",
        "from triton_dashboards import Dashboard, Row, panels\n"
        "dashboard = Dashboard(title='t', uid='t', rows=[Row('r', [\n"
        "    panels.timeseries('Compute', ['rate(nv_inference_compute_duration_us[5m])'],"
        " unit='µs')])])\n",
    )
    assert_one_line_error(run("build", cwd=repo), "'Compute'", "removed")


def test_model_name_with_quotes_is_escaped_not_an_error(repo: Path) -> None:
    write(repo, "q", GOOD.format(model='ner "v2" \\ beta', uid="q"))
    result = run("build", cwd=repo)
    assert result.returncode == 0, result.stderr
    model = json.loads((repo / "dashboards" / "q.json").read_text(encoding="utf-8"))
    expr = model["panels"][1]["targets"][0]["expr"]
    assert 'model="ner \\"v2\\" \\\\ beta"' in expr
    assert run("lint", cwd=repo).returncode == 0


def test_hand_written_query_with_a_stray_quote(repo: Path) -> None:
    write(
        repo,
        "raw",
        "from triton_dashboards import Dashboard, Row, panels\n"
        "dashboard = Dashboard(title='t', uid='t', rows=[Row('r', [\n"
        "    panels.timeseries('Raw', ['rate(nv_inference_count{model=\"a\"b\"}[5m])'],"
        " unit='ops')])])\n",
    )
    assert_one_line_error(run("build", cwd=repo), "raw.dashboard.py", "'Raw'", "does not parse")


def test_nothing_is_written_when_one_file_fails(repo: Path) -> None:
    write(repo, "a", GOOD.format(model="ner", uid="a"))
    write(repo, "b", "raise ValueError('no')\n")
    assert run("build", cwd=repo).returncode == 2
    assert not (repo / "dashboards" / "a.json").exists()


def test_check_reports_stale_and_missing(repo: Path) -> None:
    write(repo, "a", GOOD.format(model="ner", uid="a"))
    missing = run("check", cwd=repo)
    assert missing.returncode == 1
    assert "missing: dashboards/a.json" in missing.stderr
    assert run("build", cwd=repo).returncode == 0
    assert run("check", cwd=repo).returncode == 0
    write(repo, "a", GOOD.format(model="ner_pipeline", uid="a"))
    stale = run("check", cwd=repo)
    assert stale.returncode == 1
    assert "stale: dashboards/a.json" in stale.stderr
    assert "Traceback" not in stale.stderr


def test_no_dashboard_folder(tmp_path: Path) -> None:
    assert_one_line_error(run("build", cwd=tmp_path), "no folder dashboards")


def test_lint_flags_nvidias_dashboard(tmp_path: Path, testdata: Path) -> None:
    """NVIDIA's k8s dashboard plots raw cumulative counters: lint says so, exit 1."""
    nvidia = testdata / "triton" / "dashboards" / "triton-server_k8s-onprem_dashboard.json"
    result = run("lint", str(nvidia), cwd=tmp_path)
    assert result.returncode == 1
    assert "counter nv_inference_request_success is used raw" in result.stdout
    assert "Traceback" not in result.stderr


def test_lint_flags_removed_metrics_in_the_aws_dashboard(tmp_path: Path, testdata: Path) -> None:
    aws = testdata / "triton" / "dashboards" / "triton-server_aws_dashboard.json"
    result = run("lint", str(aws), cwd=tmp_path)
    assert result.returncode == 1
    assert "nv_inference_load_ratio" in result.stdout
    assert "removed" in result.stdout


def test_lint_of_a_file_that_is_not_json(tmp_path: Path) -> None:
    bad = tmp_path / "x.json"
    bad.write_text("{not json", encoding="utf-8")
    assert_one_line_error(run("lint", str(bad), cwd=tmp_path), "x.json", "cannot read")


def test_committed_dashboards_are_current_and_clean() -> None:
    """The CI gate on this repository itself: `check` and `lint` pass."""
    assert run("check", cwd=ROOT).returncode == 0
    lint = run("lint", cwd=ROOT)
    assert lint.returncode == 0, lint.stdout


@pytest.mark.parametrize("command", ["build", "check", "lint"])
def test_help_has_an_example(command: str) -> None:
    result = run(command, "--help", cwd=ROOT)
    assert result.returncode == 0
    assert "Example:" in result.stdout


def test_rewriting_a_file_keeps_its_mode(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text("old\n", encoding="utf-8")
    path.chmod(0o640)
    write_atomic(path, "new\n")
    assert path.read_text(encoding="utf-8") == "new\n"
    assert mode(path) == 0o640


@pytest.mark.parametrize(("mask", "expected"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_a_new_file_gets_the_umask_mode(
    tmp_path: Path, umask: None, mask: int, expected: int
) -> None:
    os.umask(mask)
    path = tmp_path / "new.json"
    write_atomic(path, "{}\n")
    assert mode(path) == expected


def test_a_failed_write_leaves_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "a.json"
    path.write_text("old\n", encoding="utf-8")

    def interrupted(*_: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(path, "new\n")
    assert path.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]


def test_build_keeps_the_mode_of_the_json_it_rewrites(repo: Path) -> None:
    write(repo, "a", GOOD.format(model="ner", uid="a"))
    target = repo / "dashboards" / "a.json"
    target.write_text("{}\n", encoding="utf-8")
    target.chmod(0o640)
    assert run("build", cwd=repo).returncode == 0
    assert json.loads(target.read_text(encoding="utf-8"))["uid"] == "a"
    assert mode(target) == 0o640


@pytest.mark.parametrize(("mask", "expected"), [(0o022, 0o644), (0o077, 0o600)])
def test_output_file_of_a_command_gets_the_umask_mode(
    tmp_path: Path, mask: int, expected: int
) -> None:
    result = run("scrape-config", "-o", "scrape.yml", cwd=tmp_path, umask=mask)
    assert result.returncode == 0, result.stderr
    assert mode(tmp_path / "scrape.yml") == expected


@pytest.mark.parametrize(
    ("text", "line", "needles"),
    [
        ("x = 1\nraise ValueError('no models')\n", 2, ("ValueError", "no models")),
        ("import math\n\nmath.sqrt('a')\n", 3, ("TypeError",)),
        (GOOD.format(model="ner", uid="x" * 41), 4, ("dashboard uid", "at most 40")),
        (
            "from triton_dashboards.promql import Selector\n\nSelector('bad name')\n",
            3,
            ("invalid metric name",),
        ),
        ("x = (\n", 1, ("SyntaxError",)),
    ],
)
def test_every_error_of_a_dashboard_file_names_its_line(
    repo: Path, text: str, line: int, needles: tuple[str, ...]
) -> None:
    write(repo, "bad", text)
    result = run("build", cwd=repo)
    assert_one_line_error(result, f"bad.dashboard.py:{line}: ", *needles)


def test_our_errors_are_not_prefixed_with_a_class_name(repo: Path) -> None:
    write(repo, "long", GOOD.format(model="ner", uid="x" * 41))
    result = run("build", cwd=repo)
    assert "long.dashboard.py:4: dashboard uid" in result.stderr
    assert "DashboardError" not in result.stderr


@pytest.mark.parametrize("command", ["build", "check"])
def test_a_pulled_json_with_a_built_uid_fails(repo: Path, command: str) -> None:
    write(repo, "a", GOOD.format(model="ner", uid="same"))
    assert run("build", cwd=repo).returncode == 0
    pulled = repo / "dashboards" / "pulled.json"
    pulled.write_text(json.dumps({"uid": "same", "title": "t", "panels": []}), encoding="utf-8")
    assert_one_line_error(run(command, cwd=repo), "pulled.json", "'same'", "a.json")


@pytest.mark.parametrize("command", ["build", "check"])
def test_two_json_files_no_code_produced_with_one_uid_fail(repo: Path, command: str) -> None:
    write(repo, "a", GOOD.format(model="ner", uid="a"))
    assert run("build", cwd=repo).returncode == 0
    for name in ("x", "y"):
        (repo / "dashboards" / f"{name}.json").write_text('{"uid": "dup"}', encoding="utf-8")
    assert_one_line_error(run(command, cwd=repo), "y.json", "'dup'", "x.json")


def test_a_json_of_another_uid_beside_the_built_ones_passes(repo: Path) -> None:
    write(repo, "a", GOOD.format(model="ner", uid="a"))
    (repo / "dashboards" / "other.json").write_text('{"uid": "other"}', encoding="utf-8")
    (repo / "dashboards" / "notes.json").write_text("[1, 2]", encoding="utf-8")
    assert run("build", cwd=repo).returncode == 0
    assert run("check", cwd=repo).returncode == 0


def test_counts_are_singular_for_one(repo: Path) -> None:
    write(repo, "a", GOOD.format(model="ner", uid="a"))
    assert "(1 panel)" in run("build", cwd=repo).stdout
    assert "1 dashboard up to date" in run("check", cwd=repo).stdout
    assert "1 dashboard clean" in run("lint", cwd=repo).stdout
    raw = (
        "from triton_dashboards import Dashboard, Row, panels\n"
        "dashboard = Dashboard(title='t', uid='b', rows=[Row('r', [\n"
        "    panels.timeseries('Raw', ['nv_inference_count'], unit='short')])])\n"
    )
    write(repo, "b", raw)
    assert run("build", cwd=repo).returncode == 0
    lint = run("lint", cwd=repo)
    assert "1 finding in 2 dashboards" in lint.stderr


ANTI_PATTERN = """\
from triton_dashboards import Dashboard, Row, panels
from triton_dashboards.panels import Query, Unit

query = Query('increase(nv_inference_count{model="ner_pipeline"}[1m])', "{{pod}}")
panel = panels.timeseries("x", [query], unit=Unit.NONE)
dashboard = Dashboard(title="t", uid="t", rows=[Row("r", [panel])])
"""


def test_lint_flags_a_one_minute_window_unless_told_the_scrape_is_shorter(repo: Path) -> None:
    write(repo, "anti", ANTI_PATTERN)
    assert run("build", cwd=repo).returncode == 0
    flagged = run("lint", cwd=repo)
    assert flagged.returncode == 1
    assert "[$__rate_interval]" in flagged.stdout and "1 finding in 1 dashboard" in flagged.stderr
    assert run("lint", "--scrape-interval", "15s", cwd=repo).returncode == 0
    assert_one_line_error(run("lint", "--scrape-interval", "soon", cwd=repo), "--scrape-interval")


# Click's own usage errors (a bad value, a missing or unknown option, an unknown command)
# are one line too, said by the group for every command: what went wrong, and where to look.

COMMANDS = sorted(main.commands)
SCRIPT = Path(sys.executable).with_name("triton-dashboards")


def run_script(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The installed ``triton-dashboards`` script, named as a user types it."""
    return subprocess.run(
        [str(SCRIPT), *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def assert_usage_line(result: subprocess.CompletedProcess[str], command: str, *needles: str) -> str:
    assert_one_line_error(result, *needles)
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"error: {command}: "), line
    assert line.endswith(f"; see '{command} --help'"), line
    assert result.stdout == ""
    return line


@pytest.mark.parametrize("command", COMMANDS)
def test_an_unknown_option_of_every_command_is_one_line(tmp_path: Path, command: str) -> None:
    result = run_script(command, "--no-such-option", cwd=tmp_path)
    assert_usage_line(result, f"triton-dashboards {command}", "no such option '--no-such-option'")


@pytest.mark.parametrize(
    ("args", "command", "needle"),
    [
        (["build", "--schema", "v3"], "build", "--schema: 'v3' is not one of 'v1', 'v2'"),
        (["build", "--schema"], "build", "option '--schema' requires an argument"),
        (["discover"], "discover", "missing option '--prometheus'"),
        (["publish", "--concurrency", "many"], "publish", "--concurrency: 'many' is not"),
        (["init", "a", "b"], "init", "got unexpected extra argument (b)"),
        (["--no-such-option"], "", "no such option '--no-such-option'"),
    ],
)
def test_click_usage_errors_are_one_line(
    tmp_path: Path, args: list[str], command: str, needle: str
) -> None:
    path = " ".join(["triton-dashboards", command]).strip()
    assert_usage_line(run_script(*args, cwd=tmp_path), path, needle)


def test_an_unknown_command_keeps_clicks_suggestion(tmp_path: Path) -> None:
    line = assert_usage_line(run_script("publsh", cwd=tmp_path), "triton-dashboards", "'publsh'")
    assert "(did you mean one of: 'publish', 'pull'?)" in line


def test_an_output_folder_that_is_a_file_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "page").write_text("", encoding="utf-8")
    result = run_script("preview", "-o", "page", cwd=tmp_path)
    assert_usage_line(
        result, "triton-dashboards preview", "-o/--output: directory 'page' is a file"
    )


@pytest.mark.parametrize("args", [["--help"], ["build", "--help"], ["publish", "-h"]])
def test_help_is_still_clicks(tmp_path: Path, args: list[str]) -> None:
    result = run_script(*args, cwd=tmp_path)
    assert result.returncode == 0 and result.stderr == ""
    assert result.stdout.startswith("Usage: triton-dashboards")
    assert "Options:" in result.stdout


def test_no_command_still_shows_the_help(tmp_path: Path) -> None:
    result = run_script(cwd=tmp_path)
    assert result.returncode == 2
    assert "Usage: triton-dashboards" in result.stdout + result.stderr
    assert "Commands:" in result.stdout + result.stderr

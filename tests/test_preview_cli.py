"""``triton-dashboards preview`` run as a user runs it: pages written, errors in one line."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from _support import ROOT
from test_cli import assert_one_line_error

from triton_dashboards.preview.demo import Demo

NER = ROOT / "dashboards" / "ner.json"


def run(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "triton_dashboards", "preview", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, **(env or {})},
    )


def test_preview_against_a_running_prometheus_writes_a_page_per_file(
    preview_demo: Demo, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    result = run("--prometheus", preview_demo.url, "-o", str(out), str(NER), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    page = (out / "ner.html").read_text(encoding="utf-8")
    assert "<title>NER pipeline (preview)</title>" in page
    assert "uPlot" in page  # inlined: the page loads nothing from anywhere
    assert "<script src" not in page and "<link" not in page and "@import" not in page
    assert f"ner.json: {out / 'ner.html'} (12 panels)" in result.stdout
    assert not list(out.glob("*.png"))


def test_preview_needs_a_source(tmp_path: Path) -> None:
    assert_one_line_error(run(str(NER), cwd=tmp_path), "--prometheus URL or --demo")


def test_preview_of_an_unreachable_prometheus_says_so(tmp_path: Path) -> None:
    result = run("--prometheus", "http://127.0.0.1:9", "-o", str(tmp_path), str(NER), cwd=tmp_path)
    assert_one_line_error(result, "127.0.0.1:9")
    assert not list(tmp_path.glob("*.html"))


def test_demo_without_promtool_says_what_to_install(tmp_path: Path) -> None:
    bin_dir = str(Path(sys.executable).parent)
    result = run("--demo", str(NER), cwd=tmp_path, env={"PATH": bin_dir})
    assert_one_line_error(result, "promtool", "apt-get install prometheus")


def test_png_without_chromium_says_what_to_install(preview_demo: Demo, tmp_path: Path) -> None:
    bin_dir = str(Path(sys.executable).parent)
    args = ("--png", "--prometheus", preview_demo.url, "-o", str(tmp_path / "o"), str(NER))
    result = run(*args, cwd=tmp_path, env={"PATH": bin_dir})
    assert_one_line_error(result, "Chromium", "apt-get install chromium")
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("--range", "an hour"), "'an hour' is not a duration"),
        (("--scrape-interval", "x"), "'x' is not a duration"),
    ],
)
def test_bad_durations_are_one_line(args: tuple[str, ...], needle: str, tmp_path: Path) -> None:
    result = run("--prometheus", "http://127.0.0.1:9", *args, str(NER), cwd=tmp_path)
    assert_one_line_error(result, needle)


def test_a_file_that_is_not_a_dashboard_is_named(preview_demo: Demo, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"title": "no panels"}')
    result = run(
        "--prometheus", preview_demo.url, "-o", str(tmp_path / "o"), str(bad), cwd=tmp_path
    )
    assert_one_line_error(result, "bad.json is not a dashboard")


def _children(pid: int) -> list[tuple[int, str]]:
    """``(pid, command line)`` of the processes whose parent is ``pid``."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmdline = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append((int(stat.parent.name), cmdline))
    return found


def test_ctrl_c_during_demo_stops_its_prometheus_and_removes_its_files(
    prometheus_binary: str, promtool: str, tmp_path: Path
) -> None:
    # The dashboards that read no records: the demo's Prometheus starts at once, and drawing
    # them all takes seconds, time enough to interrupt it while it serves.
    raw = [str(p) for p in sorted((ROOT / "dashboards").glob("*.json")) if "recorded" not in p.name]
    process = subprocess.Popen(
        [sys.executable, "-m", "triton_dashboards", "preview", "--demo", "-o", str(tmp_path),
         *raw],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        servers: list[tuple[int, str]] = []
        while not servers and time.monotonic() < deadline and process.poll() is None:
            servers = [c for c in _children(process.pid) if "prometheus" in c[1].split(" ")[0]]
            time.sleep(0.05)
        assert servers, "the demo never started its Prometheus"
        ((server, command),) = servers
        storage = next(a for a in command.split() if a.startswith("--storage.tsdb.path="))
        work = Path(storage.split("=", 1)[1]).parent
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode != 0
    assert "Traceback" not in err
    assert (
        not Path(f"/proc/{server}").exists()
        or "State:\tZ" in Path(f"/proc/{server}/status").read_text()
    )
    assert not work.exists(), f"{work} left behind"


def test_an_output_folder_that_cannot_be_made_is_one_line(
    preview_demo: Demo, tmp_path: Path
) -> None:
    blocker = tmp_path / "taken"
    blocker.write_text("a file, not a folder")
    out = blocker / "pages"
    result = run("--prometheus", preview_demo.url, "-o", str(out), str(NER), cwd=tmp_path)
    assert_one_line_error(result, str(out), "Not a directory")

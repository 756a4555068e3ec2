"""Crash safety, stated and tested (issue 19): ``publish`` killed with SIGKILL at seeded random
points of a 200-dashboard run, then run again, converges: one folder, every dashboard equal
to its file, and a further run writes nothing. Two runs of the same content at once both
succeed. The publisher is a real process; Grafana is the double on profiles 11 (legacy API),
12 and 13 (``/apis``) over real HTTP.

Why it holds: every write is one request that Grafana applies whole or not at all (a save,
a folder create), so a kill leaves some dashboards written and the rest untouched, never a
half-written one; the folder's uid is derived from its title, so a second run finds the
folder the first created instead of making another; and a dashboard the killed run wrote is
a save of this checkout, so the rerun sees it as ours (unchanged, or updated).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from _support import GRAFANA_TOKEN as TOKEN
from grafana_double import GrafanaDouble
from test_publish import make
from test_publish_repos import git

from triton_dashboards.grafana.folders import folder_uid
from triton_dashboards.grafana.local import dump, load_dashboards, normalise

COUNT = 200
#: Kill points per profile: each run is killed after a seeded random number of writes (0:
#: after its first request, while it resolves the folder), so a failure replays.
KILLS = 2
WRITES = ("POST", "PUT", "DELETE")


def start(repo: Path, double: GrafanaDouble, *extra: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRAFANA_")}
    env.update({"GRAFANA_URL": double.url, "GRAFANA_TOKEN": TOKEN})
    return subprocess.Popen(
        [sys.executable, "-m", "triton_dashboards", "publish", "--backoff", "0.001", *extra],
        cwd=repo,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen[str]) -> tuple[int, str]:
    out, err = process.communicate(timeout=120)
    return process.returncode, out + err


def writes(double: GrafanaDouble) -> int:
    return sum(double.count(m) for m in WRITES)


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A committed repository of 200 small dashboards (a real checkout: "ours" by history)."""
    root = tmp_path_factory.mktemp("crash")
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.email", "ci@example.com")
    git(root, "config", "user.name", "ci")
    (root / "dashboards").mkdir()
    for i in range(COUNT):
        data = {**make(f"d{i:03}", panels=2).dashboard, "schemaVersion": 42}  # as build renders
        (root / "dashboards" / f"d{i:03}.json").write_text(dump(data))
    git(root, "add", "-A")
    git(root, "-c", "commit.gpgsign=false", "commit", "-q", "-m", "200 dashboards")
    return root


def converged(double: GrafanaDouble, repo: Path) -> None:
    ours = folder_uid(["Triton"])
    assert double.folders() == [ours], double.folders()
    files = load_dashboards(sorted((repo / "dashboards").glob("*.json")))
    assert double.dashboard_uids() == sorted(d.uid for d in files)
    for local in files:
        live = double.dashboard(local.uid)
        assert live is not None and normalise(live) == normalise(local.dashboard), local.uid
        assert double.meta(local.uid)["folderUid"] == ours  # type: ignore[index]


@pytest.mark.parametrize("profile", ["11", "12", "13"])
def test_sigkill_at_random_points_then_a_rerun_converges(profile: str, repo: Path) -> None:
    rng = random.Random(f"issue-19-{profile}")
    with GrafanaDouble(profile=profile, token=TOKEN) as double:
        for _ in range(KILLS):
            # leave room for the writes in flight (eight at a time) when the signal lands
            point = rng.randint(0, max(0, COUNT - len(double.dashboard_uids()) - 20))
            double.reset_counts()
            process = start(repo, double)
            deadline = time.monotonic() + 60
            while (writes(double) < point or double.count() == 0) and process.poll() is None:
                assert time.monotonic() < deadline, "the run never reached its kill point"
                time.sleep(0.001)
            assert process.poll() is None, "the run ended before its kill point"
            process.send_signal(signal.SIGKILL)
            process.communicate(timeout=30)
            assert process.returncode == -signal.SIGKILL  # killed mid-run, not finished
        code, said = finish(start(repo, double))
        assert code == 0, said
        assert "Traceback" not in said
        converged(double, repo)
        double.reset_counts()
        code, said = finish(start(repo, double))
        assert code == 0 and writes(double) == 0, said
        assert f"{COUNT} unchanged" in said


@pytest.mark.parametrize("profile", ["11", "12", "13"])
def test_two_overlapping_runs_of_the_same_content_both_succeed(profile: str, repo: Path) -> None:
    with GrafanaDouble(profile=profile, token=TOKEN) as double:
        runs = [start(repo, double), start(repo, double)]
        results = [finish(run) for run in runs]
        for code, said in results:
            assert code == 0, said
        converged(double, repo)
        double.reset_counts()
        assert finish(start(repo, double))[0] == 0 and writes(double) == 0

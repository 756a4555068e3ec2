"""Whose dashboard it is (issue 19): two branches and two repositories publishing to one
Grafana, on the double's profiles 11 (legacy API), 12 and 13 (``/apis``) over real HTTP,
from real git repositories in a temporary directory.

"Ours" is this repository's history: a save of this tool whose content is a committed
version of the file (a fast-forward) is updated; another branch's content, or another
repository's dashboard with the same uid, is a conflict that names where it came from.
"""

from __future__ import annotations

import copy
import json
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _support import GRAFANA_TOKEN as TOKEN
from grafana_double import GrafanaDouble
from test_cli_publish import FAST, assert_one_line_error, grafana_env, run, status_of
from test_publish import make

from triton_dashboards.grafana.checkout import checkout_of, remote_name
from triton_dashboards.grafana.client import GrafanaClient, GrafanaConfig
from triton_dashboards.grafana.discovery import open_api
from triton_dashboards.grafana.local import InputError, dump, load_dashboards
from triton_dashboards.grafana.provenance import parse
from triton_dashboards.grafana.publish import Publisher
from triton_dashboards.grafana.report import Report, Status

UIDS = ("d0", "d1", "d2")


def git(where: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(where), *args], capture_output=True, text=True, timeout=30, check=True
    )
    return done.stdout


class Repo:
    """A dashboards repository: ``dashboards/*.json`` committed by one person."""

    def __init__(self, path: Path, author: str, clone_of: Repo | None = None) -> None:
        self.path = path
        if clone_of is None:
            path.mkdir(parents=True)
            git(path, "init", "-q", "-b", "main")
            (path / "dashboards").mkdir()
        else:
            subprocess.run(
                ["git", "clone", "-q", str(clone_of.path), str(path)], check=True, timeout=30
            )
        git(path, "config", "user.email", author)
        git(path, "config", "user.name", author.split("@")[0])
        git(path, "config", "commit.gpgsign", "false")

    def write(self, uid: str, title: str = "Panel 0") -> None:
        data = copy.deepcopy(make(uid).dashboard)
        data["panels"][0]["title"] = title
        (self.path / "dashboards" / f"{uid}.json").write_text(dump(data), encoding="utf-8")

    def commit(self, message: str, *uids: str, title: str = "Panel 0") -> str:
        for uid in uids:
            self.write(uid, title)
        git(self.path, "add", "-A")
        git(self.path, "commit", "-q", "-m", message)
        return git(self.path, "rev-parse", "HEAD").strip()[:12]

    def files(self) -> list[Path]:
        return sorted((self.path / "dashboards").glob("*.json"))

    def publish(self, double: GrafanaDouble, mode: str, **options: Any) -> Report:
        client = GrafanaClient(GrafanaConfig(double.url, token=TOKEN, backoff=0.001))
        with client:
            api = open_api(client, mode)  # type: ignore[arg-type]
            return Publisher(api, **options).publish(load_dashboards(self.files()))


def statuses(report: Report) -> dict[str, Status]:
    return {o.uid: o.status for o in report.outcomes}


def detail(report: Report, uid: str) -> str:
    return next(o.detail for o in report.outcomes if o.uid == uid)


#: (profile, --api): Grafana 11 over the legacy API; 12 and 13 over /apis; 13 over /api too.
GRAFANAS = [("11", "auto"), ("12", "auto"), ("13", "auto"), ("13", "legacy")]


@pytest.fixture(params=GRAFANAS, ids=[f"{p}-{m}" for p, m in GRAFANAS])
def grafana(request: pytest.FixtureRequest) -> Iterator[tuple[GrafanaDouble, str]]:
    profile, mode = request.param
    with GrafanaDouble(profile=profile, token=TOKEN) as running:
        yield running, mode


@pytest.fixture
def main(tmp_path: Path) -> Repo:
    repo = Repo(tmp_path / "dash", "ann@example.com")
    repo.commit("first dashboards", *UIDS)
    return repo


def test_a_later_commit_of_the_same_branch_updates(
    grafana: tuple[GrafanaDouble, str], main: Repo
) -> None:
    double, mode = grafana
    assert set(statuses(main.publish(double, mode)).values()) == {Status.CREATED}
    main.commit("rename a panel", "d0", title="Renamed")
    report = main.publish(double, mode)
    assert statuses(report) == {
        "d0": Status.UPDATED,
        "d1": Status.UNCHANGED,
        "d2": Status.UNCHANGED,
    }
    assert report.ok


def test_each_save_records_the_repository_commit_and_author(
    grafana: tuple[GrafanaDouble, str], main: Repo
) -> None:
    double, mode = grafana
    main.publish(double, mode)
    [version] = double.versions("d0")
    saved = parse(version["message"])
    assert saved is not None
    root = git(main.path, "rev-list", "--max-parents=0", "HEAD").strip()[:12]
    head = git(main.path, "rev-parse", "HEAD").strip()[:12]
    assert (saved.origin.repository, saved.origin.commit) == (root, head)
    assert saved.origin.author == "ann@example.com"
    if mode == "auto" and double.profile.serves_apis:
        notes = double.store.find(1, "d0").annotations  # type: ignore[union-attr]
        assert notes["triton-dashboards/repository"] == root
        assert notes["triton-dashboards/commit"] == head


def test_another_branchs_content_is_a_conflict_that_names_it_until_merged(
    grafana: tuple[GrafanaDouble, str], main: Repo, tmp_path: Path
) -> None:
    double, mode = grafana
    main.publish(double, mode)
    feature = Repo(tmp_path / "feature", "bob@example.com", clone_of=main)
    git(feature.path, "checkout", "-q", "-b", "feature")
    commit = feature.commit("try a title", "d1", title="Feature")
    assert statuses(feature.publish(double, mode))["d1"] is Status.UPDATED  # from main's content
    # main moves on: its publish meets the feature branch's save, not in main's history
    main.commit("main's own change", "d2", title="Main")
    report = main.publish(double, mode)
    assert statuses(report) == {"d0": Status.UNCHANGED, "d1": Status.CONFLICT, "d2": Status.UPDATED}
    said = detail(report, "d1")
    assert "another branch of this repository" in said
    assert commit in said and "bob@example.com" in said
    assert "diff" in said and "merge" in said and "--force" in said
    assert not report.ok
    assert double.dashboard("d1")["panels"][0]["title"] == "Feature"  # type: ignore[index]
    # merging the feature branch makes its content ours: the next publish updates
    git(main.path, "pull", "-q", "--no-rebase", "--no-edit", str(feature.path), "feature")
    report = main.publish(double, mode)
    assert statuses(report)["d1"] is Status.UNCHANGED and report.ok


def test_force_takes_another_branchs_dashboard_back_and_says_whose_it_was(
    grafana: tuple[GrafanaDouble, str], main: Repo, tmp_path: Path
) -> None:
    double, mode = grafana
    main.publish(double, mode)
    feature = Repo(tmp_path / "feature", "bob@example.com", clone_of=main)
    git(feature.path, "checkout", "-q", "-b", "feature")
    feature.commit("try", "d1", title="Feature")
    feature.publish(double, mode)
    report = main.publish(double, mode, force=True)
    assert statuses(report)["d1"] is Status.UPDATED
    assert "overwrote a publish from repository" in detail(report, "d1")
    assert double.dashboard("d1")["panels"][0]["title"] == "Panel 0"  # type: ignore[index]


def test_two_branches_publishing_at_once_one_wins_each_dashboard(
    grafana: tuple[GrafanaDouble, str], main: Repo, tmp_path: Path
) -> None:
    double, mode = grafana
    main.publish(double, mode)
    left = Repo(tmp_path / "left", "ci@example.com", clone_of=main)
    right = Repo(tmp_path / "right", "ci@example.com", clone_of=main)
    git(left.path, "checkout", "-q", "-b", "left")
    git(right.path, "checkout", "-q", "-b", "right")
    left.commit("left", *UIDS, title="Left")
    right.commit("right", *UIDS, title="Right")
    double.latency = 0.01  # the two runs interleave request by request
    reports: dict[str, Report] = {}

    def run(repo: Repo, name: str) -> None:
        reports[name] = repo.publish(double, mode, concurrency=1)

    threads = [threading.Thread(target=run, args=(r, n)) for r, n in ((left, "l"), (right, "r"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for uid in UIDS:
        pair = sorted([statuses(reports["l"])[uid], statuses(reports["r"])[uid]])
        assert pair == sorted([Status.UPDATED, Status.CONFLICT]), (uid, pair)
        winner = "Left" if statuses(reports["l"])[uid] is Status.UPDATED else "Right"
        assert double.dashboard(uid)["panels"][0]["title"] == winner  # type: ignore[index]
    for report in reports.values():  # a run that lost any dashboard exits 1
        assert report.ok == all(s is Status.UPDATED for s in statuses(report).values())


def test_another_repositorys_uid_is_a_conflict_with_a_hint_to_rename(
    grafana: tuple[GrafanaDouble, str], main: Repo, tmp_path: Path
) -> None:
    double, mode = grafana
    main.publish(double, mode)
    other = Repo(tmp_path / "other", "carol@example.com")
    other.commit("mine", "d0", "mine", title="Theirs")
    report = other.publish(double, mode)
    assert statuses(report) == {"d0": Status.CONFLICT, "mine": Status.CREATED}
    said = detail(report, "d0")
    assert "uid d0 is taken by another repository" in said and "another uid" in said
    assert "ann@example.com" in said
    assert double.dashboard("d0")["panels"][0]["title"] == "Panel 0"  # type: ignore[index]
    # and the first repository goes on updating its own
    main.commit("change", "d0", title="Still ours")
    assert statuses(main.publish(double, mode))["d0"] is Status.UPDATED


def test_prune_deletes_only_what_this_repository_owns(
    grafana: tuple[GrafanaDouble, str], main: Repo, tmp_path: Path
) -> None:
    double, mode = grafana
    main.publish(double, mode)  # the "stock" repository: d0, d1, d2
    own = Repo(tmp_path / "own", "dan@example.com")
    own.commit("mine", "m0", "m1")
    own.publish(double, mode)
    double.ui_save("hand", {"uid": "hand", "title": "Made by hand"})
    (own.path / "dashboards" / "m1.json").unlink()
    own.commit("drop m1")
    for dry_run in (True, False):
        report = own.publish(double, mode, prune=True, dry_run=dry_run)
        pruned = {o.uid: o.status for o in report.outcomes if o.uid not in ("m0",)}
        gone = Status.WOULD_DELETE if dry_run else Status.DELETED
        assert pruned == {
            "m1": gone,
            "d0": Status.KEPT,
            "d1": Status.KEPT,
            "d2": Status.KEPT,
        }, pruned
        assert "repository" in detail(report, "d0")
    assert sorted(double.dashboard_uids()) == ["d0", "d1", "d2", "hand", "m0"]


def test_uncommitted_work_from_one_checkout_is_still_ours(
    grafana: tuple[GrafanaDouble, str], main: Repo
) -> None:
    double, mode = grafana
    main.write("d0", "Trying")
    assert statuses(main.publish(double, mode))["d0"] is Status.CREATED
    main.write("d0", "Trying again")
    assert statuses(main.publish(double, mode))["d0"] is Status.UPDATED


def test_a_save_of_an_older_release_is_ours_when_its_content_is_in_our_history(
    grafana: tuple[GrafanaDouble, str], main: Repo, tmp_path: Path
) -> None:
    double, mode = grafana
    outside = tmp_path / "copy"
    outside.mkdir()
    for path in main.files():
        (outside / path.name).write_bytes(path.read_bytes())
    client = GrafanaClient(GrafanaConfig(double.url, token=TOKEN, backoff=0.001))
    with client:  # published from a copy outside git: no repository recorded, as before
        api = open_api(client, mode)  # type: ignore[arg-type]
        Publisher(api).publish(load_dashboards(sorted(outside.glob("*.json"))))
    main.commit("change", "d0", title="Next")
    assert statuses(main.publish(double, mode))["d0"] is Status.UPDATED
    # a content that never was in our history is a conflict: published from outside git
    with GrafanaClient(GrafanaConfig(double.url, token=TOKEN, backoff=0.001)) as client:
        (outside / "d1.json").write_text(dump(make("d1", title="Elsewhere").dashboard))
        api = open_api(client, mode)  # type: ignore[arg-type]
        Publisher(api).publish(load_dashboards(sorted(outside.glob("*.json"))))
    report = main.publish(double, mode)
    assert statuses(report)["d1"] is Status.CONFLICT
    assert "outside any git repository" in detail(report, "d1")


def test_outside_git_a_repositorys_dashboard_is_not_ours(
    grafana: tuple[GrafanaDouble, str], main: Repo, tmp_path: Path
) -> None:
    double, mode = grafana
    main.publish(double, mode)
    outside = tmp_path / "loose"
    outside.mkdir()
    (outside / "d0.json").write_text(dump(make("d0", title="Loose").dashboard))
    with GrafanaClient(GrafanaConfig(double.url, token=TOKEN, backoff=0.001)) as client:
        api = open_api(client, mode)  # type: ignore[arg-type]
        report = Publisher(api).publish(load_dashboards([outside / "d0.json"]))
    assert statuses(report)["d0"] is Status.CONFLICT
    assert "taken by another repository" in detail(report, "d0")


def test_a_shallow_clone_is_refused_in_one_line(main: Repo, tmp_path: Path) -> None:
    main.commit("second", "d0", title="Two")
    shallow = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{main.path}", str(shallow)],
        check=True,
        timeout=30,
    )
    with pytest.raises(InputError) as caught:
        checkout_of(sorted((shallow / "dashboards").glob("*.json")))
    said = str(caught.value)
    assert "shallow" in said and "--unshallow" in said and "\n" not in said


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("https://x-access-token:ghs_SECRET@github.com/Acme/dash.git", "github.com/Acme/dash"),
        ("git@github.com:Acme/dash.git", "github.com/Acme/dash"),
        ("ssh://git@GitHub.com/Acme/dash", "github.com/Acme/dash"),
        ("/srv/git/dash.git", "/srv/git/dash"),
    ],
)
def test_the_remote_is_named_without_credentials_however_it_was_cloned(url: str, name: str) -> None:
    assert remote_name(url) == name


def test_the_cli_exits_1_naming_the_other_repository_and_refuses_a_shallow_clone(
    main: Repo, tmp_path: Path
) -> None:
    with GrafanaDouble(profile="13", token=TOKEN) as double:
        env = grafana_env(double)
        assert run("publish", *FAST, cwd=main.path, **env).returncode == 0
        other = Repo(tmp_path / "other", "carol@example.com")
        other.commit("mine", "d0", title="Theirs")
        result = run("publish", *FAST, cwd=other.path, **env)
        assert result.returncode == 1, result
        line = status_of(result.stdout, "d0")
        assert line.startswith("CONFLICT: uid d0 is taken by another repository")
        shallow = tmp_path / "shallow"
        git(tmp_path, "clone", "-q", "--depth", "1", f"file://{main.path}", str(shallow))
        assert_one_line_error(run("publish", *FAST, cwd=shallow, **env), "shallow clone")
        assert_one_line_error(run("diff", cwd=shallow, **env), "shallow clone")


def test_a_renamed_file_keeps_its_history(grafana: tuple[GrafanaDouble, str], main: Repo) -> None:
    double, mode = grafana
    main.publish(double, mode)
    git(main.path, "mv", "dashboards/d0.json", "dashboards/zero.json")
    data = json.loads((main.path / "dashboards" / "zero.json").read_text())
    data["panels"][0]["title"] = "After the rename"
    (main.path / "dashboards" / "zero.json").write_text(dump(data))
    git(main.path, "commit", "-q", "-am", "rename the file and change it, in one commit")
    report = main.publish(double, mode)
    assert statuses(report)["d0"] is Status.UPDATED and report.ok, detail(report, "d0")

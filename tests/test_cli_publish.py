"""``publish``, ``diff`` and ``pull`` run as a user runs them: a real process against the
Grafana double over HTTP, judged by exit code and output, with a token easy to spot."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from _support import GRAFANA_TOKEN as TOKEN
from _support import ROOT, free_port
from grafana_double import GrafanaDouble
from plain_http import not_found_page, serving

SECRET = "SECRET_ZZZ"
FAST = ("--backoff", "0.001")


def run(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("GRAFANA_")}
    result = subprocess.run(
        [sys.executable, "-m", "triton_dashboards", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        env={**base, **env},
    )
    said = result.stdout + result.stderr
    assert SECRET not in said, said
    assert "Traceback" not in said, said
    return result


def assert_one_line_error(result: subprocess.CompletedProcess[str], *needles: str) -> str:
    assert result.returncode == 2, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ") and "; " in lines[0], lines[0]
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]


@pytest.fixture
def repo(repo: Path) -> Path:
    """conftest's empty repository with three committed dashboards in it."""
    for name in ("ner.json", "triton-overview.json", "triton-model.json"):
        shutil.copy(ROOT / "dashboards" / name, repo / "dashboards" / name)
    return repo


def grafana_env(double: GrafanaDouble) -> dict[str, str]:
    return {"GRAFANA_URL": double.url, "GRAFANA_TOKEN": TOKEN}


def status_of(stdout: str, label: str) -> str:
    """What the line for ``label`` says, without the label and its padding."""
    [line] = [ln for ln in stdout.splitlines() if ln.startswith(f"{label} ")]
    return line[len(label) :].strip()


def test_missing_url_is_named(repo: Path) -> None:
    assert_one_line_error(run("publish", cwd=repo, GRAFANA_TOKEN=TOKEN), "GRAFANA_URL")


def test_publish_is_idempotent_and_a_ui_edit_is_a_conflict_until_forced(
    repo: Path, double: GrafanaDouble
) -> None:
    env = grafana_env(double)
    first = run("publish", *FAST, cwd=repo, **env)
    assert first.returncode == 0, first.stderr
    assert first.stdout.count("created (version 1)") == 3
    assert first.stdout.strip().endswith("3 created, 0 updated, 0 unchanged, 0 conflicts, 0 failed")

    double.reset_counts()
    second = run("publish", *FAST, cwd=repo, **env)
    assert second.returncode == 0 and second.stdout.count("unchanged (version 1)") == 3
    assert double.count("POST") == 0

    double.ui_save("triton-ner", {"title": "NER, edited"}, user="alice")
    double.reset_counts()
    conflict = run("publish", *FAST, cwd=repo, **env)
    assert conflict.returncode == 1
    line = status_of(conflict.stdout, "ner")
    assert line.startswith("CONFLICT: changed in Grafana by alice at "), line
    assert "triton-dashboards diff dashboards/ner.json" in line and "--force" in line
    assert '    -  "title": "NER, edited",' in conflict.stdout
    assert "0 updated, 2 unchanged, 1 conflict, 0 failed" in conflict.stdout
    assert double.count("POST") == 0

    differs = run("diff", "dashboards/ner.json", cwd=repo, **env)
    assert differs.returncode == 1
    assert '-  "title": "NER, edited",' in differs.stdout
    assert "1 of 1 dashboards differ" in differs.stderr

    forced = run("publish", "--force", *FAST, cwd=repo, **env)
    assert forced.returncode == 0, forced.stdout
    assert status_of(forced.stdout, "ner").startswith(
        "updated (version 2 -> 3, overwrote a change by alice at "
    )

    clean = run("diff", cwd=repo, **env)
    assert clean.returncode == 0 and "3 dashboards identical in Grafana" in clean.stdout


def test_dry_run_prints_the_plan_and_writes_nothing(repo: Path, double: GrafanaDouble) -> None:
    result = run("publish", "--dry-run", cwd=repo, **grafana_env(double))
    assert result.returncode == 0
    assert result.stdout.count("would create") == 3
    assert "3 to create, 0 to update, 0 unchanged, 0 conflicts, 0 failed (dry run" in result.stdout
    assert double.count("POST") == 0 and double.folders() == []


def test_json_output_is_one_document(repo: Path, double: GrafanaDouble) -> None:
    result = run("publish", "--output", "json", *FAST, cwd=repo, **grafana_env(double))
    assert result.returncode == 0
    document = json.loads(result.stdout)
    assert document["ok"] is True and document["grafana"] == double.url
    assert {d["uid"]: d["status"] for d in document["dashboards"]} == {
        "triton-ner": "created",
        "triton-overview": "created",
        "triton-model": "created",
    }
    assert document["summary"] == {"created": 3}
    assert document["folders"] == [{"title": "Triton", "uid": "triton", "state": "created"}]


def test_json_output_on_an_error(repo: Path, double: GrafanaDouble) -> None:
    env = {"GRAFANA_URL": double.url, "GRAFANA_TOKEN": "glsa_SECRET_ZZZ_wrong"}
    result = run("publish", "--output", "json", cwd=repo, **env)
    assert_one_line_error(result, "GRAFANA_TOKEN", "401")
    assert json.loads(result.stdout)["ok"] is False


def test_wrong_token_names_the_variable(repo: Path, double: GrafanaDouble) -> None:
    env = {"GRAFANA_URL": double.url, "GRAFANA_TOKEN": "glsa_SECRET_ZZZ_old"}
    assert_one_line_error(run("publish", cwd=repo, **env), "401", "GRAFANA_TOKEN")
    assert double.count("POST") == 0
    verbose = run("publish", "--verbose", cwd=repo, **env)  # run() checks: no token anywhere
    assert verbose.returncode == 2 and verbose.stderr.strip().splitlines()[-1].startswith("error")


def test_verbose_logs_every_request_but_never_the_token(repo: Path, double: GrafanaDouble) -> None:
    result = run("publish", "--verbose", *FAST, cwd=repo, **grafana_env(double))
    assert result.returncode == 0
    assert "POST /api/dashboards/db -> 200" in result.stderr
    assert double.requests[0].headers["Authorization"] == f"Bearer {TOKEN}"


def test_viewer_token_is_told_the_missing_permission(repo: Path) -> None:
    with GrafanaDouble(token=TOKEN, token_role="Viewer") as double:
        result = run("publish", cwd=repo, **grafana_env(double))
    assert_one_line_error(result, "403", "folders:create", "Editor")


@pytest.mark.parametrize(
    ("url", "needles"),
    [
        (f"http://127.0.0.1:{free_port()}", ("connection refused", "GRAFANA_URL")),
        ("http://grafana.invalid:3000", ("cannot resolve the host grafana.invalid",)),
        ("grafana.example.com", ("GRAFANA_URL", "not an http(s) URL")),
    ],
)
def test_unreachable_grafana_is_one_line(repo: Path, url: str, needles: tuple[str, ...]) -> None:
    result = run("publish", "--retries", "0", cwd=repo, GRAFANA_URL=url, GRAFANA_TOKEN=TOKEN)
    assert_one_line_error(result, *needles)


def test_timeout_is_one_line(repo: Path) -> None:
    with GrafanaDouble(token=TOKEN, latency=0.4) as double:
        result = run(
            "publish", "--timeout", "0.1", "--retries", "0", cwd=repo, **grafana_env(double)
        )
    assert_one_line_error(result, "did not answer within 0.1 s", "--timeout")


def test_provisioned_dashboard_fails_alone_and_the_summary_says_so(
    repo: Path, double: GrafanaDouble
) -> None:
    double.provision("triton-model", {"uid": "triton-model", "title": "From a file"})
    result = run("publish", *FAST, cwd=repo, **grafana_env(double))
    assert result.returncode == 1
    line = status_of(result.stdout, "triton-model")
    assert line.startswith("FAILED: cannot save dashboard triton-model: it is provisioned"), line
    assert "2 created, 0 updated, 0 unchanged, 0 conflicts, 1 failed" in result.stdout


def test_basic_auth_and_org_from_the_environment(repo: Path) -> None:
    with GrafanaDouble(token=None, users={"ci": "pw_SECRET_ZZZ"}, orgs=(1, 2)) as double:
        env = {
            "GRAFANA_URL": double.url,
            "GRAFANA_USER": "ci",
            "GRAFANA_PASSWORD": "pw_SECRET_ZZZ",
            "GRAFANA_ORG_ID": "2",
        }
        assert run("publish", cwd=repo, **env).returncode == 0
        assert double.dashboard("triton-ner", org_id=2) is not None
        assert double.dashboard("triton-ner", org_id=1) is None
        env["GRAFANA_PASSWORD"] = "SECRET_ZZZ_typo"
        assert_one_line_error(run("publish", cwd=repo, **env), "GRAFANA_USER", "GRAFANA_PASSWORD")


def test_refused_credentials_in_the_url_are_named_and_never_printed(repo: Path) -> None:
    """A 401 with user:password@ in GRAFANA_URL used to say "check GRAFANA_USER"."""
    with GrafanaDouble(token=None, users={"ci": "pw_SECRET_ZZZ"}) as double:
        scheme, rest = double.url.split("://", 1)
        env = {"GRAFANA_URL": f"{scheme}://ci:pw_SECRET_ZZZ@{rest}"}
        assert run("publish", cwd=repo, **env).returncode == 0
        env = {"GRAFANA_URL": f"{scheme}://ci:SECRET_ZZZ_typo@{rest}"}
        line = assert_one_line_error(run("publish", cwd=repo, **env), "401", "GRAFANA_URL")
        assert "in GRAFANA_URL" in line and "were refused" in line
        assert "GRAFANA_USER" not in line and "ci:" not in line


def test_pull_then_diff_is_clean(repo: Path, double: GrafanaDouble) -> None:
    env = grafana_env(double)
    assert run("publish", *FAST, cwd=repo, **env).returncode == 0
    double.ui_save("triton-ner", lambda d: d["panels"].pop(), user="alice")
    pulled = run("pull", "triton-ner", "--dir", "pulled", cwd=repo, **env)
    assert pulled.returncode == 0
    assert pulled.stdout.strip() == "written pulled/triton-ner.json (version 2)"
    saved = json.loads((repo / "pulled" / "triton-ner.json").read_text(encoding="utf-8"))
    assert "id" not in saved and "version" not in saved
    clean = run("diff", "pulled/triton-ner.json", cwd=repo, **env)
    assert clean.returncode == 0, clean.stdout
    assert run("diff", "dashboards/ner.json", cwd=repo, **env).returncode == 1


def test_pull_of_a_missing_uid_writes_nothing(repo: Path, double: GrafanaDouble) -> None:
    result = run("pull", "nope", "--dir", "pulled", cwd=repo, **grafana_env(double))
    assert_one_line_error(result, "no dashboard with uid 'nope'")
    assert not (repo / "pulled").exists()


@pytest.mark.parametrize(
    ("folder", "why"),
    [
        ("/proc/triton-dashboards-pulled", "No such file or directory"),  # root cannot either
        ("/etc/hostname/sub", "Not a directory"),
    ],
)
def test_pull_into_a_folder_that_cannot_be_made_is_one_line(
    repo: Path, double: GrafanaDouble, folder: str, why: str
) -> None:
    env = grafana_env(double)
    assert run("publish", *FAST, cwd=repo, **env).returncode == 0
    result = run("pull", "triton-ner", "--dir", folder, cwd=repo, **env)
    assert_one_line_error(result, f"cannot create the folder {folder}: {why}", "choose a folder")


def test_prune_with_files_is_refused(repo: Path, double: GrafanaDouble) -> None:
    result = run("publish", "--prune", "dashboards/ner.json", cwd=repo, **grafana_env(double))
    assert_one_line_error(result, "--prune")
    assert double.count() == 0


def test_prune_deletes_what_left_git(repo: Path, double: GrafanaDouble) -> None:
    env = grafana_env(double)
    assert run("publish", *FAST, cwd=repo, **env).returncode == 0
    (repo / "dashboards" / "triton-model.json").unlink()
    result = run("publish", "--prune", *FAST, cwd=repo, **env)
    assert result.returncode == 0, result.stdout
    assert status_of(result.stdout, "triton-model") == "deleted (not in git)"
    assert double.dashboard("triton-model") is None


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:notaport",
        "http://127.0.0.1:99999",
        "http://[::1",
        "ftp://grafana.example.com",
    ],
)
@pytest.mark.parametrize("command", [("publish",), ("diff",), ("pull", "some-uid")])
def test_a_malformed_url_is_one_line_and_exit_2(
    repo: Path, url: str, command: tuple[str, ...]
) -> None:
    result = run(*command, cwd=repo, GRAFANA_URL=url, GRAFANA_TOKEN=TOKEN)
    assert_one_line_error(result, "GRAFANA_URL")


def test_pull_refuses_a_second_file_with_a_uid_the_directory_has(
    repo: Path, double: GrafanaDouble
) -> None:
    env = grafana_env(double)
    assert run("publish", *FAST, cwd=repo, **env).returncode == 0
    before = sorted(p.name for p in (repo / "dashboards").iterdir())
    result = run("pull", "triton-ner", cwd=repo, **env)
    assert_one_line_error(result, "dashboards/ner.json", "triton-ner", "--dir", "remove")
    assert sorted(p.name for p in (repo / "dashboards").iterdir()) == before


def test_diff_names_a_conflict_a_conflict(repo: Path, double: GrafanaDouble) -> None:
    env = grafana_env(double)
    assert run("publish", *FAST, cwd=repo, **env).returncode == 0
    double.ui_save("triton-ner", {"title": "NER, edited"}, user="alice")
    result = run("diff", cwd=repo, **env)
    assert result.returncode == 1
    assert "ner: CONFLICT (" in result.stderr and "by alice" in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("1 of 3 dashboards differ") and "1 is a conflict" in last, last
    assert "would write" not in last


def test_a_folder_uid_held_by_a_dashboard_is_explained(repo: Path, double: GrafanaDouble) -> None:
    double.ui_save("triton", {"uid": "triton", "title": "Not a folder"})
    for extra in ((), ("--dry-run",)):
        result = run("publish", *extra, *FAST, cwd=repo, **grafana_env(double))
        line = assert_one_line_error(result, "taken by the dashboard 'Not a folder'", "--folder")
        assert "run again" not in line


JSON_KEYS = {"ok", "error", "grafana", "dry_run", "folders", "dashboards", "summary"}


def test_json_output_is_one_document_with_the_same_keys_on_every_failure(
    repo: Path, double: GrafanaDouble
) -> None:
    ok = run("publish", "--output", "json", *FAST, cwd=repo, **grafana_env(double))
    assert ok.returncode == 0 and set(json.loads(ok.stdout)) == JSON_KEYS
    no_url = run("publish", "--output", "json", cwd=repo, GRAFANA_TOKEN=TOKEN)
    (repo / "dashboards" / "broken.json").write_text("{not json", encoding="utf-8")
    bad_file = run("publish", "--output", "json", cwd=repo, **grafana_env(double))
    for result, needle in ((no_url, "GRAFANA_URL"), (bad_file, "broken.json")):
        assert_one_line_error(result, needle)
        document = json.loads(result.stdout)
        assert set(document) == JSON_KEYS
        assert document["ok"] is False and needle in document["error"]
        assert document["dashboards"] == [] and document["summary"] == {}


def test_https_to_plain_http_says_use_http_even_with_insecure(
    repo: Path, double: GrafanaDouble
) -> None:
    env = {"GRAFANA_URL": f"https://127.0.0.1:{double.port}", "GRAFANA_TOKEN": TOKEN}
    line = assert_one_line_error(run("publish", "--insecure", cwd=repo, **env), "plain HTTP")
    assert "--insecure" not in line


def test_a_viewer_gets_exit_2_from_publish_and_from_dry_run(repo: Path) -> None:
    with GrafanaDouble(token=TOKEN, token_role="Viewer") as double:
        double.add_folder("Triton", uid="triton")
        for extra in ((), ("--dry-run",)):
            result = run("publish", *extra, *FAST, cwd=repo, **grafana_env(double))
            assert_one_line_error(result, "403", "Editor")
        assert double.count("POST") == 0


def test_a_url_that_is_not_grafana_is_named_so(repo: Path) -> None:
    with serving(not_found_page) as (url, _):
        result = run("publish", "--retries", "0", cwd=repo, GRAFANA_URL=url, GRAFANA_TOKEN=TOKEN)
    line = assert_one_line_error(result, "does not answer as Grafana", "GRAFANA_URL")
    assert "check the uid" not in line


def test_verbose_shows_our_log_and_only_vv_adds_urllib3(repo: Path, double: GrafanaDouble) -> None:
    env = grafana_env(double)
    once = run("publish", "--dry-run", "-v", cwd=repo, **env)
    assert "GET /api/folders/triton -> 404" in once.stderr
    assert "urllib3" not in once.stderr
    twice = run("publish", "--dry-run", "-vv", cwd=repo, **env)
    assert "urllib3.connectionpool" in twice.stderr


def test_prune_lines_line_up_with_the_others(repo: Path, double: GrafanaDouble) -> None:
    """A pruned uid longer than every file name left still starts its status in the column."""
    env = grafana_env(double)
    assert run("publish", *FAST, cwd=repo, **env).returncode == 0
    for name in ("triton-overview.json", "triton-model.json"):
        (repo / "dashboards" / name).unlink()
    result = run("publish", "--prune", *FAST, cwd=repo, **env)
    assert result.returncode == 0, result.stdout
    lines = result.stdout.splitlines()[:-1]
    assert [line.split()[0] for line in lines] == ["ner", "triton-model", "triton-overview"]
    columns = {len(line) - len(line[len(line.split()[0]) :].lstrip()) for line in lines}
    assert columns == {len("triton-overview  ")}, lines

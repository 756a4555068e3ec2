"""The documentation works as written: every code block of README.md and docs/*.md runs, and
``make docs`` builds the API reference with warnings as errors.

How each block runs is in tests/docs_blocks.py (python executed, shell run in a sandbox per
page, ``<!-- not run: reason -->`` for the few that cannot run here). A failure names the
page and the line of the block's fence.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import yaml
from _support import GRAFANA_TOKEN, free_port, require_tool
from docs_blocks import (
    ADDRESSES,
    DATA,
    ROOT,
    SHELL,
    TEXT,
    Block,
    backgrounded,
    blocks,
    commands,
    pages,
)
from grafana_double import GrafanaDouble
from prometheus_server import PrometheusServer

BIN = Path(sys.executable).parent
#: A shell block that takes longer than this has hung (a server started without ``&``).
BLOCK_TIMEOUT = 180
PAGES = pages()


def _id(page: Path) -> str:
    return str(page.relative_to(ROOT))


def _all_blocks() -> list[Block]:
    return [block for page in PAGES for block in blocks(page)]


# --- what every block is -----------------------------------------------------------------


def test_every_block_runs_or_is_text_or_says_why_not() -> None:
    """An unmarked block in a language the test cannot run would silently go unchecked."""
    known = {"python"} | SHELL | DATA | TEXT
    wrong = [
        f"{b.where}: a ```{b.lang or '(no language)'} block is neither run nor text: "
        "use ```python, ```sh, ```yaml, ```json or ```text, or put "
        "<!-- not run: reason --> on the line before it"
        for b in _all_blocks()
        if b.not_run is None and not b.is_directive and b.lang not in known
    ]
    assert not wrong, "\n".join(wrong)


def test_not_run_markers_say_why() -> None:
    empty = [
        f"{b.where}: <!-- not run: --> needs a reason" for b in _all_blocks() if b.not_run == ""
    ]
    assert not empty, "\n".join(empty)


def test_python_blocks_are_formatted_as_ruff_formats_them(tmp_path: Path) -> None:
    """A snippet a reader copies into a ``*.dashboard.py`` must pass that repository's
    ``make check`` (``ruff format --check``) as it is."""
    python = [b for b in _all_blocks() if b.lang == "python" and b.not_run is None]
    assert python, "no python blocks found: the block parser is broken"
    unformatted = []
    for block in python:
        result = subprocess.run(
            [str(BIN / "ruff"), "format", "--diff", "--config", str(ROOT / "pyproject.toml"), "-"],
            input=block.code,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if result.returncode != 0:
            unformatted.append(f"{block.where}: not as ruff formats it:\n{result.stdout}")
    assert not unformatted, "\n".join(unformatted)


@pytest.mark.parametrize(
    "block",
    [b for b in _all_blocks() if b.lang in DATA and b.not_run is None],
    ids=lambda b: b.where,
)
def test_yaml_and_json_blocks_parse(block: Block) -> None:
    try:
        if block.lang == "json":
            json.loads(block.code)
        else:
            list(yaml.safe_load_all(block.code))
    except (ValueError, yaml.YAMLError) as e:
        pytest.fail(f"{block.where}: the {block.lang} block does not parse: {e}", pytrace=False)


_SAMPLE = """# A page

<!-- not run: needs a cluster -->
```sh
kubectl get pods
```

1. A step in a list:

   ```python
   # dashboards/x.dashboard.py
   x = 1
   ```

```text
output
```
"""


def test_the_block_parser_reads_languages_markers_indents_and_dashboard_files(
    tmp_path: Path,
) -> None:
    page = tmp_path / "page.md"
    page.write_text(_SAMPLE)
    shell, python, text = blocks(page)
    assert (shell.lang, shell.line, shell.not_run) == ("sh", 4, "needs a cluster")
    assert shell.code == "kubectl get pods\n"
    assert (python.lang, python.line, python.not_run) == ("python", 10, None)
    assert python.code == "# dashboards/x.dashboard.py\nx = 1\n"  # the list's indent is gone
    assert python.dashboard_file == "dashboards/x.dashboard.py"
    assert (text.lang, text.dashboard_file) == ("text", None)
    assert text.where == f"{page}:15"


def test_shell_commands_join_continuations_and_know_what_runs_in_the_background() -> None:
    code = (
        "# a comment\nsimulate --listen 127.0.0.1:8002 &   # keeps running\nbuild \\\n  --dir x\n"
    )
    running = "simulate --listen 127.0.0.1:8002 &   # keeps running"
    assert commands(code) == [running, "build --dir x"]
    assert backgrounded(code) == [running]
    assert backgrounded("a && b\n") == []


# --- running a page ----------------------------------------------------------------------


def _wait_for_port(port: int, where: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.1)
    pytest.fail(
        f"{where}: nothing listens on 127.0.0.1:{port} {timeout:.0f} s later", pytrace=False
    )


def _wait_for_triton_series(port: int, where: str, timeout: float = 60.0) -> None:
    """A Prometheus the page started has scraped Triton four times, the samples Grafana's
    ``$__rate_interval`` spans: what a reader finds when they look a minute later."""
    url = f"http://127.0.0.1:{port}/api/v1/query"
    query = {"query": "count_over_time(nv_inference_request_success[10m]) >= 4"}
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(requests.RequestException, ValueError, KeyError):
            if requests.get(url, params=query, timeout=2).json()["data"]["result"]:
                return
        time.sleep(0.2)
    pytest.fail(f"{where}: Prometheus on :{port} has no Triton series {timeout:.0f} s later")


def _stop_group(leader: subprocess.Popen[bytes]) -> None:
    """End what one process we started left running: its own process group (a shell block's
    ``&`` commands included), never anything else. The leader is reaped, so that it does not
    linger as a zombie that keeps the group alive."""
    for sig, wait in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 2.0)):
        try:
            os.killpg(leader.pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            leader.poll()
            try:
                os.killpg(leader.pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.05)


class PageRun:
    """One page's blocks, run in order in one sandbox, as one reader at one terminal."""

    def __init__(self, page: Path, home: Path, stack: contextlib.ExitStack) -> None:
        self.page = page
        self.home = home
        self.stack = stack
        self.state = home / ".docs-state"
        self.state.mkdir(parents=True)
        (self.state / "env.sh").write_text("")
        self.env = {
            **os.environ,
            "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
            "GRAFANA_TOKEN": GRAFANA_TOKEN,
        }
        for name in ("GRAFANA_URL", "GRAFANA_USER", "GRAFANA_PASSWORD", "GRAFANA_ORG_ID"):
            self.env.pop(name, None)
        self.ports: dict[int, int] = {}
        self.groups: list[subprocess.Popen[bytes]] = []
        stack.callback(self._stop_groups)
        (self.state / "cwd").write_text(str(self._repository()))

    def _repository(self) -> Path:
        """A dashboards repository as ``init`` makes it (the stock dashboards and an example
        of one's own) and ``build`` renders it: where a reader runs the commands."""
        repo = self.home / "repo"
        for command, cwd in ((["init", str(repo)], self.home), (["build"], repo)):
            subprocess.run(
                ["triton-dashboards", *command],
                cwd=cwd,
                env=self.env,
                capture_output=True,
                check=True,
                timeout=120,
            )
        return repo

    # -- services --

    def serve(self, text: str, page_commands: list[str]) -> None:
        """Give every documented address the page uses a port, and a server where the page
        does not start its own: the Grafana double always (GRAFANA_URL points at it), the
        simulator and a real Prometheus scraping it where the page reads them."""
        double = self.stack.enter_context(GrafanaDouble(token=GRAFANA_TOKEN))
        self.env["GRAFANA_URL"] = double.url
        self.ports[ADDRESSES["grafana"]] = int(double.url.rsplit(":", 1)[1].strip("/"))

        def mentions(service: str) -> bool:
            port = ADDRESSES[service]
            return re.search(rf"\b(localhost|127\.0\.0\.1):{port}\b", text) is not None

        starts_simulator = any(re.match(r"triton-dashboards simulate\b", c) for c in page_commands)
        starts_prometheus = any(re.match(r"prometheus\s", c) for c in page_commands)
        needs_prometheus = mentions("prometheus") and not starts_prometheus
        # Every local port the page names gets one of its own, so that pages and other
        # tests running beside never meet on a fixed port.
        for port in {int(p) for p in re.findall(r"\b(?:localhost|127\.0\.0\.1):(\d+)\b", text)}:
            self.ports.setdefault(port, free_port())
        if needs_prometheus:
            self.ports.setdefault(ADDRESSES["triton-metrics"], free_port())
        if any(re.match(r"promtool\s", c) for c in page_commands):
            require_tool("promtool")
        if starts_prometheus:
            require_tool("prometheus")
        if not starts_simulator and ADDRESSES["triton-metrics"] in self.ports:
            self._start_simulator()
        if needs_prometheus:
            self._start_prometheus()

    def _start_simulator(self) -> None:
        metrics = self.ports[ADDRESSES["triton-metrics"]]
        command = ["triton-dashboards", "simulate", "--listen", f"127.0.0.1:{metrics}"]
        if ADDRESSES["triton-http"] in self.ports:
            command += ["--http", f"127.0.0.1:{self.ports[ADDRESSES['triton-http']]}"]
        process = subprocess.Popen(
            command,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.groups.append(process)
        _wait_for_port(metrics, f"{_id(self.page)}: the simulator")

    def _start_prometheus(self) -> None:
        require_tool("prometheus")
        metrics = self.ports[ADDRESSES["triton-metrics"]]
        server = self.stack.enter_context(
            PrometheusServer(
                scrape_targets=[f"127.0.0.1:{metrics}"], labels={"namespace": "triton"}
            )
        )
        server.wait_for("nv_inference_request_success", timeout=30)
        self.ports[ADDRESSES["prometheus"]] = int(server.url.rsplit(":", 1)[1].strip("/"))

    def localize(self, code: str) -> str:
        """The block with each documented address on this page's port."""
        for documented, port in self.ports.items():
            code = re.sub(rf"\b(localhost|127\.0\.0\.1):{documented}\b", rf"\g<1>:{port}", code)
        return code

    def _stop_groups(self) -> None:
        for process in reversed(self.groups):
            _stop_group(process)

    # -- blocks --

    def cwd(self) -> Path:
        return Path((self.state / "cwd").read_text().strip())

    def run_shell(self, block: Block) -> None:
        script = self.home / f".block-{block.line}.sh"
        script.write_text(
            f'cd "$(cat {self.state}/cwd)"\n'
            f". {self.state}/env.sh\n"
            f"trap 'pwd > {self.state}/cwd; export -p | grep -Ev "
            f'"^declare -x (PWD|OLDPWD|SHLVL|_)=" > {self.state}/env.sh\' EXIT\n'
            "set -euo pipefail\n" + self.localize(block.code)
        )
        out = self.home / f".block-{block.line}.out"
        with out.open("wb") as sink:
            process = subprocess.Popen(
                ["bash", str(script)],
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=sink,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            self.groups.append(process)
            try:
                code = process.wait(timeout=BLOCK_TIMEOUT)
            except subprocess.TimeoutExpired:
                _stop_group(process)
                pytest.fail(f"{block.where}: still running after {BLOCK_TIMEOUT} s", pytrace=False)
        if code != 0:
            tail = "\n".join(out.read_text(errors="replace").splitlines()[-25:])
            pytest.fail(f"{block.where}: the sh block failed (exit {code}):\n{tail}", pytrace=False)
        for command in backgrounded(self.localize(block.code)):
            for port in re.findall(r"\b(?:localhost|127\.0\.0\.1):(\d+)\b", command):
                if int(port) in self.ports.values():
                    _wait_for_port(int(port), block.where)
                    if command.startswith("prometheus"):
                        _wait_for_triton_series(int(port), block.where)

    def run_python(self, block: Block) -> None:
        code = self.localize(block.code)
        cwd = self.cwd()
        if block.dashboard_file:
            target = cwd / block.dashboard_file
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(code)
        # Line numbers in a traceback are the page's: the block starts after its fence.
        compiled = compile("\n" * block.line + code, str(block.page), "exec")
        before = Path.cwd()
        os.chdir(cwd)
        try:
            exec(compiled, {"__name__": "__docs__"})
        except Exception as e:
            pytest.fail(f"{block.where}: the python block raised {e!r}", pytrace=True)
        finally:
            os.chdir(before)
        if block.dashboard_file:
            built = subprocess.run(
                ["triton-dashboards", "build", block.dashboard_file],
                cwd=cwd,
                env=self.env,
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
            if built.returncode != 0:
                pytest.fail(
                    f"{block.where}: {block.dashboard_file} does not build: "
                    f"{built.stderr.strip() or built.stdout.strip()}",
                    pytrace=False,
                )


@pytest.fixture
def page_run(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[PageRun]:
    page: Path = request.param
    with contextlib.ExitStack() as stack:
        yield PageRun(page, tmp_path, stack)


def _runnable(page: Path) -> list[Block]:
    return [
        b for b in blocks(page) if b.not_run is None and (b.lang == "python" or b.lang in SHELL)
    ]


def test_a_failing_block_is_reported_with_its_page_and_line(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("# A page\n\n```sh\ntriton-dashboards --help >/dev/null\nfalse\n```\n")
    with contextlib.ExitStack() as stack:
        run = PageRun(page, tmp_path / "home", stack)
        [block] = blocks(page)
        with pytest.raises(pytest.fail.Exception, match=rf"^{re.escape(str(page))}:3: .*exit 1"):
            run.run_shell(block)


def test_the_working_directory_and_exports_carry_over_to_the_next_block(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "```sh\nmkdir sub && cd sub\nexport ANSWER=42\n```\n\n"
        '```sh\ntest "$(basename "$PWD")" = sub\ntest "$ANSWER" = 42\n```\n'
    )
    with contextlib.ExitStack() as stack:
        run = PageRun(page, tmp_path / "home", stack)
        for block in blocks(page):
            run.run_shell(block)
        assert run.cwd().name == "sub"


@pytest.mark.e2e
@pytest.mark.parametrize("page_run", [p for p in PAGES if _runnable(p)], ids=_id, indirect=True)
def test_code_blocks_run(page_run: PageRun) -> None:
    """Each page's python and shell blocks, in order, as a reader follows the page."""
    runnable = _runnable(page_run.page)
    text = "\n".join(b.code for b in runnable)
    page_commands = [c for b in runnable if b.lang in SHELL for c in commands(b.code)]
    page_run.serve(text, page_commands)
    for block in runnable:
        if block.lang == "python":
            page_run.run_python(block)
        else:
            page_run.run_shell(block)


# --- the API reference -------------------------------------------------------------------


@pytest.mark.e2e
def test_make_docs_builds_the_api_reference_of_every_module_with_warnings_as_errors(
    tmp_path: Path,
) -> None:
    """``make docs`` runs this very command; every module of the package gets a page, found
    by walking the package (a new module needs no edit), and a warning fails the build."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    [command] = re.findall(r"^docs:.*\n\t\$\(BIN\)/(sphinx-build .*)$", makefile, re.M)
    args = command.split()
    assert "-W" in args and "--keep-going" in args, command
    out = tmp_path / "html"
    args[-1] = str(out)  # the output directory, so the test leaves build/ alone
    args += ["-d", str(tmp_path / "doctrees")]
    built = subprocess.run(
        [str(BIN / args[0]), *args[1:]],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert built.returncode == 0, built.stderr[-4000:]
    package = ROOT / "src" / "triton_dashboards"
    modules = {
        ".".join(("triton_dashboards", *p.relative_to(package).with_suffix("").parts)).removesuffix(
            ".__init__"
        )
        for p in package.rglob("*.py")
        if p.name != "__main__.py"
    }
    missing = sorted(m for m in modules if not (out / "docs" / "api" / f"{m}.html").is_file())
    assert not missing, f"modules without an API page: {missing}"
    reference = (out / "docs" / "reference.html").read_text(encoding="utf-8")
    for name in ("Dashboard", "Row", "Scope", "panels", "queries", "dashboards", "rules"):
        assert f">{name}<" in reference, f"top-level name {name} missing from the reference"

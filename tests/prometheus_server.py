"""A real Prometheus for tests: the Debian ``prometheus`` binary on 127.0.0.1, its own TSDB.

End-to-end tests and benchmarks need the real query engine (``rate()`` extrapolation,
``histogram_quantile``, binary-operator matching), not a stand-in. This starts one:

* on ``127.0.0.1`` only, on a port the kernel picks (``--web.listen-address=127.0.0.1:0``;
  the real port is read from the ``Listening on`` log line, so there is no race for a
  "free" port);
* with a generated config (``scrape_interval``/``evaluation_interval`` 1 s by default,
  optional rule files) and its own temporary ``--storage.tsdb.path``, never the package
  defaults under /etc and /var;
* stopped at teardown (SIGTERM, SIGKILL after a timeout), and killed by the kernel if the
  test process dies first (Linux ``prctl(PR_SET_PDEATHSIG)``), so no Prometheus outlives
  a crashed or killed pytest.

The process is the product's own (``triton_dashboards.preview.server.PrometheusProcess``,
which ``preview --demo`` runs): one launcher, tested by every end-to-end test; this module
adds the generated config, a temporary directory and the HTTP client.

Timings measured on a 2-core runner with Prometheus 2.42: ``/-/ready`` within 0.1 s,
the first scraped sample 5-6 s after launch (the discovery manager's 5 s tick), SIGTERM to
exit about 1.5 s. Wait for data with :meth:`PrometheusServer.wait_for`, not sleeps.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

import yaml
from _support import require_tool

from triton_dashboards.inspect.prometheus import Prometheus
from triton_dashboards.inspect.prometheus import PrometheusError as ClientError
from triton_dashboards.preview.server import PrometheusProcess, ServerError

__all__ = ["PrometheusError", "PrometheusServer", "require_prometheus"]


def require_prometheus() -> str:
    """Path of the ``prometheus`` binary; skips the test without it (fails it when CI=true)."""
    return require_tool("prometheus")


class PrometheusError(ClientError):
    """Prometheus did not start (its log follows); query errors are the client's own."""


def _static_config(target: str, labels: Mapping[str, str]) -> dict[str, Any]:
    """One static target; a URL's scheme and path become per-target ``__scheme__``/path."""
    all_labels = dict(labels)
    if "://" in target:
        url = urlsplit(target)
        if url.scheme != "http":
            all_labels["__scheme__"] = url.scheme
        if url.path not in ("", "/", "/metrics"):
            all_labels["__metrics_path__"] = url.path
        target = url.netloc
    return {"targets": [target], "labels": all_labels}


class PrometheusServer(Prometheus):
    """A Prometheus process for one test module or benchmark; use it as a context manager.

    Once started it is the product's HTTP API client of itself (``query``, ``query_range``,
    ``label_values``, ``targets``, ``rules``, ...), so tests read a server as doctor does.

    ``scrape_targets`` are ``host:port`` or ``http://host:port[/path]``; ``labels`` are added
    to every target and ``target_labels[target]`` to one (``pod``, ``namespace``, ... as
    Kubernetes relabelling would set them). ``config`` replaces the generated config
    entirely. ``storage`` keeps the TSDB in a directory of yours (not deleted afterwards),
    for example a backfilled one.
    """

    url: str

    def __init__(
        self,
        *,
        scrape_targets: Sequence[str] = (),
        scrape_interval: str = "1s",
        evaluation_interval: str = "1s",
        rule_files: Sequence[Path] = (),
        storage: Path | None = None,
        extra_args: Sequence[str] = (),
        config: str | None = None,
        job: str = "triton",
        labels: Mapping[str, str] | None = None,
        target_labels: Mapping[str, Mapping[str, str]] | None = None,
    ) -> None:
        self.scrape_targets = list(scrape_targets)
        self.scrape_interval = scrape_interval
        self.evaluation_interval = evaluation_interval
        self.rule_files = [Path(p).resolve() for p in rule_files]
        self.storage = storage
        self.extra_args = list(extra_args)
        self.config = config
        self.job = job
        self.labels = dict(labels or {})
        self.target_labels = {k: dict(v) for k, v in (target_labels or {}).items()}
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self._process: PrometheusProcess | None = None

    def render_config(self) -> str:
        """The prometheus.yml this server runs with."""
        if self.config is not None:
            return self.config
        document: dict[str, Any] = {
            "global": {
                "scrape_interval": self.scrape_interval,
                # must not exceed the interval: "scrape timeout greater than scrape interval"
                "scrape_timeout": self.scrape_interval,
                "evaluation_interval": self.evaluation_interval,
            },
            "rule_files": [str(p) for p in self.rule_files],
            "scrape_configs": [],
        }
        if self.scrape_targets:
            document["scrape_configs"].append(
                {
                    "job_name": self.job,
                    "static_configs": [
                        _static_config(t, {**self.labels, **self.target_labels.get(t, {})})
                        for t in self.scrape_targets
                    ],
                }
            )
        return yaml.safe_dump(document, sort_keys=False)

    def start(self) -> PrometheusServer:
        """Start Prometheus and return once it answers ``/-/ready``."""
        require_prometheus()
        self._tmp = tempfile.TemporaryDirectory(prefix="prometheus-test-")
        work = Path(self._tmp.name)
        storage = self.storage or work / "tsdb"
        self._process = PrometheusProcess(
            storage, work, self.extra_args, config=self.render_config()
        )
        try:
            Prometheus.__init__(self, self._process.start())
        except ServerError as e:
            log = self.log()
            self.stop()
            raise PrometheusError(f"{e}:\n{log}") from None
        except BaseException:
            self.stop()
            raise
        return self

    def _check_alive(self) -> None:
        if self._process is not None and self._process.returncode is not None:
            raise PrometheusError(
                f"prometheus exited with status {self._process.returncode}:\n{self.log()}"
            )

    def stop(self) -> None:
        """SIGTERM, SIGKILL after a timeout, then remove the temporary files."""
        if self._process is not None:
            self._process.stop()
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> PrometheusServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def pid(self) -> int | None:
        """The process id while it runs."""
        return self._process.pid if self._process is not None else None

    @property
    def _log_path(self) -> Path | None:
        return self._process.log_path if self._process is not None else None

    def log(self) -> str:
        """Everything Prometheus has logged so far."""
        return self._process.log() if self._process is not None else ""

    # --- HTTP API: the product's client (triton_dashboards.inspect.prometheus) ------------

    def wait_for(
        self,
        expr: str,
        predicate: Callable[[list[dict[str, Any]]], bool] = bool,
        timeout: float = 15.0,
        poll: float = 0.1,
    ) -> list[dict[str, Any]]:
        """Poll ``expr`` until ``predicate(result)`` holds; the result, or TimeoutError."""
        deadline = time.monotonic() + timeout
        while True:
            result = self.query(expr)
            if predicate(result):
                return result
            if time.monotonic() >= deadline:
                raise TimeoutError(f"{expr!r} not as expected after {timeout} s; last: {result}")
            self._check_alive()
            time.sleep(poll)

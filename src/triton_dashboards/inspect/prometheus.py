"""A small client of Prometheus' HTTP API (``/api/v1``): what doctor, discover and the
engine read from a live server, and nothing more.

Every call has a timeout, so a server that hangs makes the command fail instead of waiting
forever. Every failure is a :class:`PrometheusError` whose message is one line saying what
went wrong and what to do; :class:`PrometheusUnreachable` (a subclass) means the server
could not be asked at all (a bad URL, a refused connection, a timeout), which a command
reports as "cannot run" rather than as a broken query.

Results are Prometheus' own JSON shapes: an instant query gives ``[{"metric": {...},
"value": [t, "v"]}]``, a range query ``[{"metric": {...}, "values": [[t, "v"], ...]}]``; a
scalar or string result is one item with empty labels, so every caller reads one shape.
One client may be used from several threads: each thread gets its own HTTP session.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

import requests

from triton_dashboards.inspect.intervals import parse_duration
from triton_dashboards.redaction import (
    basic_auth_secrets,
    redact,
    split_credentials,
    without_credentials,
)

__all__ = ["DEFAULT_TIMEOUT", "Prometheus", "PrometheusError", "PrometheusUnreachable"]

#: Seconds a request may take; Prometheus' own default query timeout is 2 minutes, but a
#: dashboard's query that needs more than this would time out in Grafana's panel too.
DEFAULT_TIMEOUT = 30.0


class PrometheusError(Exception):
    """Prometheus answered with an error, or not at all; the message is one line."""


class PrometheusUnreachable(PrometheusError):
    """The server could not be asked: a bad URL, nothing listening, a timeout."""


def _one_line(text: str, limit: int = 300) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _split(url: str) -> tuple[str, tuple[str, str] | None]:
    """The server's URL without credentials, and the basic auth the URL carried."""
    shown = without_credentials(url.strip())
    try:
        base, user, password = split_credentials(url)
    except ValueError as e:
        raise PrometheusUnreachable(
            f"{shown!r} is not a Prometheus URL ({e}): write it like http://prometheus:9090"
        ) from None
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise PrometheusUnreachable(
            f"{shown!r} is not a Prometheus URL: write it like http://prometheus:9090"
        )
    return base, (user or "", password or "") if user or password else None


class Prometheus:
    """The HTTP API of the Prometheus at ``url`` (``http://host:9090``, or a path prefix).

    A ``user:password@`` in ``url`` is sent as basic auth and shown nowhere: :attr:`url`
    is the URL without it, and every message is redacted.
    """

    def __init__(self, url: str, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.url, self._auth = _split(url)
        self.timeout = timeout
        self._secrets: tuple[str, ...] = ()
        if self._auth is not None:
            self._secrets = basic_auth_secrets(*self._auth)
        self._local = threading.local()

    def __repr__(self) -> str:
        return f"Prometheus({self.url!r})"

    def _session(self) -> requests.Session:
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
            session.auth = self._auth
        return session

    def _api(self, method: str, path: str, **kwargs: Any) -> Any:
        """``data`` of a successful answer; one-line errors otherwise."""
        try:
            response = self._session().request(
                method, f"{self.url}{path}", timeout=self.timeout, **kwargs
            )
        except requests.Timeout:
            raise PrometheusUnreachable(
                f"Prometheus at {self.url} did not answer {path} within {self.timeout:g} s: "
                "check the server's load, or the URL"
            ) from None
        except requests.RequestException as e:
            reason = type(e).__name__
            raise PrometheusUnreachable(
                f"cannot reach Prometheus at {self.url} ({reason}): check the URL and that "
                "the server is running"
            ) from None
        try:
            body = response.json()
        except ValueError:
            raise self._not_prometheus(path, response) from None
        if not isinstance(body, Mapping) or body.get("status") not in ("success", "error"):
            raise self._not_prometheus(path, response)  # JSON, but not Prometheus' envelope
        if body.get("status") != "success":
            error, kind = body.get("error"), body.get("errorType")
            said = self._redact(f"{kind or 'error'}: {error or response.text}")
            raise PrometheusError(_one_line(said))
        return body.get("data")

    def _redact(self, text: str) -> str:
        """``text`` (a server's words) without the credentials this client sends."""
        return redact(text, self._secrets)

    def _not_prometheus(self, path: str, response: requests.Response) -> PrometheusUnreachable:
        said = _one_line(self._redact(response.text), 80)
        if response.status_code in (401, 403):
            return PrometheusUnreachable(
                f"{self.url}{path} refused the request (HTTP {response.status_code}, {said!r}):"
                " check the user and password written in the URL (http://USER:PASSWORD@host)"
            )
        return PrometheusUnreachable(
            f"{self.url}{path} answered HTTP {response.status_code} without Prometheus' "
            f"JSON ({said!r}): is this a Prometheus URL?"
        )

    @staticmethod
    def _result(data: Mapping[str, Any]) -> list[dict[str, Any]]:
        if data["resultType"] in ("scalar", "string"):
            return [{"metric": {}, "value": data["result"]}]
        result: list[dict[str, Any]] = data["result"]
        return result

    def query(self, expr: str, time: float | None = None) -> list[dict[str, Any]]:
        """An instant query at ``time`` (default: now)."""
        form = {"query": expr}
        if time is not None:
            form["time"] = repr(float(time))
        try:
            return self._result(self._api("POST", "/api/v1/query", data=form))
        except PrometheusUnreachable:
            raise
        except PrometheusError as e:
            raise PrometheusError(_one_line(f"{e} in query {expr}")) from None

    def query_range(self, expr: str, start: float, end: float, step: float) -> list[dict[str, Any]]:
        """A range query from ``start`` to ``end`` every ``step`` seconds."""
        form = {"query": expr, "start": repr(start), "end": repr(end), "step": repr(step)}
        try:
            return self._result(self._api("POST", "/api/v1/query_range", data=form))
        except PrometheusUnreachable:
            raise
        except PrometheusError as e:
            raise PrometheusError(_one_line(f"{e} in range query {expr}")) from None

    @staticmethod
    def _span(match: Sequence[str], start: float | None, end: float | None) -> dict[str, Any]:
        params: dict[str, Any] = {}
        if match:
            params["match[]"] = list(match)
        if start is not None:
            params["start"] = repr(float(start))
        if end is not None:
            params["end"] = repr(float(end))
        return params

    def series(
        self, match: Sequence[str], start: float | None = None, end: float | None = None
    ) -> list[dict[str, str]]:
        """The label sets of the series ``match`` selects over the span."""
        found: list[dict[str, str]] = self._api(
            "POST", "/api/v1/series", data=self._span(match, start, end)
        )
        return found

    def labels(
        self, match: Sequence[str] = (), start: float | None = None, end: float | None = None
    ) -> list[str]:
        """Label names on the series ``match`` selects (every series without it)."""
        names: list[str] = self._api("GET", "/api/v1/labels", params=self._span(match, start, end))
        return names

    def label_values(
        self,
        label: str,
        match: Sequence[str] = (),
        start: float | None = None,
        end: float | None = None,
    ) -> list[str]:
        """Values of ``label`` on the series ``match`` selects, as Grafana's label_values()."""
        values: list[str] = self._api(
            "GET", f"/api/v1/label/{label}/values", params=self._span(match, start, end)
        )
        return values

    def targets(self) -> list[dict[str, Any]]:
        """The active scrape targets (``labels``, ``health``, ``lastError``, ``scrapeInterval``)."""
        data = self._api("GET", "/api/v1/targets", params={"state": "active"})
        active: list[dict[str, Any]] = data.get("activeTargets") or []
        return active

    def read_scrape_interval(self, jobs: Sequence[str] = ()) -> float | None:
        """The longest scrape interval of the active targets (of ``jobs``), in seconds.

        The longest, because ``$__rate_interval`` must hold two samples of every target
        a panel reads. With no target to ask (all gone, or an older Prometheus that does
        not say), the configuration's global ``scrape_interval``; None if that fails too.
        """
        intervals = [
            parse_duration(t["scrapeInterval"])
            for t in self.targets()
            if t.get("scrapeInterval") and (not jobs or t.get("scrapePool") in jobs)
        ]
        if intervals:
            return max(intervals)
        interval = (self.running_config().get("global") or {}).get("scrape_interval")
        return parse_duration(str(interval)) if interval else None

    def running_config(self) -> dict[str, Any]:
        """The configuration the server runs with (its ``prometheus.yml``, as loaded)."""
        import yaml

        text = self._api("GET", "/api/v1/status/config").get("yaml") or ""
        try:
            loaded = yaml.safe_load(text)
        except yaml.YAMLError:
            raise PrometheusError(f"{self.url} served a configuration that is not YAML") from None
        return loaded if isinstance(loaded, dict) else {}

    def rules(self) -> list[dict[str, Any]]:
        """The loaded rule groups, each with its ``rules`` (``name``, ``query``, ``health``)."""
        groups: list[dict[str, Any]] = self._api("GET", "/api/v1/rules")["groups"]
        return groups

    def buildinfo(self) -> dict[str, str]:
        """The server's version, revision and Go version."""
        info: dict[str, str] = self._api("GET", "/api/v1/status/buildinfo")
        return info

    def flags(self) -> dict[str, str]:
        """The server's command-line flags (``storage.tsdb.retention.time``, ...)."""
        flags: dict[str, str] = self._api("GET", "/api/v1/status/flags")
        return flags

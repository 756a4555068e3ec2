"""A small Grafana HTTP API client: the calls a publisher needs, on one ``requests.Session``.

Why not a generic client: publishing must be safe to repeat and must never leak the
token. So every call has a timeout; connection errors, timeouts and 500/502/503/504 are
retried with short exponential backoff (a save is retried too: it carries the version it
read, so a save whose answer was lost meets 412 on the retry instead of writing twice);
and every failure is a typed :mod:`~triton_dashboards.grafana.errors` error whose one-line
text is ours, with any secret replaced by ``***``. Endpoints and their answers follow
Grafana's HTTP API (the sections of :mod:`triton_dashboards.grafana` name them).
"""

from __future__ import annotations

import logging
import random
import time
import urllib.parse
from pathlib import Path
from typing import Any

import attrs
import requests
import requests.adapters
import requests.auth

from triton_dashboards.grafana import settings
from triton_dashboards.grafana.diagnose import (
    error_from_exception,
    error_from_response,
    is_retryable,
    not_grafana,
)
from triton_dashboards.grafana.errors import (
    AuthKind,
    Call,
    ConfigError,
    GrafanaError,
)
from triton_dashboards.grafana.live import LiveDashboard, stored_v2
from triton_dashboards.grafana.plan import Version
from triton_dashboards.grafana.status_errors import error_from_status, is_status
from triton_dashboards.grafana.wire import (
    BearerAuth,
    check_token,
    json_or_none,
    split_url,
    why_not_json,
)
from triton_dashboards.redaction import basic_auth_secrets, redact

__all__ = ["DashboardVersion", "GrafanaClient", "GrafanaConfig", "LiveDashboard"]

#: A history entry; the plan defines it, the client fills it.
DashboardVersion = Version
#: Pages of a listing read at most: a server that ignores ``page`` cannot loop us forever.
MAX_PAGES = 100

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({500, 502, 503, 504})


@attrs.frozen
class GrafanaConfig:
    """Where Grafana is and how to talk to it. Secrets are left out of ``repr``."""

    url: str
    token: str | None = attrs.field(default=None, repr=False)
    user: str | None = None
    password: str | None = attrs.field(default=None, repr=False)
    org_id: int | None = None
    ca_cert: Path | None = None
    insecure: bool = False
    timeout: float = settings.TIMEOUT
    #: Attempts after the first; the n-th waits ``backoff * 2**(n-1)`` s (with jitter).
    retries: int = settings.RETRIES
    backoff: float = settings.BACKOFF
    #: Connections kept open; match the publisher's concurrency.
    pool_size: int = settings.CONCURRENCY


class GrafanaClient:
    """The Grafana API calls of a publisher. Thread-safe enough to share among workers."""

    def __init__(self, config: GrafanaConfig, *, session: requests.Session | None = None) -> None:
        base, url_user, url_password = split_url(config.url)
        user = config.user or url_user
        password = config.password if config.password is not None else url_password
        self.base_url = base
        self.host = urllib.parse.urlsplit(base).netloc
        self.org_id = config.org_id
        self.timeout = config.timeout
        self.retries = max(0, config.retries)
        self.backoff = max(0.0, config.backoff)
        self._random = random.Random()
        self._secrets: tuple[str, ...] = ()
        self.session = session or requests.Session()
        adapter = requests.adapters.HTTPAdapter(
            pool_connections=1, pool_maxsize=max(config.pool_size, 1)
        )
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.headers["Accept"] = "application/json"
        self.session.headers["User-Agent"] = "triton-dashboards"
        self.auth: AuthKind = "none"
        if config.token:
            check_token(config.token)
            self.session.auth = BearerAuth(config.token)
            self._secrets = (config.token,)
            self.auth = "token"
        elif user and password is not None:
            self.session.auth = (user, password)
            self._secrets = basic_auth_secrets(user, password)
            self.auth = "basic" if config.user else "url"
        if config.org_id is not None:
            self.session.headers["X-Grafana-Org-Id"] = str(config.org_id)
        if config.ca_cert is not None:
            if not config.ca_cert.is_file():
                raise ConfigError(f"--ca-cert {config.ca_cert} is not a file; pass a PEM file")
            self.session.verify = str(config.ca_cert)
        elif config.insecure:
            import urllib3

            self.session.verify = False
            urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)

    def __repr__(self) -> str:
        return f"GrafanaClient({self.base_url!r}, auth={self.auth!r}, org_id={self.org_id!r})"

    def __enter__(self) -> GrafanaClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.session.close()

    def redact(self, text: str) -> str:
        """``text`` without this client's secrets: for anything that quotes an answer."""
        return redact(text, self._secrets)

    # ------------------------------------------------------------------ transport

    def _delay(self, attempt: int) -> float:
        return float(self.backoff * (2**attempt) * (0.5 + self._random.random() / 2))

    def send(
        self,
        call: Call,
        *,
        params: dict[str, Any] | list[tuple[str, str]] | None = None,
        body: Any = None,
        ok: frozenset[int] = frozenset(),
    ) -> requests.Response:
        """One call with retries; a response whose status is 2xx or in ``ok``, else raise.

        Also the transport of the Kubernetes-style API (:mod:`.k8s_client`): one session,
        one set of retry, timeout and redaction rules for both.
        """
        url = self.base_url + call.path
        failure: GrafanaError | None = None
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(self._delay(attempt - 1))
            started = time.perf_counter()
            try:
                response = self.session.request(
                    call.method, url, params=params, json=body, timeout=self.timeout
                )
            except requests.RequestException as error:
                if is_retryable(error) and attempt < self.retries:
                    log.info("%s %s: %s, retrying", call.method, call.path, type(error).__name__)
                    continue
                failure = error_from_exception(
                    call, error, host=self.host, timeout=self.timeout, attempts=attempt + 1
                )
                break
            elapsed = (time.perf_counter() - started) * 1000
            log.debug(
                "%s %s -> %d (%.0f ms)", call.method, call.path, response.status_code, elapsed
            )
            status = response.status_code
            if status in RETRY_STATUSES and attempt < self.retries:
                response.close()
                continue
            if 200 <= status < 300 or status in ok:
                return response
            body = json_or_none(response)
            if is_status(body):
                failure = error_from_status(call, status, body)
            else:
                failure = error_from_response(
                    call, status, body, auth=self.auth, org_id=self.org_id
                )
            break
        assert failure is not None
        # Raised outside the except block, so no requests exception rides along as context.
        raise failure.redacted(self._secrets)

    def json_of(self, call: Call, response: requests.Response) -> Any:
        """The answer's JSON, or the error that says why there is none."""
        return self._json(call, response)

    def _json(self, call: Call, response: requests.Response) -> Any:
        body = json_or_none(response)
        if body is None:
            text, cut = why_not_json(call, response)
            raise GrafanaError(text, status=response.status_code, fatal=not cut).redacted(
                self._secrets
            )
        return body

    def _missing(self, call: Call, response: requests.Response) -> bool:
        """A 404 from Grafana (JSON); a 404 page from something else is no answer at all."""
        if response.status_code != 404:
            return False
        if json_or_none(response) is None:
            kind = response.headers.get("Content-Type", "no content type").split(";")[0]
            raise not_grafana(f"{call.method} {call.path}", f"404 with {kind}")
        return True

    def _call(self, method: str, path: str, what: str, permission: str) -> Call:
        return Call(method, path, what, permission)

    # ------------------------------------------------------------------ endpoints

    def health(self) -> dict[str, Any]:
        """``GET /api/health``: Grafana's version, without needing credentials."""
        call = self._call("GET", "/api/health", "check Grafana's health", "none")
        body = self._json(call, self.send(call))
        return body if isinstance(body, dict) else {}

    def get_dashboard(self, uid: str) -> LiveDashboard | None:
        """The stored dashboard with this uid, or None when there is none."""
        path = f"/api/dashboards/uid/{_quote(uid)}"
        call = self._call("GET", path, f"read dashboard {uid}", "dashboards:read")
        response = self.send(call, ok=frozenset({404, 406}))
        if self._missing(call, response):
            return None
        if response.status_code == 406:
            return stored_v2(call, self._json(call, response))
        body = self._json(call, response)
        if not isinstance(body, dict) or not isinstance(body.get("dashboard"), dict):
            raise GrafanaError(
                f"Grafana's answer to {call.what} has no dashboard; check that GRAFANA_URL "
                "points at Grafana itself"
            )
        return LiveDashboard(body["dashboard"], dict(body.get("meta") or {}))

    def save_dashboard(
        self,
        dashboard: dict[str, Any],
        *,
        folder_uid: str,
        message: str,
        overwrite: bool = False,
        resource_version: str = "",
        source: str = "",
    ) -> dict[str, Any]:
        """``POST /api/dashboards/db``; Grafana's answer (``uid``, ``version``, ``url``...).

        ``dashboard`` must carry the stored ``version`` for an update and none for a
        create; a stale one raises VersionMismatch unless ``overwrite``. The legacy API
        has no place for ``resource_version`` (the version is the lock) nor ``source``.
        """
        uid = dashboard.get("uid", "?")
        call = self._call("POST", "/api/dashboards/db", f"save dashboard {uid}", "dashboards:write")
        body = {
            "dashboard": dashboard,
            "folderUid": folder_uid,
            "message": message,
            "overwrite": overwrite,
        }
        answer = self._json(call, self.send(call, body=body))
        return answer if isinstance(answer, dict) else {}

    def delete_dashboard(self, uid: str) -> bool:
        """Delete by uid; False when it was already gone."""
        path = f"/api/dashboards/uid/{_quote(uid)}"
        call = self._call("DELETE", path, f"delete dashboard {uid}", "dashboards:delete")
        return self.send(call, ok=frozenset({404})).status_code != 404

    def versions(self, uid: str, limit: int = 1) -> list[Version]:
        """The newest ``limit`` versions of a dashboard, newest first."""
        path = f"/api/dashboards/uid/{_quote(uid)}/versions"
        call = self._call("GET", path, f"read the history of dashboard {uid}", "dashboards:write")
        body = self._json(call, self.send(call, params={"limit": str(limit)}))
        # Older Grafana answers a list, newer {"continueToken": ..., "versions": [...]}.
        items = body.get("versions", []) if isinstance(body, dict) else body
        found = [
            Version(
                version=int(item.get("version") or 0),
                message=str(item.get("message") or ""),
                created_by=str(item.get("createdBy") or ""),
                created=str(item.get("created") or ""),
            )
            for item in items or []
            if isinstance(item, dict)
        ]
        return sorted(found, key=lambda v: v.version, reverse=True)[:limit]

    def get_folder(self, uid: str) -> dict[str, Any] | None:
        """The folder with this uid, or None."""
        path = f"/api/folders/{_quote(uid)}"
        call = self._call("GET", path, f"read folder {uid}", "folders:read")
        response = self.send(call, ok=frozenset({404}))
        if self._missing(call, response):
            return None
        body = self._json(call, response)
        return body if isinstance(body, dict) else {}

    def list_folders(self, parent_uid: str | None = None) -> list[dict[str, Any]]:
        """The folders directly under ``parent_uid`` (the root when None), every page."""
        call = self._call("GET", "/api/folders", "list folders", "folders:read")
        params = [("parentUid", parent_uid)] if parent_uid else []
        return self._pages(call, params, limit=1000)

    def create_folder(self, uid: str, title: str, parent_uid: str | None = None) -> dict[str, Any]:
        """``POST /api/folders``; raises AlreadyExists (409) when the uid is taken."""
        call = self._call("POST", "/api/folders", f"create folder {title!r}", "folders:create")
        body: dict[str, Any] = {"uid": uid, "title": title}
        if parent_uid:
            body["parentUid"] = parent_uid
        answer = self._json(call, self.send(call, body=body))
        return answer if isinstance(answer, dict) else {}

    def user_permissions(self) -> dict[str, list[str]] | None:
        """What this credential may do, action -> the scopes it holds it on:
        ``GET /api/access-control/user/permissions``, which Grafana 11, 12 and 13 answer any
        signed-in identity (``""`` is an unscoped grant). None where it is not served (a
        404, a proxy that passes only ``/apis``): then nobody can tell in advance."""
        path = "/api/access-control/user/permissions"
        call = self._call("GET", path, "read what this credential may do", "none")
        response = self.send(call, ok=frozenset({404}))
        if response.status_code == 404:
            return None
        body = json_or_none(response)
        if not isinstance(body, dict):
            return None
        return {
            str(action): [str(scope) for scope in scopes]
            for action, scopes in body.items()
            if isinstance(scopes, list)
        }

    def search_dashboards(self, folder_uid: str) -> list[dict[str, Any]]:
        """Every dashboard directly in a folder (search hits: uid, title, ...)."""
        call = self._call(
            "GET", "/api/search", f"list the dashboards of folder {folder_uid}", "dashboards:read"
        )
        return self._pages(call, [("type", "dash-db"), ("folderUIDs", folder_uid)], limit=5000)

    def _pages(
        self, call: Call, params: list[tuple[str, str]], *, limit: int
    ) -> list[dict[str, Any]]:
        """Every item of a paged listing (items keyed by ``uid``).

        Stops on a short page, on a page that brings nothing new (a server that ignores
        ``page`` answers page 1 again) and after :data:`MAX_PAGES` pages.
        """
        found: dict[str, dict[str, Any]] = {}
        for page in range(1, MAX_PAGES + 1):
            query = [*params, ("limit", str(limit)), ("page", str(page))]
            body = self._json(call, self.send(call, params=query))
            batch = (
                [item for item in body if isinstance(item, dict)] if isinstance(body, list) else []
            )
            new = {
                str(item.get("uid")): item for item in batch if str(item.get("uid")) not in found
            }
            found.update(new)
            if len(batch) < limit or not new:
                break
        return list(found.values())


def _quote(uid: str) -> str:
    return urllib.parse.quote(uid, safe="")

"""From a failed call to the one line that says what went wrong and what to do.

Two sources: an HTTP error answer (status code and Grafana's error body, shapes in
Grafana API §1) and a request that got no answer at all (refused, DNS, TLS,
timeout, dropped). Each hint matches the failure it names: a TLS handshake with a
plain-HTTP server is told to use http://, not to pass --insecure.
"""

from __future__ import annotations

import re
import socket
import ssl
from collections.abc import Iterator
from http.client import IncompleteRead
from typing import Any

import requests
import urllib3.exceptions

from triton_dashboards.grafana import settings
from triton_dashboards.grafana.errors import (
    AlreadyExists,
    AuthKind,
    Call,
    ConfigError,
    ConnectionFailed,
    Forbidden,
    GrafanaError,
    Unauthorized,
    VersionMismatch,
)

__all__ = ["error_from_exception", "error_from_response", "is_retryable", "too_large"]

_MAX_SERVER_TEXT = 200
_PERMISSIONS_NEEDED = re.compile(r"Permissions needed:\s*(.+)$")
#: What OpenSSL says when the other side answered the ClientHello in plain HTTP.
_PLAIN_HTTP = ("wrong version number", "record layer failure", "http request", "packet length")


def _server_text(body: Any) -> str:
    """Grafana's own words from an error body, short and on one line."""
    if not isinstance(body, dict):
        return ""
    text = " ".join(str(body.get("message") or body.get("error") or "").split())
    return text[:_MAX_SERVER_TEXT]


def _credential_hint(auth: AuthKind) -> str:
    if auth == "token":
        return "check GRAFANA_TOKEN (or --token): a service-account token with the Editor role"
    if auth == "basic":
        return "check GRAFANA_USER and GRAFANA_PASSWORD (or --user/--password)"
    if auth == "url":  # never repeat them: the URL is a secret too
        return (
            "the user and password written in GRAFANA_URL (or --url) were refused: fix them "
            "there, or take them out of the URL and set GRAFANA_TOKEN"
        )
    return (
        "set GRAFANA_TOKEN to a service-account token with the Editor role "
        "(or GRAFANA_USER and GRAFANA_PASSWORD)"
    )


def _unauthorized(call: Call, body: Any, auth: AuthKind, org_id: int | None) -> GrafanaError:
    message_id = body.get("messageId", "") if isinstance(body, dict) else ""
    said = _server_text(body) or "Unauthorized"
    if message_id == "api-key.organization-mismatch":
        text = (
            f"Grafana refused the token for organisation {org_id} (401: {said}); "
            "unset GRAFANA_ORG_ID (or --org-id) or use a token created in that organisation"
        )
    elif message_id in ("api-key.expired", "api-key.revoked"):
        text = (
            f"Grafana refused the token (401: {said}); create a new service-account token "
            "and put it in GRAFANA_TOKEN"
        )
    else:
        text = (
            f"Grafana refused the credentials to {call.what} (401: {said}); "
            f"{_credential_hint(auth)}"
        )
    return Unauthorized(text, status=401)


def forbidden(what: str, said: str, permission: str) -> Forbidden:
    """The 403 line; also used when Grafana says in advance that a save would be refused."""
    return Forbidden(
        f"permission denied to {what} (403: {said or 'Forbidden'}); the credential needs "
        f"{permission}: give the service account the Editor role (or that permission on the "
        "folder)",
        status=403,
    )


def _forbidden(call: Call, body: Any) -> GrafanaError:
    said = _server_text(body)
    if said == "Quota reached":
        return Forbidden(
            f"cannot {call.what}: Grafana's dashboard quota is reached (403); "
            "delete unused dashboards or ask the Grafana admin to raise the quota",
            status=403,
        )
    needed = _PERMISSIONS_NEEDED.search(said)
    return forbidden(call.what, said, needed.group(1).strip() if needed else call.permission)


def _folder_missing(call: Call, status: int, said: str) -> GrafanaError:
    return GrafanaError(
        f"cannot {call.what}: its folder does not exist ({status}: {said}); "
        "check GRAFANA_FOLDER, or run publish again to create it",
        status=status,
    )


def _bad_request(call: Call, body: Any) -> GrafanaError:
    said = _server_text(body)
    lowered = said.lower()
    if "provisioned dashboard" in lowered:
        return GrafanaError(
            f"cannot {call.what}: it is provisioned from files in Grafana (400: {said}); "
            "change it in Grafana's provisioning files, or remove it from provisioning "
            "(or set allowUiUpdates: true) to manage it here",
            status=400,
        )
    if lowered == "folder not found":
        return _folder_missing(call, 400, said)
    return GrafanaError(
        f"Grafana rejected the request to {call.what} (400: {said or 'Bad Request'}); "
        "fix the dashboard JSON (uid: letters, digits, - and _, at most 40; a non-empty title)",
        status=400,
    )


def _precondition(call: Call, body: Any) -> GrafanaError:
    status = body.get("status", "") if isinstance(body, dict) else ""
    said = _server_text(body)
    if status == "version-mismatch":
        return VersionMismatch(
            f"cannot {call.what}: it was changed in Grafana meanwhile (412: {said}); "
            "run publish again",
            status=412,
        )
    if status == "name-exists":
        return GrafanaError(
            f"cannot {call.what}: another dashboard in the folder has the same title "
            f"(412: {said}); rename one of them, or delete the other in Grafana",
            status=412,
        )
    return GrafanaError(
        f"cannot {call.what} (412: {said or 'Precondition Failed'}); "
        "it may belong to a plugin: give ours another uid",
        status=412,
    )


def too_large(call: Call, said: str) -> GrafanaError:
    """A 413, from Grafana or a reverse proxy in front of it: what it is and what to do."""
    limit = settings.MAX_DASHBOARD_BYTES // (1024 * 1024)
    return GrafanaError(
        f"cannot {call.what}: the request is too large for Grafana or a proxy in front of it "
        f"({said}); Grafana takes up to {limit} MiB, a reverse proxy often 1 MB: raise the "
        "proxy's body limit (nginx client_max_body_size) or split the dashboard",
        status=413,
    )


def error_from_response(
    call: Call, status: int, body: Any, *, auth: AuthKind, org_id: int | None
) -> GrafanaError:
    """The error for an HTTP error answer; ``body`` is the decoded JSON or None."""
    said = _server_text(body)
    if status == 401:
        return _unauthorized(call, body, auth, org_id)
    if status == 403:
        return _forbidden(call, body)
    if status == 400:
        return _bad_request(call, body)
    if status == 404 and said.lower() == "folder not found":
        return _folder_missing(call, 404, said)
    if status == 404 and body is None:
        return not_grafana(f"{call.method} {call.path}", "404 without Grafana's JSON")
    if status == 404:
        return GrafanaError(
            f"cannot {call.what}: not found (404: {said or 'Not Found'}); "
            "check the uid, GRAFANA_ORG_ID and that GRAFANA_URL includes Grafana's sub-path",
            status=404,
        )
    if status == 409:
        return AlreadyExists(
            f"cannot {call.what}: it already exists (409: {said or 'Conflict'}); run again",
            status=409,
        )
    if status == 412:
        return _precondition(call, body)
    if status == 413:
        return too_large(call, f"413: {said or 'Payload Too Large'}")
    if status >= 500:
        return GrafanaError(
            f"Grafana failed to {call.what} ({status}: {said or 'server error'}), "
            "also on every retry; check Grafana's health and logs, then run again",
            status=status,
        )
    return GrafanaError(
        f"unexpected answer to {call.what} ({status}: {said or 'no message'}); "
        "check that GRAFANA_URL points at Grafana (with its sub-path)",
        status=status,
    )


def not_grafana(request: str, answer: str) -> ConfigError:
    """A server that answers, but not as Grafana: a wrong host, port or sub-path."""
    return ConfigError(
        f"the server at GRAFANA_URL does not answer as Grafana ({request}: {answer}); "
        "check GRAFANA_URL: Grafana's address, with its sub-path if any (https://host/grafana)"
    )


def _chain(error: BaseException) -> Iterator[BaseException]:
    """``error`` and everything it wraps (urllib3 keeps causes in ``reason`` and ``args``)."""
    seen: set[int] = set()
    todo: list[BaseException] = [error]
    while todo:
        current = todo.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        linked = [current.__cause__, current.__context__, getattr(current, "reason", None)]
        linked.extend(current.args)
        todo.extend(item for item in linked if isinstance(item, BaseException))


def _is_dns(error: BaseException) -> bool:
    return any(
        isinstance(e, (socket.gaierror, urllib3.exceptions.NameResolutionError))
        for e in _chain(error)
    )


def _is_refused(error: BaseException) -> bool:
    return any(isinstance(e, ConnectionRefusedError) for e in _chain(error))


def _is_tls(error: BaseException) -> bool:
    return isinstance(error, requests.exceptions.SSLError) or any(
        isinstance(e, ssl.SSLError) for e in _chain(error)
    )


def _tls_error(error: BaseException, host: str) -> GrafanaError:
    """A failed handshake, told apart: a plain-HTTP server, an unknown CA, anything else."""
    said = " ".join(str(e).lower() for e in _chain(error) if isinstance(e, ssl.SSLError))
    if any(
        isinstance(e, ssl.SSLError) and str(getattr(e, "reason", "")).lower() == "http_request"
        for e in _chain(error)
    ) or any(marker in said for marker in _PLAIN_HTTP):
        return ConfigError(
            f"GRAFANA_URL says https:// but the server at {host} speaks plain HTTP; "
            "use http:// in GRAFANA_URL (or enable TLS in Grafana)"
        )
    if any(isinstance(e, ssl.SSLCertVerificationError) for e in _chain(error)):
        return ConnectionFailed(
            f"TLS verification of {host} failed; pass --ca-cert FILE with the CA that signed "
            "Grafana's certificate (or --insecure, only for a test instance)"
        )
    return ConnectionFailed(
        f"the TLS handshake with {host} failed; check that GRAFANA_URL's host and port serve "
        "HTTPS, and any proxy in between"
    )


def is_retryable(error: requests.RequestException) -> bool:
    """Worth another attempt: refused, reset or dropped connections and timeouts."""
    if _is_tls(error) or _is_dns(error):
        return False
    return isinstance(
        error,
        (
            requests.exceptions.ConnectionError,
            requests.exceptions.Timeout,
            requests.exceptions.ChunkedEncodingError,
        ),
    )


def error_from_exception(
    call: Call, error: requests.RequestException, *, host: str, timeout: float, attempts: int
) -> GrafanaError:
    """The error for a request that got no HTTP answer.

    The text is ours: ``str(error)`` from requests/urllib3 would repeat the URL (and any
    credentials a user put in it), so it is never used.
    """
    tries = f"{attempts} attempts" if attempts > 1 else "1 attempt"
    if _is_dns(error):
        return ConnectionFailed(
            f"cannot resolve the host {host}; check GRAFANA_URL (spelling, and that this "
            "machine's DNS knows the name)"
        )
    if _is_tls(error):
        return _tls_error(error, host)
    if isinstance(error, requests.exceptions.Timeout):
        return ConnectionFailed(
            f"Grafana at {host} did not answer within {timeout:g} s to {call.what} ({tries}); "
            "check that it is healthy, or raise --timeout"
        )
    if any(
        isinstance(e, (IncompleteRead, urllib3.exceptions.IncompleteRead)) for e in _chain(error)
    ):
        return ConnectionFailed(
            f"Grafana's answer to {call.what} was cut short: fewer bytes than its "
            f"Content-Length ({tries}); run again, and if it repeats check a proxy's response "
            "size or buffering limits between here and Grafana",
            fatal=False,
        )
    if _is_refused(error):
        return ConnectionFailed(
            f"cannot connect to Grafana at {host}: connection refused ({tries}); check "
            "GRAFANA_URL and that Grafana is running"
        )
    if isinstance(
        error, (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError)
    ):
        return ConnectionFailed(
            f"the connection to Grafana at {host} dropped during {call.what} ({tries}); "
            "check the network or proxy in between, then run again",
            fatal=False,
        )
    return ConfigError(
        f"cannot send the request to {call.what} ({type(error).__name__}); check GRAFANA_URL"
    )

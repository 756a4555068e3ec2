"""What can go wrong talking to Grafana, as typed errors whose text is one helpful line.

Each error's message follows the house rule ``what went wrong; what to do``. The text is
built here from the status code, Grafana's error body (shapes in shared/grafana/API.md §1)
and what the caller was doing, never from a ``requests`` exception, whose text can carry
URLs; and every message passes through :func:`redact` before it leaves the client, so a
token or password cannot reach a terminal, a log or a CI transcript.
"""

from __future__ import annotations

import re
import socket
import ssl
from collections.abc import Iterable, Iterator
from typing import Any, ClassVar, Literal

import attrs
import requests
import urllib3.exceptions

__all__ = [
    "AlreadyExists",
    "AuthKind",
    "BadRequest",
    "Call",
    "ConfigError",
    "ConnectionDropped",
    "ConnectionFailed",
    "DNSFailure",
    "FolderNotFound",
    "Forbidden",
    "GrafanaError",
    "GrafanaTimeout",
    "NameExists",
    "NotFound",
    "PreconditionFailed",
    "Provisioned",
    "ServerError",
    "TLSFailure",
    "TooLarge",
    "Unauthorized",
    "UnexpectedResponse",
    "VersionMismatch",
    "error_from_exception",
    "error_from_response",
    "is_retryable",
    "redact",
]

AuthKind = Literal["token", "basic", "none"]
REDACTED = "***"
_MAX_SERVER_TEXT = 200


class GrafanaError(Exception):
    """A failed call to Grafana. ``str()`` is one line; ``fatal`` errors stop a whole run."""

    fatal: ClassVar[bool] = False

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(" ".join(message.split()))
        self.status = status

    @property
    def message(self) -> str:
        return str(self.args[0])

    def redacted(self, secrets: Iterable[str]) -> GrafanaError:
        """This error with every secret in its text replaced by ``***`` (returns self)."""
        self.args = (redact(self.message, secrets),)
        return self


class ConfigError(GrafanaError):
    """Settings that cannot work (no URL, a malformed token): nothing was sent."""

    fatal = True


class ConnectionFailed(GrafanaError):
    """Grafana could not be reached, or dropped the connection on every attempt."""

    fatal = True


class ConnectionDropped(ConnectionFailed):
    """The connection broke mid-request on every attempt; other requests may still work."""

    fatal = False


class DNSFailure(ConnectionFailed):
    """The host name in GRAFANA_URL does not resolve."""


class GrafanaTimeout(ConnectionFailed):
    """Grafana did not answer within the timeout on any attempt."""


class TLSFailure(ConnectionFailed):
    """The TLS handshake failed (usually an unknown certificate authority)."""


class Unauthorized(GrafanaError):
    """401: the credential is missing, wrong, expired or for another organisation."""

    fatal = True


class Forbidden(GrafanaError):
    """403: the credential is valid but lacks a permission (or a quota is reached)."""


class NotFound(GrafanaError):
    """404 on something that must exist."""


class FolderNotFound(GrafanaError):
    """A save named a folder that does not exist (400 on Grafana 12, 404 on 11)."""


class VersionMismatch(GrafanaError):
    """412 version-mismatch: the stored dashboard has moved on since we read it."""


class NameExists(GrafanaError):
    """412 name-exists (Grafana <= 11.2): another dashboard in the folder has this title."""


class PreconditionFailed(GrafanaError):
    """Any other 412 (for instance a dashboard that belongs to a plugin)."""


class AlreadyExists(GrafanaError):
    """409: a folder (or dashboard) with this uid already exists."""


class TooLarge(GrafanaError):
    """413: the body is over Grafana's (16 MiB) or a reverse proxy's limit."""


class Provisioned(GrafanaError):
    """400: the dashboard is file-provisioned with allowUiUpdates false."""


class BadRequest(GrafanaError):
    """Any other 400 (illegal uid, empty title, message too long...)."""


class ServerError(GrafanaError):
    """5xx still failing after every retry."""


class UnexpectedResponse(GrafanaError):
    """An answer that is not Grafana's API (HTML from a proxy, a wrong sub-path)."""


@attrs.frozen
class Call:
    """What the client was doing, so an error can say it: ``save dashboard ner``."""

    method: str
    path: str
    what: str
    #: The RBAC action this call needs, named in 403 messages.
    permission: str


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with each non-empty secret replaced by ``***``, longest first."""
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return text


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
    return (
        "set GRAFANA_TOKEN to a service-account token with the Editor role "
        "(or GRAFANA_USER and GRAFANA_PASSWORD)"
    )


def _unauthorized(call: Call, body: Any, auth: AuthKind, org_id: int | None) -> GrafanaError:
    message_id = body.get("messageId", "") if isinstance(body, dict) else ""
    said = _server_text(body) or "Unauthorized"
    if message_id == "api-key.organization-mismatch":
        return Unauthorized(
            f"Grafana refused the token for organisation {org_id} (401: {said}); "
            "unset GRAFANA_ORG_ID (or --org-id) or use a token created in that organisation",
            status=401,
        )
    if message_id in ("api-key.expired", "api-key.revoked"):
        return Unauthorized(
            f"Grafana refused the token (401: {said}); create a new service-account token "
            "and put it in GRAFANA_TOKEN",
            status=401,
        )
    return Unauthorized(
        f"Grafana refused the credentials to {call.what} (401: {said}); {_credential_hint(auth)}",
        status=401,
    )


_PERMISSIONS_NEEDED = re.compile(r"Permissions needed:\s*(.+)$")


def _forbidden(call: Call, body: Any) -> GrafanaError:
    said = _server_text(body)
    if said == "Quota reached":
        return Forbidden(
            f"cannot {call.what}: Grafana's dashboard quota is reached (403); "
            "delete unused dashboards or ask the Grafana admin to raise the quota",
            status=403,
        )
    needed = _PERMISSIONS_NEEDED.search(said)
    permission = needed.group(1).strip() if needed else call.permission
    return Forbidden(
        f"permission denied to {call.what} (403: {said or 'Forbidden'}); the credential needs "
        f"{permission}: give the service account the Editor role (or that permission on the "
        "folder)",
        status=403,
    )


def _bad_request(call: Call, body: Any) -> GrafanaError:
    said = _server_text(body)
    lowered = said.lower()
    if "provisioned dashboard" in lowered:
        return Provisioned(
            f"cannot {call.what}: it is provisioned from files in Grafana (400: {said}); "
            "change it in Grafana's provisioning files, or remove it from provisioning "
            "(or set allowUiUpdates: true) to manage it here",
            status=400,
        )
    if lowered == "folder not found":
        return FolderNotFound(
            f"cannot {call.what}: its folder does not exist (400: {said}); "
            "check GRAFANA_FOLDER, or run publish again to create it",
            status=400,
        )
    return BadRequest(
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
        return NameExists(
            f"cannot {call.what}: another dashboard in the folder has the same title "
            f"(412: {said}); rename one of them, or delete the other in Grafana",
            status=412,
        )
    return PreconditionFailed(
        f"cannot {call.what} (412: {said or 'Precondition Failed'}); "
        "it may belong to a plugin: give ours another uid",
        status=412,
    )


def error_from_response(
    call: Call, status: int, body: Any, *, auth: AuthKind, org_id: int | None
) -> GrafanaError:
    """The typed error for an HTTP error answer; ``body`` is the decoded JSON or None."""
    said = _server_text(body)
    if status == 401:
        return _unauthorized(call, body, auth, org_id)
    if status == 403:
        return _forbidden(call, body)
    if status == 400:
        return _bad_request(call, body)
    if status == 404 and said.lower() == "folder not found":
        return FolderNotFound(
            f"cannot {call.what}: its folder does not exist (404: {said}); "
            "check GRAFANA_FOLDER, or run publish again to create it",
            status=404,
        )
    if status == 404:
        return NotFound(
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
        return TooLarge(
            f"cannot {call.what}: the request is too large (413: {said or 'Payload Too Large'}); "
            "Grafana takes up to 16 MB, a reverse proxy often 1 MB: raise the proxy's body "
            "limit (nginx client_max_body_size) or split the dashboard",
            status=413,
        )
    if status >= 500:
        return ServerError(
            f"Grafana failed to {call.what} ({status}: {said or 'server error'}), "
            "also on every retry; check Grafana's health and logs, then run again",
            status=status,
        )
    return UnexpectedResponse(
        f"unexpected answer to {call.what} ({status}: {said or 'no message'}); "
        "check that GRAFANA_URL points at Grafana (with its sub-path)",
        status=status,
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
    """The typed error for a request that got no HTTP answer.

    The text is ours: ``str(error)`` from requests/urllib3 would repeat the URL (and any
    credentials a user put in it), so it is never used.
    """
    tries = f"{attempts} attempts" if attempts > 1 else "1 attempt"
    if _is_dns(error):
        return DNSFailure(
            f"cannot resolve the host {host}; check GRAFANA_URL (spelling, and that this "
            "machine's DNS knows the name)"
        )
    if _is_tls(error):
        return TLSFailure(
            f"TLS verification of {host} failed; pass --ca-cert FILE with the CA that signed "
            "Grafana's certificate (or --insecure, only for a test instance)"
        )
    if isinstance(error, requests.exceptions.Timeout):
        return GrafanaTimeout(
            f"Grafana at {host} did not answer within {timeout:g} s to {call.what} ({tries}); "
            "check that it is healthy, or raise --timeout"
        )
    if _is_refused(error):
        return ConnectionFailed(
            f"cannot connect to Grafana at {host}: connection refused ({tries}); check "
            "GRAFANA_URL and that Grafana is running"
        )
    if isinstance(
        error, (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError)
    ):
        return ConnectionDropped(
            f"the connection to Grafana at {host} dropped during {call.what} ({tries}); "
            "check the network or proxy in between, then run again"
        )
    return ConfigError(
        f"cannot send the request to {call.what} ({type(error).__name__}); check GRAFANA_URL"
    )

"""What can go wrong talking to Grafana: the error classes callers tell apart, and redaction.

A class exists only where some caller catches it on its own (the CLI catches
:class:`ConfigError` before anything is sent; the publisher recovers from
:class:`VersionMismatch`; folders from :class:`AlreadyExists`) or where tests and callers
check the kind of failure (:class:`Unauthorized`, :class:`Forbidden`,
:class:`ConnectionFailed`). Every other answer is a plain :class:`GrafanaError` whose text
says what happened. The text is built in :mod:`~triton_dashboards.grafana.diagnose`, never
from a ``requests`` exception (whose text can carry URLs), and passes through
:func:`~triton_dashboards.redaction.redact`, so a token or password cannot reach a terminal,
a log or a CI transcript.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar, Literal

import attrs

from triton_dashboards.redaction import redact

__all__ = [
    "AlreadyExists",
    "AuthKind",
    "Call",
    "ConfigError",
    "ConnectionFailed",
    "Forbidden",
    "GrafanaError",
    "Unauthorized",
    "VersionMismatch",
]

#: How a client authenticates; "url" is basic auth with the user and password of the URL.
AuthKind = Literal["token", "basic", "url", "none"]


class GrafanaError(Exception):
    """A failed call to Grafana. ``str()`` is one line; ``fatal`` errors stop a whole run."""

    default_fatal: ClassVar[bool] = False

    def __init__(
        self, message: str, *, status: int | None = None, fatal: bool | None = None
    ) -> None:
        super().__init__(" ".join(message.split()))
        self.status = status
        self.fatal = self.default_fatal if fatal is None else fatal

    @property
    def message(self) -> str:
        return str(self.args[0])

    def redacted(self, secrets: Iterable[str]) -> GrafanaError:
        """This error with every secret in its text replaced by ``***`` (returns self)."""
        self.args = (redact(self.message, secrets),)
        return self


class ConfigError(GrafanaError):
    """Settings that cannot work (a malformed URL or token, a server that is not Grafana)."""

    default_fatal = True


class ConnectionFailed(GrafanaError):
    """Grafana could not be reached (refused, DNS, TLS, timeout), or the connection dropped
    on every attempt (then not fatal: other requests may still work)."""

    default_fatal = True


class Unauthorized(GrafanaError):
    """401: the credential is missing, wrong, expired or for another organisation."""

    default_fatal = True


class Forbidden(GrafanaError):
    """403: the credential is valid but lacks a permission (or a quota is reached).

    Fatal: every other write of the run would meet the same refusal.
    """

    default_fatal = True


class VersionMismatch(GrafanaError):
    """412 version-mismatch: the stored dashboard has moved on since we read it."""


class AlreadyExists(GrafanaError):
    """409: a folder (or dashboard) with this uid already exists."""


@attrs.frozen
class Call:
    """What the client was doing, so an error can say it: ``save dashboard ner``."""

    method: str
    path: str
    what: str
    #: The RBAC action this call needs, named in 403 messages.
    permission: str

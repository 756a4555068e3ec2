"""Secrets kept out of every message: the one place that hides credentials.

A URL may carry ``user:password@`` (``GRAFANA_URL``, ``--prometheus``, ``--triton``), and a
client knows its token or password. Every floor that names a URL to the user, or quotes a
server's answer, passes it through here first, so a password or token can never reach a
terminal, a log, a JSON report, a page or a CI transcript.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable
from urllib.parse import unquote, urlsplit, urlunsplit

__all__ = ["REDACTED", "basic_auth_secrets", "redact", "split_credentials", "without_credentials"]

#: What a secret is replaced by.
REDACTED = "***"


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with each non-empty secret replaced by ``***``, longest first."""
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return text


def basic_auth_secrets(user: str, password: str) -> tuple[str, str]:
    """What basic auth as ``user`` can leak, for :func:`redact`: the password, and the
    base64 of ``user:password`` that the ``Authorization`` header carries."""
    return password, base64.b64encode(f"{user}:{password}".encode()).decode("ascii")


def without_credentials(url: str) -> str:
    """``url`` for a message: without its ``user:password@``. Never raises.

    Where the URL cannot be parsed (a bad port, a password with an unescaped ``/`` or
    ``#``), everything from the scheme to its last ``@`` becomes ``***@``: an ``@`` that
    parsing would not place in the host part may still end a password.
    """
    if "@" not in url:
        return url
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError on a port that is not a number)
    except ValueError:
        parts = None
    if parts is None or "@" not in parts.netloc or "@" in url.split(parts.netloc, 1)[1]:
        return re.sub(r"^([^/]*//)?.*@", rf"\1{REDACTED}@", url, flags=re.DOTALL)
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


def split_credentials(url: str) -> tuple[str, str | None, str | None]:
    """``url`` without its ``user:password@`` and trailing ``/`` (safe to show), and the
    user and password it carried (percent-decoded), for a client to send as basic auth.

    Raises ValueError, whose text names no secret, when the URL cannot be parsed.
    """
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as error:
        raise ValueError(_why_malformed(str(error))) from None
    host = parts.hostname or ""
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc += f":{port}"
    base = urlunsplit((parts.scheme, netloc, parts.path.rstrip("/"), "", ""))
    if "@" in base:  # not http://HOST (user:secret@host parses as a scheme and a path)
        base = without_credentials(base)
    user = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password else None
    return base, user, password


def _why_malformed(said: str) -> str:
    """urllib's reason, without the part of the URL some of its reasons quote (which may be
    a piece of a password: ``http://u:pa/ss@host`` has the "port" ``pa``)."""
    if said.startswith("netloc"):
        return "the host has characters that are not allowed in a URL"
    return said.split(" as ", 1)[0]  # "Port could not be cast to integer value as 'pa'"

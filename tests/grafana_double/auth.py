"""Who is asking and in which org, and Grafana's 401 and 403 bodies (Grafana API §1).

A service-account token (Bearer, or Basic with the user ``api_key``) or a user's password
gives an identity with a role; the org comes from ``X-Grafana-Org-Id``. The bodies are the ones
a publisher tells apart: an invalid token, a wrong password, a token used in another org, and
the RBAC middleware's 403.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from .errors import Reply, error

ROLES = ("None", "Viewer", "Editor", "Admin")


@dataclass(frozen=True)
class Identity:
    login: str
    role: str
    is_token: bool

    @property
    def can_read(self) -> bool:
        return self.role in ("Viewer", "Editor", "Admin")

    @property
    def can_write(self) -> bool:
        return self.role in ("Editor", "Admin")


class Accounts(Protocol):
    """The credentials the double accepts; read on every request, so tests may change them."""

    token: str | None
    token_role: str
    token_login: str
    users: dict[str, str]
    user_roles: dict[str, str]
    orgs: tuple[int, ...]


def check_role(role: str) -> None:
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}, got {role!r}")


def unauthorized(message_id: str, message: str) -> Reply:
    return error(401, message=message, messageId=message_id, statusCode=401, traceID="")


def authenticate(headers: Mapping[str, str], accounts: Accounts) -> Identity | Reply:
    scheme, _, credential = headers.get("Authorization", "").strip().partition(" ")
    credential = credential.strip()
    if scheme.lower() == "bearer":
        return _token_identity(credential, accounts)
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(credential, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return unauthorized("auth.unauthorized", "Unauthorized")
        user, _, password = decoded.partition(":")
        if user == "api_key":
            return _token_identity(password, accounts)
        expected = accounts.users.get(user)
        if expected is not None and hmac.compare_digest(password, expected):
            return Identity(user, accounts.user_roles.get(user, "Editor"), False)
        return unauthorized("password-auth.failed", "Invalid username or password")
    return unauthorized("auth.unauthorized", "Unauthorized")


def token_identity(accounts: Accounts) -> Identity:
    """The configured token's identity."""
    return Identity(accounts.token_login, accounts.token_role, True)


def _token_identity(token: str, accounts: Accounts) -> Identity | Reply:
    if accounts.token is not None and hmac.compare_digest(token, accounts.token):
        return token_identity(accounts)
    if token.startswith("glsa_"):
        return unauthorized("api-key.invalid", "Invalid API key")
    return unauthorized("auth.unauthorized", "Unauthorized")


def org_id(headers: Mapping[str, str], who: Identity, orgs: tuple[int, ...]) -> int | Reply:
    """The org the request acts in (the header's, else the first); a token asked for an
    org it does not belong to is refused with 401."""
    raw = headers.get("X-Grafana-Org-Id", "").strip()
    try:
        requested = int(raw) if raw else 0
    except ValueError:
        requested = 0
    if requested <= 0:
        return orgs[0]
    if requested not in orgs and who.is_token:
        return unauthorized(
            "api-key.organization-mismatch",
            "API key does not belong to the requested organization",
        )
    return requested


def denied(needed: str, rng: random.Random) -> Reply:
    """The RBAC route middleware's 403 (§1)."""
    return error(
        403,
        accessErrorId=f"ACE{rng.randrange(10**10):010d}",
        message=(
            "You'll need additional permissions to perform this action. "
            f"Permissions needed: {needed}"
        ),
        title="Access denied",
    )

"""The wire under the client: what a setting becomes on a request, what an answer's body is.

Kept apart from the endpoints so that each rule that guards a secret or reads a body is in
one small place: the URL is split from any credentials in it, a token is checked before
requests could repeat it in an exception, and a body that is not JSON says why (cut short,
or not Grafana's API).
"""

from __future__ import annotations

import json
import urllib.parse
from typing import Any

import requests
import requests.auth

from triton_dashboards.grafana.errors import Call, ConfigError
from triton_dashboards.redaction import split_credentials, without_credentials

__all__ = ["BearerAuth", "check_token", "json_or_none", "split_url", "why_not_json"]

_TOKEN_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~+/=:")


def split_url(url: str) -> tuple[str, str | None, str | None]:
    """Base URL without credentials, plus any ``user:password`` the URL carried."""
    shown = without_credentials(url.strip())
    try:
        base, user, password = split_credentials(url)
    except ValueError as error:
        # urllib says "Port out of range 0-65535", "Invalid IPv6 URL", ...: name the part.
        raise ConfigError(
            f"GRAFANA_URL {shown!r} is malformed ({error}); set it to Grafana's address, "
            "such as https://grafana.example.com:3000 (a port is a number up to 65535)"
        ) from None
    parts = urllib.parse.urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            f"GRAFANA_URL {shown!r} is not an http(s) URL; set it to Grafana's address, "
            "such as https://grafana.example.com (with its sub-path, if any)"
        )
    return base, user, password


def check_token(token: str) -> None:
    # requests repeats an invalid header value in its exception text: refuse it first.
    if not set(token) <= _TOKEN_CHARS:
        raise ConfigError(
            "GRAFANA_TOKEN contains spaces or characters a token never has; "
            "copy the service-account token again (it starts with glsa_)"
        )


class BearerAuth(requests.auth.AuthBase):
    """``Authorization: Bearer <token>``. As session auth (not a default header), it also
    keeps requests from replacing the header with credentials from ~/.netrc."""

    def __init__(self, token: str) -> None:
        self._token = token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self._token}"
        return request

    def __repr__(self) -> str:
        return "BearerAuth(***)"


def why_not_json(call: Call, response: requests.Response) -> tuple[str, bool]:
    """Why an answer is not JSON, and whether it was cut short on the way (else it is not
    Grafana's API at all, which no retry mends)."""
    kind = response.headers.get("Content-Type", "unknown content").split(";")[0]
    if "json" in kind:
        expected = response.headers.get("Content-Length", "")
        got = len(response.content)
        text = response.content.decode("utf-8", "replace")
        cut = expected.isdigit() and int(expected) > got
        try:
            json.loads(text)
        except json.JSONDecodeError as error:
            # Input that ends mid-value: a decode error at the very end, or an open string.
            ends_early = error.pos >= len(text.rstrip()) or error.msg.startswith("Unterminated")
            cut = cut or ends_early
        if cut:
            sizes = f"{got} of {expected} bytes" if expected.isdigit() else f"{got} bytes"
            return (
                f"Grafana's answer to {call.what} was cut short ({sizes} of JSON that ends "
                "early); run again, and if it repeats check a proxy's response size or "
                "buffering limits between here and Grafana"
            ), True
        return (
            f"Grafana's answer to {call.what} says JSON but is not valid JSON; check that "
            "GRAFANA_URL points at Grafana itself, not a proxy's error page"
        ), False
    return (
        f"Grafana's answer to {call.what} is {kind}, not JSON; check that GRAFANA_URL "
        "points at Grafana itself, with its sub-path (https://host/grafana)"
    ), False


def json_or_none(response: requests.Response) -> Any:
    if "json" not in response.headers.get("Content-Type", ""):
        return None
    try:
        return response.json()
    except ValueError:
        return None

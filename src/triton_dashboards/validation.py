"""The one place that decides what Prometheus and Grafana accept as a name or a duration.

Every floor that takes such a value from a user (a recording window, a scrape interval, an
alert's ``for``, a label name, a dashboard uid) checks it here, so one value is never valid
to one command and refused by another. Each check raises :class:`InvalidValue` with a
one-line message that says what to write instead; callers re-raise it as their own error
class when they want to name the field.
"""

from __future__ import annotations

import re

__all__ = [
    "MAX_UID_LENGTH",
    "InvalidValue",
    "check_duration",
    "check_label_name",
    "check_metric_name",
    "check_uid",
    "duration_ms",
    "is_duration",
    "is_label_name",
    "is_metric_name",
    "is_uid",
]

#: Grafana's limit on a dashboard or folder uid (pkg/util/shortid_generator.go ``MaxUIDLength``).
MAX_UID_LENGTH = 40

# Prometheus' duration grammar: units in this order, each at most once (1h30m, not 30m1h).
_DURATION = re.compile(
    r"(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?"
)
_UNIT_MS = (365 * 86_400_000, 7 * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000, 1)
_LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
_METRIC_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
_UID = re.compile(r"[A-Za-z0-9_-]+")


class InvalidValue(ValueError):
    """A value Prometheus or Grafana would refuse; the message is one line that says why."""


def duration_ms(text: str) -> int:
    """Milliseconds in a Prometheus duration such as ``15s`` or ``1m30s``; 0 for ``0s``."""
    match = _DURATION.fullmatch(text) if isinstance(text, str) else None
    if not text or match is None:
        raise InvalidValue(
            f"{text!r} is not a Prometheus duration; use a number with a unit, e.g. 15s, 1m, 1m30s"
        )
    return sum(int(n) * unit for n, unit in zip(match.groups(), _UNIT_MS, strict=True) if n)


def is_duration(text: str) -> bool:
    """True when ``text`` is a Prometheus duration longer than zero."""
    try:
        return duration_ms(text) > 0
    except InvalidValue:
        return False


def check_duration(text: str, what: str = "duration") -> str:
    """Return ``text`` if it is a Prometheus duration longer than zero, else raise."""
    try:
        ms = duration_ms(text)
    except InvalidValue:
        raise InvalidValue(
            f"{what} {text!r} is not a Prometheus duration; use a number with a unit, "
            "e.g. 15s, 1m, 1m30s"
        ) from None
    if ms == 0:
        raise InvalidValue(f"{what} {text!r} is zero; use a positive duration such as 1m")
    return text


def is_label_name(name: str) -> bool:
    """True when Prometheus accepts ``name`` as a label name."""
    return isinstance(name, str) and _LABEL_NAME.fullmatch(name) is not None


def check_label_name(name: str, what: str = "label name") -> str:
    """Return ``name`` if Prometheus accepts it as a label name, else raise."""
    if not is_label_name(name):
        raise InvalidValue(f"invalid {what} {name!r}: use [a-zA-Z_][a-zA-Z0-9_]*")
    return name


def is_metric_name(name: str) -> bool:
    """True when Prometheus accepts ``name`` as a metric name (colons allowed, for records)."""
    return isinstance(name, str) and _METRIC_NAME.fullmatch(name) is not None


def check_metric_name(name: str, what: str = "metric name") -> str:
    """Return ``name`` if Prometheus accepts it as a metric name, else raise."""
    if not is_metric_name(name):
        raise InvalidValue(f"invalid {what} {name!r}: use [a-zA-Z_:][a-zA-Z0-9_:]*")
    return name


def is_uid(uid: str) -> bool:
    """True when Grafana accepts ``uid`` for a dashboard or a folder."""
    return isinstance(uid, str) and len(uid) <= MAX_UID_LENGTH and _UID.fullmatch(uid) is not None


def check_uid(uid: str, what: str = "dashboard uid") -> str:
    """Return ``uid`` if Grafana accepts it, else raise with what to change."""
    if not uid:
        raise InvalidValue(f"{what} is empty: give it a uid such as 'triton-overview'")
    if not isinstance(uid, str):
        raise InvalidValue(
            f"{what} {uid!r} is not a string: give it a uid such as 'triton-overview'"
        )
    if len(uid) > MAX_UID_LENGTH:
        raise InvalidValue(
            f"{what} {uid!r} is {len(uid)} characters; Grafana allows at most "
            f"{MAX_UID_LENGTH}: shorten it"
        )
    if not _UID.fullmatch(uid):
        raise InvalidValue(
            f"{what} {uid!r} has characters Grafana refuses: use only A-Z a-z 0-9 _ -"
        )
    return uid

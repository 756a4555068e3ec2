"""What Kubernetes accepts as a name, so bad input fails here and not at ``kubectl apply``.

The rules are the API server's (``k8s.io/apimachinery/pkg/util/validation``): DNS-1123
labels for namespaces, DNS-1035 labels for Services, IANA service names for ports,
DNS-1123 subdomains for most object names, and the label-value grammar.
"""

from __future__ import annotations

import re

__all__ = [
    "CONTAINER_PORT_RULE",
    "LABEL_RULE",
    "PORT_NAME_RULE",
    "SERVICE_RULE",
    "is_dns1035_label",
    "is_dns1123_label",
    "is_dns1123_subdomain",
    "is_label_key",
    "is_label_value",
    "is_port_name",
    "to_dns1123_subdomain",
]

_LABEL = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_DNS1123_LABEL = re.compile(_LABEL)
_DNS1035_LABEL = re.compile(r"[a-z]([-a-z0-9]*[a-z0-9])?")
_DNS1123_SUBDOMAIN = re.compile(rf"{_LABEL}(\.{_LABEL})*")
_LABEL_VALUE = re.compile(r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]")
_NOT_SUBDOMAIN = re.compile(r"[^a-z0-9.-]+")

LABEL_RULE = (
    "lower-case letters, digits and '-', at most 63, starting and ending with a letter or digit"
)
SERVICE_RULE = "lower-case letters, digits and '-', at most 63, starting with a letter"
PORT_NAME_RULE = f"a port name is {LABEL_RULE}"
CONTAINER_PORT_RULE = (
    "a container port name is lower-case letters, digits and '-', at most 15, with a letter"
)


def is_dns1123_label(name: str) -> bool:
    """A namespace name (and most label-like names): ``[a-z0-9]([-a-z0-9]*[a-z0-9])?``, ≤ 63."""
    return len(name) <= 63 and _DNS1123_LABEL.fullmatch(name) is not None


def is_dns1035_label(name: str) -> bool:
    """A Service name: a DNS-1123 label that starts with a letter (it becomes a DNS name)."""
    return len(name) <= 63 and _DNS1035_LABEL.fullmatch(name) is not None


def is_dns1123_subdomain(name: str) -> bool:
    """A ConfigMap or ServiceMonitor name: dot-separated DNS-1123 labels, ≤ 253 in all."""
    return len(name) <= 253 and _DNS1123_SUBDOMAIN.fullmatch(name) is not None


def is_port_name(name: str) -> bool:
    """A container port name, an IANA service name (``IsValidPortName``): ≤ 15, a letter, no ``--``.

    Service port names are looser (any DNS-1123 label): Triton's chart names one
    ``metrics-inference-server``.
    """
    return (
        len(name) <= 15
        and _DNS1123_LABEL.fullmatch(name) is not None
        and "--" not in name
        and any(c.isalpha() for c in name)
    )


def is_label_value(value: str) -> bool:
    """A label value: empty, or ≤ 63 of ``[-A-Za-z0-9_.]`` starting and ending alphanumeric."""
    return value == "" or (len(value) <= 63 and _LABEL_VALUE.fullmatch(value) is not None)


def is_label_key(key: str) -> bool:
    """A label key: an optional DNS-1123 subdomain prefix and ``/``, then a ≤ 63 name."""
    prefix, _, name = key.rpartition("/")
    if prefix and not is_dns1123_subdomain(prefix):
        return False
    return name != "" and is_label_value(name)


def to_dns1123_subdomain(text: str) -> str:
    """``text`` made a valid object name: lower-cased, runs of other characters become ``-``.

    Returns "" when nothing usable is left; callers say what to do about it.
    """
    name = _NOT_SUBDOMAIN.sub("-", text.lower())
    name = re.sub(r"-*\.[-.]*", ".", name)
    return name[:253].strip(".-")

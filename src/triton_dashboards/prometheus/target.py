"""Where Triton's metrics are: the one input every scrape configuration is rendered from.

A :class:`TritonTarget` is validated when it is made, so a bad namespace, port or interval
is reported once, in the user's words, instead of surfacing later as a ``promtool`` or
``kubectl`` error about a file the user did not write.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from triton_dashboards.prometheus.k8snames import (
    LABEL_RULE,
    PORT_NAME_RULE,
    SERVICE_RULE,
    is_dns1035_label,
    is_dns1123_label,
    is_label_key,
    is_label_value,
)
from triton_dashboards.validation import InvalidValue, check_duration, duration_ms

__all__ = ["DEFAULT_METRICS_PORT", "InvalidTarget", "TritonTarget", "duration_ms"]

#: Triton's ``--metrics-port`` default; its Helm charts name that container port ``metrics``.
DEFAULT_METRICS_PORT = 8002
_DEFAULT_TIMEOUT = "10s"


class InvalidTarget(ValueError):
    """A field of :class:`TritonTarget` that Prometheus or Kubernetes would reject."""


def _port(value: int | str) -> int | str:
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return value


def _selector(value: Mapping[str, str] | Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    pairs = value.items() if isinstance(value, Mapping) else value
    return tuple(sorted((str(k), str(v)) for k, v in pairs))


def _check_namespace(_: Any, __: Any, value: str) -> None:
    if not is_dns1123_label(value):
        raise InvalidTarget(f"namespace {value!r} is not a Kubernetes namespace name; {LABEL_RULE}")


def _check_service(_: Any, __: Any, value: str) -> None:
    if not is_dns1035_label(value):
        raise InvalidTarget(f"service {value!r} is not a Kubernetes Service name; {SERVICE_RULE}")


def _check_port(_: Any, __: Any, value: int | str) -> None:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise InvalidTarget(f"port {value!r} is neither a number nor a name; use 8002 or metrics")
    if isinstance(value, int) and not 1 <= value <= 65535:
        raise InvalidTarget(
            f"port {value} is out of range; use 1-65535 or a port name like metrics"
        )
    if isinstance(value, str) and not is_dns1123_label(value):
        raise InvalidTarget(f"port {value!r} is not a port number or name; {PORT_NAME_RULE}")


def _check_duration(_: Any, attribute: attrs.Attribute[Any], value: str | None) -> None:
    if value is None:
        return
    try:
        check_duration(value, attribute.name.replace("_", " "))
    except InvalidValue as e:
        raise InvalidTarget(str(e)) from None


# host:port, [IPv6]:port; the host a DNS name or an IPv4 address, as Prometheus takes them.
_HOST_PORT = re.compile(
    r"(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?):([0-9]{1,5})"
)


def _addresses(value: Iterable[str]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def _check_static_targets(_: Any, __: Any, value: tuple[str, ...]) -> None:
    for address in value:
        match = _HOST_PORT.fullmatch(address) if isinstance(address, str) else None
        if match is None or not 1 <= int(match.group(1)) <= 65535:
            raise InvalidTarget(
                f"target {address!r} is not HOST:PORT; write e.g. 127.0.0.1:8002, "
                "triton-vm.example.com:8002 or [::1]:8002"
            )


def _check_path(_: Any, __: Any, value: str) -> None:
    if not value.startswith("/") or any(c.isspace() for c in value):
        raise InvalidTarget(f"metrics path {value!r} must start with / and hold no spaces")


def _check_release(_: Any, __: Any, value: str) -> None:
    if not value or not is_label_value(value):
        raise InvalidTarget(
            f"release {value!r} is not a label value; use the Helm release name of "
            "kube-prometheus-stack (see `helm list -A`)"
        )


def _check_job(_: Any, __: Any, value: str) -> None:
    if not value or any(c.isspace() for c in value):
        raise InvalidTarget(f"job name {value!r} must be non-empty and hold no spaces")


def _check_selector(_: Any, __: Any, value: tuple[tuple[str, str], ...]) -> None:
    for key, label in value:
        if not is_label_key(key) or not is_label_value(label):
            raise InvalidTarget(
                f"selector {key}={label} is not a Kubernetes label; use KEY=VALUE as in "
                "`kubectl get pods --show-labels`, e.g. app=triton-inference-server"
            )


@attrs.frozen
class TritonTarget:
    """One Triton deployment as Prometheus should see it.

    The Service defaults to ``triton-inference-server``: the name of NVIDIA's Helm charts
    and of most guides, so the common case needs no flag. The port is a name
    (``metrics``, what NVIDIA's charts call container port 8002) or a number. The scrape
    timeout defaults to Prometheus' own rule: 10s, or the interval when that is shorter.
    ``selector`` holds pod (PodMonitor) or Service (ServiceMonitor) labels; empty means
    every pod or Service of the namespace, narrowed by Service name where one applies.
    ``static_targets`` (``HOST:PORT``) are what a static scrape job scrapes instead of the
    Service address: a Triton outside Kubernetes, or a local simulator.
    """

    namespace: str = attrs.field(default="triton", validator=_check_namespace)
    service: str = attrs.field(default="triton-inference-server", validator=_check_service)
    port: int | str = attrs.field(default="metrics", converter=_port, validator=_check_port)
    interval: str = attrs.field(default="15s", validator=_check_duration)
    scrape_timeout: str | None = attrs.field(default=None, validator=_check_duration)
    metrics_path: str = attrs.field(default="/metrics", validator=_check_path)
    release: str = attrs.field(default="kube-prometheus-stack", validator=_check_release)
    job: str = attrs.field(default="triton", validator=_check_job)
    selector: tuple[tuple[str, str], ...] = attrs.field(
        default=(), converter=_selector, validator=_check_selector
    )
    static_targets: tuple[str, ...] = attrs.field(
        default=(), converter=_addresses, validator=_check_static_targets
    )

    def __attrs_post_init__(self) -> None:
        if self.scrape_timeout and duration_ms(self.scrape_timeout) > duration_ms(self.interval):
            raise InvalidTarget(
                f"scrape timeout {self.scrape_timeout} is longer than the interval "
                f"{self.interval}; Prometheus rejects that: use a timeout <= the interval"
            )

    @property
    def timeout(self) -> str:
        """The scrape timeout to write: the given one, else Prometheus' default rule."""
        if self.scrape_timeout:
            return self.scrape_timeout
        if duration_ms(self.interval) < duration_ms(_DEFAULT_TIMEOUT):
            return self.interval
        return _DEFAULT_TIMEOUT

    @property
    def port_number(self) -> int:
        """The port as a number, for targets that cannot resolve names (static ones).

        A name means nothing without Kubernetes to resolve it, so it is an error that
        says to pass the number, rather than a guess.
        """
        if isinstance(self.port, int):
            return self.port
        raise InvalidTarget(
            f"static targets need a port number, not the name {self.port!r}; pass the "
            f"Service's port number, e.g. --port {DEFAULT_METRICS_PORT}, or --target HOST:PORT"
        )

    @property
    def static_addresses(self) -> tuple[str, ...]:
        """What a static job scrapes: the given targets, else the Service address."""
        return self.static_targets or (self.service_address,)

    @property
    def service_address(self) -> str:
        """The in-cluster DNS address of the Service's metrics port."""
        return f"{self.service}.{self.namespace}.svc.cluster.local:{self.port_number}"

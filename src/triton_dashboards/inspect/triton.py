"""Which models a Triton server has, from its own HTTP API (KServe v2), and their ensembles.

Prometheus knows the models that reported a number; only Triton knows which model is an
ensemble of which steps. Three endpoints of Triton's HTTP port (8000 by default; the
metrics port 8002 serves nothing but ``/metrics``) say it:

* ``GET /v2``: the server metadata, which tells a Triton (``name``, ``version``,
  ``extensions``) from any other server answering on the port;
* ``POST /v2/repository/index``: every model of the repository with its version and state
  (``READY``, ``UNAVAILABLE``, ``LOADING`` ...) and the reason of a state;
* ``GET /v2/models/NAME/versions/V/config``: a ready model's configuration: its ``backend``
  and ``platform``, and for an ensemble (platform ``ensemble``) its steps in order,
  ``ensemble_scheduling.step[].model_name``.

A Python-backend model may call other models from its code (BLS): no configuration shows
those calls, so :attr:`Repository.notes` says where they may hide. :func:`read_repository`
is the one entry point; every failure is a :class:`TritonError` of one line.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from types import MappingProxyType
from typing import Any
from urllib.parse import quote, urlsplit

import attrs
import requests

from triton_dashboards.catalog import backends
from triton_dashboards.query.fleet import Ensemble
from triton_dashboards.redaction import (
    basic_auth_secrets,
    redact,
    split_credentials,
    without_credentials,
)

__all__ = [
    "READY",
    "TIMEOUT",
    "Repository",
    "TritonError",
    "TritonModel",
    "read_repository",
]

#: Seconds a request to Triton may take before it is given up.
TIMEOUT = 10.0
#: The state of a model that serves requests.
READY = "READY"
#: How many configurations are asked for at once.
_CONCURRENT = 8
_WHAT_TO_GIVE = "give Triton's HTTP port (8000 by default; 8002 serves only /metrics)"


class TritonError(Exception):
    """Triton could not be read; the message is one line that says what to do."""


@attrs.frozen
class TritonModel:
    """One model version of the repository index, with what its configuration says.

    ``backend`` and ``platform`` are empty for a model that is not ready (Triton serves no
    configuration for it); ``steps`` are an ensemble's composing models, in order;
    ``max_batch_size`` is 0 where the model does not batch.
    """

    name: str
    version: str
    state: str
    reason: str = ""
    backend: str = ""
    platform: str = ""
    steps: tuple[str, ...] = ()
    max_batch_size: int = 0

    @property
    def ready(self) -> bool:
        return self.state == READY

    @property
    def is_ensemble(self) -> bool:
        return self.platform == backends.ENSEMBLE_PLATFORM

    @property
    def calls_models(self) -> bool:
        """Whether its code may call other models (BLS), which no configuration shows."""
        return bool(self.backend) and backends.backend(self.backend).calls_models


@attrs.frozen
class Repository:
    """What one Triton server serves: its release and every model of its repository."""

    url: str
    version: str
    models: tuple[TritonModel, ...]

    @property
    def ensembles(self) -> Mapping[str, tuple[str, ...]]:
        """Ensemble name -> its steps in order, for every ready ensemble."""
        return MappingProxyType(
            {m.name: m.steps for m in self.models if m.ready and m.is_ensemble and m.steps}
        )

    def declarations(self) -> tuple[Ensemble, ...]:
        """The :class:`Ensemble` declarations a dashboard takes (``overview(ensembles=...)``)."""
        return tuple(Ensemble(name, steps) for name, steps in self.ensembles.items())

    @property
    def bls(self) -> tuple[str, ...]:
        """Ready models whose backend lets their code call other models (BLS)."""
        return tuple(dict.fromkeys(m.name for m in self.models if m.ready and m.calls_models))

    @property
    def notes(self) -> tuple[str, ...]:
        """What the configurations cannot show, one sentence each."""
        if not self.bls:
            return ()
        names = ", ".join(self.bls)
        return (
            f"{names} run on the python backend, whose code may call other models (BLS): "
            "no configuration shows such calls, so if one is a pipeline, declare its steps "
            "yourself (Ensemble(name, [steps]))",
        )


def read_repository(url: str, timeout: float = TIMEOUT) -> Repository:
    """Every model of the Triton server at ``url`` (its HTTP port), with ensembles' steps.

    Raises :class:`TritonError` (one line) when the server cannot be reached, is not a
    Triton, or answers with an error.
    """
    base, user, password = _base(url)
    with requests.Session() as session:
        session.mount(base, requests.adapters.HTTPAdapter(pool_maxsize=_CONCURRENT))
        secrets: tuple[str, ...] = ()
        if user or password:
            session.auth = (user or "", password or "")
            secrets = basic_auth_secrets(*session.auth)
        client = _Client(session, base, timeout, secrets)
        metadata = client.call("GET", "/v2")
        if not isinstance(metadata, dict) or "extensions" not in metadata:
            raise TritonError(
                f"{base} does not answer as Triton's HTTP API (GET /v2); {_WHAT_TO_GIVE}"
            )
        index = client.call("POST", "/v2/repository/index", {})
        if not isinstance(index, list):
            raise TritonError(
                f"{client.base}: the repository index is not a list; is Triton there?"
            )
        entries = [_entry(item) for item in index]
        with ThreadPoolExecutor(max_workers=_CONCURRENT) as pool:
            models = tuple(pool.map(client.configured, entries))
    return Repository(url=client.base, version=str(metadata.get("version", "")), models=models)


def _base(url: str) -> tuple[str, str | None, str | None]:
    """Triton's URL without credentials (``http://`` when it names none), and the user and
    password it carried."""
    url = url.strip().rstrip("/")
    if "://" not in url:
        url = f"http://{url}"
    wrong = f"Triton URL {without_credentials(url)!r} is not http(s)://HOST:PORT; {_WHAT_TO_GIVE}"
    if not url.startswith(("http://", "https://")) or url.endswith("://"):
        raise TritonError(wrong)
    try:
        base, user, password = split_credentials(url)
    except ValueError as e:
        raise TritonError(f"{wrong} ({e})") from None
    if not urlsplit(base).hostname:
        raise TritonError(wrong)
    return base, user, password


def _entry(item: object) -> TritonModel:
    if not isinstance(item, dict) or not isinstance(item.get("name"), str):
        raise TritonError(
            f"the repository index holds {str(item)[:60]!r}, not a model; is this Triton?"
        )
    return TritonModel(
        name=item["name"],
        version=str(item.get("version", "")),
        state=str(item.get("state", "")),
        reason=str(item.get("reason", "")),
    )


@attrs.frozen
class _Client:
    session: requests.Session
    #: Triton's URL without credentials (the session sends them): safe in any message.
    base: str
    timeout: float
    #: The password and basic-auth header value, redacted from Triton's own words.
    secrets: tuple[str, ...] = ()

    def call(self, method: str, path: str, body: object = None) -> Any:
        """The JSON answer of ``method path``; TritonError on anything else."""
        where = f"{method} {self.base}{path}"
        try:
            response = self.session.request(
                method, self.base + path, json=body, timeout=self.timeout
            )
        except requests.Timeout:
            raise TritonError(
                f"Triton at {self.base} did not answer {method} {path} within {self.timeout:g} s;"
                " check the URL, or raise the timeout"
            ) from None
        except requests.RequestException as e:
            raise TritonError(
                f"cannot reach Triton at {self.base}: {_reason(e)}; check that Triton runs and"
                f" {_WHAT_TO_GIVE}"
            ) from None
        try:
            answer = response.json()
        except (ValueError, json.JSONDecodeError):
            raise TritonError(
                f"{self.base} does not answer as Triton's HTTP API ({where}: HTTP"
                f" {response.status_code}, not JSON); {_WHAT_TO_GIVE}"
            ) from None
        if response.status_code != 200:
            message = answer.get("error") if isinstance(answer, dict) else None
            if not isinstance(message, str):
                raise TritonError(
                    f"{self.base} does not answer as Triton's HTTP API ({where}: HTTP"
                    f" {response.status_code}); {_WHAT_TO_GIVE}"
                )
            said = redact(message, self.secrets)
            raise TritonError(f"Triton refused {where}: HTTP {response.status_code}: {said}")
        return answer

    def configured(self, model: TritonModel) -> TritonModel:
        """``model`` with its configuration's backend, platform and steps (if it is ready)."""
        if not model.ready:
            return model
        path = f"/v2/models/{quote(model.name, safe='')}"
        if model.version:
            path += f"/versions/{quote(model.version, safe='')}"
        config = self.call("GET", path + "/config")
        if not isinstance(config, dict):
            raise TritonError(f"{self.base}{path}/config is not a model configuration")
        scheduling = config.get("ensemble_scheduling") or {}
        steps = [
            step["model_name"]
            for step in scheduling.get("step", [])
            if isinstance(step, dict) and isinstance(step.get("model_name"), str)
        ]
        return attrs.evolve(
            model,
            backend=str(config.get("backend") or ""),
            platform=str(config.get("platform") or ""),
            steps=tuple(steps),
            max_batch_size=_integer(config.get("max_batch_size")),
        )


def _integer(value: object) -> int:
    """A configuration's integer, which Triton writes as a number (or, from protobuf's
    JSON, a string); 0 when absent or not one."""
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return value
    return int(value) if isinstance(value, str) and value.isdigit() else 0


def _reason(error: requests.RequestException) -> str:
    """The innermost cause of a connection error, in a few words."""
    text = str(error)
    for known in ("Connection refused", "Name or service not known", "No route to host"):
        if known in text:
            return known.lower()
    return type(error).__name__

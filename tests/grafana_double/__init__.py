"""A stateful fake Grafana HTTP API, served over real HTTP on 127.0.0.1, for publisher tests.

No Grafana server can be installed where the tests run, so this double plays one. It follows
Grafana's HTTP API (its sections, §1 to §8, are listed in :mod:`triton_dashboards.grafana`,
with Grafana's public docs and source) to the status code and the error body, because a
publisher is only as good as its handling of those: every save bumps the version even for
identical JSON, the 412 rules, folder rules, 401/403 bodies, and the places where Grafana
11.2 and 12 differ.

Modules, one idea each: ``double`` (the public ``GrafanaDouble``), ``server`` (HTTP transport),
``routes`` (routing, auth and RBAC before each handler), ``auth``, ``faults``, ``state`` (the
stored model), ``errors`` (replies and shared error bodies), ``urls`` (slugs and UI URLs),
``call`` (what a handler is given), and one module per endpoint group: ``dashboards``,
``save``, ``versions``, ``folders``, ``search``, ``health``, ``access`` (what the caller may
do).
"""

from .auth import ROLES
from .double import GrafanaDouble
from .faults import FAILURE_STATUSES
from .recorded import Recorded
from .urls import slugify

__all__ = ["FAILURE_STATUSES", "ROLES", "GrafanaDouble", "Recorded", "slugify"]

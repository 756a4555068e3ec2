"""Publishing rendered dashboard JSON to Grafana: the HTTP client and its errors, local
files, folders, a pure plan and the apply that writes it, diff and pull.

Works on JSON only, so it publishes any dashboard, ours or not.

Grafana behaviour the modules here rely on (and the test double in ``tests/grafana_double``
plays) is cited as "Grafana API §N", one number per area:

* §1 authentication, organisations, error bodies; §2 saving (``POST /api/dashboards/db``);
  §3 reading, deleting, versions, search; §4 folders; §5 health;
* §6 the Kubernetes-style ``/apis`` of Grafana 12 and 13: §6.1 versions and discovery,
  §6.2 namespaces, §6.3 the object and its metadata, §6.4 create, read, update, delete and
  list, §6.5 validation on write, §6.6 ``Status`` error bodies, §6.7 conversion between
  versions and the legacy API, §6.8 manager annotations, §6.9 history, §6.10 folders,
  §6.11 schema v2 and ``schemaVersion``;
* §8 the dashboard JSON model.

Public sources: the HTTP API reference
(https://grafana.com/docs/grafana/latest/developers/http_api/), the ``/apis`` structure
(https://grafana.com/docs/grafana/latest/developers/http_api/apis/), and Grafana's source
(https://github.com/grafana/grafana: ``pkg/api``, ``pkg/registry/apis/dashboard``,
``apps/dashboard``), which settles what the docs leave open.
"""

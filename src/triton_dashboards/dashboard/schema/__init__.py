"""The panel model of today's Grafana and its two writers.

:mod:`.panel` (panels, queries), :mod:`.viz` (each visualization's options), :mod:`.field`
(units, thresholds, links, overrides), :mod:`.options` (the closed choices, as enums),
:mod:`.units` (Grafana's unit ids), :mod:`.variable` (template variables); :mod:`.v1`
writes Grafana's classic dashboard JSON, :mod:`.v2` the ``dashboard.grafana.app/v2``
resource, :mod:`.v2_view` reads the latter back for the lint.
"""

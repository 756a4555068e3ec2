"""Defaults that more than one floor shows to the user, written once.

The Grafana folder appears in ``publish`` (the folder we create) and in ``configmap`` (the
sidecar's folder annotation): the two must agree, so neither owns it.
"""

from __future__ import annotations

__all__ = ["FOLDER"]

#: The Grafana folder the dashboards go into, by title (``Team/Triton`` for a nested one).
FOLDER = "Triton"

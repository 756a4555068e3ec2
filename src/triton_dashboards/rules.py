"""``triton_dashboards.rules``: the public name of :mod:`triton_dashboards.prometheus.rules`."""

from triton_dashboards.prometheus.rules import *  # noqa: F403
from triton_dashboards.prometheus.rules import __all__ as __all__

"""``triton_dashboards.queries``: the public name of :mod:`triton_dashboards.query.recipes`."""

from triton_dashboards.query.recipes import *  # noqa: F403
from triton_dashboards.query.recipes import __all__ as __all__

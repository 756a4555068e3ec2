"""``triton_dashboards.panels``: the public name of :mod:`triton_dashboards.dashboard.panels`.

Kept so that ``from triton_dashboards.panels import Query, Unit`` and
``from triton_dashboards import panels`` read as they always have.
"""

from triton_dashboards.dashboard.panels import *  # noqa: F403
from triton_dashboards.dashboard.panels import __all__ as __all__


def __getattr__(name: str) -> object:
    """``panels.batch_sise`` -> AttributeError naming ``batch_size``."""
    from triton_dashboards.dashboard.panels import missing

    raise missing(__name__, __all__, name)

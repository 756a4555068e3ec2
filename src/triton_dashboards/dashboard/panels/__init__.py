"""Panels: generic factories (:mod:`.factories`) and stock Triton panels (:mod:`.stock`).

``from triton_dashboards import panels`` gives both: ``panels.timeseries(...)`` for a
panel of your own, ``panels.requests_per_minute(scope)`` for a Triton one. The stock
panels live by subject in :mod:`.traffic`, :mod:`.timing`, :mod:`.hardware`,
:mod:`.histogram` (what a histogram knows exactly), :mod:`.fleet` (headlines, top k) and
:mod:`.llm` (time to first token, tokens, KV cache: ``panels.time_to_first_token(scope)``);
each module's ``__all__`` is the one list of its names.
"""

from triton_dashboards.dashboard.panels import (
    factories,
    fleet,
    hardware,
    histogram,
    llm,
    stock,
    timing,
    traffic,
)
from triton_dashboards.dashboard.panels.factories import *  # noqa: F403
from triton_dashboards.dashboard.panels.fleet import *  # noqa: F403
from triton_dashboards.dashboard.panels.hardware import *  # noqa: F403
from triton_dashboards.dashboard.panels.histogram import *  # noqa: F403
from triton_dashboards.dashboard.panels.llm import *  # noqa: F403
from triton_dashboards.dashboard.panels.timing import *  # noqa: F403
from triton_dashboards.dashboard.panels.traffic import *  # noqa: F403

__all__ = ["stock"]
__all__ += factories.__all__
__all__ += traffic.__all__
__all__ += timing.__all__
__all__ += hardware.__all__
__all__ += fleet.__all__
__all__ += histogram.__all__
__all__ += llm.__all__

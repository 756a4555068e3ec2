"""Panels: generic factories (:mod:`.factories`) and stock Triton panels (:mod:`.stock`).

``from triton_dashboards import panels`` gives both: ``panels.timeseries(...)`` for a
panel of your own, ``panels.requests_per_minute(scope)`` for a Triton one. The stock
panels live by subject in :mod:`.traffic`, :mod:`.timing`, :mod:`.hardware`,
:mod:`.histogram` (what a histogram knows exactly), :mod:`.fleet` (headlines, top k) and
:mod:`.llm` (time to first token, tokens, KV cache: ``panels.time_to_first_token(scope)``);
each module's ``__all__`` is the one list of its names. A mistyped name is an
AttributeError that offers the closest ones.
"""

import difflib

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


def missing(module: str, names: list[str], name: str) -> AttributeError:
    """The error for ``module.name`` that is not there, with the closest names offered."""
    close = difflib.get_close_matches(name, names, n=3)
    hint = f"; did you mean {' or '.join(close)}?" if close else ""
    return AttributeError(f"module {module!r} has no panel or name {name!r}{hint}")


def __getattr__(name: str) -> object:
    """``panels.batch_sise`` -> AttributeError naming ``batch_size``."""
    raise missing(__name__, __all__, name)

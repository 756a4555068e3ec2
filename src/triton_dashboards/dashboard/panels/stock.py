"""Stock Triton panels: a recipe from :mod:`triton_dashboards.query.recipes`, shown right.

Each function takes a :class:`~triton_dashboards.query.scope.Scope` and returns a ready panel
with the unit, thresholds and legend the number needs. They are what a dashboard file
for one deployment is written with::

    pipeline = Scope(namespace="triton").model("ner_pipeline")
    panels.requests_per_minute(pipeline)

They live by subject in :mod:`~triton_dashboards.dashboard.panels.traffic`,
:mod:`~triton_dashboards.dashboard.panels.timing` and
:mod:`~triton_dashboards.dashboard.panels.hardware`; this module gathers them.
"""

from triton_dashboards.dashboard.panels import hardware, timing, traffic
from triton_dashboards.dashboard.panels.hardware import *  # noqa: F403
from triton_dashboards.dashboard.panels.scoped import FAILURE_RATIO_THRESHOLDS, USAGE_THRESHOLDS
from triton_dashboards.dashboard.panels.timing import *  # noqa: F403
from triton_dashboards.dashboard.panels.traffic import *  # noqa: F403

__all__ = ["FAILURE_RATIO_THRESHOLDS", "USAGE_THRESHOLDS"]
__all__ += traffic.__all__
__all__ += timing.__all__
__all__ += hardware.__all__

"""The stock dashboards: Triton overview, model detail, GPU and host, and LLM serving.

One module each (:mod:`.overview`, :mod:`.model`, :mod:`.gpu_host`, :mod:`.llm`), and
what they share in :mod:`.selection`.

They share one set of template variables (datasource, namespace, job, instance, model,
version, GPU), chained so that each narrows the next, and one :class:`Scope` built from
them; each links to the others, keeping the time range and the variables.

Each comes in two variants: on raw series (the default) and, with
``recording_rules=True`` (or a :class:`Recording` with its window), on the series the
recording rules of ``triton-dashboards rules`` write. The variants differ only in the
scope their panels read through, their uid (``-rec``), their title and their links, which
stay within the same variant. :func:`stock_dashboards` gives the set, chosen and tailored,
for a repository of one's own (:mod:`.shipped`); a tailored dashboard takes a uid of its
own (:mod:`.uids`). The template variables keep listing raw series: a label
lookup is cheap, and the choices then do not depend on the rules being loaded.
"""

from triton_dashboards.dashboard.stock import selection
from triton_dashboards.dashboard.stock.gpu_host import gpu_and_host
from triton_dashboards.dashboard.stock.llm import llm_serving
from triton_dashboards.dashboard.stock.model import model_detail
from triton_dashboards.dashboard.stock.overview import overview
from triton_dashboards.dashboard.stock.selection import *  # noqa: F403
from triton_dashboards.dashboard.stock.shipped import STOCK, stock_dashboards
from triton_dashboards.dashboard.stock.uids import TAILORED_PREFIX
from triton_dashboards.query.fleet import Ensemble

__all__ = [
    "STOCK",
    "TAILORED_PREFIX",
    "Ensemble",
    "gpu_and_host",
    "llm_serving",
    "model_detail",
    "overview",
    "stock_dashboards",
]
__all__ += selection.__all__

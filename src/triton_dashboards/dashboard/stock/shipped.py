"""The stock dashboards as one set, for a repository of one's own to build and keep current.

A team's repository made by ``triton-dashboards init`` binds the set in one dashboard file
(``dashboards = stock_dashboards(...)`` in ``dashboards/stock.dashboard.py``); ``build``
writes each to its JSON next to the team's own dashboards, and ``check`` fails when the
installed package renders them differently (a new release), until ``build`` is run again.

Choosing and tailoring: which dashboards (``only``), recorded or raw series, one namespace
pinned, the ensembles of the overview. The set takes one uid prefix, so its links stay
within it; a tailored set with no prefix named takes :data:`.uids.TAILORED_PREFIX`, and
``replace_stock=True`` keeps the stock uids (:mod:`.uids`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from triton_dashboards.dashboard.model import Dashboard, DashboardError
from triton_dashboards.dashboard.stock.gpu_host import gpu_and_host
from triton_dashboards.dashboard.stock.llm import llm_serving
from triton_dashboards.dashboard.stock.model import model_detail
from triton_dashboards.dashboard.stock.overview import overview
from triton_dashboards.dashboard.stock.uids import TAILORED_PREFIX, changes
from triton_dashboards.query.fleet import Ensemble
from triton_dashboards.query.recording import Recording

__all__ = ["STOCK", "stock_dashboards"]

#: The stock dashboards by the name ``only`` takes, in the order a set lists them.
STOCK: dict[str, Callable[..., Dashboard]] = {
    "overview": overview,
    "model": model_detail,
    "gpu-host": gpu_and_host,
    "llm": llm_serving,
}


def stock_dashboards(
    *,
    only: Iterable[str] | None = None,
    recorded: bool | Recording = False,
    namespace: str | None = None,
    ensembles: Sequence[Ensemble] = (),
    uid_prefix: str | None = None,
    replace_stock: bool = False,
) -> list[Dashboard]:
    """The stock dashboards, chosen and tailored, linked to each other.

    ``only``: names of :data:`STOCK` (default all). ``recorded``: read the series of
    ``triton-dashboards rules`` (``True``, or a :class:`Recording` with its window).
    ``namespace``: pin one namespace instead of offering the Namespace variable.
    ``ensembles``: the overview counts client requests. ``uid_prefix``: uids (and titles)
    of your own; any tailoring without one takes ``tailored-``. ``replace_stock=True``:
    keep the stock uids, tailored or not.
    """
    names = list(STOCK) if only is None else list(only)
    unknown = [name for name in names if name not in STOCK]
    if unknown:
        raise DashboardError(f"no stock dashboard {unknown[0]!r}; choose among {', '.join(STOCK)}")
    recording = Recording() if recorded is True else recorded or None
    tailored = changes(namespace=namespace, recording=recording, ensembles=bool(ensembles))
    if uid_prefix is None and tailored and not replace_stock:
        uid_prefix = TAILORED_PREFIX  # one prefix for the set, so its links stay within it
    options = {"namespace": namespace, "uid_prefix": uid_prefix, "replace_stock": replace_stock}
    out = []
    for name in names:
        extra = {"ensembles": ensembles} if name == "overview" else {}
        out.append(STOCK[name](recording or False, **options, **extra))
    return out

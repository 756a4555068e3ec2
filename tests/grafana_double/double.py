"""``GrafanaDouble``: the fake Grafana tests start, configure, fault and inspect.

It holds the configuration (read live by the modules that serve requests, so a test may change
it between requests), the stored state, the recorded traffic and the planned faults, and runs
each request through them: latency, then under one lock a fault or the API, then the record.
"""

from __future__ import annotations

import copy
import json
import re
import threading
import time
from collections.abc import Callable
from typing import Any

from .auth import Identity, check_role, token_identity
from .dashboards import dashboard_meta
from .errors import Reply, error
from .faults import FAILURE_STATUSES, Faults, failure_reply
from .folders import folder_dto
from .k8s_manager import read_only_in_ui
from .k8s_scenarios import K8sScenarios
from .profiles import LEGACY, Profile, profile_named
from .recorded import Recorded
from .routes import dispatch
from .save import MAX_BODY_BYTES, MIN_REFRESH
from .server import Request, Server, below_sub_path
from .state import Store
from .versions import version_record


class GrafanaDouble(K8sScenarios):
    """A fake Grafana (11.2 or 12 behaviour) with state, recorded traffic and fault injection.

    ``profile`` ("11", "12.0", "12", "13"; see ``profiles``) plays a release with its
    Kubernetes-style API and storage; ``version`` then defaults to the profile's.
    """

    def __init__(
        self,
        *,
        profile: str | None = None,
        version: str | None = None,
        stack_id: int | None = None,
        new_layouts: bool | None = None,
        token: str | None = "glsa_TESTTOKEN",
        token_role: str = "Editor",
        users: dict[str, str] | None = None,
        orgs: tuple[int, ...] = (1,),
        sub_path: str = "",
        latency: float = 0.0,
        seed: int = 0,
        user_roles: dict[str, str] | None = None,
        token_login: str = "sa-1-triton-dashboards",
        dashboard_quota: int | None = None,
    ) -> None:
        if not orgs:
            raise ValueError("orgs must name at least one org")
        for role in (token_role, *(user_roles or {}).values()):
            check_role(role)
        self._profile: Profile = profile_named(profile) if profile else LEGACY
        self.version = version or self._profile.version
        self._major_minor = _parse_version(self.version)
        self.stack_id = stack_id
        # dynamic dashboards: only the discovery order (preferredVersion) depends on it (§6.1)
        self.new_layouts = self._profile.new_layouts if new_layouts is None else new_layouts
        self.min_refresh = MIN_REFRESH
        self.token = token
        self.token_role = token_role
        self.token_login = token_login
        self.users = dict(users or {})
        self.user_roles = dict(user_roles or {})
        self.orgs = tuple(orgs)
        self.sub_path = "/" + sub_path.strip("/") if sub_path.strip("/") else ""
        self.latency = latency
        self.dashboard_quota = dashboard_quota
        self.healthy = True
        self.max_body_bytes = MAX_BODY_BYTES
        self.failure_rate = 0.0
        self.drop_rate = 0.0
        self.failure_statuses: tuple[int, ...] = FAILURE_STATUSES
        self.requests: list[Recorded] = []
        self.errors: list[BaseException] = []  # the double's own crashes, answered 500
        self.seed = seed
        self.store = Store(self.orgs, seed)
        self.store.unified = self._profile.unified_storage
        self.store.legacy_api_version = self._profile.legacy_api_version
        self._faults = Faults()
        self._lock = threading.RLock()
        self._server: Server | None = None

    # -- Grafana version switches (§2, §3, §4) ------------------------------------------------

    @property
    def unique_titles(self) -> bool:
        """Grafana <= 11.2 refuses two dashboards (or folders) with one title in a folder."""
        return self._major_minor <= (11, 2)

    @property
    def grafana12(self) -> bool:
        return self._major_minor >= (12, 0)

    @property
    def profile(self) -> Profile:
        return self._profile

    # -- lifecycle ---------------------------------------------------------------------------

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("GrafanaDouble is not started: call start() or use `with`")
        return f"http://127.0.0.1:{self._server.port}{self.sub_path}"

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("GrafanaDouble is not started")
        return self._server.port

    def start(self) -> GrafanaDouble:
        if self._server is not None:
            raise RuntimeError("GrafanaDouble already started")
        self._server = Server(self._respond)
        self._server.start()
        return self

    def stop(self) -> None:
        """Stop listening and cut every open connection, so pooled clients cannot reach it."""
        server, self._server = self._server, None
        if server is not None:
            server.stop()

    def __enter__(self) -> GrafanaDouble:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- recorded traffic --------------------------------------------------------------------

    def count(self, method: str | None = None, path_prefix: str = "") -> int:
        with self._lock:
            return sum(
                1
                for r in self.requests
                if (method is None or r.method == method.upper()) and r.path.startswith(path_prefix)
            )

    def reset_counts(self) -> None:
        with self._lock:
            self.requests.clear()

    # -- state, for assertions ---------------------------------------------------------------

    def dashboard(self, uid: str, org_id: int = 1) -> dict[str, Any] | None:
        """The stored model, as GET returns it (``id``, ``uid``, ``version`` set)."""
        with self._lock:
            dash = self.store.find(org_id, uid)
            return json.loads(dash.encoded) if dash else None

    def meta(self, uid: str, org_id: int = 1) -> dict[str, Any] | None:
        """``meta`` as GET returns it to the configured token."""
        with self._lock:
            dash = self.store.find(org_id, uid)
            if dash is None:
                return None
            return dashboard_meta(self, self.store.orgs[org_id], dash, token_identity(self))

    def versions(self, uid: str, org_id: int = 1) -> list[dict[str, Any]]:
        """Version records, newest first, each with its ``data`` (the saved JSON)."""
        with self._lock:
            dash = self.store.find(org_id, uid)
            if dash is None:
                return []
            return [
                {**version_record(dash, v), "data": copy.deepcopy(v.data)}
                for v in reversed(dash.versions)
            ]

    def folder(self, uid: str, org_id: int = 1) -> dict[str, Any] | None:
        """The folder as ``GET /api/folders/:uid`` returns it."""
        with self._lock:
            org = self.store.org(org_id)
            found = org.folders.get(uid)
            if found is None:
                return None
            admin = Identity("admin", "Admin", False)
            return folder_dto(self.sub_path, org, found, admin, org_id)

    def folders(self, org_id: int = 1) -> list[str]:
        with self._lock:
            return sorted(self.store.org(org_id).folders)

    def dashboard_uids(self, org_id: int = 1) -> list[str]:
        with self._lock:
            return sorted(self.store.org(org_id).dashboards)

    # -- state, for setting up scenarios -----------------------------------------------------

    def ui_save(
        self,
        uid: str,
        change: Callable[[dict[str, Any]], None] | dict[str, Any],
        *,
        user: str = "alice",
        message: str = "",
        org_id: int = 1,
    ) -> int:
        """A person saving in the UI: ``change`` mutates the model (or is merged into it).

        A dict for a uid that does not exist creates that dashboard at the root. Returns the
        new version. A dashboard whose manager keeps it read-only in the UI (§6.8) cannot be
        saved by a person: ``PermissionError``.
        """
        with self._lock:
            org = self.store.org(org_id)
            dash = org.dashboards.get(uid)
            if dash is None:
                if not isinstance(change, dict):
                    raise KeyError(f"no dashboard {uid!r} in org {org_id}")
                data = copy.deepcopy(change)
                return self.store.save(org, None, data, uid, "", user, message).version
            if read_only_in_ui(dash.annotations):
                raise PermissionError(
                    f"the UI shows {uid!r} read-only: its manager allows no edits"
                )
            data = copy.deepcopy(dash.data)
            if isinstance(change, dict):
                data.update(copy.deepcopy(change))
            else:
                change(data)
            return self.store.save(
                org, dash, data, uid, dash.folder_uid, user, message, api_version=dash.api_version
            ).version

    def add_folder(
        self, title: str, uid: str, parent_uid: str | None = None, org_id: int = 1
    ) -> None:
        with self._lock:
            org = self.store.org(org_id)
            if uid in org.folders or uid in org.dashboards:
                raise ValueError(f"uid {uid!r} already exists in org {org_id}")
            if parent_uid and parent_uid not in org.folders:
                raise KeyError(f"no parent folder {parent_uid!r} in org {org_id}")
            self.store.add_folder(org, uid, title, parent_uid or "", "admin", "")

    def provision(
        self,
        uid: str,
        dashboard: dict[str, Any],
        org_id: int = 1,
        *,
        folder_uid: str = "",
        allow_ui_updates: bool = False,
    ) -> None:
        """A file-provisioned dashboard: the file wins, so it is stored whatever is there."""
        with self._lock:
            org = self.store.org(org_id)
            data = copy.deepcopy(dashboard)
            dash = self.store.save(
                org, org.dashboards.get(uid), data, uid, folder_uid, "Anonymous", ""
            )
            dash.provisioned = True
            dash.allow_ui_updates = allow_ui_updates
            dash.external_id = f"{uid}.json"

    def install_plugin_dashboard(
        self, uid: str, dashboard: dict[str, Any], plugin_id: str, org_id: int = 1
    ) -> None:
        """A dashboard that belongs to an app plugin (saving it needs ``overwrite``)."""
        with self._lock:
            org = self.store.org(org_id)
            dash = self.store.save(org, None, copy.deepcopy(dashboard), uid, "", "admin", "")
            dash.plugin_id = plugin_id

    # -- fault injection ---------------------------------------------------------------------

    def fail_next(self, n: int = 1, status: int = 503, *, method: str | None = None) -> None:
        """The next ``n`` requests (of ``method``, if given) are answered ``status``."""
        self._plan("fail", n, status, method)

    def drop_next(self, n: int = 1, *, method: str | None = None) -> None:
        """The next ``n`` requests (of ``method``) have their connection closed, no answer."""
        self._plan("drop", n, 0, method)

    def lose_response_next(self, n: int = 1, *, method: str | None = None) -> None:
        """The next ``n`` writes (POST/PUT/PATCH/DELETE, or ``method``) are applied, then the
        connection is closed without the answer."""
        self._plan("lose-response", n, 0, method)

    def _plan(self, kind: str, n: int, status: int, method: str | None) -> None:
        with self._lock:
            self._faults.plan(kind, n, status, method)

    # -- serving -----------------------------------------------------------------------------

    def _respond(self, request: Request) -> Reply | None:
        """One request: latency, then a fault or the API's answer, recorded; None closes the
        connection without an answer."""
        path = below_sub_path(self.sub_path, request.full_path)
        if self.latency > 0:
            time.sleep(self.latency)
        with self._lock:
            fault = self._faults.pick(request.method, request.target, request.body, self)
            kind = fault.kind if fault else None
            reply: Reply | None = None
            if fault is None or fault.kind == "lose-response":
                reply = self._dispatch_safely(request, path)
            elif fault.kind == "fail":
                reply = failure_reply(fault.status)
            self.requests.append(
                Recorded(
                    method=request.method,
                    path=request.full_path if path is None else path,
                    query=request.query,
                    headers=request.headers,
                    status=reply.status if reply else None,
                    body=request.body,
                    fault=kind,
                    full_path=request.full_path,
                )
            )
        return None if kind == "lose-response" else reply

    def _dispatch_safely(self, request: Request, path: str | None) -> Reply:
        try:
            return dispatch(
                self, request.method, path, request.query, request.headers, request.body
            )
        except Exception as exc:  # a bug in the double must not look like a Grafana 500
            self.errors.append(exc)
            return error(500, message=f"grafana double crashed: {exc!r}")


def _parse_version(version: str) -> tuple[int, int]:
    found = re.match(r"^v?(\d+)\.(\d+)", version)
    if not found:
        raise ValueError(f"version must look like '12.0.0', got {version!r}")
    return int(found[1]), int(found[2])

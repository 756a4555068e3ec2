"""Which Grafana release the double plays: what it serves under ``/apis`` and how it stores.

One profile per row of Grafana API §6.1 that a publisher must handle:

- ``"11"``: Grafana 11.6, legacy ``/api`` only; ``/apis`` is not served at all.
- ``"12.0"``: the first Grafana 12: ``v0alpha1``, ``v1beta1``, ``v2alpha1``; conversion across
  the v1/v2 families is the early stub (empty spec, ``failed: true``, §6.7).
- ``"12"``: a later 12.x (12.3): ``v1beta1``, ``v0alpha1``, ``v2beta1``, ``v2alpha1``, real
  conversion, legacy storage (the generation is the legacy version: it moves on every save).
  Latest ``schemaVersion`` is 42 (§6.11) and, as in the 12.x builds whose validator fired for
  any old schemaVersion (§6.5), a v1 spec below it is a 422 in Strict mode: nothing migrates it.
- ``"13"``: Grafana 13.2: ``v1`` (``v1beta1`` its alias), ``v2``, the betas and alphas; unified
  storage (the generation moves only on a change); a v1 spec is migrated to ``schemaVersion``
  42 when stored (§6.3 mutation); dynamic dashboards on, so ``preferredVersion`` is ``v2``.
  The legacy API is deprecated but answers as before (§6.1).

Without a profile the double keeps its original behaviour (Grafana 12.0.0, legacy API only),
which the legacy publisher tests rely on.
"""

from __future__ import annotations

from dataclasses import dataclass

DASHBOARD_GROUP = "dashboard.grafana.app"
FOLDER_GROUP = "folder.grafana.app"


@dataclass(frozen=True)
class Profile:
    name: str
    version: str  # what /api/health says
    # dashboard versions in preference order with dynamic dashboards off; on, the first v2
    # one is preferred (§6.1: the toggle changes only the order)
    dashboard_versions: tuple[str, ...] = ()
    folder_versions: tuple[str, ...] = ()
    new_layouts: bool = False  # ``dashboardNewLayouts`` (dynamic dashboards), the default
    unified_storage: bool = False
    latest_schema_version: int = 42
    migrate_on_write: bool = False  # a v1 spec's schemaVersion raised to latest when stored
    conversion_stub: bool = False  # 12.0: no backend conversion between v1 and v2
    legacy_api_version: str = "v1beta1"  # what a legacy /api save is stored as

    @property
    def serves_apis(self) -> bool:
        return bool(self.dashboard_versions)

    def preferred(self, new_layouts: bool) -> str:
        """The discovery ``preferredVersion`` of dashboard.grafana.app."""
        if new_layouts:
            return next(v for v in self.dashboard_versions if v.startswith("v2"))
        return self.dashboard_versions[0]

    def ordered(self, new_layouts: bool) -> tuple[str, ...]:
        preferred = self.preferred(new_layouts)
        return (preferred, *(v for v in self.dashboard_versions if v != preferred))

    @property
    def v2_version(self) -> str:
        """The v2 version a dashboard saved in the UI with dynamic dashboards is stored as."""
        return next(v for v in self.dashboard_versions if v.startswith("v2"))


# no profile: the double as it was before the profiles, Grafana 12.0.0 over the legacy API only
LEGACY = Profile("legacy", "12.0.0")

PROFILES: dict[str, Profile] = {
    "11": Profile("11", "11.6.0"),
    "12.0": Profile(
        "12.0",
        "12.0.0",
        dashboard_versions=("v1beta1", "v0alpha1", "v2alpha1"),
        folder_versions=("v1beta1",),
        latest_schema_version=41,
        conversion_stub=True,
    ),
    "12": Profile(
        "12",
        "12.3.0",
        dashboard_versions=("v1beta1", "v0alpha1", "v2beta1", "v2alpha1"),
        folder_versions=("v1beta1",),
    ),
    "13": Profile(
        "13",
        "13.2.1",
        dashboard_versions=("v1", "v1beta1", "v0alpha1", "v2", "v2beta1", "v2alpha1"),
        folder_versions=("v1", "v1beta1"),
        new_layouts=True,
        unified_storage=True,
        migrate_on_write=True,
        legacy_api_version="v1",
    ),
}


def profile_named(name: str) -> Profile:
    try:
        return PROFILES[name]
    except KeyError:
        raise ValueError(f"profile must be one of {sorted(PROFILES)}, got {name!r}") from None

"""How our dashboards say who manages them, in the words Grafana understands (Grafana API §6.8).

Grafana 12/13 read manager annotations on every Kubernetes-style object. We set:

- ``grafana.app/managedBy: kubectl``: the kind for "applied from files by a command-line
  tool" (the kinds are a closed list: repo, terraform, kubectl, plugin, grafana, ...; any
  other word means "not managed"). Grafana's own CLI, gcx, marks its dashboards the same way.
  The dashboard's nav bar then shows the badge "Managed by: Kubectl".
- ``grafana.app/managerId: triton-dashboards``: which tool of that kind. Grafana refuses
  (403) a write that changes the kind or the id without removing the manager first, so a
  dashboard another tool manages is refused by the plan before Grafana would.
- ``grafana.app/managerAllowsEdits: "true"``: people may still edit and save it in the UI.
  That is deliberate: publish detects such an edit (the latest save is not ours) and
  refuses to overwrite it without ``--force``, so an edit made to try something out is
  kept until someone decides, instead of being blocked or silently lost.
- ``grafana.app/sourcePath``: the file it was published from, and
  ``grafana.app/sourceChecksum``: the content hash of what we sent (as in our save message).
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "ALLOWS_EDITS",
    "KINDS",
    "MANAGED_BY",
    "MANAGER_ID",
    "MANAGER_ID_KEY",
    "MANAGER_KIND",
    "SOURCE_CHECKSUM",
    "SOURCE_PATH",
    "marks",
]

MANAGED_BY = "grafana.app/managedBy"
MANAGER_ID_KEY = "grafana.app/managerId"
ALLOWS_EDITS = "grafana.app/managerAllowsEdits"
SOURCE_PATH = "grafana.app/sourcePath"
SOURCE_CHECKSUM = "grafana.app/sourceChecksum"

MANAGER_KIND = "kubectl"
MANAGER_ID = "triton-dashboards"

#: The manager kinds Grafana knows; any other value means "not managed" (Grafana API §6.8).
KINDS = frozenset(
    {
        "repo",
        "terraform",
        "kubectl",
        "plugin",
        "grafana",
        "classic-file-provisioning",
        "classic-api-provisioning",
        "classic-converted-prometheus",
    }
)


def source_path(path: Path | None) -> str:
    """The file as the user named it, relative to the working directory where it can be."""
    if path is None:
        return ""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.name


def marks(content_hash: str, source: str) -> dict[str, str]:
    """The ownership annotations of one dashboard we write."""
    found = {
        MANAGED_BY: MANAGER_KIND,
        MANAGER_ID_KEY: MANAGER_ID,
        ALLOWS_EDITS: "true",
        SOURCE_CHECKSUM: f"sha256:{content_hash}",
    }
    if source:
        found[SOURCE_PATH] = source
    return found

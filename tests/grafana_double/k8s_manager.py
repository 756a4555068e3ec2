"""Manager annotations (ownership) and what the server refuses about them (Grafana API §6.8).

Unified storage's ``managed.go`` rules: only the provisioning identity may write a ``repo``
resource (no caller of this double is it, so a write that claims or keeps ``repo`` is 403;
removing ``repo`` ownership is allowed to Admins); a managed resource cannot change manager
kind or identity without removing the manager first (403). ``terraform``/``kubectl`` do no
identity check, and unknown kinds mean "not managed". Whether legacy storage (the "12"
profile) enforces this is unverified; the double enforces it in every profile, the stricter
choice for a publisher. ``managerAllowsEdits`` is not enforced by the server: it decides
whether the UI lets a person save, which ``ui_save`` plays.
"""

from __future__ import annotations

from dataclasses import dataclass

from .auth import Identity

MANAGED_BY = "grafana.app/managedBy"
MANAGER_ID = "grafana.app/managerId"
ALLOWS_EDITS = "grafana.app/managerAllowsEdits"
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


@dataclass(frozen=True)
class Refusal:
    message: str
    cause: str = ""


def kind(annotations: dict[str, str]) -> str:
    """The manager kind, "" when not managed (absent or an unknown kind)."""
    found = annotations.get(MANAGED_BY, "")
    return found if found in KINDS else ""


def refusal(old: dict[str, str] | None, new: dict[str, str], who: Identity) -> Refusal | None:
    """Why writing ``new`` annotations over ``old`` (None on create) is refused, if it is."""
    before, after = kind(old or {}), kind(new)
    if after == "repo":
        return Refusal("Provisioned resources must be manaaged by the provisioning service account")
    if before and after and before != after:
        return Refusal(
            f"Cannot change resource manager kind from {before} to {after}; remove the "
            "existing manager first, then add the new one",
            "ResourceManagerKindConflict",
        )
    if before and after and (old or {}).get(MANAGER_ID, "") != new.get(MANAGER_ID, ""):
        return Refusal(
            "Cannot change resource manager identity; remove the existing manager first, "
            "then add the new one"
        )
    if before == "repo" and not after and who.role != "Admin":
        return Refusal("Can not remove resource manager from resource")
    return None


def read_only_in_ui(annotations: dict[str, str]) -> bool:
    """Whether the UI refuses to let a person save it (the newest ``isManagedResourceReadOnly``,
    plus ``repo``, whose saves go to the repository instead)."""
    managed = kind(annotations)
    return bool(managed) and (managed == "repo" or annotations.get(ALLOWS_EDITS) != "true")

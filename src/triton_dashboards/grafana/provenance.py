"""Where a save came from, written into Grafana with it and read back: repository, commit, who.

Every save we make carries one line, the legacy save message and the ``grafana.app/message``
annotation of ``/apis`` alike, so Grafana's own history says who published each version::

    triton-dashboards sha256:<12 hex> repo=<root> name=<remote> commit=<12 hex> by=<email>

``sha256`` is the content hash of what was sent (:func:`~.local.content_hash`); ``repo`` the
repository's root commit (12 hex: the same in every clone, https or ssh, of one repository,
and different for two repositories made apart); ``name`` the remote it was cloned from,
without credentials, for people to read; ``commit`` the commit published; ``by`` the git
user. Outside a git repository only the hash is written, as every release before this one
wrote it. Values never hold spaces, and the line stays under Grafana's 500 characters.

Reading is the mirror: :func:`parse` gives the :class:`Saved` of a message, or None when
the message is not ours.
"""

from __future__ import annotations

import re

import attrs

__all__ = ["MARK", "NOWHERE", "Origin", "Saved", "message", "origin_annotations", "parse"]

#: The first word of every save message we write; Grafana's history shows it.
MARK = "triton-dashboards"
#: Annotations of ``/apis`` saves that repeat the message's origin, for people and tools.
A_REPOSITORY = f"{MARK}/repository"
A_REMOTE = f"{MARK}/remote"
A_COMMIT = f"{MARK}/commit"
A_AUTHOR = f"{MARK}/author"
#: Grafana refuses a save message over 500 characters (Grafana API §2); each value is cut to this.
_MAX_VALUE = 100
_LINE = re.compile(rf"^{MARK} sha256:(?P<hash>[0-9a-f]{{12}})\b(?P<rest>.*)$")
_FIELD = re.compile(r"\b(repo|name|commit|by)=(\S+)")


@attrs.frozen
class Origin:
    """Where a publish comes from; all empty outside a git repository."""

    #: The root commit (12 hex): which repository, whatever its remote is called.
    repository: str = ""
    #: The remote URL without credentials ("" when there is none).
    remote: str = ""
    commit: str = ""
    author: str = ""

    @property
    def in_git(self) -> bool:
        return bool(self.repository)

    def describe(self) -> str:
        """``repository github.com/acme/dash (root 1a2b3c4d5e6f) commit 0123abcd by ann@x``."""
        if not self.in_git:
            return "outside any git repository" + (f" by {self.author}" if self.author else "")
        name = f"{self.remote} (root {self.repository})" if self.remote else self.repository
        who = self.author or "someone"
        return f"repository {name}, commit {self.commit or 'unknown'}, by {who}"


#: A publish from files outside any git repository.
NOWHERE = Origin()


@attrs.frozen
class Saved:
    """What one of our save messages says: the content hash sent, and where it came from."""

    content_hash: str
    origin: Origin


def _value(text: str) -> str:
    return "".join(text.split())[:_MAX_VALUE]


def message(content_hash: str, origin: Origin) -> str:
    """The save message for content ``content_hash`` published from ``origin``."""
    line = f"{MARK} sha256:{content_hash}"
    fields = (
        ("repo", origin.repository),
        ("name", origin.remote),
        ("commit", origin.commit),
        ("by", origin.author),
    )
    return line + "".join(f" {key}={_value(value)}" for key, value in fields if _value(value))


def parse(text: str) -> Saved | None:
    """The :class:`Saved` a message of ours records; None for anyone else's message."""
    found = _LINE.match(text)
    if found is None:
        return None
    fields = dict(_FIELD.findall(found["rest"]))
    origin = Origin(
        repository=fields.get("repo", ""),
        remote=fields.get("name", ""),
        commit=fields.get("commit", ""),
        author=fields.get("by", ""),
    )
    return Saved(found["hash"], origin)


def origin_annotations(text: str) -> dict[str, str]:
    """The ``/apis`` annotations that repeat a save message's origin ({} for none)."""
    saved = parse(text)
    if saved is None or not saved.origin.in_git:
        return {}
    origin = saved.origin
    found = {A_REPOSITORY: origin.repository, A_COMMIT: origin.commit}
    found.update({A_REMOTE: origin.remote} if origin.remote else {})
    found.update({A_AUTHOR: origin.author} if origin.author else {})
    return found

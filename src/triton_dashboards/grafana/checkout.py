"""The git checkout dashboards are published from: whose they are, and what they were.

Publishing asks git two things, and nothing else does here:

- **who publishes** (:class:`~.provenance.Origin`): the repository's root commit, its remote
  without credentials, the commit checked out, and the git user;
- **what this repository has committed** of each file: the content hash
  (:func:`~.local.content_hash`, exactly as publish hashes the file) of every version of it
  in the history of ``HEAD``. A dashboard whose live content is one of them was published
  from this history: a later commit of the same branch updates it (a fast-forward). A
  content that is not there came from another branch or another repository.

The history is listed once, by one ``git log`` over the files' directories; a version's
content is read (``git cat-file``) and hashed only when a plan asks about it, newest first,
so the usual question, "is the live copy the version before this one?", reads one or two
blobs. Outside a git repository (or without git installed) the checkout is
:data:`~.provenance.NOWHERE` with no history: see :mod:`~.plan` for what "ours" means then.

A shallow clone (CI's default ``fetch-depth: 1``) has no history to tell a fast-forward from
another branch's content, so it is refused in one line that says how to fetch it.
"""

from __future__ import annotations

import re
import subprocess
import threading
import urllib.parse
from collections.abc import Container, Iterable, Iterator
from pathlib import Path

from triton_dashboards.grafana.local import InputError, parse_text
from triton_dashboards.grafana.provenance import NOWHERE, Origin

__all__ = ["Checkout", "checkout_of", "remote_name"]

#: Seconds any git command may take.
GIT_TIMEOUT = 30.0
_SHORT = 12


class _GitFailed(Exception):
    """A git command that did not succeed; its first line of stderr."""


def _git(root: Path, *args: str) -> str:
    return _git_bytes(root, *args).decode("utf-8", "replace")


def _git_bytes(root: Path, *args: str, stdin: bytes = b"") -> bytes:
    try:
        done = subprocess.run(
            ["git", "-C", str(root), *args],
            capture_output=True,
            input=stdin,
            timeout=GIT_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise _GitFailed(str(error)) from None
    if done.returncode != 0:
        said = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise _GitFailed(said[0] if said else f"exit {done.returncode}")
    return done.stdout


def _blobs(out: bytes) -> Iterator[tuple[str, bytes]]:
    """``git cat-file --batch`` output: (blob id, content) for each blob found."""
    at = 0
    while at < len(out):
        end = out.index(b"\n", at)
        header = out[at:end].decode("ascii", "replace").split()
        at = end + 1
        if len(header) == 3:
            size = int(header[2])
            yield header[0], out[at : at + size]
            at += size + 1


def remote_name(url: str) -> str:
    """``https://tok@github.com/acme/dash.git`` or ``git@github.com:acme/dash`` ->
    ``github.com/acme/dash``: one name for every way of cloning, and never a credential."""
    url = url.strip()
    scp = re.match(r"^(?:[^@/]+@)?([^:/]+):(?!//)(.+)$", url)
    if "://" in url:
        parts = urllib.parse.urlsplit(url)
        host = (parts.hostname or "").lower()
        name = f"{host}{parts.path}" if host else parts.path
    elif scp:
        name = f"{scp[1].lower()}/{scp[2]}"
    else:
        name = url
    return name.rstrip("/").removesuffix(".git")


class _Lineage(Container[str]):
    """The content hashes of committed versions, computed newest first, lazily: of one file,
    then (when it misses) of every file in the watched directories, so a dashboard whose
    file was renamed keeps its history; ``path`` None asks every file at once."""

    def __init__(self, checkout: Checkout, path: str | None) -> None:
        self._checkout = checkout
        self._path = path

    def __contains__(self, wanted: object) -> bool:
        checkout = self._checkout
        if self._path is not None and any(h == wanted for h in checkout.hashes(self._path)):
            return True
        checkout.prime()
        return any(h == wanted for path in checkout.files() for h in checkout.hashes(path))


class Checkout:
    """A git checkout's origin and the committed versions of its dashboard files."""

    def __init__(self, origin: Origin = NOWHERE, root: Path | None = None) -> None:
        self.origin = origin
        self.root = root
        self._blobs: dict[str, list[str]] | None = None
        self._dirs: tuple[str, ...] = ()
        self._hashed: dict[str, str] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Checkout({self.origin.describe()!r})"

    def committed(self, path: Path | None) -> Container[str]:
        """The content hashes of ``path``'s versions in ``HEAD``'s history (lazily), and of
        the other files' in its directory (a renamed file's old name holds its history)."""
        if self.root is None or path is None:
            return frozenset()
        try:
            relative = path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return frozenset()
        return _Lineage(self, relative)

    def anywhere(self) -> Container[str]:
        """The content hashes of every version of every file in the watched directories,
        deleted ones included: what ``--prune`` asks of a dashboard no file publishes."""
        return _Lineage(self, None) if self.root is not None else frozenset()

    def files(self) -> list[str]:
        """Every file the watched directories' history holds."""
        self._blobs_of("")
        with self._lock:
            return sorted(self._blobs or {})

    def hashes(self, relative: str) -> Iterator[str]:
        """Each committed version's content hash, newest first. The newest is read alone (a
        fast-forward usually asks for no other); the rest, when asked, in one ``git`` call."""
        blobs = self._blobs_of(relative)
        for index, blob in enumerate(blobs):
            with self._lock:
                known = self._hashed.get(blob)
            if known is None:
                self._hash(blobs[index : index + 1] if index == 0 else blobs[index:])
                with self._lock:
                    known = self._hashed.get(blob, "")
            if known:
                yield known

    def prime(self) -> None:
        """Hash every version of every watched file not hashed yet, in one ``git`` call."""
        self._hash([blob for path in self.files() for blob in self._blobs_of(path)])

    def _hash(self, blobs: list[str]) -> None:
        """Hash ``blobs`` (those not hashed yet); a version that is not a dashboard hashes to
        "": nothing can have been published from it."""
        assert self.root is not None
        with self._lock:
            wanted = list(dict.fromkeys(b for b in blobs if b not in self._hashed))
        if not wanted:
            return
        try:
            out = _git_bytes(self.root, "cat-file", "--batch", stdin="\n".join(wanted).encode())
        except _GitFailed:
            out = b""
        found: dict[str, str] = dict.fromkeys(wanted, "")
        for blob, content in _blobs(out):
            try:
                text = content.decode("utf-8")
                found[blob] = parse_text(text, Path(blob)).content_hash
            except (UnicodeDecodeError, InputError):
                continue
        with self._lock:
            self._hashed.update(found)

    def _blobs_of(self, relative: str) -> list[str]:
        with self._lock:
            if self._blobs is None:
                self._blobs = self._list(self._dirs)
            return self._blobs.get(relative, [])

    def _list(self, dirs: Iterable[str]) -> dict[str, list[str]]:
        """Every blob each file had in ``HEAD``'s history, newest first: one ``git log``."""
        assert self.root is not None
        out = _git(
            self.root, "log", "--format=", "--raw", "--no-abbrev", "--no-renames", "-z",
            "HEAD", "--", *dirs,
        )  # fmt: skip
        found: dict[str, list[str]] = {}
        tokens = out.split("\0")
        for meta, path in zip(tokens[::2], tokens[1::2], strict=False):
            fields = meta.strip().split()
            if len(fields) < 4 or not fields[0].startswith(":"):
                continue
            blob = fields[3]
            if set(blob) != {"0"}:
                versions = found.setdefault(path, [])
                if blob not in versions:
                    versions.append(blob)
        return found

    def watch(self, paths: Iterable[Path]) -> None:
        """The directories whose history :meth:`committed` will be asked about."""
        if self.root is None:
            return
        dirs = set()
        for path in paths:
            try:
                dirs.add(path.resolve().parent.relative_to(self.root).as_posix() or ".")
            except ValueError:
                continue
        self._dirs = tuple(sorted(dirs))


def _origin(root: Path) -> Origin:
    roots = _git(root, "rev-list", "--max-parents=0", "HEAD").split()
    head = _git(root, "rev-parse", "HEAD").strip()
    remotes = _git(root, "remote").split()
    remote = ""
    if remotes:
        name = "origin" if "origin" in remotes else remotes[0]
        remote = remote_name(_git(root, "remote", "get-url", name))
    try:
        author = _git(root, "config", "user.email").strip()
    except _GitFailed:
        author = _git(root, "log", "-1", "--format=%ae", "HEAD").strip()
    return Origin(min(roots)[:_SHORT], remote, head[:_SHORT], author)


def checkout_of(paths: Iterable[Path]) -> Checkout:
    """The checkout holding the first of ``paths``; one outside git when there is none.

    Raises InputError (one line) for a shallow clone and for a repository git cannot read.
    """
    files = list(paths)
    if not files:
        return Checkout()
    where = files[0].resolve().parent
    try:
        top = _git(where, "rev-parse", "--show-toplevel").strip()
    except _GitFailed as failed:
        text = str(failed)
        if "not a git repository" in text or "No such file" in text or not text:
            return Checkout()
        raise InputError(f"git cannot read {where} ({text}); fix the checkout") from None
    root = Path(top).resolve()
    try:
        if _git(root, "rev-parse", "--is-shallow-repository").strip() == "true":
            raise InputError(
                f"{root} is a shallow clone: publish needs the history of the dashboards to "
                "tell a later commit from another branch's; fetch it (`git fetch --unshallow`, "
                "or fetch-depth: 0 in actions/checkout)"
            )
        origin = _origin(root)
    except _GitFailed as failed:
        if "HEAD" in str(failed) or "ambiguous argument" in str(failed):
            return Checkout()  # a repository without a commit yet: nothing committed
        raise InputError(f"git cannot read {root} ({failed}); fix the checkout") from None
    checkout = Checkout(origin, root)
    checkout.watch(files)
    return checkout

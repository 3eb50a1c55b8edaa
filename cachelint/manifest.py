"""The stat manifest: what the last run found per file, so a warm run reads no unchanged file.

The result cache (:mod:`cachelint.result_cache`) is addressed by content: using it means
reading and hashing every file. The manifest sits in front of it, like ruff's cache: one
JSON file per run key (the result cache's settings key, which covers the keyed settings,
the cachelint version and its code, plus the working directory and the paths linted)
that maps each linted file's absolute path to an :class:`Entry`: the file's signature
``(st_mtime_ns, st_size, st_ino)`` taken before it was read, the sha256 of what was read,
whether it passed the pass-one decorator screen (:func:`cachelint.project.may_define_cache`),
the decorator modules its result depended on and its diagnostics before per-file ignores.
With it the manifest keeps whether the run built a project index (it had several files),
the signatures of the dependency modules that were not linted themselves, and, for every
directory whose ``__init__.py`` decides a module name, whether it had one.

A file is unchanged when its signature equals the entry's and the entry is not *racy*:
a file modified within :data:`RACY_NS` of when the manifest was written could have been
modified again in the same clock tick after it was read (git's racy-git rule), so such an
entry is re-checked by content (:meth:`Manifest.is_racy`). How a run uses all this is
:mod:`cachelint.incremental`.

The file is JSON only (never pickle or marshal: reading a cache must not be able to run
code), written atomically (temporary file + ``os.replace``). A missing, unreadable or
malformed manifest is an empty one; a malformed entry is a missing entry.
"""
from __future__ import annotations

import hashlib
import json
import os
import time
from typing import Dict, Iterable, NamedTuple, Optional, Sequence, Tuple, Union

from .result_cache import MISSING, read_json, write_json

#: ``(st_mtime_ns, st_size, st_ino)`` of a file.
Signature = Tuple[int, int, int]
#: A dependency module's signature, :data:`MISSING`, or None (unknown: compare the content).
DepSignature = Union[Signature, str, None]

#: Nanoseconds before the manifest's writing time within which a file's modification time
#: makes its entry racy (2 s: the coarsest common timestamp granularity, FAT's).
RACY_NS = 2_000_000_000
#: Manifests kept per cache directory (one per run key); the oldest are removed beyond it.
MAX_MANIFESTS = 16
_LAYOUT = "manifests-v1"
_FORMAT = 1


class Entry(NamedTuple):
    """What the manifest knows about one linted file.

    Attributes:
        mtime_ns, size, ino: the file's signature (``os.stat``), taken before it was read.
        digest: hex sha256 of the bytes that were linted.
        screened: the bytes passed :func:`cachelint.project.may_define_cache` (the file
            may define a project decorator, so the project index depends on it).
        deps: ``(module path, hex sha256 or "missing")`` of every decorator module the
            result was looked up in, sorted.
        diagnostics: the diagnostics before per-file ignores, as
            :func:`cachelint.result_cache.diagnostic_to_json` dicts (no path).
    """

    mtime_ns: int
    size: int
    ino: int
    digest: str
    screened: bool
    deps: Tuple[Tuple[str, str], ...]
    diagnostics: Tuple[dict, ...]

    @property
    def signature(self) -> Signature:
        return (self.mtime_ns, self.size, self.ino)

    def to_json(self) -> list:
        return [self.mtime_ns, self.size, self.ino, self.digest, self.screened,
                [list(dep) for dep in self.deps], list(self.diagnostics)]

    @classmethod
    def from_json(cls, item) -> Optional["Entry"]:
        """The entry stored as ``item``, or None when ``item`` is malformed."""
        if type(item) is not list or len(item) != 7:
            return None
        mtime_ns, size, ino, digest, screened, deps, diagnostics = item
        # exact types: JSON gives nothing else (and True is no size)
        if not (type(mtime_ns) is int and type(size) is int and type(ino) is int and type(digest) is str
                and type(screened) is bool and type(deps) is list and type(diagnostics) is list):
            return None
        if deps:
            if not all(type(d) is list and len(d) == 2 and type(d[0]) is str and type(d[1]) is str for d in deps):
                return None
            deps = tuple((d[0], d[1]) for d in deps)
        if diagnostics and not all(type(d) is dict for d in diagnostics):
            return None
        return cls(mtime_ns, size, ino, digest, screened, tuple(deps), tuple(diagnostics))


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def signature(path: str) -> Optional[Signature]:
    """``(st_mtime_ns, st_size, st_ino)`` of the regular file ``path``; None if it is not one or cannot be stat'ed."""
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return None
    if (info.st_mode & 0o170000) != 0o100000:  # not S_ISREG (the stat module costs an import)
        return None
    return (info.st_mtime_ns, info.st_size, info.st_ino)


def has_init(directory: str) -> bool:
    """Whether ``directory`` holds ``__init__.py`` or ``__init__.pyi`` (what makes it a package)."""
    return os.path.isfile(os.path.join(directory, "__init__.py")) or os.path.isfile(os.path.join(directory, "__init__.pyi"))


def package_dirs(paths: Iterable[str]) -> Dict[str, bool]:
    """Directory -> :func:`has_init` for every directory the module names of ``paths`` depend on.

    :func:`cachelint.project.module_name_for` walks up from a file's directory while the
    directory is a package; the walk visits the same directories here, including the
    first one that is not a package (an ``__init__.py`` created there changes names too).
    """
    out: Dict[str, bool] = {}
    for directory in {os.path.dirname(p) for p in paths}:
        while directory not in out:
            found = out[directory] = has_init(directory)
            parent = os.path.dirname(directory)
            if not found or parent == directory:
                break
            directory = parent
    return out


def run_key(settings_key: str, cwd: str, paths: Sequence[str]) -> str:
    """The manifest's key: the result cache's ``settings_key``, the working directory and the paths.

    The working directory is a root the project's decorator modules are looked up under
    and decides the displayed paths; the paths decide which files make the project index.
    """
    blob = json.dumps([_FORMAT, settings_key, cwd, sorted({os.path.abspath(p) for p in paths})])
    return hashlib.sha256(blob.encode("utf-8", "surrogatepass")).hexdigest()


class Manifest:
    """One run's manifest (see the module docstring); loading or saving never raises.

    Attributes:
        path: the JSON file (``<cache dir>/manifests-v1/<key>.json``).
        written_ns: ``time.time_ns()`` when the loaded manifest was written (0 if empty).
        files: absolute path -> :class:`Entry`.
        indexed: the run built a project index (:func:`cachelint.engine.prepare` does for
            several files, not for one).
        inits: :func:`package_dirs` of the run's files.
        deps: path -> signature of every dependency module that was not linted itself,
            :data:`MISSING` when it did not exist, or None when it must be re-checked by
            content (its signature is unknown).
        patterns: the exclude and ``.gitignore`` pattern translations of the run
            (:func:`cachelint.files.export_translations`), so the next walk need not import
            pathspec; None when there were none.
    """

    def __init__(self, root: str, key: str):
        self.root = root
        self.path = os.path.join(root, _LAYOUT, key + ".json")
        self.written_ns = 0
        self.files: Dict[str, Entry] = {}
        self.indexed = False
        self.inits: Dict[str, bool] = {}
        self.deps: Dict[str, DepSignature] = {}
        self.patterns: Optional[dict] = None
        #: whether a manifest was read (an empty one is also what a malformed file gives)
        self.loaded = False

    @classmethod
    def load(cls, root: str, key: str) -> "Manifest":
        """The manifest stored under ``root`` for ``key``; an empty one if there is none or it is malformed."""
        manifest = cls(root, key)
        value = read_json(manifest.path)
        if value is None or value.get("format") != _FORMAT:
            return manifest
        written, files, indexed, inits, deps = (value.get(k) for k in ("written_ns", "files", "indexed", "inits", "deps"))
        if not (_is_int(written) and isinstance(files, dict) and isinstance(indexed, bool)
                and isinstance(inits, dict) and isinstance(deps, dict)):
            return manifest
        if not all(isinstance(v, bool) for v in inits.values()):
            return manifest
        checked_deps: Dict[str, DepSignature] = {}
        for path, sig in deps.items():
            if sig is None or sig == MISSING:
                checked_deps[path] = sig
            elif isinstance(sig, list) and len(sig) == 3 and all(_is_int(v) for v in sig):
                checked_deps[path] = (sig[0], sig[1], sig[2])
            else:
                return manifest
        entries = {}
        for path, item in files.items():
            entry = Entry.from_json(item)
            if entry is not None:
                entries[path] = entry
        manifest.written_ns, manifest.files, manifest.indexed = written, entries, indexed
        manifest.inits, manifest.deps, manifest.loaded = inits, checked_deps, True
        patterns = value.get("patterns")
        manifest.patterns = patterns if isinstance(patterns, dict) else None
        return manifest

    def is_racy(self, sig: Signature) -> bool:
        """Whether a file with signature ``sig`` was modified too close to (or after) the writing.

        Such a file may have changed again after it was read without changing its
        signature (timestamps have a granularity), so its content must be compared.
        """
        return sig[0] >= self.written_ns - RACY_NS

    def unchanged(self, path: str, sig: Optional[Signature]) -> bool:
        """Whether ``path``, now with signature ``sig``, is known unchanged without reading it."""
        entry = self.files.get(path)
        return entry is not None and sig is not None and entry.signature == sig and not self.is_racy(sig)

    def save(self) -> bool:
        """Write the manifest (atomically), stamping :attr:`written_ns`; False when it could not be written.

        Keeps at most :data:`MAX_MANIFESTS` manifests in the directory, removing the least
        recently written.
        """
        self.written_ns = time.time_ns()
        value = {
            "format": _FORMAT,
            "written_ns": self.written_ns,
            "files": {path: entry.to_json() for path, entry in self.files.items()},
            "indexed": self.indexed,
            "inits": self.inits,
            "deps": {path: list(sig) if isinstance(sig, tuple) else sig for path, sig in self.deps.items()},
            "patterns": self.patterns,
        }
        if not write_json(self.root, self.path, value):
            return False
        _prune(os.path.dirname(self.path), keep=self.path)
        return True


def _prune(directory: str, keep: str) -> None:
    try:
        names = [n for n in os.listdir(directory) if n.endswith(".json")]
        if len(names) <= MAX_MANIFESTS:
            return
        dated = []
        for name in names:
            path = os.path.join(directory, name)
            try:
                dated.append((os.stat(path).st_mtime_ns, path))
            except OSError:
                continue
        dated.sort()
        for _, path in dated[: max(0, len(dated) - MAX_MANIFESTS)]:
            if path != keep:
                os.unlink(path)
    except OSError:
        return


__all__ = ["DepSignature", "Entry", "MISSING", "Manifest", "Signature", "RACY_NS", "has_init", "package_dirs", "run_key", "signature"]

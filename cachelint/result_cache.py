"""The result cache: each file's diagnostics, stored under a key of exactly what shapes them.

A lint result depends on the file's content, the settings that change what is reported
(rule selection, lexicon extensions, declared decorators, ``--ignore-noqa``), the
cachelint version and code (its modules' sizes and modification times), the package the file sits in (relative imports resolve against it)
and, because the project's own decorators are read from other modules, the content of
every module the file's decorators were looked up in. The first four make the key; the
last is stored with the entry as ``(path, digest)`` pairs and checked on every hit, so
editing ``myapp/caching.py`` invalidates the files that use its decorators and nothing
else. The file's own path is not part of the key: a renamed file in the same package
still hits and its diagnostics are re-pathed. Per-file ignores are applied after the
cache, since they depend on the path.

Summaries of project decorators are cached the same way (content, module name, version),
so a warm run parses no file at all.

Entries are JSON (never pickle: loading a cache entry must not be able to run code),
written to a temporary file and moved into place, so a crash or a concurrent run never
leaves a torn entry; an unreadable or malformed entry is a miss.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from . import __version__
from .models import Diagnostic, Fix

#: Settings fields that change which diagnostics a file gets (discovery and per-file
#: fields do not: they decide which files are read, or are applied after the cache).
_KEYED_SETTINGS = ("select", "extend_select", "ignore", "extend_per_call_names", "decorators", "ignore_noqa")
_LAYOUT = "results-v1"
#: Digest recorded for a module file that does not exist.
MISSING = "missing"

Dependency = Tuple[str, str]


def default_directory(root: str) -> str:
    """``$CACHELINT_CACHE_DIR`` when set, else ``.cachelint_cache`` under ``root``."""
    return os.environ.get("CACHELINT_CACHE_DIR") or os.path.join(root, ".cachelint_cache")


def code_digest() -> str:
    """Digest of cachelint's own modules (name, size, modification time).

    Part of every key, so editing a rule in a development checkout never serves results
    of the old code (a released version changes the version too).
    """
    package = os.path.dirname(os.path.abspath(__file__))
    h = hashlib.sha256()
    for directory, _, names in sorted(os.walk(package)):
        for name in sorted(names):
            if name.endswith(".py"):
                try:
                    info = os.stat(os.path.join(directory, name))
                except OSError:
                    continue
                h.update(f"{os.path.relpath(os.path.join(directory, name), package)}:{info.st_size}:{info.st_mtime_ns};".encode())
    return h.hexdigest()


def settings_digest(settings, code: Optional[str] = None) -> str:
    """Hex digest of the settings fields that shape diagnostics, the version and the code.

    ``code`` is :func:`code_digest` when the caller has it already.
    """
    values = {name: getattr(settings, name, None) for name in _KEYED_SETTINGS}
    values["decorators"] = [dataclasses.asdict(d) for d in values["decorators"] or ()]
    blob = json.dumps([__version__, code or code_digest(), values], sort_keys=True, default=list)
    return hashlib.sha256(blob.encode()).hexdigest()


class ResultCache:
    """A directory of cached lint results (see the module docstring).

    ``directory`` is created on first write (with a ``.gitignore`` that ignores it
    all). Reads and writes never raise: any OS error makes the cache a no-op for that
    entry. ``hits`` and ``misses`` count lookups of file results.
    """

    def __init__(self, directory: str, settings):
        self.directory = os.path.join(directory, _LAYOUT)
        self.root = directory
        self.code_key = code_digest()
        self.settings_key = settings_digest(settings, self.code_key)
        self.hits = 0
        self.misses = 0
        self._digests: Dict[str, str] = {}
        #: module path -> ``(st_mtime_ns, st_size, st_ino)`` taken before its digest was read
        #: (None when it could not be read), for every path :meth:`file_digest` hashed
        self.signatures: Dict[str, Optional[Tuple[int, int, int]]] = {}
        #: when a dict, every :meth:`file_digest` call adds ``path -> digest`` to it: the
        #: decorator modules a file's result depends on (see :mod:`cachelint.incremental`)
        self.consulted: Optional[Dict[str, str]] = None

    # -- keys ----------------------------------------------------------------------------
    def _path(self, kind: str, *parts: str) -> str:
        key = hashlib.sha256("\0".join((kind, __version__, self.code_key, *parts)).encode()).hexdigest()
        return os.path.join(self.directory, key[:2], key)

    def file_digest(self, path: str) -> str:
        """sha256 of a file's bytes (memoised for the run), or :data:`MISSING`.

        The file's signature is taken (``fstat``) before its bytes are read and kept in
        :attr:`signatures`, so a later change of the file always changes its signature.
        """
        if path not in self._digests:
            try:
                with open(path, "rb") as handle:
                    info = os.fstat(handle.fileno())
                    self._digests[path] = hashlib.sha256(handle.read()).hexdigest()
                self.signatures[path] = (info.st_mtime_ns, info.st_size, info.st_ino)
            except OSError:
                self._digests[path] = MISSING
                self.signatures[path] = None
        if self.consulted is not None:
            self.consulted[path] = self._digests[path]
        return self._digests[path]

    # -- file results ----------------------------------------------------------------------
    def get(self, content: bytes, package: str, shown: str) -> Optional[List[Diagnostic]]:
        """The cached diagnostics for this content, re-pathed to ``shown``, or None."""
        entry = self._read(self._path("result", self.settings_key, package, sha(content)))
        if entry is None or not isinstance(entry.get("deps"), list) or not isinstance(entry.get("diagnostics"), list):
            self.misses += 1
            return None
        for dep in entry["deps"]:
            if not (isinstance(dep, list) and len(dep) == 2 and self.file_digest(dep[0]) == dep[1]):
                self.misses += 1
                return None
        try:
            out = [diagnostic_from_json(item, shown) for item in entry["diagnostics"]]
        except (TypeError, KeyError, ValueError):
            self.misses += 1
            return None
        self.hits += 1
        return out

    def put(self, content: bytes, package: str, diagnostics: Sequence[Diagnostic], deps: Iterable[Dependency]) -> None:
        """Store the diagnostics of this content and the module digests they depend on."""
        entry = {
            "diagnostics": [d.as_dict() for d in diagnostics],
            "deps": sorted({(path, digest) for path, digest in deps}),
        }
        self._write(self._path("result", self.settings_key, package, sha(content)), entry)

    # -- decorator summaries -----------------------------------------------------------------
    def get_summaries(self, content: bytes, module_name: str) -> Optional[Dict[str, object]]:
        """Cached summaries of the decorators a module defines, or None."""
        from .inference import Summary

        entry = self._read(self._path("summaries", module_name, sha(content)))
        if entry is None or not isinstance(entry.get("summaries"), list):
            return None
        try:
            found = [Summary(**{k: tuple(v) if isinstance(v, list) else v for k, v in item.items()}) for item in entry["summaries"]]
        except TypeError:
            return None
        return {s.qualname: s for s in found}

    def put_summaries(self, content: bytes, module_name: str, summaries: Dict[str, object]) -> None:
        """Store the summaries of the decorators a module defines (an empty dict too)."""
        items = [dataclasses.asdict(s) for s in summaries.values()]
        self._write(self._path("summaries", module_name, sha(content)), {"summaries": items})

    # -- storage -----------------------------------------------------------------------------
    def _read(self, path: str) -> Optional[dict]:
        return read_json(path)

    def _write(self, path: str, value: dict) -> None:
        write_json(self.root, path, value)


def read_json(path: str) -> Optional[dict]:
    """The JSON object stored at ``path``, or None when it is missing, unreadable or not an object."""
    try:
        with open(path, "rb") as handle:
            value = json.loads(handle.read().decode("utf-8"))
    except (OSError, ValueError, UnicodeDecodeError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def write_json(root: str, path: str, value: dict) -> bool:
    """Write ``value`` as JSON to ``path`` (under the cache directory ``root``) atomically.

    The bytes go to a temporary file in the same directory, which is then moved over
    ``path`` (``os.replace``): readers see the old file or the new one, never a torn one,
    also when the run is interrupted. ``root`` is created on first use with a
    ``.gitignore`` that ignores it all. Returns False (and writes nothing) on any OS error.
    """
    import tempfile

    directory = os.path.dirname(path)
    try:
        if not os.path.isdir(root):
            os.makedirs(root, exist_ok=True)
            with open(os.path.join(root, ".gitignore"), "w") as handle:
                handle.write("# Created by cachelint: the result cache.\n*\n")
        os.makedirs(directory, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(json.dumps(value, separators=(",", ":")).encode("utf-8"))
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
    except OSError:
        return False
    return True


def sha(content: bytes) -> str:
    """Hex sha256 of ``content``: the digest every cache entry and manifest uses."""
    return hashlib.sha256(content).hexdigest()


def diagnostic_to_json(diagnostic: Diagnostic) -> dict:
    """``diagnostic.as_dict()`` without the path (entries are re-pathed when read)."""
    item = diagnostic.as_dict()
    del item["path"]
    return item


def diagnostic_from_json(item: dict, shown: str) -> Diagnostic:
    """A :class:`Diagnostic` from a stored dict, with ``path`` set to ``shown``.

    Raises TypeError, KeyError or ValueError when ``item`` is malformed.
    """
    values = dict(item)
    values["path"] = shown
    fix = values.get("fix")
    values["fix"] = Fix(**fix) if isinstance(fix, dict) else None
    return Diagnostic(**values)

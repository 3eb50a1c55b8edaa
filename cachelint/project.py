"""The project index: the linted tree's own cache decorators, read before any rule runs.

Pass one reads every file that could define a decorator (a byte pre-check: star
parameters plus a key or storage word) and records a :class:`~cachelint.inference.Summary`
per top-level decorator under its qualified name (``pkg.module.name``). Pass two lints
files; a decorator imported from another module of the tree (``from myapp.cache import
cacheable``, ``from . import cache``) is then modelled from its summary instead of by name.
"""
from __future__ import annotations

import hashlib
import os
import re
from typing import Dict, Iterable, Iterator, Mapping, Optional, Set, Tuple

from . import files

#: A file can define a cache decorator only when it has a star parameter or argument and
#: a word for keys or storage.
_STAR = re.compile(rb"\*\*?\s*\w+\s*[,)]")
_WORDS = re.compile(rb"hashlib|pickle|json\.dump|shelve|sqlite3|marshal|cach|memo|lru|persist|_store", re.IGNORECASE)


def may_define_decorator(data: bytes) -> bool:
    """Cheap byte test: could this file define a home-made cache decorator?"""
    return bool(_STAR.search(data)) and bool(_WORDS.search(data))


def package_root(path: str) -> Optional[str]:
    """The directory that holds the top package of ``path`` (the import root), or None."""
    if path in ("<string>", "-", ""):
        return None
    name, is_package = module_name_for(path)
    root = os.path.dirname(os.path.abspath(path))
    depth = name.count(".") + (1 if is_package else 0)
    for _ in range(depth):
        root = os.path.dirname(root)
    return root


def module_name_for(path: str) -> Tuple[str, bool]:
    """``(dotted module name, is_package)`` for a file path, from the ``__init__.py`` chain.

    ``src/myapp/cache.py`` with ``src/myapp/__init__.py`` gives ``("myapp.cache", False)``;
    ``"<string>"`` and ``"-"`` give ``("", False)``.
    """
    if path in ("<string>", "-", ""):
        return "", False
    absolute = os.path.abspath(path)
    directory, filename = os.path.split(absolute)
    stem = filename.rsplit(".", 1)[0]
    is_package = stem == "__init__"
    parts = [] if is_package else [stem]
    while os.path.isfile(os.path.join(directory, "__init__.py")) or os.path.isfile(os.path.join(directory, "__init__.pyi")):
        directory, name = os.path.split(directory)
        parts.insert(0, name)
        if not name:
            break
    return ".".join(p for p in parts if p), is_package


def summaries(module, resolver, module_name: str) -> Dict[str, object]:
    """Summaries of the decorators defined at the top level of a parsed module."""
    from .inference import find_definitions

    return {d.summary.qualname: d.summary for d in find_definitions(module, resolver, module_name)}


def build_index(sources: Iterable[files.SourceFile]) -> Dict[str, object]:
    """Read the files that may define decorators; return qualified name -> Summary.

    Files that cannot be read, decoded or parsed are skipped here (pass two reports them).
    """
    import libcst as cst

    from .analysis import Resolver

    index: Dict[str, object] = {}
    for source in sources:
        data = files.read_source(source.abs_path)
        if isinstance(data, files.ReadError) or not may_define_decorator(data):
            continue
        text = files.decode_source(data, source.path)
        if isinstance(text, files.ReadError):
            continue
        try:
            module = cst.parse_module(text)
        except Exception:  # syntax errors are reported by pass two; RecursionError included
            continue
        name, is_package = module_name_for(source.abs_path)
        try:
            index.update(summaries(module, Resolver(module, name, is_package), name))
        except RecursionError:
            continue
    return index


def index_digest(index: Dict[str, object]) -> str:
    """A stable digest of the index (for result caches keyed on it)."""
    h = hashlib.sha256()
    for name in sorted(index):
        h.update(repr(index[name]).encode())
    return h.hexdigest()


class ProjectIndex(Mapping):
    """Qualified name -> Summary of the project's decorators, read from disk on demand.

    Decorators found by :func:`build_index` are known up front; any other qualified name
    (``myapp.cache.cacheable``) is looked up by finding ``myapp/cache.py`` (or
    ``myapp/cache/__init__.py``) under one of the import roots of the linted files and
    reading it, once. The module is never imported. Libraries cachelint models are never
    looked up.
    """

    def __init__(self, known: Optional[Dict[str, object]] = None, roots: Iterable[str] = ()):
        self.known: Dict[str, object] = dict(known or {})
        self.roots: list = []
        self._read: Set[str] = set()
        for root in roots:
            self.add_root(root)

    def add_root(self, root: Optional[str]) -> None:
        """Search ``root`` for project modules too."""
        if root and root not in self.roots:
            self.roots.append(root)

    def __getitem__(self, qualname: str):
        if qualname not in self.known:
            self._load_for(qualname)
        return self.known[qualname]

    def __contains__(self, qualname) -> bool:
        try:
            self[qualname]
        except KeyError:
            return False
        return True

    def __iter__(self) -> Iterator[str]:
        return iter(self.known)

    def __len__(self) -> int:
        return len(self.known)

    def _load_for(self, qualname: str) -> None:
        from .libraries import KNOWN_ROOTS

        module = qualname.rpartition(".")[0]
        if not module or module.split(".")[0] in KNOWN_ROOTS or module.startswith("."):
            return
        for root in self.roots:
            base = os.path.join(root, *module.split("."))
            for candidate in (base + ".py", os.path.join(base, "__init__.py")):
                if candidate in self._read:
                    continue
                if os.path.isfile(candidate):
                    self._read.add(candidate)
                    self.known.update(build_index([files.SourceFile(candidate, candidate)]))
                    if qualname in self.known:
                        return

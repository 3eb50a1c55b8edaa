"""The project index: the linted tree's own cache decorators, read before any rule runs.

Pass one reads every file that could define a decorator (a byte pre-check: star
parameters plus a key or storage word) and records a :class:`~cachelint.inference.Summary`
per top-level decorator under its qualified name (``pkg.module.name``). Pass two lints
files; a decorator imported from another module of the tree (``from myapp.cache import
cacheable``, ``from . import cache``) is then modelled from its summary instead of by name.
"""
from __future__ import annotations

import ast
import os
import re
import warnings
from typing import Dict, Iterable, Iterator, List, Mapping, Optional, Sequence, Set, Tuple

from . import files
from .prefilter import Prefilter

#: Home-made cache decorators are named like caches (``cacheable``, ``disk_cache``,
#: ``memoize``); a top-level definition with such a name is the cheap first screen.
_SCREEN = Prefilter()
_CACHE_WORD = re.compile(r"cach|memo|persist|lru", re.IGNORECASE)
_STORE_METHODS = frozenset({"setdefault", "set", "put", "dump", "dumps", "write_bytes", "write_text", "hexdigest",
                            "digest", "get", "exists", "setex", "hset", "cache", "memoize"})


def may_define_cache(data: bytes) -> bool:
    """The byte screen of :func:`may_define_decorator` alone (no parsing)."""
    return _SCREEN.may_define_cache(data)


def may_define_decorator(data: bytes) -> bool:
    """Whether ``data`` may define a home-made cache decorator (memoised per content).

    Two screens, cheapest first: the bytes must hold a top-level ``def``/``class`` named
    like a cache; then in the ``ast`` tree such a function (or class with ``__call__``)
    must have a nested function that calls one of the enclosing parameters (the wrapped
    function) while something stores or hashes. Only files that pass are given to libcst.
    A cache decorator named otherwise (``@remember``) is still read when a module that
    uses it imports it (see :class:`ProjectIndex`), but its own body is not checked.
    """
    if not _SCREEN.may_define_cache(data):
        return False
    key = (len(data), hash(data))
    if key not in _SCREENED:
        if len(_SCREENED) > 100_000:
            _SCREENED.clear()
        _SCREENED[key] = _defines_decorator(_cache_named_statements(data))  # both passes ask: once per content
    return _SCREENED[key]


#: A definition named like a cache, at any indentation (inside a top-level ``if``/``try``).
_NAMED_DEFINITION = re.compile(r"^[ \t]*(?:async[ \t]+)?(?:def|class)[ \t]+\w*(?:cach|memo|persist|lru)", re.IGNORECASE | re.MULTILINE)


def _cache_named_statements(data: bytes) -> List[ast.stmt]:
    """The top-level statements of ``data`` that hold a cache-named definition, parsed.

    Only those statements are parsed (see :mod:`cachelint.segment`); a file the segmenter
    cannot follow is parsed whole. A file that does not parse gives no statements.
    """
    from .segment import defined_name, top_level_spans

    text = files.decode_source(data, "<screen>")
    if isinstance(text, files.ReadError):
        return []
    spans = top_level_spans(text)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if spans is None:
                return ast.parse(text).body
            lines = text.split("\n")
            out: List[ast.stmt] = []
            for start, end in spans:
                chunk = "\n".join(lines[start - 1:end])
                own = defined_name(chunk)
                if own is not None and not _CACHE_WORD.search(own):
                    continue  # only its own name can make a definition a decorator to read
                if _NAMED_DEFINITION.search(chunk):
                    out.extend(ast.parse(chunk).body)
            return out
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []


def _defines_decorator(statements: List[ast.stmt]) -> bool:
    return any(
        isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and _CACHE_WORD.search(node.name)
        and _looks_like_decorator(node)
        for node in _top_level(statements)
    )


#: (length, hash) of contents already screened by the ast check -> the answer, for this process.
_SCREENED: Dict[Tuple[int, int], bool] = {}


def _top_level(body):
    for node in body:
        yield node
        if isinstance(node, (ast.If, ast.Try)):
            yield from _top_level(node.body)
            yield from _top_level(node.orelse)


def _looks_like_decorator(node: ast.AST) -> bool:
    if isinstance(node, ast.ClassDef):
        methods = {n.name: n for n in node.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
        call = methods.get("__call__")
        return call is not None and "__init__" in methods and _stores(call)
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return False
    enclosing = {a.arg for a in node.args.posonlyargs + node.args.args + node.args.kwonlyargs}
    for inner in ast.walk(node):
        if inner is node or not isinstance(inner, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        enclosing |= {a.arg for a in inner.args.posonlyargs + inner.args.args}
    wraps_a_call = any(
        isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in enclosing
        for inner in ast.walk(node) if inner is not node and isinstance(inner, (ast.FunctionDef, ast.AsyncFunctionDef))
        for n in ast.walk(inner)
    )
    delegates = any(isinstance(n, ast.Return) and isinstance(n.value, ast.Call) for n in node.body)
    return (wraps_a_call or delegates) and _stores(node)


def _stores(node: ast.AST) -> bool:
    for n in ast.walk(node):
        if isinstance(n, ast.Subscript) and isinstance(n.ctx, ast.Store):
            return True
        if isinstance(n, ast.Call):
            func = n.func
            if isinstance(func, ast.Attribute) and func.attr in _STORE_METHODS:
                return True
            if isinstance(func, ast.Name) and func.id in ("hash", "repr", "lru_cache", "cache", "open"):
                return True
            if isinstance(func, ast.Call):
                return True  # lru_cache(maxsize=None)(fn)
        if isinstance(n, ast.Compare) and any(isinstance(op, (ast.In, ast.NotIn)) for op in n.ops):
            return True
    return False


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
    return _module_name(path, {})


def _module_name(path: str, packages: Dict[str, Tuple[str, ...]]) -> Tuple[str, bool]:
    """:func:`module_name_for` of a file path, with ``packages`` remembering directories across calls."""
    directory, filename = os.path.split(os.path.abspath(path))
    stem = filename.rsplit(".", 1)[0]
    is_package = stem == "__init__"
    parts = _package_parts(directory, packages) + (() if is_package else (stem,))
    return ".".join(p for p in parts if p), is_package


def summaries(module, resolver, module_name: str) -> Dict[str, object]:
    """Summaries of the decorators defined at the top level of a parsed module."""
    from .inference import find_definitions

    return {d.summary.qualname: d.summary for d in find_definitions(module, resolver, module_name)}


def build_index(sources: Iterable[files.SourceFile]) -> Dict[str, str]:
    """Pass one: module name -> file of every linted module that may define a cache decorator.

    Only the byte screen runs here (no parsing): a decorator is read, and its summary
    made, when a file that uses it is linted (:class:`ProjectIndex` looks its module up in
    this map first, then under the import roots). Unreadable files are skipped (pass two
    reports them).
    """
    modules: Dict[str, str] = {}
    for source, _ in _may_define(sources):
        modules.setdefault(module_name_for(source.abs_path)[0], source.abs_path)
    return modules


class ModuleFiles(Mapping):
    """:func:`build_index`'s map made without reading a file: module name -> file, resolved on lookup.

    Built from the paths of the linted files alone (``paths``, absolute, in discovery
    order); a lookup of a module name finds the linted files of that name and reads them in
    order, answering the first that is readable and passes the decorator screen, which is
    exactly the entry :func:`build_index` would have made. A parallel run can so hand files
    to its workers before it has read them all, and pays for module names only where a
    lookup happens (a worker, a few times a run). Answers are remembered; iterating
    resolves every name.
    """

    def __init__(self, paths: Sequence[str]):
        self.paths = list(paths)
        self._resolved: Dict[str, Optional[str]] = {}
        self._packages: Dict[str, Tuple[str, ...]] = {}  # directory -> its package's name parts
        self._by_stem: Optional[Dict[str, List[int]]] = None  # file stem -> positions in paths

    def candidates(self, name: str) -> List[str]:
        """The linted files whose module name is ``name``, in discovery order."""
        if self._by_stem is None:  # a module's last part is its file's stem (its directory's, for __init__)
            self._by_stem = {}
            for position, path in enumerate(self.paths):
                directory, filename = os.path.split(path)
                stem = filename.rsplit(".", 1)[0]
                if stem == "__init__":
                    stem = os.path.basename(directory)
                self._by_stem.setdefault(stem, []).append(position)
        # a stem may hold dots itself ("a.b.py" is module "a.b"): every dotted suffix of the name
        parts = name.split(".")
        positions = sorted(p for i in range(len(parts)) for p in self._by_stem.get(".".join(parts[i:]), ()))
        return [self.paths[p] for p in positions if _module_name(self.paths[p], self._packages)[0] == name]

    def _resolve(self, name: str) -> Optional[str]:
        if name not in self._resolved:
            sources = (files.SourceFile(path, path) for path in self.candidates(name))
            self._resolved[name] = next((source.abs_path for source, _ in _may_define(sources)), None)
        return self._resolved[name]

    def __getitem__(self, name: str) -> str:
        found = self._resolve(name)
        if found is None:
            raise KeyError(name)
        return found

    def __contains__(self, name) -> bool:
        return isinstance(name, str) and self._resolve(name) is not None

    def __iter__(self) -> Iterator[str]:
        names = dict.fromkeys(_module_name(path, self._packages)[0] for path in self.paths)
        return (name for name in names if name in self)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __getstate__(self) -> dict:
        return {"paths": self.paths, "_resolved": {}, "_packages": {}, "_by_stem": None}  # each process reads for itself


def module_files(sources: Iterable[files.SourceFile]) -> ModuleFiles:
    """A :class:`ModuleFiles` of ``sources`` (module names from the paths and ``__init__.py`` files only)."""
    return ModuleFiles([source.abs_path for source in sources])


def _package_parts(directory: str, memo: Dict[str, Tuple[str, ...]]) -> Tuple[str, ...]:
    """The dotted-name parts of the package ``directory`` is (empty when it is no package),
    from its ``__init__.py`` chain, remembered in ``memo`` per directory."""
    if directory not in memo:
        if os.path.isfile(os.path.join(directory, "__init__.py")) or os.path.isfile(os.path.join(directory, "__init__.pyi")):
            parent, name = os.path.split(directory)
            memo[directory] = (_package_parts(parent, memo) + (name,)) if name else ()
        else:
            memo[directory] = ()
    return memo[directory]


def _may_define(sources: Iterable[files.SourceFile]) -> Iterator[Tuple[files.SourceFile, bytes]]:
    """The readable ``sources`` whose bytes pass the decorator screen, with their bytes."""
    _SCREEN.remember_definitions()  # a pass over every file: the lint pass asks again
    for source in sources:
        data = files.read_source(source.abs_path)
        if not isinstance(data, files.ReadError) and _SCREEN.may_define_cache(data):
            yield source, data


def read_summaries(sources: Iterable[files.SourceFile], cache=None) -> Dict[str, object]:
    """Read the files that may define decorators; return qualified name -> Summary.

    Files that cannot be read, decoded or parsed are skipped here (pass two reports them).
    ``cache`` (a :class:`cachelint.result_cache.ResultCache`) keeps each module's
    summaries under its content, so a warm run parses nothing.
    """
    index: Dict[str, object] = {}
    for source, data in _may_define(sources):
        name, is_package = module_name_for(source.abs_path)
        found = cache.get_summaries(data, name) if cache is not None else None
        if found is None:
            found = _summaries_of(data, source.path, name, is_package)
            if cache is not None:
                cache.put_summaries(data, name, found)
        index.update(found)
    return index


def _summaries_of(data: bytes, shown: str, name: str, is_package: bool) -> Dict[str, object]:
    reduced = _reduction(data, shown)
    if reduced is None:
        return {}
    from .hazards import libcst_hazard

    if libcst_hazard(reduced.tree, reduced.text) is not None:
        return {}  # would crash libcst's parser; the file's own lint reports CL001
    from .analysis import Resolver
    from .cst_parse import parse_module

    try:
        module = parse_module(reduced.text)
        return summaries(module, Resolver(module, name, is_package), name)
    except Exception:  # syntax errors are reported by pass two; RecursionError included
        return {}


#: content key -> the reduction :func:`_summaries_of` parses (None: no summaries), for this process
_REDUCTIONS: Dict[Tuple[int, int], object] = {}


def _reduction(data: bytes, shown: str):
    """The :class:`~cachelint.reduce.Reduced` text whose definitions give a module's summaries,
    or None when the module has none (no decorator screen passed, not decodable, no parse).

    Memoised per content (a lookup may ask :func:`_may_summarise` first, then read it).
    """
    key = (len(data), hash(data))
    if key in _REDUCTIONS:
        return _REDUCTIONS[key]
    reduced = None
    if may_define_decorator(data):
        text = files.decode_source(data, shown)
        if not isinstance(text, files.ReadError):
            from .reduce import reduce_module

            try:
                reduced = reduce_module(text)
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                pass  # pass two reports the file
    if len(_REDUCTIONS) >= 64:
        _REDUCTIONS.clear()
    _REDUCTIONS[key] = reduced
    return reduced


def _may_summarise(path: str, name: str) -> bool:
    """Whether reading ``path`` could give a summary of a decorator called ``name``; False only when certain.

    Summaries come from the top-level definitions the reduction keeps (:func:`summaries`), so
    a module whose kept text holds no ``def``/``class`` of that name has none of it. The
    reduction (``ast`` only) costs a fraction of the libcst parse it saves: linting the
    standard library, every worker looked ``typing.final`` up and parsed typing.py for nothing.
    """
    data = files.read_source(path)
    if isinstance(data, files.ReadError):
        return True  # read_summaries skips it
    reduced = _reduction(data, path)
    if reduced is None:
        return True  # no summaries at all: reading it is cheap and marks it read
    return re.search(r"(?:def|class)[\s\\]+" + re.escape(name) + r"\b", reduced.text) is not None


class ProjectIndex(Mapping):
    """Qualified name -> Summary of the project's decorators, read from disk on demand.

    Decorators found by :func:`build_index` are known up front; any other qualified name
    (``myapp.cache.cacheable``) is looked up by finding ``myapp/cache.py`` (or
    ``myapp/cache/__init__.py``) under one of the import roots of the linted files and
    reading it, once. The module is never imported. Libraries cachelint models are never
    looked up.
    """

    def __init__(self, known: Optional[Dict[str, object]] = None, roots: Iterable[str] = (), cache=None):
        self.known: Dict[str, object] = dict(known or {})
        #: module name -> file, of the linted modules that may define decorators (pass one;
        #: a dict from :func:`build_index` or a :class:`ModuleFiles`)
        self.modules: Mapping[str, str] = {}
        self.base_roots: List[str] = []
        #: the import root and the own decorators of the file being linted (see begin_file)
        self.file_root: Optional[str] = None
        self.local: Dict[str, object] = {}
        self.cache = cache
        #: when a set, every lookup adds the (module file, digest) pairs it depended on
        self.recorded: Optional[Set[Tuple[str, str]]] = None
        self._read: Set[str] = set()
        for root in roots:
            self.add_root(root)

    def add_root(self, root: Optional[str]) -> None:
        """Search ``root`` for project modules for every file."""
        if root and root not in self.base_roots:
            self.base_roots.append(root)

    @property
    def roots(self) -> List[str]:
        """Where modules are looked for while the current file is linted."""
        if self.file_root and self.file_root not in self.base_roots:
            return self.base_roots + [self.file_root]
        return list(self.base_roots)

    def begin_file(self, root: Optional[str], local: Dict[str, object]) -> None:
        """Lint the next file: its import ``root`` and its own decorators (qualified name -> Summary).

        Nothing of an earlier file stays in force, so a file's result does not depend on
        which files the same process linted before it (the worker processes of a parallel
        run each see a different, timing-dependent share): other modules' decorators are
        always read from their files, the same way for every file.
        """
        self.file_root = root
        self.local = dict(local)

    def __getitem__(self, qualname: str):
        if qualname in self.local:
            return self.local[qualname]
        if self.recorded is not None:
            self.recorded.update(self._dependencies(qualname))
        if qualname not in self.known:
            self._load_for(qualname)
        return self.known[qualname]

    def _candidates(self, qualname: str) -> List[str]:
        from .libraries import KNOWN_ROOTS

        module = qualname.rpartition(".")[0]
        if not module or module.split(".")[0] in KNOWN_ROOTS or module.startswith("."):
            return []
        out = [self.modules[module]] if module in self.modules else []
        for root in self.roots:
            base = os.path.join(root, *module.split("."))
            out.extend((base + ".py", os.path.join(base, "__init__.py")))
        return out

    def _dependencies(self, qualname: str) -> List[Tuple[str, str]]:
        """The module files a lookup of ``qualname`` reads (or would read), with digests."""
        if self.cache is None:
            return []
        return [(path, self.cache.file_digest(path)) for path in self._candidates(qualname)]

    def __contains__(self, qualname) -> bool:
        try:
            self[qualname]
        except KeyError:
            return False
        return True

    def __iter__(self) -> Iterator[str]:
        return iter({**self.known, **self.local})

    def __len__(self) -> int:
        return len({**self.known, **self.local})

    def _load_for(self, qualname: str) -> None:
        name = qualname.rpartition(".")[2]
        for candidate in self._candidates(qualname):
            if candidate in self._read:
                continue
            if os.path.isfile(candidate):
                if self.cache is None and not _may_summarise(candidate, name):
                    continue  # it cannot define this one; read whole when another name is looked up
                self._read.add(candidate)
                self.known.update(read_summaries([files.SourceFile(candidate, candidate)], self.cache))
                if qualname in self.known:
                    return

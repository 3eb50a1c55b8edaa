"""Finding the files to lint and reading their bytes safely.

This module is the first stage of the pipeline (DESIGN §2): it turns the paths given on
the command line into :class:`SourceFile` objects and reads and decodes them. It never
raises for a user's mistake; anything that cannot be listed, read or decoded comes back
as a :class:`ReadError`, which the engine reports as CL002.

Exclusion rules:

* ``exclude`` (replacing :data:`DEFAULT_EXCLUDE`) and ``extend_exclude`` are gitignore-style
  patterns matched against the path relative to ``root``. Paths outside ``root`` are
  matched by their basename against the patterns that are not anchored (contain no ``/``
  other than a trailing one).
* ``.gitignore`` files are honoured: those found while walking, those in the directories
  above a walked directory up to the top of its git work tree (the nearest directory that
  contains ``.git``) or up to ``root``, whichever is higher, and ``.git/info/exclude``.
* Paths named explicitly are never dropped by these rules unless ``force_exclude`` is
  true; their contents are (a directory named explicitly is walked even when a pattern
  matches it, and the pattern that matched it is not inherited by its contents).

This module deliberately does not import libcst.
"""
from __future__ import annotations

import codecs
import functools
import io
import os
import re
import stat
import sys
from dataclasses import dataclass
from typing import Dict, Iterable, List, Optional, Sequence, Set, Tuple, Union

__all__ = [
    "DEFAULT_EXCLUDE",
    "PYTHON_SUFFIXES",
    "DEFAULT_MAX_BYTES",
    "SourceFile",
    "ReadError",
    "discover",
    "read_source",
    "decode_source",
    "read_and_decode",
    "compile_patterns",
    "matches_pattern",
    "display_path",
    "source_lines",
]

#: Directories and files skipped while walking unless ``exclude`` replaces this list.
DEFAULT_EXCLUDE: Tuple[str, ...] = (
    ".bzr",
    ".cachelint_cache",
    ".direnv",
    ".eggs",
    ".git",
    ".git-rewrite",
    ".hg",
    ".idea",
    ".ipynb_checkpoints",
    ".mypy_cache",
    ".nox",
    ".pants.d",
    ".pyenv",
    ".pytest_cache",
    ".pytype",
    ".ruff_cache",
    ".svn",
    ".tox",
    ".venv",
    ".vscode",
    "__pycache__",
    "__pypackages__",
    "_build",
    "buck-out",
    "build",
    "dist",
    "node_modules",
    "site-packages",
    "venv",
    "*.egg-info",
)

#: File name endings picked up when walking a directory.
PYTHON_SUFFIXES: Tuple[str, ...] = (".py", ".pyi")

#: Default size limit of :func:`read_source` (50 MiB).
DEFAULT_MAX_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class SourceFile:
    """A file to lint.

    Attributes:
        path: the path shown to users: relative to the current directory when the file is
            under it, otherwise as the user gave it; always with ``/`` separators.
        abs_path: the absolute, normalised path (symbolic links are not resolved).
    """

    path: str
    abs_path: str


@dataclass(frozen=True)
class ReadError:
    """A path that cannot be linted, with a short reason meant for humans.

    Attributes:
        path: the path as shown to users (same convention as :attr:`SourceFile.path`).
        reason: e.g. ``"permission denied"``, ``"is a directory"``,
            ``"binary file (contains NUL bytes)"``, ``"not a regular file (FIFO)"``.
    """

    path: str
    reason: str


# --------------------------------------------------------------------------- paths


def _slashes(path: str) -> str:
    return path.replace(os.sep, "/") if os.sep != "/" else path


def _is_under(path: str, base: str) -> bool:
    """True when absolute ``path`` is ``base`` or inside it (both normalised)."""
    if path == base:
        return True
    prefix = base if base.endswith(os.sep) else base + os.sep
    return path.startswith(prefix)


def _rel_to(path: str, base: str) -> Optional[str]:
    """``path`` relative to ``base`` with ``/`` separators, ``""`` for base itself, or None."""
    if path == base:
        return ""
    prefix = base if base.endswith(os.sep) else base + os.sep
    if path.startswith(prefix):
        return _slashes(path[len(prefix):])
    return None


def display_path(path: str, cwd: Optional[str] = None) -> str:
    """Return ``path`` the way cachelint shows it to users.

    Relative to ``cwd`` (default: the current directory) when the file is under it,
    otherwise the path as given (normalised); ``/`` separators in both cases.
    """
    cwd = os.path.abspath(cwd or os.getcwd())
    absolute = os.path.abspath(path)
    rel = _rel_to(absolute, cwd)
    if rel is not None:
        return rel or "."
    return _slashes(os.path.normpath(path))


def _stat_error_reason(exc: OSError) -> str:
    if isinstance(exc, FileNotFoundError):
        return "no such file or directory"
    if isinstance(exc, PermissionError):
        return "permission denied"
    if isinstance(exc, NotADirectoryError):
        return "no such file or directory (a parent is not a directory)"
    if isinstance(exc, IsADirectoryError):
        return "is a directory"
    import errno

    if exc.errno == errno.ELOOP:
        return "too many levels of symbolic links"
    if exc.errno == errno.ENAMETOOLONG:
        return "file name too long"
    message = exc.strerror or str(exc) or type(exc).__name__
    return message[:1].lower() + message[1:]


def _kind_of(mode: int) -> Optional[str]:
    """None for a regular file, else a short name of what the path is."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "directory"
    if stat.S_ISFIFO(mode):
        return "FIFO"
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISCHR(mode):
        return "character device"
    if stat.S_ISBLK(mode):
        return "block device"
    return "special file"


def _not_regular_reason(kind: str) -> str:
    if kind == "directory":
        return "is a directory"
    return "not a regular file (%s)" % kind


# ----------------------------------------------------------------------- patterns

# (include, regex, anchored): include is False for a negated pattern; anchored is True
# when the pattern contains a "/" other than a trailing one (after leading "**/"), i.e.
# when it cannot meaningfully be matched against a lone basename.
_Entry = Tuple[bool, "re.Pattern[str]", bool]


def _is_anchored(line: str) -> bool:
    body = line.strip()
    if body.startswith("!"):
        body = body[1:]
    while body.startswith("**/"):
        body = body[3:]
    return "/" in body.rstrip("/")


#: gitignore line -> what pathspec compiles it to, ``((include, regex source, regex flags), ...)``
#: (empty for a comment). Filled as pathspec translates lines, and from a previous run by
#: :func:`import_translations`: a walk whose lines are all known never imports pathspec.
_TRANSLATIONS: Dict[str, Tuple[Tuple[bool, str, int], ...]] = {}
#: lines pathspec translated in this process (worth keeping for the next run)
_LEARNED: Set[str] = set()


#: One path segment of a simple pattern: name characters and single ``*`` wildcards.
_SIMPLE_SEGMENT = re.compile(r"(?:[\w.~+@=,%-]|\*(?!\*))+", re.ASCII)


def _simple_translation(line: str) -> Optional[Tuple[Tuple[bool, str, int], ...]]:
    """The translation of a simple gitignore line, or None for a line left to pathspec.

    Simple: a comment, or an optional ``!``, an optional leading ``/``, segments of name
    characters and single ``*`` (no ``**``, ``?``, ``[``, ``\\`` or spaces) and an optional
    trailing ``/``. By gitignore's rules (git-scm.com/docs/gitignore, PATTERN FORMAT) such a
    pattern is anchored to its directory when it has a slash before its end, else matches at
    any depth; ``*`` matches anything but a slash; a trailing slash matches directories only,
    and a match of a directory covers everything under it. The regexes are the ones
    pathspec's ``GitIgnoreSpec`` makes of the same lines (tests/test_files.py compares them
    over generated lines): a walk whose patterns are all simple, like the default excludes
    and most ``.gitignore`` files, does not import pathspec (about 20 ms).
    """
    if line.startswith("#"):
        return ()
    include = not line.startswith("!")
    body = line if include else line[1:]
    directory = body.endswith("/")
    if directory:
        body = body[:-1]
    anchored = body.startswith("/") or "/" in body
    segments = (body[1:] if body.startswith("/") else body).split("/")
    if not all(_SIMPLE_SEGMENT.fullmatch(segment) and segment != "*" for segment in segments):
        return None
    regex = "/".join("[^/]*".join(re.escape(part) for part in segment.split("*")) for segment in segments)
    prefix = "^" if anchored else "^(?:.+/)?"
    suffix = "(?P<ps_d>/)" if directory else "(?:(?P<ps_d>/)|$)"
    return ((include, prefix + regex + suffix, int(re.UNICODE)),)


def _compile(lines: Iterable[str], strict: bool) -> Tuple[_Entry, ...]:
    lines = [line for line in lines if line and line.strip()]
    if not lines:
        return ()
    for line in lines:
        if line not in _TRANSLATIONS:
            simple = _simple_translation(line)
            if simple is not None:
                _TRANSLATIONS[line] = simple
    if all(line in _TRANSLATIONS for line in lines):
        try:
            return tuple((include, re.compile(source, flags), _is_anchored(line))
                         for line in lines for include, source, flags in _TRANSLATIONS[line])
        except (re.error, TypeError, ValueError):  # a stored translation that is not a valid regex
            for line in lines:
                _TRANSLATIONS.pop(line, None)
    import pathspec  # only when there are patterns to match (a run over named files needs none)

    try:
        compiled = [(line, p) for line, p in zip(lines, pathspec.GitIgnoreSpec.from_lines(lines).patterns)]
    except (ValueError, re.error):  # pathspec lets a bad range like "[z-a]" reach re.compile
        compiled = []
        for line in lines:
            try:
                compiled.extend((line, p) for p in pathspec.GitIgnoreSpec.from_lines([line]).patterns)
            except (ValueError, re.error):
                if strict:
                    raise ValueError("invalid gitignore-style pattern %r" % line) from None
    learned: Dict[str, List[Tuple[bool, str, int]]] = {}
    for line, p in compiled:
        kept = learned.setdefault(line, [])
        if p.include is not None and p.regex is not None:
            kept.append((bool(p.include), p.regex.pattern, p.regex.flags))
    for line, translation in learned.items():
        if line not in _TRANSLATIONS:
            _TRANSLATIONS[line] = tuple(translation)
            _LEARNED.add(line)
    return tuple(
        (bool(p.include), p.regex, _is_anchored(line))
        for line, p in compiled
        if p.include is not None and p.regex is not None
    )


def _pathspec_identity() -> Optional[List[object]]:
    """``[file, st_mtime_ns, st_size]`` of the installed pathspec's ``__init__.py`` (found, not imported)."""
    from importlib.machinery import PathFinder

    try:
        spec = PathFinder.find_spec("pathspec")
        origin = spec.origin if spec is not None else None
        if not origin:
            return None
        info = os.stat(origin)
    except (OSError, ImportError, ValueError):
        return None
    return [origin, info.st_mtime_ns, info.st_size]


def export_translations() -> Optional[dict]:
    """The pattern translations known in this process, JSON-ready, for :func:`import_translations`.

    None when there are none or pathspec cannot be located. The value names the pathspec
    installation that made them: another one (an upgrade) does not use them.
    """
    identity = _pathspec_identity() if _TRANSLATIONS else None
    if identity is None:
        return None
    return {"pathspec": identity, "lines": {line: [list(t) for t in value] for line, value in _TRANSLATIONS.items()}}


def import_translations(value) -> None:
    """Use translations from :func:`export_translations` of an earlier run (malformed or stale: ignored)."""
    if not isinstance(value, dict) or not isinstance(value.get("lines"), dict):
        return
    if value.get("pathspec") != _pathspec_identity():
        return
    for line, translation in value["lines"].items():
        if isinstance(line, str) and isinstance(translation, list) and all(
                isinstance(t, list) and len(t) == 3 and type(t[0]) is bool and type(t[1]) is str and type(t[2]) is int
                for t in translation):
            _TRANSLATIONS.setdefault(line, tuple((t[0], t[1], t[2]) for t in translation))


def learned_translations() -> bool:
    """Whether pathspec translated lines in this process that :func:`import_translations` did not supply."""
    return bool(_LEARNED)


def compile_patterns(lines: Iterable[str], *, strict: bool = True) -> Tuple[Tuple[bool, "re.Pattern[str]"], ...]:
    """Compile gitignore-style ``lines`` into ``(include, regex)`` pairs, in order.

    ``include`` is False for negated (``!``) patterns; a regex is matched with
    ``regex.match(relative_path)`` (append ``/`` to a directory's path). Blank lines and
    comments are dropped. With ``strict`` an invalid pattern raises :class:`ValueError`
    naming it; without, invalid lines are skipped (as git does in a ``.gitignore``).
    """
    return tuple((include, regex) for include, regex, _ in _compile(lines, strict))


@functools.lru_cache(maxsize=512)
def _compile_one(pattern: str) -> Tuple[_Entry, ...]:
    return _compile([pattern], True)


def matches_pattern(pattern: str, path: str, root: str = ".", is_dir: bool = False) -> bool:
    """True when the gitignore-style ``pattern`` matches ``path``.

    The pattern is matched against ``path`` relative to ``root``; a path outside ``root``
    is matched by its basename, and only by a pattern that is not anchored. A negated
    pattern (``!x``) never matches on its own. Raises :class:`ValueError` for an invalid
    pattern. Compiled patterns are cached.
    """
    entries = _compile_one(pattern)
    if not entries:
        return False
    absolute = os.path.abspath(path)
    rel = _rel_to(absolute, os.path.abspath(root))
    suffix = "/" if is_dir else ""
    if rel:
        return bool(_last_match(entries, rel + suffix))
    if rel is None:
        usable = tuple(entry for entry in entries if not entry[2])
        return bool(_last_match(usable, os.path.basename(absolute) + suffix))
    return False


def _last_match(patterns: Sequence[_Entry], candidate: str) -> Optional[bool]:
    for include, regex, _ in reversed(patterns):
        if regex.match(candidate) is not None:
            return include
    return None


#: A named group as pathspec writes them (``(?P<ps_d>/)``); joined patterns drop the names.
_NAMED_GROUP = re.compile(r"\(\?P<\w+>")

_Run = Tuple[bool, "re.Pattern[str]"]


def _runs(patterns: Sequence[_Entry]) -> Tuple[_Run, ...]:
    """``patterns`` for :func:`_decide`: consecutive ones with the same verdict joined into one regex.

    The last pattern that matches decides, so the runs come last first. Matching one
    alternation instead of each pattern in turn keeps walking a large tree cheap; a
    pattern that cannot be joined (a back-reference, other flags) stays on its own.
    """
    groups: List[Tuple[bool, int, List["re.Pattern[str]"]]] = []
    for include, regex, _ in patterns:
        joinable = "(?P=" not in regex.pattern and len(_NAMED_GROUP.findall(regex.pattern)) == len(regex.groupindex)
        if joinable and groups and groups[-1][0] == include and groups[-1][1] == regex.flags and groups[-1][2]:
            groups[-1][2].append(regex)
        else:
            groups.append((include, regex.flags, [regex]))
            if not joinable:
                groups.append((include, -1, []))  # nothing may join the pattern that cannot be joined
    out: List[_Run] = []
    for include, flags, regexes in reversed(groups):
        if len(regexes) > 1:
            try:
                out.append((include, re.compile("|".join("(?:%s)" % _NAMED_GROUP.sub("(?:", r.pattern) for r in regexes),
                                                 flags)))
                continue
            except re.error:
                pass
        out.extend((include, r) for r in reversed(regexes))
    return tuple(out)


def _decide(runs: Sequence[_Run], candidate: str) -> Optional[bool]:
    """The verdict of the last pattern matching ``candidate`` (see :func:`_runs`), or None."""
    for include, regex in runs:
        if regex.match(candidate) is not None:
            return include
    return None


class _PatternSet:
    """Gitignore-style patterns anchored at ``base``.

    ``patterns`` are matched against the path relative to ``base`` (with a trailing ``/``
    for directories). ``basename_patterns`` are matched against the final path component
    only: they hold the patterns neutralised under an explicitly named directory.
    ``outside_patterns`` (the unanchored patterns, when enabled) decide for paths outside
    ``base`` by their basename.
    """

    __slots__ = ("base", "patterns", "basename_patterns", "outside_patterns", "_runs", "_basename_runs", "_outside_runs")

    def __init__(
        self,
        base: str,
        patterns: Tuple[_Entry, ...],
        basename_patterns: Tuple[_Entry, ...] = (),
        outside_patterns: Tuple[_Entry, ...] = (),
    ) -> None:
        self.base = base
        self.patterns = patterns
        self.basename_patterns = basename_patterns
        self.outside_patterns = outside_patterns
        self._runs = _runs(patterns)
        self._basename_runs = _runs(basename_patterns)
        self._outside_runs = _runs(outside_patterns)

    @classmethod
    def from_lines(
        cls, base: str, lines: Sequence[str], *, strict: bool, outside_by_basename: bool
    ) -> "_PatternSet":
        patterns = _compile(lines, strict)
        outside: Tuple[_Entry, ...] = ()
        if outside_by_basename:
            outside = tuple(entry for entry in patterns if not entry[2])
        return cls(base, patterns, (), outside)

    def match(self, abs_path: str, is_dir: bool) -> Optional[bool]:
        """Last decision of these patterns on ``abs_path``: True ignore, False keep, None."""
        name = os.path.basename(abs_path) + ("/" if is_dir else "")
        rel = _rel_to(abs_path, self.base)
        result = None
        if self._basename_runs:
            result = _decide(self._basename_runs, name)
        if rel is not None:
            if rel:
                decided = _decide(self._runs, rel + ("/" if is_dir else ""))
                if decided is not None:
                    result = decided
        elif self._outside_runs:
            decided = _decide(self._outside_runs, name)
            if decided is not None:
                result = decided
        return result

    def without_inherited(self, abs_dir: str) -> "_PatternSet":
        """A copy for walking the explicitly named directory ``abs_dir``.

        An ignoring pattern that matches ``abs_dir`` (itself or through a parent) would
        match everything below it; in the copy such a pattern no longer applies by path,
        only to each entry's own basename, and only when it is unanchored.
        """
        rel = _rel_to(abs_dir, self.base)
        if not rel:
            return self
        candidate = rel + "/"
        kept = []
        moved = list(self.basename_patterns)
        for entry in self.patterns:
            include, regex, anchored = entry
            if include and regex.match(candidate) is not None:
                if not anchored:
                    moved.append(entry)
                continue
            kept.append(entry)
        if len(kept) == len(self.patterns):
            return self
        return _PatternSet(self.base, tuple(kept), tuple(moved), self.outside_patterns)


def _evaluate(sets: Sequence[_PatternSet], abs_path: str, is_dir: bool) -> bool:
    """Evaluate pattern sets from lowest to highest precedence; the last decision wins."""
    result = False
    for pset in sets:
        decided = pset.match(abs_path, is_dir)
        if decided is not None:
            result = decided
    return result


# ----------------------------------------------------------------------- lines


#: The line ends of Python source (the tokenizer's); ``str.splitlines`` also splits at form
#: feeds, vertical tabs, U+2028 and others, which would shift every line number after one.
_LINE_END = re.compile(r"\r\n|\r|\n")


def source_lines(text: str) -> List[str]:
    """``text`` split into lines the way Python numbers them (at ``\\n``, ``\\r\\n`` and ``\\r`` only)."""
    lines = _LINE_END.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


# ----------------------------------------------------------------------- gitignore


def _read_ignore_file(path: str) -> Optional[List[str]]:
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return None
        with open(path, "rb") as handle:
            data = handle.read(4 * 1024 * 1024)
    except OSError:
        return None
    text = data.decode("utf-8", errors="surrogateescape")
    return source_lines(text)


def _git_top(directory: str) -> Optional[str]:
    current = directory
    while True:
        if os.path.lexists(os.path.join(current, ".git")):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


class _GitIgnores:
    """Loads ``.gitignore`` files once per directory."""

    def __init__(self, root: str) -> None:
        self.root = root
        self._files: Dict[str, Optional[_PatternSet]] = {}

    def level(self, directory: str) -> Optional[_PatternSet]:
        """The patterns of ``directory/.gitignore`` or None."""
        if directory not in self._files:
            lines = _read_ignore_file(os.path.join(directory, ".gitignore"))
            pset = None
            if lines:
                pset = _PatternSet.from_lines(
                    directory, lines, strict=False, outside_by_basename=False
                )
                if not pset.patterns:
                    pset = None
            self._files[directory] = pset
        return self._files[directory]

    def chain_for(self, directory: str) -> List[_PatternSet]:
        """All ignore pattern sets that apply to entries of ``directory``, lowest
        precedence first (``.git/info/exclude``, then from the top down)."""
        top = _git_top(directory)
        candidates = []
        if top is not None:
            candidates.append(top)
        if _is_under(directory, self.root):
            candidates.append(self.root)
        start = min(candidates, key=len) if candidates else directory
        chain: List[_PatternSet] = []
        if top is not None and os.path.isdir(os.path.join(top, ".git")):
            lines = _read_ignore_file(os.path.join(top, ".git", "info", "exclude"))
            if lines:
                pset = _PatternSet.from_lines(top, lines, strict=False, outside_by_basename=False)
                if pset.patterns:
                    chain.append(pset)
        dirs = []
        current = directory
        while True:
            dirs.append(current)
            if current == start:
                break
            parent = os.path.dirname(current)
            if parent == current:
                break
            current = parent
        for d in reversed(dirs):
            pset = self.level(d)
            if pset is not None:
                chain.append(pset)
        return chain


# ----------------------------------------------------------------------- discover


def _sort_key(path: str) -> Tuple[str, ...]:
    return tuple(path.split("/"))


def _join_display(parent: str, name: str) -> str:
    if parent in ("", "."):
        return name
    if parent.endswith("/"):
        return parent + name
    return parent + "/" + name


def discover(
    paths: Sequence[str],
    exclude: Sequence[str] = DEFAULT_EXCLUDE,
    extend_exclude: Sequence[str] = (),
    respect_gitignore: bool = True,
    force_exclude: bool = False,
    root: Optional[str] = None,
) -> Tuple[List[SourceFile], List[ReadError]]:
    """Expand ``paths`` into the files to lint.

    Directories are walked recursively for ``*.py`` and ``*.pyi`` files; explicitly named
    files are returned whatever their name. ``exclude``/``extend_exclude`` patterns and
    ``.gitignore`` files (when ``respect_gitignore``) prune the walk; they only drop
    explicitly named paths when ``force_exclude`` is true. Patterns are relative to
    ``root`` (default: the current directory).

    Returns ``(files, errors)``, each sorted by path and free of duplicates. Missing
    paths, unlistable directories, FIFOs, sockets, devices and broken symbolic links
    become :class:`ReadError`; nothing is opened for reading here.

    Raises :class:`ValueError` only when ``exclude``/``extend_exclude`` contain an invalid
    pattern (the configuration layer validates them first).
    """
    cwd = os.getcwd()
    root_abs = os.path.abspath(root) if root is not None else cwd
    lines = list(exclude) + list(extend_exclude)
    exclude_sets: List[_PatternSet] = []

    def exclude_patterns() -> _PatternSet:
        """The exclude patterns, compiled the first time a walk or ``force_exclude`` needs them."""
        if not exclude_sets:
            exclude_sets.append(_PatternSet.from_lines(root_abs, lines, strict=True, outside_by_basename=True))
        return exclude_sets[0]

    if not set(lines) <= set(DEFAULT_EXCLUDE):
        exclude_patterns()  # validate the configured patterns now: an invalid one raises ValueError
    gitignores = _GitIgnores(root_abs) if respect_gitignore else None

    files: Dict[str, SourceFile] = {}
    errors: Dict[str, ReadError] = {}
    walked_dirs: Set[str] = set()

    def add_error(display: str, reason: str) -> None:
        errors.setdefault(display, ReadError(display, reason))

    def excluded_explicitly(abs_path: str, given: str, is_dir: bool) -> bool:
        exclude_set = exclude_patterns()
        if _rel_to(abs_path, root_abs) is not None:
            if exclude_set.match(abs_path, is_dir):
                return True
        else:
            # Outside root: check the basename of every component the user wrote.
            parts = [p for p in _slashes(os.path.normpath(given)).split("/") if p not in ("", ".", "..")]
            for index, part in enumerate(parts):
                last = index == len(parts) - 1
                name = part + ("/" if (is_dir or not last) else "")
                if _last_match(exclude_set.outside_patterns, name):
                    return True
        if gitignores is not None:
            parent = os.path.dirname(abs_path)
            if parent != abs_path and _evaluate(gitignores.chain_for(parent), abs_path, is_dir):
                return True
        return False

    for given in paths:
        given = os.fspath(given)
        abs_path = os.path.abspath(given)
        display = display_path(given, cwd)
        try:
            st = os.stat(abs_path)
        except OSError as exc:
            if isinstance(exc, FileNotFoundError) and os.path.lexists(abs_path):
                add_error(display, "broken symbolic link")
            else:
                add_error(display, _stat_error_reason(exc))
            continue
        is_dir = stat.S_ISDIR(st.st_mode)
        if force_exclude and excluded_explicitly(abs_path, given, is_dir):
            continue
        if not is_dir:
            kind = _kind_of(st.st_mode)
            if kind is not None:
                add_error(display, _not_regular_reason(kind))
            elif abs_path not in files:
                files[abs_path] = SourceFile(display, abs_path)
            continue
        _walk(
            abs_path,
            display,
            exclude_patterns().without_inherited(abs_path),
            [s.without_inherited(abs_path) for s in gitignores.chain_for(abs_path)]
            if gitignores is not None
            else None,
            gitignores,
            cwd,
            files,
            add_error,
            walked_dirs,
        )

    file_list = sorted(files.values(), key=lambda f: (_sort_key(f.path), f.abs_path))
    error_list = sorted(errors.values(), key=lambda e: _sort_key(e.path))
    return file_list, error_list


def _walk(
    top: str,
    top_display: str,
    exclude_set: _PatternSet,
    top_chain: Optional[List[_PatternSet]],
    gitignores: Optional[_GitIgnores],
    cwd: str,
    files: Dict[str, SourceFile],
    add_error,
    walked_dirs: Set[str],
) -> None:
    """Depth-first walk of ``top`` in sorted order; fills ``files`` and reports errors."""
    top_real = os.path.realpath(top)
    if top_real in walked_dirs:
        return
    walked_dirs.add(top_real)
    # Stack items: (abs dir, display dir, ignore chain, real paths of ancestors, real path).
    stack: List[Tuple[str, str, Optional[List[_PatternSet]], frozenset, str]] = [
        (top, top_display, top_chain, frozenset([top_real]), top_real)
    ]
    while stack:
        directory, dir_display, chain, ancestors, directory_real = stack.pop()
        try:
            with os.scandir(directory) as iterator:
                entries = sorted(iterator, key=lambda e: e.name)
        except OSError as exc:
            add_error(dir_display, _stat_error_reason(exc))
            continue

        if chain is not None and gitignores is not None and directory != top:
            own = gitignores.level(directory)
            if own is not None:
                chain = chain + [own]

        subdirs = []
        for entry in entries:
            name = entry.name
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if not is_dir and not name.endswith(PYTHON_SUFFIXES):
                continue
            abs_path = os.path.join(directory, name)
            display = _display_child(abs_path, dir_display, name, cwd)
            if exclude_set.match(abs_path, is_dir):
                continue
            if chain is not None and _evaluate(chain, abs_path, is_dir):
                continue
            if is_dir:
                try:
                    link = entry.is_symlink()
                except OSError:
                    link = True
                # the real path of a child that is no link is its name under the parent's
                real = os.path.realpath(abs_path) if link else os.path.join(directory_real, name)
                if real in ancestors or real in walked_dirs:
                    # A symbolic link back into the walk (a loop) or into a tree
                    # already walked: following it would loop or report twice.
                    continue
                walked_dirs.add(real)
                subdirs.append((abs_path, display, chain, ancestors | {real}, real))
                continue
            try:
                is_file = entry.is_file()
            except OSError:
                is_file = False
            if is_file:
                if abs_path not in files:
                    files[abs_path] = SourceFile(display, abs_path)
                continue
            try:
                mode = os.stat(abs_path).st_mode
            except FileNotFoundError:
                add_error(display, "broken symbolic link")
                continue
            except OSError as exc:
                add_error(display, _stat_error_reason(exc))
                continue
            kind = _kind_of(mode)
            if kind is None:
                if abs_path not in files:
                    files[abs_path] = SourceFile(display, abs_path)
            else:
                add_error(display, _not_regular_reason(kind))
        # Reverse so the stack pops them in sorted order.
        stack.extend(reversed(subdirs))


def _display_child(abs_path: str, parent_display: str, name: str, cwd: str) -> str:
    rel = _rel_to(abs_path, cwd)
    if rel is not None:
        return rel
    return _join_display(parent_display, name)


# ----------------------------------------------------------------------- reading


def _human_size(size: int) -> str:
    if size >= 1024 * 1024:
        value = "%.1f" % (size / (1024 * 1024))
        unit = "MB"
    elif size >= 1024:
        value = "%.1f" % (size / 1024)
        unit = "KB"
    else:
        return "%d bytes" % size
    if value.endswith(".0"):
        value = value[:-2]
    return "%s %s" % (value, unit)


def _too_large(size: int, max_bytes: int) -> str:
    shown, limit = _human_size(size), _human_size(max_bytes)
    if shown == limit:  # just over the limit: "50 MB > 50 MB" would read as a contradiction
        shown, limit = "%d bytes" % size, "%d bytes" % max_bytes
    return "file too large (%s > %s limit)" % (shown, limit)


#: glibc's ``mallopt`` parameter for the size from which a block gets its own memory map.
_M_MMAP_THRESHOLD = -3
#: Its default (128 KiB): buffers this large are mapped apart and unmapped when freed.
_MMAP_THRESHOLD = 128 * 1024


def keep_large_reads_off_the_heap() -> bool:
    """Keep file contents of 128 KiB or more in memory maps of their own, returned when freed.

    glibc raises its mmap threshold each time such a buffer is freed; big buffers then come
    from the heap, which fragments between the small objects a long run keeps and does not
    shrink. Reading the 17,890 files of ten copies of the standard library (keeping nothing)
    grew a process from 27 to 76 MiB; with the threshold fixed at its default (which also
    stops that adjustment, see ``mallopt(3)``) it stays at 27. For cachelint's own
    processes only (the command line and its workers): a library does not change its host's
    allocator. Returns whether the setting was applied (False off glibc: macOS, musl, Windows).

    Applied once per process: a process forked after the call keeps the setting and does
    not call again (importing ctypes for it costs about 7 ms).
    """
    global _heap_setting
    if _heap_setting is None:
        _heap_setting = _set_mmap_threshold()
    return _heap_setting


_heap_setting: Optional[bool] = None


def _set_mmap_threshold() -> bool:
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        mallopt = ctypes.CDLL(None).mallopt
    except Exception:  # no ctypes, no C library handle (musl: no mallopt either)
        return False
    try:
        return bool(mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD))
    except Exception:  # an unexpected signature elsewhere
        return False


def read_source(path: str, max_bytes: int = DEFAULT_MAX_BYTES) -> Union[bytes, ReadError]:
    """Read the bytes of ``path``, or return a :class:`ReadError` saying why not.

    The file is checked with ``stat`` before it is opened, and opened non-blocking, so a
    FIFO, socket or device never blocks the run. Files larger than ``max_bytes`` are
    refused. ``ReadError.path`` uses :func:`display_path`.
    """
    try:
        st = os.stat(path)
    except OSError as exc:
        if isinstance(exc, FileNotFoundError) and os.path.lexists(path):
            return ReadError(display_path(path), "broken symbolic link")
        return ReadError(display_path(path), _stat_error_reason(exc))
    kind = _kind_of(st.st_mode)
    if kind is not None:
        return ReadError(display_path(path), _not_regular_reason(kind))
    if st.st_size > max_bytes:
        return ReadError(display_path(path), _too_large(st.st_size, max_bytes))
    try:
        fd = os.open(path, _READ_FLAGS)
    except OSError as exc:
        return ReadError(display_path(path), _stat_error_reason(exc))
    try:
        # The path may have been swapped since the stat above.
        st = os.fstat(fd)
        kind = _kind_of(st.st_mode)
        if kind is not None:
            return ReadError(display_path(path), _not_regular_reason(kind))
        chunks = []
        total = 0
        # First ask for the size fstat gives and one byte more (to see the end): the buffer
        # then has the file's size. A larger request is shrunk after the read, and with the
        # mmap threshold fixed (:func:`keep_large_reads_off_the_heap`) every buffer of 128 KiB
        # or more is a fresh memory map: asking 1 MiB for each file doubled the cost of reading
        # a tree. Files whose size stat cannot tell (0: /proc, pipes swapped in) go by 64 KiB.
        want = st.st_size + 1 if st.st_size else _READ_CHUNK
        while True:
            chunk = os.read(fd, min(want, max_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > max_bytes:
                size = max(total, os.fstat(fd).st_size)
                return ReadError(display_path(path), _too_large(size, max_bytes))
            want = _READ_CHUNK
    except OSError as exc:
        return ReadError(display_path(path), _stat_error_reason(exc))
    finally:
        os.close(fd)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


#: ``os.open`` flags of :func:`read_source`: never block on a FIFO, never leak into children.
_READ_FLAGS = os.O_RDONLY
for _extra in ("O_NONBLOCK", "O_CLOEXEC", "O_NOCTTY", "O_BINARY"):
    _READ_FLAGS |= getattr(os, _extra, 0)
del _extra
#: Bytes per read after the first, for files larger than stat said.
_READ_CHUNK = 64 * 1024


# ASCII-only version of the PEP 263 cookie pattern used by tokenize.
_COOKIE_RE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")
_BLANK_RE = re.compile(rb"^[ \t\f]*(?:[#\r\n]|$)")


def _first_two_lines(data: bytes) -> bytes:
    """Lines 1 and 2 of ``data`` (where a coding cookie may be), without copying the rest."""
    end = data.find(b"\n", data.find(b"\n") + 1)
    return data if end < 0 else data[:end]


def _declared_cookie(data: bytes) -> Optional[str]:
    """The encoding named by a coding cookie on line 1 or 2, if any."""
    lines = _first_two_lines(data).split(b"\n")[:2]
    for index, line in enumerate(lines):
        if index == 0 and line.startswith(codecs.BOM_UTF8):
            line = line[len(codecs.BOM_UTF8):]
        match = _COOKIE_RE.match(line)
        if match:
            return match.group(1).decode("ascii", errors="replace")
        if not _BLANK_RE.match(line):
            return None
    return None


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _ascii_compatible(encoding: str) -> bool:
    """Whether ``encoding`` writes ASCII text as ASCII bytes (what source code needs)."""
    sample = "# -*- coding: x -*-\nimport a_b\n"
    try:
        return sample.encode(encoding) == sample.encode("ascii")
    except (LookupError, UnicodeError, TypeError, ValueError):
        return False


def plain_ascii(data: bytes) -> bool:
    """Whether :func:`decode_source` reads ``data`` as plain ASCII (no NUL, no non-ASCII byte,
    no coding cookie), which cannot fail: a caller that only needs to know the file decodes
    can skip decoding it."""
    return b"\x00" not in data and _ascii_without_cookie(data)


def _ascii_without_cookie(data: bytes) -> bool:
    """No BOM (not ASCII) and no cookie: the source is UTF-8, and ASCII bytes always decode."""
    return data.isascii() and b"coding" not in _first_two_lines(data)


def decode_source(data: bytes, path: str) -> Union[str, ReadError]:
    """Decode Python source bytes as CPython would, or return a :class:`ReadError`.

    A UTF-8 BOM and a PEP 263 coding cookie are honoured (``tokenize.detect_encoding``);
    without them the source must be UTF-8. Data containing NUL bytes is refused as
    binary. ``path`` is only used to build the error and is stored as given.
    """
    if b"\x00" in data:
        return ReadError(path, "binary file (contains NUL bytes)")
    if _ascii_without_cookie(data):  # most files
        return data.decode("ascii")
    import tokenize
    cookie = _declared_cookie(data)
    before_cookie = False
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        message = str(exc.msg if getattr(exc, "msg", None) else exc)
        if message.startswith("unknown encoding"):
            name = cookie or message.split(":")[-1].strip()
            return ReadError(path, "unknown encoding %r in coding cookie" % name)
        if message.startswith("encoding problem"):
            return ReadError(
                path, "coding cookie %r contradicts the UTF-8 byte order mark" % (cookie or "?")
            )
        # "invalid or missing encoding declaration": line 1 or 2 is not UTF-8 and no
        # cookie precedes it. Decode as UTF-8 below to report the exact position.
        encoding = "utf-8-sig"
        before_cookie = cookie is not None
    if encoding not in ("utf-8", "utf-8-sig") and not _ascii_compatible(encoding):
        # utf-16 and the like: CPython fails on such a file ("encoding problem"); decoded
        # anyway, an ASCII file would become a line of CJK characters that lints clean
        return ReadError(path, "coding cookie %r names an encoding Python cannot read source in "
                               "(it is not ASCII-compatible)" % (cookie or encoding))
    body, skipped = data, 0
    if encoding == "utf-8-sig":
        # Decode after the BOM ourselves: the utf-8-sig codec's error offsets are not
        # consistently relative to the same start.
        encoding = "utf-8"
        if data.startswith(codecs.BOM_UTF8):
            body, skipped = data[len(codecs.BOM_UTF8):], len(codecs.BOM_UTF8)
    try:
        text = body.decode(encoding)
    except UnicodeDecodeError as exc:
        offset = exc.start + skipped
        byte = data[offset:offset + 1]
        where = "byte 0x%s at line %d, offset %d" % (
            byte.hex() if byte else "??",
            _line_of(data, offset),
            offset,
        )
        if cookie is None:
            return ReadError(path, "not valid UTF-8 (%s) and no coding cookie" % where)
        if before_cookie:
            return ReadError(
                path, "not valid UTF-8 (%s) before its coding cookie %r" % (where, cookie)
            )
        return ReadError(
            path, "not valid %s (%s) although its coding cookie declares it" % (cookie, where)
        )
    except (LookupError, ValueError, TypeError) as exc:
        return ReadError(path, "cannot decode with %r: %s" % (cookie or encoding, exc))
    return text


def read_and_decode(path: str, max_bytes: int = DEFAULT_MAX_BYTES) -> Union[str, ReadError]:
    """Convenience: :func:`read_source` then :func:`decode_source` with the display path."""
    data = read_source(path, max_bytes)
    if isinstance(data, ReadError):
        return data
    return decode_source(data, display_path(path))

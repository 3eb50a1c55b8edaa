"""Which statements that call a cached function the reduction keeps (see :mod:`cachelint.reduce`).

Three rules read the places that call a cached function of the same module: CL106 (a
per-call value passed to a keyed parameter), CL305 (an argument passed the one way a
diskcache ``ignore=`` or a home-made decorator's kwargs copy does not cover) and CL402 (a
caller changing the object a cache returned). Kept whole, callers are about a quarter of
the text libcst parses over the standard library's cache files, and most cannot matter:

* CL402 (off by default) reads every caller: when it is on, all stay.
* CL305 reads every caller of a site that may leave a parameter out one way only: a
  diskcache decorator (the file then names diskcache), or one the file defines or
  imports from a module outside the libraries cachelint models. When a site of the file
  may be one, all callers stay.
* CL106 reads a caller only where it calls a function whose value is new on every call
  (``uuid4()``, ``datetime.now()``, ``id(x)``, or a name imported as one of them): a
  caller that mentions none cannot pass one.

Dropping a caller must not change what the analysis reads elsewhere, so a caller stays
when it imports (the resolver reads imports anywhere in the file), builds a cache object,
defines a name a volatile call could be shadowed by, may itself be a decorator the
inference reads (a function with a nested function, or one that returns a call of a
cache; a class with ``__call__``), or holds a decorator that is not certainly a non-cache
(``@property``, ``@functools.wraps(f)``): such a decorator could make a cache site of its
own. Where the text is ambiguous (an ``as`` after a line break, a comment before a call's
parenthesis) the screen keeps the caller.
"""
from __future__ import annotations

import ast
import bisect
import functools
import re
from dataclasses import dataclass
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from .volatile_calls import PASS_THROUGH, VOLATILE_BUILTINS, VOLATILE_NAMES


@dataclass(frozen=True)
class Callers:
    """What the active rules read of the statements that call a cached function.

    ``every``: all of them (CL402). ``volatile``: those that call a volatile function
    (CL106). ``shapes``: all of them where a site may exclude a parameter one way only
    (CL305). The default keeps every caller.
    """

    every: bool = True
    volatile: bool = True
    shapes: bool = True

    @classmethod
    def for_codes(cls, codes: Iterable[str]) -> "Callers":
        """The needs of the rules ``codes`` (the enabled rules' codes, e.g. ``["CL101", "CL106"]``)."""
        enabled = set(codes)
        return cls(every="CL402" in enabled, volatile="CL106" in enabled, shapes="CL305" in enabled)


EVERY = Callers()

#: names whose definition changes how CL106 reads a call (a builtin it could shadow)
_SHADOWED = frozenset(PASS_THROUGH + VOLATILE_BUILTINS)
_SHADOWING = re.compile(r"(?:def|class)[ \t]+(?:%s)\b" % "|".join(sorted(_SHADOWED)))
#: a decorator line's callee: a dotted name, then its arguments or the end of the line
_DECORATOR = re.compile(r"[ \t\f]*@[ \t]*([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)[ \t]*(?:\(|#|\\?$)")


class CallerScreen:
    """Filters the call lines of one file's reduction by :class:`Callers` (see the module).

    ``text``/``lines`` are the file and its lines, ``spans``/``chunks``/``is_import`` its
    top-level statements (line spans, texts, which are imports), ``index`` the reduction's
    line index (:class:`cachelint.reduce._Lines`), ``imports`` the top-level import
    statements (``ast``), ``site_decorators`` every decorator of the functions the
    reduction found cached, ``words`` the cache-word pattern and ``extra_names`` the
    declared decorators' names.
    """

    def __init__(self, callers: Callers, text: str, lines: List[str], spans: Sequence[Tuple[int, int]],
                 chunks: Sequence[str], is_import: Sequence[bool], index,
                 imports: Sequence[ast.stmt], site_decorators: Sequence[ast.expr], words: "re.Pattern[str]",
                 extra_names: Sequence[str]):
        from .libraries import KNOWN_ROOTS

        self.text = text
        self.lines = lines
        self.spans = spans
        self.chunks = chunks
        self.index = index
        self.words = words
        self.extra_names = extra_names
        self._starts = [start for start, _ in spans]
        self._verdicts: Dict[int, bool] = {}
        self._home_made: Dict[str, bool] = {}
        #: top-level import bindings: name -> whether every import of it is from a modelled library
        self._library_import: Dict[str, bool] = {}
        #: name -> the last part of what a top-level import binds it to (``single`` -> ``experimental_singleton``)
        self._origin: Dict[str, str] = {}
        for node in imports:
            for name, module, origin in _bindings(node):
                root = module.split(".")[0] if module else ""
                library = bool(root) and root in KNOWN_ROOTS and root != "diskcache"
                self._library_import[name] = self._library_import.get(name, True) and library
                self._origin[name] = origin.rpartition(".")[2]
        #: lines with "import" outside the top-level import statements (blocks, functions, strings)
        top_imports = {line for i, (start, end) in enumerate(spans) if is_import[i] for line in range(start, end + 1)}
        self._other_import_lines = [line for number, line in enumerate(lines, 1)
                                    if "import" in line and number not in top_imports]
        #: last names of library decorators that carry no cache word (``prefect.task``, ``Cache.__call__``)
        self._uncached_names = _uncached_names(words)
        #: names defined by a def or class anywhere (a superset: found by two literal searches)
        self._definitions = set(_DEF.findall(text)) | set(_CLASS.findall(text))
        self._shadowing = bool(self._definitions & _SHADOWED)
        renamed = _renamed(text)
        constructors = _constructors()
        self._constructor = _call_of(constructors | {new for old, new in renamed if old is None or old in constructors})
        self._volatile = _call_of(VOLATILE_NAMES | {new for old, new in renamed if old is None or old in VOLATILE_NAMES}) \
            if callers.volatile else None
        self.keep_all = callers.every or (callers.shapes and self._shapes_possible(site_decorators))

    def filter(self, call_lines: List[int]) -> List[int]:
        """The call lines whose statements a rule may read, of ``call_lines`` (sorted line numbers)."""
        if self.keep_all:
            return call_lines
        out = []
        for line in call_lines:
            i = bisect.bisect_right(self._starts, line) - 1
            if i < 0 or line > self.spans[i][1]:
                out.append(line)  # in no statement (a comment): decides nothing
                continue
            if i not in self._verdicts:
                self._verdicts[i] = self._matters(i)
            if self._verdicts[i]:
                out.append(line)
        return out

    # -- one caller --------------------------------------------------------------------
    def _matters(self, i: int) -> bool:
        start, end = self.spans[i]
        chunk = self.chunks[i]
        if "import" in chunk or (self._shadowing and _SHADOWING.search(chunk)) or _calls(self._constructor, chunk):
            return True
        if self._may_be_a_decorator(chunk):
            return True
        at = bisect.bisect_left(self.index.at, start)
        while at < len(self.index.at) and self.index.at[at] <= end:
            if not self._certainly_no_cache(self.lines[self.index.at[at] - 1]):
                return True
            at += 1
        return self._volatile is not None and _calls(self._volatile, chunk)

    def _may_be_a_decorator(self, chunk: str) -> bool:
        """Whether a definition in ``chunk`` may be one the decorator inference summarises: a
        function with a nested function (a wrapper) or returning a call that may be a cache
        (``return lru_cache(fn)``), or a class with ``__call__``."""
        definition = _DEFINITION.search(chunk)
        if definition is None:
            return False
        if definition.group(1) == "class":  # a class-based decorator is called
            return "__call__" in chunk
        if not chunk.startswith(("@", "def", "async")):
            return True  # definitions inside a block (``if``/``try``) count as top-level ones: keep
        if _NESTED_DEF.search(chunk):
            return True
        return "return" in chunk and (self.words.search(chunk) is not None
                                      or any(name in chunk for name in self._uncached_names))

    def _certainly_no_cache(self, line: str) -> bool:
        """Whether the decorator on ``line`` can make no cache site (see the module)."""
        match = _DECORATOR.match(line)
        if match is None:
            return False
        parts = match.group(1).split(".")
        last, head = parts[-1], parts[0]
        if self.words.search(last) or last in self._uncached_names:
            return False  # a cache by its name, or a library decorator that may cache
        if head in ("self", "cls") and len(parts) > 1:
            return True  # an attribute of an instance: unresolved, and not named like a cache
        if self._may_be_home_made(head):
            return False
        if head in self._library_import:
            origin = self._origin.get(head, head) if len(parts) == 1 else last
            # an import wins over any assignment in the resolver; what it imports decides
            return not (self.words.search(origin) or origin in self._uncached_names)
        # a builtin (``@property``) or an unbound name, unless assigned (``c = Cache(); @c(...)``)
        text = self.text
        for match in re.finditer(re.escape(head) + r"[ \t]*(?::[^=\n]*)?=(?!=)", text):  # the name leads: fast
            before = text[match.start() - 1] if match.start() else ""
            if not (before.isalnum() or before in "_."):
                return False
        return True

    # -- the file's sites --------------------------------------------------------------
    def _shapes_possible(self, site_decorators: Sequence[ast.expr]) -> bool:
        """Whether a site of the file may leave a parameter out one way only (CL305 reads every caller)."""
        if self.extra_names or "diskcache" in self.text:
            return True
        for decorator in site_decorators:
            names = _callee_names(decorator)
            if names is None or any(self._may_be_home_made(name) for name in names):
                return True
        return False

    def _may_be_home_made(self, name: str) -> bool:
        """Whether ``name`` may resolve to a decorator of the project (defined here or imported
        from a module cachelint does not model), which the decorator inference reads."""
        if name not in self._home_made:
            self._home_made[name] = bool(self.extra_names) or name in self._definitions \
                or self._library_import.get(name) is False or self._in_block_import(name)
        return self._home_made[name]

    def _in_block_import(self, name: str) -> bool:
        word = re.compile(r"(?<![\w.])%s\b" % re.escape(name))
        for text in self._other_import_lines:
            if "(" in text or text.rstrip().endswith("\\") or word.search(text):
                return True  # a name imported inside a block (or on lines not read here)
        return False


def _bindings(node: ast.stmt) -> List[Tuple[str, str, str]]:
    """``(bound name, module, imported name)`` of an import statement (empty for anything else and ``*``)."""
    if isinstance(node, ast.Import):
        return [(alias.asname or alias.name.split(".")[0], alias.name, alias.name) for alias in node.names]
    if isinstance(node, ast.ImportFrom):
        module = "" if node.level else (node.module or "")  # relative: no library
        return [(alias.asname or alias.name, module, alias.name) for alias in node.names if alias.name != "*"]
    return []


def _callee_names(decorator: ast.expr) -> Optional[List[str]]:
    """The names a decorator's callee starts from (with ``noself(cache)(...)``'s argument), or None."""
    callee = decorator.func if isinstance(decorator, ast.Call) else decorator
    names: List[str] = []
    if isinstance(callee, ast.Call):  # a call of a call: cashews' noself(cache)(ttl=...)
        names.extend(n.id for arg in callee.args for n in ast.walk(arg) if isinstance(n, ast.Name))
        callee = callee.func
    while isinstance(callee, (ast.Attribute, ast.Subscript, ast.Call)):
        callee = callee.func if isinstance(callee, ast.Call) else callee.value
    if not isinstance(callee, ast.Name):
        return None
    names.append(callee.id)
    return names


_DEF = re.compile(r"def[ \t]+(\w+)")
_CLASS = re.compile(r"class[ \t]+(\w+)")
#: the first definition line of a statement (after its decorators)
_DEFINITION = re.compile(r"^[ \t\f]*(?:async[ \t]+)?(def|class)\b", re.MULTILINE)
#: a nested definition (indented ``def``): a function holding one may be a decorator with a wrapper
_NESTED_DEF = re.compile(r"\n[ \t\f]+(?:async[ \t]+)?def[ \t]")
_AS = re.compile(r"as[\s\\]+(\w+)")
_WORD_BEFORE = re.compile(r"([ \t\f\\]*)(\w+)")  # on the reversed text before "as"


def _renamed(text: str) -> List[Tuple[Optional[str], str]]:
    """``(name, new name)`` of every ``name as new`` in ``text`` (``from uuid import uuid4 as new_id``;
    ``with``/``except`` clauses come along: a superset). One search for the literal "as". When
    ``as`` starts a line (what it renames may be a line up, after a comment) the name is None:
    the new name may stand for anything."""
    out: List[Tuple[Optional[str], str]] = []
    for match in _AS.finditer(text):
        start = match.start()
        if not start or not (text[start - 1].isspace() or text[start - 1] == "\\"):
            continue  # part of a longer word ("alias", "has")
        before = _WORD_BEFORE.match(text[max(0, start - 120):start][::-1])  # read backwards
        if before is None or "\n" in before.group(1):
            out.append((None, match.group(1)))
        else:
            out.append((before.group(2)[::-1], match.group(1)))
    return out


def _calls(pattern: "re.Pattern[str]", text: str) -> bool:
    """Whether ``text`` calls a name of :func:`_call_of`'s ``pattern`` (a whole word, perhaps after a dot)."""
    for match in pattern.finditer(text):
        start = match.start()
        if not start or not (text[start - 1].isalnum() or text[start - 1] == "_"):
            return True
    return False


@functools.lru_cache(maxsize=8)
def _uncached_names(words: "re.Pattern[str]") -> frozenset:
    from .libraries import MODELS

    return frozenset(n.rpartition(".")[2] for n in MODELS if not words.search(n.rpartition(".")[2]))


@functools.lru_cache(maxsize=1)
def _constructors() -> frozenset:
    """Last names of the calls that make a cache object (``Memory``, ``Cache``, ``FanoutCache``,
    ``make_region``), under every spelling the resolver maps to one."""
    from .libraries import INSTANCE_TYPES, _ALIASES, canonical

    return frozenset(n.rpartition(".")[2] for n in list(INSTANCE_TYPES) + list(_ALIASES) if canonical(n) in INSTANCE_TYPES)


def _call_of(names: Iterable[str]) -> "re.Pattern[str]":
    """A call of one of ``names``, comments and line breaks allowed before the parenthesis
    (the word's start is checked by :func:`_calls`: a leading lookbehind would cost the
    engine its first-character scan)."""
    return re.compile(r"(?:%s)(?:[\s\\]|#[^\n]*)*\(" % "|".join(map(re.escape, sorted(names))))


__all__ = ["Callers", "CallerScreen", "EVERY"]

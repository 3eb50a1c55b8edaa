"""Parse less: hand libcst only the top-level statements a rule will look at.

libcst parses about nine times slower than ``ast`` (DESIGN.md §7), and a file that holds
one cached function among thousands of lines pays for all of them. The file is cut into
top-level statements (:mod:`cachelint.segment`, or the ``ast`` tree when the file was
parsed whole) and each is judged mostly from its text, parsing with ``ast`` only the
statements a decision needs. Kept:

* imports, module-level blocks that import (``try: from functools import cache``), and
  short simple statements that mention a cache word (decorator objects, cache aliases,
  policies);
* module-level code that binds or changes a name a kept statement reads (globals and
  their rebinding for CL202, constants, key functions, decorator objects built in an
  ``if``/``try``), to a fixpoint: a short simple statement when it mentions the name
  other than as the function it calls, a block or a long assignment when it binds it;
* definitions whose decorators (at any depth) mention a cache word, a declared or
  project decorator, or a Prefect cache option, and top-level definitions named like a
  cache (home-made decorators to read);
* statements that declare ``global`` a name a kept definition reads (CL202), that call a
  module- or class-level cached function where an enabled rule reads the call (CL106,
  CL305, CL402; see :mod:`cachelint.callers`), or that define a name a cache decorator
  refers to (``key=make_key``, ``cache_policy=POLICY``) or a base of a kept class.

In kept classes, members that neither cache, call a cached function nor declare such a
global are dropped, and of the special methods only those a rule reads stay. The kept
lines, with the comment and blank lines just above each statement (its leading lines in
libcst), are joined without the others; :class:`Reduced` carries the line map back to the
file's numbering. Tests lint fixtures and real files both ways and compare.
"""
from __future__ import annotations

import ast
import bisect
import functools
import itertools
import keyword
import operator
import re
import warnings
from dataclasses import dataclass
from typing import Dict, Iterable, List, Optional, Sequence, Set, Tuple

from .callers import EVERY, Callers, CallerScreen
from .outline import Outline, class_outline
from .segment import STRING_PATTERN, defined_name

#: Module-level assignments longer than this (data tables) are not kept for their own sake.
MAX_ASSIGNMENT_LINES = 50
_PREFECT_OPTIONS = frozenset({"cache_policy", "cache_key_fn"})


def _span(node: ast.stmt) -> Tuple[int, int]:
    start = node.lineno
    for decorator in getattr(node, "decorator_list", ()):
        start = min(start, decorator.lineno)
    return start, node.end_lineno or node.lineno


def _dotted_parts(expr: ast.AST) -> List[str]:
    parts: List[str] = []
    while True:
        if isinstance(expr, ast.Call):
            expr = expr.func
        elif isinstance(expr, ast.Attribute):
            parts.append(expr.attr)
            expr = expr.value
        elif isinstance(expr, ast.Name):
            parts.append(expr.id)
            return parts
        elif isinstance(expr, ast.Subscript):
            expr = expr.value
        else:
            return parts


class _Relevance:
    def __init__(self, tree: ast.Module, words: "re.Pattern[str]"):
        self.words = words
        # names imported under an alias of a cache-named object: `from functools import cache as c`
        self.aliases: Set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for alias in node.names:
                    if alias.asname and words.search(alias.name):
                        self.aliases.add(alias.asname)
        self.cached_names: Set[str] = set()
        self.referenced: Set[str] = set()
        #: every decorator of the functions found cached (for the caller screen)
        self.site_decorators: List[ast.expr] = []
        #: words of the kept definitions (the names cached functions may read)
        self.read: Set[str] = set()

    def decorator_matters(self, decorator: ast.AST) -> bool:
        parts = _dotted_parts(decorator)
        if any(self.words.search(p) or p in self.aliases for p in parts):
            return True
        if isinstance(decorator, ast.Call) and any(k.arg in _PREFECT_OPTIONS for k in decorator.keywords):
            return True
        return False

    def scan(self, node: ast.stmt) -> bool:
        """Whether ``node`` holds a cache decorator (recording cached names and referenced names).

        Only functions at module or class level are recorded as cached names (their calls
        elsewhere are kept for the call-site rules); a cached function nested in another
        is called where it is defined, which is kept anyway.
        """
        found = False
        stack = [(node, False)]
        while stack:
            inner, nested = stack.pop()
            decorators = getattr(inner, "decorator_list", None)
            if decorators:
                matters = [self.decorator_matters(decorator) for decorator in decorators]
                if any(matters):
                    self.site_decorators.extend(decorators)
                for decorator, cache in zip(decorators, matters):
                    if cache:
                        found = True
                        if not nested:
                            self.cached_names.add(inner.name)
                        for sub in ast.walk(decorator):
                            if isinstance(sub, ast.Name):
                                self.referenced.add(sub.id)
            inside = nested or isinstance(inner, (ast.FunctionDef, ast.AsyncFunctionDef))
            stack.extend((child, inside) for child in inner_statements(inner))
        return found


def inner_statements(node: ast.AST) -> List[ast.stmt]:
    """The statements directly inside ``node``'s blocks (decorated definitions are statements)."""
    out: List[ast.stmt] = []
    for name in ("body", "orelse", "finalbody"):
        block = getattr(node, name, None)
        if isinstance(block, list):
            out.extend(block)
    for part in getattr(node, "handlers", None) or getattr(node, "cases", None) or ():
        out.extend(part.body)
    return out


def _defines(node: ast.stmt) -> Set[str]:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {node.name}
    names: Set[str] = set()
    if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for target in targets:
            names |= {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
    return names


class _Lines:
    """Which lines of the file matter, each kind found by one scan of the whole text.

    Per-statement regular-expression searches cost more than the parse they avoid on big
    files; here every pattern runs once and statements ask by line range (bisect).
    """

    def __init__(self, text: str, words: "re.Pattern[str]", lines: Optional[List[str]] = None):
        self.text = text
        self._names: Dict[Tuple[str, bool], List[int]] = {}
        lines = text.split("\n") if lines is None else lines  # the text's lines (split at "\n")
        # offset of each line's start: its predecessors' lengths plus one newline each
        self.starts = [0, *map(operator.add, itertools.accumulate(map(len, lines[:-1])), itertools.count(1))]
        at: List[int] = []
        cache: List[int] = []
        for match in _AT.finditer(text):
            line = self.line_of(match.start())
            if text[self.starts[line - 1]:match.start()].strip(" \t\f"):
                continue  # the matrix operator, or an @ inside a string
            at.append(line)
            if words.search(match.group()):
                cache.append(line)
        lowered = text.lower()
        if "cache_policy" in lowered or "cache_key_fn" in lowered:
            cache.extend(self.hits(_PREFECT_OPTION))
        #: lines that start with a decorator; lines with a cache decorator or a Prefect cache option
        self.at, self.decorators = at, sorted(set(cache))
        self.block_imports = [line + 1 for line in self.hits(_BLOCK_IMPORT)]  # the match starts at the newline before
        self.declarations: Dict[int, List[str]] = {}
        for declaration in ("global", "nonlocal"):  # found by str.find: a regex would try every offset
            at = text.find(declaration)
            while at >= 0:
                match = _DECLARATION.match(text, at)
                if match is not None:
                    line = self.line_of(at)
                    before = text[self.starts[line - 1]:at].rstrip(" \t\f")
                    if not before or before[-1] in ";:":  # a statement of its own (``f(); global X``)
                        self.declarations.setdefault(line, []).extend(_WORD.findall(match.group(1)))
                at = text.find(declaration, at + 1)
        self.classes = ([1] if text.startswith("class") else []) + [line + 1 for line in self.hits(_CLASS_LINE)]

    def line_of(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset)

    def hits(self, pattern: "re.Pattern[str]") -> List[int]:
        """Sorted line numbers where ``pattern`` matches."""
        return sorted({self.line_of(m.start()) for m in pattern.finditer(self.text)})

    def names(self, names: Set[str], call: bool = False) -> List[int]:
        """Sorted line numbers where one of ``names`` appears as a word (followed by ``(`` if ``call``).

        Each name is found by plain substring search, far faster than one alternation, and
        its lines are remembered (the reduction asks again as its sets of names grow).
        """
        found: Set[int] = set()
        for name in names:
            found.update(self._name_lines(name, call))
        return sorted(found)

    def _name_lines(self, name: str, call: bool) -> List[int]:
        key = (name, call)
        if key in self._names:
            return self._names[key]
        text = self.text
        found: List[int] = []
        at = text.find(name)
        while at >= 0:
            after = at + len(name)
            if (at == 0 or not (text[at - 1].isalnum() or text[at - 1] == "_")) and \
                    (after >= len(text) or not (text[after].isalnum() or text[after] == "_")):
                if not call or _CALL_AFTER.match(text, after):
                    found.append(self.line_of(at))
            at = text.find(name, after)
        self._names[key] = found
        return found

    @staticmethod
    def within(lines: List[int], start: int, end: int) -> bool:
        """Whether a line of the sorted ``lines`` lies in ``start..end``."""
        at = bisect.bisect_left(lines, start)
        return at < len(lines) and lines[at] <= end

    def declares(self, start: int, end: int, read: Set[str]) -> bool:
        """Whether lines ``start..end`` declare ``global``/``nonlocal`` a name in ``read``."""
        return any(start <= line <= end and any(n in read for n in names) for line, names in self.declarations.items())


def _droppable_members(cls: ast.ClassDef, lines: List[str], index: "_Lines", call_lines: List[int],
                       relevance: "_Relevance") -> List[Tuple[int, int]]:
    """Line spans of methods (and nested classes' methods) of a kept class that no rule reads.

    Kept: class-level assignments (``__slots__``), the special methods rules read
    (:data:`_READ_DUNDERS`: ``__eq__`` and ``__hash__`` decide how instances key, ``__init__``
    and ``__call__`` make a class-based decorator), cache-decorated or cache-named members,
    members that call a cached function or declare globals, and at least one member so the
    class body stays valid. Lines shared with another statement are never dropped. A
    dropped member takes its leading blank lines and comments with it.
    """
    drops: List[Tuple[int, int]] = []
    kept_any = False
    members = cls.body
    previous_end = 0
    index_floor = members[0].lineno if members else 0  # the first member's lead stays (the class header's comments)
    for position, member in enumerate(members):
        start, end = _span(member)
        shares_line = start <= previous_end or (position + 1 < len(members) and _span(members[position + 1])[0] <= end)
        previous_end = end
        dunder = getattr(member, "name", "") in _READ_DUNDERS
        if not isinstance(member, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) or shares_line or dunder:
            kept_any = True
            index_floor = end + 1
            continue
        if isinstance(member, ast.ClassDef):
            kept_any = True
            drops.extend(_droppable_members(member, lines, index, call_lines, relevance))
            index_floor = end + 1
            continue
        relevant = relevance.words.search(_NOT_A_CACHE_WORD.sub("", member.name)) or (index.within(index.decorators, start, end) and relevance.scan(member)) \
            or index.within(call_lines, start, end) or index.declares(start, end, relevance.read)
        if relevant:
            kept_any = True
        else:
            drops.append((_lead_start(lines, start, index_floor, member.col_offset), end))
        index_floor = end + 1
    if not kept_any and drops:
        drops.pop()  # keep one member: a class body cannot be empty
    return drops


#: "memory" holds "memo" but names no cache (``test_shared_memory_basics``, ``memoryview``):
#: a member named so is no reason to keep it (decorator lines keep matching the plain words).
_NOT_A_CACHE_WORD = re.compile("memory", re.IGNORECASE)
#: Special methods a rule or the decorator inference reads; other members of a kept class
#: stay only when they cache, call a cached function or declare a global it reads.
_READ_DUNDERS = frozenset({"__init__", "__call__", "__eq__", "__hash__", "__new__", "__init_subclass__",
                           "__class_getitem__", "__get__", "__set_name__", "__post_init__"})


def _lead_start(lines: List[str], start: int, floor: int, column: int) -> int:
    """The first of the blank lines and ``column``-indented comments just above line ``start``.

    They are the member's leading lines in libcst and go with it; comments indented deeper
    end the previous member's body and stay. ``floor`` is the first line that may go.
    """
    line = start
    while line - 1 >= floor:
        text = lines[line - 2]
        stripped = text.lstrip(" \t")
        if stripped and not (stripped.startswith("#") and len(text) - len(stripped) == column):
            break
        line -= 1
    return line


#: ``global``/``nonlocal`` declarations: CL202 reads them when a cached function reads the name.
_DECLARATION = re.compile(r"(?:global|nonlocal)(?:[ \t]|\\\n)+(\w+(?:(?:[ \t]|\\\n)*,(?:[ \t]|\\\n)*\w+)*)")
_WORD = re.compile(r"\w+")
_AT = re.compile(r"@[^\n]*")
_PREFECT_OPTION = re.compile(r"cache_(?:policy|key_fn)", re.IGNORECASE)
_CALL_AFTER = re.compile(r"\s*\(")
_BLOCK_IMPORT = re.compile(r"\n[ \t]+(?:import|from[ \t]+\S+[ \t]+import)\b")
#: A top-level statement that is not a simple statement (decorated, definition, block).
_COMPOUND = re.compile(r"(?:@|(?:async[ \t]+)?def\b|class\b|if\b|for\b|while\b|try\b|with\b|async\b)")
_IMPORT = re.compile(r"(?:import|from)\b")
_CLASS_LINE = re.compile(r"\nclass\b")
_KEYWORDS = frozenset(keyword.kwlist)
#: An f-string (group 1), a comment, or another string literal.
_PLAIN_STRING_OR_COMMENT = re.compile(
    r"(?=[#'\"])(?:#[^\n]*|((?:(?<=[fF])|(?<=[fF][rR]))(?:" + STRING_PATTERN + r"))|(?:" + STRING_PATTERN + "))",
    # the lookahead lets the engine skip to the next quote or hash
    re.DOTALL)
#: A word not preceded by a dot (an attribute name) nor part of a longer word or number.
_CODE_WORD = re.compile(r"(?<![\w.])[^\W\d]\w*")
_CASE = re.compile(r"^[ \t]+case\b", re.MULTILINE)
_STRING_START = re.compile(r"[rRbBuUfF]{0,2}['\"]")


@dataclass
class Reduced:
    """What libcst parses instead of the whole file.

    ``text`` holds the kept lines only (the kept top-level statements, the comment and
    blank lines just above each, and nothing of the dropped class members); ``line_map``
    gives the original line of each of its lines (``line_map[i]`` for line ``i + 1``), or
    None when nothing was dropped. ``tree`` is the ``ast`` module of ``text`` (its line
    numbers are those of ``text``).
    """

    text: str
    tree: ast.Module
    line_map: Optional[List[int]]

    def original_line(self, line: int) -> int:
        """The line of the original file that line ``line`` (1-based) of ``text`` is."""
        if self.line_map is None or not 1 <= line <= len(self.line_map):
            return line
        return self.line_map[line - 1]


@functools.lru_cache(maxsize=16)
def _words(extra_names: Tuple[str, ...]) -> "re.Pattern[str]":
    """The cache words, and the last names of declared and project decorators."""
    return re.compile("|".join(["cach", "memo", "persist", "alru", "lru"] + [re.escape(n) for n in extra_names if n]), re.IGNORECASE)


def spans_of(tree: ast.Module) -> Tuple[List[Tuple[int, int]], List[List[ast.stmt]]]:
    """Line spans of the top-level statements of a parsed module, statements sharing a line joined."""
    spans: List[Tuple[int, int]] = []
    nodes: List[List[ast.stmt]] = []
    for node in tree.body:
        start, end = _span(node)
        if spans and start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
            nodes[-1].append(node)
        else:
            spans.append((start, end))
            nodes.append([node])
    return spans, nodes


def reduce_text(text: str, spans: Sequence[Tuple[int, int]], extra_names: Iterable[str] = (),
                nodes: Optional[Sequence[List[ast.stmt]]] = None,
                callers: Callers = EVERY) -> Optional[Tuple[str, List[int]]]:
    """``(kept text, line map)`` for the statements rules can read, or None to keep everything.

    ``spans`` are the top-level statements' ``(first, last)`` lines, from
    :func:`cachelint.segment.top_level_spans` or :func:`spans_of`; ``nodes`` are their
    ``ast`` statements when the whole file was parsed, else statements are parsed one by
    one, and only those whose text the decisions need. ``extra_names`` are last names of
    declared or project decorators, which count as cache words. ``callers`` says which
    statements that call a cached function the active rules read
    (:class:`cachelint.callers.Callers`; default: all). Raises SyntaxError (and
    ValueError, RecursionError, MemoryError) when a statement that had to be parsed does
    not parse: the caller then parses the whole file to report it.
    """
    extra_names = tuple(sorted(n for n in extra_names if n))
    words = _words(extra_names)
    lines = text.split("\n")
    chunks = ["\n".join(lines[start - 1:end]) for start, end in spans]
    parsed: dict = {}

    def parse(indices: Iterable[int]) -> None:
        """Parse the statements ``indices`` in one go, each at its own lines (blank lines between)."""
        todo = sorted(i for i in set(indices) if i not in parsed)
        if nodes is not None or not todo:
            return
        pieces: List[str] = []
        line = 1
        outlines: Dict[int, Outline] = {}
        for i in todo:
            pieces.append("\n" * (spans[i][0] - line))
            outline = class_outline(lines, spans[i], index.at) if chunks[i].startswith(("@", "class")) else None
            if outline is not None:  # a class: only the members that need reading are parsed
                outlines[i] = outline
            pieces.append((outline.text if outline is not None else chunks[i]) + "\n")
            line = spans[i][1] + 1
        body = _parse("".join(pieces)).body
        for i in todo:
            parsed[i] = []
        position = 0
        for node in body:
            while spans[todo[position]][1] < node.lineno:
                position += 1
            parsed[todo[position]].append(node)
        for i, outline in outlines.items():
            for node in parsed[i]:
                if isinstance(node, ast.ClassDef):
                    outline.complete(node)

    def statements(i: int) -> List[ast.stmt]:
        if nodes is not None:
            return nodes[i]
        parse([i])
        return parsed[i]

    index = _Lines(text, words, lines)
    is_import = [bool(_IMPORT.match(chunk)) for chunk in chunks]
    is_compound = [bool(_COMPOUND.match(chunk)) for chunk in chunks]
    defined = [defined_name(chunk) for chunk in chunks]
    named = [name is not None and bool(words.search(name)) for name in defined]
    decorated = [is_compound[i] and index.within(index.decorators, start, end) for i, (start, end) in enumerate(spans)]
    parse(i for i in range(len(chunks)) if is_import[i] or named[i] or decorated[i])
    imports = [node for i in range(len(chunks)) if is_import[i] for node in statements(i)]
    relevance = _Relevance(ast.Module(body=imports, type_ignores=[]), words)

    def scan(i: int) -> bool:
        found = False
        for node in statements(i):
            found = relevance.scan(node) or found
        return found

    keep = [False] * len(spans)
    #: statements kept only if a kept statement reads a name they bind or change (True:
    #: short simple statements, judged by every word they hold but the names they call;
    #: False: blocks and long assignments, by the names they bind at module level)
    pending: Dict[int, bool] = {}
    for i, chunk in enumerate(chunks):
        start, end = spans[i]
        if is_import[i]:
            keep[i] = True
        elif not is_compound[i]:  # assignments and other simple statements
            if index.within(index.decorators, start, end) or (end - start < MAX_ASSIGNMENT_LINES and (
                    words.search(chunk) or (i == 0 and _STRING_START.match(chunk)))):
                keep[i] = True  # decorator objects, cache aliases and options, the module docstring
            else:  # kept below if a kept statement reads a name it mentions (long ones: that it binds)
                pending[i] = end - start < MAX_ASSIGNMENT_LINES
        else:
            if named[i] and _is_definition(statements(i)):
                keep[i] = True
                scan(i)
            elif decorated[i] or (relevance.aliases and index.within(index.at, start, end)):
                keep[i] = scan(i)
            if not keep[i] and defined[i] is None and not chunk.startswith("@"):
                # a module-level block (``try: from functools import cache``) imports for the module
                keep[i] = index.within(index.block_imports, start, end)
                if not keep[i]:
                    pending[i] = False  # kept below if it binds a name a kept statement reads
    # functions that declare a global a cached function reads (CL202 reads both)
    words_of: Dict[int, List[str]] = {}  # each chunk's words, found once

    def chunk_words(i: int) -> List[str]:
        if i not in words_of:
            words_of[i] = _code_words(chunks[i])
        return words_of[i]

    relevance.read = {word for i in range(len(chunks)) if keep[i] and is_compound[i] for word in chunk_words(i)}
    read: Set[str] = set()  # the words of every kept statement, for the simple statements' decisions
    read_from: Set[int] = set()
    bound: Dict[int, Set[str]] = {}
    if index.declarations:
        for i, (start, end) in enumerate(spans):
            if not keep[i] and index.declares(start, end, relevance.read):
                keep[i] = True
    is_class = [is_compound[i] and index.within(index.classes, start, end) for i, (start, end) in enumerate(spans)]
    changed = True
    call_lines: Optional[List[int]] = None
    while changed:  # kept classes need their bases (CL507 reads __slots__ up the chain)
        changed = False
        parse(i for i in range(len(chunks)) if keep[i] and is_class[i])
        for i in range(len(chunks)):
            if keep[i] and is_class[i]:
                for node in statements(i):
                    if isinstance(node, ast.ClassDef):
                        for base in node.bases:
                            relevance.referenced.update(n.id for n in ast.walk(base) if isinstance(n, ast.Name))
        if call_lines is None:  # the cached names are all known by now
            call_lines = index.names(relevance.cached_names, call=True)
            if call_lines and not callers.every:
                call_lines = CallerScreen(callers, text, lines, spans, chunks, is_import, index, imports,
                                          relevance.site_decorators, words, extra_names).filter(call_lines)
        referenced_lines = index.names(relevance.referenced)
        for i, (start, end) in enumerate(spans):
            if keep[i]:
                continue
            if index.within(call_lines, start, end):
                keep[i] = changed = True
            elif index.within(referenced_lines, start, end):
                if is_compound[i]:  # only a definition's own name counts (see _defines)
                    hit = defined[i] in relevance.referenced and _is_definition(statements(i))
                else:
                    hit = any(_defines(node) & relevance.referenced for node in statements(i))
                if hit:
                    keep[i] = changed = True
        # globals, constants and decorator objects a kept statement reads (CL202 reads their
        # rebinding, the library models a decorator object's construction)
        if not pending:
            continue
        for i in range(len(chunks)):
            if keep[i] and i not in read_from:
                read.update(word for word in chunk_words(i) if word not in _KEYWORDS)
                read_from.add(i)
        candidates = [i for i in pending if not read.isdisjoint(chunk_words(i))]
        parse(i for i in candidates if i not in bound and not pending[i])  # in one batch
        for i in candidates:
            if i not in bound:
                bound[i] = _mentioned_words(chunks[i]) if pending[i] else \
                    _bound_names(statements(i), ":=" in chunks[i] or bool(_CASE.search(chunks[i])))
            if not read.isdisjoint(bound[i]):
                keep[i] = changed = True
                del pending[i]
    # inside kept classes, methods that neither cache, call a cached function nor define a
    # cache-named helper are dropped too (big test classes with one cached method)
    drops: List[Tuple[int, int]] = []
    for i in range(len(chunks)):
        if keep[i] and is_class[i]:
            for node in statements(i):
                if isinstance(node, ast.ClassDef):
                    drops.extend(_droppable_members(node, lines, index, call_lines or [], relevance))
    if all(keep) and not drops:
        return None
    kept = [False] * (len(lines) + 1)
    previous_end = 0
    for i, (start, end) in enumerate(spans):
        if keep[i]:
            # the comment and blank lines above a statement are its leading lines in libcst
            for number in range(previous_end + 1, end + 1):
                kept[number] = True
        previous_end = end
    for start, end in drops:
        for number in range(start, end + 1):
            kept[number] = False
    line_map = [number for number in range(1, len(lines) + 1) if kept[number]]
    return "".join(lines[number - 1] + "\n" for number in line_map), line_map


def _code_only(text: str) -> str:
    """``text`` without its comments and plain strings (an f-string's names are code: it stays)."""
    if "#" in text or "'" in text or '"' in text:
        return _PLAIN_STRING_OR_COMMENT.sub(r"\1", text)  # the f-string is group 1
    return text


def _code_words(text: str) -> List[str]:
    """The names ``text`` may use as code: words outside comments and plain strings,
    attribute names (after a dot) left out."""
    return _CODE_WORD.findall(_code_only(text))


def _mentioned_words(text: str) -> Set[str]:
    """The names a simple statement may bind, read or change, except a name it only calls:
    ``print("x")`` and ``T = TypeVar("T")`` change neither ``print`` nor ``TypeVar``."""
    code = _code_only(text)
    return {m.group() for m in _CODE_WORD.finditer(code) if not _CALL_AFTER.match(code, m.end())} - _KEYWORDS


def _bound_names(statements: Sequence[ast.stmt], expressions: bool = True) -> Set[str]:
    """The names ``statements`` bind (or delete, or store into) at module level.

    Assignment targets (every one of a chain, the base of ``X[k] = v``), loop and ``with``
    targets, ``except ... as`` names, imports and the names of definitions, in blocks at any
    depth but not inside definitions. Only statements and their targets are walked; with
    ``expressions`` (the text holds ``:=`` or a ``case``) also every expression, for walrus
    targets and ``match`` captures.
    """
    names: Set[str] = set()
    stack: List[ast.stmt] = list(statements)
    while stack:
        node = stack.pop()
        targets: List[ast.AST] = []
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            targets.extend(node.targets)
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign, ast.For, ast.AsyncFor)):
            targets.append(node.target)
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            targets.extend(item.optional_vars for item in node.items if item.optional_vars is not None)
        elif isinstance(node, ast.Delete):
            targets.extend(node.targets)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        for handler in getattr(node, "handlers", None) or ():
            if handler.name:
                names.add(handler.name)
        for target in targets:
            for part in ast.walk(target):
                if isinstance(part, ast.Name):
                    names.add(part.id)  # the base of X[k] = v and X.a = v included
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            stack.extend(inner_statements(node))
    if expressions:
        for node in statements:
            names.update(_captures(node))
    return names


def _captures(node: ast.stmt) -> Set[str]:
    """Names bound by walrus targets and ``match`` patterns inside ``node`` (not in definitions)."""
    names: Set[str] = set()
    stack: List[ast.AST] = [node]
    while stack:
        part = stack.pop()
        if isinstance(part, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)) and part is not node:
            continue
        if isinstance(part, ast.NamedExpr) and isinstance(part.target, ast.Name):
            names.add(part.target.id)
        elif type(part).__name__ in ("MatchAs", "MatchStar") and getattr(part, "name", None):
            names.add(part.name)  # type: ignore[attr-defined]
        elif type(part).__name__ == "MatchMapping" and getattr(part, "rest", None):
            names.add(part.rest)  # type: ignore[attr-defined]
        stack.extend(ast.iter_child_nodes(part))
    return names


def _is_definition(statements: List[ast.stmt]) -> bool:
    return any(isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) for node in statements)


def reduce_source(text: str, extra_names: Iterable[str] = (), spans: Optional[Sequence[Tuple[int, int]]] = None,
                  tree: Optional[ast.Module] = None, callers: Callers = EVERY) -> Reduced:
    """The :class:`Reduced` form of a module: segmented text, or an already parsed tree.

    With ``spans`` (from :func:`cachelint.segment.top_level_spans`) the whole file is
    never parsed: the statements the decisions need are parsed one by one and the kept
    text once. With ``tree`` (the whole file's ``ast``) its statements are used.
    ``callers``: see :func:`reduce_text`. Raises SyntaxError, ValueError, RecursionError
    or MemoryError when what had to be parsed does not parse.
    """
    nodes = None
    if tree is not None:
        spans, nodes = spans_of(tree)
    elif spans is None:
        raise ValueError("reduce_source needs the statement spans or the parsed tree")
    if "\r" in text and "\r" in text.replace("\r\n", ""):
        reduced = None  # bare carriage returns: ast and str.split disagree on lines
    else:
        reduced = reduce_text(text, spans, extra_names, nodes, callers)
    if reduced is None:
        return Reduced(text, tree if tree is not None else _parse(text), None)
    kept, line_map = reduced
    return Reduced(kept, _parse(kept), line_map)


def reduce_module(text: str, extra_names: Iterable[str] = (), callers: Callers = EVERY) -> Reduced:
    """:func:`reduce_source` of a module's text: segmented first, the whole file parsed only if needed.

    The whole file is parsed when :func:`cachelint.segment.top_level_spans` cannot follow
    the text or a statement it found does not parse on its own. ``callers``: which
    statements calling a cached function to keep (:func:`reduce_text`). Raises SyntaxError,
    ValueError, RecursionError or MemoryError only when the whole file does not parse
    either (a syntax error in a statement no rule reads is not found).
    """
    from .segment import top_level_spans

    spans = top_level_spans(text)
    if spans is not None:
        try:
            return reduce_source(text, extra_names, spans=spans, callers=callers)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            pass
    return reduce_source(text, extra_names, tree=_parse(text), callers=callers)


def _parse(text: str) -> ast.Module:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ast.parse(text)

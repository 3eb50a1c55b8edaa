"""Parse less: blank out the top-level statements no rule will look at.

libcst parses about nine times slower than ``ast`` (DESIGN.md §7), and a file that holds
one cached function among thousands of lines pays for all of them. The ``ast`` tree from
the syntax pre-check tells, per top-level statement, whether it can matter:

* imports and short module-level assignments (decorator objects, policies, globals);
* definitions whose decorators (at any depth) mention a cache word, a declared or
  project decorator, or a Prefect cache option, and top-level definitions named like a
  cache (home-made decorators to read);
* statements that declare ``global`` names (CL202 reads them), that call a cached
  function (CL106, CL305, CL402 read call sites), or that define a name a cache decorator
  refers to (``key=make_key``, ``cache_policy=POLICY``) or a base of a kept class.

Every other top-level statement is replaced by blank lines, so line and column numbers of
what is kept do not change. A test lints fixtures and real files both ways and compares.
"""
from __future__ import annotations

import ast
import re
from typing import Iterable, List, Optional, Set, Tuple

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

    def decorator_matters(self, decorator: ast.AST) -> bool:
        parts = _dotted_parts(decorator)
        if any(self.words.search(p) or p in self.aliases for p in parts):
            return True
        if isinstance(decorator, ast.Call) and any(k.arg in _PREFECT_OPTIONS for k in decorator.keywords):
            return True
        return False

    def scan(self, node: ast.stmt) -> bool:
        """Whether ``node`` holds a cache decorator (recording cached names and referenced names)."""
        found = False
        for inner in ast.walk(node):
            decorators = getattr(inner, "decorator_list", None)
            if not decorators:
                continue
            for decorator in decorators:
                if self.decorator_matters(decorator):
                    found = True
                    self.cached_names.add(inner.name)
                    for sub in ast.walk(decorator):
                        if isinstance(sub, ast.Name):
                            self.referenced.add(sub.id)
        return found


def _defines(node: ast.stmt) -> Set[str]:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {node.name}
    names: Set[str] = set()
    if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for target in targets:
            names |= {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
    return names


def _droppable_members(cls: ast.ClassDef, lines: List[str], words, decorator_line, relevance: "_Relevance") -> List[Tuple[int, int]]:
    """Line spans of methods (and nested classes' methods) of a kept class that no rule reads.

    Kept: class-level assignments (``__slots__``), dunder methods (``__eq__`` and ``__hash__``
    decide how instances key), cache-decorated or cache-named members,
    members that call a cached function or declare globals, and at least one member so the
    class body stays valid. Lines shared with another statement are never dropped.
    """
    calls = re.compile(r"\b(?:" + "|".join(re.escape(n) for n in sorted(relevance.cached_names)) + r")\s*\(") if relevance.cached_names else None
    drops: List[Tuple[int, int]] = []
    kept_any = False
    members = cls.body
    previous_end = 0
    for index, member in enumerate(members):
        start, end = _span(member)
        shares_line = start <= previous_end or (index + 1 < len(members) and _span(members[index + 1])[0] <= end)
        previous_end = end
        dunder = getattr(member, "name", "").startswith("__") and getattr(member, "name", "").endswith("__")
        if not isinstance(member, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) or shares_line or dunder:
            kept_any = True
            continue
        chunk = "\n".join(lines[start - 1:end])
        if isinstance(member, ast.ClassDef):
            kept_any = True
            drops.extend(_droppable_members(member, lines, words, decorator_line, relevance))
            continue
        relevant = words.search(member.name) or (decorator_line.search(chunk) and relevance.scan(member)) \
            or (calls is not None and calls.search(chunk)) or _NESTED_KEEP.search(chunk)
        if relevant:
            kept_any = True
        else:
            drops.append((start, end))
    if not kept_any and drops:
        drops.pop()  # keep one member: a class body cannot be empty
    return drops


_NESTED_KEEP = re.compile(r"^[ \t]*(?:global|nonlocal|import|from[ \t]+\S+[ \t]+import)\b", re.MULTILINE)


def reduce_source(text: str, tree: ast.Module, extra_names: Iterable[str] = ()) -> Optional[Tuple[str, ast.Module]]:
    """``(reduced text, ast module of the kept statements)``, or None when nothing is dropped.

    ``extra_names`` are last names of declared or project decorators, which count as
    cache words. Files with bare carriage returns are left whole (line numbering). Only
    statements whose text shows a decorator line with a cache word are walked as trees;
    the rest are judged by regular expressions over their text.
    """
    if "\r" in text.replace("\r\n", ""):
        return None
    names = ["cach", "memo", "persist", "alru", "lru"] + [re.escape(n) for n in extra_names if n]
    words = re.compile("|".join(names), re.IGNORECASE)
    decorator_line = re.compile(r"^[ \t]*@[^\n]*(?:" + "|".join(names) + r")|cache_policy|cache_key_fn", re.IGNORECASE | re.MULTILINE)
    lines = text.split("\n")
    body = tree.body
    spans = [_span(node) for node in body]
    chunks = ["\n".join(lines[start - 1:end]) for start, end in spans]
    relevance = _Relevance(ast.Module(body=[n for n in body if isinstance(n, (ast.Import, ast.ImportFrom))], type_ignores=[]), words)
    keep = [False] * len(body)
    for i, node in enumerate(body):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            keep[i] = True
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            keep[i] = spans[i][1] - spans[i][0] < MAX_ASSIGNMENT_LINES
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and words.search(node.name):
            keep[i] = True
            relevance.scan(node)
        elif decorator_line.search(chunks[i]) or (relevance.aliases and "@" in chunks[i]):
            keep[i] = relevance.scan(node) or bool(_NESTED_KEEP.search(chunks[i]))
        else:
            keep[i] = bool(_NESTED_KEEP.search(chunks[i]))
    changed = True
    while changed:  # kept classes need their bases (CL507 reads __slots__ up the chain)
        changed = False
        for i, node in enumerate(body):
            if keep[i] and isinstance(node, ast.ClassDef):
                for base in node.bases:
                    relevance.referenced.update(n.id for n in ast.walk(base) if isinstance(n, ast.Name))
        calls = re.compile(r"\b(?:" + "|".join(re.escape(n) for n in sorted(relevance.cached_names)) + r")\s*\(") if relevance.cached_names else None
        for i, node in enumerate(body):
            if keep[i]:
                continue
            if _defines(node) & relevance.referenced or (calls is not None and calls.search(chunks[i])):
                keep[i] = changed = True
    blank = [False] * (len(lines) + 2)
    # inside kept classes, methods that neither cache, call a cached function nor define a
    # cache-named helper are dropped too (big test classes with one cached method)
    class_drops: List[Tuple[int, int]] = []
    for i, node in enumerate(body):
        if keep[i] and isinstance(node, ast.ClassDef):
            class_drops.extend(_droppable_members(node, lines, words, decorator_line, relevance))
    if all(keep) and not class_drops:
        return None
    kept_lines: Set[int] = set()
    for i, (start, end) in enumerate(spans):
        if keep[i]:
            kept_lines.update(range(start, end + 1))
    for i, (start, end) in enumerate(spans):
        if not keep[i] and not any(n in kept_lines for n in range(start, end + 1)):
            for n in range(start, end + 1):
                blank[n] = True
    for start, end in class_drops:
        for n in range(start, end + 1):
            blank[n] = True
    kept_nodes = [node for node, (start, end) in zip(body, spans) if not all(blank[n] for n in range(start, end + 1))]
    out = [("\r" if line.endswith("\r") else "") if blank[number] else line for number, line in enumerate(lines, start=1)]
    return "\n".join(out), ast.Module(body=kept_nodes, type_ignores=[])

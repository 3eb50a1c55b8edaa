"""A class's members from its text, so the reduction parses only the members it must read.

A test class with one cached method among fifty would otherwise be parsed whole with
``ast`` just to learn where its methods start and end and what they are called (for
:mod:`cachelint.reduce`, half its time on cache-heavy files). :func:`class_outline` finds
the members of a top-level class by running :func:`cachelint.segment.top_level_spans` on
the class body with its indentation removed. Members the reduction must read (a
decorator line inside, or a nested class) stay in the text handed to ``ast``, at their
own lines and indentation; the others are blanked there and come back as stubs that carry
what the reduction looks at: the line span, the name and whether it is a definition.
Anything unusual (a header over several lines, a body on the header line, text the
segmenter cannot follow) gives None: the class is then parsed whole, as before.
"""
from __future__ import annotations

import ast
import bisect
import re
from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

from .segment import top_level_spans

#: The ``class`` line of a top-level class whose body starts on the next line.
_HEADER = re.compile(r"class[ \t]+\w+[^\n#]*:[ \t]*(?:#[^\n]*)?")
#: The first line of an undecorated member definition: its kind and name.
_MEMBER = re.compile(r"(?:async[ \t]+)?(def|class)[ \t]+(\w+)")


@dataclass
class Outline:
    """A class statement prepared for a partial parse.

    ``text`` has exactly the statement's lines: the header and the members to read as
    they are, the other lines blank (with a ``pass`` on line ``filler`` when no member is
    kept, so the body is valid). ``stubs`` stand for the blanked members, in line order.
    """

    text: str
    stubs: List[ast.stmt]
    filler: Optional[int] = None

    def complete(self, node: ast.ClassDef) -> None:
        """Put the stubs into ``node`` (the parse of :attr:`text`) among the parsed members."""
        if not self.stubs:
            return
        members = [m for m in node.body if not (isinstance(m, ast.Pass) and m.lineno == self.filler)]
        node.body = sorted(members + self.stubs, key=lambda member: member.lineno)
        node.end_lineno = max(node.end_lineno or node.lineno, self.stubs[-1].end_lineno or 0)


def class_outline(lines: Sequence[str], span: Tuple[int, int], decorator_lines: Sequence[int]) -> Optional[Outline]:
    """The :class:`Outline` of the top-level class statement at ``span`` (first, last line), or None.

    ``lines`` are the file's lines (``lines[0]`` is line 1); ``decorator_lines`` the sorted
    numbers of the lines that start with a decorator (members holding one are parsed).
    """
    start, end = span
    header = start
    while header <= end and lines[header - 1].startswith("@"):
        header += 1  # one-line decorators; anything longer is left to the whole parse
    if header >= end or not _HEADER.fullmatch(lines[header - 1]):
        return None
    first = header + 1
    indent = ""
    for number in range(first, end + 1):
        stripped = lines[number - 1].lstrip(" \t")
        if stripped and not stripped.startswith("#"):
            indent = lines[number - 1][:len(lines[number - 1]) - len(stripped)]
            break
    if not indent or "\f" in indent:
        return None
    width = len(indent)
    body = [line[width:] if line.startswith(indent) else ("" if not line.strip() else line)
            for line in lines[first - 1:end]]
    members = top_level_spans("\n".join(body))
    if not members:
        return None
    out = list(lines[start - 1:header])
    stubs: List[ast.stmt] = []
    kept_any = False
    for member_start, member_end in members:
        definition = _MEMBER.match(body[member_start - 1])
        member_start += header  # file lines from here
        member_end += header
        out.extend([""] * (member_start - start - len(out)))
        at = bisect.bisect_left(decorator_lines, member_start)
        decorated = at < len(decorator_lines) and decorator_lines[at] <= member_end
        if decorated or (definition is not None and definition.group(1) == "class"):
            out.extend(lines[member_start - 1:member_end])
            kept_any = True
            continue
        out.extend([""] * (member_end - member_start + 1))
        stubs.append(_stub(definition.group(2) if definition is not None else None, member_start, member_end, width))
    out.extend([""] * (end - start + 1 - len(out)))
    filler = None
    if not kept_any:
        filler = first  # every body line is blank now
        out[first - start] = indent + "pass"
    return Outline("\n".join(out), stubs, filler)


def _stub(name: Optional[str], start: int, end: int, column: int) -> ast.stmt:
    """A stand-in member: a function named ``name`` (None: a statement that defines nothing)."""
    if name is None:
        node: ast.stmt = ast.Pass()
    else:
        node = ast.FunctionDef(name=name, args=ast.arguments(posonlyargs=[], args=[], vararg=None, kwonlyargs=[],
                                                              kw_defaults=[], kwarg=None, defaults=[]),
                               body=[], decorator_list=[], returns=None, type_comment=None)
    node.lineno, node.end_lineno, node.col_offset, node.end_col_offset = start, end, column, 0
    return node


__all__ = ["Outline", "class_outline"]

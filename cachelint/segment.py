"""Splitting a module's text into its top-level statements without parsing it.

A file that holds one cached function among thousands of lines should not pay for an
``ast`` parse of all of them (DESIGN.md §7): the reduction (``reduce.py``) only needs to
know where each top-level statement starts and ends, and a tree of the few statements it
keeps. :func:`top_level_spans` finds the statement boundaries with one regular-expression
scan that follows strings, comments, brackets and backslash continuations, at C speed for
everything between those tokens.

A statement starts on a line whose first character is not blank, ``#`` or a closing
bracket, at bracket depth zero, outside any string and not after a backslash
continuation. Decorators join the definition that follows them; ``else``, ``elif``,
``except`` and ``finally`` clauses join the statement they continue. The scan gives up
(returns None) on text it cannot follow: an unterminated string, unbalanced brackets, a
form feed or a carriage return (the parse of what is kept checks the rest, and callers
fall back to parsing the whole file when it fails).
"""
from __future__ import annotations

import re
from typing import List, Optional, Set, Tuple

#: (first line, last line) of one top-level statement, 1-based and inclusive.
Span = Tuple[int, int]

_PLAIN = r"""[^'"#()\[\]{}\\\n]"""  # a character that is no string, comment, bracket, backslash or newline
_ONE_LINE_STRING = r"""(?:"[^"\\\n]*"|'[^'\\\n]*')"""
_TOKENS = re.compile(
    r"""(?=['"#()\[\]{}\\\n])(?:"""  # only where a token can start: lets the engine skip plain text
    r'''"""(?:[^"\\]|\\.|"(?!""))*"""'''  # triple-quoted strings (prefixes never change where a string ends)
    r"""|'''(?:[^'\\]|\\.|'(?!''))*'''"""
    r'''|"(?:[^"\\\n]|\\.)*"'''  # one-line strings; backslash-newline inside is a continuation
    r"""|'(?:[^'\\\n]|\\.)*'"""
    r"|#[^\n]*"
    # a bracket pair closed on its line, with plain text, simple strings and one level of
    # inner pairs: skipped in one step (most brackets of real code)
    rf"|\((?:{_PLAIN}|{_ONE_LINE_STRING}|\((?:{_PLAIN}|{_ONE_LINE_STRING})*\)|\[(?:{_PLAIN}|{_ONE_LINE_STRING})*\])*\)"
    rf"|\[(?:{_PLAIN}|{_ONE_LINE_STRING}|\((?:{_PLAIN}|{_ONE_LINE_STRING})*\)|\[(?:{_PLAIN}|{_ONE_LINE_STRING})*\])*\]"
    r"|[(\[{]|[)\]}]"
    r"|\\\n"
    r"|\n(?=[^ \t\n#)\]}])"  # a line that starts in column 0: a statement when no bracket is open
    r"""|['"\\])""",  # a quote that opens no complete string, or a stray backslash: give up
    re.DOTALL,
)
_FORM_FEED_START = re.compile(r"^\f", re.MULTILINE)
_CONTINUES = re.compile(r"(?:else|elif|except|finally)\b")
_DEFINITION = re.compile(r"(?:async[ \t]+def|def|class)\b")


def top_level_spans(text: str) -> Optional[List[Span]]:
    """The ``(first line, last line)`` of every top-level statement of ``text``, in order.

    ``text`` is a decoded module (``\\n`` line ends). Blank and comment-only lines between
    statements belong to no span. Returns None when the text cannot be followed reliably
    (see the module docstring); the result is only a plan, checked by parsing what is kept.
    """
    if "\r" in text or ("\f" in text and _FORM_FEED_START.search(text)):
        return None
    starts: List[int] = []  # character offsets of statement starts
    comments = set()  # offsets of comment tokens (a "#" line inside a string is not one)
    depth = 0
    # the first line
    if text and text[0] not in " \t\n#)]}":
        starts.append(0)
    for match in _TOKENS.finditer(text):
        token = match.group()
        first = token[0]
        if first == "\n":
            if depth == 0:
                starts.append(match.end())
        elif first in "([{":
            if len(token) == 1:
                depth += 1
        elif first in ")]}":
            depth -= 1
            if depth < 0:
                return None
        elif first in "'\"":
            if len(token) == 1:
                return None  # an unterminated string
        elif first == "#":
            comments.add(match.start())
        elif first == "\\":
            if len(token) == 1:
                return None
            # a continuation: the next line never starts a statement
    if depth != 0:
        return None
    return _group(text, starts, comments)


def _group(text: str, starts: List[int], comments: Set[int]) -> List[Span]:
    """Line spans from statement-start offsets: decorators and continuation clauses joined."""
    line = 1
    previous = 0
    pending_decorator = False
    first_lines: List[int] = []  # the first line of each statement
    for offset in starts:
        line += text.count("\n", previous, offset)
        previous = offset
        char = text[offset]
        joins = pending_decorator or bool(char in "ef" and _CONTINUES.match(text, offset))
        pending_decorator = char == "@" or (pending_decorator and not _DEFINITION.match(text, offset))
        if not (joins and first_lines):
            first_lines.append(line)
    lines_total = text.count("\n") + (0 if text.endswith("\n") else 1)
    # each statement ends before the next one starts, less trailing blank and comment lines
    lines = text.split("\n")
    offsets = [0]
    for line_text in lines:
        offsets.append(offsets[-1] + len(line_text) + 1)
    out: List[Span] = []
    for index, start in enumerate(first_lines):
        end = (first_lines[index + 1] - 1) if index + 1 < len(first_lines) else lines_total
        while end > start:
            line_text = lines[end - 1]
            stripped = line_text.lstrip(" \t\f")
            if stripped and not (stripped[0] == "#" and offsets[end - 1] + len(line_text) - len(stripped) in comments):
                break
            end -= 1
        out.append((start, end))
    return out


__all__ = ["Span", "top_level_spans"]

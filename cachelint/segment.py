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
import sys
from typing import List, Optional, Tuple

#: (first line, last line) of one top-level statement, 1-based and inclusive.
Span = Tuple[int, int]

_PLAIN = r"""[^'"#()\[\]{}\\\n]"""  # a character that is no string, comment, bracket, backslash or newline
if sys.version_info >= (3, 11):
    # possessive quantifiers: what a repetition took is never given back, which is right
    # for every one of them here (each stops where only its closing token can follow)
    # and makes the scan about three times faster
    _MANY, _RUN = "*+", "++"
else:  # a run of plain characters is one character at a time inside a bracket pair:
    _MANY, _RUN = "*", ""  # nested runs would backtrack exponentially on a pair left open
_ONE_LINE_STRING = rf"""(?:"[^"\\\n]*{_RUN[:1]}"|'[^'\\\n]*{_RUN[:1]}')"""
#: A complete string literal (its prefix apart: prefixes never change where a string ends).
STRING_PATTERN = (
    rf'''"""(?:[^"\\]{_RUN}|\\.|"(?!""))*{_RUN[:1]}"""'''  # triple-quoted (prefixes never change where a string ends)
    rf"""|'''(?:[^'\\]{_RUN}|\\.|'(?!''))*{_RUN[:1]}'''"""
    rf'''|"(?:[^"\\\n]{_RUN}|\\.)*{_RUN[:1]}"'''  # one-line strings; backslash-newline inside is a continuation
    rf"""|'(?:[^'\\\n]{_RUN}|\\.)*{_RUN[:1]}'"""
)
_INNER = rf"(?:{_PLAIN}{_RUN}|{_ONE_LINE_STRING}){_MANY}"
_PAIR_CONTENT = rf"(?:{_PLAIN}{_RUN}|{_ONE_LINE_STRING}|\({_INNER}\)|\[{_INNER}\]){_MANY}"
#: Text the statement boundaries do not depend on: plain characters, complete strings,
#: comments, bracket pairs closed on their line (with plain text, simple strings and one
#: level of inner pairs: most brackets of real code) and line ends before an indented,
#: blank, comment or closing-bracket line or at the end of the text.
_SKIP = (
    rf"(?:{_PLAIN}+|{STRING_PATTERN}|#[^\n]*|\({_PAIR_CONTENT}\)|\[{_PAIR_CONTENT}\]"
    r"|\n(?![^ \t\n#)\]}]))"
)
#: the token that matters after skipped text: a line end before a line that starts in
#: column 0, a bracket left open on its line, a closing bracket, a backslash continuation,
#: a quote that opens no complete string or a stray backslash (both make the scan give
#: up), or the end of the text
_TOKEN = r"""(?P<token>\n|[(\[{]|[)\]}]|\\\n|['"\\]|\Z)"""
#: One step of the scan: the skippable text, taken whole and never given back (so the
#: engine does no backtracking: possessive, or before 3.11 a lookahead and a back-reference),
#: then the token.
if sys.version_info >= (3, 11):
    _STEP = re.compile(rf"{_SKIP}*+{_TOKEN}", re.DOTALL)
else:
    _STEP = re.compile(rf"(?=(?P<skip>{_SKIP}*))(?P=skip){_TOKEN}", re.DOTALL)
_FORM_FEED_START = re.compile(r"^\f", re.MULTILINE)
_CONTINUES = re.compile(r"(?:else|elif|except|finally)\b")
_DEFINITION = re.compile(r"(?:async[ \t]+def|def|class)\b")
#: The ``def``/``class`` line of a definition statement (the first after its decorators).
_DEFINED_NAME = re.compile(r"^(?:async[ \t]+)?(?:def|class)[ \t]+(\w+)", re.MULTILINE)
#: Strings and comments, to tell a comment line from a line inside a string where it matters.
_STRINGS_AND_COMMENTS = re.compile(rf"{STRING_PATTERN}|#[^\n]*", re.DOTALL)


def top_level_spans(text: str) -> Optional[List[Span]]:
    """The ``(first line, last line)`` of every top-level statement of ``text``, in order.

    ``text`` is a decoded module (``\\n`` line ends). Blank and comment-only lines between
    statements belong to no span. Returns None when the text cannot be followed reliably
    (see the module docstring); the result is only a plan, checked by parsing what is kept.
    """
    if "\r" in text or ("\f" in text and _FORM_FEED_START.search(text)):
        return None
    starts: List[int] = []  # character offsets of statement starts
    depth = 0
    # the first line
    if text and text[0] not in " \t\n#)]}":
        starts.append(0)
    for match in _STEP.finditer(text):
        token = match.group("token")
        if not token:  # the end of the text
            break
        first = token[0]
        if first == "\n":
            if depth == 0:
                starts.append(match.end())
        elif first in "([{":
            depth += 1
        elif first in ")]}":
            depth -= 1
            if depth < 0:
                return None
        elif len(token) == 1:  # an unterminated string or a stray backslash
            return None
        # else a continuation: the next line never starts a statement
    if depth != 0:
        return None
    return _group(text, starts)


def _group(text: str, starts: List[int]) -> List[Span]:
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
    out: List[Span] = []
    for index, start in enumerate(first_lines):
        end = (first_lines[index + 1] - 1) if index + 1 < len(first_lines) else lines_total
        last = end
        while last > start:
            stripped = lines[last - 1].lstrip(" \t\f")
            if stripped and stripped[0] != "#":
                break
            last -= 1
        if last < end and _string_may_close(lines, last, end):
            last = _last_code_line(lines, start, end)
        out.append((start, last))
    return out


def _string_may_close(lines: List[str], last: int, end: int) -> bool:
    """Whether one of the comment-looking lines ``last + 1 .. end`` may lie inside a string.

    Such a string would close on one of them (the next statement starts outside strings):
    with a triple quote, or after a backslash continuation of a one-line string.
    """
    for number in range(last, end + 1):
        line = lines[number - 1]
        if line.endswith("\\") or (number > last and ('"""' in line or "'''" in line)):
            return True
    return False


def _last_code_line(lines: List[str], start: int, end: int) -> int:
    """The last line of lines ``start..end`` that is neither blank nor only a comment, found
    by following the statement's strings and comments from its first line."""
    offsets = [0]
    for number in range(start, end + 1):
        offsets.append(offsets[-1] + len(lines[number - 1]) + 1)
    block = "\n".join(lines[start - 1:end])
    comments = {m.start() for m in _STRINGS_AND_COMMENTS.finditer(block) if m.group()[0] == "#"}
    last = end
    while last > start:
        line_text = lines[last - 1]
        stripped = line_text.lstrip(" \t\f")
        if stripped and not (stripped[0] == "#" and offsets[last - start] + len(line_text) - len(stripped) in comments):
            break
        last -= 1
    return last


def defined_name(statement: str) -> Optional[str]:
    """The name a top-level definition statement (its text, decorators included) defines,
    or None when the statement is no definition."""
    if not statement.startswith(("@", "def", "class", "async")):
        return None
    found = _DEFINED_NAME.search(statement)
    return found.group(1) if found is not None else None


__all__ = ["Span", "top_level_spans", "defined_name", "STRING_PATTERN"]

"""``# noqa`` suppressions.

* ``# noqa`` on the reported line suppresses every diagnostic there;
* ``# noqa: CL101,CL301`` only those codes (prefixes such as ``CL1`` work too);
* ``# cachelint: noqa`` anywhere in a file skips the file.

The directive is matched in the line's comment part like flake8 does (a ``#`` that
starts the comment); codes are case-insensitive.
"""
from __future__ import annotations

import re
from typing import Sequence

_FILE = re.compile(r"^\s*#\s*cachelint\s*:\s*noqa\b(?!\s*:)", re.IGNORECASE | re.MULTILINE)
_LINE = re.compile(r"#\s*noqa(?::[\s]?(?P<codes>[A-Z]+[0-9]*(?:[,\s]+[A-Z]+[0-9]*)*))?", re.IGNORECASE)


def file_is_exempt(text: str) -> bool:
    """True when the file carries a ``# cachelint: noqa`` line."""
    return "noqa" in text and bool(_FILE.search(text))


def codes_on_line(line: str):
    """None when the line has no noqa; ``()`` for a bare noqa; else the listed codes (upper case)."""
    if "noqa" not in line.lower():
        return None
    match = None
    for match in _LINE.finditer(line):
        pass
    if match is None:
        return None
    codes = match.group("codes")
    if not codes:
        return ()
    return tuple(c.upper() for c in re.split(r"[,\s]+", codes) if c)


def suppressed(lines: Sequence[str], line: int, code: str) -> bool:
    """True when the 1-based ``line`` of ``lines`` has a noqa that covers ``code``."""
    if not (1 <= line <= len(lines)):
        return False
    codes = codes_on_line(lines[line - 1])
    if codes is None:
        return False
    return not codes or any(code.startswith(c) for c in codes)

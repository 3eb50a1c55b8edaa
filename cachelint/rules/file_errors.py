"""CL001 and CL002: files cachelint could not read or parse.

The engine emits these itself (no cache site exists for a file that cannot be parsed);
the classes are here so they are listed, selectable and documented like every rule.
"""
from __future__ import annotations

from ..models import ERROR
from .base import Rule


class SyntaxErrorRule(Rule):
    """### What it does
Reports a file that may contain cache decorators but cannot be parsed, at the location
of the error. When CPython accepts the file but libcst does not, the message says so.

### Why it matters
A file that cannot be parsed cannot be checked; saying so beats silently passing it.
Files whose bytes cannot contain a cache decorator are skipped before parsing, and in
the others only the statements a rule reads are parsed (imports, the definitions that
cache or are named like caches, the statements that call them where an enabled rule reads
the call, and the module-level code that binds what they read; in a class, only its
members with a decorator), so most syntax errors elsewhere are left to your other tools.
A file that keeps no function or class is not parsed by libcst at all. An error
that hides where statements begin (an unclosed bracket or string) makes cachelint parse
the whole file, and that error is reported wherever it is.
"""

    code = "CL001"
    name = "syntax-error"
    summary = "the file cannot be parsed"
    severity = ERROR


class UnreadableFile(Rule):
    """### What it does
Reports a file that cannot be read or decoded: missing, permission denied, not a regular
file, binary (NUL bytes), too large, or not valid in its declared encoding (UTF-8 unless a
PEP 263 coding cookie says otherwise).

### Why it matters
The run goes on with the other files; this tells you which one was not checked and why.
"""

    code = "CL002"
    name = "unreadable-file"
    summary = "the file cannot be read or decoded"
    severity = ERROR


RULES = (SyntaxErrorRule, UnreadableFile)

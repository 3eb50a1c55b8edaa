"""Byte-level screens that decide, before any parsing, whether a file needs libcst.

Most files of a large tree have no cache decorator: they must cost a read and a few
substring searches, nothing more (DESIGN.md §7). A file is parsed when

* a decorator line mentions a cache word (``@functools.cache``, ``@memory.cache(...)``,
  ``@st.cache_data``, ``@disk_cache``), or the last name of a declared or project
  decorator;
* an import aliases a cache-named object (``from functools import lru_cache as memo``);
* a Prefect cache option appears (``cache_policy``/``cache_key_fn``, for a multi-line
  ``@task(...)``); or
* a top-level ``def``/``class`` is named like a cache (a home-made decorator to read).

Each screen is one regular expression that starts with a literal (``@``, ``import``, a
newline before ``def``/``class``: C-speed search) and asks for a cache word later on the
same line (in any case), so Python only sees the few lines that match: ``@property``
lines and ordinary imports never reach it.
"""
from __future__ import annotations

import re
from typing import Iterable, Optional

#: The words every cache decorator we model (or treat by name) carries.
BASE_WORDS = ("cach", "memo", "persist", "alru")


_AS = re.compile(rb"\bas\b")
#: A definition in column 0 named like a cache (after a newline; the file's first line is
#: checked apart): the name holds a base word or "lru", in any case. The lookahead turns
#: most newlines away before the alternatives are tried (a third faster over the stdlib).
_TOP_CACHE_DEFINITION = re.compile(rb"\n(?=[adc])(?:async[ \t]+)?(def|class)[ \t]+(\w*(?i:" +
                                   b"|".join(w.encode() for w in BASE_WORDS + ("lru",)) + rb")\w*)")


class Prefilter:
    """The screens for one run: the base words plus ``extra_names`` (declared/project decorators)."""

    def __init__(self, extra_names: Iterable[str] = ()):
        extra = sorted({n for n in extra_names if n})
        words = list(BASE_WORDS) + extra
        #: lower-cased words a decorator line or an aliasing import must contain one of
        self.quick = sorted({w.lower().encode() for w in words})
        #: an ``@`` followed on its line by one of the words: one C-speed search per file
        #: instead of a Python step per decorator (``@property`` lines are most of them)
        alternatives = b"|".join(re.escape(w) for w in self.quick)
        self._at_word = re.compile(rb"@[^\n]*?(?i:" + alternatives + rb")")
        #: the rest of a line from its first ``import`` when one of the words follows (checked for ``as`` after)
        self._import_word = re.compile(rb"import[^\n]*?(?i:" + alternatives + rb")[^\n]*")
        #: content key -> answer of :meth:`may_define_cache`, once :meth:`remember_definitions` was called
        self._defines: Optional[dict] = None

    def uses_cache(self, data: bytes) -> bool:
        """Could ``data`` apply a cache decorator?

        Only the few lines that can matter are looked at: decorator lines (found by one
        literal search for ``@``), imports that rename, and the Prefect cache options.
        """
        for match in self._at_word.finditer(data):  # starts at the line's first "@" that has a word after it
            start = match.start()
            line_start = data.rfind(b"\n", 0, start) + 1
            if not data[line_start:start].strip(b" \t\f"):  # a form feed is blank to the tokenizer
                return True
        if b" as " in data or b"\tas" in data:
            for match in self._import_word.finditer(data):
                if _AS.search(match.group()):
                    return True
        return b"cache_policy" in data or b"cache_key_fn" in data

    def remember_definitions(self) -> None:
        """Memoise :meth:`may_define_cache` per content from now on.

        A run with a first pass over every file (the project index) asks about each file
        twice; a run without one would only pay for hashing every file's bytes.
        """
        if self._defines is None:
            self._defines = {}

    def may_define_cache(self, data: bytes) -> bool:
        """Could ``data`` define a cache-named decorator at the top level (first screen only)?"""
        memo = self._defines
        if memo is None:
            return self._may_define_cache(data)
        key = (len(data), hash(data))
        answer = memo.get(key)
        if answer is None:
            if len(memo) > 200_000:
                memo.clear()
            answer = memo[key] = self._may_define_cache(data)
        return answer

    def _may_define_cache(self, data: bytes) -> bool:
        has_call = None
        first = _TOP_CACHE_DEFINITION.match(b"\n" + data[:200])  # the first line has no newline before it
        for match in ([first] if first else []) + list(_TOP_CACHE_DEFINITION.finditer(data)):
            if match.group(2).lower().startswith(b"test"):
                continue  # test functions are not decorators
            if match.group(1) == b"class":
                if has_call is None:
                    has_call = b"__call__" in data
                if not has_call:
                    continue  # a class-based decorator needs __call__
            return True
        return False

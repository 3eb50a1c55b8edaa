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

Each screen starts with plain ``in`` tests for the words on the lower-cased bytes (C-speed
substring search) and only then runs a regular expression with a literal prefix.
"""
from __future__ import annotations

import re
from typing import Iterable

#: The words every cache decorator we model (or treat by name) carries.
BASE_WORDS = ("cach", "memo", "persist", "alru")


def _any_case(word: str) -> bytes:
    return b"".join(b"[" + re.escape(c.lower().encode()) + re.escape(c.upper().encode()) + b"]" if c.isalpha() else re.escape(c.encode()) for c in word)


class Prefilter:
    """The screens for one run: the base words plus ``extra_names`` (declared/project decorators)."""

    def __init__(self, extra_names: Iterable[str] = ()):
        extra = sorted({n for n in extra_names if n})
        words = list(BASE_WORDS) + extra
        self.quick = sorted({w.lower().encode() for w in words})
        alternatives = b"|".join(_any_case(w) for w in words)
        self._decorator = re.compile(rb"@[^\n]*?(?:" + alternatives + rb")")
        self._alias = re.compile(rb"import[^\n]*?(?:" + alternatives + rb")[^\n]*?\bas\b")
        self._prefect = re.compile(rb"cache_(?:policy|key_fn)")
        base = b"|".join(_any_case(w) for w in BASE_WORDS + ("lru",))
        self._named_def = re.compile(rb"(?:def|class)[ \t]+\w*(?:" + base + rb")\w*")
        self._def_quick = [w.encode() for w in BASE_WORDS + ("lru",)]
        self._last: tuple = (None, b"")
        self._defines: dict = {}

    @staticmethod
    def _at_line_start(data: bytes, pos: int) -> bool:
        line_start = data.rfind(b"\n", 0, pos) + 1
        return data[line_start:pos].strip(b" \t") == b""

    def _lowered(self, data: bytes) -> bytes:
        """``data.lower()``, computed once for the file both screens look at."""
        if self._last[0] is not data:
            self._last = (data, data.lower())
        return self._last[1]

    def uses_cache(self, data: bytes) -> bool:
        """Could ``data`` apply a cache decorator?"""
        lowered = self._lowered(data)
        if not any(word in lowered for word in self.quick):
            return False
        for match in self._decorator.finditer(data):
            if self._at_line_start(data, match.start()):
                return True
        return bool(self._alias.search(data) or self._prefect.search(data))

    def may_define_cache(self, data: bytes) -> bool:
        """Could ``data`` define a cache-named decorator at the top level (first screen only)?

        Both passes of a run ask about every file: the answer is memoised per content.
        """
        key = (len(data), hash(data))
        answer = self._defines.get(key)
        if answer is None:
            if len(self._defines) > 200_000:
                self._defines.clear()
            answer = self._defines[key] = self._may_define_cache(data)
        return answer

    def _may_define_cache(self, data: bytes) -> bool:
        lowered = self._lowered(data)
        if not any(word in lowered for word in self._def_quick):
            return False
        has_call = b"__call__" in data
        for match in self._named_def.finditer(data):
            start = match.start()
            at_top = start == 0 or data[start - 1:start] == b"\n" or data[max(0, start - 7):start] == b"\nasync "
            if not at_top:
                continue
            name = match.group(0).split()[-1]
            if name.lower().startswith(b"test"):
                continue  # test functions are not decorators
            if match.group(0).startswith(b"class") and not has_call:
                continue  # a class-based decorator needs __call__
            return True
        return False

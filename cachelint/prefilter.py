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

Each screen starts with plain ``in`` tests for the words in their usual casings (C-speed
substring search) and only then runs a regular expression with a literal prefix.
"""
from __future__ import annotations

import re
from typing import Iterable, List

#: The words every cache decorator we model (or treat by name) carries.
BASE_WORDS = ("cach", "memo", "persist", "alru")


def _casings(word: str) -> List[bytes]:
    return sorted({word.encode(), word.lower().encode(), word.upper().encode(), word.capitalize().encode()})


def _any_case(word: str) -> bytes:
    return b"".join(b"[" + re.escape(c.lower().encode()) + re.escape(c.upper().encode()) + b"]" if c.isalpha() else re.escape(c.encode()) for c in word)


class Prefilter:
    """The screens for one run: the base words plus ``extra_names`` (declared/project decorators)."""

    def __init__(self, extra_names: Iterable[str] = ()):
        extra = sorted({n for n in extra_names if n})
        words = list(BASE_WORDS) + extra
        self.quick = [c for w in words for c in _casings(w)]
        alternatives = b"|".join(_any_case(w) for w in words)
        self._decorator = re.compile(rb"@[^\n]*?(?:" + alternatives + rb")")
        self._alias = re.compile(rb"import[^\n]*?(?:" + alternatives + rb")[^\n]*?\bas\b")
        self._prefect = re.compile(rb"cache_(?:policy|key_fn)")
        base = b"|".join(_any_case(w) for w in BASE_WORDS + ("lru",))
        self._named_def = re.compile(rb"(?:def|class)[ \t]+\w*(?:" + base + rb")")
        self._def_quick = [c for w in BASE_WORDS + ("lru",) for c in _casings(w)]

    @staticmethod
    def _at_line_start(data: bytes, pos: int) -> bool:
        line_start = data.rfind(b"\n", 0, pos) + 1
        return data[line_start:pos].strip(b" \t") == b""

    def uses_cache(self, data: bytes) -> bool:
        """Could ``data`` apply a cache decorator?"""
        if not any(word in data for word in self.quick):
            return False
        for match in self._decorator.finditer(data):
            if self._at_line_start(data, match.start()):
                return True
        return bool(self._alias.search(data) or self._prefect.search(data))

    def may_define_cache(self, data: bytes) -> bool:
        """Could ``data`` define a cache-named decorator at the top level (first screen only)?"""
        if not any(word in data for word in self._def_quick):
            return False
        for match in self._named_def.finditer(data):
            start = match.start()
            if start == 0 or data[start - 1:start] == b"\n":
                return True
            if data[:start].rsplit(b"\n", 1)[-1] == b"async ":
                return True
        return False

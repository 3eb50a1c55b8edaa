"""The byte prefilter never drops a file that would have produced a diagnostic."""
from __future__ import annotations

import sysconfig
from pathlib import Path

import pytest

from cachelint.config import Settings
from cachelint.engine import Linter
from conftest import FIXTURES

ALL = Settings(select=("ALL",))
STDLIB = Path(sysconfig.get_paths()["stdlib"])
SAMPLE = sorted(p for p in STDLIB.glob("*.py"))[::4]  # every fourth top-level module: ~50 files


def both_ways(paths):
    fast, full = Linter(ALL), Linter(ALL, prefilter=False)
    for path in paths:
        shown = str(path)
        yield path, [d.as_dict() for d in fast.lint_file(str(path), shown)], [d.as_dict() for d in full.lint_file(str(path), shown)]


@pytest.mark.parametrize("path", sorted(FIXTURES.rglob("*.py")), ids=lambda p: str(p.relative_to(FIXTURES)))
def test_fixtures_agree_with_and_without_the_prefilter(path):
    (_, fast, full), = both_ways([path])
    assert fast == full


def test_standard_library_sample_agrees_with_and_without_the_prefilter():
    assert len(SAMPLE) > 20
    differing = [str(path) for path, fast, full in both_ways(SAMPLE) if fast != full]
    assert not differing


def test_the_prefilter_skips_files_without_cache_decorators():
    linter = Linter(ALL)
    for path in SAMPLE:
        linter.lint_file(str(path))
    assert linter.parsed < len(SAMPLE) / 3


def reduced_and_whole(paths):
    reduced, whole = Linter(ALL), Linter(ALL, reduce=False)
    for path in paths:
        shown = str(path)
        yield path, [d.as_dict() for d in reduced.lint_file(str(path), shown)], [d.as_dict() for d in whole.lint_file(str(path), shown)]


@pytest.mark.parametrize("path", sorted(FIXTURES.rglob("*.py")), ids=lambda p: str(p.relative_to(FIXTURES)))
def test_fixtures_agree_with_and_without_statement_reduction(path):
    (_, reduced, whole), = reduced_and_whole([path])
    assert reduced == whole


def test_standard_library_files_with_caches_agree_with_and_without_statement_reduction():
    screen = Linter(ALL).screen
    candidates = [p for p in sorted(STDLIB.rglob("*.py")) if "site-packages" not in p.parts and screen.uses_cache(p.read_bytes())]
    assert len(candidates) > 15
    differing = [str(path) for path, reduced, whole in reduced_and_whole(candidates) if reduced != whole]
    assert not differing


@pytest.mark.parametrize(
    "source, expected",
    [
        (b"@cache\ndef f(x): ...\n", True),
        (b"class A:\n    @functools.LRU_Cache(maxsize=2)\n    def f(self): ...\n", True),  # any case
        (b"\x0c@memoize\ndef f(x): ...\n", True),  # a form feed is blank before a decorator
        (b"@property  # cached elsewhere\ndef f(self): ...\n", True),  # the word anywhere on the line
        (b"y = a @ b  # @cache\n", False),  # the first @ of the line is an operator
        (b"y = a @ b @ cached_matrix\n", False),
        (b"@property\ndef f(self): ...\n", False),
        (b"from functools import lru_cache as memo\n", True),
        (b"import functools as ft\n", False),  # renames, but nothing named like a cache
        (b'"""An import blocked here.\nImportError is cached as missing."""\n', False),  # "Import" is no import
        (b"x = 1\ncache_policy = INPUTS\n", True),
    ],
)
def test_uses_cache_screen(source, expected):
    from cachelint.prefilter import Prefilter

    assert Prefilter().uses_cache(source) is expected


def test_uses_cache_screen_knows_declared_decorators():
    from cachelint.prefilter import Prefilter

    assert Prefilter(["remember"]).uses_cache(b"@Remember(ttl=3)\ndef f(x): ...\n")
    assert not Prefilter().uses_cache(b"@Remember(ttl=3)\ndef f(x): ...\n")


@pytest.mark.parametrize(
    "source, expected",
    [
        (b"def disk_cache(func): ...\n", True),  # on the first line
        (b"import os\n\nasync def MemoizeAsync(fn): ...\n", True),
        (b"import os\n\ndef lru_wrapper(fn): ...\n", True),
        (b"import os\n\ndef test_cache_hits(): ...\n", False),  # tests are not decorators
        (b"import os\n\nclass CacheStore:\n    pass\n", False),  # a class needs __call__
        (b"import os\n\nclass CacheStore:\n    def __call__(self, f): ...\n", True),
        (b"class A:\n    def cached(self): ...\n", False),  # not at the top level
    ],
)
def test_may_define_cache_screen(source, expected):
    from cachelint.prefilter import Prefilter

    assert Prefilter()._may_define_cache(source) is expected


def test_the_definition_screen_is_memoised_only_once_a_pass_asks_about_every_file(monkeypatch):
    """Without a first pass each file is screened once: no hashing for a memo nobody reads."""
    from cachelint.prefilter import Prefilter

    screen = Prefilter()
    calls = []
    real = screen._may_define_cache
    monkeypatch.setattr(screen, "_may_define_cache", lambda data: calls.append(data) or real(data))
    data = b"def memoize(f):\n    return f\n"
    assert screen.may_define_cache(data) and screen.may_define_cache(data)
    assert len(calls) == 2 and screen._defines is None
    screen.remember_definitions()
    assert screen.may_define_cache(data) and screen.may_define_cache(bytes(data))
    assert len(calls) == 3


def test_screening_out_a_plain_ascii_file_does_not_decode_it(monkeypatch):
    """Only decoding can fail (CL002): plain ASCII without a cookie cannot, so it is not decoded."""
    from cachelint import files
    from cachelint.config import Settings
    from cachelint.engine import Linter

    decoded = []
    real = files.decode_source
    monkeypatch.setattr(files, "decode_source", lambda data, path: decoded.append(path) or real(data, path))
    linter = Linter(Settings())
    assert linter.screen_data(b"import os\nx = 1\n", "plain.py") == []
    assert decoded == []
    assert linter.screen_data("x = 'é'\n".encode(), "utf8.py") == [] and decoded == ["utf8.py"]
    assert linter.screen_data(b"# coding: nope\nx = 1\n", "cookie.py")[0].code == "CL002"
    assert [d.code for d in linter.screen_data(b"x = '\xff'\n", "bad.py")] == ["CL002"]
    noqa = Linter(Settings(select=("ALL",)))  # CL000 reads the noqa comments: the text is needed
    assert [d.code for d in noqa.screen_data(b"x = 1  # noqa: CL101\n", "unused.py")] == ["CL000"]

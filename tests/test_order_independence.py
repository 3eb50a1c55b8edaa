"""A file's diagnostics do not depend on which files the same process linted before it.

The workers of a parallel run each lint a timing-dependent share of the files; any state
one file leaves behind for the next would make the output differ from run to run.
"""
from __future__ import annotations

from pathlib import Path

from cachelint.config import Settings
from cachelint.engine import Linter

from conftest import FIXTURES

PACKAGE = FIXTURES / "project"
ALL = Settings(select=("ALL",))


def _files():
    return sorted(p for p in FIXTURES.rglob("*.py"))


def _each_alone(paths):
    return {str(p): [d.as_dict() for d in Linter(ALL).lint_file(str(p), str(p))] for p in paths}


def _one_linter(paths):
    linter = Linter(ALL)
    return {str(p): [d.as_dict() for d in linter.lint_file(str(p), str(p))] for p in paths}


def test_results_are_the_same_alone_in_order_and_in_reverse(monkeypatch):
    monkeypatch.chdir(PACKAGE)
    paths = _files()
    assert len(paths) > 20
    alone = _each_alone(paths)
    assert _one_linter(paths) == alone
    assert _one_linter(list(reversed(paths))) == alone


def test_a_linted_module_named_like_a_library_does_not_change_the_librarys_users(tmp_path: Path, monkeypatch):
    """Linting the standard library's functools.py (module name ``functools``) must not make
    ``functools.cache`` in later files a home-made decorator (seen on the real-code corpus)."""
    (tmp_path / "functools.py").write_text(
        "def lru_cache(maxsize=128):\n    return lambda fn: fn\n\n\n"
        "def cache(user_function, /):\n    'Simple lightweight unbounded cache.'\n"
        "    return lru_cache(maxsize=None)(user_function)\n")
    (tmp_path / "use.py").write_text(
        "from functools import cache\n\n\n@cache\ndef settings(name):\n    return {'name': name}\n")
    monkeypatch.chdir(tmp_path)
    paths = [tmp_path / "functools.py", tmp_path / "use.py"]
    alone = _each_alone(paths)
    assert _one_linter(paths) == alone and _one_linter(list(reversed(paths))) == alone
    assert [d["message"].split(" hands")[0] for d in alone[str(tmp_path / "use.py")]] == ["functools.cache"]

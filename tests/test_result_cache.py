"""The result cache: a warm run parses nothing, and every input that shapes a result is keyed."""
from __future__ import annotations

import shutil

import libcst
import pytest

from cachelint.config import Settings
from cachelint.engine import Linter, run
from cachelint.result_cache import ResultCache
from conftest import FIXTURES

SHOP = FIXTURES / "project" / "shop"


@pytest.fixture
def parses(monkeypatch):
    """Counts calls of libcst.parse_module (every parse the engine and the index make)."""
    calls = []
    real = libcst.parse_module

    def counting(source, *args, **kwargs):
        calls.append(1)
        return real(source, *args, **kwargs)

    monkeypatch.setattr(libcst, "parse_module", counting)
    return calls


def lint(paths, cache_dir, settings=None):
    linter = Linter(settings or Settings(select=("ALL",)))
    cache = ResultCache(str(cache_dir), linter.settings)
    linter.use_cache(cache)
    found = sorted(run(linter, [str(p) for p in paths]), key=lambda d: d.sort_key())
    return found, cache


def as_rows(diagnostics):
    return [d.as_dict() for d in diagnostics]


def test_warm_run_parses_nothing_and_reports_the_same(tmp_path, parses):
    project = tmp_path / "shop"
    shutil.copytree(SHOP, project)
    cold, cache = lint([project], tmp_path / "cache")
    assert parses, "the cold run parses"
    assert cache.hits == 0
    parses.clear()
    warm, cache = lint([project], tmp_path / "cache")
    assert parses == [], "a warm run must not parse any file"
    assert cache.hits == 2, "caching.py and views.py hit (the empty __init__.py is never parsed, never stored)"
    assert as_rows(warm) == as_rows(cold) and cold


def test_the_cache_directory_ignores_itself(tmp_path):
    project = tmp_path / "shop"
    shutil.copytree(SHOP, project)
    lint([project], tmp_path / "cache")
    assert (tmp_path / "cache" / ".gitignore").read_text().splitlines()[-1] == "*"


def test_a_renamed_file_still_hits_and_is_repathed(tmp_path, parses):
    project = tmp_path / "shop"
    shutil.copytree(SHOP, project)
    cold, _ = lint([project / "views.py"], tmp_path / "cache")
    (project / "views.py").rename(project / "handlers.py")
    parses.clear()
    warm, cache = lint([project / "handlers.py"], tmp_path / "cache")
    assert cache.hits == 1 and parses == []
    assert {d.path for d in warm} == {str(project / "handlers.py")}
    assert [(d.line, d.code) for d in warm] == [(d.line, d.code) for d in cold]


def test_editing_the_decorator_module_changes_the_user_module(tmp_path):
    project = tmp_path / "shop"
    shutil.copytree(SHOP, project)
    before, _ = lint([project / "views.py"], tmp_path / "cache")
    assert not [d for d in before if d.function == "render"], "render's _source_bytes is excluded by the underscore filter"
    caching = project / "caching.py"
    caching.write_text(caching.read_text().replace('and not k.startswith("_")', ""))
    after, cache = lint([project / "views.py"], tmp_path / "cache")
    assert cache.misses == 1
    assert ("render", "CL105") in {(d.function, d.code) for d in after}


def test_settings_are_part_of_the_key(tmp_path, parses):
    project = tmp_path / "shop"
    shutil.copytree(SHOP, project)
    lint([project / "views.py"], tmp_path / "cache")
    parses.clear()
    narrowed, cache = lint([project / "views.py"], tmp_path / "cache", Settings(select=("CL304",)))
    assert cache.misses == 1 and parses
    assert {d.code for d in narrowed} == {"CL304"}


def test_per_file_ignores_apply_after_the_cache(tmp_path):
    project = tmp_path / "shop"
    shutil.copytree(SHOP, project)
    lint([project / "views.py"], tmp_path / "cache")
    settings = Settings(select=("ALL",), per_file_ignores=(("views.py", ("CL1",)),), root=str(tmp_path))
    found, cache = lint([project / "views.py"], tmp_path / "cache", settings)
    assert cache.hits == 1
    assert found and not [d for d in found if d.code.startswith("CL1")]


def test_a_corrupt_entry_is_a_miss(tmp_path):
    project = tmp_path / "shop"
    shutil.copytree(SHOP, project)
    cold, _ = lint([project / "views.py"], tmp_path / "cache")
    for entry in (tmp_path / "cache").rglob("*"):
        if entry.is_file() and entry.name != ".gitignore":
            entry.write_bytes(b"{not json")
    again, cache = lint([project / "views.py"], tmp_path / "cache")
    assert cache.hits == 0 and as_rows(again) == as_rows(cold)


def test_an_unwritable_cache_directory_is_harmless(tmp_path):
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache directory should be")
    found, cache = lint([SHOP / "views.py"], blocker)
    assert found and cache.hits == 0

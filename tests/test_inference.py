"""Reading the project's own cache decorators (cachelint.inference, cachelint.project)."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import libcst as cst
import pytest

from cachelint import lint_paths, lint_source
from cachelint.analysis import Resolver
from cachelint.config import Settings
from cachelint.inference import find_definitions
from conftest import FIXTURES, expected_markers

PROJECT = FIXTURES / "project"
SHOP = PROJECT / "shop"
ROOT = Path(__file__).resolve().parent.parent
ALL = Settings(select=("ALL",))


def summaries(source: str, name: str = "mod"):
    module = cst.parse_module(source)
    return {d.summary.qualname.split(".")[-1]: d.summary for d in find_definitions(module, Resolver(module, name), name)}


def expected_for(paths):
    out = set()
    for path in paths:
        out |= {(path.name, line, code) for line, code in expected_markers(path.read_text())}
    return out


def test_fixture_package_reports_exactly_its_markers():
    files = [SHOP / "caching.py", SHOP / "views.py"]
    diagnostics = lint_paths([str(SHOP)], ALL)
    actual = {(Path(d.path).name, d.line, d.code) for d in diagnostics}
    assert actual == expected_for(files)


def test_a_single_file_finds_its_decorators_in_sibling_modules():
    """pre-commit passes only the changed file: the imported decorator is read from disk."""
    diagnostics = lint_paths([str(SHOP / "views.py")], ALL)
    actual = {(Path(d.path).name, d.line, d.code) for d in diagnostics}
    assert actual == expected_for([SHOP / "views.py"])


def test_summaries_of_every_shape():
    found = summaries((SHOP / "caching.py").read_text(), "shop.caching")
    cacheable = found["cacheable"]
    assert cacheable.is_cache and cacheable.underscore and cacheable.ignore_argument == "ignore"
    assert cacheable.call_shape == "bound" and cacheable.persistent and cacheable.serializer == "pickle"
    assert cacheable.factory == "both"
    assert found["json_cache"].serializer == "json" and found["json_cache"].persistent
    assert found["memo"].is_cache and not found["memo"].persistent and found["memo"].call_shape == "raw"
    assert found["positional_memo"].keys_kwargs is False
    assert found["cached_forever"].delegate == "functools.lru_cache"
    assert found["on_disk"].delegate == "joblib.Memory.cache"
    assert found["Memoized"].is_cache
    for name in ("cache_control", "retry", "timed"):
        assert not found[name].is_cache, name
    assert "log_calls" not in found and "recursive" not in found


def test_delegated_exclusions_are_honoured():
    diagnostics = lint_paths([str(SHOP)], ALL)
    assert not [d for d in diagnostics if d.function == "train"], "joblib ignore=['logger'] excludes the logger"


def test_same_module_decorator_with_underscore_filter_is_clean():
    source = (ROOT / "examples" / "fixed_homemade" / "caching.py").read_text() + "\n\n" + (
        "@disk_cache\n"
        "def _stylized(mode, name, style, colors, source_hash, _source_bytes: bytes) -> bytes:\n"
        '    """Shared across jobs; the source bytes are not part of the key."""\n'
        "    return bytes([len(mode), len(name), len(style), colors, len(source_hash), len(_source_bytes)])\n"
    )
    assert lint_source(source, "service.py", ALL) == []


def test_same_module_bad_decorator_tells_the_whole_story():
    diagnostics = lint_paths([str(ROOT / "examples" / "broken")])
    codes = {d.code for d in diagnostics}
    assert {"CL101", "CL105", "CL301", "CL303", "CL401", "CL602", "CL603"} <= codes


def test_fixed_homemade_example_is_clean_as_a_package_and_file_by_file():
    package = ROOT / "examples" / "fixed_homemade"
    assert lint_paths([str(package)]) == []
    for path in package.glob("*.py"):
        assert lint_paths([str(path)]) == [], path


def test_ignore_option_of_a_bound_decorator(tmp_path):
    pkg = tmp_path / "app"
    shutil.copytree(SHOP, pkg)
    (pkg / "use.py").write_text(
        "from app.caching import cacheable\n"
        "@cacheable(ignore=('job_id',))\ndef a(job_id, x):\n    print(job_id)\n    return x\n"
        "@cacheable(ignore=('jobid',))\ndef b(job_id, x):\n    return job_id, x\n"
    )
    found = {(d.function, d.code) for d in lint_paths([str(pkg / "use.py")])}
    assert found == {("b", "CL304"), ("b", "CL101")}


def test_declared_decorator_overrides_inference(tmp_path):
    source = "from shop.caching import memo\n@memo\ndef f(request_id, x):\n    print(request_id)\n    return x\n"
    settings = Settings(decorators=(__import__("cachelint.config", fromlist=["DecoratorDecl"]).DecoratorDecl(
        "shop.caching.memo", ignore_argument=None, exclude="underscore"),))
    assert [d.code for d in lint_source(source, "x.py", settings)] == ["CL101"]
    renamed = source.replace("request_id", "_request_id")
    assert lint_source(renamed, "x.py", settings) == []


@pytest.mark.parametrize(
    "source",
    [
        "def deco(fn):\n    return deco(fn)\n",
        "def deco(fn):\n    return lambda *a: fn(*a)\n",
        "class Deco:\n    def __call__(self, fn):\n        return fn\n",
        "def deco(*fns):\n    def inner(*a):\n        return [f(*a) for f in fns]\n    return inner\n",
        "def deco(fn):\n    def w(*args):\n        return fn(*args)\n    w.cache = {}\n    return w\n",
        "def deco(fn, store={}):\n    def w(*args):\n        return store.setdefault(args, fn(*args))\n    return w\n",
        "def outer():\n    def deco(fn):\n        return fn\n    return deco\n",
    ],
)
def test_inference_never_crashes_on_strange_decorators(source):
    summaries(source)
    lint_source(source + "\n@deco\ndef f(job_id):\n    return job_id\n", "strange.py", ALL)


def test_non_cache_decorators_are_never_caches():
    source = (SHOP / "caching.py").read_text() + (
        "\n@retry(times=2)\ndef a(request_id):\n    return request_id\n"
        "\n@timed\ndef b(request_id):\n    return request_id\n"
        "\n@cache_control(60)\ndef c(request_id):\n    return request_id\n"
    )
    codes = {(d.function, d.code) for d in lint_source(source, "shop_caching.py", ALL)}
    assert not {f for f, _ in codes} & {"a", "b", "c"}


def test_cli_json_on_the_fixture_package(run_cli):
    items = json.loads(run_cli("--format", "json", "--select", "ALL", str(SHOP)).output)
    assert {(Path(i["path"]).name, i["line"], i["code"]) for i in items} == expected_for([SHOP / "caching.py", SHOP / "views.py"])


DECORATORS = (
    "import functools\n\n\n"
    "def disk_cache(func):\n"
    "    store = {}\n\n"
    "    @functools.wraps(func)\n"
    "    def wrapper(*args):\n"
    "        if args not in store:\n"
    "            store[args] = func(*args)\n"
    "        return store[args]\n"
    "    return wrapper\n\n\n"
    "def final(func):\n"
    "    func.__final__ = True\n"
    "    return func\n"
)


def test_a_lookup_parses_a_decorator_module_only_when_it_can_define_the_name(tmp_path, monkeypatch):
    """``@final`` from a module that also defines a cache decorator: ``final`` is not in the
    text the summaries come from, so that lookup parses nothing; ``disk_cache`` still resolves."""
    from cachelint import cst_parse, project

    (tmp_path / "deco.py").write_text(DECORATORS)
    parsed = []
    real = cst_parse.parse_module
    monkeypatch.setattr(cst_parse, "parse_module", lambda text: parsed.append(text) or real(text))
    index = project.ProjectIndex(roots=[str(tmp_path)])
    assert "deco.final" not in index
    assert parsed == []
    assert index["deco.disk_cache"].is_cache
    assert len(parsed) == 1
    # and a user module gets the same diagnostics either way
    (tmp_path / "use.py").write_text(
        "from deco import disk_cache, final\n\n\n@final\n@disk_cache\ndef render(job_id, prompt):\n    return prompt\n")
    codes = {d.code for d in lint_paths([str(tmp_path / "use.py")], ALL)}
    assert "CL101" in codes


def test_the_file_being_linted_is_not_parsed_again_for_its_own_names(monkeypatch):
    """A decorator the file defines but that is not a cache (``@_Special`` on a cached
    function) is looked up in the file itself: the tree just parsed is reused."""
    from cachelint import cst_parse

    calls = []
    monkeypatch.setattr(cst_parse.cst, "parse_module", lambda text, _real=cst_parse.cst.parse_module: calls.append(1) or _real(text))
    first = cst_parse.parse_module("x = 1\n")
    assert cst_parse.parse_module("x = 1\n") is first
    assert len(calls) == 1
    cst_parse.parse_module("y = 2\n")
    assert len(calls) == 2

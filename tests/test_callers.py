"""The reduction keeps only the callers of cached functions that the enabled rules read
(cachelint/callers.py): diagnostics stay those of the whole file, with the default rules
and with CL402 on, and callers that cannot matter are left out of what libcst parses."""
from __future__ import annotations

import pytest

from cachelint.callers import Callers
from cachelint.config import Settings
from cachelint.engine import Linter
from cachelint.reduce import reduce_module

DEFAULT = Settings()
WITH_CL402 = Settings(extend_select=("CL402",))

HEAD = (
    "import functools\n"
    "@functools.lru_cache\n"
    "def f(x, when=None):\n"
    "    return [x]\n"
    "def quiet():\n"
    "    total = 0\n"
    "    for i in range(3):\n"
    "        total += len(f(i))\n"
    "    return total\n"
)

CASES = {
    "volatile_direct": HEAD + "from datetime import datetime\ndef g():\n    return f(1, datetime.now())\n",
    "volatile_through_local": HEAD + "import uuid\ndef g():\n    key = str(uuid.uuid4())\n    return f(key)\n",
    "volatile_imported_as": HEAD + "from uuid import uuid4 as new_id\ndef g():\n    return f(new_id())\n",
    "volatile_builtin_id": HEAD + "def g(obj):\n    return f(id(obj))\n",
    "volatile_in_method": HEAD + "import time\nclass C:\n    def run(self):\n        return f(1, time.time())\n",
    "volatile_at_module_level": HEAD + "import time\nif __name__ == '__main__':\n    f(1, time.time())\n",
    "id_shadowed_by_a_caller": HEAD + "def id(x):\n    return f(x)\ndef g(obj):\n    return f(id(obj))\n",
    "mutation_kept_with_cl402": HEAD + "def g():\n    rows = f(1)\n    rows.append(2)\n    return rows\n",
    "kwargs_copy_positional_call": (
        "import functools, json\n"
        "def disk_memo(fn):\n"
        "    store = {}\n"
        "    @functools.wraps(fn)\n"
        "    def wrapper(*args, **kwargs):\n"
        "        keyed = dict(kwargs)\n"
        "        keyed.pop('verbose', None)\n"
        "        key = json.dumps([args, keyed], sort_keys=True)\n"
        "        if key not in store:\n"
        "            store[key] = fn(*args, **kwargs)\n"
        "        return store[key]\n"
        "    return wrapper\n"
        "@disk_memo\n"
        "def load(path, verbose=False):\n"
        "    return path\n"
        "def main():\n"
        "    return load('a', True)\n"
    ),
    "diskcache_ignore_positional_call": (
        "from diskcache import Cache\n"
        "cache = Cache('d')\n"
        "@cache.memoize(ignore={'session'})\n"
        "def fetch(url, session):\n"
        "    return url\n"
        "def run(s):\n"
        "    return fetch('u', s)\n"
    ),
    "cache_object_built_in_a_caller": (
        "import functools\n"
        "from joblib import Memory\n"
        "@functools.cache\n"
        "def f(x):\n"
        "    return x\n"
        "def setup():\n"
        "    memory = Memory('d')\n"
        "    return f(1)\n"
        "@memory.cache\n"
        "def g(job_id, x):\n"
        "    return x\n"
    ),
    # from a review: each of these lost or changed a diagnostic in a first version of the screen
    "home_made_decorator_calling_a_cached_helper": (
        "import functools\n"
        "@functools.lru_cache\n"
        "def norm(k):\n    return k\n"
        "def keyed(fn):\n"
        "    store = {}\n"
        "    def wrapper(*args, **kwargs):\n"
        "        key = norm(repr((args, kwargs)))\n"
        "        if key not in store:\n"
        "            store[key] = fn(*args, **kwargs)\n"
        "        return store[key]\n"
        "    return wrapper\n"
        "@keyed\n"
        "def render(job_id, mode):\n    return norm(mode)\n"
    ),
    "library_decorator_imported_under_another_name": (
        "import functools\nfrom streamlit import experimental_singleton as single\n"
        "@functools.cache\ndef f(x):\n    return x\n"
        "class Views:\n    @single\n    def g(job_id, when):\n        return f(1)\n"
    ),
    "import_after_a_semicolon_in_a_caller": HEAD + "def setup():\n    y = 1; import uuid\n    return f(y)\n"
                                            "def g():\n    return f(1, uuid.uuid4())\n",
    "import_indented_after_a_form_feed": HEAD + "def setup():\n\f    import uuid\n    return f(1)\n"
                                         "def g():\n    return f(1, uuid.uuid4())\n",
    "renamed_after_a_comment": HEAD + "from uuid import (uuid4  # fresh ids\n    as mk)\ndef g():\n    return f(1, mk())\n",
    "comment_before_the_parenthesis": HEAD + "from uuid import uuid4\ndef g():\n"
                                      "    return f(1, uuid4  # fresh\n             ())\n",
    "fanout_cache_built_in_a_caller": (
        "import uuid\nfrom diskcache import FanoutCache\n"
        "def setup():\n    global store\n    store = FanoutCache('d')\n    return h(1, 2)\n"
        "@store.memoize(ignore={1})\ndef h(x, when):\n    return x\n"
        "def g():\n    return h(1, uuid.uuid4())\n"
    ),
}


def found(settings, source, reduce=True):
    linter = Linter(settings, reduce=reduce)
    return [(d.code, d.line, d.column, d.message) for d in linter.lint_source(source, "m.py")]


@pytest.mark.parametrize("settings", [DEFAULT, WITH_CL402, Settings(select=("CL106",)), Settings(select=("CL305",))],
                         ids=["default", "with-CL402", "CL106", "CL305"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_reduced_callers_give_the_whole_files_diagnostics(name, settings):
    whole = found(settings, CASES[name], reduce=False)
    assert found(settings, CASES[name]) == whole


@pytest.mark.parametrize("name, code", [
    ("volatile_direct", "CL106"), ("volatile_through_local", "CL106"), ("volatile_imported_as", "CL106"),
    ("volatile_builtin_id", "CL106"), ("volatile_in_method", "CL106"), ("volatile_at_module_level", "CL106"),
    ("kwargs_copy_positional_call", "CL305"), ("diskcache_ignore_positional_call", "CL305"),
    ("cache_object_built_in_a_caller", "CL101"), ("home_made_decorator_calling_a_cached_helper", "CL602"),
    ("home_made_decorator_calling_a_cached_helper", "CL101"), ("library_decorator_imported_under_another_name", "CL101"),
    ("import_after_a_semicolon_in_a_caller", "CL106"), ("import_indented_after_a_form_feed", "CL106"),
    ("renamed_after_a_comment", "CL106"), ("comment_before_the_parenthesis", "CL106"),
])
def test_each_case_reports_what_the_kept_caller_shows(name, code):
    """The cases are not vacuous: what a dropped caller would lose is reported from it."""
    assert code in {d[0] for d in found(DEFAULT, CASES[name])}


def test_a_caller_no_enabled_rule_reads_is_left_out_and_kept_with_cl402():
    source = CASES["mutation_kept_with_cl402"]
    assert "def quiet" not in reduce_module(source, (), Callers.for_codes(["CL106", "CL305"])).text
    assert "rows.append(2)" not in reduce_module(source, (), Callers.for_codes(["CL106", "CL305"])).text
    assert "rows.append(2)" in reduce_module(source, (), Callers.for_codes(["CL106", "CL305", "CL402"])).text
    assert "rows.append(2)" in reduce_module(source, ()).text  # the default keeps every caller
    assert ("CL402", 12) in {d[:2] for d in found(WITH_CL402, source)}


def test_a_caller_that_may_pass_a_volatile_value_is_kept():
    text = reduce_module(CASES["volatile_through_local"], (), Callers.for_codes(["CL106"])).text
    assert "uuid.uuid4()" in text and "def quiet" not in text


def test_every_caller_stays_where_a_site_may_leave_a_parameter_out_one_way_only():
    source = CASES["kwargs_copy_positional_call"] + "def other():\n    return load('b')\n"
    assert "def other" in reduce_module(source, (), Callers.for_codes(["CL106", "CL305"])).text
    assert "def other" not in reduce_module(source, (), Callers.for_codes(["CL106"])).text


def test_callers_for_codes():
    assert Callers.for_codes(["CL101", "CL106"]) == Callers(every=False, volatile=True, shapes=False)
    assert Callers.for_codes(["CL402"]).every
    assert Callers.for_codes([]) == Callers(every=False, volatile=False, shapes=False)


def test_a_caller_holding_a_site_of_a_project_decorator_is_kept(tmp_path, monkeypatch):
    """A decorator imported under another name can be a project's cache: its caller stays."""
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "deco.py").write_text(
        "def disk_memo(fn):\n    store = {}\n    def wrapper(*args):\n        if args not in store:\n"
        "            store[args] = fn(*args)\n        return store[args]\n    return wrapper\n")
    module = tmp_path / "pkg" / "mod.py"
    module.write_text(
        "import functools\nfrom pkg.deco import disk_memo as remember\n@functools.cache\ndef f(x):\n    return x\n"
        "def outer():\n    @remember\n    def inner(job_id, x):\n        return x\n    return f(inner(1, 2))\n")
    monkeypatch.chdir(tmp_path)

    def lint(reduce):
        return [(d.code, d.line, d.message) for d in Linter(DEFAULT, reduce=reduce).lint_file(str(module), "pkg/mod.py")]

    whole = lint(False)
    assert [d[:2] for d in whole] == [("CL101", 8), ("CL107", 8)]
    assert lint(True) == whole


@pytest.mark.parametrize("decorator, kept", [
    ("@property", False), ("@staticmethod", False), ("@functools.wraps(f)", False), ("@self.helper", False),
    ("@unittest.skipIf(True, 'x')", True),  # unittest is no library cachelint models: could be the project's
    ("@task", True),  # prefect.task caches with options: a site of its own
    ("@c(ttl=1)", True),  # an assigned name: perhaps a cache object called as a decorator
    ("@lru_cache", True),  # a cache by its name
])
def test_callers_holding_decorators_that_may_make_sites_stay(decorator, kept):
    source = (
        "import functools, unittest\nfrom prefect import task\nfrom cashews import Cache\nc = Cache()\n"
        "@functools.cache\ndef f(x):\n    return x\n"
        f"class Outer:\n    {decorator}\n    def inner(self):\n        return f(1)\n"
    )
    text = reduce_module(source, (), Callers.for_codes(["CL106", "CL305"])).text
    assert ("class Outer" in text) is kept


def test_a_builtin_decorator_name_bound_to_a_cache_object_keeps_its_caller():
    source = (
        "import functools\nfrom cashews import Cache\nstaticmethod = Cache()\n"
        "@functools.cache\ndef f(x):\n    return x\n"
        "class Outer:\n    @staticmethod\n    def inner(y):\n        return f(y)\n"
    )
    assert "class Outer" in reduce_module(source, (), Callers.for_codes(["CL106", "CL305"])).text

"""Property-based fuzzing of the engine: whatever the source, linting returns diagnostics.

Four sources of programs:

* ``hypothesmith.from_grammar()`` / ``from_node()``: arbitrary valid Python;
* :func:`cache_programs`: valid programs dense in cache decorators of several libraries
  (functools, joblib, streamlit, diskcache, cachetools, home-made ``disk_cache`` wrappers),
  parameters named like per-call values, docstrings and comments that claim what the key is;
* :func:`mutated_fixtures`: the rule fixtures with lines deleted, duplicated or swapped and
  bytes flipped, inserted or dropped, so most of them no longer parse or decode.

The property in every case: ``lint_source`` does not raise, cachelint records no internal
error, and the JSON rendering follows DESIGN.md §4 (keys, types, 1-based positions, order).

The normal run keeps the example counts small (a few seconds); ``benchmarks/fuzz.py`` runs
the same properties with counts given on its command line.
"""
from __future__ import annotations

import ast
import json
import random
import re
import warnings
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import pytest

hypothesis = pytest.importorskip("hypothesis")
hypothesmith = pytest.importorskip("hypothesmith")

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from cachelint.engine import Linter  # noqa: E402
from cachelint.output import json_format  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures"

#: hypothesmith compiles what it writes; CPython's warnings about it are noise here
pytestmark = pytest.mark.filterwarnings("ignore::SyntaxWarning")

#: example counts of the normal test run (benchmarks/fuzz.py takes its own)
COUNTS = {"grammar": 60, "node": 6, "cache": 30, "mutation": 60}

JSON_KEYS = ("code", "name", "severity", "message", "path", "line", "column", "end_line", "end_column",
             "function", "parameter", "fix")
PATH = "fuzzed.py"


def quiet(**changes) -> settings:
    """Example settings: no deadline (libcst is slow on big inputs), no health-check noise."""
    return settings(deadline=None, database=None, suppress_health_check=list(HealthCheck), **changes)


# ------------------------------------------------------------------------- the property


def check_contract(rendered: str, source_lines: Optional[int], path: str = PATH) -> List[dict]:
    """Assert that ``rendered`` (``--format json``) follows the contract; return the items."""
    items = json.loads(rendered)
    assert isinstance(items, list)
    for item in items:
        assert tuple(item) == JSON_KEYS, item
        assert re.fullmatch(r"CL\d{3}", item["code"]), item
        assert isinstance(item["name"], str) and item["name"], item
        assert item["severity"] in ("error", "warning"), item
        assert isinstance(item["message"], str) and item["message"].strip(), item
        assert item["path"] == path, item
        for key in ("line", "column", "end_line", "end_column"):
            assert type(item[key]) is int and item[key] >= 1, item
        assert (item["end_line"], item["end_column"]) >= (item["line"], item["column"]), item
        if source_lines is not None:
            assert item["line"] <= source_lines + 1, (item, source_lines)
        for key in ("function", "parameter"):
            assert item[key] is None or isinstance(item[key], str), item
        fix = item["fix"]
        if fix is not None:
            assert set(fix) == {"description", "replacement"}, fix
            assert isinstance(fix["description"], str) and fix["description"], fix
            assert fix["replacement"] is None or isinstance(fix["replacement"], str), fix
    order = [(i["path"], i["line"], i["column"], i["code"]) for i in items]
    assert order == sorted(order)
    return items


def _line_count(source) -> int:
    if isinstance(source, bytes):
        source = source.decode("utf-8", "replace")
    return max(1, len(source.splitlines()))


def lint_checked(linter: Linter, source, path: str = PATH) -> List[dict]:
    """Lint ``source`` and check the property; returns the JSON items."""
    before = len(linter.internal_errors)
    diagnostics = linter.lint_source(source, path)
    assert linter.internal_errors[before:] == [], linter.internal_errors[before:]
    assert isinstance(diagnostics, list)
    return check_contract(json_format.render(diagnostics), _line_count(source), path)


def parses(source: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


# ------------------------------------------------------------------ cache-dense programs

#: per-call, clock, destination, context, bytes, fingerprint and ordinary parameter names
PARAM_NAMES = {
    "per_call": ["job_id", "run_id", "request_id", "trace_id", "span_id", "correlation_id", "attempt", "nonce",
                 "idempotency_key", "execution_id"],
    "clock": ["now", "timestamp", "ts", "request_time", "started_at"],
    "path": ["out_path", "output_dir", "dest", "tmp_dir", "save_to"],
    "context": ["logger", "session", "client", "conn", "cursor", "n_jobs", "verbose", "progress", "callback", "lock"],
    "bytes": ["payload_bytes", "blob", "raw"],
    "fingerprint": ["data_hash", "version", "file_mtime", "etag"],
    "plain": ["region", "text", "x", "n", "config", "path", "query", "model_name", "user_id", "items"],
    "underscore": ["_log", "_client", "_progress"],
}
ANNOTATIONS = [None, "str", "int", "bytes", "list", "dict", "float", "logging.Logger", "requests.Session",
               "Callable[[int], None]", "Optional[str]", "pd.DataFrame", "datetime.datetime", "Path"]
#: parameter names that CL101 must report when keyed by a functools cache
SURE_PER_CALL = {"job_id", "run_id", "request_id", "trace_id", "correlation_id", "execution_id"}

HEADER = '''\
"""A module written by the fuzzer."""
import datetime
import functools
import hashlib
import json
import logging
import os
import pickle
import time
import uuid
from functools import lru_cache
from pathlib import Path
from typing import Callable, Optional

import cachetools
import diskcache
import joblib
import pandas as pd
import requests
import streamlit as st
from cachetools import LRUCache, TTLCache, cached

memory = joblib.Memory("cachedir", verbose=0)
dcache = diskcache.Cache("dc")
'''

HOME_MADE = '''

def {name}(fn):
    """{doc}"""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        key = {key}
        path = os.path.join(".cache", str(key))
        if os.path.exists(path):
            with open(path, "{mode}") as fh:
                return {load}
        result = fn(*args, **kwargs)
        {write}
        return result
    return wrapper
'''


@st.composite
def home_made(draw) -> Dict[str, str]:
    """A home-made persistent cache decorator with a random key, codec and write."""
    name = draw(st.sampled_from(["disk_cache", "memoize_to_disk", "cached_on_disk", "persist"]))
    codec = draw(st.sampled_from(["json", "pickle"]))
    key = draw(st.sampled_from([
        "hash((args, tuple(sorted(kwargs.items()))))",
        'hashlib.sha256(repr((args, kwargs)).encode()).hexdigest()',
        'hashlib.md5(json.dumps([args, kwargs], default=str).encode()).hexdigest()',
        "id(args)",
        'hashlib.sha256(pickle.dumps((fn.__qualname__, args, sorted(kwargs.items())))).hexdigest()',
    ]))
    mode = "r" if codec == "json" else "rb"
    load = "json.load(fh)" if codec == "json" else "pickle.load(fh)"
    dump = ("json.dump(result, fh, default=str)" if codec == "json" else "pickle.dump(result, fh)")
    wmode = "w" if codec == "json" else "wb"
    if draw(st.booleans()):
        write = (f'with open(path + ".tmp", "{wmode}") as fh:\n            {dump}\n'
                 f'        os.replace(path + ".tmp", path)')
    else:
        write = f'with open(path, "{wmode}") as fh:\n            {dump}'
    doc = draw(st.sampled_from(["Cache results on disk.", "The key is every argument.",
                                "Results are shared across runs.", "Keyed by the arguments, not by the run."]))
    return {"name": name, "source": HOME_MADE.format(name=name, doc=doc, key=key, mode=mode, load=load, write=write)}


def _decorators(home: str) -> List[st.SearchStrategy]:
    names = st.lists(st.sampled_from(sum(PARAM_NAMES.values(), [])), max_size=3, unique=True)
    quoted = names.map(lambda ns: "[" + ", ".join(repr(n) for n in ns) + "]")
    return [
        st.just(("functools", "@functools.lru_cache")),
        st.just(("functools", "@functools.lru_cache()")),
        st.just(("functools", "@functools.lru_cache(maxsize=None)")),
        st.just(("functools", "@functools.cache")),
        st.just(("functools", "@lru_cache(maxsize=128)")),
        st.just(("joblib", "@memory.cache")),
        quoted.map(lambda q: ("joblib", f"@memory.cache(ignore={q})")),
        st.just(("streamlit", "@st.cache_data")),
        st.just(("streamlit", "@st.cache_resource")),
        st.just(("streamlit", "@st.cache_data(ttl=3600, show_spinner=False)")),
        st.just(("diskcache", "@dcache.memoize()")),
        st.just(("diskcache", "@dcache.memoize")),
        names.map(lambda ns: ("diskcache", "@dcache.memoize(ignore={" + ", ".join(repr(n) for n in ns) + "})"
                              if ns else "@dcache.memoize(ignore=set())")),
        st.just(("cachetools", "@cachetools.cached(cache=TTLCache(maxsize=10, ttl=60))")),
        st.just(("cachetools", "@cached(LRUCache(maxsize=32))")),
        st.just(("cachetools", "@cached(cache={}, key=lambda *a, **k: a)")),
        st.just(("home", f"@{home}")),
    ]


@st.composite
def parameters(draw) -> List[tuple]:
    """``(source text, [names])`` of each parameter (or group of them)."""
    chosen: List[str] = []
    for _ in range(draw(st.integers(0, 5))):
        category = draw(st.sampled_from(sorted(PARAM_NAMES)))
        name = draw(st.sampled_from(PARAM_NAMES[category]))
        if name in chosen:
            continue
        chosen.append(name)
    rendered = []
    kinds = draw(st.lists(st.sampled_from(["plain", "plain", "default", "annotated"]), min_size=len(chosen),
                          max_size=len(chosen)))
    defaulted = False  # after one default every positional parameter needs one
    for name, kind in zip(chosen, kinds):
        if kind == "default" or defaulted:
            defaulted = True
            rendered.append((f"{name}=None", [name]))
        elif kind == "annotated":
            annotation = draw(st.sampled_from(ANNOTATIONS))
            rendered.append((f"{name}: {annotation}" if annotation else name, [name]))
        else:
            rendered.append((name, [name]))
    extra = draw(st.sampled_from([("", []), ("*args", ["args"]), ("**kwargs", ["kwargs"]),
                                  ("*, flag=False", ["flag"]), ("*args, **kwargs", ["args", "kwargs"])]))
    if extra[0]:
        rendered.append(extra)
    return rendered


@st.composite
def function(draw, home: str, index: int) -> Dict[str, object]:
    """One decorated function (source and facts the oracle needs)."""
    library, decorator = draw(st.one_of(*_decorators(home)))
    params = draw(parameters())
    names = [name for _, group in params for name in group]
    is_async = draw(st.integers(0, 9)) == 0
    reads = [n for n in names if draw(st.booleans())]
    statements = []
    if draw(st.integers(0, 5)) == 0:
        statements.append('token = os.environ.get("TOKEN")')
    if draw(st.integers(0, 5)) == 0:
        statements.append("stamp = time.time()")
    path_like = [n for n in names if n in ("path", "out_path", "dest")]
    if path_like and draw(st.booleans()):
        statements.append(f"data = open({path_like[0]}).read()")
    generator = draw(st.integers(0, 9)) == 0 and not is_async
    if generator:
        statements.append("yield 1")
    statements.append("return (" + ", ".join(reads) + ("," if len(reads) == 1 else "") + ")")
    doc = draw(st.sampled_from([
        None,
        "Load the report.",
        "The cache key is ({}).",
        "{} is not part of the cache key.",
        "Results are shared across jobs.",
        "Cached per {} only; the key ignores everything else.",
        "Keyed by ({}) so that every run reuses the result.",
    ]))
    lines = [decorator]
    stacked = draw(st.integers(0, 6)) == 0
    if stacked:
        lines.append(draw(st.sampled_from(["@staticmethod", "@property", "@functools.wraps(print)"])))
    lines.append(f"{'async def' if is_async else 'def'} f{index}({', '.join(text for text, _ in params)}):")
    if doc is not None:
        subject = ", ".join(names[:2]) if names else "nothing"
        lines.append('    """' + doc.format(subject) + '"""')
    if draw(st.integers(0, 4)) == 0 and names:
        lines.append(f"    # key: {', '.join(names)}")
    lines.extend("    " + s for s in statements)
    call = ""
    if names and draw(st.booleans()):
        args = ", ".join(draw(st.sampled_from(["uuid.uuid4()", "time.time()", "datetime.datetime.now()", "1",
                                                  '"x"', "None"])) for _ in names[:2])
        call = f"\n\nresult{index} = f{index}({args})\n"
    return {
        "source": "\n".join(lines) + "\n" + call,
        "library": library,
        "decorator": decorator,
        "names": names,
        "plain_def": not (stacked or is_async or generator),
    }


@st.composite
def cache_programs(draw) -> Dict[str, object]:
    """A module of several cache-decorated functions (possibly a class of them too)."""
    home = draw(home_made())
    functions = [draw(function(home["name"], i)) for i in range(draw(st.integers(1, 4)))]
    body = HEADER + home["source"] + "\n\n" + "\n\n".join(f["source"] for f in functions)
    if draw(st.booleans()):
        method = draw(function(home["name"], 99))
        indented = "\n".join(("    " + line if line else line) for line in str(method["source"]).splitlines())
        body += "\n\nclass Service:\n    __slots__ = ('a',)\n\n" + indented.replace("def f99(", "def f99(self, ") + "\n"
    if draw(st.integers(0, 4)) == 0:
        body = body.replace("\n", "\r\n")
    return {"source": body, "functions": functions}


def _oracle(program: Dict[str, object], items: List[dict]) -> None:
    """A top-level functools cache that keys ``job_id`` (and friends) is always reported."""
    reported = {(i["code"], i["function"], i["parameter"]) for i in items}
    for index, fn in enumerate(program["functions"]):
        if fn["library"] != "functools" or not fn["plain_def"]:
            continue
        for name in set(fn["names"]) & SURE_PER_CALL:
            assert ("CL101", f"f{index}", name) in reported, (name, fn["source"], sorted(reported, key=str))


# --------------------------------------------------------------------------- mutations

MUTATIONS = ("delete_line", "duplicate_line", "swap_lines", "flip_byte", "insert_byte", "delete_byte",
             "truncate", "dedent_line", "indent_line")
FIXTURE_FILES = sorted(FIXTURES.glob("*.py"))
INTERESTING_BYTES = [0x00, 0x0A, 0x0D, 0x09, 0x0C, 0x20, 0x23, 0x27, 0x22, 0x28, 0x29, 0x3A, 0x40, 0x5C,
                     0x80, 0xC3, 0xE9, 0xEF, 0xFF]


def mutate(data: bytes, operations: Sequence[tuple]) -> bytes:
    """Apply ``(operation, a, b, byte)`` tuples; positions are taken modulo the current size."""
    for op, a, b, value in operations:
        lines = data.splitlines(keepends=True)
        if op in ("delete_line", "duplicate_line", "swap_lines", "dedent_line", "indent_line") and lines:
            i, j = a % len(lines), b % len(lines)
            if op == "delete_line":
                del lines[i]
            elif op == "duplicate_line":
                lines.insert(i, lines[i])
            elif op == "swap_lines":
                lines[i], lines[j] = lines[j], lines[i]
            elif op == "dedent_line":
                lines[i] = lines[i].lstrip(b" \t")
            else:
                lines[i] = b"    " + lines[i]
            data = b"".join(lines)
        elif op == "flip_byte" and data:
            i = a % len(data)
            data = data[:i] + bytes([value]) + data[i + 1:]
        elif op == "insert_byte":
            i = a % (len(data) + 1)
            data = data[:i] + bytes([value]) + data[i:]
        elif op == "delete_byte" and data:
            i = a % len(data)
            data = data[:i] + data[i + 1:]
        elif op == "truncate" and data:
            data = data[:a % len(data)]
    return data


operations = st.lists(
    st.tuples(st.sampled_from(MUTATIONS), st.integers(0, 10**6), st.integers(0, 10**6),
              st.one_of(st.sampled_from(INTERESTING_BYTES), st.integers(0, 255))),
    min_size=1, max_size=6,
)


@st.composite
def mutated_fixtures(draw) -> bytes:
    fixture = draw(st.sampled_from(FIXTURE_FILES))
    return mutate(fixture.read_bytes(), draw(operations))


# -------------------------------------------------------------------------------- tests

@pytest.fixture(scope="module")
def linter() -> Linter:
    """One linter for all examples (as in a real run); the prefilter is off so all is parsed."""
    return Linter(prefilter=False)


def test_contract_checker_rejects_bad_output():
    good = [{k: None for k in JSON_KEYS}]
    good[0].update(code="CL101", name="n", severity="warning", message="m", path=PATH, line=1, column=1,
                   end_line=1, end_column=2)
    check_contract(json.dumps(good), 1)
    for change in ({"line": 0}, {"severity": "info"}, {"column": "1"}, {"end_line": 0}, {"code": "X1"}):
        bad = [dict(good[0], **change)]
        with pytest.raises(AssertionError):
            check_contract(json.dumps(bad), 1)
    with pytest.raises(AssertionError):
        check_contract(json.dumps([good[0], dict(good[0], code="CL001")]), 1)  # not sorted


@given(source=hypothesmith.from_grammar())
@quiet(max_examples=COUNTS["grammar"])
def test_grammar_programs(linter, source):
    lint_checked(linter, source)


@given(source=hypothesmith.from_node())
@quiet(max_examples=COUNTS["node"])
def test_node_programs(linter, source):
    lint_checked(linter, source)


@given(program=cache_programs())
@quiet(max_examples=COUNTS["cache"])
def test_cache_dense_programs(linter, program):
    source = program["source"]
    assert parses(source), source  # the strategy writes valid Python
    items = lint_checked(linter, source)
    assert not [i for i in items if i["code"] in ("CL001", "CL002")], items
    _oracle(program, items)


@given(data=mutated_fixtures())
@quiet(max_examples=COUNTS["mutation"])
def test_mutated_fixtures(linter, data):
    items = lint_checked(linter, data)
    if b"\x00" in data:
        assert [i["code"] for i in items] == ["CL002"]


@given(data=mutated_fixtures())
@quiet(max_examples=COUNTS["mutation"] // 3)
def test_mutated_fixtures_as_text(linter, data):
    """The str API: undecodable bytes become surrogates or replacement characters."""
    lint_checked(linter, data.decode("utf-8", "surrogateescape"))
    lint_checked(linter, data.decode("utf-8", "replace"))


def test_line_deletions_across_fixtures(linter):
    """Deterministic companion of the random mutations: one line deleted from each fixture."""
    rng = random.Random(8)
    for fixture in FIXTURE_FILES:
        data = fixture.read_bytes()
        lint_checked(linter, mutate(data, [("delete_line", rng.randrange(len(data.splitlines())), 0, 0)]))

"""Call-site rules (CL106, CL305, CL402) and decorator-form fixes (CL505, CL701, CL702) beyond the fixtures."""
from __future__ import annotations

import textwrap

import pytest

import libcst as cst

from cachelint import lint_source
from cachelint.analysis import Resolver, code, find_sites
from cachelint.config import Settings
from cachelint.rules.base import FileContext
from cachelint.rules.call_sites import EXTRA_TARGETS, ExclusionMissesCallShape, MutableCachedValue, VolatileArgument


def lint(source: str, *codes: str):
    return lint_source(textwrap.dedent(source), "mod.py", Settings(select=codes or ("ALL",)))


def test_volatile_argument_is_reported_at_the_argument_with_its_range():
    source = """
        import functools
        from datetime import datetime

        @functools.lru_cache
        def report(region, as_of):
            return region

        def run():
            return report("eu", datetime.now())
    """
    [d] = lint(source, "CL106")
    assert (d.line, d.column, d.end_line, d.end_column) == (10, 25, 10, 39)
    assert d.parameter == "as_of" and d.function == "report"
    assert "datetime.now()" in d.message and "functools.lru_cache" in d.message


def test_volatile_argument_through_a_keyword_of_a_method_call():
    source = """
        import functools, uuid

        class Client:
            @functools.lru_cache
            def fetch(self, url, *, nonce=None):
                return url

            def run(self):
                token = str(uuid.uuid4())
                return self.fetch("u", nonce=token)
    """
    [d] = lint(source, "CL106")
    assert d.parameter == "nonce" and "'token' (assigned from uuid.uuid4())" in d.message


def test_cross_module_targets_are_extendable():
    """A project index can register cached functions imported from other modules."""
    other = cst.parse_module(textwrap.dedent("""
        import functools
        from diskcache import Cache
        cache = Cache("d")

        @functools.lru_cache
        def report(region, as_of):
            return [region]

        @cache.memoize(ignore={"session"})
        def fetch(url, session):
            return url
    """))
    imported = {s.function_name: s for s in find_sites(other, {}, Resolver(other))}
    here = cst.parse_module(textwrap.dedent("""
        import time
        from functools import cache
        from reports import report, fetch

        @cache
        def local(x):
            return x

        def run(session):
            fetch("u", session)
            rows = report("eu", time.time())
            rows.append(1)
            return local(1)
    """))
    resolver = Resolver(here)
    sites = find_sites(here, {}, resolver)
    ctx = FileContext(path="here.py", module=here, lines=here.code.splitlines(), settings=None,
                      position=lambda node: (1, 1, 1, 1), resolve=resolver.resolve, sites=sites)
    ctx.cache[EXTRA_TARGETS] = imported
    found = {}
    for rule in (VolatileArgument(), ExclusionMissesCallShape(), MutableCachedValue()):
        for site in sites:
            for report in rule.check(site, ctx):
                found.setdefault(rule.code, []).append(code(report.node))
    assert found == {"CL106": ["time.time()"], "CL305": ["session"], "CL402": ["rows.append(1)"]}


def test_diskcache_exclusion_fix_inserts_the_missing_half():
    source = """
        from diskcache import Cache
        cache = Cache("d")

        @cache.memoize(ignore={"session"})
        def fetch(url, session):
            return url
    """
    [d] = lint(source, "CL305")
    assert d.fix.replacement == '1, "session"'
    assert 'ignore={1, "session"}' in d.message


def test_exclusion_of_a_keyword_only_parameter_and_calls_passing_it_are_fine():
    source = """
        from diskcache import Cache
        cache = Cache("d")

        @cache.memoize(ignore={"session"})
        def fetch(url, *, session):
            return url

        def run(s):
            return fetch("u", session=s)
    """
    assert lint(source, "CL305") == []


def test_mutation_after_rebinding_to_a_copy_is_not_reported():
    source = """
        import functools

        @functools.cache
        def roles(user):
            return ("reader",)

        def run(user):
            mine = roles(user)
            mine = list(mine)
            mine.append("admin")
            other = roles(user)
            other.append("admin")
    """
    found = [(d.line, d.code) for d in lint(source, "CL402")]
    assert found == [(13, "CL402")]


def test_form_fixes_spell_the_library_decorator():
    source = """
        import functools
        from cachier import cachier

        @cachier
        def a(x):
            return x

        @functools.lru_cache(maxsize=None)
        def b(x):
            return x

        @functools.lru_cache()
        def c(x):
            return x
    """
    fixes = {d.code: d.fix.replacement for d in lint(source, "CL505", "CL701", "CL702")}
    assert fixes == {"CL505": "cachier()", "CL701": "functools.cache", "CL702": "functools.lru_cache"}


def test_per_call_cache_in_a_nested_class_names_the_class():
    source = """
        import functools

        def build(rows):
            class Row:
                @functools.lru_cache
                def width(self, n):
                    return n
            return [Row().width(r) for r in rows]
    """
    [d] = lint(source, "CL506")
    assert "Row.width" in d.message and "Move 'Row'" in d.message


def test_odd_code_does_not_crash():
    source = """
        import functools, time

        @functools.lru_cache
        def f(a, /, b, *args, c, **kw):
            return [a]

        class K:
            @functools.cache
            def m(self, *a, **k):
                return [1]

            def run(self):
                x = self.m(*[1], **{"a": time.time()})
                lam = lambda q: f(q, time.time(), c=0)
                if (y := f(1, 2, c=3)):
                    y.extend([1])
                match x:
                    case [1, *rest]:
                        rest.append(1)
                del f(1, 2, c=3)[0], x
                return lam
    """
    codes = sorted({d.code for d in lint(source)})
    assert {"CL106", "CL402"} <= set(codes)


@pytest.mark.parametrize(
    "text, called",
    [
        ("x = render(1)", True),
        ("x = render (1)", True),
        ("def render(job_id):\n    pass", False),  # the definition is not a call
        ("x = obj.render(1)", False),  # another object's attribute
        ("x = rerender(1)", False),
        ("x = render2(1)", False),
        ("x = self.load(1)", True),
        ("x = cls.load(1)", True),
        ("x = Store.load(1)", True),
        ("x = other.load(1)", False),
        ("x = self.loader(1)", False),
        ("y = a.self.load(2)", True),  # as before: the receiver is matched at its own word
        ("x = render", False),
        ("x = é(1)", True),
    ],
)
def test_the_call_pre_check_finds_calls_of_cached_functions_and_methods_only(text, called):
    from cachelint.rules.call_sites import _calls_any

    functions = {"render": object(), "é": object()}
    methods = {"Store": {"load": object()}}
    assert _calls_any(text.splitlines(), functions, methods) is called

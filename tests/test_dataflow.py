"""cachelint.dataflow: the small value-flow model behind CL201–CL203."""
from __future__ import annotations

import textwrap

import libcst as cst
import pytest

from cachelint import dataflow


def func(source: str) -> cst.FunctionDef:
    module = cst.parse_module(textwrap.dedent(source))
    node = module.body[-1]
    assert isinstance(node, cst.FunctionDef)
    return node


def reaches(source: str, name: str, data: bool = False) -> bool:
    fn = func(source)
    taint = dataflow.Taint(dataflow.facts(fn), {name: data})
    return taint.result_carrier() is not None


# -- target_names / root_name --------------------------------------------------------------
@pytest.mark.parametrize(
    "target,expected",
    [
        ("a", ("a",)),
        ("a, (b, *c)", ("a", "b", "c")),
        ("[a, b]", ("a", "b")),
        ("rows[i]", ("rows",)),
        ("obj.x.y", ("obj",)),
        ("self.x", ()),
        ("cls.registry[k]", ()),
    ],
)
def test_target_names(target, expected):
    stmt = cst.parse_statement(f"{target} = value")
    assert dataflow.target_names(stmt.body[0].targets[0].target) == expected


def test_root_name():
    assert dataflow.root_name(cst.parse_expression("a[0].b.c")) == "a"
    assert dataflow.root_name(cst.parse_expression("f().b")) is None


# -- facts -------------------------------------------------------------------------------------
def test_facts_collects_bindings_results_calls_and_locals():
    fn = func(
        """
        def f(a, *args, b=1, **kw):
            import os
            x = a
            y: int = x
            for i in range(3):
                pass
            with open(a) as fh:
                data = fh.read()
            try:
                pass
            except ValueError as exc:
                pass
            global G
            def inner():
                return a
            if x:
                return y
            yield data
        """
    )
    facts = dataflow.facts(fn)
    assert facts.params == ("a", "args", "b", "kw")
    assert {"os", "x", "y", "i", "fh", "data", "exc", "inner"} <= facts.local_names
    assert facts.global_decls == {"G"}
    assert len(facts.results) == 2
    assert any(isinstance(c.func, cst.Name) and c.func.value == "open" for c in facts.calls)
    assert len(facts.tests) == 1


def test_nested_scopes_are_skipped():
    fn = func(
        """
        def f(a):
            def inner():
                return a
            g = lambda: a
            class K:
                value = a
            return 1
        """
    )
    facts = dataflow.facts(fn)
    assert [dataflow.facts(fn).results[0].value] == ["1"]
    assert not any(b.targets == ("value",) for b in facts.bindings)


def test_mutating_call_binds_only_locals():
    fn = func(
        """
        def f(a, logger):
            out = []
            out.append(a)
            logger.debug(a)
            cache.set("k", a)
            return out
        """
    )
    facts = dataflow.facts(fn)
    mutations = [b.targets for b in facts.bindings if b.args_only]
    assert mutations == [("out",)]


# -- Taint ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "source",
    [
        "def f(_p):\n    return _p\n",
        "def f(_p):\n    x = _p\n    return x\n",
        "def f(_p):\n    x = g(_p)\n    return x\n",
        "def f(_p):\n    x = _p.attr\n    return x\n",
        "def f(_p):\n    return f'{_p}!'\n",
        "def f(_p):\n    a, b = _p\n    return b\n",
        "def f(_p, y):\n    y += _p\n    return y\n",
        "def f(_p):\n    out = []\n    out.append(_p)\n    return out\n",
        "def f(_p):\n    return {'k': [1, _p]}\n",
        "def f(_p, rows):\n    return [r * _p for r in rows]\n",
        "def f(_p):\n    return [r for r in _p]\n",
        "def f(_p, table):\n    return table[_p]\n",
        "def f(_p):\n    return helper(key=_p)\n",
        "def f(_p):\n    if (n := len(_p)):\n        return n\n",
        "def f(_p):\n    yield _p\n",
        "def f(_p):\n    x = y = _p\n    z = y\n    return z\n",
        "def f(_p):\n    with open(_p) as fh:\n        return fh.read()\n",
        "async def f(_p):\n    return await fetch(_p)\n",
    ],
)
def test_value_reaches_result(source):
    assert reaches(source, "_p")


@pytest.mark.parametrize(
    "source",
    [
        "def f(_p, x):\n    return x\n",
        "def f(_p, x):\n    if _p:\n        return x + 1\n    return x\n",
        "def f(_p, x):\n    return x if _p else -x\n",
        "def f(_p, x):\n    print(_p)\n    return x\n",
        "def f(_p, x):\n    logger.info('%s', _p)\n    return x\n",
        "def f(_p, x):\n    log = make()\n    log.warning(_p)\n    return log\n",
        "def f(_p, x):\n    side_effect(_p)\n    return x\n",
        "def f(_p, x):\n    def inner():\n        return _p\n    return x\n",
        "def f(_p, x):\n    return lambda: _p\n",
        "def f(_p, x):\n    return _p.execute(x)\n",
        "def f(_p, x):\n    return _p.cursor().execute(x).fetchall()\n",
        "def f(_p, x):\n    return _p.client.get(x)\n",
        "def f(_p, x):\n    ok = isinstance(_p, str)\n    return x\n",
        "def f(_p, x):\n    d = {}\n    v = d.get(_p)\n    return d\n",
    ],
)
def test_value_does_not_reach_result(source):
    assert not reaches(source, "_p")


def test_receiver_counts_for_data():
    source = "def f(_df, col):\n    return _df.groupby(col).sum()\n"
    assert not reaches(source, "_df", data=False)
    assert reaches(source, "_df", data=True)


def test_derived_values_carry_through_methods():
    source = "def f(_p):\n    x = _p[0]\n    return x.upper()\n"
    assert reaches(source, "_p")


def test_source_nodes():
    fn = func("def f(x):\n    now = time.time()\n    y = x\n    return {'x': y, 'at': now}\n")
    facts = dataflow.facts(fn)
    call = facts.calls[0]
    assert dataflow.Taint(facts, nodes=[call]).result_carrier() is not None
    fn2 = func("def f(x):\n    t0 = time.time()\n    log.info(time.time() - t0)\n    return x\n")
    facts2 = dataflow.facts(fn2)
    for call in facts2.calls:
        assert dataflow.Taint(facts2, nodes=[call]).result_carrier() is None


def test_silent_hook_cuts_recursion():
    fn = func("def f(n, _depth=0):\n    return f(n - 1, _depth + 1)\n")
    facts = dataflow.facts(fn)
    loud = dataflow.Taint(facts, {"_depth": False})
    quiet = dataflow.Taint(facts, {"_depth": False}, silent=lambda c: isinstance(c.func, cst.Name) and c.func.value == "f")
    assert loud.result_carrier() is not None
    assert quiet.result_carrier() is None


def test_calls_receiving():
    fn = func("def f(path):\n    p = Path(path)\n    a = p.read_text()\n    b = other(1)\n    return a\n")
    facts = dataflow.facts(fn)
    taint = dataflow.Taint(facts, {"path": True})
    names = [cst.Module(body=[]).code_for_node(c.func) for c in taint.calls_receiving()]
    assert names == ["Path", "p.read_text"]
    assert taint.is_derived("p") and taint.is_derived("a") and not taint.is_derived("b")


def test_fixpoint_is_order_independent():
    source = "def f(_p):\n    for _ in range(2):\n        b = a\n        a = _p\n    return b\n"
    assert reaches(source, "_p")


# -- free_reads --------------------------------------------------------------------------------
def test_free_reads_finds_globals_not_locals():
    fn = func(
        """
        def f(a, b=LIMIT):
            x = a + THRESHOLD
            y = [i * SCALE for i in range(a)]
            def inner():
                return HIDDEN
            global COUNTER
            COUNTER = 1
            return len(x) + y + x + COUNTER
        """
    )
    reads = [n.value for n in dataflow.free_reads(fn)]
    assert reads == ["THRESHOLD", "SCALE", "range", "len", "COUNTER"]


def test_free_reads_on_one_line_body():
    fn = func("def f(a): return a + G\n")
    assert [n.value for n in dataflow.free_reads(fn)] == ["G"]


def test_is_reporting_call():
    def call(text):
        return cst.parse_expression(text)

    assert dataflow.is_reporting_call(call("print(x)"))
    assert dataflow.is_reporting_call(call("logger.info(x)"))
    assert dataflow.is_reporting_call(call("self.log.debug(x)"))
    assert dataflow.is_reporting_call(call("warnings.warn(x)"))
    assert dataflow.is_reporting_call(call("sys.stderr.write(x)"))
    assert not dataflow.is_reporting_call(call("math.log(x)"))
    assert not dataflow.is_reporting_call(call("np.log(x)"))
    assert not dataflow.is_reporting_call(call("compute(x)"))

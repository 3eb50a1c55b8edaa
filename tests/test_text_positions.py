"""Comment and docstring positions from the tokenizer equal libcst's, or are not given."""
from __future__ import annotations

import ast
import textwrap

import libcst as cst
import pytest

from cachelint.analysis import docstring_node
from cachelint.positions import Positions, _definitions
from cachelint.walk import comments


def both(source: str, name: str):
    """(quick positions or None, libcst's (line, column) of every comment and the docstring) of ``name``."""
    source = textwrap.dedent(source)
    module = cst.parse_module(source)
    positions = Positions(module, ast.parse(source), None, source)
    for top in module.body:
        for function in _definitions(top):
            if isinstance(function, cst.FunctionDef) and function.name.value == name:
                nodes = list(comments(function))
                docstring = docstring_node(function)
                if docstring is not None:
                    nodes.append(docstring)
                exact = {id(n): positions.of(n, top)[:2] for n in nodes}
                return positions.text_positions(function, top), exact, len(nodes)
    raise AssertionError(f"no function {name}")


CASES = {
    "plain": '''
        import functools

        # the key is the path only
        @functools.cache  # decorator comment
        def f(path, job_id):  # header comment
            """Render. The job ID is not part of the key."""
            x = 1  # trailing
            # own line
            return x
        ''',
    "method": '''
        class A:
            # above
            @functools.cache
            def f(self, x):
                \'\'\'doc\'\'\'
                if x:
                    return 1
                    # footer of the if
                # footer of the function
            # next member's comment
            def g(self):
                pass
        ''',
    "tabs and unicode": '''
        def f(x):
        \t"""Ünïcode docstring."""
        \ts = "é"  # après
        \treturn s
        ''',
    "unicode": '''
        def f(x):
            """Ünïcode docstring."""
            s = "éé"  # après
            return s
        ''',
    "comment text inside a string": '''
        def f(x):
            """
            # not a comment
            """
            # not a comment
            return x
        ''',
    "hash in strings": '''
        def f(x):
            y = "# no" + '#' + f"{x}#"  # yes
            return y
        ''',
    "concatenated docstring": '''
        def f(x):
            "first " "second"
            return x
        ''',
    "parenthesised docstring": '''
        def f(x):
            ("doc")
            return x
        ''',
    "continuation": '''
        def f(x,  # in the parameters
              y):
            return (x +  # in brackets
                    y)
        ''',
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_quick_positions_equal_libcst_positions_or_are_refused(name):
    quick, exact, count = both(CASES[name], "f")
    assert count > 0
    if quick is not None:
        assert quick == exact


@pytest.mark.parametrize("name, count", [("plain", 6), ("method", 4), ("unicode", 2), ("hash in strings", 1)])
def test_usual_functions_get_quick_positions(name, count):
    quick, exact, found = both(CASES[name], "f")
    assert quick is not None and quick == exact and found == count


def test_comment_text_inside_a_string_is_no_comment():
    quick, exact, count = both(CASES["comment text inside a string"], "f")
    assert quick is not None and quick == exact and count == 2


def test_a_comment_text_twice_is_refused():
    quick, _, _ = both("def f(x):\n    # same\n    y = x\n    # same\n    return y\n", "f")
    assert quick is None


def test_tabs_before_a_comment_are_refused():
    quick, _, _ = both(CASES["tabs and unicode"], "f")
    assert quick is None


def test_a_parenthesised_docstring_is_refused():
    quick, _, _ = both(CASES["parenthesised docstring"], "f")
    assert quick is None

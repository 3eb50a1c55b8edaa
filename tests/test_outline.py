"""Class outlines: a kept class's members found from its text give the same reduction as a full parse."""
from __future__ import annotations

import ast

import pytest

from cachelint.config import Settings
from cachelint.engine import Linter
from cachelint.outline import class_outline
from cachelint.reduce import reduce_source
from cachelint.segment import top_level_spans

METHODS = "".join(f"    def method_{i}(self, x):\n        return x + {i}\n\n" for i in range(20))

CLASSES = {
    "cached method among many": "import functools\n\n\nclass Box:\n    '''Doc.'''\n\n" + METHODS
    + "    @functools.lru_cache\n    def size(self, request_id):\n        return self.method_3(1)\n",
    "decorated class, comments, async and dunders": "from functools import cache\n\n\n@register\nclass Box(Base):  # note\n"
    "    # leading comment\n    x: int = 1\n\n    def __init__(self):\n        self.y = 2\n\n"
    "    async def fetch(self):\n        pass\n\n    # about size\n    @cache\n    def size(self, n):\n        return n\n"
    "    # trailing comment\n\n\ny = Box().size(3)\n",
    "nested class and if block": "from functools import lru_cache\n\n\nclass Outer:\n    class Inner:\n"
    "        @lru_cache\n        def f(self, a):\n            return a\n\n        def g(self):\n            return 1\n\n"
    "    if True:\n        @lru_cache\n        def h(self, b):\n            return b\n\n" + METHODS,
    "no member kept": "from functools import cache\n\n\nclass Plain:\n    '''Nothing cached.'''\n\n" + METHODS
    + "\n\n@cache\ndef top(n):\n    return Plain().method_1(n)\n",
    "member calls a cached function": "from functools import cache\n\n\n@cache\ndef rate(n):\n    return n\n\n\n"
    "class User:\n" + METHODS + "    def total(self):\n        return rate(2)\n",
    "tabs and strings at column 0": "from functools import cache\n\n\nclass T:\n\tdef a(self):\n\t\treturn '''\nclass X:\n'''\n\n"
    "\t@cache\n\tdef b(self, k):\n\t\treturn k\n",
}


def _both(text):
    segmented = reduce_source(text, spans=top_level_spans(text))
    whole = reduce_source(text, tree=ast.parse(text))
    return (segmented.text, segmented.line_map), (whole.text, whole.line_map)


@pytest.mark.parametrize("name", sorted(CLASSES))
def test_outlined_classes_reduce_as_the_whole_parse_does(name):
    segmented, whole = _both(CLASSES[name])
    assert segmented == whole


def test_only_members_with_a_decorator_reach_the_parser():
    text = CLASSES["cached method among many"]
    lines = text.split("\n")
    spans = top_level_spans(text)
    at = [n for n, line in enumerate(lines, 1) if line.lstrip().startswith("@")]
    outline = class_outline(lines, spans[-1], at)
    assert outline is not None
    assert "def size" in outline.text and "method_3(self" not in outline.text
    assert outline.text.count("\n") == spans[-1][1] - spans[-1][0]  # every line stays at its place
    assert [stub.name for stub in outline.stubs if isinstance(stub, ast.FunctionDef)] == [f"method_{i}" for i in range(20)]


@pytest.mark.parametrize("text", [
    "class A(\n    Base):\n    x = 1\n",  # a header over two lines
    "class A: x = 1\n",  # the body on the header line
    "@decorate(\n    1)\nclass A:\n    x = 1\n",  # a decorator over two lines
])
def test_unusual_classes_are_left_to_the_whole_parse(text):
    lines = text.split("\n")
    assert class_outline(lines, top_level_spans(text)[0], []) is None


def test_a_syntax_error_in_an_unread_member_is_not_reported_but_one_in_the_cached_method_is():
    linter = Linter(Settings(select=("ALL",)))
    source = CLASSES["cached method among many"]
    unread = source.replace("return x + 7", "return x +")
    codes = [d.code for d in linter.lint_source(unread, "m.py")]
    assert "CL001" not in codes and "CL503" in codes
    broken = source.replace("return self.method_3(1)", "return self.method_3(1")
    assert [d.code for d in linter.lint_source(broken, "m.py")] == ["CL001"]

"""The statement segmenter agrees with ``ast`` on where top-level statements start and end."""
from __future__ import annotations

import ast
import sysconfig
from pathlib import Path

import pytest

from cachelint.reduce import spans_of
from cachelint.segment import top_level_spans

TRICKY = {
    "decorators and clauses": "@a\n@b(\n  1)\ndef f():\n    pass\nif x:\n    y = 1\nelif z:\n    pass\nelse:\n    pass\n"
                              "try:\n    pass\nexcept E:\n    pass\nfinally:\n    pass\n",
    "code inside strings": 's = """\n@lru_cache\ndef f(job_id):\n    pass\n"""\nx = 1\n',
    "comment-like string lines": 'header = b"""# one\n# two"""\n\nfooter = 2\n',
    "continuation": "x = 1 + \\\n2\ny = 3\n",
    "open brackets": "x = [\n1,\n2,\n]\ncall(\na,\n)\n",
    "escaped quotes": "s = 'it\\'s'\nt = \"a\\\"b\"\nu = r'\\\\'\nv = 1\n",
    "semicolons": "import os; import sys\nx = 1\n",
    "comments between": "x = 1\n# a comment\n\n# another\ny = 2\n# trailing\n",
    "f-strings": "x = f\"{a['k']}\"\ny = f'{b!r:>{w}}'\nz = 1\n",
    "async": "async def f():\n    pass\nasync def g():\n    await f()\n",
    "class with string members": 'class A:\n    """doc\nclass B:\n"""\n    x = 1\n\n\nclass C:\n    pass\n',
    "no final newline": "x = 1\ny = 2",
    "body at the end without final newline": "def f():\n    return 1",
    "comment-like closing line of a string": 'x = """\n#abc"""\n\n# c\ny = 1\n',
    "string continued onto a comment-like line": "x = 'abc\\\n#def'\n# c\ny = 1\n",
    "indented comments ending a body": "class A:\n    x = 1\n    # end\n\n# next\ny = 2\n",
    "bracket pair left open on a long line": "f(a,\n" + "b" * 5000 + ")\nx = [\n" + "(1, '2') " * 500 + "]\ny = 1\n",
    "empty": "",
}


@pytest.mark.parametrize("name", sorted(TRICKY))
def test_spans_agree_with_ast_on_tricky_code(name):
    text = TRICKY[name]
    assert top_level_spans(text) == spans_of(ast.parse(text))[0]


@pytest.mark.parametrize("text", ["x = '''unterminated\n", "x = (1,\n", "x = 1)\n", "x = 'a\n", "a = 1\r\nb = 2\r\n"])
def test_text_it_cannot_follow_gives_none(text):
    assert top_level_spans(text) is None


def test_spans_agree_with_ast_on_a_standard_library_sample():
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    sample = sorted(stdlib.glob("*.py"))[::3]
    assert len(sample) > 40
    for path in sample:
        text = path.read_text(encoding="utf-8")
        assert top_level_spans(text) == spans_of(ast.parse(text))[0], path

"""Statement reduction: what is kept, and that diagnostics come back at the file's lines."""
from __future__ import annotations

from cachelint.config import Settings
from cachelint.engine import Linter
from cachelint.reduce import reduce_module

ALL = Settings(select=("ALL",))

FILLER = "".join(f"def helper_{i}(x):\n    return x + {i}\n\n\n" for i in range(40))

SOURCE = (
    '"""A module with one cached function among many others."""\n'
    "try:\n"
    "    from functools import cache\n"
    "except ImportError:\n"
    "    from functools import lru_cache as cache\n"
    "import os\n\n\n"
    + FILLER
    + "# the job_id is not part of the key\n"
    "@cache\n"
    "def render(job_id, scene):\n"
    "    return scene + os.environ.get('MODE', '')\n\n\n"
    + FILLER.replace("helper_", "other_")
    + "class Box:\n"
    + "".join(f"    def method_{i}(self):\n        return {i}\n\n" for i in range(30))
    + "    @cache\n    def size(self, request_id):\n        return 1\n"
)


def diagnostics(linter):
    return [(d.code, d.line, d.column, d.end_line, d.end_column, d.message) for d in linter.lint_source(SOURCE, "m.py")]


def test_reduction_drops_unrelated_statements_and_members_but_keeps_module_level_imports():
    reduced = reduce_module(SOURCE)
    assert reduced.line_map is not None
    assert len(reduced.line_map) < SOURCE.count("\n") / 3
    assert "from functools import lru_cache as cache" in reduced.text  # a try block imports for the module
    assert "helper_3" not in reduced.text and "method_3" not in reduced.text
    assert "# the job_id is not part of the key" in reduced.text  # the leading comment goes with its statement
    for line, text in zip(reduced.line_map, reduced.text.splitlines()):
        assert SOURCE.splitlines()[line - 1] == text


def test_diagnostics_are_identical_with_and_without_reduction_and_at_the_files_lines():
    reduced, whole = diagnostics(Linter(ALL)), diagnostics(Linter(ALL, reduce=False))
    assert reduced == whole
    lines = SOURCE.splitlines()
    render, size = lines.index("def render(job_id, scene):") + 1, lines.index("    def size(self, request_id):") + 1
    assert [(code, line) for code, line, *_ in reduced] == [
        ("CL301", render - 2),  # the comment's claim
        ("CL101", render), ("CL107", render),  # the job id, keyed and unread
        ("CL202", render + 1),  # the environment read
        ("CL503", size - 1), ("CL101", size), ("CL107", size),  # the method cache, its request id
    ]


def test_a_syntax_error_in_a_statement_no_rule_reads_is_not_reported_but_one_in_a_kept_statement_is():
    broken_elsewhere = SOURCE.replace("def helper_7(x):\n    return x + 7", "def helper_7(x):\n    return x +")
    codes = [d.code for d in Linter(ALL).lint_source(broken_elsewhere, "m.py")]
    assert "CL001" not in codes and "CL101" in codes
    broken_here = SOURCE.replace("return scene + os.environ", "return scene + + * os.environ")
    assert [d.code for d in Linter(ALL).lint_source(broken_here, "m.py")] == ["CL001"]


def test_members_named_after_memory_are_not_kept_for_their_name_but_memoizing_ones_are():
    source = ("from functools import cache\n\n\nclass Suite:\n"
              "    def test_shared_memory_basics(self):\n        return 1\n\n"
              "    def memoize_all(self):\n        return 2\n\n"
              "    @cache\n    def size(self, n):\n        return n\n")
    reduced = reduce_module(source)
    assert "test_shared_memory_basics" not in reduced.text
    assert "def memoize_all" in reduced.text and "def size" in reduced.text


def test_module_level_simple_statements_are_kept_only_when_read_or_about_caching():
    source = ('"""Module docstring."""\nimport functools\n\n'
              "UNUSED_TABLE = {'a': 1}\n"
              "BASE = 10\nLIMIT = BASE + 1\n"  # read through LIMIT: both stay
              "TTL = 60\n"
              "store = functools.lru_cache(maxsize=None)(len)\n"  # a cache by call
              "print('loaded')\n\n\n"
              "@functools.lru_cache(maxsize=TTL)\n"
              "def size(n):\n    return n + LIMIT\n")
    reduced = reduce_module(source)
    assert "UNUSED_TABLE" not in reduced.text and "print('loaded')" not in reduced.text
    for kept in ('"""Module docstring."""', "BASE = 10", "LIMIT = BASE + 1", "TTL = 60", "store = functools"):
        assert kept in reduced.text
    linter = Linter(ALL)
    assert [(d.code, d.line) for d in linter.lint_source(source, "m.py")] == \
        [(d.code, d.line) for d in Linter(ALL, reduce=False).lint_source(source, "m.py")]


def test_the_words_a_statement_uses_leave_out_comments_plain_strings_attributes_and_calls():
    from cachelint.reduce import _code_words, _mentioned_words

    words = _code_words('x = self.limit + f"{Z:#x}" + LIMIT + "A B"  # C D\n')
    assert {"x", "self", "Z", "LIMIT"} <= set(words)  # an f-string's names count, even after a '#' spec
    assert not {"limit", "A", "B", "C", "D"} & set(words)
    assert _mentioned_words('Y = X = TypeVar("T")  # W\n') == {"X", "Y"}
    assert _mentioned_words("print(end=''); X = 0\n") == {"end", "X"}


def test_a_file_whose_reduction_keeps_no_function_or_class_is_not_parsed_by_libcst():
    """Imports and module code alone hold no cache site and no decorator to read."""
    source = ('"""Wrap the loaders in\n@lru_cache\n"""\nfrom functools import lru_cache\nimport os\n'
              "CACHE_DIR = os.environ.get('CACHE_DIR')\n\n\nmain = print\n")
    linter = Linter(ALL)
    assert linter.screen_data(source.encode(), "m.py") is None  # the decorator line in the docstring passes the screen
    assert linter.lint_source(source, "m.py") == [] and linter.parsed == 0
    assert Linter(ALL, reduce=False).lint_source(source, "m.py") == []
    linter.lint_source(source + "@lru_cache\ndef f(job_id):\n    return job_id\n", "m.py")
    assert linter.parsed == 1

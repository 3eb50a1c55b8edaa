"""Reduced and whole-file diagnostics agree where module-level code rebinds or builds what a
cached function reads (cases from a review: chained and `;`-joined assignments, blocks,
long assignments, declarations that do not start their line)."""
from __future__ import annotations

import pytest

from cachelint.config import Settings
from cachelint.engine import Linter

ALL = Settings(select=("ALL",))
HEAD = "import functools\nX = 0\n@functools.cache\ndef f(a):\n    return a + X\n"

CASES = {
    'chained_first': 'import functools\n' 'Y = X = 0\n' '@functools.cache\n' 'def f(a):\n'
        '    return a + X\n' 'X = 1\n',
    'chained_later': HEAD + 'Y = X = 1\n',
    'semicolon_later': HEAD + 'Y = 1; X = 2\n',
    'main_block': HEAD + 'if __name__ == "__main__":\n' '    X = 5\n',
    'for_block': HEAD + 'for i in range(2):\n' '    X += i\n',
    'try_block': HEAD + 'try:\n' '    X = 5\n' 'except Exception:\n' '    pass\n',
    'with_block': HEAD + 'with open("x"):\n' '    X = 5\n',
    'while_block': HEAD + 'while False:\n' '    X = 5\n',
    'deco_obj_in_if': 'import joblib, os\n' 'if os.environ.get("X"):\n' '    m = joblib.Memory("d")\n'
        'else:\n' '    m = joblib.Memory("e")\n' '@m.cache\n' 'def f(job_id, y):\n' '    return y\n',
    'deco_obj_in_try': 'try:\n' '    import joblib\n' '    m = joblib.Memory("d")\n' 'except ImportError:\n'
        '    m = None\n' '@m.cache\n' 'def f(job_id, y):\n' '    return y\n',
    'long_later': HEAD + 'X = [\n' '    0,\n' '    1,\n' '    2,\n' '    3,\n' '    4,\n' '    5,\n' '    6,\n'
        '    7,\n' '    8,\n' '    9,\n' '    10,\n' '    11,\n' '    12,\n' '    13,\n' '    14,\n'
        '    15,\n' '    16,\n' '    17,\n' '    18,\n' '    19,\n' '    20,\n' '    21,\n' '    22,\n'
        '    23,\n' '    24,\n' '    25,\n' '    26,\n' '    27,\n' '    28,\n' '    29,\n' '    30,\n'
        '    31,\n' '    32,\n' '    33,\n' '    34,\n' '    35,\n' '    36,\n' '    37,\n' '    38,\n'
        '    39,\n' '    40,\n' '    41,\n' '    42,\n' '    43,\n' '    44,\n' '    45,\n' '    46,\n'
        '    47,\n' '    48,\n' '    49,\n' '    50,\n' '    51,\n' '    52,\n' '    53,\n' '    54,\n'
        '    55,\n' '    56,\n' '    57,\n' '    58,\n' '    59,\n' ']\n',
    'global_after_code_same_line': HEAD + 'def setx():\n' '    print(); global X\n' '    X = 1\n',
    'global_backslash': HEAD + 'def setx():\n' '    global Y, \\\n' '        X\n' '    X = 1\n',
    'ignore_const_chained_eq': 'from joblib import Memory\n' 'memory = Memory("d")\n'
        'OTHER = IGN = ["jobid"]\n' '@memory.cache(ignore=IGN)\n' 'def f(job_id, x, verbose=0):\n'
        '    return x\n',
    'callsite_semicolon': 'import functools, uuid\n' '@functools.cache\n' 'def f(x):\n' '    return x\n'
        'a = 1; f(uuid.uuid4())\n',
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_reduction_keeps_what_the_rules_read(name):
    def found(linter):
        return [(d.code, d.line, d.column, d.message) for d in linter.lint_source(CASES[name], "m.py")]

    whole = found(Linter(ALL, reduce=False))
    assert whole  # each case has something to report
    assert found(Linter(ALL)) == whole


def test_a_global_with_a_non_ascii_name_is_kept_when_rebound():
    source = HEAD.replace("X", "éclair") + "éclair = 1\n"
    whole = [(d.code, d.line) for d in Linter(ALL, reduce=False).lint_source(source, "m.py")]
    assert whole == [("CL202", 5)]
    assert [(d.code, d.line) for d in Linter(ALL).lint_source(source, "m.py")] == whole

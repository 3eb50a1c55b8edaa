"""Lines are numbered as Python numbers them: form feeds and U+2028 are not line ends."""
from __future__ import annotations

import pytest

from cachelint.engine import Linter
from cachelint.files import source_lines

CACHED = "import functools\n\n\n@functools.lru_cache\ndef h(trace_id, y):{noqa}\n    return y\n"


@pytest.mark.parametrize("above", ["# a form\x0cfeed\n", "# a line\u2028separator\n", "x = 'v\x0bt'\n"])
def test_noqa_and_the_shown_source_line_survive_odd_characters_above(run_cli, tmp_path, above):
    (tmp_path / "m.py").write_text(above + CACHED.format(noqa="  # noqa: CL101"), encoding="utf-8")
    result = run_cli("--no-cache", "m.py", cwd=tmp_path)
    assert "m.py:6:7: CL101" not in result.output  # the noqa on the def line applies to the def line
    assert "m.py:6:7: CL107" in result.output and "6 | def h(trace_id, y):  # noqa: CL101" in result.output


def test_a_decorator_after_a_form_feed_is_seen():
    source = "import functools\n\x0c@functools.lru_cache\ndef h(trace_id, y):\n    return y\n"
    assert [(d.code, d.line) for d in Linter().lint_source(source, "m.py")] == [("CL101", 3), ("CL107", 3)]


def test_source_lines_splits_at_python_line_ends_only():
    assert source_lines("a\x0cb\u2028c\r\nd\re\n") == ["a\x0cb\u2028c", "d", "e"]
    assert source_lines("") == [] and source_lines("x") == ["x"] and source_lines("x\n\n") == ["x", ""]

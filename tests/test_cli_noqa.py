"""Suppression comments: ``# noqa``, ``# cachelint: noqa``, ``--ignore-noqa`` and CL000 unused-noqa."""
from __future__ import annotations

import json
from pathlib import Path

from cachelint import lint_source
from cachelint.config import Settings
from cachelint.noqa import NoqaFilter, codes_on_line, suppressed

HEADER = "import functools\n\n\n@functools.lru_cache\n"
BAD = HEADER + "def load(job_id, region):{comment}\n    return region\n"
WITH_CL000 = Settings(extend_select=("CL000",))


def codes(source: str, settings: Settings = Settings()):
    return [(d.line, d.code) for d in lint_source(source, "mod.py", settings)]


def test_directive_parsing():
    assert codes_on_line("x = 1") is None
    assert codes_on_line("x = 1  # noqa") == ()
    assert codes_on_line("x = 1  # NOQA:cl101,CL3") == ("CL101", "CL3")
    assert codes_on_line("x = 1  # noqa: CL101 CL102") == ("CL101", "CL102")
    assert suppressed(["a  # noqa: CL1"], 1, "CL101") and not suppressed(["a  # noqa: CL1"], 1, "CL501")
    assert not suppressed(["a"], 2, "CL101")


def test_line_directives():
    assert codes(BAD.format(comment="")) == [(5, "CL101"), (5, "CL107")]
    assert codes(BAD.format(comment="  # noqa: CL101")) == [(5, "CL107")]
    assert codes(BAD.format(comment="  # noqa: CL1")) == []
    assert codes(BAD.format(comment="  # noqa")) == []
    assert codes(BAD.format(comment="  # noqa: E501")) == [(5, "CL101"), (5, "CL107")]
    assert codes("# cachelint: noqa\n" + BAD.format(comment="")) == []


def test_ignore_noqa_reports_everything():
    ignoring = Settings(ignore_noqa=True)
    assert codes(BAD.format(comment="  # noqa"), ignoring) == [(5, "CL101"), (5, "CL107")]
    assert codes("# cachelint: noqa\n" + BAD.format(comment=""), ignoring) == [(6, "CL101"), (6, "CL107")]
    # and nothing is "unused" when directives are ignored altogether
    both = Settings(ignore_noqa=True, extend_select=("CL000",))
    assert "CL000" not in [c for _, c in codes(BAD.format(comment="  # noqa: CL501"), both)]


def test_unused_noqa_is_off_by_default():
    assert codes(BAD.format(comment="  # noqa: CL101, CL501")) == [(5, "CL107")]


def test_unused_noqa_reports_codes_nothing_needed():
    found = lint_source(BAD.format(comment="  # noqa: CL101, CL501"), "mod.py", WITH_CL000)
    assert [(d.line, d.code) for d in found] == [(5, "CL107"), (5, "CL000")]  # sorted by column
    unused = found[1]
    assert unused.name == "unused-noqa" and unused.severity == "warning"
    assert "CL501" in unused.message and "CL101" not in unused.message
    line = BAD.format(comment="  # noqa: CL101, CL501").splitlines()[4]
    assert line[unused.column - 1:unused.end_column - 1] == "# noqa: CL101, CL501"


def test_unused_noqa_edge_cases():
    # fully used, bare, foreign codes, prefixes
    assert codes(BAD.format(comment="  # noqa: CL101,CL107"), WITH_CL000) == []
    assert codes(BAD.format(comment="  # noqa"), WITH_CL000) == []
    assert codes(BAD.format(comment="  # noqa: E501"), WITH_CL000) == [(5, "CL101"), (5, "CL107")]
    assert codes(BAD.format(comment="  # noqa: CL1"), WITH_CL000) == []
    # a directive in a file without any cache decorator is unused too
    assert codes("x = 1  # noqa: CL101\n", WITH_CL000) == [(1, "CL000")]
    # text that only looks like a directive, inside a string, is not a comment
    assert codes('x = "# noqa: CL101"\n', WITH_CL000) == []
    # listing CL000 in the directive silences it; so does ignoring CL000
    assert codes("x = 1  # noqa: CL101, CL000\n", WITH_CL000) == []
    assert codes("x = 1  # noqa: CL101\n", Settings(extend_select=("CL000",), ignore=("CL000",))) == []
    # a file that does not parse says nothing about its directives
    assert [c for _, c in codes("import functools\n@functools.cache\ndef f(:  # noqa: CL101\n", WITH_CL000)] == ["CL001"]


def test_unused_noqa_respects_per_file_ignores(tmp_path):
    settings = Settings(extend_select=("CL000",), per_file_ignores=(("legacy/*", ("CL000",)),), root=str(tmp_path))
    assert codes_at(tmp_path / "legacy" / "a.py", settings) == []
    assert codes_at(tmp_path / "new" / "a.py", settings) == [(1, "CL000")]


def codes_at(path: Path, settings: Settings):
    return [(d.line, d.code) for d in lint_source("x = 1  # noqa: CL101\n", str(path), settings)]


def test_filter_is_a_no_op_without_noqa():
    diagnostics = lint_source(BAD.format(comment=""), "mod.py")
    assert NoqaFilter(Settings()).apply(diagnostics, "no directives here", "mod.py") == diagnostics


def test_cli_extend_select_cl000(run_cli, tmp_path):
    (tmp_path / "a.py").write_text(BAD.format(comment="  # noqa: CL101, CL102"), encoding="utf-8")
    (tmp_path / "b.py").write_text("VALUE = 1  # noqa: CL5\n", encoding="utf-8")
    plain = run_cli("--format", "json", ".", cwd=tmp_path)
    assert [i["code"] for i in json.loads(plain.output)] == ["CL107"]
    result = run_cli("--format", "json", "--extend-select", "CL000", ".", cwd=tmp_path)
    items = json.loads(result.output)
    assert [(i["path"], i["line"], i["code"]) for i in items] == [("a.py", 5, "CL107"), ("a.py", 5, "CL000"), ("b.py", 1, "CL000")]
    assert "CL102" in items[1]["message"] and "CL5" in items[2]["message"]
    assert run_cli("--extend-select", "CL000", "--ignore-noqa", "--format", "json", "b.py", cwd=tmp_path).output.strip() == "[]"
    assert run_cli("--select", "CL000", "b.py", cwd=tmp_path).exit_code == 1

"""Every fixture file reports exactly the (line, code) pairs its ``# expect:`` markers name.

The codes compared for a fixture are its own rule (the file name) plus every code that
appears in one of its markers, so a fixture may also pin other rules' findings.
"""
from __future__ import annotations

import pytest

from cachelint import lint_source
from cachelint.config import Settings
from conftest import FIXTURES, expected_markers

FIXTURE_FILES = sorted(FIXTURES.glob("CL*.py"))
ALL = Settings(select=("ALL",))


def test_there_is_a_fixture_per_site_rule():
    from cachelint.rules import SITE_RULES

    names = {p.stem for p in FIXTURE_FILES}
    missing = [r.code for r in SITE_RULES if r.code not in names]
    assert not missing, f"rules without a fixture file: {missing}"


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: p.stem)
def test_fixture(path):
    text = path.read_text(encoding="utf-8")
    expected = expected_markers(text)
    codes = {path.stem} | {code for _, code in expected}
    actual = {(d.line, d.code) for d in lint_source(text, str(path), ALL) if d.code in codes}
    assert expected, "a fixture must expect at least one diagnostic"
    missing = sorted(expected - actual)
    unexpected = sorted(actual - expected)
    assert not missing and not unexpected, f"missing {missing}, unexpected {unexpected}"


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: p.stem)
def test_fixture_default_rules_do_not_crash(path):
    """The default rule set runs over every fixture and returns well-formed diagnostics."""
    for d in lint_source(path.read_text(encoding="utf-8"), str(path)):
        assert d.line >= 1 and d.column >= 1 and d.end_line >= d.line
        assert d.severity in ("error", "warning") and d.message

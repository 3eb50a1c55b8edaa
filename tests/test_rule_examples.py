"""Each rule's embedded examples: ``invalid`` snippets report the rule, ``valid`` ones do not."""
from __future__ import annotations

import pytest

from cachelint import lint_source
from cachelint.config import Settings
from cachelint.rules import SITE_RULES

CASES = [(r, "valid", s) for r in SITE_RULES for s in r.valid] + [(r, "invalid", s) for r in SITE_RULES for s in r.invalid]


def test_every_rule_has_examples():
    lacking = [r.code for r in SITE_RULES if not r.invalid or not r.valid]
    assert not lacking, f"rules without valid/invalid examples: {lacking}"


@pytest.mark.parametrize("rule,kind,source", CASES, ids=[f"{r.code}-{k}-{i}" for i, (r, k, _) in enumerate(CASES)])
def test_example(rule, kind, source):
    codes = [d.code for d in lint_source(source, "example.py", Settings(select=(rule.code,)))]
    if kind == "invalid":
        assert rule.code in codes
    else:
        assert rule.code not in codes


def test_catalog_matches_the_rule_classes():
    """cachelint.catalog (read without importing libcst) lists exactly the rule classes."""
    from cachelint.catalog import RULES
    from cachelint.rules import ALL_RULES

    assert [(r.code, r.name, r.severity_label(), r.default_on) for r in ALL_RULES] == [tuple(r) for r in RULES]

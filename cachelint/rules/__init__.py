"""The rule registry: every rule class, by code, in code order."""
from __future__ import annotations

from typing import Dict, List, Type

from . import call_sites, claim_rules, decorator_body, exclusions, file_errors, forms, key_params, misuse, noqa_rule, stale, unused
from .base import FileContext, Report, Rule

ALL_RULES: List[Type[Rule]] = sorted(
    (
        *file_errors.RULES,
        *key_params.RULES,
        *unused.RULES,
        *claim_rules.RULES,
        *exclusions.RULES,
        *misuse.RULES,
        *forms.RULES,
        *call_sites.RULES,
        *noqa_rule.RULES,
        *decorator_body.RULES,
        *stale.RULES,
    ),
    key=lambda r: r.code,
)
BY_CODE: Dict[str, Type[Rule]] = {r.code: r for r in ALL_RULES}

#: Rules the engine runs over cache sites (file-level rules and CL000 are emitted by the engine).
SITE_RULES = [r for r in ALL_RULES if r.code not in ("CL000", "CL001", "CL002")]

__all__ = ["ALL_RULES", "BY_CODE", "SITE_RULES", "FileContext", "Report", "Rule"]

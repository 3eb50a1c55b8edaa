"""Every rule's code, name, severity and default, without importing the rules themselves.

The rule classes (``cachelint.rules``) import libcst; the command line needs the list of
codes to validate ``--select`` and configuration, and the engine needs names and defaults
for file-level diagnostics, before any file is parsed. Keeping this table here lets a run
over files without cache decorators finish without importing libcst at all. A test keeps
it identical to the rule classes.
"""
from __future__ import annotations

from typing import Dict, NamedTuple, Tuple


class RuleInfo(NamedTuple):
    """One rule's identity: ``code`` (``"CL101"``), ``name``, ``severity`` and ``default_on``."""

    code: str
    name: str
    severity: str
    default_on: bool


RULES: Tuple[RuleInfo, ...] = tuple(
    RuleInfo(*row)
    for row in (
        ("CL000", "unused-noqa", "warning", False),
        ("CL001", "syntax-error", "error", True),
        ("CL002", "unreadable-file", "error", True),
        ("CL101", "per-call-id-in-key", "warning", True),
        ("CL102", "timestamp-in-key", "warning", True),
        ("CL103", "output-path-in-key", "warning", True),
        ("CL104", "context-object-in-key", "warning", True),
        ("CL105", "bytes-in-key", "warning", True),
        ("CL106", "volatile-argument", "warning", True),
        ("CL107", "unused-keyed-parameter", "warning", True),
        ("CL201", "path-keyed-not-content", "warning", True),
        ("CL202", "unkeyed-ambient-input", "warning", True),
        ("CL203", "excluded-parameter-shapes-result", "error", True),
        ("CL301", "claim-excluded-but-keyed", "error", True),
        ("CL302", "claim-keyed-but-excluded", "error", True),
        ("CL303", "claim-shared-but-per-call", "error", True),
        ("CL304", "exclusion-names-unknown-parameter", "error", True),
        ("CL305", "exclusion-misses-call-shape", "error", True),
        ("CL401", "lossy-serializer", "error", True),
        ("CL402", "mutable-cached-value", "warning", False),
        ("CL501", "cached-coroutine", "error", True),
        ("CL502", "cached-generator", "error", True),
        ("CL503", "cached-instance-method", "warning", True),
        ("CL504", "unhashable-keyed-parameter", "error", True),
        ("CL505", "decorator-misuse", "error", True),
        ("CL506", "cache-created-per-call", "warning", True),
        ("CL507", "cached-property-misuse", "error", True),
        ("CL601", "process-unstable-key", "error", True),
        ("CL602", "call-shape-key", "warning", True),
        ("CL603", "non-atomic-cache-write", "warning", True),
        ("CL701", "lru-cache-maxsize-none", "warning", False),
        ("CL702", "lru-cache-empty-call", "warning", False),
    )
)

#: Rule information by code.
BY_CODE: Dict[str, RuleInfo] = {r.code: r for r in RULES}

#: Every rule code, in order.
CODES: Tuple[str, ...] = tuple(r.code for r in RULES)

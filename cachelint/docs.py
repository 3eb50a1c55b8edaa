"""``docs/rules.md`` and ``--explain``, generated from the rule classes' docstrings.

``python -m cachelint.docs > docs/rules.md`` regenerates the file; a test fails when the
committed file differs from :func:`render_rules`.
"""
from __future__ import annotations

import inspect
from typing import Optional

HEADER = """# cachelint rules

Generated from the rule classes by `python -m cachelint.docs > docs/rules.md`; do not edit
by hand. Severity: **error** means the cache is broken or will raise, **warning** means it
is very likely wrong. Rules marked *off by default* run only when selected
(`--extend-select CODE`).

"""


def anchor(code: str, name: str) -> str:
    """The Markdown anchor of a rule's section (``cl101-per-call-id-in-key``)."""
    return f"{code.lower()}-{name}"


def section(rule) -> str:
    """The Markdown section of one rule class."""
    default = "on by default" if rule.default_on else "off by default"
    body = inspect.cleandoc(rule.__doc__ or "")
    return f"## {rule.code} {rule.name}\n\n*{rule.severity_label()}, {default}.* {rule.summary[0].upper() + rule.summary[1:]}.\n\n{body}\n"


def render_rules() -> str:
    """The whole of ``docs/rules.md``."""
    from .rules import ALL_RULES

    index = "\n".join(f"- [{r.code} {r.name}](#{anchor(r.code, r.name)}): {r.summary}" for r in ALL_RULES)
    return HEADER + index + "\n\n" + "\n".join(section(r) for r in ALL_RULES)


def explain(code: str) -> Optional[str]:
    """The documentation of rule ``code`` (case-insensitive), or None when unknown."""
    from .rules import BY_CODE

    rule = BY_CODE.get(code.strip().upper())
    return section(rule) if rule else None


if __name__ == "__main__":  # pragma: no cover
    import sys

    sys.stdout.write(render_rules())

"""``--format concise``: one line per diagnostic, ``path:line:col: CODE message``.

The line shape is what editors' problem matchers and ``errorformat`` expect
(``%f:%l:%c: %m``). Unless ``quiet``, a summary line follows when anything was found.
"""
from __future__ import annotations

from typing import List, Sequence

from ..models import ERROR, Diagnostic
from .text import BOLD, RED, RESET, YELLOW, summary


def line(d: Diagnostic, color: bool = False) -> str:
    """One diagnostic as ``path:line:col: CODE message`` (message on one line)."""
    message = " ".join(d.message.splitlines())
    if not color:
        return f"{d.path}:{d.line}:{d.column}: {d.code} {message}"
    sev = RED if d.severity == ERROR else YELLOW
    return f"{BOLD}{d.path}{RESET}:{d.line}:{d.column}: {BOLD}{sev}{d.code}{RESET} {message}"


def render(diagnostics: Sequence[Diagnostic], color: bool = False, quiet: bool = False, **_options) -> str:
    """Render ``diagnostics`` one per line, sorted, with a summary unless ``quiet``."""
    out: List[str] = [line(d, color) for d in sorted(diagnostics, key=Diagnostic.sort_key)]
    if diagnostics and not quiet:
        out.append(summary(diagnostics))
    return "\n".join(out) + ("\n" if out else "")

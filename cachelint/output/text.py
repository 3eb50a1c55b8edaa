"""The default ``text`` format: ``path:line:col: CODE message``, the source line, a caret.

Ends with a summary line (``Found 3 diagnostics (1 error, 2 warnings).``) unless ``quiet``,
and prints nothing when there is nothing to report. Colours are used only when asked (the
command line asks on a terminal without ``NO_COLOR``).
"""
from __future__ import annotations

from typing import Callable, Dict, List, Optional, Sequence

from ..models import ERROR, Diagnostic

BOLD, RED, YELLOW, CYAN, RESET = "\033[1m", "\033[31m", "\033[33m", "\033[36m", "\033[0m"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def summary(diagnostics: Sequence[Diagnostic]) -> str:
    """``Found N diagnostics (E errors, W warnings).``"""
    errors = sum(1 for d in diagnostics if d.severity == ERROR)
    warnings = len(diagnostics) - errors
    return f"Found {_plural(len(diagnostics), 'diagnostic')} ({_plural(errors, 'error')}, {_plural(warnings, 'warning')})."


def render(
    diagnostics: Sequence[Diagnostic],
    read_lines: Optional[Callable[[str], Optional[List[str]]]] = None,
    show_source: bool = True,
    color: bool = False,
    quiet: bool = False,
    **_options,
) -> str:
    """Render ``diagnostics`` as text.

    ``read_lines(path)`` returns the file's lines for the source excerpt (None when it
    cannot be read); it is called at most once per path.
    """
    def paint(code: str, text: str) -> str:
        return f"{code}{text}{RESET}" if color else text

    cache: Dict[str, Optional[List[str]]] = {}
    out: List[str] = []
    for d in sorted(diagnostics, key=Diagnostic.sort_key):
        sev_color = RED if d.severity == ERROR else YELLOW
        out.append(f"{paint(BOLD, d.path)}:{d.line}:{d.column}: {paint(BOLD + sev_color, d.code)} {d.message}")
        if show_source and read_lines is not None:
            if d.path not in cache:
                cache[d.path] = read_lines(d.path)
            lines = cache[d.path]
            if lines and 1 <= d.line <= len(lines):
                src = lines[d.line - 1].rstrip("\r\n").expandtabs(1)
                if len(src) > 200:
                    src = src[:200] + "…"
                width = max(1, (d.end_column - d.column) if d.end_line == d.line else len(src) - d.column + 1)
                width = min(width, max(1, len(src) - d.column + 1))
                out.append(f"  {d.line:>4} | {src}")
                out.append("       | " + " " * (d.column - 1) + paint(CYAN, "^" * width))
                out.append("")
    if diagnostics and not quiet:
        out.append(summary(diagnostics))
    return "\n".join(out) + ("\n" if out else "")

"""``# noqa`` suppressions, ``--ignore-noqa`` and the unused-directive check (CL000).

* ``# noqa`` on the reported line suppresses every diagnostic there;
* ``# noqa: CL101,CL301`` only those codes (prefixes such as ``CL1`` work too);
* ``# cachelint: noqa`` on a line of its own anywhere in a file skips the file.

The directive is found with the same pattern flake8 uses; codes are case-insensitive.
A diagnostic is suppressed by the directive on its first line.

The engine hands every file's surviving diagnostics to :meth:`NoqaFilter.apply`, which
drops the suppressed ones and, when CL000 (``unused-noqa``) is enabled, adds one CL000 per
``# noqa: CL...`` comment that names a cachelint code nothing on that line needed.
"""
from __future__ import annotations

import re
from typing import Dict, List, Optional, Sequence, Tuple

from .files import source_lines
from .models import WARNING, Diagnostic, Fix

_FILE = re.compile(r"^\s*#\s*cachelint\s*:\s*noqa\b(?!\s*:)", re.IGNORECASE | re.MULTILINE)
_LINE = re.compile(r"#\s*noqa(?::[\s]?(?P<codes>[A-Z]+[0-9]*(?:[,\s]+[A-Z]+[0-9]*)*))?", re.IGNORECASE)

#: Code and name of the unused-directive diagnostic.
UNUSED_CODE = "CL000"
UNUSED_NAME = "unused-noqa"
#: Only codes with this prefix are ours to judge; ``E501`` in a shared directive is left alone.
OWN_PREFIX = "CL"


def file_is_exempt(text: str) -> bool:
    """True when the file carries a ``# cachelint: noqa`` line."""
    return "noqa" in text and bool(_FILE.search(text))


def _last_directive(line: str):
    if "noqa" not in line.lower():
        return None
    match = None
    for match in _LINE.finditer(line):
        pass
    return match


def _split_codes(codes: Optional[str]) -> Tuple[str, ...]:
    if not codes:
        return ()
    return tuple(c.upper() for c in re.split(r"[,\s]+", codes) if c)


def codes_on_line(line: str):
    """None when the line has no noqa; ``()`` for a bare noqa; else the listed codes (upper case)."""
    match = _last_directive(line)
    if match is None:
        return None
    return _split_codes(match.group("codes"))


def suppressed(lines: Sequence[str], line: int, code: str) -> bool:
    """True when the 1-based ``line`` of ``lines`` has a noqa that covers ``code``."""
    if not (1 <= line <= len(lines)):
        return False
    codes = codes_on_line(lines[line - 1])
    if codes is None:
        return False
    return not codes or any(code.startswith(c) for c in codes)


def _comment_directives(text: str) -> Optional[Dict[int, Tuple[int, int, Tuple[str, ...]]]]:
    """``line -> (start column, end column, codes)`` for ``# noqa: ...`` in real comments.

    Columns are 0-based offsets into the line (code points). A directive written inside a
    string is not a comment and is not listed. None when the text cannot be tokenized.
    """
    import io
    import tokenize

    found: Dict[int, Tuple[int, int, Tuple[str, ...]]] = {}
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type != tokenize.COMMENT or "noqa" not in token.string.lower():
                continue
            match = _last_directive(token.string)
            if match is None or not match.group("codes"):
                continue
            line, col = token.start
            found[line] = (col + match.start(), col + match.end(), _split_codes(match.group("codes")))
    except (tokenize.TokenError, SyntaxError, ValueError):
        return None
    return found


class NoqaFilter:
    """Applies ``# noqa`` comments for one :class:`~cachelint.config.Settings`.

    With ``settings.ignore_noqa`` nothing is suppressed and no file is skipped. CL000 is
    reported only when it is enabled (it is off by default) and noqa is respected.
    """

    def __init__(self, settings) -> None:
        self.settings = settings
        self.respect = not getattr(settings, "ignore_noqa", False)
        self.report_unused = self.respect and settings.is_enabled(UNUSED_CODE, False)

    def exempt(self, text: str) -> bool:
        """True when the whole file is skipped (``# cachelint: noqa``)."""
        return self.respect and file_is_exempt(text)

    def apply(self, diagnostics: Sequence[Diagnostic], text: str, path: str) -> List[Diagnostic]:
        """Drop suppressed diagnostics; add CL000 for unused directives when enabled."""
        if not self.respect:
            return list(diagnostics)
        if not self.report_unused and (not diagnostics or "noqa" not in text.lower()):
            return list(diagnostics)
        lines = source_lines(text)
        kept: List[Diagnostic] = []
        used: Dict[int, set] = {}
        for d in diagnostics:
            codes = codes_on_line(lines[d.line - 1]) if 1 <= d.line <= len(lines) else None
            if codes is None:
                kept.append(d)
                continue
            matching = [c for c in codes if d.code.startswith(c)]
            if codes and not matching:
                kept.append(d)
                continue
            used.setdefault(d.line, set()).update(matching)
        if self.report_unused and "noqa" in text.lower():
            kept.extend(self._unused(diagnostics, text, lines, path, used))
            kept.sort(key=Diagnostic.sort_key)
        return kept

    def _unused(self, diagnostics, text: str, lines: Sequence[str], path: str, used: Dict[int, set]) -> List[Diagnostic]:
        if any(d.code == "CL001" for d in diagnostics):
            return []  # a file we could not parse says nothing about its directives
        if path != "<string>" and self.settings.is_ignored_for(UNUSED_CODE, path):
            return []
        directives = _comment_directives(text)
        if not directives:
            return []
        out = []
        for line, (start, end, codes) in sorted(directives.items()):
            ours = [c for c in codes if c.startswith(OWN_PREFIX)]
            if not ours or any(UNUSED_CODE.startswith(c) for c in ours):
                continue  # no cachelint code, or CL000 itself is suppressed here
            unused = [c for c in dict.fromkeys(ours) if c not in used.get(line, ())]
            if not unused:
                continue
            listed = ", ".join(unused)
            noun = "code" if len(unused) == 1 else "codes"
            message = (
                f"Unused noqa {noun} {listed}: nothing on this line is reported as {listed}. "
                f"Remove the {noun} from the comment so it cannot hide a future finding."
            )
            out.append(
                Diagnostic(
                    code=UNUSED_CODE, name=UNUSED_NAME, severity=WARNING, message=message, path=path,
                    line=line, column=start + 1, end_line=line, end_column=end + 1,
                    fix=Fix(description=f"remove {listed} from the noqa comment"),
                )
            )
        return out


__all__ = ["NoqaFilter", "file_is_exempt", "codes_on_line", "suppressed", "UNUSED_CODE", "UNUSED_NAME"]

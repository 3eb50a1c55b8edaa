"""``--format json``: a JSON array of diagnostic objects (DESIGN.md §4).

Keys: code, name, severity, message, path, line, column, end_line, end_column (1-based),
function, parameter, fix. Sorted by path, line, column, code.
"""
from __future__ import annotations

import json
from typing import Sequence

from ..models import Diagnostic


def render(diagnostics: Sequence[Diagnostic], **_options) -> str:
    """Return the JSON document (with a trailing newline)."""
    items = [d.as_dict() for d in sorted(diagnostics, key=Diagnostic.sort_key)]
    return json.dumps(items, indent=2, ensure_ascii=False) + "\n"

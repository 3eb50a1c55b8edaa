"""``--format github``: GitHub Actions workflow commands, one annotation per diagnostic.

``::error file=a.py,line=5,col=10,endLine=5,endColumn=16,title=CL101 per-call-id-in-key::message``
(``::warning`` for warnings). GitHub shows them on the pull request's diff. Values are
escaped as the runner expects: in the message ``%``, CR and LF; in properties also ``:``
and ``,``. Nothing else is printed, so the output can be passed through as it is.
"""
from __future__ import annotations

from typing import Sequence

from ..models import ERROR, Diagnostic


def escape_data(value: str) -> str:
    """Escape the message part of a workflow command."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """Escape a property value (``file=...``, ``title=...``) of a workflow command."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def annotation(d: Diagnostic) -> str:
    """The workflow command for one diagnostic."""
    command = "error" if d.severity == ERROR else "warning"
    props = [
        ("file", d.path),
        ("line", str(d.line)),
        ("col", str(d.column)),
        ("endLine", str(d.end_line)),
        ("endColumn", str(d.end_column)),
        ("title", f"{d.code} {d.name}"),
    ]
    joined = ",".join(f"{key}={escape_property(value)}" for key, value in props)
    return f"::{command} {joined}::{escape_data(d.message)}"


def render(diagnostics: Sequence[Diagnostic], **_options) -> str:
    """One annotation line per diagnostic, sorted by location."""
    lines = [annotation(d) for d in sorted(diagnostics, key=Diagnostic.sort_key)]
    return "".join(line + "\n" for line in lines)

"""``--format gitlab``: a GitLab Code Quality report (a JSON array).

Each issue has ``description``, ``check_name``, ``fingerprint``, ``severity`` and
``location`` (``path`` and ``lines.begin``/``lines.end``), the subset of the Code Climate
format GitLab reads. The fingerprint hashes the code, path, function, parameter and
message but not the line, so an issue keeps its identity when code above it moves;
identical issues in one file are told apart by a counter.
"""
from __future__ import annotations

import hashlib
import json
from typing import Dict, List, Sequence, Tuple

from ..models import ERROR, Diagnostic

#: cachelint severity -> GitLab severity (info, minor, major, critical, blocker).
SEVERITY = {ERROR: "major"}
DEFAULT_SEVERITY = "minor"


def _fingerprint(d: Diagnostic, seen: Dict[Tuple[str, ...], int]) -> str:
    identity = (d.code, d.path, d.function or "", d.parameter or "", d.message)
    count = seen.get(identity, 0)
    seen[identity] = count + 1
    digest = hashlib.sha256("\0".join(identity + (str(count),)).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def render(diagnostics: Sequence[Diagnostic], **_options) -> str:
    """Return the report (with a trailing newline)."""
    seen: Dict[Tuple[str, ...], int] = {}
    issues: List[dict] = []
    for d in sorted(diagnostics, key=Diagnostic.sort_key):
        issues.append(
            {
                "description": f"{d.code} {d.message}",
                "check_name": f"{d.code} {d.name}",
                "fingerprint": _fingerprint(d, seen),
                "severity": SEVERITY.get(d.severity, DEFAULT_SEVERITY),
                "location": {"path": d.path, "lines": {"begin": d.line, "end": d.end_line}},
            }
        )
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"

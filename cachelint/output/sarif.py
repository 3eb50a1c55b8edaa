"""``--format sarif``: a SARIF 2.1.0 log for code-scanning dashboards.

One run: ``tool.driver`` describes cachelint and every rule (id, name, short and full
description, help text and a ``helpUri`` into docs/rules.md, default level and whether the
rule is on by default); each diagnostic is a result with ``ruleId``, ``ruleIndex``,
``level``, ``message.text`` and one physical location. Paths under the working directory
are relative URIs against the ``%SRCROOT%`` base (what GitHub's upload-sarif expects);
others are absolute ``file:`` URIs. Columns count Unicode code points, as cachelint's do,
and end columns are exclusive, as SARIF's are.
"""
from __future__ import annotations

import inspect
import json
import os
import re
from pathlib import Path, PurePosixPath
from typing import Any, Dict, List, Optional, Sequence
from urllib.parse import quote

from .. import __version__
from ..models import ERROR, Diagnostic

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
#: The distribution's page on PyPI.
INFORMATION_URI = "https://pypi.org/project/cache-key-lint/"
#: docs/rules.md in the public repository; each rule's helpUri is this plus its anchor.
RULES_DOCS_URI = "https://github.com/cache-key-lint/cache-key-lint/blob/main/docs/rules.md"
SRCROOT = "%SRCROOT%"


def _level(severity: str) -> str:
    return "error" if severity == ERROR else "warning"


def _what_it_does(doc: str) -> str:
    """The text under the rule docstring's ``### What it does`` heading, on one line."""
    match = re.search(r"###\s*What it does\s*\n(.*?)(?:\n###|\Z)", doc, re.S)
    text = match.group(1) if match else doc
    return " ".join(text.split())


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith(".") else text + "."


def rule_descriptor(rule) -> Dict[str, Any]:
    """The ``reportingDescriptor`` of one rule class."""
    from ..docs import anchor

    doc = inspect.cleandoc(rule.__doc__ or "")
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": _sentence(rule.summary)},
        "fullDescription": {"text": _what_it_does(doc) or _sentence(rule.summary)},
        "help": {"text": doc or _sentence(rule.summary), "markdown": doc or _sentence(rule.summary)},
        "helpUri": f"{RULES_DOCS_URI}#{anchor(rule.code, rule.name)}",
        "defaultConfiguration": {"level": _level(rule.severity), "enabled": bool(rule.default_on)},
        "properties": {"tags": ["cache", rule.severity_label()]},
    }


def artifact_location(path: str, cwd: str) -> Dict[str, str]:
    """``{"uri", "uriBaseId"}`` for a path under ``cwd``; an absolute file URI otherwise."""
    absolute = os.path.abspath(os.path.join(cwd, path))
    try:
        relative = os.path.relpath(absolute, cwd)
    except ValueError:  # another drive on Windows
        relative = None
    if path == "-" or relative is None or relative == os.pardir or relative.startswith(os.pardir + os.sep):
        if path == "-":
            return {"uri": "stdin"}
        return {"uri": Path(absolute).as_uri()}
    posix = PurePosixPath(*Path(relative).parts).as_posix()
    return {"uri": quote(posix, safe="/"), "uriBaseId": SRCROOT}


def _result(d: Diagnostic, index: Dict[str, int], cwd: str) -> Dict[str, Any]:
    result: Dict[str, Any] = {"ruleId": d.code}
    if d.code in index:
        result["ruleIndex"] = index[d.code]
    result["level"] = _level(d.severity)
    result["message"] = {"text": d.message}
    result["locations"] = [
        {
            "physicalLocation": {
                "artifactLocation": artifact_location(d.path, cwd),
                "region": {
                    "startLine": d.line,
                    "startColumn": d.column,
                    "endLine": max(d.end_line, d.line),
                    "endColumn": d.end_column if d.end_line > d.line else max(d.end_column, d.column),
                },
            }
        }
    ]
    if d.function:
        result["locations"][0]["logicalLocations"] = [{"fullyQualifiedName": d.function, "kind": "function"}]
    return result


def document(diagnostics: Sequence[Diagnostic], cwd: Optional[str] = None) -> Dict[str, Any]:
    """The SARIF log as a dictionary."""
    from ..rules import ALL_RULES

    cwd = os.path.abspath(cwd or os.getcwd())
    index = {rule.code: i for i, rule in enumerate(ALL_RULES)}
    results: List[Dict[str, Any]] = [_result(d, index, cwd) for d in sorted(diagnostics, key=Diagnostic.sort_key)]
    root_uri = Path(cwd).as_uri()
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "cachelint",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": [rule_descriptor(rule) for rule in ALL_RULES],
                    }
                },
                "originalUriBaseIds": {SRCROOT: {"uri": root_uri if root_uri.endswith("/") else root_uri + "/"}},
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }


def render(diagnostics: Sequence[Diagnostic], cwd: Optional[str] = None, **_options) -> str:
    """Return the SARIF document as indented JSON (with a trailing newline)."""
    return json.dumps(document(diagnostics, cwd), indent=2, ensure_ascii=False) + "\n"

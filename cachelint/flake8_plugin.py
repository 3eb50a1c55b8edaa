"""A flake8 plugin: ``flake8 --select CL`` reports what ``cachelint`` reports.

Registered under the ``flake8.extension`` entry point group with the code prefix ``CL``.
Each file is linted with cachelint's default settings (``[tool.cachelint]`` is not read:
flake8 has its own configuration, use its ``--select``/``--extend-ignore``/
``--per-file-ignores``). Codes, lines and columns are the same as the ``cachelint``
command's; flake8 wants 0-based columns and shows them 1-based again.
"""
from __future__ import annotations

from typing import Any, Iterator, List, Optional, Tuple

from . import __version__

_linter: Optional[Any] = None


def _default_linter():
    """One Linter per process: rule instances and patterns are built once, not per file."""
    global _linter
    if _linter is None:
        from .engine import Linter

        _linter = Linter()
    return _linter


class CachelintChecker:
    """flake8 AST-plugin interface: ``__init__(tree, filename, lines)`` and ``run()``."""

    name = "cachelint"
    version = __version__

    def __init__(self, tree: Any, filename: str, lines: List[str]) -> None:
        self.tree = tree  # unused: cachelint parses with libcst; asking for it makes this an AST plugin
        self.filename = filename
        self.lines = lines

    def run(self) -> Iterator[Tuple[int, int, str, type]]:
        linter = _default_linter()
        for d in linter.lint_source("".join(self.lines), self.filename):
            yield d.line, d.column - 1, f"{d.code} {d.message}", type(self)
        del linter.internal_errors[:]  # flake8 has no channel for them; the command reports them


__all__ = ["CachelintChecker"]

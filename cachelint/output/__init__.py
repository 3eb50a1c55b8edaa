"""Output formatters: each turns a list of diagnostics into the text of one format.

Every formatter is ``render(diagnostics, **options) -> str`` and ignores options it does
not know, so the command line can pass the same options to all of them.
"""
from __future__ import annotations

from typing import Callable, Dict, List

#: The names accepted by ``--format``, default first.
FORMATS: List[str] = ["text", "concise", "json", "sarif", "github", "gitlab"]


def formatter(name: str) -> Callable[..., str]:
    """Return the formatting function for ``name`` (one of :data:`FORMATS`); KeyError if unknown."""
    from . import concise, github, gitlab, json_format, sarif, text

    table: Dict[str, Callable[..., str]] = {
        "text": text.render,
        "concise": concise.render,
        "json": json_format.render,
        "sarif": sarif.render,
        "github": github.render,
        "gitlab": gitlab.render,
    }
    return table[name]


__all__ = ["formatter", "FORMATS"]

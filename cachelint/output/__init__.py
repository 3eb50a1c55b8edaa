"""Output formatters: each turns a list of diagnostics into the text of one format.

Every formatter is ``render(diagnostics, **options) -> str`` and ignores options it does
not know, so the command line can pass the same options to all of them.
"""
from __future__ import annotations

from typing import Callable, Dict, List

#: The names accepted by ``--format``, default first.
FORMATS: List[str] = ["text", "concise", "json", "sarif", "github", "gitlab"]


#: Format name -> module (in this package) whose ``render`` writes it.
_MODULES: Dict[str, str] = {"text": "text", "concise": "concise", "json": "json_format", "sarif": "sarif",
                            "github": "github", "gitlab": "gitlab"}


def formatter(name: str) -> Callable[..., str]:
    """Return the formatting function for ``name`` (one of :data:`FORMATS`); KeyError if unknown.

    Only that format's module is imported.
    """
    import importlib

    return importlib.import_module("." + _MODULES[name], __name__).render


__all__ = ["formatter", "FORMATS"]

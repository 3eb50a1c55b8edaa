"""Output formatters: each turns a list of diagnostics into text for one format."""
from __future__ import annotations

from typing import Callable, Dict, List



def formatter(name: str) -> Callable[..., str]:
    """Return the formatting function for ``name`` (``"text"``, ``"json"``...); KeyError if unknown."""
    from . import json_format, text

    table: Dict[str, Callable[..., str]] = {"text": text.render, "json": json_format.render}
    return table[name]


FORMATS: List[str] = ["text", "json"]

__all__ = ["formatter", "FORMATS"]

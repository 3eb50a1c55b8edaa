"""libcst's parse without re-checking what its own parser built.

Every libcst node checks its fields when it is made (``CSTNode.__post_init__`` calls
``_validate``: balanced parentheses, required whitespace). That guards trees built by
hand; a tree from libcst's parser is valid by construction, and on the files cachelint
reads the checks are about a tenth of the parse (measured on the standard library's cache
files; libcst's own source notes the cost). :func:`parse_module` switches them off for the
duration of one parse. Nodes made any other way (a rule's ``with_changes``) are checked
as usual, except those another thread of the same process builds while a parse runs.

The last module parsed is remembered with its text: a decorator lookup that reads the
file being linted (``@_LiteralSpecialForm`` in typing.py names a class of the same file,
:class:`cachelint.project.ProjectIndex`) gets the same tree without a second parse.
libcst trees are immutable, so sharing one is safe.
"""
from __future__ import annotations

import threading

import libcst as cst

try:  # libcst's base class; its location is private, so a move only costs the speed-up
    from libcst._nodes.base import CSTNode as _Node
except ImportError:  # pragma: no cover - depends on the installed libcst
    _Node = None

_HOOK = getattr(_Node, "__dict__", {}).get("__post_init__")
_lock = threading.Lock()
#: (text, module) of the last parse
_last: tuple = ("", None)


def _unchecked(self) -> None:
    """A parsed node's ``__post_init__``: nothing to check."""


def parse_module(text: str) -> cst.Module:
    """``libcst.parse_module(text)`` without the per-node checks (see the module docstring).

    ``text`` is a module's source. Raises what :func:`libcst.parse_module` raises
    (``libcst.ParserSyntaxError``, RecursionError on deep nesting). When another thread is
    parsing at the same time, or libcst's node class does not look as expected, this
    parse keeps the checks.
    """
    global _last
    last_text, last_module = _last
    if last_module is not None and last_text == text:
        return last_module
    if _HOOK is None or not _lock.acquire(blocking=False):
        module = cst.parse_module(text)
    else:
        try:
            _Node.__post_init__ = _unchecked
            try:
                module = cst.parse_module(text)
            finally:
                _Node.__post_init__ = _HOOK
        finally:
            _lock.release()
    _last = (text, module)
    return module


__all__ = ["parse_module"]

"""The rule interface.

Each rule is a small class: ``code``, ``name``, ``summary``, default ``severity``, whether
it is on by default, a docstring that becomes its section of ``docs/rules.md``, embedded
``valid``/``invalid`` examples (checked by the test suite), and
``check(site, ctx) -> Iterable[Report]``. Rules read :class:`~cachelint.models.CacheSite`
objects; the engine turns their reports into positioned diagnostics.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple

import libcst as cst

from ..models import ERROR, WARNING, CacheSite, Fix


@dataclass(frozen=True)
class Report:
    """A finding before positioning.

    Exactly one of ``node`` (a libcst node whose range is reported) or ``line`` (with
    ``column``, both 1-based) locates it.
    """

    message: str
    node: Any = field(default=None, compare=False)
    line: Optional[int] = None
    column: Optional[int] = None
    parameter: Optional[str] = None
    fix: Optional[Fix] = None


@dataclass
class FileContext:
    """What rules may read about the file being linted.

    Attributes:
        path: the path shown to users.
        module: the parsed ``libcst.Module``.
        lines: the source split into lines (no line endings).
        settings: the active :class:`cachelint.config.Settings`.
        position: maps a node to ``(line, column, end_line, end_column)``, 1-based.
        resolve: resolves an expression to its qualified name.
        sites: every cache site of the file.
        text_positions: maps a function to ``{id(node): (line, column)}`` of its comments and
            docstring when that is cheaper than ``position`` and certain, else gives None
            (see :meth:`cachelint.positions.Positions.text_positions`).
    """

    path: str
    module: cst.Module
    lines: Sequence[str]
    settings: Any
    position: Callable[[cst.CSTNode], Tuple[int, int, int, int]]
    resolve: Callable[[cst.BaseExpression], Optional[str]]
    sites: Sequence[CacheSite] = ()
    cache: Dict[str, Any] = field(default_factory=dict)
    text_positions: Optional[Callable[[cst.FunctionDef], Optional[Dict[int, Tuple[int, int]]]]] = None


class Rule:
    """Base class of every rule; subclasses set the class attributes and ``check``."""

    code = "CL000"
    name = "rule"
    summary = ""
    severity = WARNING
    default_on = True
    #: code snippets the rule must leave alone / must report (Fixit-style examples).
    valid: Sequence[str] = ()
    invalid: Sequence[str] = ()

    def check(self, site: CacheSite, ctx: FileContext) -> Iterable[Report]:
        """Reports about one cache site (a decorated function)."""
        return ()

    def check_definition(self, definition, ctx: FileContext) -> Iterable[Report]:
        """Reports about a project cache decorator's own body (``inference.Definition``)."""
        return ()

    @classmethod
    def severity_label(cls) -> str:
        return "error" if cls.severity == ERROR else "warning"


def lib_phrase(site: CacheSite) -> str:
    """How a site's cache is named in messages: ``"joblib Memory.cache"``, ``"'disk_cache'"``."""
    if site.model.library == "home-made":
        return f"'{site.qualname.split('.')[-1]}' decorator's"
    return site.model.display


def keyed_params(site: CacheSite) -> List:
    """Parameters that are keyed and named (not ``*args``/``**kwargs``, not self/cls)."""
    if not (site.spec.known and site.spec.argument_keyed):
        return []
    out = []
    for i, p in enumerate(site.params):
        if p.kind in ("vararg", "kwarg"):
            continue
        if i == 0 and site.method_kind in ("instance", "class", "property") and p.name in ("self", "cls"):
            continue
        if site.spec.is_keyed(p.name):
            out.append(p)
    return out


def sentence(text: str) -> str:
    """Capitalise a hint to start a sentence, unless it starts with an identifier (``functools.cache``)."""
    first = text.split(" ", 1)[0]
    if not text or "." in first or "_" in first or "'" in first or first[:1].isupper():
        return text
    return text[0].upper() + text[1:]

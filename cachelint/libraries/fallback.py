"""Decorators cachelint has no library model for (DESIGN.md §5.1 and §5.3).

* :class:`Declared` – a decorator declared in ``[tool.cachelint.decorators."dotted.name"]``:
  its key follows the declaration (underscore exclusion, an ``ignore``-style factory
  argument, persistence, serializer).
* :class:`ByName` – an unresolved decorator whose name says "cache" (``cache``,
  ``cached``, ``cacheable``, ``memoize``...): treated as keying every argument.
"""
from __future__ import annotations

import re
from typing import Optional

from .base import DecoratorUse, Library, ModelResult, current_names, listed_exclusions, quoted_list

#: Last names treated as cache decorators when nothing better is known (DESIGN §5.3).
CACHE_NAMES = frozenset(
    {
        "cache", "cached", "cacheable", "memoize", "memoized", "memoise", "memoised", "memo",
        "persist", "persist_cache", "persistent_cache", "disk_cache", "diskcache", "file_cache",
        "cache_result", "cache_results", "cached_call", "memoize_to_disk", "lru_cache",
        "ttl_cache", "redis_cache", "cache_to_disk", "json_cache", "pickle_cache",
    }
)
#: Decorators named like caches that do not key arguments (or remove caching).
NON_KEYING = frozenset(
    {
        "cache_page", "cache_control", "never_cache", "cached_property", "cache_readonly",
        "vary_on_headers", "vary_on_cookie", "cache_clear", "cache_info", "invalidate_cache",
        "clear_cache", "no_cache", "skip_cache", "uncached", "without_cache", "cache_on_startup",
    }
)
_SUFFIX = re.compile(r"^[a-z0-9_]*_(cache|cached|memoize|memoized|cacheable)$")
_NEGATIVE_PREFIX = ("invalidate", "clear", "no_", "never", "skip", "bust", "evict", "purge", "reset", "without", "disable", "flush", "delete", "expire", "refresh", "warm", "bypass", "uncache")


def is_cache_name(last: str) -> bool:
    """True when an unresolved decorator's last dotted name suggests an argument cache."""
    low = last.lower()
    if low in NON_KEYING:
        return False
    if low in CACHE_NAMES:
        return True
    return bool(_SUFFIX.match(low)) and not low.startswith(_NEGATIVE_PREFIX)


class ByName(Library):
    library = "home-made"
    display = "cache decorator"
    forms = "both"
    serializer = "unknown"

    def __init__(self, display: Optional[str] = None):
        if display:
            self.display = display

    def exclusion_hint(self, param: str, use: DecoratorUse) -> str:
        return f"leave '{param}' out of the decorator's key, or move the cache to an inner function that does not take it"


class Declared(Library):
    """A decorator declared in configuration; ``decl`` is a ``config.DecoratorDecl``."""

    library = "declared"
    forms = "both"

    def __init__(self, decl):
        self.decl = decl
        self.names = (decl.qualname,)
        self.display = decl.qualname
        self.persistent = decl.persistent
        self.serializer = decl.serializer
        self.in_memory = not decl.persistent

    def key_spec(self, use: DecoratorUse) -> ModelResult:
        excluded = {}
        if self.decl.exclude == "underscore":
            excluded.update({p.name: "underscore" for p in use.params if p.name.startswith("_")})
        elements = ()
        if self.decl.ignore_argument:
            elements, listed = listed_exclusions(use, self.decl.ignore_argument)
            excluded.update(listed)
        first = use.first_param
        if not getattr(self.decl, "self_keyed", True) and use.is_method and first is not None:
            excluded[first.name] = "declared self_keyed = false"
        return ModelResult(self.spec(use, excluded), elements)

    def exclusion_hint(self, param: str, use: DecoratorUse) -> str:
        hints = []
        if self.decl.exclude == "underscore":
            hints.append(f"rename it to '_{param}'")
        if self.decl.ignore_argument:
            hints.append(f"exclude it with {self.decl.ignore_argument}=[{quoted_list([param])}]")
        return " or ".join(hints) or super().exclusion_hint(param, use)


class Inferred(Library):
    """A project decorator whose body cachelint read (``inference.Summary``)."""

    library = "home-made"

    def __init__(self, summary):
        self.summary = summary
        self.names = (summary.qualname,)
        self.display = summary.qualname.split(".")[-1]
        self.forms = summary.factory
        self.persistent = summary.persistent
        self.serializer = summary.serializer
        self.call_shape = summary.call_shape
        self.in_memory = not summary.persistent

    def key_spec(self, use: DecoratorUse) -> ModelResult:
        s = self.summary
        excluded = {}
        if s.underscore:
            excluded.update({p.name: "underscore" for p in use.params if p.name.startswith("_")})
        for name in s.popped:
            if name in use.param_names:
                excluded[name] = "kwargs.pop"
        for name in s.popped_copy:
            if name in use.param_names:
                excluded[name] = "kwargs copy"
        elements = ()
        if s.ignore_argument:
            elements, listed = listed_exclusions(use, s.ignore_argument)
            excluded.update(listed)
        first = use.first_param
        if s.drops_self and first is not None and use.is_method:
            excluded[first.name] = "args[1:]"  # a method's self: an instance mechanism
        elif s.only_sliced and first is not None:
            # a data argument left out when passed by position (CL203 asks whether it shapes the result)
            excluded[first.name] = "args[1:], which skips the first positional argument"
        if not s.keys_kwargs:
            excluded.update({p.name: "keyword-only, never keyed" for p in use.params if p.kind in ("kwonly", "kwarg")})
        return ModelResult(self.spec(use, excluded), elements)

    def exclusion_hint(self, param: str, use: DecoratorUse) -> str:
        s = self.summary
        hints = []
        if s.underscore:
            hints.append(f"rename it to '_{param}' (the decorator skips names starting with _)")
        if s.ignore_argument:
            current = current_names(use.call, s.ignore_argument, use)
            hints.append(f"exclude it with {s.ignore_argument}=({quoted_list(current + [param])},)")
        if hints:
            return " or ".join(hints)
        return (f"leave '{param}' out of the '{self.display}' key (the decorator keys every argument), or move the cache "
                f"to an inner function that does not take it")


class Delegated(Library):
    """A project decorator that hands the function to a library decorator (``return lru_cache(maxsize=None)(fn)``)."""

    def __init__(self, summary, inner: Library):
        import libcst as cst

        self.summary = summary
        self.inner = inner
        self.names = (summary.qualname,)
        self.library = inner.library
        self.display = f"{summary.qualname.split('.')[-1]} ({inner.display})"
        for attr in ("async_aware", "in_memory", "hash_based", "persistent", "serializer", "call_shape", "argument_keyed"):
            setattr(self, attr, getattr(inner, attr))
        self.forms = summary.factory
        try:
            call = cst.parse_expression(summary.delegate_call) if summary.delegate_call else None
        except Exception:
            call = None
        self.call = call if isinstance(call, cst.Call) else None

    def key_spec(self, use: DecoratorUse) -> ModelResult:
        import dataclasses

        inner_use = dataclasses.replace(use, qualname=self.summary.delegate, call=self.call)
        result = self.inner.key_spec(inner_use)
        return ModelResult(result.spec)

    def exclusion_hint(self, param: str, use: DecoratorUse) -> str:
        return self.inner.exclusion_hint(param, use)

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

from .base import DecoratorUse, Library, ModelResult, argument, exclusions_from, names_excluded, quoted_list

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
            elements = exclusions_from(argument(use.call, self.decl.ignore_argument), f"{self.decl.ignore_argument}=")
            excluded.update(names_excluded(elements, use, by_index=False))
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

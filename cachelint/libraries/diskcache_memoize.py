"""diskcache ``Cache.memoize`` / ``FanoutCache.memoize`` / ``memoize_stampede`` (diskcache 5.6).

The key is the raw call shape: positional arguments then sorted keyword items.
``ignore=`` holds positional **indexes** (matched only when the argument is passed
positionally) and keyword **names** (matched only when passed by keyword). Values are
stored by ``Disk`` (pickle) or, with ``Cache(disk=JSONDisk)``, as JSON. Bare
``@cache.memoize`` raises ``TypeError`` at decoration.
"""
from __future__ import annotations

from .base import DecoratorUse, Library, ModelResult, argument, listed_exclusions


class Memoize(Library):
    library = "diskcache"
    names = ("diskcache.Cache.memoize", "diskcache.DjangoCache.memoize", "diskcache.memoize_stampede")
    display = "diskcache memoize"
    forms = "called"
    persistent = True
    serializer = "pickle"

    def key_spec(self, use: DecoratorUse) -> ModelResult:
        position = 4 if use.qualname.endswith("memoize") else None
        elements, excluded = listed_exclusions(use, "ignore", position, by_index=True)
        serializer = "pickle"
        disk = argument(use.factory_call, "disk")
        if disk is not None and (use.resolve(disk) or "").endswith("JSONDisk"):
            serializer = "json"
        return ModelResult(self.spec(use, excluded, serializer=serializer), elements)

    def exclusion_hint(self, param: str, use: DecoratorUse) -> str:
        positional = [p.name for p in use.params if p.position is not None]
        if param in positional:
            return f'exclude it with ignore={{{positional.index(param)}, "{param}"}} (diskcache matches indexes only for positional arguments and names only for keyword arguments)'
        return f'exclude it with ignore={{"{param}"}}'


MODELS = (Memoize(),)

"""cachetools ``cached``, ``cachedmethod`` and ``cachetools.func.*`` (cachetools 8.x source).

``cached`` calls ``key(*args, **kwargs)``; the default ``hashkey`` keeps positional
arguments and sorted keywords, so every parameter (``self`` too) is keyed unless a custom
``key=`` leaves some out. ``cachedmethod`` calls ``key(self, ...)`` with ``methodkey`` by
default, which drops ``self``. ``asyncache``/``cachetools_async`` mirror the same API
for coroutines.
"""
from __future__ import annotations

from .base import DecoratorUse, Library, ModelResult, argument, self_name
from .keyfuncs import keyed_by_callable


class Cached(Library):
    library = "cachetools"
    names = ("cachetools.cached", "cachetools.decorators.cached")
    display = "cachetools.cached"
    forms = "called"
    in_memory = True
    hash_based = True

    def key_spec(self, use: DecoratorUse) -> ModelResult:
        key = argument(use.call, "key", 1)
        excluded = {}
        if self.drops_self(use, key):
            me = self_name(use)
            if me:
                excluded[me] = "methodkey"
        if key is not None:
            keyed = keyed_by_callable(key, use)
            if keyed is None:
                return ModelResult(self.spec(use, excluded, known=False))
            excluded.update({n: "key=" for n in use.param_names if n not in keyed and n not in excluded})
        return ModelResult(self.spec(use, excluded))

    def drops_self(self, use: DecoratorUse, key) -> bool:
        return key is not None and use.resolve(key) in ("cachetools.keys.methodkey", "cachetools.methodkey", "cachetools.keys.typedmethodkey")

    def exclusion_hint(self, param: str, use: DecoratorUse) -> str:
        others = [n for n in use.param_names if n != param and n not in ("self", "cls")]
        args = ", ".join(others)
        return f"pass key=lambda {', '.join(use.param_names)}: hashkey({args}) to leave it out"


class CachedMethod(Cached):
    names = ("cachetools.cachedmethod", "cachetools.decorators.cachedmethod")
    display = "cachetools.cachedmethod"
    in_memory = True

    def drops_self(self, use: DecoratorUse, key) -> bool:
        return key is None or super().drops_self(use, key)


class CachedAsync(Cached):
    names = ("asyncache.cached", "cachetools_async.cached")
    display = "asyncache.cached"
    async_aware = True


class CachedMethodAsync(CachedMethod):
    names = ("asyncache.cachedmethod", "cachetools_async.cachedmethod")
    display = "asyncache.cachedmethod"
    async_aware = True


class FuncCache(Library):
    library = "cachetools"
    names = tuple(
        f"cachetools.func.{n}" for n in ("lru_cache", "ttl_cache", "fifo_cache", "lfu_cache", "rr_cache", "mru_cache", "tlru_cache")
    )
    display = "cachetools.func"
    forms = "both"
    in_memory = True
    hash_based = True


MODELS = (Cached(), CachedMethod(), CachedAsync(), CachedMethodAsync(), FuncCache())

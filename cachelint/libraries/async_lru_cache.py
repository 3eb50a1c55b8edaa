"""async-lru ``alru_cache`` (async-lru 2.4).

Same raw call-shape key as ``functools.lru_cache`` (``self`` included), or a custom
``key=`` callable since 2.4. In-memory; only accepts coroutine functions.
"""
from __future__ import annotations

from .base import DecoratorUse, Library, ModelResult, argument
from .keyfuncs import keyed_by_callable


class AlruCache(Library):
    library = "async_lru"
    names = ("async_lru.alru_cache",)
    display = "async_lru.alru_cache"
    forms = "both"
    async_aware = True
    in_memory = True
    hash_based = True

    def key_spec(self, use: DecoratorUse) -> ModelResult:
        key = argument(use.call, "key")
        if key is None:
            return ModelResult(self.spec(use, {}))
        keyed = keyed_by_callable(key, use)
        if keyed is None:
            return ModelResult(self.spec(use, {}, known=False))
        return ModelResult(self.spec(use, {n: "key=" for n in use.param_names if n not in keyed}))

    def exclusion_hint(self, param: str, use: DecoratorUse) -> str:
        return "pass key= a function of the other arguments (async-lru 2.4+)"


MODELS = (AlruCache(),)

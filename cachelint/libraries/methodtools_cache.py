"""methodtools ``lru_cache`` (methodtools 0.4.7): a ``functools.lru_cache`` per instance.

``self`` is not in the key (each bound instance has its own cache); only the called form
works.
"""
from __future__ import annotations

from .base import DecoratorUse, Library, ModelResult, self_name


class LruCache(Library):
    library = "methodtools"
    names = ("methodtools.lru_cache",)
    display = "methodtools.lru_cache"
    forms = "called"
    in_memory = True
    hash_based = True

    def key_spec(self, use: DecoratorUse) -> ModelResult:
        me = self_name(use)
        return ModelResult(self.spec(use, {me: "per-instance cache"} if me else {}))


MODELS = (LruCache(),)

"""Smaller caching libraries (LIBRARIES.md "Other libraries").

klepto and perscache take ``ignore=`` name lists; memoization, fastcache, cachebox and
cacheout key the raw call shape in memory; gradio ``gr.cache`` binds to the signature and
takes an opaque ``key=``; cache-to-disk and percache key ``str``/``repr`` of the
arguments on disk.
"""
from __future__ import annotations

from .base import DecoratorUse, Library, ModelResult, argument, current_names, listed_exclusions, quoted_list


class Klepto(Library):
    library = "klepto"
    names = tuple(f"klepto.{n}" for n in ("lru_cache", "lfu_cache", "mru_cache", "rr_cache", "inf_cache"))
    display = "klepto"
    forms = "called"
    call_shape = "bound"
    serializer = "pickle"

    def key_spec(self, use: DecoratorUse) -> ModelResult:
        elements, excluded = listed_exclusions(use, "ignore", by_index=True)  # klepto matches names and indexes
        persistent = argument(use.call, "cache") is not None
        return ModelResult(self.spec(use, excluded, persistent=persistent), elements)

    def exclusion_hint(self, param: str, use: DecoratorUse) -> str:
        return f'exclude it with ignore=("{param}",)'


class Perscache(Library):
    library = "perscache"
    names = ("perscache.Cache.__call__", "perscache.Cache.cache")
    display = "perscache"
    forms = "both"
    async_aware = True
    persistent = True
    serializer = "pickle"
    call_shape = "bound"

    def key_spec(self, use: DecoratorUse) -> ModelResult:
        elements, excluded = listed_exclusions(use, "ignore")
        serializer = "pickle"
        ser = argument(use.call, "serializer") or argument(use.factory_call, "serializer")
        if ser is not None and "JSON" in (use.resolve(getattr(ser, "func", ser)) or ""):
            serializer = "json"
        per_instance = argument(use.call, "per_instance")
        if per_instance is not None and getattr(per_instance, "value", "") == "False" and use.first_param and use.is_method:
            excluded[use.first_param.name] = "per_instance=False"
        return ModelResult(self.spec(use, excluded, serializer=serializer), elements)

    def exclusion_hint(self, param: str, use: DecoratorUse) -> str:
        current = current_names(use.call, "ignore", use)
        return f"exclude it with ignore=[{quoted_list(current + [param])}]"


class InMemory(Library):
    library = "memoization"
    names = ("memoization.cached",)
    display = "memoization.cached"
    in_memory = True

    def key_spec(self, use: DecoratorUse) -> ModelResult:
        known = argument(use.call, "custom_key_maker") is None
        return ModelResult(self.spec(use, {}, known=known))


class Fastcache(Library):
    library = "fastcache"
    names = ("fastcache.clru_cache", "fastcache.lru_cache")
    display = "fastcache.clru_cache"
    in_memory = True
    hash_based = True


class Cachebox(Library):
    library = "cachebox"
    names = ("cachebox.cached",)
    display = "cachebox.cached"
    forms = "called"
    in_memory = True
    hash_based = True
    async_aware = True

    def key_spec(self, use: DecoratorUse) -> ModelResult:
        known = argument(use.call, "key_maker", 1) is None
        return ModelResult(self.spec(use, {}, known=known))


class Cacheout(Library):
    library = "cacheout"
    names = ("cacheout.Cache.memoize", "cacheout.LRUCache.memoize", "cacheout.LFUCache.memoize")
    display = "cacheout memoize"
    forms = "called"
    in_memory = True
    hash_based = True
    async_aware = True


class Gradio(Library):
    library = "gradio"
    names = ("gradio.cache",)
    display = "gr.cache"
    in_memory = True
    async_aware = True
    call_shape = "bound"

    def key_spec(self, use: DecoratorUse) -> ModelResult:
        return ModelResult(self.spec(use, {}, known=argument(use.call, "key") is None))


class CacheToDisk(Library):
    library = "cache_to_disk"
    names = ("cache_to_disk.cache_to_disk",)
    display = "cache_to_disk"
    forms = "called"
    persistent = True
    serializer = "pickle"


class Percache(Library):
    library = "percache"
    names = ("percache.Cache.__call__",)
    display = "percache"
    forms = "bare"
    persistent = True
    serializer = "pickle"


MODELS = (Klepto(), Perscache(), InMemory(), Fastcache(), Cachebox(), Cacheout(), Gradio(), CacheToDisk(), Percache())

"""aiocache ``cached``, ``cached_stampede`` and ``multi_cached`` (aiocache 0.12).

The default key is ``module + name + str(args) + str(sorted(kwargs))``; ``noself=True``
drops the first positional argument; ``key_builder=`` replaces the key (opaque to us);
``key="..."`` makes every call share one entry. Memory caches store the object itself;
Redis and Memcached default to a JSON serializer.
"""
from __future__ import annotations

from .base import DecoratorUse, Library, ModelResult, argument, self_name, string_value


class Cached(Library):
    library = "aiocache"
    names = ("aiocache.cached", "aiocache.decorators.cached", "aiocache.cached_stampede", "aiocache.decorators.cached_stampede")
    display = "aiocache cached"
    forms = "called"
    async_aware = True

    def key_spec(self, use: DecoratorUse) -> ModelResult:
        serializer, persistent = self._storage(use)
        excluded = {}
        noself = argument(use.call, "noself")
        me = self_name(use)
        if me and noself is not None and getattr(noself, "value", None) == "True":
            excluded[me] = "noself=True"
        if argument(use.call, "key_builder") is not None:
            return ModelResult(self.spec(use, excluded, known=False, serializer=serializer, persistent=persistent))
        if string_value(argument(use.call, "key")) is not None:
            return ModelResult(self.spec(use, excluded, argument_keyed=False, serializer=serializer, persistent=persistent))
        return ModelResult(self.spec(use, excluded, serializer=serializer, persistent=persistent))

    def _storage(self, use: DecoratorUse):
        serializer_expr = argument(use.call, "serializer")
        cache_expr = argument(use.call, "cache")
        backend = (use.resolve(cache_expr) or "") if cache_expr is not None else ""
        remote = any(word in backend for word in ("REDIS", "Redis", "MEMCACHED", "Memcached"))
        if serializer_expr is not None:
            target = serializer_expr.func if hasattr(serializer_expr, "func") else serializer_expr
            name = use.resolve(target) or ""
            if "Json" in name or "JSON" in name:
                return "json", remote
            if "String" in name:
                return "repr", remote
            return ("pickle" if "Pickle" in name or "MsgPack" in name else "unknown"), remote
        return ("json" if remote else "none"), remote

    def exclusion_hint(self, param: str, use: DecoratorUse) -> str:
        if param in ("self", "cls"):
            return "pass noself=True"
        return "pass a key_builder that leaves it out"


class MultiCached(Cached):
    names = ("aiocache.multi_cached", "aiocache.decorators.multi_cached")
    display = "aiocache multi_cached"

    def key_spec(self, use: DecoratorUse) -> ModelResult:
        attr = string_value(argument(use.call, "keys_from_attr", 0))
        serializer, persistent = self._storage(use)
        if attr is None or argument(use.call, "key_builder") is not None:
            return ModelResult(self.spec(use, {}, known=False, serializer=serializer, persistent=persistent))
        excluded = {n: "keys_from_attr" for n in use.param_names if n != attr}
        return ModelResult(self.spec(use, excluded, serializer=serializer, persistent=persistent))


MODELS = (Cached(), MultiCached())

"""dogpile.cache ``CacheRegion.cache_on_arguments`` (dogpile.cache 1.5).

The default key generator joins ``str()`` of the positional arguments, skipping the first
one when the first parameter is *named* ``self`` or ``cls``; a custom
``function_key_generator=`` (here or on ``make_region``) decides otherwise. Storage is
the configured backend (memory keeps objects, others pickle).
"""
from __future__ import annotations

from .base import DecoratorUse, Library, ModelResult, argument, string_value


class CacheOnArguments(Library):
    library = "dogpile"
    names = ("dogpile.cache.region.CacheRegion.cache_on_arguments", "dogpile.cache.region.CacheRegion.cache_multi_on_arguments")
    display = "dogpile cache_on_arguments"
    forms = "called"
    serializer = "pickle"
    call_shape = "bound"

    def key_spec(self, use: DecoratorUse) -> ModelResult:
        excluded = {}
        first = use.first_param
        if first is not None and first.name in ("self", "cls"):
            excluded[first.name] = "skipped by name"
        if argument(use.call, "function_key_generator") is not None or argument(use.call, "to_str") is not None:
            return ModelResult(self.spec(use, excluded, known=False))
        factory = use.factory_call
        if factory is not None and argument(factory, "function_key_generator") is not None:
            return ModelResult(self.spec(use, excluded, known=False))
        backend = string_value(argument(factory, "backend", 0)) if factory is not None else None
        persistent = backend is not None and "memory" not in backend
        return ModelResult(self.spec(use, excluded, persistent=persistent, serializer="none" if backend and backend.endswith(".memory") else "pickle"))

    def exclusion_hint(self, param: str, use: DecoratorUse) -> str:
        return "pass a function_key_generator that leaves it out"


MODELS = (CacheOnArguments(),)

"""cachier ``@cachier(...)`` (cachier 4.2).

Arguments are bound to the signature with all defaults applied; a first parameter named
``self`` is dropped (all instances share entries). ``hash_func=`` replaces the key.
Persistent pickle files by default; ``backend="memory"`` keeps values in the process.
Only the called form works.
"""
from __future__ import annotations

from .base import DecoratorUse, Library, ModelResult, argument, string_value


class Cachier(Library):
    library = "cachier"
    names = ("cachier.cachier", "cachier.core.cachier")
    display = "cachier"
    forms = "called"
    async_aware = True
    persistent = True
    serializer = "pickle"
    call_shape = "bound"

    def key_spec(self, use: DecoratorUse) -> ModelResult:
        excluded = {}
        first = use.first_param
        if first is not None and first.name == "self":
            excluded["self"] = "skipped by name"
        persistent = string_value(argument(use.call, "backend")) != "memory"
        known = argument(use.call, "hash_func") is None and argument(use.call, "hash_params") is None
        return ModelResult(self.spec(use, excluded, known=known, persistent=persistent))

    def exclusion_hint(self, param: str, use: DecoratorUse) -> str:
        return f"pass hash_func= a function that drops '{param}' from the keyword mapping"


MODELS = (Cachier(),)

"""cachelint's own reference decorator ``cachelint.cacheable`` (DESIGN.md §6).

Bound to the signature with defaults; parameters whose name starts with ``_`` and names
in ``ignore=`` are left out; values pickled to disk; ``async def`` supported.
"""
from __future__ import annotations

from .base import DecoratorUse, Library, ModelResult, current_names, listed_exclusions, quoted_list


class Cacheable(Library):
    library = "cachelint"
    names = ("cachelint.cacheable", "cachelint.cacheable.cacheable")
    display = "cachelint.cacheable"
    forms = "both"
    async_aware = True
    persistent = True
    serializer = "pickle"
    call_shape = "bound"

    def key_spec(self, use: DecoratorUse) -> ModelResult:
        elements, listed = listed_exclusions(use, "ignore")
        excluded = {p.name: "underscore" for p in use.params if p.name.startswith("_")}
        excluded.update(listed)
        return ModelResult(self.spec(use, excluded), elements)

    def exclusion_hint(self, param: str, use: DecoratorUse) -> str:
        current = current_names(use.call, "ignore", use)
        return f"rename it to '_{param}' or exclude it with ignore=({quoted_list(current + [param])},)"


MODELS = (Cacheable(),)

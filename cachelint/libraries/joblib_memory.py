"""joblib ``Memory.cache`` (joblib 1.6 ``memory.py``, ``func_inspect.filter_args``).

Arguments are bound to the signature with all defaults filled in and hashed by content
(``joblib.hash``); ``ignore=[...]`` lists parameter names (and ``"*"``/``"**"``) to drop
and is only checked at the first call. Results are pickled to disk with ``joblib.dump``.
``async def`` is supported since 1.4.
"""
from __future__ import annotations

from .base import DecoratorUse, Library, ModelResult, argument, exclusions_from, names_excluded, quoted_list


class MemoryCache(Library):
    library = "joblib"
    names = ("joblib.Memory.cache",)
    display = "joblib Memory.cache"
    forms = "both"
    async_aware = True
    persistent = True
    serializer = "pickle"
    call_shape = "bound"

    def key_spec(self, use: DecoratorUse) -> ModelResult:
        elements = exclusions_from(argument(use.call, "ignore", 1), "ignore=")
        return ModelResult(self.spec(use, names_excluded(elements, use, by_index=False)), elements)

    def exclusion_hint(self, param: str, use: DecoratorUse) -> str:
        current = [e for e in _current_ignore(use)] + [param]
        return f"exclude it with ignore=[{quoted_list(current)}]"


def _current_ignore(use: DecoratorUse):
    elements = exclusions_from(argument(use.call, "ignore", 1), "ignore=")
    return [e.value for e in elements if isinstance(e.value, str)]


MODELS = (MemoryCache(),)

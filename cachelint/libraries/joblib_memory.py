"""joblib ``Memory.cache`` (joblib 1.6 ``memory.py``, ``func_inspect.filter_args``).

Arguments are bound to the signature with all defaults filled in and hashed by content
(``joblib.hash``); ``ignore=[...]`` lists parameter names (and ``"*"``/``"**"``) to drop
and is only checked at the first call. Results are pickled to disk with ``joblib.dump``.
``async def`` is supported since 1.4.
"""
from __future__ import annotations

from .base import DecoratorUse, Library, ModelResult, current_names, listed_exclusions, quoted_list


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
        elements, excluded = listed_exclusions(use, "ignore", 1)
        return ModelResult(self.spec(use, excluded), elements)

    def exclusion_hint(self, param: str, use: DecoratorUse) -> str:
        current = current_names(use.call, "ignore", use, 1) + [param]
        return f"exclude it with ignore=[{quoted_list(current)}]"


MODELS = (MemoryCache(),)

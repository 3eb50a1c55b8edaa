"""Streamlit ``st.cache_data``, ``st.cache_resource`` and the legacy ``st.cache``.

Every argument is hashed together with its parameter name, except parameters whose name
starts with an underscore (streamlit 1.67 ``cache_utils``). ``cache_data`` pickles each
value (``persist="disk"`` writes it to disk); ``cache_resource`` hands out the object
itself. Legacy ``st.cache`` (up to 1.35) hashed the whole argument tuple with no
underscore rule.
"""
from __future__ import annotations

import libcst as cst

from .base import DecoratorUse, Library, ModelResult, argument, string_value


class CacheData(Library):
    library = "streamlit"
    names = ("streamlit.cache_data", "streamlit.experimental_memo")
    display = "st.cache_data"
    forms = "both"
    async_aware = True
    serializer = "pickle"
    call_shape = "bound"

    def key_spec(self, use: DecoratorUse) -> ModelResult:
        excluded = {p.name: "underscore" for p in use.params if p.name.startswith("_")}
        persist = argument(use.call, "persist")
        persistent = persist is not None and (
            string_value(persist) == "disk" or (isinstance(persist, cst.Name) and persist.value == "True")
        )
        return ModelResult(self.spec(use, excluded, persistent=persistent))

    def exclusion_hint(self, param: str, use: DecoratorUse) -> str:
        return f"rename it to '_{param}' so {self.display} skips it when hashing"


class CacheResource(CacheData):
    names = ("streamlit.cache_resource", "streamlit.experimental_singleton")
    display = "st.cache_resource"
    serializer = "none"
    in_memory = True


class LegacyCache(Library):
    library = "streamlit"
    names = ("streamlit.cache",)
    display = "st.cache"
    forms = "both"
    serializer = "pickle"

    def exclusion_hint(self, param: str, use: DecoratorUse) -> str:
        return f"move to st.cache_data and rename it to '_{param}', or give its type a hash_funcs entry"


MODELS = (CacheData(), CacheResource(), LegacyCache())

"""Flask-Caching ``Cache.memoize`` and ``Cache.cached`` (Flask-Caching 2.5).

``memoize`` keys the ``repr()`` of the arguments normalised per positional-or-keyword
parameter; ``args_to_ignore=[...]`` names the parameters to drop; a first parameter named
``self``/``cls`` is keyed by its ``repr`` (or ``__caching_id__``). Only the called form
works: a bare ``@cache.memoize`` silently replaces the function. ``cached`` keys the
request path or ``key_prefix``, never the function's arguments.
"""
from __future__ import annotations

from .base import DecoratorUse, Library, ModelResult, argument, current_names, listed_exclusions, quoted_list


def _serializer(use: DecoratorUse) -> str:
    config = argument(use.factory_call, "config", 1)
    if config is not None and "JSON" in _code(config) and "CACHE_SERIALIZER" in _code(config):
        return "json"
    return "pickle"


def _code(node) -> str:
    import libcst as cst

    return cst.Module(body=[]).code_for_node(node)


class Memoize(Library):
    library = "flask_caching"
    names = ("flask_caching.Cache.memoize",)
    display = "Flask-Caching memoize"
    forms = "called"
    serializer = "pickle"
    call_shape = "bound"

    def key_spec(self, use: DecoratorUse) -> ModelResult:
        elements, excluded = listed_exclusions(use, "args_to_ignore")
        return ModelResult(self.spec(use, excluded, serializer=_serializer(use)), elements)

    def exclusion_hint(self, param: str, use: DecoratorUse) -> str:
        current = current_names(use.call, "args_to_ignore", use)
        return f"exclude it with args_to_ignore=[{quoted_list(current + [param])}]"


class Cached(Library):
    library = "flask_caching"
    names = ("flask_caching.Cache.cached",)
    display = "Flask-Caching cached"
    forms = "called"
    argument_keyed = False

    def key_spec(self, use: DecoratorUse) -> ModelResult:
        return ModelResult(self.spec(use, {}, serializer=_serializer(use)))


MODELS = (Memoize(), Cached())

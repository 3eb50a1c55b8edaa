"""functools ``lru_cache``, ``cache`` and ``cached_property`` (CPython ``Lib/functools.py``).

``_make_key`` keys the raw call shape: the positional tuple plus keyword items in call
order, ``self`` included; there is no way to exclude an argument. Values are the objects
themselves, held in the process.
"""
from __future__ import annotations

from .base import Library


class LruCache(Library):
    library = "functools"
    names = ("functools.lru_cache",)
    display = "functools.lru_cache"
    forms = "both"
    in_memory = True
    hash_based = True


class Cache(LruCache):
    names = ("functools.cache",)
    display = "functools.cache"
    forms = "bare"


class CachedProperty(Library):
    """Keyed by the attribute name on the instance; arguments play no part."""

    library = "functools"
    names = ("functools.cached_property",)
    display = "functools.cached_property"
    forms = "bare"
    argument_keyed = False
    in_memory = True


MODELS = (LruCache(), Cache(), CachedProperty())

"""The registry of library models: qualified name -> :class:`~.base.Library`.

``resolve_model`` is the single entry point used by the analysis: it takes the
qualified name a decorator resolved to (or ``None``) and its dotted text, and returns the
model that describes its key, or ``None`` when the decorator is not a cache.
"""
from __future__ import annotations

from typing import Dict, Iterable, Optional

from . import (
    aiocache_cached,
    async_lru_cache,
    cacheable_ref,
    cachetools_cached,
    cachier_cache,
    cashews_cache,
    diskcache_memoize,
    django_cache,
    dogpile_region,
    flask_caching_memoize,
    functools_cache,
    joblib_memory,
    methodtools_cache,
    others,
    prefect_task,
    streamlit_cache,
)
from .base import DecoratorUse, Library, ModelResult
from .fallback import ByName, Declared, Delegated, Inferred, is_cache_name

def inferred_model(summary) -> Optional[Library]:
    """The model of a project decorator from its :class:`cachelint.inference.Summary`."""
    if not summary.is_cache:
        return None
    if summary.delegate:
        inner = MODELS.get(summary.delegate)
        return Delegated(summary, inner) if inner is not None else Inferred(summary)
    return Inferred(summary)

__all__ = ["DecoratorUse", "Library", "ModelResult", "MODELS", "resolve_model", "canonical", "INSTANCE_TYPES", "KNOWN_ROOTS"]

_FAMILIES = (
    functools_cache, cachetools_cached, joblib_memory, diskcache_memoize, streamlit_cache,
    flask_caching_memoize, aiocache_cached, async_lru_cache, dogpile_region, cachier_cache,
    prefect_task, cashews_cache, methodtools_cache, django_cache, cacheable_ref, others,
)

MODELS: Dict[str, Library] = {}
for _family in _FAMILIES:
    for _model in _family.MODELS:
        for _name in _model.names:
            MODELS[_name] = _model

#: Spellings of the same object under another module path -> the canonical name.
_ALIASES = {
    "joblib.memory.Memory": "joblib.Memory",
    "diskcache.core.Cache": "diskcache.Cache",
    "diskcache.FanoutCache": "diskcache.Cache",
    "diskcache.fanout.FanoutCache": "diskcache.Cache",
    "diskcache.djangocache.DjangoCache": "diskcache.DjangoCache",
    "diskcache.recipes.memoize_stampede": "diskcache.memoize_stampede",
    "flask_caching.Cache": "flask_caching.Cache",
    "cachetools.func": "cachetools.func",
    "dogpile.cache.region.make_region": "dogpile.cache.make_region",
    "dogpile.cache.CacheRegion": "dogpile.cache.region.CacheRegion",
    "dogpile.cache.region.CacheRegion": "dogpile.cache.region.CacheRegion",
    "streamlit.runtime.caching.cache_data": "streamlit.cache_data",
    "streamlit.runtime.caching.cache_resource": "streamlit.cache_resource",
    "async_lru.alru_cache": "async_lru.alru_cache",
    "cachier.core.cachier": "cachier.cachier",
    "prefect.tasks.task": "prefect.task",
    "django.utils.functional.cached_property": "django.utils.functional.cached_property",
    "cashews.wrapper.Cache": "cashews.Cache",
    "gradio.cache": "gradio.cache",
}

#: Constructors whose result is a cache object with decorator methods -> the object's type.
INSTANCE_TYPES = {
    "joblib.Memory": "joblib.Memory",
    "diskcache.Cache": "diskcache.Cache",
    "diskcache.DjangoCache": "diskcache.DjangoCache",
    "flask_caching.Cache": "flask_caching.Cache",
    "dogpile.cache.make_region": "dogpile.cache.region.CacheRegion",
    "dogpile.cache.region.CacheRegion": "dogpile.cache.region.CacheRegion",
    "cashews.Cache": "cashews.Cache",
    "perscache.Cache": "perscache.Cache",
    "percache.Cache": "percache.Cache",
    "cacheout.Cache": "cacheout.Cache",
    "cacheout.LRUCache": "cacheout.LRUCache",
    "cacheout.LFUCache": "cacheout.LFUCache",
}

#: Methods that return the object they are called on (``make_region().configure(...)``).
CHAINING_METHODS = frozenset({"configure", "configure_from_config", "init_app", "setup"})

#: Top-level modules we model: a name under them without a model is not a cache.
KNOWN_ROOTS = frozenset(
    {
        "functools", "cachetools", "joblib", "diskcache", "streamlit", "flask_caching", "aiocache",
        "async_lru", "dogpile", "cachier", "prefect", "cashews", "methodtools", "django",
        "cachelint", "klepto", "perscache", "memoization", "fastcache", "cachebox", "cacheout",
        "gradio", "cache_to_disk", "percache", "asyncache", "cachetools_async",
    }
)


def canonical(qualname: str) -> str:
    """Map a qualified name to its canonical spelling (``joblib.memory.Memory`` -> ``joblib.Memory``)."""
    if qualname in _ALIASES:
        return _ALIASES[qualname]
    for prefix, target in _ALIASES.items():
        if qualname.startswith(prefix + "."):
            return target + qualname[len(prefix):]
    return qualname


def declared_models(decls: Iterable) -> Dict[str, Library]:
    """Models for decorators declared in configuration (``config.DecoratorDecl`` objects)."""
    return {d.qualname: Declared(d) for d in decls}


def resolve_model(qualname: Optional[str], dotted: Optional[str], declared: Dict[str, Library],
                  project: Optional[Dict] = None) -> Optional[Library]:
    """Return the model for a decorator, or None when it is not a cache.

    ``qualname`` is the resolved qualified name (None when unresolved), ``dotted`` the
    decorator's dotted text as written (``"cache.memoize"``), ``declared`` the models
    from configuration (checked first, by qualified name and by dotted text), ``project``
    the linted project's own decorators (qualified name -> ``inference.Summary``): one
    whose body was read and found not to cache is not a cache, whatever its name.
    """
    for name in (qualname, dotted):
        if name and name in declared:
            return declared[name]
    if project is not None and qualname:
        key = qualname[: -len(".__call__")] if qualname.endswith(".__call__") else qualname
        if key in project:
            return inferred_model(project[key])
    if qualname:
        qualname = canonical(qualname)
        if qualname in MODELS:
            return MODELS[qualname]
        if qualname.split(".")[0] in KNOWN_ROOTS:
            return None
    name = qualname or dotted
    if not name:
        return None
    last = name.split(".")[-1]
    if last == "__call__":
        last = name.split(".")[-2] if name.count(".") >= 1 else last
    return ByName(name) if is_cache_name(last) else None

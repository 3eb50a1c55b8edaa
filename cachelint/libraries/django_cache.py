"""Django's view caching and ``cached_property`` (Django 5.2).

``cache_page`` keys the request URL and ``Vary`` headers, ``cached_property`` the
attribute name; neither keys the function's arguments, so no keyed-parameter rule applies.
They are modelled so the by-name fallback never mistakes them for argument caches.
"""
from __future__ import annotations

from .base import Library


class NotArgumentKeyed(Library):
    library = "django"
    names = (
        "django.views.decorators.cache.cache_page",
        "django.views.decorators.cache.cache_control",
        "django.views.decorators.cache.never_cache",
        "django.views.decorators.vary.vary_on_headers",
        "django.views.decorators.vary.vary_on_cookie",
        "django.utils.functional.cached_property",
    )
    display = "Django view cache"
    argument_keyed = False
    async_aware = True


MODELS = (NotArgumentKeyed(),)

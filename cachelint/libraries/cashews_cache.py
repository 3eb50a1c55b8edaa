"""cashews ``cache(ttl=..., key=...)`` and its strategies (cashews 7.6).

Without ``key=`` the template covers every parameter, ``self`` included (``noself``
removes it). A ``key="user:{user_id}"`` template keys only the parameters it names;
unknown placeholders raise at decoration. Only the called form works.
"""
from __future__ import annotations

import re

from ..models import ExclusionElement
from .base import DecoratorUse, Library, ModelResult, argument, self_name, string_value

_FIELD = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)")
_STRATEGIES = ("early", "soft", "hit", "failover", "locked", "iterator", "dynamic")


class Cache(Library):
    library = "cashews"
    names = ("cashews.cache", "cashews.Cache.__call__") + tuple(f"cashews.cache.{s}" for s in _STRATEGIES)
    display = "cashews cache"
    forms = "called"
    async_aware = True

    def key_spec(self, use: DecoratorUse) -> ModelResult:
        excluded = {}
        if use.options.get("noself"):
            me = self_name(use)
            if me:
                excluded[me] = "noself"
        key_expr = argument(use.call, "key")
        template = string_value(key_expr)
        if key_expr is not None and template is None:
            return ModelResult(self.spec(use, excluded, known=False))
        elements = ()
        if template is not None:
            fields = _FIELD.findall(template)
            elements = tuple(ExclusionElement(f, "key template", key_expr) for f in fields)
            excluded.update({n: "key=" for n in use.param_names if n not in fields and n not in excluded})
        return ModelResult(self.spec(use, excluded), elements)

    def template_fields(self, use: DecoratorUse):
        template = string_value(argument(use.call, "key"))
        return _FIELD.findall(template) if template else []

    def exclusion_hint(self, param: str, use: DecoratorUse) -> str:
        others = [n for n in use.param_names if n not in (param, "self", "cls")]
        fields = ":".join("{%s}" % n for n in others)
        return f'pass key="{fields}" so the key names only what shapes the result'


MODELS = (Cache(),)

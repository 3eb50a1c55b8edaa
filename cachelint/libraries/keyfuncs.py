"""Reading custom key callables (``key=`` of cachetools and async-lru).

A lambda or module-level function whose body returns ``hashkey(...)``/``typedkey(...)``/
``methodkey(...)`` over some of its parameters keys exactly those parameters (cachetools
calls the key function with the call's own arguments, so its parameters mirror the
decorated function's; see LIBRARIES.md "cachetools"). Anything else is opaque.
"""
from __future__ import annotations

from typing import Dict, List, Optional, Set

import libcst as cst

from .base import DecoratorUse
from ..walk import names_read

KEY_BUILDERS = {
    "cachetools.keys.hashkey": "hashkey",
    "cachetools.hashkey": "hashkey",
    "cachetools.keys.typedkey": "typedkey",
    "cachetools.typedkey": "typedkey",
    "cachetools.keys.methodkey": "methodkey",
    "cachetools.methodkey": "methodkey",
    "cachetools.keys.typedmethodkey": "methodkey",
}


_names_in = names_read  # ``user.id`` reads ``user``; the attribute name itself is no parameter


def _key_params(params: cst.Parameters) -> List[str]:
    out = [p.name.value for p in list(params.posonly_params) + list(params.params)]
    return out


def keyed_by_callable(expr: cst.BaseExpression, use: DecoratorUse) -> Optional[Set[str]]:
    """Return the decorated function's parameters that the key callable ``expr`` keys.

    ``None`` means the callable cannot be read (the KeySpec becomes unknown). The
    callable's parameters are mapped to the function's by name, else by position.
    """
    qual = use.resolve(expr)
    if qual in KEY_BUILDERS:
        return set(use.param_names)
    body: Optional[cst.BaseExpression] = None
    key_params: Optional[cst.Parameters] = None
    if isinstance(expr, cst.Lambda):
        body, key_params = expr.body, expr.params
    elif isinstance(expr, cst.Name):
        fn = use.options.get("functions", {}).get(expr.value)
        if fn is None or not isinstance(fn.body, cst.IndentedBlock):
            return None
        returns = [
            s.body[0].value
            for s in fn.body.body
            if isinstance(s, cst.SimpleStatementLine) and isinstance(s.body[0], cst.Return) and s.body[0].value is not None
        ]
        if len(returns) != 1:
            return None
        body, key_params = returns[0], fn.params
    if body is None or key_params is None:
        return None
    if not (isinstance(body, cst.Call) and use.resolve(body.func) in KEY_BUILDERS):
        return None
    used = set()
    for arg in body.args:
        used |= _names_in(arg.value)
    mine = _key_params(key_params)
    fn_names = use.param_names
    mapping: Dict[str, str] = {}
    for i, name in enumerate(mine):
        if name in fn_names:
            mapping[name] = name
        elif i < len(fn_names):
            mapping[name] = fn_names[i]
    for extra in (key_params.star_arg, key_params.star_kwarg):
        if isinstance(extra, cst.Param) and extra.name.value in used:
            return None  # forwards *args/**kwargs wholesale: cannot tell which
    for p in key_params.kwonly_params:
        if p.name.value in fn_names:
            mapping[p.name.value] = p.name.value
    return {mapping[n] for n in used if n in mapping}

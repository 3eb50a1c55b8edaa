"""The shape of a library model and helpers to read decorator arguments.

A :class:`Library` describes one cache decorator (or a family with identical key
semantics): which qualified names it answers to, whether it accepts the bare and/or the
called form, and :meth:`Library.key_spec`, which reads the decorator's arguments and the
function's signature and returns the :class:`~cachelint.models.KeySpec` the library
builds at run time. The facts behind each model are in ``shared/LIBRARIES.md``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import libcst as cst

from ..models import ExclusionElement, KeySpec, Param


@dataclass(frozen=True)
class DecoratorUse:
    """Everything a library model may read about one decorator application.

    Attributes:
        qualname: the resolved qualified name (``"joblib.Memory.cache"``).
        call: the decorator's ``cst.Call`` when written in called form, else ``None``.
        params: the decorated function's parameters, in order.
        is_method: the function is defined in a class body and is neither a
            ``staticmethod`` nor a ``classmethod``.
        factory_call: the call that created the object the decorator is an attribute of
            (``Memory("dir")`` for ``memory.cache``), when it could be found.
        resolve: maps an expression to its qualified name (or ``None``), using the
            module's imports.
        options: library-specific extras (declared decorator settings).
    """

    qualname: str
    call: Optional[cst.Call]
    params: Tuple[Param, ...]
    is_method: bool = False
    factory_call: Optional[cst.Call] = None
    resolve: Callable[[cst.BaseExpression], Optional[str]] = lambda expr: None
    options: Dict[str, Any] = field(default_factory=dict)

    @property
    def param_names(self) -> List[str]:
        return [p.name for p in self.params]

    @property
    def first_param(self) -> Optional[Param]:
        return self.params[0] if self.params and self.params[0].kind in ("posonly", "normal") else None


@dataclass(frozen=True)
class ModelResult:
    """What a model found: the key spec plus the exclusion elements as written."""

    spec: KeySpec
    exclusions: Tuple[ExclusionElement, ...] = ()


class Library:
    """Base class of every library model.

    Class attributes:
        library: short id shown in messages (``"joblib"``).
        names: qualified names this model handles.
        display: how the decorator is spelled in messages (``"joblib Memory.cache"``).
        forms: ``"both"``, ``"bare"`` (only ``@deco``) or ``"called"`` (only ``@deco(...)``).
        async_aware: the decorator awaits coroutines itself (CL501 does not apply).
        in_memory: values live in the process (CL503 applies when ``self`` is keyed).
        hash_based: arguments must be hashable (CL504 applies).
        persistent / serializer / call_shape: defaults for the KeySpec.
    """

    library = "unknown"
    names: Tuple[str, ...] = ()
    display = "cache decorator"
    forms = "both"
    async_aware = False
    in_memory = False
    hash_based = False
    persistent = False
    serializer = "none"
    call_shape = "raw"
    argument_keyed = True

    def is_cached(self, use: DecoratorUse) -> bool:
        """Whether this use caches at all (a prefect ``@task`` without a policy does not)."""
        return True

    def key_spec(self, use: DecoratorUse) -> ModelResult:
        """Return the key spec for ``use``; the default keys every parameter."""
        return ModelResult(self.spec(use, {}))

    def spec(self, use: DecoratorUse, excluded: Dict[str, str], **overrides: Any) -> KeySpec:
        """Build a KeySpec keying every parameter of ``use`` except ``excluded``."""
        values = dict(
            keyed=tuple(n for n in use.param_names if n not in excluded),
            excluded=dict(excluded),
            persistent=self.persistent,
            serializer=self.serializer,
            call_shape=self.call_shape,
            argument_keyed=self.argument_keyed,
        )
        values.update(overrides)
        return KeySpec(**values)

    def exclusion_hint(self, param: str, use: DecoratorUse) -> str:
        """How to leave ``param`` out of this library's key, in the library's own spelling."""
        return (
            f"{self.display} cannot leave an argument out of its key; move the cache to an inner "
            f"function that does not take '{param}'"
        )


# -- reading decorator arguments ---------------------------------------------------------
def argument(call: Optional[cst.Call], keyword: str, position: Optional[int] = None) -> Optional[cst.BaseExpression]:
    """Return the expression passed as ``keyword=`` (or at ``position``) in ``call``, or None."""
    if call is None:
        return None
    positional = 0
    for arg in call.args:
        if arg.keyword is not None:
            if arg.keyword.value == keyword:
                return arg.value
        elif arg.star == "":
            if position is not None and positional == position:
                return arg.value
            positional += 1
    return None


def string_value(expr: Optional[cst.BaseExpression]) -> Optional[str]:
    """The value of a plain (non-f) string literal, else None."""
    if isinstance(expr, (cst.SimpleString, cst.ConcatenatedString)):
        value = expr.evaluated_value
        return value if isinstance(value, str) else None
    return None


def int_value(expr: Optional[cst.BaseExpression]) -> Optional[int]:
    """The value of an integer literal (``-1`` included), else None."""
    if isinstance(expr, cst.Integer):
        return int(expr.evaluated_value)
    if isinstance(expr, cst.UnaryOperation) and isinstance(expr.operator, cst.Minus) and isinstance(expr.expression, cst.Integer):
        return -int(expr.expression.evaluated_value)
    return None


def literal_elements(expr: Optional[cst.BaseExpression]) -> Optional[List[Tuple[Any, cst.CSTNode]]]:
    """Elements of a list/tuple/set literal (or a lone string) as ``(value, node)``.

    Values are str or int; other elements are returned with value ``None``. Returns
    ``None`` when ``expr`` is not a literal collection (a variable, a call...).
    """
    if expr is None:
        return None
    single = string_value(expr)
    if single is not None:
        return [(single, expr)]
    if isinstance(expr, (cst.List, cst.Tuple, cst.Set)):
        out: List[Tuple[Any, cst.CSTNode]] = []
        for el in expr.elements:
            if isinstance(el, cst.StarredElement):
                return None
            value = string_value(el.value)
            if value is None:
                value = int_value(el.value)
            out.append((value, el.value))
        return out
    if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Name) and expr.func.value in ("frozenset", "set", "tuple", "list") and len(expr.args) == 1:
        return literal_elements(expr.args[0].value)
    return None


def exclusions_from(expr: Optional[cst.BaseExpression], mechanism: str) -> Tuple[ExclusionElement, ...]:
    """ExclusionElements for a literal exclusion collection (empty when not literal)."""
    elements = literal_elements(expr) or []
    return tuple(ExclusionElement(value, mechanism, node) for value, node in elements if value is not None)


def listed_exclusions(use: DecoratorUse, keyword: str, position: Optional[int] = None,
                      by_index: bool = False) -> Tuple[Tuple[ExclusionElement, ...], Dict[str, str]]:
    """The exclusion list passed as ``keyword=`` (or at ``position``): its elements as written
    and the parameters they leave out, the mechanism shown as ``"keyword="``."""
    elements = exclusions_from(argument(use.call, keyword, position), f"{keyword}=")
    return elements, names_excluded(elements, use, by_index=by_index)


def names_excluded(elements: Sequence[ExclusionElement], use: DecoratorUse, by_index: bool = True) -> Dict[str, str]:
    """Map the parameters named (or indexed) by ``elements`` to their mechanism string."""
    excluded: Dict[str, str] = {}
    positional = [p for p in use.params if p.position is not None]
    names = set(use.param_names)
    for el in elements:
        if isinstance(el.value, str):
            if el.value in names:
                excluded[el.value] = el.mechanism
            elif el.value == "*":
                excluded.update({p.name: el.mechanism for p in use.params if p.kind == "vararg"})
            elif el.value == "**":
                excluded.update({p.name: el.mechanism for p in use.params if p.kind == "kwarg"})
        elif isinstance(el.value, int) and by_index and 0 <= el.value < len(positional):
            excluded[positional[el.value].name] = el.mechanism
    return excluded


def self_name(use: DecoratorUse) -> Optional[str]:
    """Name of the first parameter when the function is a method and it is ``self``/``cls``."""
    first = use.first_param
    if first is not None and (use.is_method or first.name in ("self", "cls")):
        return first.name
    return None


def quoted_list(names: Sequence[str]) -> str:
    return ", ".join(f'"{n}"' for n in names)


def current_names(call: Optional[cst.Call], keyword: str, use: DecoratorUse, position: Optional[int] = None) -> List[str]:
    """Parameter names already listed in an exclusion argument (misspelled ones left out)."""
    names = set(use.param_names)
    return [e.value for e in exclusions_from(argument(call, keyword, position), "") if isinstance(e.value, str) and e.value in names]

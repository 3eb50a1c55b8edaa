"""Core value objects that flow through the pipeline.

``files`` yields paths, ``analysis`` turns a parsed module into :class:`CacheSite`
objects (each carrying a :class:`KeySpec`), rules turn sites into :class:`Diagnostic`
objects. All of them are frozen dataclasses so they can be shared between rules and
pickled between worker processes.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, Optional, Tuple

#: Severity names used in every output format.
ERROR = "error"
WARNING = "warning"

#: Serializer identifiers used by :attr:`KeySpec.serializer`.
SERIALIZERS = ("none", "pickle", "json", "repr", "unknown")


@dataclass(frozen=True)
class Param:
    """One parameter of a cached function.

    Attributes:
        name: the parameter's name as written.
        kind: one of ``"posonly"``, ``"normal"`` (positional-or-keyword), ``"vararg"``
            (``*args``), ``"kwonly"``, ``"kwarg"`` (``**kwargs``).
        position: 0-based index among the positional parameters, or ``None`` for
            keyword-only and variadic parameters.
        annotation: the annotation's source text (``"bytes"``, ``"logging.Logger"``) or ``None``.
        default: the default value's source text or ``None`` when there is none.
        node: the libcst ``Param`` node (used for positions); excluded from equality.
    """

    name: str
    kind: str
    position: Optional[int] = None
    annotation: Optional[str] = None
    default: Optional[str] = None
    node: Any = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class KeySpec:
    """What a cache decorator puts into the cache key for one decorated function.

    Attributes:
        keyed: names of the parameters that are part of the key, in signature order.
        excluded: parameter name -> the mechanism that leaves it out of the key
            (``"ignore="``, ``"underscore"``, ``"noself"``, ``"self skipped by name"``,
            ``"key="``...). The mechanism string is shown to users.
        known: ``False`` when an opaque custom key callable decides the key; rules about
            keyed parameters then stay silent.
        persistent: the cache outlives the process (disk, database, remote server).
        serializer: how values are stored: ``"none"`` (the object itself), ``"pickle"``,
            ``"json"``, ``"repr"`` or ``"unknown"``.
        call_shape: ``"raw"`` when the key is the call's positional/keyword shape,
            ``"bound"`` when arguments are bound to the signature first.
        argument_keyed: ``False`` for decorators whose key does not come from the
            function's arguments at all (Django ``cache_page``, ``cached_property``,
            Flask-Caching ``cached``): no keyed-parameter rule applies.
    """

    keyed: Tuple[str, ...] = ()
    excluded: Dict[str, str] = field(default_factory=dict)
    known: bool = True
    persistent: bool = False
    serializer: str = "none"
    call_shape: str = "raw"
    argument_keyed: bool = True

    def is_keyed(self, name: str) -> bool:
        """Return True when parameter ``name`` is known to be part of the key."""
        return self.known and self.argument_keyed and name in self.keyed


@dataclass(frozen=True)
class ExclusionElement:
    """One element of an exclusion list as written at the decorator.

    ``ignore=["job_id", 0]`` yields two elements. ``value`` is the parameter name (str)
    or positional index (int) it names; ``node`` is the libcst node of the element,
    used to report CL304/CL305 at the exact element.
    """

    value: Any
    mechanism: str
    node: Any = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Fix:
    """A suggested edit. ``description`` is always present; ``replacement`` may be None."""

    description: str
    replacement: Optional[str] = None

    def as_dict(self) -> Dict[str, Any]:
        return {"description": self.description, "replacement": self.replacement}


@dataclass(frozen=True)
class Diagnostic:
    """One finding, with a 1-based source range.

    ``function`` is the cached function's qualified name within its module
    (``"Client.fetch"``) or ``None``; ``parameter`` names the parameter concerned or
    ``None``. The JSON output is exactly :meth:`as_dict`.
    """

    code: str
    name: str
    severity: str
    message: str
    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    function: Optional[str] = None
    parameter: Optional[str] = None
    fix: Optional[Fix] = None

    def sort_key(self) -> Tuple[str, int, int, str]:
        return (self.path, self.line, self.column, self.code)

    def as_dict(self) -> Dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "severity": self.severity,
            "message": self.message,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "function": self.function,
            "parameter": self.parameter,
            "fix": self.fix.as_dict() if self.fix else None,
        }


@dataclass(frozen=True)
class CacheSite:
    """One cache decorator applied to one function definition.

    Attributes:
        function: the ``libcst.FunctionDef``.
        decorator: the ``libcst.Decorator`` that caches it.
        decorator_index: position of ``decorator`` in the decorator list (0 = topmost).
        model: the library model (:class:`cachelint.libraries.base.Library`).
        qualname: the decorator's resolved qualified name or dotted text.
        called: the decorator is written in called form (``@deco(...)``).
        spec: the key the library builds.
        exclusions: exclusion elements as written at the decorator.
        params: the function's parameters.
        function_name: qualified name inside the module (``"Client.fetch"``).
        is_async / is_generator: the function is ``async def`` / a generator.
        class_node: the enclosing ``ClassDef`` when defined directly in a class body.
        method_kind: ``"instance"``, ``"static"``, ``"class"``, ``"property"`` or None.
        nested_in_function: defined inside another function's body.
        decorator_names: resolved names (or dotted text) of every decorator, top first.
        use: the :class:`cachelint.libraries.base.DecoratorUse` the model read.
        top_statement: the module-level statement that contains the function.
    """

    function: Any = field(compare=False, repr=False)
    decorator: Any = field(compare=False, repr=False)
    decorator_index: int
    model: Any = field(compare=False, repr=False)
    qualname: str
    called: bool
    spec: KeySpec
    exclusions: Tuple[ExclusionElement, ...]
    params: Tuple[Param, ...]
    function_name: str
    is_async: bool = False
    is_generator: bool = False
    class_node: Any = field(default=None, compare=False, repr=False)
    method_kind: Optional[str] = None
    nested_in_function: bool = False
    decorator_names: Tuple[str, ...] = ()
    use: Any = field(default=None, compare=False, repr=False)
    top_statement: Any = field(default=None, compare=False, repr=False)

    def param(self, name: str) -> Optional[Param]:
        """The parameter called ``name``, or None."""
        for p in self.params:
            if p.name == name:
                return p
        return None

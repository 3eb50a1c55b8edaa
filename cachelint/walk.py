"""Read-only walks over libcst trees.

libcst's own ``CSTNode.visit`` (and the ``children`` property) rebuild every node they
pass through, validating each copy; on the functions cachelint reads that costs about
twenty times more than reading the fields. The rules only read, so they walk with the
helpers here:

* :class:`FastVisitor`: libcst's ``visit_<Type>``/``leave_<Type>`` protocol over the
  syntax fields (whitespace, brackets and punctuation are skipped), children in source
  order as libcst visits them;
* :func:`nodes_of`: every node of some types under a node, in source order;
* :func:`comments`: every comment under a node, whitespace fields included.

Field order comes from the node dataclasses (``libcst/_nodes``); where a class declares
its fields in another order than they appear in code (``FunctionDef`` puts ``body``
before ``decorators``), :data:`_SOURCE_ORDER` gives the order of libcst's own
``_visit_and_replace_children``.
"""
from __future__ import annotations

import dataclasses
from typing import Dict, List, Set, Tuple, Type, Union

import libcst as cst

#: Fields that hold only whitespace, comments, brackets or punctuation.
_SKIP_FIELDS = frozenset(
    {
        "leading_lines", "lines_after_decorators", "lpar", "rpar", "comma", "semicolon", "whitespace",
        "whitespace_before", "whitespace_after", "header", "footer", "trailing_whitespace", "newline",
        "whitespace_after_def", "whitespace_after_name", "whitespace_before_params", "whitespace_before_colon",
        "whitespace_after_at", "whitespace_after_class", "whitespace_after_async", "whitespace_after_arg",
        "whitespace_after_star", "whitespace_after_param", "whitespace_before_indicator",
        "whitespace_after_indicator", "whitespace_before_expression", "whitespace_after_expression",
    }
)

#: Syntax fields of the classes whose dataclass order differs from the order in code
#: (measured against ``CSTNode.children`` over the standard library).
_SOURCE_ORDER: Dict[str, Tuple[str, ...]] = {
    "Arg": ("keyword", "equal", "value"),
    "ClassDef": ("decorators", "name", "type_parameters", "bases", "keywords", "body"),
    "FunctionDef": ("decorators", "asynchronous", "name", "type_parameters", "params", "returns", "body"),
    "ExceptHandler": ("type", "name", "body"),
    "IfExp": ("body", "test", "orelse"),
    "MatchCase": ("pattern", "guard", "body"),
    "Parameters": ("posonly_params", "posonly_ind", "params", "star_arg", "kwonly_params", "star_kwarg"),
}

#: type -> whether it is a libcst node class (``isinstance`` against the abstract
#: ``CSTNode`` goes through ``ABCMeta.__instancecheck__``: a dict lookup is several times cheaper)
_IS_NODE: Dict[type, bool] = {}
_FIELDS: Dict[type, Tuple[str, ...]] = {}
_ALL_FIELDS: Dict[type, Tuple[str, ...]] = {}
_DISPATCH: Dict[Tuple[type, type], Tuple[object, object]] = {}


def _is_node(cls: type) -> bool:
    answer = _IS_NODE.get(cls)
    if answer is None:
        answer = _IS_NODE[cls] = issubclass(cls, cst.CSTNode)
    return answer


def syntax_fields(cls: type) -> Tuple[str, ...]:
    """The names of ``cls``'s fields that can hold syntax nodes, in source order.

    ``cls`` is a libcst node class; whitespace, bracket and punctuation fields are left out.
    """
    names = _FIELDS.get(cls)
    if names is None:
        declared = [f.name for f in dataclasses.fields(cls) if f.name not in _SKIP_FIELDS]
        order = _SOURCE_ORDER.get(cls.__name__)
        if order is not None:
            declared = [n for n in order if n in declared] + [n for n in declared if n not in order]
        names = _FIELDS[cls] = tuple(declared)
    return names


class FastVisitor:
    """A read-only walk with libcst's ``visit_<Type>``/``leave_<Type>`` protocol.

    ``visit_<Type>(node)`` returning ``False`` skips the node's children; ``leave_<Type>``
    runs after them. Children come in source order. Attribute hooks
    (``visit_<Type>_<field>``) and whitespace nodes are not visited.
    """

    def walk(self, node: cst.CSTNode) -> None:
        """Visit ``node`` and everything under it."""
        key = (type(self), type(node))
        pair = _DISPATCH.get(key)
        if pair is None:
            name = type(node).__name__
            pair = _DISPATCH[key] = (getattr(type(self), "visit_" + name, None), getattr(type(self), "leave_" + name, None))
        visit, leave = pair
        if visit is None or visit(self, node) is not False:  # type: ignore[operator]
            for child in _child_nodes(node, syntax_fields(type(node))):
                self.walk(child)
        if leave is not None:
            leave(self, node)  # type: ignore[operator]


def nodes_of(node: cst.CSTNode, kind: Union[Type[cst.CSTNode], Tuple[Type[cst.CSTNode], ...]]) -> List[cst.CSTNode]:
    """Every node under ``node`` (itself included) that is an instance of ``kind``, in source order."""
    out: List[cst.CSTNode] = []
    matches: Dict[type, bool] = {}  # per type: cheaper than isinstance against ABCMeta classes

    def walk(current: cst.CSTNode) -> None:
        ctype = type(current)
        match = matches.get(ctype)
        if match is None:
            match = matches[ctype] = issubclass(ctype, kind)
        if match:
            out.append(current)
        for child in _child_nodes(current, syntax_fields(ctype)):
            walk(child)

    walk(node)
    return out


def comments(node: cst.CSTNode) -> List[cst.Comment]:
    """Every ``Comment`` under ``node``, whitespace fields included (in no particular order)."""
    out: List[cst.Comment] = []
    stack: List[object] = [node]
    fields = _ALL_FIELDS
    while stack:
        current = stack.pop()
        if type(current) is cst.Comment:
            out.append(current)
            continue
        cls = type(current)
        names = fields.get(cls)
        if names is None:
            names = fields[cls] = tuple(f.name for f in dataclasses.fields(cls))
        stack.extend(_child_nodes(current, names))
    return out


def syntax_children(node: cst.CSTNode) -> List[cst.CSTNode]:
    """The syntax nodes directly under ``node``, in source order (whitespace left out)."""
    return _child_nodes(node, syntax_fields(type(node)))


def _child_nodes(node: cst.CSTNode, field_names: Tuple[str, ...]) -> List[cst.CSTNode]:
    """The nodes held by ``node``'s fields ``field_names``, in that order (sequences flattened)."""
    out: List[cst.CSTNode] = []
    for field_name in field_names:
        value = getattr(node, field_name)
        vtype = type(value)
        if vtype is tuple or vtype is list:
            out.extend(item for item in value if _IS_NODE.get(type(item)) or _is_node(type(item)))
        elif _IS_NODE.get(vtype) or (value is not None and _is_node(vtype)):
            out.append(value)
    return out


def names_read(node: cst.CSTNode) -> Set[str]:
    """The ``Name`` values under ``node``, attribute names left out (``user.id`` reads ``user``)."""
    names = _Names()
    names.walk(node)
    return names.found


class _Names(FastVisitor):
    def __init__(self) -> None:
        self.found: Set[str] = set()

    def visit_Name(self, node: cst.Name) -> None:
        self.found.add(node.value)

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        self.walk(node.value)
        return False

"""Small intra-function data flow: does a value reach what a function returns?

Rules about what shapes a cached result (CL201–CL203) ask the same few questions about
one function body: which local names are derived from a parameter or from some
expression, which calls receive such a value, and whether it reaches a ``return`` (or a
``yield``). This module answers them with a deliberately simple model:

* **flow-insensitive** – every binding in the body is considered, in any order, until
  nothing changes (a name tainted anywhere is tainted everywhere);
* **value flow only** – a value used in an ``if``/``while`` test, or as the condition of a
  conditional expression, decides *which* branch runs but does not flow into the result;
* **tools are not data** – calling a method on a value (``conn.execute(sql)``) does not make
  the result derived from ``conn`` unless the caller says the value is data
  (``df.groupby(...)``); passing it as an *argument* does;
* **nested scopes are skipped** – a nested ``def``, ``lambda`` or ``class`` body runs later,
  if ever, so neither its reads nor its bindings count.

Everything is computed from libcst nodes of one function; :func:`facts` is cheap and the
result can be cached per function.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Set, Tuple

import libcst as cst
from libcst.metadata import BuiltinScope, ComprehensionScope, GlobalScope, MetadataWrapper, ScopeProvider

from .walk import FastVisitor, nodes_of, syntax_children

#: Method names that only report (logging, printing, warnings): their arguments go nowhere.
LOGGING_METHODS = frozenset(
    {"debug", "info", "warning", "warn", "error", "exception", "critical", "fatal", "log", "trace", "success"}
)
#: Builtins whose result tells nothing about the value of their arguments' content.
SILENT_BUILTINS = frozenset({"print", "isinstance", "issubclass", "callable", "hasattr", "id", "breakpoint"})

#: Methods that read their receiver without changing it: ``d.get(k)`` does not put ``k`` into ``d``.
_PURE_METHODS = frozenset(
    {
        "get", "index", "count", "find", "rfind", "startswith", "endswith", "format", "format_map", "join",
        "split", "rsplit", "partition", "rpartition", "strip", "lstrip", "rstrip", "replace", "encode",
        "decode", "lower", "upper", "copy", "keys", "values", "items", "issubset", "issuperset",
        "isdisjoint", "union", "intersection", "difference", "symmetric_difference", "match", "search",
        "fullmatch", "sub", "subn", "findall", "finditer", "group", "groups", "with_changes", "flush",
        "close", "exists", "is_file", "is_dir", "joinpath", "with_suffix", "with_name", "relative_to",
    }
)
_BINDING_METHODS_SKIP = LOGGING_METHODS | _PURE_METHODS


@dataclass
class Binding:
    """``targets`` receive a value derived from ``value``.

    ``args_only`` marks a method call that mutates its receiver
    (``rows.append(x)``, ``model.fit(data)``): only the call's arguments feed the target.
    """

    targets: Tuple[str, ...]
    value: cst.CSTNode
    args_only: bool = False


@dataclass
class FunctionFacts:
    """What a function body does with values, outside nested scopes.

    Attributes:
        func: the ``libcst.FunctionDef``.
        params: parameter names in signature order.
        bindings: every assignment-like statement (see :class:`Binding`).
        results: the expressions of ``return`` and ``yield`` statements.
        calls: every call evaluated directly in the body.
        tests: conditions of ``if``/``while``/``assert`` statements and conditional expressions.
        local_names: names bound in the body (assignments, loops, imports, nested defs...).
        global_decls: names declared ``global`` in the body.
    """

    func: cst.FunctionDef
    params: Tuple[str, ...]
    bindings: List[Binding] = field(default_factory=list)
    results: List[cst.CSTNode] = field(default_factory=list)
    calls: List[cst.Call] = field(default_factory=list)
    tests: List[cst.CSTNode] = field(default_factory=list)
    local_names: Set[str] = field(default_factory=set)
    global_decls: Set[str] = field(default_factory=set)


def target_names(target: cst.CSTNode) -> Tuple[str, ...]:
    """Names an assignment target binds or mutates.

    ``a`` -> ``("a",)``; ``a, (b, *c)`` -> ``("a", "b", "c")``; ``rows[i]`` and ``obj.x``
    -> the root name (``"rows"``, ``"obj"``) since the container now holds the value;
    ``self.x``/``cls.x`` bind nothing local.
    """
    if isinstance(target, cst.Name):
        return (target.value,)
    if isinstance(target, (cst.Tuple, cst.List)):
        out: Tuple[str, ...] = ()
        for el in target.elements:
            out += target_names(el.value)
        return out
    if isinstance(target, cst.StarredElement):
        return target_names(target.value)
    if isinstance(target, (cst.Attribute, cst.Subscript)):
        root = root_name(target)
        if root is not None and root not in ("self", "cls"):
            return (root,)
    return ()


def root_name(expr: cst.CSTNode) -> Optional[str]:
    """``a`` for ``a``, ``a.b.c``, ``a[0].b``; None when the chain starts elsewhere."""
    while isinstance(expr, (cst.Attribute, cst.Subscript)):
        expr = expr.value
    return expr.value if isinstance(expr, cst.Name) else None


class _Collector(FastVisitor):
    def __init__(self, facts: FunctionFacts) -> None:
        self.facts = facts

    # nested scopes: their name is a local binding, their body does not run here
    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        self.facts.local_names.add(node.name.value)
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        self.facts.local_names.add(node.name.value)
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def _bind(self, target: cst.CSTNode, value: cst.CSTNode) -> None:
        names = target_names(target)
        if isinstance(target, cst.Name) or isinstance(target, (cst.Tuple, cst.List)):
            self.facts.local_names.update(names)
        if names:
            self.facts.bindings.append(Binding(names, value))

    def visit_Assign(self, node: cst.Assign) -> None:
        for t in node.targets:
            self._bind(t.target, node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._bind(node.target, node.value)
        elif isinstance(node.target, cst.Name):
            self.facts.local_names.add(node.target.value)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._bind(node.target, node.value)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._bind(node.target, node.value)

    def visit_For(self, node: cst.For) -> None:
        self._bind(node.target, node.iter)

    def visit_CompFor(self, node: cst.CompFor) -> None:
        self._bind(node.target, node.iter)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self._bind(node.asname.name, node.item)

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        if node.name is not None and isinstance(node.name.name, cst.Name):
            self.facts.local_names.add(node.name.name.value)

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                self.facts.local_names.add(alias.asname.name.value)
            else:
                head = root_name(alias.name) if isinstance(alias.name, cst.Attribute) else alias.name.value
                if head:
                    self.facts.local_names.add(head)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if isinstance(node.names, cst.ImportStar):
            return
        for alias in node.names:
            name = alias.asname.name if alias.asname is not None else alias.name
            if isinstance(name, cst.Name):
                self.facts.local_names.add(name.value)

    def visit_Global(self, node: cst.Global) -> None:
        self.facts.global_decls.update(item.name.value for item in node.names)

    def visit_Return(self, node: cst.Return) -> None:
        if node.value is not None:
            self.facts.results.append(node.value)

    def visit_Yield(self, node: cst.Yield) -> None:
        value = node.value
        if isinstance(value, cst.From):
            value = value.item
        if value is not None:
            self.facts.results.append(value)

    def visit_If(self, node: cst.If) -> None:
        self.facts.tests.append(node.test)

    def visit_While(self, node: cst.While) -> None:
        self.facts.tests.append(node.test)

    def visit_Assert(self, node: cst.Assert) -> None:
        self.facts.tests.append(node.test)

    def visit_IfExp(self, node: cst.IfExp) -> None:
        self.facts.tests.append(node.test)

    def visit_Call(self, node: cst.Call) -> None:
        self.facts.calls.append(node)
        func = node.func
        if isinstance(func, cst.Attribute) and node.args and func.attr.value not in _BINDING_METHODS_SKIP:
            root = root_name(func.value)
            if root is not None and root not in ("self", "cls"):
                self.facts.bindings.append(Binding((root,), node, args_only=True))


def parameter_names(func: cst.FunctionDef) -> Tuple[str, ...]:
    """Every parameter name of ``func`` in signature order (``*args``/``**kwargs`` included)."""
    p = func.params
    out = [x.name.value for x in list(p.posonly_params) + list(p.params)]
    if isinstance(p.star_arg, cst.Param):
        out.append(p.star_arg.name.value)
    out.extend(x.name.value for x in p.kwonly_params)
    if p.star_kwarg is not None:
        out.append(p.star_kwarg.name.value)
    return tuple(out)


def facts(func: cst.FunctionDef) -> FunctionFacts:
    """Collect the :class:`FunctionFacts` of ``func`` (one walk over its body)."""
    found = FunctionFacts(func=func, params=parameter_names(func))
    _Collector(found).walk(func.body)
    # a mutating call on a name only feeds names the body binds (locals), never a
    # parameter or a global: ``logger.info(x)`` or ``cache.set(k, v)`` taint nothing
    local = found.local_names
    found.bindings = [b for b in found.bindings if not b.args_only or b.targets[0] in local]
    return found


def is_reporting_call(call: cst.Call) -> bool:
    """True for calls that only report: ``print``, ``logger.info``, ``warnings.warn``..."""
    func = call.func
    if isinstance(func, cst.Name):
        return func.value in SILENT_BUILTINS
    if isinstance(func, cst.Attribute):
        attr = func.attr.value
        owner = func.value.attr.value if isinstance(func.value, cst.Attribute) else root_name(func.value) or ""
        if attr in LOGGING_METHODS and "log" in owner.lower():
            return True
        if (attr == "warn" and owner == "warnings") or (attr == "write" and root_name(func.value) == "sys"):
            return True
    return False


class Taint:
    """Values derived from some sources inside one function.

    Args:
        facts: the function's :class:`FunctionFacts`.
        names: source names -> whether a method called on the name yields data derived
            from it (``True`` for data such as a DataFrame or a path, ``False`` for tools
            such as a connection, whose methods are work done *with* it).
        nodes: source expressions (``time.time()``); anything computed from them is derived.
        silent: calls whose result does not depend on their arguments' values
            (defaults to :func:`is_reporting_call`); self-recursive calls can be added.
        tool_arg: ``tool_arg(call, index, arg)`` is True when that argument is a tool handed
            to the call (``run(session, query)``) rather than data: it does not make the
            call's result derived.

    Names bound from a derived value are derived too, and methods called on them yield
    derived values.
    """

    def __init__(
        self,
        facts: FunctionFacts,
        names: Optional[Dict[str, bool]] = None,
        nodes: Iterable[cst.CSTNode] = (),
        silent: Optional[Callable[[cst.Call], bool]] = None,
        tool_arg: Optional[Callable[[cst.Call, int, cst.Arg], bool]] = None,
    ) -> None:
        self.facts = facts
        self.names: Dict[str, bool] = dict(names or {})
        self._nodes = {id(n) for n in nodes}
        self._silent = silent or is_reporting_call
        self._tool_arg = tool_arg
        self._propagate()

    # -- propagation -------------------------------------------------------------------
    def _propagate(self) -> None:
        pending = list(self.facts.bindings)
        changed = True
        while changed and pending:
            changed = False
            rest = []
            for b in pending:
                if all(t in self.names for t in b.targets):
                    continue
                if self._binding_carries(b):
                    for t in b.targets:
                        self.names.setdefault(t, True)
                    changed = True
                else:
                    rest.append(b)
            pending = rest

    def _binding_carries(self, b: Binding) -> bool:
        if b.args_only:
            call = b.value
            return not self._silent(call) and self._args_carry(call)
        return self.carries(b.value)

    def _args_carry(self, call: cst.Call) -> bool:
        for i, arg in enumerate(call.args):
            if self.carries(arg.value) and not (self._tool_arg is not None and self._tool_arg(call, i, arg)):
                return True
        return False

    # -- queries -----------------------------------------------------------------------
    def is_derived(self, name: str) -> bool:
        return name in self.names

    def carries(self, node: cst.CSTNode, receiver: bool = False) -> bool:
        """True when the value of ``node`` is derived from a source.

        ``receiver`` is True when ``node`` is the object a method is called on.
        """
        if id(node) in self._nodes:
            return True
        if isinstance(node, cst.Name):
            flag = self.names.get(node.value)
            if flag is None:
                return False
            return flag if receiver else True
        if isinstance(node, cst.Attribute):
            return self.carries(node.value, receiver)
        if isinstance(node, cst.Subscript):
            if self.carries(node.value, receiver):
                return True
            return any(self.carries(el.slice) for el in node.slice)
        if isinstance(node, cst.Call):
            if self._silent(node):
                return False
            if self._args_carry(node):
                return True
            if isinstance(node.func, cst.Attribute):
                return self.carries(node.func.value, receiver=True)
            if isinstance(node.func, cst.Call):  # factory()(x)
                return self.carries(node.func)
            return False
        if isinstance(node, cst.IfExp):
            return self.carries(node.body) or self.carries(node.orelse)
        if isinstance(node, (cst.Lambda, cst.FunctionDef, cst.ClassDef)):
            return False
        if isinstance(node, (cst.ListComp, cst.SetComp, cst.GeneratorExp)):
            return self.carries(node.elt) or self._comp_carries(node.for_in)
        if isinstance(node, cst.DictComp):
            return self.carries(node.key) or self.carries(node.value) or self._comp_carries(node.for_in)
        if isinstance(node, cst.NamedExpr):
            return self.carries(node.value)
        if isinstance(node, cst.Arg):
            return self.carries(node.value)
        return any(self.carries(child) for child in syntax_children(node))

    def _comp_carries(self, comp: Optional[cst.CompFor]) -> bool:
        while comp is not None:
            if self.carries(comp.iter):
                return True
            comp = comp.inner_for_in
        return False

    def result_carrier(self) -> Optional[cst.CSTNode]:
        """The first ``return``/``yield`` expression whose value is derived, or None."""
        for expr in self.facts.results:
            if self.carries(expr):
                return expr
        return None

    def calls_receiving(self, calls: Optional[Sequence[cst.Call]] = None) -> List[cst.Call]:
        """Calls among ``calls`` (default: all) that get a derived argument or receiver."""
        out = []
        for call in self.facts.calls if calls is None else calls:
            if any(self.carries(a.value) for a in call.args):
                out.append(call)
            elif isinstance(call.func, cst.Attribute) and self.carries(call.func.value, receiver=True):
                out.append(call)
        return out


def argument_carries(taint: Taint, call: cst.Call) -> bool:
    """True when one of ``call``'s arguments (not its receiver) is derived."""
    return any(taint.carries(a.value) for a in call.args)


def free_reads(func: cst.FunctionDef) -> List[cst.Name]:
    """Name reads in ``func``'s body that refer to module globals or builtins.

    Uses libcst's ``ScopeProvider`` on a one-function module (as CL107 does), so names
    bound locally, parameters, comprehension variables and names of enclosing functions
    are told apart from globals correctly. Reads inside nested functions, lambdas and
    classes are left out (they run later, if ever). A name declared ``global`` in the
    body counts as a global. Nodes are the original ones (usable for positions).
    """
    bare = func.with_changes(decorators=())
    wrapper = MetadataWrapper(cst.Module(body=[bare]), unsafe_skip_copy=True)
    scopes = wrapper.resolve(ScopeProvider)
    body = bare.body.body if isinstance(bare.body, (cst.IndentedBlock, cst.SimpleStatementSuite)) else ()
    if not body:
        return []
    own = scopes.get(body[0])
    if own is None:
        return []
    wanted = {own}
    for scope in set(scopes.values()):
        s = scope
        while isinstance(s, ComprehensionScope):
            s = s.parent
        if s is own:
            wanted.add(scope)
    out: List[cst.Name] = []
    for scope in wanted:
        for access in scope.accesses:
            node = access.node
            if not isinstance(node, cst.Name):
                continue
            referents = access.referents
            if all(isinstance(a.scope, (GlobalScope, BuiltinScope)) for a in referents):
                out.append(node)
    positions = {id(n): i for i, n in enumerate(name_nodes(func.body))}
    out.sort(key=lambda n: positions.get(id(n), 0))
    return out


def name_nodes(node: cst.CSTNode) -> List[cst.Name]:
    """Every ``Name`` under ``node``, in source order."""
    return nodes_of(node, cst.Name)  # type: ignore[return-value]


__all__ = [
    "Binding", "FunctionFacts", "Taint", "facts", "free_reads", "target_names", "root_name",
    "parameter_names", "is_reporting_call", "argument_carries", "name_nodes", "LOGGING_METHODS",
]

"""From a parsed module to :class:`~cachelint.models.CacheSite` objects.

Decorator names are resolved with a small import-alias map built from a statement-level
walk (DESIGN.md §7: libcst's ``QualifiedNameProvider`` costs more than the parse itself,
and a decorator only ever needs its import). Module-level assignments of cache objects
(``memory = Memory("dir")``, ``cache = Cache(app)``, ``region = make_region().configure(...)``)
are tracked so ``@memory.cache`` resolves to ``joblib.Memory.cache``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

import libcst as cst

from .libraries import CHAINING_METHODS, INSTANCE_TYPES, DecoratorUse, canonical, resolve_model
from .models import CacheSite, Param
from .walk import FastVisitor

_EMPTY = cst.Module(body=[])


def code(node: cst.CSTNode) -> str:
    """Source text of ``node`` (without surrounding whitespace)."""
    return _EMPTY.code_for_node(node).strip()


def dotted_name(expr: cst.BaseExpression) -> Optional[str]:
    """``a.b.c`` for a Name/Attribute chain, else None."""
    parts: List[str] = []
    while isinstance(expr, cst.Attribute):
        parts.append(expr.attr.value)
        expr = expr.value
    if isinstance(expr, cst.Name):
        parts.append(expr.value)
        return ".".join(reversed(parts))
    return None


@dataclass(frozen=True)
class Instance:
    """A module-level name bound to a cache object: its canonical type and constructor call."""

    type_name: str
    call: cst.Call


class Resolver:
    """Resolves expressions to qualified names with the module's imports and assignments.

    Built once per module from a statement-level walk (imports anywhere in the file,
    assignments at module level and in ``if``/``try``/``with`` blocks).
    """

    def __init__(self, module: cst.Module, module_name: str = "", is_package: bool = False):
        #: dotted name of the module being read ("" when unknown) and whether it is an __init__
        self.module_name = module_name
        self.package = module_name if is_package else module_name.rpartition(".")[0]
        self.aliases: Dict[str, str] = {}
        self.instances: Dict[str, Instance] = {}
        self._module_instances: set = set()
        self.functions: Dict[str, cst.FunctionDef] = {}
        self.local_names: set = set()
        self._collect(module.body, top=True)

    # -- collection --------------------------------------------------------------------
    def _collect(self, body: Sequence[cst.CSTNode], top: bool) -> None:
        for stmt in body:
            if isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    if isinstance(small, cst.Import):
                        self._import(small)
                    elif isinstance(small, cst.ImportFrom):
                        self._import_from(small)
                    elif isinstance(small, (cst.Assign, cst.AnnAssign)):
                        self._assign(small, top)
            elif isinstance(stmt, cst.FunctionDef):
                if top:
                    self.functions[stmt.name.value] = stmt
                    self.local_names.add(stmt.name.value)
                self._collect(_block(stmt.body), top=False)
            elif isinstance(stmt, cst.ClassDef):
                if top:
                    self.local_names.add(stmt.name.value)
                self._collect(_block(stmt.body), top=False)
            elif isinstance(stmt, (cst.If, cst.Try, cst.With, cst.For, cst.While)) or type(stmt).__name__ == "TryStar":
                for sub in compound_bodies(stmt):
                    self._collect(sub, top=top)

    def _import(self, node: cst.Import) -> None:
        for alias in node.names:
            full = dotted_name(alias.name)
            if full is None:
                continue
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                self.aliases[alias.asname.name.value] = full
            else:
                head = full.split(".")[0]
                self.aliases[head] = head

    def _import_from(self, node: cst.ImportFrom) -> None:
        level = len(node.relative)
        if level:
            module = self._absolute(level, dotted_name(node.module) if node.module is not None else None)
        else:
            module = dotted_name(node.module) if node.module is not None else None
        if isinstance(node.names, cst.ImportStar):
            return
        for alias in node.names:
            name = dotted_name(alias.name)
            if name is None:
                continue
            local = alias.asname.name.value if alias.asname is not None and isinstance(alias.asname.name, cst.Name) else name
            if module is None:
                # relative import from outside the known package: keep it unresolvable
                self.aliases[local] = "." * level + name
            else:
                self.aliases[local] = f"{module}.{name}"

    def _absolute(self, level: int, name: Optional[str]) -> Optional[str]:
        """``from ..x import y`` in package ``a.b.c`` -> ``a.b.x``; None when it leaves the package."""
        if not self.package and level >= 1 and not self.module_name:
            return None
        parts = self.package.split(".") if self.package else []
        if level - 1 > len(parts):
            return None
        base = parts[: len(parts) - (level - 1)]
        if name:
            base.append(name)
        return ".".join(base) or None

    def _assign(self, node, top: bool) -> None:
        """Record ``name = CacheType(...)``; a module-level binding wins over local ones."""
        value = node.value
        if not isinstance(value, cst.Call):
            return
        instance = self.instance_of(value)
        if instance is None:
            return
        targets = [t.target for t in node.targets] if isinstance(node, cst.Assign) else [node.target]
        for target in targets:
            if isinstance(target, cst.Name) and (top or target.value not in self._module_instances):
                self.instances[target.value] = instance
                if top:
                    self._module_instances.add(target.value)

    # -- resolution --------------------------------------------------------------------
    def instance_of(self, call: cst.Call) -> Optional[Instance]:
        """The cache object a constructor call creates (``Memory("d")``), or None."""
        func = call.func
        if isinstance(func, cst.Attribute) and func.attr.value in CHAINING_METHODS and isinstance(func.value, cst.Call):
            inner = self.instance_of(func.value)
            return Instance(inner.type_name, call) if inner else None
        qual = self.resolve(func)
        if qual is None:
            return None
        type_name = INSTANCE_TYPES.get(canonical(qual))
        return Instance(type_name, call) if type_name else None

    def resolve(self, expr: cst.BaseExpression) -> Optional[str]:
        """Qualified name of a Name/Attribute chain (``ft.lru_cache`` -> ``functools.lru_cache``).

        An attribute of a known cache object resolves to ``Type.attr``
        (``memory.cache`` -> ``joblib.Memory.cache``). Builtins resolve to themselves
        (``staticmethod``); other unknown names resolve to None.
        """
        if isinstance(expr, cst.Name):
            name = expr.value
            if name in self.aliases:
                return canonical(self.aliases[name])
            if name in self.instances:
                return self.instances[name].type_name + "()"
            if name in self.local_names:
                return f"{self.module_name}.{name}" if self.module_name else name
            if name in _BUILTINS:
                return name
            return None
        if isinstance(expr, cst.Attribute):
            base = self.resolve(expr.value)
            if base is None and isinstance(expr.value, cst.Call):
                inst = self.instance_of(expr.value)
                base = inst.type_name + "()" if inst else None
            if base is None:
                return None
            if base.endswith("()"):
                return canonical(f"{base[:-2]}.{expr.attr.value}")
            return canonical(f"{base}.{expr.attr.value}")
        return None

    def factory_call(self, expr: cst.BaseExpression) -> Optional[cst.Call]:
        """The constructor call behind ``memory`` in ``memory.cache`` (or ``Memory(...)`` inline)."""
        if isinstance(expr, cst.Attribute):
            base = expr.value
            if isinstance(base, cst.Name) and base.value in self.instances:
                return self.instances[base.value].call
            if isinstance(base, cst.Call):
                inst = self.instance_of(base)
                return inst.call if inst else None
        if isinstance(expr, cst.Name) and expr.value in self.instances:
            return self.instances[expr.value].call
        return None


_BUILTINS = frozenset({"staticmethod", "classmethod", "property", "abstractmethod"})


def _block(body: cst.BaseSuite) -> Sequence[cst.CSTNode]:
    return body.body if isinstance(body, cst.IndentedBlock) else ()


def docstring_node(function: cst.FunctionDef) -> Optional[cst.BaseExpression]:
    """The string literal that opens ``function``'s indented body (its docstring), or None."""
    body = _block(function.body)
    if body and isinstance(body[0], cst.SimpleStatementLine) and isinstance(body[0].body[0], cst.Expr):
        value = body[0].body[0].value
        if isinstance(value, (cst.SimpleString, cst.ConcatenatedString)):
            return value
    return None


def compound_bodies(stmt: cst.CSTNode) -> Iterator[Sequence[cst.CSTNode]]:
    """The statement lists inside a compound statement: bodies, else/elif and finally, except handlers."""
    for attr in ("body", "orelse", "finalbody"):
        part = getattr(stmt, attr, None)
        if part is None:
            continue
        if isinstance(part, (cst.Else, cst.Finally)):
            part = part.body
        if isinstance(part, cst.If):
            yield part.body.body if isinstance(part.body, cst.IndentedBlock) else ()
            yield from compound_bodies(part)
            continue
        if isinstance(part, cst.BaseSuite):
            yield _block(part)
    for handler in getattr(stmt, "handlers", ()):
        yield _block(handler.body)


# -- parameters and function facts -----------------------------------------------------
def parameters(func: cst.FunctionDef) -> Tuple[Param, ...]:
    """The function's parameters in signature order, as :class:`Param` objects."""
    out: List[Param] = []
    position = 0
    p = func.params

    def make(param: cst.Param, kind: str, pos: Optional[int]) -> Param:
        ann = code(param.annotation.annotation) if param.annotation is not None else None
        default = code(param.default) if param.default is not None else None
        return Param(param.name.value, kind, pos, ann, default, param)

    for param in p.posonly_params:
        out.append(make(param, "posonly", position))
        position += 1
    for param in p.params:
        out.append(make(param, "normal", position))
        position += 1
    if isinstance(p.star_arg, cst.Param):
        out.append(make(p.star_arg, "vararg", None))
    for param in p.kwonly_params:
        out.append(make(param, "kwonly", None))
    if p.star_kwarg is not None:
        out.append(make(p.star_kwarg, "kwarg", None))
    return tuple(out)


class _YieldFinder(FastVisitor):
    def __init__(self) -> None:
        self.found = False

    def visit_Yield(self, node: cst.Yield) -> bool:
        self.found = True
        return False

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False


def is_generator(func: cst.FunctionDef) -> bool:
    """``yield`` in the function's own body (not a nested function's), or ``return (x for ...)``."""
    finder = _YieldFinder()
    for stmt in _block(func.body) or [func.body]:
        finder.walk(stmt)
        if finder.found:
            return True
    body = _block(func.body)
    for stmt in body:
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if isinstance(small, cst.Return) and isinstance(small.value, cst.GeneratorExp):
                    return True
    return False


# -- finding cache sites ---------------------------------------------------------------
def find_sites(module: cst.Module, declared: Optional[Dict] = None, resolver: Optional[Resolver] = None,
               project: Optional[Dict] = None) -> List[CacheSite]:
    """Every cache-decorated function in ``module``, in source order.

    ``declared`` maps qualified names to models of decorators declared in configuration;
    ``project`` maps qualified names to :class:`cachelint.inference.Summary` objects of the
    linted project's own decorators.
    """
    resolver = resolver or Resolver(module)
    declared = declared or {}
    project = project if project is not None else {}
    sites: List[CacheSite] = []
    for stmt in module.body:
        _walk([stmt], resolver, (declared, project), sites, prefix="", class_node=None, in_function=False, top=stmt)
    return sites


def _walk(body, resolver, declared, sites, prefix, class_node, in_function, top) -> None:
    for stmt in body:
        if isinstance(stmt, cst.FunctionDef):
            name = prefix + stmt.name.value
            if stmt.decorators:
                sites.extend(_sites_for(stmt, resolver, declared, name, class_node, in_function, top))
            _walk(_block(stmt.body), resolver, declared, sites, name + ".<locals>.", None, True, top)
        elif isinstance(stmt, cst.ClassDef):
            _walk(_block(stmt.body), resolver, declared, sites, prefix + stmt.name.value + ".", stmt, in_function, top)
        elif isinstance(stmt, (cst.If, cst.Try, cst.With, cst.For, cst.While)) or type(stmt).__name__ == "TryStar":
            for sub in compound_bodies(stmt):
                _walk(sub, resolver, declared, sites, prefix, class_node, in_function, top)


def _decorator_parts(expr: cst.BaseExpression) -> Tuple[cst.BaseExpression, Optional[cst.Call], Dict]:
    """Split a decorator expression into (callee, call or None, options)."""
    options: Dict = {}
    if isinstance(expr, cst.Call):
        func = expr.func
        # cashews: @noself(cache)(ttl=...)
        if isinstance(func, cst.Call) and dotted_name(func.func) in ("noself", "cashews.noself") and func.args:
            options["noself"] = True
            return func.args[0].value, expr, options
        return func, expr, options
    return expr, None, options


def _sites_for(func, resolver, declared, name, class_node, in_function, top) -> List[CacheSite]:
    names: List[str] = []
    resolved: List[Tuple[Optional[str], Optional[str], cst.BaseExpression, Optional[cst.Call], Dict]] = []
    for deco in func.decorators:
        callee, call, options = _decorator_parts(deco.decorator)
        qual = resolver.resolve(callee)
        if qual is not None and qual.endswith("()"):
            qual = qual[:-2] + ".__call__"
        dotted = dotted_name(callee)
        names.append(qual or dotted or code(deco.decorator))
        resolved.append((qual, dotted, callee, call, options))
    method_kind = None
    if class_node is not None:
        method_kind = "instance"
        for n in names:
            if n in ("staticmethod", "classmethod", "property") or n.endswith(".setter") or n.endswith(".getter"):
                method_kind = {"staticmethod": "static", "classmethod": "class"}.get(n, "property")
                break
    params = parameters(func)
    sites: List[CacheSite] = []
    for index, (qual, dotted, callee, call, options) in enumerate(resolved):
        model = resolve_model(qual, dotted, declared[0], declared[1])
        if model is None:
            continue
        options = dict(options, functions=resolver.functions)
        use = DecoratorUse(
            qualname=qual or dotted or "",
            call=call,
            params=params,
            is_method=method_kind in ("instance", "property", "class"),
            factory_call=resolver.factory_call(callee),
            resolve=resolver.resolve,
            options=options,
        )
        if not model.is_cached(use):
            continue
        result = model.key_spec(use)
        sites.append(
            CacheSite(
                function=func,
                decorator=func.decorators[index],
                decorator_index=index,
                model=model,
                qualname=qual or dotted or names[index],
                called=call is not None,
                spec=result.spec,
                exclusions=result.exclusions,
                params=params,
                function_name=name,
                is_async=func.asynchronous is not None,
                is_generator=is_generator(func),
                class_node=class_node,
                method_kind=method_kind,
                nested_in_function=in_function,
                decorator_names=tuple(names),
                use=use,
                top_statement=top,
            )
        )
    return sites

"""CL106, CL305, CL402: what calls of cached functions do with their arguments and results.

These rules look past the decorated function at the places that call it. One walk of the
module (:class:`CallIndex`, built lazily and kept in ``ctx.cache``) finds every call of a
cached function of the same module (``f(...)``, ``self.m(...)``/``cls.m(...)`` inside
the class, ``Class.m(...)`` for static and class methods), the variables each function
scope binds, and the statements that mutate a value. The walk only happens when the
source text mentions a cached function's name followed by ``(`` somewhere else than in
its ``def`` line.

Call targets come from :func:`call_targets`: module-level functions by name and methods
by class. A project-wide index can add functions imported from other modules by putting
a ``{local name: CacheSite}`` mapping under :data:`EXTRA_TARGETS` in ``ctx.cache``
before the first rule runs.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import libcst as cst

from ..analysis import code
from ..models import ERROR, WARNING, CacheSite, Fix, Param
from ..volatile_calls import PASS_THROUGH, VOLATILE_BUILTINS, VOLATILE_CALLS
from ..walk import FastVisitor
from .base import FileContext, Report, Rule, lib_phrase, sentence

#: ``ctx.cache`` key of extra call targets: local name -> CacheSite (e.g. imported cached functions).
EXTRA_TARGETS = "call_sites.extra_targets"
_INDEX = "call_sites.index"

#: methods that change a list, dict, set, bytearray or DataFrame in place
MUTATORS = frozenset(
    {
        "append", "extend", "insert", "remove", "pop", "clear", "sort", "reverse", "update", "setdefault",
        "popitem", "add", "discard", "difference_update", "intersection_update", "symmetric_difference_update",
        "__setitem__", "__delitem__", "fillna", "drop", "rename", "set_index", "reset_index",
    }
)
_PANDAS_INPLACE = frozenset({"fillna", "drop", "rename", "set_index", "reset_index"})


# -- the per-file index ---------------------------------------------------------------------
@dataclass
class Scope:
    """A function (or the module): the values its names are bound to."""

    node: Optional[cst.CSTNode]
    parent: Optional["Scope"]
    is_function: bool
    #: name -> bound expressions; ``None`` for bindings that are not a plain assignment
    bindings: Dict[str, List[Optional[cst.BaseExpression]]] = field(default_factory=dict)

    def bind(self, name: str, value: Optional[cst.BaseExpression]) -> None:
        self.bindings.setdefault(name, []).append(value)

    def shadows(self, name: str) -> bool:
        """``name`` is bound in this function scope or an enclosing one (not the module)."""
        scope: Optional[Scope] = self
        while scope is not None and scope.is_function:
            if name in scope.bindings:
                return True
            scope = scope.parent
        return False


@dataclass
class Call:
    """One call of a cached function."""

    node: cst.Call
    site: CacheSite
    top: cst.CSTNode
    scope: Scope
    #: the first positional parameter is bound by the call form (``self.m(x)``)
    implicit_first: bool

    def bind(self) -> List[Tuple[Param, cst.Arg, str, str]]:
        """``(parameter, argument, "positional"|"keyword", name passed)`` for each argument that maps to a parameter."""
        positional = [p for p in self.site.params if p.position is not None]
        by_name = {p.name: p for p in self.site.params if p.kind in ("normal", "kwonly")}
        vararg = next((p for p in self.site.params if p.kind == "vararg"), None)
        kwarg = next((p for p in self.site.params if p.kind == "kwarg"), None)
        out = []
        index = 1 if self.implicit_first else 0
        unknown_positions = False
        for arg in self.node.args:
            if arg.star == "**":
                continue
            if arg.star == "*":
                unknown_positions = True
                continue
            if arg.keyword is not None:
                name = arg.keyword.value
                param = by_name.get(name) or kwarg
                if param is not None:
                    out.append((param, arg, "keyword", name))
                continue
            if unknown_positions:
                continue
            if index < len(positional):
                out.append((positional[index], arg, "positional", positional[index].name))
            elif vararg is not None:
                out.append((vararg, arg, "positional", vararg.name))
            index += 1
        return out


@dataclass
class Mutation:
    """A statement or call that changes ``receiver`` in place."""

    receiver: cst.BaseExpression
    node: cst.CSTNode
    top: cst.CSTNode
    scope: Scope
    how: str


class CallIndex(FastVisitor):
    """Calls of cached functions, bindings per scope and in-place mutations, for one module."""

    def __init__(self, functions: Dict[str, CacheSite], methods: Dict[str, Dict[str, CacheSite]], classes: Sequence[str]):
        self.functions = functions
        self.methods = methods
        self.module_classes = set(classes)
        self.calls: List[Call] = []
        self.by_call: Dict[int, Call] = {}
        self.mutations: List[Mutation] = []
        self.module_scope = Scope(None, None, False)
        self.scope = self.module_scope
        self.top: Optional[cst.CSTNode] = None
        self._prefix: List[str] = []
        self._kinds: List[str] = []
        #: (receiver name, class qualified name) of the enclosing methods, innermost last
        self._receivers: List[Tuple[str, str]] = []

    def build(self, module: cst.Module) -> "CallIndex":
        for stmt in module.body:
            self.top = stmt
            self.walk(stmt)
        return self

    def calls_of(self, site: CacheSite) -> List[Call]:
        return [c for c in self.calls if c.site.function is site.function]

    # -- scopes -----------------------------------------------------------------------------
    def _class_prefix(self) -> str:
        return "".join(self._prefix)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.scope.bind(node.name.value, None)
        receiver = None
        if self._kinds and self._kinds[-1] == "class":
            params = list(node.params.posonly_params) + list(node.params.params)
            if params:
                receiver = (params[0].name.value, self._class_prefix()[:-1])
        self._receivers.append(receiver)  # type: ignore[arg-type]
        self._prefix.append(node.name.value + ".<locals>.")
        self._kinds.append("function")
        self.scope = Scope(node, self.scope, True)

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.scope = self.scope.parent or self.module_scope
        self._prefix.pop()
        self._kinds.pop()
        self._receivers.pop()

    def visit_Lambda(self, node: cst.Lambda) -> None:
        self.scope = Scope(node, self.scope, True)

    def leave_Lambda(self, node: cst.Lambda) -> None:
        self.scope = self.scope.parent or self.module_scope

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.scope.bind(node.name.value, None)
        self._prefix.append(node.name.value + ".")
        self._kinds.append("class")

    def leave_ClassDef(self, node: cst.ClassDef) -> None:
        self._prefix.pop()
        self._kinds.pop()

    # -- bindings -----------------------------------------------------------------------------
    def visit_Param(self, node: cst.Param) -> None:
        self.scope.bind(node.name.value, None)

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._bind_target(target.target, node.value)
            if isinstance(target.target, cst.Subscript):
                self._mutation(target.target.value, node, "item assignment")

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._bind_target(node.target, node.value)
            if isinstance(node.target, cst.Subscript):
                self._mutation(node.target.value, node, "item assignment")

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        # ``x += [...]`` changes a list, dict or set in place and keeps the binding
        target = node.target
        if isinstance(target, cst.Name):
            self._mutation(target, node, f"'{code(node.operator).strip()}'")
        elif isinstance(target, cst.Subscript):
            self._mutation(target.value, node, "item assignment")

    def visit_Del(self, node: cst.Del) -> None:
        target = node.target
        for el in (target.elements if isinstance(target, (cst.Tuple, cst.List)) else ()):
            if isinstance(el.value, cst.Subscript):
                self._mutation(el.value.value, node, "del")
        if isinstance(target, cst.Subscript):
            self._mutation(target.value, node, "del")
        elif isinstance(target, cst.Name):
            self.scope.bind(target.value, None)

    def visit_For(self, node: cst.For) -> None:
        self._bind_target(node.target, None)

    def visit_CompFor(self, node: cst.CompFor) -> None:
        self._bind_target(node.target, None)

    def visit_AsName(self, node: cst.AsName) -> None:
        self._bind_target(node.name, None)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._bind_target(node.target, node.value)

    def visit_Global(self, node: cst.Global) -> None:
        for n in node.names:
            self.scope.bind(n.name.value, None)

    def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
        for n in node.names:
            self.scope.bind(n.name.value, None)

    def visit_ImportAlias(self, node: cst.ImportAlias) -> None:
        if node.asname is None and isinstance(node.name, cst.Name):
            self.scope.bind(node.name.value, None)
        elif node.asname is None and isinstance(node.name, cst.Attribute):
            head = node.name
            while isinstance(head, cst.Attribute):
                head = head.value
            if isinstance(head, cst.Name):
                self.scope.bind(head.value, None)

    def _bind_target(self, target: cst.CSTNode, value: Optional[cst.BaseExpression]) -> None:
        if isinstance(target, cst.Name):
            self.scope.bind(target.value, value)
        elif isinstance(target, (cst.Tuple, cst.List)):
            for el in target.elements:
                self._bind_target(el.value, None)
        elif isinstance(target, cst.StarredElement):
            self._bind_target(target.value, None)

    def _mutation(self, receiver: cst.BaseExpression, node: cst.CSTNode, how: str) -> None:
        self.mutations.append(Mutation(receiver, node, self.top, self.scope, how))

    # -- calls ----------------------------------------------------------------------------
    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value in MUTATORS:
            if func.attr.value not in _PANDAS_INPLACE or any(
                a.keyword is not None and a.keyword.value == "inplace" and code(a.value) == "True" for a in node.args
            ):
                self._mutation(func.value, node, f".{func.attr.value}()")
        target: Optional[Tuple[CacheSite, bool]] = None
        if isinstance(func, cst.Name):
            site = self.functions.get(func.value)
            if site is not None and not self.scope.shadows(func.value):
                target = (site, False)
        elif isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name):
            target = self._method_target(func.value.value, func.attr.value)
        if target is not None:
            record = Call(node, target[0], self.top, self.scope, target[1])
            self.calls.append(record)
            self.by_call[id(node)] = record

    def _method_target(self, receiver: str, attr: str) -> Optional[Tuple[CacheSite, bool]]:
        for entry in reversed(self._receivers):
            if entry is None:
                continue
            name, cls = entry
            if name == receiver:
                site = self.methods.get(cls, {}).get(attr)
                if site is not None:
                    return site, site.method_kind in ("instance", "class")
                return None
        if receiver in self.module_classes and not self.scope.shadows(receiver):
            site = self.methods.get(receiver, {}).get(attr)
            if site is not None and site.method_kind in ("static", "class"):
                return site, site.method_kind == "class"
        return None


def call_targets(ctx: FileContext) -> Tuple[Dict[str, CacheSite], Dict[str, Dict[str, CacheSite]]]:
    """Cached functions a call can reach by name: ``(functions, methods by class)``.

    Module-level functions come from ``ctx.sites``, merged with ``ctx.cache[EXTRA_TARGETS]``
    (functions of other modules, keyed by the name they are imported under).
    """
    functions: Dict[str, CacheSite] = {}
    methods: Dict[str, Dict[str, CacheSite]] = {}
    for site in ctx.sites:
        if site.method_kind == "property" or not site.spec.argument_keyed and site.model.library != "functools":
            continue
        name = site.function_name
        if "<locals>" in name:
            continue
        if site.class_node is None and "." not in name:
            functions.setdefault(name, site)
        elif site.class_node is not None:
            cls, _, method = name.rpartition(".")
            methods.setdefault(cls, {}).setdefault(method, site)
    for name, site in (ctx.cache.get(EXTRA_TARGETS) or {}).items():
        functions.setdefault(name, site)
    return functions, methods


def call_index(ctx: FileContext) -> Optional[CallIndex]:
    """The module's :class:`CallIndex`, built on first use; None when no cached function is called."""
    if _INDEX in ctx.cache:
        return ctx.cache[_INDEX]
    functions, methods = call_targets(ctx)
    index: Optional[CallIndex] = None
    if (functions or methods) and _calls_any(ctx.lines, functions, methods):
        classes = [s.name.value for s in ctx.module.body if isinstance(s, cst.ClassDef)]
        index = CallIndex(functions, methods, classes).build(ctx.module)
    ctx.cache[_INDEX] = index
    return index


#: A call of a plain name elsewhere than on a ``def`` line: ``f(`` (group 1 is the name).
_NAME_CALL = re.compile(r"(?<!def )(?<![\w.])([^\W\d]\w*)\s*\(")
#: A call of an attribute: ``self.m(``, ``Class.m(`` (groups: the receiver, the attribute).
_ATTRIBUTE_CALL = re.compile(r"\b([^\W\d]\w*)\.([^\W\d]\w*)\s*\(")


def _calls_any(lines: Sequence[str], functions: Dict[str, CacheSite], methods: Dict[str, Dict[str, CacheSite]]) -> bool:
    """Whether the text may call one of ``functions`` by name or a method of ``methods``
    through ``self``, ``cls`` or its class's name (a cheap test before the tree is walked).

    One scan for every call in the text, each looked up in sets: a pattern with one
    alternative per cached function made a file with thousands of them quadratic.
    """
    text = "\n".join(lines)
    if functions and any(match.group(1) in functions for match in _NAME_CALL.finditer(text)):
        return True
    method_names = {m for by_class in methods.values() for m in by_class}
    if not method_names:
        return False
    receivers = {"self", "cls"} | {cls.rpartition(".")[2] for cls in methods}
    return any(match.group(2) in method_names and match.group(1) in receivers
               for match in _ATTRIBUTE_CALL.finditer(text))


def _first_site(site: CacheSite, ctx: FileContext) -> bool:
    """Call-site findings are reported once per function, with its first cache site."""
    return next((s for s in ctx.sites if s.function is site.function), site) is site


def reported_targets(site: CacheSite, ctx: FileContext) -> List[CacheSite]:
    """The cached functions whose calls ``check(site)`` reports.

    ``site`` itself when it is its function's first cache site; with the file's first site
    also the functions of other modules registered under :data:`EXTRA_TARGETS`, which have
    no site of their own in this file.
    """
    out = [site] if _first_site(site, ctx) else []
    if ctx.sites and site is ctx.sites[0]:
        local = {id(s.function) for s in ctx.sites}
        for target in (ctx.cache.get(EXTRA_TARGETS) or {}).values():
            if id(target.function) not in local and all(t is not target for t in out):
                out.append(target)
    return out


def call_text(call: cst.Call) -> str:
    text = code(call.func)
    return f"{text}(...)" if call.args else f"{text}()"


# -- CL106 --------------------------------------------------------------------------------
def volatile(expr: cst.BaseExpression, ctx: FileContext, shadowed=lambda name: False) -> Optional[str]:
    """The source text of the volatile call ``expr`` is (or wraps), else None."""
    while True:
        if isinstance(expr, cst.Attribute):
            expr = expr.value
            continue
        if isinstance(expr, cst.Call):
            func = expr.func
            if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Call):
                expr = func.value  # datetime.now().isoformat()
                continue
            if isinstance(func, cst.Name) and func.value in PASS_THROUGH and len(expr.args) == 1 and ctx.resolve(func) is None and not shadowed(func.value):
                expr = expr.args[0].value
                continue
            qual = ctx.resolve(func)
            if qual in VOLATILE_CALLS:
                return code(expr)
            if qual is None and isinstance(func, cst.Name) and func.value in VOLATILE_BUILTINS and not shadowed(func.value):
                return code(expr)
            return None
        if isinstance(expr, cst.FormattedString):
            for part in expr.parts:
                if isinstance(part, cst.FormattedStringExpression):
                    found = volatile(part.expression, ctx, shadowed)
                    if found:
                        return found
            return None
        return None


def _module_defines(ctx: FileContext):
    key = "call_sites.module_names"
    if key not in ctx.cache:
        names = set()
        for stmt in ctx.module.body:
            if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
                names.add(stmt.name.value)
        ctx.cache[key] = names
    return ctx.cache[key]


def _consequence(found: str) -> str:
    if ".today(" in found:
        return "the value changes every day, so entries from earlier days are never read again and pile up."
    if found.startswith("id("):
        return ("id() is per object and per process: equal objects never share an entry, and once an object is "
                "freed its id is reused, so a new object can be handed its predecessor's result.")
    return "the value is new on every call, so this call never hits the cache."


class VolatileArgument(Rule):
    """### What it does
Reports a call of a cached function of the same module that passes a value which is new
on every call to a keyed parameter: `datetime.now()`, `datetime.utcnow()`, `date.today()`,
`time.time()`, `time.monotonic()`, `uuid.uuid4()`, `random.random()`, `secrets.token_hex()`,
`os.urandom()`, `object()`, `id(x)`... directly, wrapped in `str()`/`int()`, an attribute
(`uuid4().hex`) or an f-string, or through a local variable assigned only from such a call.
Arguments are matched to parameters the way the call passes them (positional, keyword,
`self.method(...)`); excluded parameters are fine. Arithmetic on the clock
(`round(time.time() / 3600)`, a deliberate time bucket) is not reported.

### Why it matters
The argument makes every call's key unique: each call computes and stores a new entry,
none is ever read back, and the cache only costs memory or disk.

### Example
```python
@memory.cache
def report(region, as_of):
    ...

report("eu", datetime.now())
```

### Use instead
Pass the stable value the result depends on (a date chosen by the caller, a rounded time
bucket), or leave the parameter out of the key in the library's own way
(`ignore=["as_of"]` for joblib, `_as_of` for Streamlit).
"""

    code = "CL106"
    name = "volatile-argument"
    summary = "a call passes a per-call value (now(), uuid4(), random()...) to a keyed parameter"
    severity = WARNING
    valid = (
        "import functools, time\n@functools.lru_cache\ndef f(x, bucket): return x\n"
        "def g(): return f(1, round(time.time() / 3600))\n",
        "from joblib import Memory\nimport time\nm = Memory('d')\n@m.cache(ignore=['t'])\ndef f(x, t): return x\n"
        "def g(): return f(1, time.time())\n",
    )
    invalid = (
        "import functools\nfrom datetime import datetime\n@functools.lru_cache\ndef f(x, when): return x\n"
        "def g(): return f(1, datetime.now())\n",
    )

    def check(self, site: CacheSite, ctx: FileContext) -> Iterable[Report]:
        targets = [t for t in reported_targets(site, ctx) if t.spec.known and t.spec.argument_keyed]
        index = call_index(ctx) if targets else None
        if index is None:
            return
        for target in targets:
            yield from self._calls(target, index, ctx)

    def _calls(self, site: CacheSite, index: CallIndex, ctx: FileContext) -> Iterable[Report]:
        module_names = _module_defines(ctx)
        for call in index.calls_of(site):
            shadowed = lambda name, scope=call.scope: scope.shadows(name) or name in module_names  # noqa: E731
            for param, arg, how, passed in call.bind():
                if not site.spec.is_keyed(param.name):
                    continue
                found = volatile(arg.value, ctx, shadowed)
                via = None
                if found is None and isinstance(arg.value, cst.Name):
                    found = self._through_local(arg.value.value, call.scope, ctx, shadowed)
                    via = arg.value.value if found else None
                if found is None:
                    continue
                shown = passed if param.kind != "kwarg" else f"{passed}' (collected by '**{param.name}"
                what = f"'{via}' (assigned from {found})" if via else found
                hint = site.model.exclusion_hint(param.name if param.kind != "kwarg" else passed, site.use)
                yield Report(
                    f"{call_text(call.node)} passes {what} to '{shown}', which is part of the {lib_phrase(site)} "
                    f"cache key of {site.function_name}(): {_consequence(found)} Pass the stable value the result "
                    f"depends on instead. {sentence(hint)}.",
                    node=arg.value,
                    parameter=param.name if param.kind != "kwarg" else passed,
                    fix=Fix(sentence(hint)),
                )

    @staticmethod
    def _through_local(name: str, scope: Scope, ctx: FileContext, shadowed) -> Optional[str]:
        if not scope.is_function:
            return None
        values = scope.bindings.get(name)
        if not values or any(v is None for v in values):
            return None
        found = [volatile(v, ctx, shadowed) for v in values]
        if all(found):
            return found[0]
        return None


# -- CL305 --------------------------------------------------------------------------------
def _popped(site: CacheSite) -> List[Param]:
    """Parameters a home-made decorator removes from the copy of kwargs it keys, that a call can
    still pass by position (kwargs itself goes to the function whole, so such a call works and
    keys them; a pop from kwargs itself breaks one of the two call shapes instead)."""
    excluded = site.spec.excluded if site.spec is not None else {}
    method = site.method_kind in ("instance", "class")
    return [p for p in site.params
            if excluded.get(p.name) == "kwargs copy" and p.kind == "normal" and not (method and p.position == 0)
            and p.node is not None]


def _element_text(value) -> str:
    return str(value) if isinstance(value, int) else f'"{value}"'


class ExclusionMissesCallShape(Rule):
    """### What it does
Reports an element of diskcache's `memoize(ignore=...)` (also `FanoutCache.memoize`,
`DjangoCache.memoize`, `memoize_stampede`) that only matches one way of passing the
argument: the name of a positional-or-keyword parameter without its index, or the index
without the name. Also reports the calls in the same module that pass that argument the
uncovered way, at the argument. A name for a keyword-only parameter, or an index for a
positional-only one (or for `self`), is complete. The same holds for a home-made decorator
that keys a copy of `kwargs` without the parameter (`keyed = dict(kwargs); keyed.pop("x")`)
while the function gets `kwargs` whole: a positional-or-keyword parameter is reported at
the signature, and positional calls of it at the argument.

### Why it matters
diskcache matches names only against keyword arguments and indexes only against
positional ones. With `ignore={"session"}`, `f(1, session=s)` leaves the session out of
the key but `f(1, s)` keys it, so the cache silently splits on a value that was meant to
be ignored.

### Example
```python
@cache.memoize(ignore={"session"})
def fetch(url, session): ...

fetch(url, session)          # session is keyed here
```

### Use instead
Name both the index and the name, `ignore={1, "session"}`, or make the parameter
keyword-only: `def fetch(url, *, session)` (also the way out for a decorator that removes it
from the copy of `kwargs` it keys).
"""

    code = "CL305"
    name = "exclusion-misses-call-shape"
    summary = "an exclusion matches only one way of passing the argument"
    severity = ERROR
    valid = (
        "from diskcache import Cache\ncache = Cache('d')\n@cache.memoize(ignore={1, 'session'})\ndef f(url, session): return url\n",
        "from diskcache import Cache\ncache = Cache('d')\n@cache.memoize(ignore={'session'})\ndef f(url, *, session): return url\n",
    )
    invalid = ("from diskcache import Cache\ncache = Cache('d')\n@cache.memoize(ignore={'session'})\ndef f(url, session): return url\n",)

    def check(self, site: CacheSite, ctx: FileContext) -> Iterable[Report]:
        if site.model.library == "diskcache" and site.exclusions:
            reports, _ = self._analyse(site)
            yield from reports
        for p in _popped(site):
            name = site.function.name.value
            yield Report(
                f"The '{site.model.display}' decorator leaves '{p.name}' out of the key by removing it from the copy "
                f"of kwargs it keys, which only works when it is passed by keyword: a positional call such as "
                f"{self._example(site, [q for q in site.params if q.position is not None], p)} still keys it. "
                f"Make '{p.name}' keyword-only, or pass it by keyword in every call of {name}().",
                node=p.node.name,
                parameter=p.name,
                fix=Fix(f"Make '{p.name}' keyword-only (put it after a bare * in the signature)"),
            )
        targets = [t for t in reported_targets(site, ctx) if (t.model.library == "diskcache" and t.exclusions) or _popped(t)]
        index = call_index(ctx) if targets else None
        if index is None:
            return
        for target in targets:
            _, uncovered = self._analyse(target) if target.model.library == "diskcache" else ([], {})
            uncovered.update({p.name: "popped" for p in _popped(target)})
            if uncovered:
                yield from self._calls(target, uncovered, index)

    def _analyse(self, site: CacheSite) -> Tuple[List[Report], Dict[str, str]]:
        """Reports on the exclusion elements, and parameter -> the way of passing it that is still keyed."""
        reports: List[Report] = []
        positional = [p for p in site.params if p.position is not None]
        names = {el.value for el in site.exclusions if isinstance(el.value, str)}
        indexes = {el.value for el in site.exclusions if isinstance(el.value, int)}
        method = site.method_kind in ("instance", "class")
        lone = {id(a.value) for a in (site.use.call.args if site.use is not None and site.use.call is not None else ())}
        uncovered: Dict[str, str] = {}  # parameter -> "positional" / "keyword": the way calls still key it
        for el in site.exclusions:
            if isinstance(el.value, str):
                p = site.param(el.value)
                if p is None or p.kind not in ("normal", "posonly"):
                    continue
                always_positional = p.kind == "posonly" or method and p.position == 0
                if p.position in indexes:
                    continue
                if always_positional:
                    full = self._full(site, add=p.position, drop=p.name)
                    what = "a positional-only parameter" if p.kind == "posonly" else f"'{p.name}'"
                    problem = (
                        f"ignore= names '{p.name}', but {what} is always passed positionally and diskcache matches "
                        f"names only against keyword arguments: it is still keyed. Use its index: ignore={full}."
                    )
                    replacement = str(p.position) if id(el.node) not in lone else None
                else:
                    full = self._full(site, add=p.position)
                    problem = (
                        f"ignore= names '{p.name}', which diskcache matches only when it is passed by keyword; a "
                        f"positional call such as {self._example(site, positional, p)} still keys it. Write "
                        f"ignore={full}, or make '{p.name}' keyword-only."
                    )
                    replacement = f"{p.position}, {code(el.node)}" if id(el.node) not in lone else None
                uncovered[p.name] = "positional"
                reports.append(Report(problem, node=el.node, parameter=p.name, fix=Fix(f"Write ignore={full}", replacement)))
            elif isinstance(el.value, int) and 0 <= el.value < len(positional):
                p = positional[el.value]
                if p.kind != "normal" or p.name in names or method and p.position == 0:
                    continue
                full = self._full(site, add=p.name)
                uncovered[p.name] = "keyword"
                replacement = f'{code(el.node)}, "{p.name}"' if id(el.node) not in lone else None
                reports.append(Report(
                    f"ignore= holds index {el.value} ('{p.name}'), which diskcache matches only when '{p.name}' is passed "
                    f"positionally; a call such as {site.function.name.value}(..., {p.name}=...) still keys it. Write "
                    f"ignore={full}, or make '{p.name}' positional-only.",
                    node=el.node,
                    parameter=p.name,
                    fix=Fix(f"Write ignore={full}", replacement),
                ))
        return reports, uncovered

    def _calls(self, site: CacheSite, uncovered: Dict[str, str], index: CallIndex) -> Iterable[Report]:
        for call in index.calls_of(site):
            for param, arg, how, passed in call.bind():
                wanted = uncovered.get(param.name)
                if wanted == "popped" and how == "positional":
                    message = (
                        f"{call_text(call.node)} passes '{param.name}' positionally, but the '{site.model.display}' "
                        f"decorator only removes it from keyword arguments: this call keys '{param.name}'. Pass it by "
                        f"keyword ({param.name}=...), or make it keyword-only."
                    )
                    fix = Fix(f"Pass {param.name}= by keyword")
                elif wanted == how and param.kind in ("normal", "posonly"):
                    other = "index" if how == "positional" else "name"
                    full = self._full(site, add=param.position if other == "index" else param.name)
                    message = (
                        f"{call_text(call.node)} passes '{param.name}' {'positionally' if how == 'positional' else 'by keyword'}, "
                        f"but the diskcache ignore= of {site.function_name}() has only its {'name' if other == 'index' else 'index'}: "
                        f"this call keys '{param.name}'. Add its {other} to ignore= ({full})."
                    )
                    fix = Fix(f"Write ignore={full}")
                else:
                    continue
                yield Report(message, node=arg.value, parameter=param.name, fix=fix)

    @staticmethod
    def _example(site: CacheSite, positional: Sequence[Param], p: Param) -> str:
        names = [q.name for q in positional[: (p.position or 0) + 1]]
        fname = site.function.name.value
        if site.method_kind in ("instance", "class") and len(names) > 1:
            return f"{names[0]}.{fname}({', '.join(names[1:])})"
        if site.method_kind == "static" and site.class_node is not None:
            return f"{site.class_node.name.value}.{fname}({', '.join(names)})"
        return f"{fname}({', '.join(names)})"

    @staticmethod
    def _full(site: CacheSite, add, drop: Optional[str] = None) -> str:
        """The complete ``ignore=`` set: the current elements plus ``add`` (minus the name ``drop``)."""
        ints = sorted({el.value for el in site.exclusions if isinstance(el.value, int)} | ({add} if isinstance(add, int) else set()))
        strs: List[str] = []
        for el in site.exclusions:
            if isinstance(el.value, str) and el.value not in strs and el.value != drop:
                strs.append(el.value)
        if isinstance(add, str) and add not in strs:
            strs.append(add)
        return "{" + ", ".join([str(i) for i in ints] + [f'"{s}"' for s in strs]) + "}"


# -- CL402 --------------------------------------------------------------------------------
_MUTABLE_ANNOTATION = re.compile(
    r"^(?:typing\.|t\.)?(?:Optional\[)?\s*(list|dict|set|List|Dict|Set|DefaultDict|defaultdict|OrderedDict|Counter|"
    r"MutableMapping|MutableSequence|MutableSet|bytearray|(?:\w+\.)*DataFrame)\b"
)
_MUTABLE_DISPLAYS = (cst.List, cst.Dict, cst.Set, cst.ListComp, cst.DictComp, cst.SetComp)
_MUTABLE_FACTORIES = ("list", "dict", "set", "sorted", "bytearray")
_KIND = {"List": "list", "MutableSequence": "list", "Dict": "dict", "DefaultDict": "dict", "defaultdict": "dict",
         "OrderedDict": "dict", "Counter": "dict", "MutableMapping": "dict", "Set": "set", "MutableSet": "set"}
_IMMUTABLE = {"list": "a tuple", "dict": "a types.MappingProxyType (or a frozen mapping)", "set": "a frozenset",
              "bytearray": "bytes"}


class _Returns(FastVisitor):
    """``return`` values of a function's own body (not of nested functions)."""

    def __init__(self) -> None:
        self.values: List[cst.BaseExpression] = []

    def visit_Return(self, node: cst.Return) -> None:
        if node.value is not None:
            self.values.append(node.value)

    def visit_FunctionDef(self, node) -> bool:
        return False

    def visit_Lambda(self, node) -> bool:
        return False

    def visit_ClassDef(self, node) -> bool:
        return False


def _mutable_kind(expr: cst.BaseExpression, ctx: FileContext) -> Optional[str]:
    if isinstance(expr, (cst.List, cst.ListComp)):
        return "list"
    if isinstance(expr, (cst.Dict, cst.DictComp)):
        return "dict"
    if isinstance(expr, (cst.Set, cst.SetComp)):
        return "set"
    if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Name) and expr.func.value in _MUTABLE_FACTORIES:
        if ctx.resolve(expr.func) is None and expr.func.value not in _module_defines(ctx):
            return "list" if expr.func.value == "sorted" else expr.func.value
    return None


def _in_memory_shared(site: CacheSite) -> bool:
    return (
        site.model.in_memory
        and site.spec.serializer == "none"
        and not site.spec.persistent
        and site.spec.argument_keyed
        and site.qualname not in ("functools.cached_property", "django.utils.functional.cached_property")
    )


class MutableCachedValue(Rule):
    """### What it does
Reports an in-memory cache that stores the returned object itself (functools, cachetools,
async-lru, methodtools, `st.cache_resource`, and other caches without a serializer) on a
function that returns a list, dict or set (a display, a comprehension, `list(...)`,
`sorted(...)`) or is annotated to return one (`list`, `dict`, `set`, `List`, `Dict`, `Set`,
`DataFrame`...). Also reports the places in the same module that change such a result in
place: `x = f(); x.append(...)`, `f()[k] = v`, `x += [...]`, `x.update(...)`,
`x.sort()`, `del x[k]`. Off by default.

### Why it matters
Every hit returns the same object. A caller that sorts, appends to or updates it changes
the cached value for every later caller, and the bug shows up far from its cause.
(`st.cache_data`, joblib and other serializing caches hand out copies and are not
reported.)

### Example
```python
@functools.cache
def allowed_roles(user):
    return ["reader"]

roles = allowed_roles(user)
roles.append("admin")        # every later call sees "admin"
```

### Use instead
Return an immutable value (`tuple`, `frozenset`, `types.MappingProxyType`), or copy
before changing it: `roles = list(allowed_roles(user))`.
"""

    code = "CL402"
    name = "mutable-cached-value"
    summary = "an in-memory cache hands out the same mutable object to every caller"
    severity = WARNING
    default_on = False
    valid = (
        "import functools\n@functools.cache\ndef f(x): return (x, x)\n",
        "import streamlit as st\n@st.cache_data\ndef f(x): return [x]\n",
    )
    invalid = (
        "import functools\n@functools.cache\ndef f(x): return [x]\n",
        "import functools\n@functools.cache\ndef f(x) -> tuple: return tuple(x)\n"
        "def g():\n    f(1)[0] = 2\n",
    )

    def check(self, site: CacheSite, ctx: FileContext) -> Iterable[Report]:
        kind = self._returns_mutable(site, ctx) if _in_memory_shared(site) else None
        if kind is not None:
            instead = _IMMUTABLE.get(kind, "a copy for each caller")
            yield Report(
                f"{site.model.display} hands every caller the same {kind} returned by {site.function_name}(): a caller "
                f"that changes it changes the cached value for everyone. Return {instead} instead, or have callers "
                f"copy it before changing it.",
                node=site.decorator.decorator,
                fix=Fix(f"Return {instead}"),
            )
        targets = {id(t.function): t for t in reported_targets(site, ctx) if _in_memory_shared(t)}
        index = call_index(ctx) if targets else None
        if index is None:
            return
        for mutation in index.mutations:
            call = self._source_call(mutation, index)
            if call is None or id(call.site.function) not in targets:
                continue
            site = call.site
            via = f"'{code(mutation.receiver)}' (from {call_text(call.node)})" if isinstance(mutation.receiver, cst.Name) else call_text(call.node)
            yield Report(
                f"{mutation.how} changes {via} in place, but {site.model.display} returns the same object to every "
                f"caller of {site.function_name}(): the change leaks into the cache. Copy it first "
                f"(list(...), dict(...), set(...) or .copy() around the call).",
                node=mutation.node,
                fix=Fix("Copy the cached value before changing it"),
            )

    @staticmethod
    def _returns_mutable(site: CacheSite, ctx: FileContext) -> Optional[str]:
        returns = site.function.returns
        if returns is not None:
            text = code(returns.annotation).replace(" ", "").strip("'\"")
            match = _MUTABLE_ANNOTATION.match(text)
            if match:
                name = match.group(1).split(".")[-1]
                return _KIND.get(name, name)
            return None
        finder = _Returns()
        finder.walk(site.function.body)
        for value in finder.values:
            kind = _mutable_kind(value, ctx)
            if kind:
                return kind
        return None

    @staticmethod
    def _source_call(mutation: Mutation, index: CallIndex) -> Optional[Call]:
        receiver = mutation.receiver
        if isinstance(receiver, cst.Call):
            return index.by_call.get(id(receiver))
        if isinstance(receiver, cst.Name):
            scope: Optional[Scope] = mutation.scope
            while scope is not None and receiver.value not in scope.bindings:
                scope = scope.parent
            values = scope.bindings.get(receiver.value) if scope is not None else None
            if not values or any(not isinstance(v, cst.Call) for v in values):
                return None
            calls = [index.by_call.get(id(v)) for v in values]
            if all(calls) and len({id(c.site.function) for c in calls}) == 1:
                return calls[0]
        return None


RULES = (VolatileArgument, ExclusionMissesCallShape, MutableCachedValue)

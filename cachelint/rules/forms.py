"""CL505–CL507, CL701–CL702: decorators written in a form or place where they misbehave.

These rules read the decorator as written (bare or called, what sits below it, the class
it is in, the function it is nested in). Only CL506 looks beyond the decorated function:
it needs the enclosing function, found once per site by a walk of the site's top-level
statement.
"""
from __future__ import annotations

from typing import Dict, Iterable, List, Optional, Sequence, Set, Tuple

import libcst as cst

from ..analysis import code, dotted_name
from ..libraries.base import argument, literal_elements, string_value
from ..models import ERROR, WARNING, CacheSite, Fix
from .base import FileContext, Report, Rule
from ..walk import FastVisitor

_STACK_BELOW = ("property", "classmethod", "staticmethod")
_CACHED_PROPERTIES = ("functools.cached_property", "django.utils.functional.cached_property")
_AIOCACHE_RESERVED = ("cache_read", "cache_write", "aiocache_wait_for_write")
#: plain keyword names cachier strips from every call before it reaches the function
_CACHIER_RESERVED = ("max_age", "ignore_cache", "overwrite_cache", "verbose_cache")

#: library -> (what goes wrong with the bare form, the arguments to suggest)
_BARE_FAILURE: Dict[str, Tuple[str, str]] = {
    "flask_caching": (
        "does not raise but replaces the function with the inner decorator: every call returns a function "
        "instead of a value and nothing is cached", "()"),
    "diskcache": ("raises TypeError('name cannot be callable') when the module is imported", "()"),
    "cachier": ("binds the name to the inner decorator; the first call raises TypeError", "()"),
    "cashews": ("binds the name to the inner decorator, so calls fail; ttl is required", '(ttl="1h")'),
    "methodtools": ("fails with AttributeError at the first call", "()"),
    "aiocache": ("fails at the first call", "()"),
    "dogpile": ("fails at the first call", "()"),
    "klepto": ("fails at the first call", "()"),
    "cachebox": ("takes the function for the cache and fails at the first call", "(cachebox.LRUCache(128))"),
    "cacheout": ("fails at the first call", "()"),
    "cache_to_disk": ("takes the function for the number of days and fails at the first call", "(7)"),
}

#: libraries whose cache lives in an object outside the decorated function (a disk
#: directory, a backend, a global registry keyed by the function's qualified name):
#: redefining the function does not start a new cache.
_EXTERNAL_STORE = frozenset({"joblib", "diskcache", "prefect", "streamlit", "flask_caching", "dogpile", "cashews", "cacheout", "django", "cachelint"})
#: decorators whose first argument is the cache object itself
_CACHE_ARGUMENT = ("cachetools.cached", "cachetools.cachedmethod", "asyncache.cached", "asyncache.cachedmethod", "cachebox.cached")


def _callee(site: CacheSite) -> cst.BaseExpression:
    deco = site.decorator.decorator
    return deco.func if isinstance(deco, cst.Call) else deco


def _callee_text(site: CacheSite) -> str:
    return code(_callee(site))


def _bare_only(site: CacheSite) -> bool:
    return site.model.forms == "bare" or site.qualname == "django.utils.functional.cached_property"


class DecoratorMisuse(Rule):
    """### What it does
Reports cache decorators written in a form or a place where they fail, often silently:

- the bare form of a decorator that only works called: Flask-Caching `@cache.memoize` and
  `@cache.cached` (silently broken: calls return a function), diskcache `@cache.memoize`
  (`TypeError` at import), `@cachier`, cashews `@cache`, methodtools `@lru_cache`,
  `@cachetools.cached`, aiocache `@cached`, dogpile `@region.cache_on_arguments`;
- the called form of a decorator that only works bare: `@functools.cache()`,
  `@functools.cached_property()`, Django `@cached_property()`;
- a cache decorator directly above `@property`, `@classmethod` or `@staticmethod` (it
  wraps the descriptor object, not the function; methodtools, which must be outermost, is
  exempt; `@property` above a cache is fine here, see CL503);
- joblib `Memory.cache` on an instance method in a class body (`MemorizedFunc` is not a
  descriptor: `obj.method(x)` fails with "Wrong number of arguments");
- an aiocache-decorated function with a parameter named `cache_read`, `cache_write` or
  `aiocache_wait_for_write`, and a cachier-decorated one with a parameter named `max_age`
  (or the old `ignore_cache`/`overwrite_cache`/`verbose_cache`): the wrapper consumes these
  keywords, so the function never receives them.

### Why it matters
Each of these either caches nothing or breaks the function. The worst fail quietly (a
bare Flask-Caching `memoize` hands out functions instead of values; cachier swallows a
`max_age` argument), the others only when the code path first runs.

### Example
```python
@cache.memoize
def profile(user_id): ...

class Repo:
    @functools.lru_cache
    @staticmethod
    def parse(text): ...
```

### Use instead
```python
@cache.memoize(timeout=300)
def profile(user_id): ...

class Repo:
    @staticmethod
    @functools.lru_cache
    def parse(text): ...
```
For joblib methods, cache the bound method once per instance:
`self.method = memory.cache(self.method, ignore=["self"])`.

### References
LIBRARIES.md notes on each library's bare and called forms.
"""

    code = "CL505"
    name = "decorator-misuse"
    summary = "wrong bare/called form or stacking order for the cache decorator"
    severity = ERROR
    valid = (
        "from flask_caching import Cache\ncache = Cache()\n@cache.memoize(timeout=50)\ndef f(x): return x\n",
        "import functools\nclass A:\n    @staticmethod\n    @functools.lru_cache\n    def f(x): return x\n",
        "import functools\n@functools.cache\ndef f(x): return x\n",
    )
    invalid = (
        "from flask_caching import Cache\ncache = Cache()\n@cache.memoize\ndef f(x): return x\n",
        "import functools\n@functools.cache()\ndef f(x): return x\n",
        "import functools\nclass A:\n    @functools.lru_cache\n    @staticmethod\n    def f(x): return x\n",
        "from joblib import Memory\nmemory = Memory('d')\nclass A:\n    @memory.cache\n    def f(self, x): return x\n",
    )

    def check(self, site: CacheSite, ctx: FileContext) -> Iterable[Report]:
        problems: List[Tuple[str, Optional[Fix]]] = []
        problems.extend(self._form(site))
        problems.extend(self._stacking(site))
        problems.extend(self._joblib_method(site))
        problems.extend(self._reserved_parameters(site))
        if not problems:
            return
        message = " ".join(text for text, _ in problems)
        fix = problems[0][1] if len(problems) == 1 else Fix("; ".join(f.description for _, f in problems if f))
        yield Report(message, node=site.decorator.decorator, fix=fix)

    # -- bare / called ----------------------------------------------------------------
    def _form(self, site: CacheSite):
        text = _callee_text(site)
        if site.model.forms == "called" and not site.called:
            failure, args = _BARE_FAILURE.get(site.model.library, ("fails when the function is called", "()"))
            if site.qualname in ("cachetools.cached", "cachetools.decorators.cached", "asyncache.cached", "cachetools_async.cached"):
                prefix = text.rsplit(".", 1)[0] + "." if "." in text else ""
                failure, args = "takes the function for its cache argument and fails at the first call", f"(cache={prefix}LRUCache(maxsize=128))"
            elif site.qualname.endswith("cachedmethod"):
                failure, args = "takes the function for its cache argument and fails at the first call", "(lambda self: self._cache)"
            elif site.model.library == "flask_caching" and site.qualname.endswith(".cached"):
                args = "(timeout=50)"
            suggestion = f"@{text}{args}"
            yield (
                f"{site.model.display} only works in called form: a bare @{text} {failure}. Write {suggestion}.",
                Fix(f"Call the decorator: {suggestion}", text + args),
            )
        elif _bare_only(site) and site.called:
            deco = site.decorator.decorator
            if isinstance(deco, cst.Call) and deco.args and site.qualname == "functools.cache":
                base = text[: -len("cache")] if text.endswith("cache") else "functools."
                args = ", ".join(code(a) for a in deco.args)
                replacement = f"{base}lru_cache({args})" if base.endswith(".") else f"functools.lru_cache({args})"
                yield (
                    f"functools.cache takes no options; @{code(deco)} raises TypeError when the module is imported. "
                    f"Write @{replacement}.",
                    Fix(f"Use {replacement}", replacement),
                )
                return
            what = {
                "functools.cache": "raises TypeError (missing 'user_function') when the module is imported",
                "functools.cached_property": "raises TypeError (missing 'func') when the class is created",
                "django.utils.functional.cached_property": "raises TypeError (missing 'func') when the class is created",
            }.get(site.qualname, "fails because the decorator expects the function itself")
            yield (
                f"{site.model.display if site.model.library != 'django' else 'Django cached_property'} only works bare: "
                f"@{text}() {what}. Write @{text}.",
                Fix(f"Drop the parentheses: @{text}", text),
            )

    # -- stacking --------------------------------------------------------------------
    def _stacking(self, site: CacheSite):
        below_index = site.decorator_index + 1
        if below_index >= len(site.decorator_names) or site.model.library == "methodtools":
            return
        below = site.decorator_names[below_index]
        if below not in _STACK_BELOW:
            return
        text = _callee_text(site)
        deco_text = code(site.decorator.decorator)
        if site.model.library == "flask_caching":
            yield (
                f"{site.model.display} must sit below @{below}: @{deco_text} above @{below} wraps the {below} object, "
                f"not the function. Put @{below} first, then @{deco_text}.",
                Fix(f"Swap the decorators: @{below} above @{deco_text}"),
            )
        elif below == "property":
            instead = "@functools.cached_property" if site.model.library == "functools" else f"@property above @{deco_text}"
            yield (
                f"@{deco_text} above @property wraps the property object: the attribute becomes a cached function "
                f"instead of a value, and calling it fails because a property object is not callable. Use {instead}.",
                Fix(f"Use {instead}"),
            )
        else:
            yield (
                f"@{deco_text} above @{below} wraps the {below} object, not the function: the cache is built around "
                f"a descriptor, so calls pass the wrong arguments or fail ('{below}' object is not callable). "
                f"Put @{below} first, then @{text}.",
                Fix(f"Swap the decorators: @{below} above @{deco_text}"),
            )

    # -- joblib on methods ------------------------------------------------------------
    def _joblib_method(self, site: CacheSite):
        if site.model.library != "joblib" or site.class_node is None or site.method_kind != "instance":
            return
        callee = _callee(site)
        memory = code(callee.value) if isinstance(callee, cst.Attribute) else "memory"
        name = site.function.name.value
        first = site.params[0].name if site.params and site.params[0].position is not None else "self"
        replacement = f'self.{name} = {memory}.cache(self.{name}, ignore=["{first}"])'
        yield (
            f"joblib Memory.cache on method '{site.function_name}' in a class body: MemorizedFunc is not a "
            f"descriptor, so obj.{name}(...) is not bound to the instance and fails with 'Wrong number of "
            f"arguments'. Remove the decorator and cache the bound method in __init__: {replacement}.",
            Fix(f"Cache the bound method in __init__: {replacement}"),
        )

    # -- control keywords the wrapper consumes ----------------------------------------------
    def _reserved_parameters(self, site: CacheSite):
        if site.model.library == "aiocache":
            reserved, who = _AIOCACHE_RESERVED, "aiocache's wrapper"
        elif site.model.library == "cachier":
            reserved, who = _CACHIER_RESERVED, "cachier's wrapper"
        else:
            return
        for p in site.params:
            if p.name in reserved:
                yield (
                    f"Parameter '{p.name}' of {site.function_name}() shares its name with a per-call option of {who}: "
                    f"the wrapper takes it out of every call, so the function never receives it. Rename the parameter.",
                    Fix(f"Rename '{p.name}'"),
                )


# -- CL506 --------------------------------------------------------------------------------
class _Chain(FastVisitor):
    """Finds the FunctionDef/ClassDef nodes enclosing ``target`` inside one statement."""

    def __init__(self, target: cst.CSTNode):
        self.target = target
        self.stack: List[cst.CSTNode] = []
        self.found: Optional[List[cst.CSTNode]] = None

    def _enter(self, node) -> bool:
        if self.found is not None:
            return False
        if node is self.target:
            self.found = list(self.stack)
            return False
        self.stack.append(node)
        return True

    def _leave(self, node) -> None:
        if self.stack and self.stack[-1] is node:
            self.stack.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return self._enter(node)

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._leave(node)

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return self._enter(node)

    def leave_ClassDef(self, node: cst.ClassDef) -> None:
        self._leave(node)


def enclosing(site: CacheSite, ctx: FileContext) -> List[cst.CSTNode]:
    """FunctionDef/ClassDef nodes around ``site.function``, outermost first (cached per function)."""
    key = ("forms.enclosing", id(site.function))
    if key not in ctx.cache:
        chain: List[cst.CSTNode] = []
        top = site.top_statement
        if top is not None and top is not site.function:
            finder = _Chain(site.function)
            finder.walk(top)
            chain = finder.found or []
        ctx.cache[key] = chain
    return ctx.cache[key]


class _Uses(FastVisitor):
    """How a function body uses ``name``: only direct calls, or in ways that let it escape."""

    _BENIGN_ATTRS = ("cache_clear", "cache_info", "cache_parameters")

    def __init__(self, name: str, skip: cst.CSTNode):
        self.name = name
        self.skip = skip
        self.depth = 0
        self.ok: Set[int] = set()
        self.escapes = False
        self.calls = 0

    def _scope_in(self, node) -> bool:
        if node is self.skip:
            return False
        self.depth += 1
        return True

    def _scope_out(self, node) -> None:
        if node is not self.skip:
            self.depth -= 1

    def visit_FunctionDef(self, node) -> bool:
        return self._scope_in(node)

    def leave_FunctionDef(self, node) -> None:
        self._scope_out(node)

    def visit_ClassDef(self, node) -> bool:
        return self._scope_in(node)

    def leave_ClassDef(self, node) -> None:
        self._scope_out(node)

    def visit_Lambda(self, node) -> bool:
        return self._scope_in(node)

    def leave_Lambda(self, node) -> None:
        self._scope_out(node)

    def visit_Call(self, node: cst.Call) -> None:
        if self.depth == 0 and isinstance(node.func, cst.Name) and node.func.value == self.name:
            self.ok.add(id(node.func))
            self.calls += 1

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if self.depth == 0 and isinstance(node.value, cst.Name) and node.value.value == self.name and node.attr.value in self._BENIGN_ATTRS:
            self.ok.add(id(node.value))

    def visit_Name(self, node: cst.Name) -> None:
        if node.value == self.name and id(node) not in self.ok:
            self.escapes = True

    def visit_Global(self, node: cst.Global) -> None:
        if any(n.name.value == self.name for n in node.names):
            self.escapes = True

    def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
        if any(n.name.value == self.name for n in node.names):
            self.escapes = True


class _Names(FastVisitor):
    """Names read and names bound in a subtree (parameters and assignment targets count as bound)."""

    def __init__(self) -> None:
        self.read: Set[str] = set()
        self.bound: Set[str] = set()

    def visit_Name(self, node: cst.Name) -> None:
        self.read.add(node.value)

    def visit_Param(self, node: cst.Param) -> None:
        self.bound.add(node.name.value)

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self.bound.update(_target_names(node.target))

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self.bound.update(_target_names(node.target))

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self.bound.update(_target_names(node.target))

    def visit_For(self, node: cst.For) -> None:
        self.bound.update(_target_names(node.target))

    def visit_CompFor(self, node: cst.CompFor) -> None:
        self.bound.update(_target_names(node.target))

    def visit_AsName(self, node: cst.AsName) -> None:
        self.bound.update(_target_names(node.name))

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self.bound.update(_target_names(node.target))

    def visit_ImportAlias(self, node: cst.ImportAlias) -> None:
        if node.asname is None:
            name = dotted_name(node.name)
            if name:
                self.bound.add(name.split(".")[0])

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.bound.add(node.name.value)

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.bound.add(node.name.value)


def _target_names(target: cst.CSTNode) -> Set[str]:
    if isinstance(target, cst.Name):
        return {target.value}
    if isinstance(target, (cst.Tuple, cst.List)):
        out: Set[str] = set()
        for el in target.elements:
            out |= _target_names(el.value)
        return out
    if isinstance(target, cst.StarredElement):
        return _target_names(target.value)
    return set()


def _own_bindings(func: cst.FunctionDef) -> Set[str]:
    """Names the function binds in its own scope: parameters and assignments outside nested scopes."""
    names = _Names()
    names.walk(func.params)

    class Shallow(_Names):
        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            self.bound.add(node.name.value)
            return False

        def visit_ClassDef(self, node: cst.ClassDef) -> bool:
            self.bound.add(node.name.value)
            return False

        def visit_Lambda(self, node: cst.Lambda) -> bool:
            return False

    shallow = Shallow()
    shallow.walk(func.body)
    return names.bound | shallow.bound


def _cache_is_external(site: CacheSite, outer_names: Set[str]) -> bool:
    """The cache's storage outlives the decorated function object (``outer_names``: names the outer function binds)."""
    if site.spec.persistent or site.model.persistent or site.model.library in _EXTERNAL_STORE:
        return True
    deco = site.decorator.decorator
    if site.qualname in _CACHE_ARGUMENT or site.model.library == "cachetools" and site.qualname.endswith((".cached", ".cachedmethod")):
        cache_arg = argument(deco, "cache", 0) if isinstance(deco, cst.Call) else None
        # a cache object built in place (or in the outer function) is new per definition
        if isinstance(cache_arg, cst.Name):
            return cache_arg.value not in outer_names
        return isinstance(cache_arg, (cst.Attribute, cst.Lambda, cst.Subscript))
    if site.model.library == "aiocache":
        return isinstance(deco, cst.Call) and argument(deco, "alias") is not None
    return False


class CacheCreatedPerCall(Rule):
    """### What it does
Reports an in-memory cache decorator on a function defined inside another function (or on
a method of a class defined inside a function) when nothing keeps the decorated function
beyond the call: it is only ever called directly inside the outer function.

Not reported: the outer function is itself cached; the inner function (or class) is
returned, yielded, stored in an attribute, container or global, passed to another call,
registered by another decorator, or used by another nested function; the inner function
calls itself (memoised recursion, which the per-call cache serves); it reads the outer
function's parameters or locals (a cache shared across calls would be wrong, so a fresh
one per call is deliberate); the outer function is a test (`test_*`, `setUp`), which wants
a fresh cache per run; the cache's storage lives outside the function (joblib,
diskcache, cachier, Prefect, Streamlit, Flask-Caching, dogpile, cashews, or a
`cachetools` cache object created elsewhere).

### Why it matters
The decorator runs every time the outer function runs, so each call starts with a new,
empty cache and throws it away at the end. Results are never shared between calls, which
is almost always what the cache was added for.

### Example
```python
def price_all(items):
    @functools.lru_cache(maxsize=None)
    def rate(currency):
        return fetch_rate(currency)
    return [i.amount * rate(i.currency) for i in items]
```

### Use instead
Move the cached function to module level (or to the class), passing everything it needs
as arguments.
"""

    code = "CL506"
    name = "cache-created-per-call"
    summary = "a cache decorator on a nested function creates a new cache every call"
    severity = WARNING
    valid = (
        "import functools\ndef make():\n    @functools.lru_cache\n    def f(x): return x\n    return f\n",
        "import functools\ndef solve(n):\n    @functools.cache\n    def fib(i): return i if i < 2 else fib(i - 1) + fib(i - 2)\n    return fib(n)\n",
    )
    invalid = (
        "import functools\ndef outer(items):\n    @functools.lru_cache\n    def norm(s): return s.lower()\n    return [norm(i) for i in items]\n",
    )

    def check(self, site: CacheSite, ctx: FileContext) -> Iterable[Report]:
        if not site.nested_in_function or not site.spec.argument_keyed or site.model.library == "home-made":
            return
        if site.qualname in _CACHED_PROPERTIES:
            return
        chain = enclosing(site, ctx)
        functions = [n for n in chain if isinstance(n, cst.FunctionDef)]
        if not functions:
            return
        outer = functions[-1]
        # the node the outer function defines: the decorated function or the class holding it
        inner_index = chain.index(outer) + 1
        inner: cst.CSTNode = chain[inner_index] if inner_index < len(chain) else site.function
        outer_names = _own_bindings(outer)
        if _cache_is_external(site, outer_names) or any(s.function is outer for s in ctx.sites):
            return
        if outer.name.value.startswith("test") or outer.name.value in ("setUp", "setUpClass", "setup_method"):
            return  # a test wants a fresh cache per run
        if self._escapes_by_decorator(site, inner):
            return
        name = inner.name.value
        uses = _Uses(name, inner)
        uses.walk(outer.body)
        if uses.escapes or uses.calls == 0 and inner is site.function:
            return
        inside = _Names()
        inside.walk(inner.body)
        if inner is site.function and name in inside.read:
            return  # memoised recursion
        own = _own_bindings(site.function) if inner is site.function else inside.bound
        closure = (inside.read - own - {name}) & (outer_names - {name})
        if closure:
            return
        what = f"'{site.function.name.value}'" if inner is site.function else f"method '{name}.{site.function.name.value}'"
        yield Report(
            f"@{_callee_text(site)} on {what}, defined inside '{outer.name.value}': the decorator runs on every call "
            f"of {outer.name.value}(), so each call starts with a new, empty cache and nothing is shared between "
            f"calls. Move '{name}' to module level (pass what it needs as arguments).",
            node=site.decorator.decorator,
            fix=Fix(f"Move '{name}' out of '{outer.name.value}' to module level"),
        )

    @staticmethod
    def _escapes_by_decorator(site: CacheSite, inner: cst.CSTNode) -> bool:
        """A non-cache decorator above the cache (``@app.route``) registers the function somewhere."""
        if inner is not site.function:
            return bool(getattr(inner, "decorators", ()))
        for index in range(site.decorator_index):
            name = site.decorator_names[index]
            if name in ("functools.wraps", "staticmethod", "classmethod", "property") or name.endswith(".wraps"):
                continue
            return True
        return False


# -- CL507 --------------------------------------------------------------------------------
def _slots(cls: cst.ClassDef) -> Optional[Sequence[str]]:
    """The names in a literal ``__slots__`` of the class body; None when absent or not literal."""
    body = cls.body.body if isinstance(cls.body, cst.IndentedBlock) else ()
    for stmt in body:
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        for small in stmt.body:
            if isinstance(small, cst.Assign):
                targets = [t.target for t in small.targets]
            elif isinstance(small, cst.AnnAssign) and small.value is not None:
                targets = [small.target]
            else:
                continue
            if any(isinstance(t, cst.Name) and t.value == "__slots__" for t in targets):
                value = small.value
                if isinstance(value, cst.Dict):
                    keys = [string_value(el.key) for el in value.elements if isinstance(el, cst.DictElement)]
                    return None if None in keys else [k for k in keys if k is not None]
                elements = literal_elements(value)
                if elements is None or any(not isinstance(v, str) for v, _ in elements):
                    return None
                return [v for v, _ in elements]
    return None


_NO_DICT_BASES = ("object", "typing.Generic", "typing.Protocol", "typing_extensions.Protocol", "abc.ABC")


def _module_classes(ctx: FileContext) -> Dict[str, cst.ClassDef]:
    key = "forms.classes"
    if key not in ctx.cache:
        ctx.cache[key] = {s.name.value: s for s in ctx.module.body if isinstance(s, cst.ClassDef)}
    return ctx.cache[key]


def _lacks_dict(cls: cst.ClassDef, ctx: FileContext, seen: Optional[Set[int]] = None) -> Optional[str]:
    """Why instances of ``cls`` have no ``__dict__`` (``"__slots__"``/``"slots=True"``), or None.

    ``__slots__`` only removes ``__dict__`` when every base lacks one too: ``object``,
    ``Generic``/``Protocol``/``ABC``, ``namedtuple(...)`` and slotted classes of the same
    module. Any other base (``Exception``, an imported class) may bring a ``__dict__``.
    """
    seen = seen or set()
    if id(cls) in seen:
        return None
    seen.add(id(cls))
    slots = _slots(cls)
    if slots is not None:
        why = "__slots__"
        if "__dict__" in slots:
            return None
    elif _slotted_dataclass(cls, ctx):
        why = "slots=True"
    else:
        return None
    classes = _module_classes(ctx)
    for base in cls.bases:
        expr = base.value
        if isinstance(expr, cst.Subscript):
            expr = expr.value
        if isinstance(expr, cst.Call):
            qual = ctx.resolve(expr.func) or dotted_name(expr.func) or ""
            if qual.split(".")[-1] == "namedtuple":
                continue
            return None
        qual = ctx.resolve(expr) or dotted_name(expr) or ""
        if qual in _NO_DICT_BASES or qual in ("Generic", "Protocol", "ABC"):
            continue
        if isinstance(expr, cst.Name) and expr.value in classes and _lacks_dict(classes[expr.value], ctx, seen):
            continue
        return None
    return why


def _is_namedtuple(cls: cst.ClassDef, ctx: FileContext) -> bool:
    """``class P(NamedTuple)``: the class is built by NamedTuple's machinery, with no ``__dict__``.

    A subclass of ``namedtuple(...)`` is an ordinary class with a ``__dict__`` unless it
    sets ``__slots__ = ()``, which :func:`_slots` sees.
    """
    for base in cls.bases:
        qual = ctx.resolve(base.value) or dotted_name(base.value) or ""
        if qual in ("typing.NamedTuple", "typing_extensions.NamedTuple", "NamedTuple"):
            return True
    return False


def _slotted_dataclass(cls: cst.ClassDef, ctx: FileContext) -> bool:
    for deco in cls.decorators:
        expr = deco.decorator
        if not isinstance(expr, cst.Call):
            continue
        qual = ctx.resolve(expr.func) or dotted_name(expr.func) or ""
        if qual in ("dataclasses.dataclass", "dataclass"):
            slots = argument(expr, "slots")
            if isinstance(slots, cst.Name) and slots.value == "True":
                return True
    return False


class CachedPropertyMisuse(Rule):
    """### What it does
Reports `functools.cached_property` and Django's `cached_property` where they cannot
work: on a function that takes parameters besides `self`; in a class whose literal
`__slots__` lacks `"__dict__"` (including `__slots__ = ()` in a `namedtuple(...)`
subclass, and `@dataclass(slots=True)`) when its bases bring no `__dict__` either
(`object`, `Generic`, `Protocol`, `ABC`, slotted classes of the same module; a base such
as `Exception` or an imported class may have one, so it is not reported); in a
`typing.NamedTuple` class.

### Why it matters
`cached_property` calls the function with the instance only, so any other parameter is
either a `TypeError` on first access or always its default. It stores the value in the
instance's `__dict__`: a slotted class or a named tuple has none, and the first access
raises `TypeError: No '__dict__' attribute ... to cache ... property`.

### Example
```python
class Point(NamedTuple):
    x: float
    y: float

    @cached_property
    def norm(self): ...
```

### Use instead
A plain `@property` (recomputed on each access), a method with `functools.lru_cache`
for values that take arguments, or add `"__dict__"` to `__slots__`.
"""

    code = "CL507"
    name = "cached-property-misuse"
    summary = "a cached_property with extra parameters or on a class without __dict__"
    severity = ERROR
    valid = (
        "from functools import cached_property\nclass A:\n    @cached_property\n    def x(self): return 1\n",
        "from functools import cached_property\nclass A:\n    __slots__ = ('a', '__dict__')\n    @cached_property\n    def x(self): return 1\n",
    )
    invalid = (
        "from functools import cached_property\nclass A:\n    @cached_property\n    def x(self, n): return n\n",
        "from functools import cached_property\nclass A:\n    __slots__ = ('a',)\n    @cached_property\n    def x(self): return 1\n",
        "from functools import cached_property\nfrom typing import NamedTuple\nclass P(NamedTuple):\n    a: int\n    @cached_property\n    def x(self): return 1\n",
    )

    def check(self, site: CacheSite, ctx: FileContext) -> Iterable[Report]:
        if site.qualname not in _CACHED_PROPERTIES:
            return
        deco = code(site.decorator.decorator)
        problems: List[str] = []
        rest = site.params[1:] if site.params and site.params[0].position is not None else site.params
        extra = [p.name for p in rest if p.kind not in ("vararg", "kwarg")]
        if not site.params:
            problems.append(
                f"@{deco} calls {site.function_name}() with the instance, but it takes no parameters: the first access "
                f"raises TypeError. Add 'self'."
            )
        elif extra:
            listed = ", ".join(f"'{n}'" for n in extra)
            problems.append(
                f"@{deco} calls {site.function_name}() with the instance only, so {listed} can never be passed "
                f"(TypeError on first access, or always the default). Use a method, with functools.lru_cache if it "
                f"must be cached."
            )
        cls = site.class_node
        if cls is not None:
            why = _lacks_dict(cls, ctx)
            if why == "__slots__":
                problems.append(
                    f"Class '{cls.name.value}' defines __slots__ without '__dict__', so @{deco} has nowhere to store "
                    f"the value and the first access raises TypeError. Add '__dict__' to __slots__ or use @property."
                )
            elif why == "slots=True":
                problems.append(
                    f"Class '{cls.name.value}' is a @dataclass(slots=True) without '__dict__', so @{deco} has nowhere "
                    f"to store the value and the first access raises TypeError. Drop slots=True or use @property."
                )
            if _is_namedtuple(cls, ctx):
                problems.append(
                    f"Class '{cls.name.value}' is a typing.NamedTuple: its instances have no __dict__ (and the class "
                    f"machinery never calls __set_name__), so @{deco} raises TypeError on first access. Use @property."
                )
        if problems:
            yield Report(" ".join(problems), node=site.decorator.decorator, fix=Fix("Use @property or a plain method"))


# -- CL701 / CL702 ------------------------------------------------------------------------
def _lru_call(site: CacheSite) -> Optional[cst.Call]:
    deco = site.decorator.decorator
    if site.qualname == "functools.lru_cache" and isinstance(deco, cst.Call):
        return deco
    return None


def _is_none(expr: Optional[cst.BaseExpression]) -> bool:
    return isinstance(expr, cst.Name) and expr.value == "None"


class LruCacheMaxsizeNone(Rule):
    """### What it does
Reports `functools.lru_cache(maxsize=None)` (or `lru_cache(None)`) without other
options; `typed=False` is allowed.

### Why it matters
Style only: since Python 3.9, `functools.cache` is the same unbounded cache with a
shorter name that says what it is. Off by default; parity with ruff `UP033`.

### Example
```python
@functools.lru_cache(maxsize=None)
def parse(text): ...
```

### Use instead
```python
@functools.cache
def parse(text): ...
```

### References
ruff UP033 (`lru-cache-with-maxsize-none`).
"""

    code = "CL701"
    name = "lru-cache-maxsize-none"
    summary = "an lru_cache(maxsize=None) that can be functools.cache"
    severity = WARNING
    default_on = False
    valid = (
        "import functools\n@functools.lru_cache(maxsize=128)\ndef f(x): return x\n",
        "import functools\n@functools.lru_cache(maxsize=None, typed=True)\ndef f(x): return x\n",
    )
    invalid = ("import functools\n@functools.lru_cache(maxsize=None)\ndef f(x): return x\n",)

    def check(self, site: CacheSite, ctx: FileContext) -> Iterable[Report]:
        call = _lru_call(site)
        if call is None or not call.args:
            return
        maxsize_seen = False
        for position, arg in enumerate(call.args):
            keyword = arg.keyword.value if arg.keyword is not None else None
            if arg.star:
                return
            if keyword == "maxsize" or keyword is None and position == 0:
                if not _is_none(arg.value):
                    return
                maxsize_seen = True
            elif keyword == "typed":
                if not (isinstance(arg.value, cst.Name) and arg.value.value == "False"):
                    return
            else:
                return
        if not maxsize_seen:
            return
        callee = call.func
        if isinstance(callee, cst.Attribute) and callee.attr.value == "lru_cache":
            replacement = code(callee.value) + ".cache"
            extra = ""
        elif isinstance(callee, cst.Name) and callee.value == "lru_cache":
            replacement = "cache"
            extra = " (import cache from functools)"
        else:
            replacement = "functools.cache"
            extra = " (import functools)"
        yield Report(
            f"@{code(call)} is an unbounded cache; write @{replacement}{extra}, its Python 3.9+ spelling.",
            node=call,
            fix=Fix(f"Replace with @{replacement}{extra}", replacement),
        )


class LruCacheEmptyCall(Rule):
    """### What it does
Reports `@functools.lru_cache()` with empty parentheses.

### Why it matters
Style only: since Python 3.8 `lru_cache` can be applied bare, and the parentheses add
nothing (the defaults, `maxsize=128`, are the same). Off by default; parity with ruff
`UP011`. Only `functools.lru_cache` is concerned: `methodtools.lru_cache` needs its
parentheses.

### Example
```python
@functools.lru_cache()
def parse(text): ...
```

### Use instead
```python
@functools.lru_cache
def parse(text): ...
```

### References
ruff UP011 (`lru-cache-without-parameters`).
"""

    code = "CL702"
    name = "lru-cache-empty-call"
    summary = "an lru_cache() whose empty parentheses can go"
    severity = WARNING
    default_on = False
    valid = (
        "import functools\n@functools.lru_cache\ndef f(x): return x\n",
        "from methodtools import lru_cache\nclass A:\n    @lru_cache()\n    def f(self, x): return x\n",
    )
    invalid = ("import functools\n@functools.lru_cache()\ndef f(x): return x\n",)

    def check(self, site: CacheSite, ctx: FileContext) -> Iterable[Report]:
        call = _lru_call(site)
        if call is None or call.args:
            return
        bare = code(call.func)
        yield Report(
            f"@{bare}() needs no parentheses; write @{bare}.",
            node=call,
            fix=Fix(f"Remove the parentheses: @{bare}", bare),
        )


RULES = (DecoratorMisuse, CacheCreatedPerCall, CachedPropertyMisuse, LruCacheMaxsizeNone, LruCacheEmptyCall)

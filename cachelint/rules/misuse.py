"""CL501–CL504: decorators applied where they cannot work as intended."""
from __future__ import annotations

import re
from typing import Iterable, Optional, Set

import libcst as cst

from ..analysis import dotted_name
from ..libraries.base import argument
from ..models import ERROR, WARNING, CacheSite, Fix
from .base import FileContext, Report, Rule, keyed_params, lib_phrase

_ENUM_BASES = ("Enum", "IntEnum", "StrEnum", "Flag", "IntFlag", "ReprEnum")
_B019_EXEMPT = ("__new__", "__init_subclass__", "__class_getitem__")


class CachedCoroutine(Rule):
    """### What it does
Reports a synchronous cache decorator on an `async def` function.

### Why it matters
Calling an `async def` returns a coroutine object; the cache stores that object, not the
result. The second call gets the same, already awaited coroutine and fails with
`RuntimeError: cannot reuse already awaited coroutine` (functools, cachetools, dogpile),
or the library fails to pickle it (diskcache).

### Example
```python
@functools.lru_cache
async def fetch(url): ...
```

### Use instead
An async-aware cache: `async_lru.alru_cache`, `aiocache.cached`, cashews,
`asyncache.cached`, `joblib.Memory.cache` (1.4+), `st.cache_data` or
`cachelint.cacheable`.
"""

    code = "CL501"
    name = "cached-coroutine"
    summary = "a synchronous cache decorator on an async function caches the coroutine"
    severity = ERROR
    valid = ("from async_lru import alru_cache\n@alru_cache\nasync def f(x): return x\n",)
    invalid = ("import functools\n@functools.lru_cache\nasync def f(x): return x\n",)

    def check(self, site: CacheSite, ctx: FileContext) -> Iterable[Report]:
        if site.is_async and not site.model.async_aware and site.model.library not in ("home-made", "declared"):
            yield Report(
                f"{site.model.display} on 'async def {site.function.name.value}' caches the coroutine object, not its "
                f"result; the second call awaits an already awaited coroutine. Use an async-aware cache such as "
                f"async_lru.alru_cache.",
                node=site.decorator.decorator,
                fix=Fix("Use an async-aware cache (async_lru.alru_cache, aiocache.cached, cachelint.cacheable)"),
            )


class CachedGenerator(Rule):
    """### What it does
Reports a cache decorator on a generator function (one whose own body contains `yield`
or `yield from`, or that returns a generator expression).

### Why it matters
The cache stores the generator object. The first caller consumes it; every later hit
gets the same, exhausted iterator and sees no items at all.

### Example
```python
@functools.cache
def rows(path):
    with open(path) as f:
        yield from f
```

### Use instead
Cache a function that returns a list or tuple of the items.
"""

    code = "CL502"
    name = "cached-generator"
    summary = "a cache decorator on a generator function caches a one-shot iterator"
    severity = ERROR
    valid = ("import functools\n@functools.cache\ndef f(n): return [i for i in range(n)]\n",)
    invalid = ("import functools\n@functools.cache\ndef f(n):\n    yield from range(n)\n",)

    def check(self, site: CacheSite, ctx: FileContext) -> Iterable[Report]:
        if site.is_generator and site.model.library != "gradio" and site.spec.argument_keyed:
            yield Report(
                f"{site.model.display} on generator function '{site.function.name.value}' caches the generator "
                f"object: the first caller exhausts it and every hit returns an empty iterator. Return a list or "
                f"tuple instead.",
                node=site.decorator.decorator,
                fix=Fix("Return a list or tuple of the items instead of yielding them"),
            )


def _is_enum_class(cls: cst.ClassDef) -> bool:
    for base in cls.bases:
        name = dotted_name(base.value) or ""
        if name.split(".")[-1] in _ENUM_BASES:
            return True
    return False


_FROZEN_DECORATORS = ("dataclass", "s", "attrs", "define")  # with frozen=True


def _module_class(module: Optional[cst.Module], name: str) -> Optional[cst.ClassDef]:
    if module is None or "." in name:
        return None
    for stmt in module.body:
        if isinstance(stmt, cst.ClassDef) and stmt.name.value == name:
            return stmt
    return None


def _is_value_class(cls: cst.ClassDef, module: Optional[cst.Module]) -> bool:
    """Instances compare and hash by value: a named tuple, a frozen dataclass/attrs class,
    or a class that defines both ``__eq__`` and ``__hash__`` (itself or in a base class of
    the same module)."""
    dunders: Set[str] = set()
    seen: Set[int] = set()
    todo = [cls]
    while todo:
        node = todo.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        for base in node.bases:
            if base.keyword is not None:
                continue
            value = base.value
            if isinstance(value, cst.Call):
                if (dotted_name(value.func) or "").split(".")[-1] == "namedtuple":
                    return True
                continue
            name = dotted_name(value) or ""
            if name.split(".")[-1] == "NamedTuple":
                return True
            local = _module_class(module, name)
            if local is not None:
                todo.append(local)
        for deco in node.decorators:
            d = deco.decorator
            if isinstance(d, cst.Call):
                frozen = argument(d, "frozen")
                if (dotted_name(d.func) or "").split(".")[-1] in _FROZEN_DECORATORS and (
                    isinstance(frozen, cst.Name) and frozen.value == "True"
                ):
                    return True
            elif dotted_name(d) in ("attr.frozen", "attrs.frozen", "frozen"):
                return True
        body = node.body.body if isinstance(node.body, cst.IndentedBlock) else ()
        for stmt in body:
            if isinstance(stmt, cst.FunctionDef) and stmt.name.value in ("__eq__", "__hash__"):
                dunders.add(stmt.name.value)
    return dunders == {"__eq__", "__hash__"}


def _unbounded(site: CacheSite) -> bool:
    if site.qualname == "functools.cache":
        return True
    deco = site.decorator.decorator
    if isinstance(deco, cst.Call):
        maxsize = argument(deco, "maxsize", 0)
        return isinstance(maxsize, cst.Name) and maxsize.value == "None"
    return False


class CachedInstanceMethod(Rule):
    """### What it does
Reports an in-memory cache whose key includes `self` on an instance method:
`functools.lru_cache`/`cache`, `cachetools.cached` and `cachetools.func.*`, and
`async_lru.alru_cache` (the same exemptions as ruff's B019: static and class methods,
`Enum` classes, `__new__`, `__init_subclass__`, `__class_getitem__`).

Also not reported: a first parameter named `cls` (a class-level cache, such as a function
turned into a class method or class property after decoration: classes live as long as
their module anyway), and a bounded cache (`lru_cache()`, `maxsize=N`) on a value type –
a named tuple, a frozen dataclass or attrs class, or a class defining `__eq__` and
`__hash__` (itself or in a base class of the same module) – where equal instances are
meant to share entries and the bound limits what is kept alive.

### Why it matters
One cache is shared by every instance and holds a strong reference to each `self` it has
seen, so instances are never garbage-collected (unbounded with `functools.cache` or
`maxsize=None`). Equal instances share entries; unhashable ones fail.

### Example
```python
class Repo:
    @functools.cache
    def load(self, key): ...
```

### Use instead
A per-instance cache (`cachetools.cachedmethod(lambda self: self._cache)`,
`methodtools.lru_cache`, or a cache created in `__init__`), or a module-level cached
function that takes only what shapes the result.

### References
ruff B019 / flake8-bugbear B019; pylint W1518 `method-cache-max-size-none`.
"""

    code = "CL503"
    name = "cached-instance-method"
    summary = "an in-memory cache keyed on self on an instance method"
    severity = WARNING
    valid = (
        "import functools\nclass A:\n    @staticmethod\n    @functools.cache\n    def f(x): return x\n",
        "import functools, enum\nclass E(enum.Enum):\n    A = 1\n    @functools.cache\n    def f(self): return 1\n",
    )
    invalid = ("import functools\nclass A:\n    @functools.cache\n    def f(self, x): return x\n",)

    def check(self, site: CacheSite, ctx: FileContext) -> Iterable[Report]:
        if site.method_kind not in ("instance", "property") or not site.model.in_memory:
            return
        if site.model.library not in ("functools", "cachetools", "async_lru", "fastcache", "memoization", "cachebox"):
            return
        if not site.params or site.params[0].kind not in ("posonly", "normal"):
            return
        first = site.params[0].name
        if not site.spec.is_keyed(first) and site.spec.known:
            return
        if site.function.name.value in _B019_EXEMPT or (site.class_node is not None and _is_enum_class(site.class_node)):
            return
        if site.model.library == "functools" and site.qualname == "functools.cached_property":
            return
        if first == "cls":
            return  # a class-level cache (classmethod(...) applied later, classproperty): classes live anyway
        unbounded = _unbounded(site)
        if not unbounded and site.class_node is not None and _is_value_class(site.class_node, ctx.module):
            deco = site.decorator.decorator
            store = argument(deco, "cache", 0) if isinstance(deco, cst.Call) else None
            if site.qualname != "cachetools.cached" or (
                isinstance(store, cst.Call) and (dotted_name(store.func) or "").endswith("Cache")
            ):
                return  # a bounded cache of a value type: equal instances are meant to share entries
        size = "an unbounded" if unbounded else "a shared"
        yield Report(
            f"{site.model.display} on method '{site.function_name}' keys '{first}': {size} cache holds every "
            f"instance it has seen, keeping them alive and sharing entries between equal instances. Use a "
            f"per-instance cache (cachetools.cachedmethod or methodtools.lru_cache).",
            node=site.decorator.decorator,
            fix=Fix("Use a per-instance cache such as cachetools.cachedmethod(lambda self: self._cache)"),
        )


_UNHASHABLE = re.compile(
    r"^(?:typing\.)?(?:Optional\[)?\s*(list|dict|set|bytearray|List|Dict|Set|MutableMapping|MutableSequence|MutableSet|DefaultDict|defaultdict|OrderedDict|Counter|(?:\w+\.)*DataFrame|(?:\w+\.)*Series|(?:\w+\.)*ndarray)\b"
)


class UnhashableKeyedParameter(Rule):
    """### What it does
Reports a keyed parameter annotated with an unhashable type (`list`, `dict`, `set`,
`bytearray`, `List[...]`, `Dict[...]`, `pandas.DataFrame`, `numpy.ndarray`...) on a
hash-based cache: functools, cachetools, async-lru, methodtools, fastcache, cachebox.

### Why it matters
These caches put the arguments in a dict key. Every call with such a value raises
`TypeError: unhashable type` at run time.

### Example
```python
@functools.lru_cache
def total(prices: list[float]): ...
```

### Use instead
Take a `tuple` or `frozenset`, or use a cache that hashes by content (joblib,
`st.cache_data`, `cachelint.cacheable`).
"""

    code = "CL504"
    name = "unhashable-keyed-parameter"
    summary = "a hash-based cache keys a parameter of an unhashable type"
    severity = ERROR
    valid = ("import functools\n@functools.cache\ndef f(xs: tuple): return xs\n",)
    invalid = ("import functools\n@functools.cache\ndef f(xs: list): return xs\n",)

    def check(self, site: CacheSite, ctx: FileContext) -> Iterable[Report]:
        if not site.model.hash_based:
            return
        for p in keyed_params(site):
            if p.annotation and _UNHASHABLE.match(p.annotation.replace(" ", "")):
                yield Report(
                    f"'{p.name}: {p.annotation}' is part of the {lib_phrase(site)} cache key, which must be hashable; "
                    f"every call with such a value raises TypeError. Take a tuple or frozenset instead.",
                    node=p.node.name,
                    parameter=p.name,
                    fix=Fix(f"Annotate '{p.name}' with a hashable type such as tuple"),
                )


RULES = (CachedCoroutine, CachedGenerator, CachedInstanceMethod, UnhashableKeyedParameter)


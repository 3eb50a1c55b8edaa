"""CL107: a keyed parameter the function never reads."""
from __future__ import annotations

from typing import Iterable, Optional, Set

import libcst as cst
from libcst.metadata import MetadataWrapper, ScopeProvider

from .. import names
from ..models import WARNING, CacheSite, Fix
from ..walk import FastVisitor
from ..claims import keyed_on_purpose
from .base import FileContext, Report, Rule, keyed_params, lib_phrase, sentence
from .claim_rules import text_blocks


def _is_stub(func: cst.FunctionDef) -> bool:
    body = func.body.body if isinstance(func.body, cst.IndentedBlock) else [func.body]
    stmts = list(body)
    if stmts and isinstance(stmts[0], cst.SimpleStatementLine) and isinstance(stmts[0].body[0], cst.Expr) and isinstance(
        stmts[0].body[0].value, (cst.SimpleString, cst.ConcatenatedString)
    ):
        stmts = stmts[1:]
    if not stmts:
        return True
    if len(stmts) != 1:
        return False
    stmt = stmts[0]
    if isinstance(stmt, cst.SimpleStatementLine):
        small = stmt.body[0] if len(stmt.body) == 1 else None
        if isinstance(small, cst.Pass):
            return True
        if isinstance(small, cst.Expr) and isinstance(small.value, cst.Ellipsis):
            return True
        if isinstance(small, cst.Raise) and small.exc is not None:
            exc = small.exc.func if isinstance(small.exc, cst.Call) else small.exc
            return isinstance(exc, cst.Name) and exc.value == "NotImplementedError"
    if isinstance(func.body, cst.SimpleStatementSuite):
        return all(isinstance(s, (cst.Pass,)) or (isinstance(s, cst.Expr) and isinstance(s.value, cst.Ellipsis)) for s in func.body.body)
    return False


class _Introspection(FastVisitor):
    def __init__(self) -> None:
        self.found = False

    def visit_Call(self, node: cst.Call) -> None:
        if isinstance(node.func, cst.Name) and node.func.value in ("locals", "vars", "eval", "exec") :
            if node.func.value != "vars" or not node.args:
                self.found = True


class _Mentions(FastVisitor):
    """Every name the body mentions outside a plain binding position (a cheap over-estimate of reads)."""

    def __init__(self) -> None:
        self.names: Set[str] = set()

    def visit_Name(self, node: cst.Name) -> None:
        self.names.add(node.value)

    def visit_AssignTarget(self, node: cst.AssignTarget) -> bool:
        return not isinstance(node.target, cst.Name)  # `x = ...` binds x, reads nothing of it

    def visit_Param(self, node: cst.Param) -> bool:
        if node.default is not None:
            self.walk(node.default)
        if node.annotation is not None:
            self.walk(node.annotation)
        return False


def mentioned_names(func: cst.FunctionDef) -> Set[str]:
    """Names that may be read in ``func``'s body; a parameter missing here is certainly unread."""
    visitor = _Mentions()
    visitor.walk(func.body)
    return visitor.names


def unread_parameters(func: cst.FunctionDef) -> Optional[Set[str]]:
    """Names of parameters of ``func`` that no expression in its body reads.

    Uses libcst's ``ScopeProvider`` on a one-function module, so the cost is per
    function rather than per file. Reads in nested functions and comprehensions count.
    Returns None when the body introspects its frame (``locals()``, ``vars()``, ``eval``).
    """
    finder = _Introspection()
    finder.walk(func.body)
    if finder.found:
        return None
    bare = func.with_changes(decorators=())
    wrapper = MetadataWrapper(cst.Module(body=[bare]), unsafe_skip_copy=True)
    scopes = wrapper.resolve(ScopeProvider)
    body = bare.body.body if isinstance(bare.body, cst.IndentedBlock) else bare.body.body
    if not body:
        return set()
    scope = scopes.get(body[0])
    if scope is None:
        return None
    unread = set()
    for param_name in _param_names(bare):
        assignments = [a for a in scope.assignments[param_name] if isinstance(getattr(a, "node", None), cst.Param)]
        if assignments and not any(a.references for a in scope.assignments[param_name]):
            unread.add(param_name)
    return unread


def _param_names(func: cst.FunctionDef):
    p = func.params
    for param in list(p.posonly_params) + list(p.params) + list(p.kwonly_params):
        yield param.name.value


def _test_module(path: str) -> bool:
    base = path.replace("\\", "/").rsplit("/", 1)[-1]
    return base.startswith("test_") or base.endswith("_test.py") or base == "conftest.py"


def _in_test_function(site: CacheSite, ctx: FileContext) -> bool:
    """Defined in a test module, or inside a test function (``test_*``, ``setUp``)."""
    if _test_module(ctx.path):
        return True
    parts = site.function_name.split(".")
    for i, part in enumerate(parts[:-1]):
        if parts[i + 1] == "<locals>" and (part.startswith("test") or part in ("setUp", "setUpClass", "setup_method")):
            return True
    return False


def _or_hint(hint: str) -> str:
    """", or <hint>" for a hint that starts with a verb ("exclude it..."), else ". <Hint>"."""
    if sentence(hint) != hint:  # starts with a plain lowercase word: an instruction
        return f", or {hint}"
    return f". {hint[0].upper()}{hint[1:]}" if hint[:1].isalpha() and "." not in hint.split(" ", 1)[0] else f". {hint}"


class UnusedKeyedParameter(Rule):
    """### What it does
Reports a keyed parameter that the function body never reads.

### Why it matters
A parameter that does not shape the result can only split the cache: two calls that
differ only in it compute the same value twice and store it twice. It is often a
leftover (a `job_id` kept "for logging") or a flag that moved elsewhere.

Stubs (`...`, `pass`, `raise NotImplementedError`), `@overload`s, `__new__` (a cached
`__new__` interns instances: its arguments are the identity, read by `__init__`), bodies that call
`locals()`/`vars()`, `*args`/`**kwargs`, and fingerprint parameters (`source_hash`,
`etag`, `*_version`, `*_mtime`...), which exist precisely to be keyed, are not reported.
Neither is a parameter that the docstring or a comment says is part of the cache key
("`dim` is used as a proxy for the unhashable index to define the cache key", "pass the
type too so the cache lookup tells 1 from True"), nor a cached function in a test
module or a test function, where parameters that only make distinct keys are how tests
count hits and misses.

### Example
```python
@lru_cache
def price(sku, request_source):
    return catalog[sku]
```

### Use instead
Remove the parameter, or leave it out of the key in the library's own way.
"""

    code = "CL107"
    name = "unused-keyed-parameter"
    summary = "a keyed parameter is never read in the body"
    severity = WARNING
    valid = (
        "import functools\n@functools.cache\ndef f(a, source_hash): return a\n",
        "import functools\n@functools.cache\ndef f(a):\n    ...\n",
    )
    invalid = ("import functools\n@functools.cache\ndef f(a, b): return a\n",)

    def check(self, site: CacheSite, ctx: FileContext) -> Iterable[Report]:
        candidates = [p for p in keyed_params(site) if not names.is_fingerprint(p.name)]
        if not candidates or _is_stub(site.function) or site.function.name.value == "__new__":
            return
        if any(n.split(".")[-1] in ("overload", "abstractmethod") for n in site.decorator_names):
            return
        unread = ctx.cache.get(("unread", id(site.function)))
        if unread is None and not {p.name for p in candidates} - mentioned_names(site.function):
            unread = set()  # every candidate is mentioned: no need for scope analysis
        if unread is None:
            unread = unread_parameters(site.function)
            ctx.cache[("unread", id(site.function))] = unread if unread is not None else set()
        if not unread:
            return
        unread = {n for n in unread if n in {p.name for p in candidates}}
        if not unread or _in_test_function(site, ctx):
            return
        unread -= keyed_on_purpose(text_blocks(site, ctx), [p.name for p in site.params])
        for p in candidates:
            if p.name in unread:
                hint = site.model.exclusion_hint(p.name, site.use)
                yield Report(
                    f"'{p.name}' is part of the {lib_phrase(site)} cache key but the function never reads it; "
                    f"it can only split the cache into copies of the same result. Remove it{_or_hint(hint)}.",
                    node=p.node.name,
                    parameter=p.name,
                    fix=Fix(f"Remove '{p.name}' or {hint}"),
                )


RULES = (UnusedKeyedParameter,)

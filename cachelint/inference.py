"""Reading the project's own cache decorators (DESIGN.md §5.2).

A home-made decorator is recognised as a cache when its wrapper builds a key from the
call's arguments (``hashlib``/``json``/``pickle``/``repr``/``str``/``hash``/``tuple`` of
``args``/``kwargs`` or of ``inspect.signature(fn).bind(...).arguments``, or uses them as a
mapping key) and looks that key up or stores the result (a dict, a file, ``shelve``,
``sqlite3``, a client's ``get``/``set``). Its key semantics are read from the body:

* which parameters are left out: a comprehension or loop that skips names starting with
  ``_``; a membership test against a parameter of the decorator factory (``ignore``),
  whose value at each use site names the excluded parameters; ``kwargs.pop("x")`` (also
  on a copy of ``kwargs`` that reaches the key, and ``del copy["x"]``);
* whether ``self`` is dropped (``args[1:]``), and whether ``args`` is only ever read that
  way (then a plain function's first argument is left out too);
* whether the key is bound to the signature (``inspect.signature(...).bind``) or is the
  raw ``args``/``kwargs``; whether keyword arguments reach the key at all;
* whether storage is persistent (files, shelve, sqlite, a remote client) or in memory, and
  which serializer writes the values.

A decorator that just hands the function to a library (``return lru_cache(maxsize=None)(fn)``,
``return memory.cache(fn)``) is that library's cache.

:func:`find_definitions` returns :class:`Definition` objects (with libcst nodes, for the
body rules CL401/CL601–CL603); :meth:`Definition.summary` is the node-free, picklable part
kept in the project index.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional, Sequence, Set, Tuple

import libcst as cst

from .analysis import Resolver, compound_bodies, dotted_name
from .walk import names_read, nodes_of

#: Calls that turn arguments into key material.
_KEY_FUNCS = {
    "hash", "repr", "str", "tuple", "frozenset", "sorted", "id",
    "json.dumps", "pickle.dumps", "marshal.dumps", "hashlib.sha256", "hashlib.sha1", "hashlib.md5",
    "hashlib.sha512", "hashlib.blake2b", "hashlib.blake2s", "hashlib.new", "hashlib.sha224", "hashlib.sha384",
    "hashlib.sha3_256", "zlib.crc32", "base64.b64encode", "base64.urlsafe_b64encode",
}
_HASH_ID = {"hash", "id"}
_REPR_STR = {"repr", "str"}
_VALUE_LOSSY = {"json.dump": "json", "json.dumps": "json", "yaml.safe_dump": "yaml", "yaml.dump": "yaml", "str": "str", "repr": "str"}
_VALUE_LOSSLESS = {"pickle.dump", "pickle.dumps", "marshal.dump", "marshal.dumps", "joblib.dump", "dill.dump", "dill.dumps", "cloudpickle.dump", "cloudpickle.dumps", "np.save", "numpy.save"}
_PERSISTENT_CALLS = {"open", "io.open", "os.path.exists", "os.path.isfile", "shelve.open", "sqlite3.connect", "os.replace", "os.rename", "dbm.open", "pathlib.Path"}
_PERSISTENT_METHODS = {"exists", "is_file", "write_text", "write_bytes", "read_text", "read_bytes", "setex", "hset", "hget", "set"}
_ATOMIC_MOVES = {"os.replace", "os.rename", "shutil.move"}


@dataclass(frozen=True)
class Summary:
    """What a use site needs to know about a project cache decorator (picklable, node-free).

    Attributes:
        qualname: ``"pkg.module.name"``.
        is_cache: the body builds a key from the arguments and stores or looks up results.
        underscore: parameters whose name starts with ``_`` are left out of the key.
        ignore_argument: the factory parameter whose value lists excluded parameter names.
        popped: parameter names removed from ``kwargs`` itself before keying.
        popped_copy: parameter names removed from a copy of ``kwargs`` that is keyed while
            ``kwargs`` goes to the function whole (a positional call still keys them).
        drops_self: the key skips the first positional argument (``args[1:]``).
        only_sliced: ``args`` is read only as ``args[1:]`` or forwarded as ``*args``, so the
            first positional argument is left out of the key on a plain function too.
        call_shape: ``"bound"`` or ``"raw"``.
        keys_kwargs: keyword arguments reach the key.
        persistent: results outlive the process.
        serializer: ``"none"``, ``"pickle"``, ``"json"``, ``"repr"`` or ``"unknown"``.
        delegate: qualified name of a library decorator the function hands its argument to.
        delegate_call: source of the delegated decorator call (``"lru_cache(maxsize=None)"``).
        factory: the decorator is used as ``@deco(...)`` (``"called"``), ``@deco``
            (``"bare"``) or both (``"both"``).
    """

    qualname: str
    is_cache: bool
    underscore: bool = False
    ignore_argument: Optional[str] = None
    popped: Tuple[str, ...] = ()
    popped_copy: Tuple[str, ...] = ()
    drops_self: bool = False
    only_sliced: bool = False
    call_shape: str = "raw"
    keys_kwargs: bool = True
    persistent: bool = False
    serializer: str = "unknown"
    delegate: Optional[str] = None
    delegate_call: Optional[str] = None
    factory: str = "bare"


@dataclass
class Finding:
    """A problem in a decorator's own body: rule code, node to report, message."""

    code: str
    node: cst.CSTNode
    message: str


@dataclass
class Definition:
    """A cache decorator defined in the linted module, with the nodes the body rules read."""

    summary: Summary
    node: cst.CSTNode
    top_statement: cst.CSTNode
    findings: List[Finding] = field(default_factory=list)


# -- small tree helpers ------------------------------------------------------------------------
def _body(node) -> Sequence[cst.CSTNode]:
    body = getattr(node, "body", None)
    return body.body if isinstance(body, cst.IndentedBlock) else ()


def _flat_statements(stmts: Iterable[cst.CSTNode]) -> Iterable[cst.CSTNode]:
    """Statements of a block, descending into if/try/with/for/while bodies (not into defs)."""
    for stmt in stmts:
        yield stmt
        if isinstance(stmt, (cst.If, cst.Try, cst.With, cst.For, cst.While)) or type(stmt).__name__ == "TryStar":
            for block in compound_bodies(stmt):
                yield from _flat_statements(block)


_names_in = names_read
_all = nodes_of


def _params(func: cst.FunctionDef) -> List[cst.Param]:
    p = func.params
    return list(p.posonly_params) + list(p.params) + list(p.kwonly_params)


def _star_names(func: cst.FunctionDef) -> Tuple[Optional[str], Optional[str]]:
    p = func.params
    args = p.star_arg.name.value if isinstance(p.star_arg, cst.Param) else None
    kwargs = p.star_kwarg.name.value if p.star_kwarg is not None else None
    return args, kwargs


def _inner_functions(func) -> List[cst.FunctionDef]:
    return [s for s in _flat_statements(_body(func)) if isinstance(s, cst.FunctionDef)]


def _returns(func) -> List[cst.BaseExpression]:
    out = []
    for stmt in _flat_statements(_body(func)):
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if isinstance(small, cst.Return) and small.value is not None:
                    out.append(small.value)
    return out


def _calls_name(node: cst.CSTNode, name: str) -> bool:
    """True when ``node`` contains a call of ``name(...)`` or ``self.<name>(...)``-style ``name``."""
    for call in _all(node, cst.Call):
        if dotted_name(call.func) == name:
            return True
        if isinstance(call.func, cst.Await) and dotted_name(call.func.expression) == name:
            return True
    return False


# -- finding decorator definitions ---------------------------------------------------------
def find_definitions(module: cst.Module, resolver: Resolver, module_name: str) -> List[Definition]:
    """Decorators defined at the top level of ``module`` (functions and classes).

    Each has a :class:`Summary`; ``summary.is_cache`` tells the caches from the decorators
    that wrap calls without keying them (a project decorator read and found not to cache
    is not a cache, whatever its name).
    """
    out: List[Definition] = []
    for stmt in module.body:
        for node in _flat_statements([stmt]):
            if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
                try:
                    definition = _infer(node, resolver, f"{module_name}.{node.name.value}" if module_name else node.name.value)
                except RecursionError:
                    definition = None
                if definition is not None:
                    definition.top_statement = stmt
                    out.append(definition)
    return out


def _infer(node, resolver: Resolver, qualname: str) -> Optional[Definition]:
    if isinstance(node, cst.ClassDef):
        return _infer_class(node, resolver, qualname)
    params = [p.name.value for p in _params(node)]
    if not params:
        return None
    # plain decorator: deco(func) -> wrapper
    delegate = _delegation(node, resolver, params[0])
    if delegate is not None:
        return delegate_definition(node, qualname, delegate)
    for inner in _inner_functions(node):
        wrapper = _wrapper_of(inner, params[0], node)
        if wrapper is not None:
            return _from_wrapper(node, wrapper, params[0], [], resolver, qualname, "bare")
    # factory (or dual-use) decorator: deco(options) -> decorator(func) -> wrapper
    for inner in _inner_functions(node):
        inner_params = [p.name.value for p in _params(inner)]
        if not inner_params:
            continue
        delegate = _delegation(inner, resolver, inner_params[0])
        if delegate is not None:
            return delegate_definition(node, qualname, delegate, factory="called")
        for wrapper_candidate in _inner_functions(inner):
            wrapper = _wrapper_of(wrapper_candidate, inner_params[0], inner)
            if wrapper is not None:
                dual = _is_dual_use(node, params[0], inner.name.value)
                options = params[1:] if dual else params
                return _from_wrapper(node, wrapper, inner_params[0], options, resolver, qualname, "both" if dual else "called")
    return None


def _is_dual_use(node: cst.FunctionDef, first: str, decorator_name: str) -> bool:
    """``def deco(func=None, *, ignore=()): ... return decorator(func) if func else decorator``."""
    first_param = _params(node)[0]
    if first_param.default is None:
        return False
    return any(_calls_name(r, decorator_name) for r in _returns(node))


def _wrapper_of(candidate: cst.FunctionDef, func_name: str, outer) -> Optional[cst.FunctionDef]:
    """``candidate`` when it calls ``func_name(...)`` and ``outer`` returns it."""
    if not _calls_name(candidate.body, func_name):
        return None
    name = candidate.name.value
    for ret in _returns(outer):
        if name in _names_in(ret):
            return candidate
    return None


def _delegation(func: cst.FunctionDef, resolver: Resolver, func_param: str):
    """A library decorator ``func`` hands its parameter to, as (qualname, call source) or None."""
    from .libraries import MODELS, canonical

    for ret in _returns(func):
        if not isinstance(ret, cst.Call):
            continue
        # lru_cache(maxsize=None)(fn)
        if isinstance(ret.func, cst.Call) and any(_names_in(a.value) == {func_param} for a in ret.args):
            qual = resolver.resolve(ret.func.func)
            if qual and canonical(qual) in MODELS:
                return canonical(qual), ret.func
        # lru_cache(fn) / memory.cache(fn, ignore=[...])
        qual = resolver.resolve(ret.func)
        if qual and qual.endswith("()"):
            qual = qual[:-2] + ".__call__"
        if qual and canonical(qual) in MODELS and ret.args and _names_in(ret.args[0].value) == {func_param}:
            return canonical(qual), ret
    return None


def delegate_definition(node, qualname: str, delegate, factory: str = "bare") -> Definition:
    qual, call = delegate
    source = cst.Module(body=[]).code_for_node(call)
    return Definition(Summary(qualname, True, delegate=qual, delegate_call=source, factory=factory), node, node)


def _infer_class(node: cst.ClassDef, resolver: Resolver, qualname: str) -> Optional[Definition]:
    methods = {s.name.value: s for s in _flat_statements(_body(node)) if isinstance(s, cst.FunctionDef)}
    init, call = methods.get("__init__"), methods.get("__call__")
    if init is None or call is None:
        return None
    init_params = [p.name.value for p in _params(init)][1:]
    call_params = [p.name.value for p in _params(call)][1:]
    # class Cache: __init__(self, func) ... __call__(self, *args, **kwargs) -> self.func(...)
    if init_params and _star_names(call) != (None, None):
        func_attr = None
        for assign in _all(init.body, cst.Assign):
            if _names_in(assign.value) == {init_params[0]}:
                for target in assign.targets:
                    func_attr = dotted_name(target.target) or func_attr
        if func_attr and _calls_name(call.body, func_attr):
            return _from_wrapper(node, call, func_attr, [], resolver, qualname, "bare")
    # class cached: __init__(self, **options) ... __call__(self, func) -> wrapper
    if call_params:
        for inner in _inner_functions(call):
            wrapper = _wrapper_of(inner, call_params[0], call)
            if wrapper is not None:
                return _from_wrapper(node, wrapper, call_params[0], init_params, resolver, qualname, "called")
    return None


# -- reading the wrapper ---------------------------------------------------------------------
class _Flow:
    """Forward data flow over a wrapper's assignments: which names derive from what."""

    def __init__(self, wrapper: cst.FunctionDef, sources: Set[str]):
        self.derived: Set[str] = set(sources)
        statements = [s for s in _flat_statements(_body(wrapper))]
        for _ in range(3):  # a few rounds reach loops' back edges
            for stmt in statements:
                self._statement(stmt)

    def _statement(self, stmt) -> None:
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if isinstance(small, (cst.Assign, cst.AnnAssign, cst.AugAssign)) and small.value is not None:
                    if _names_in(small.value) & self.derived:
                        targets = [t.target for t in small.targets] if isinstance(small, cst.Assign) else [small.target]
                        for target in targets:
                            self.derived |= _bound_names(target)
                elif isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
                    # key_parts.update(...), parts.append(x)
                    call = small.value
                    if isinstance(call.func, cst.Attribute) and any(_names_in(a.value) & self.derived for a in call.args):
                        self.derived |= _names_in(call.func.value)
        elif isinstance(stmt, cst.For):
            if _names_in(stmt.iter) & self.derived:
                self.derived |= _names_in(stmt.target)
        elif isinstance(stmt, cst.With):
            for item in stmt.items:
                if _names_in(item.item) & self.derived and item.asname is not None:
                    self.derived |= _names_in(item.asname.name)

    def touches(self, node: cst.CSTNode) -> bool:
        """True when ``node`` reads a name derived from the sources."""
        return bool(_names_in(node) & self.derived)


def _popped_names(wrapper: cst.FunctionDef, kwargs_name: str, method_calls: Sequence[cst.Call],
                  key_parts: Sequence[cst.CSTNode]) -> Tuple[List[str], List[str]]:
    """Parameter names removed before keying: ``(from kwargs itself, from a copy of it)``.

    ``kwargs.pop("job_id")`` and ``del kwargs["job_id"]``; on a copy that reaches the key,
    ``keyed = dict(kwargs); keyed.pop("job_id")`` or ``del keyed["job_id"]``, the copy made
    by ``dict(kwargs)``, ``kwargs.copy()``, ``copy.copy(kwargs)`` or ``{**kwargs}`` (also
    in an annotated assignment), and ``{k: v for k, v in kwargs.items() if k != "job_id"}``
    (or ``k not in ("job_id", ...)``).
    """
    copies = set()
    filtered: Dict[str, List[str]] = {}  # copy -> names its comprehension leaves out
    for assign in _all(wrapper.body, (cst.Assign, cst.AnnAssign)):
        value = assign.value
        targets = [t.target for t in assign.targets] if isinstance(assign, cst.Assign) else [assign.target]
        names = [t.value for t in targets if isinstance(t, cst.Name)]
        if value is None or not names:
            continue
        if _copies_kwargs(value, kwargs_name):
            copies.update(names)
        left_out = _filtered_out(value, kwargs_name)
        if left_out:
            copies.update(names)
            for name in names:
                filtered[name] = left_out
    # a copy counts when it is what reaches the key
    keyed_copies = {c for c in copies if any(_Flow(wrapper, {c}).touches(part) for part in key_parts)}
    direct: List[str] = []
    copied: List[str] = [n for c in sorted(keyed_copies) for n in filtered.get(c, ())]

    def note(holder: Optional[str], expr: cst.BaseExpression) -> None:
        if isinstance(expr, cst.SimpleString) and isinstance(expr.evaluated_value, str):
            if holder == kwargs_name:
                direct.append(expr.evaluated_value)
            elif holder in keyed_copies:
                copied.append(expr.evaluated_value)

    for c in method_calls:
        if c.func.attr.value == "pop" and c.args:
            note(dotted_name(c.func.value), c.args[0].value)
    for deletion in _all(wrapper.body, cst.Del):
        target = deletion.target
        if isinstance(target, cst.Subscript) and len(target.slice) == 1 and isinstance(target.slice[0].slice, cst.Index):
            note(dotted_name(target.value), target.slice[0].slice.value)
    return direct, copied


def _copies_kwargs(value: cst.BaseExpression, kwargs_name: str) -> bool:
    """``dict(kwargs)``, ``copy.copy(kwargs)``, ``kwargs.copy()`` or ``{**kwargs}``."""
    if isinstance(value, cst.Call):
        if len(value.args) == 1 and not value.args[0].star and dotted_name(value.args[0].value) == kwargs_name:
            return dotted_name(value.func) in ("dict", "copy.copy")
        return (not value.args and isinstance(value.func, cst.Attribute) and value.func.attr.value == "copy"
                and dotted_name(value.func.value) == kwargs_name)
    return (isinstance(value, cst.Dict) and len(value.elements) == 1
            and isinstance(value.elements[0], cst.StarredDictElement) and dotted_name(value.elements[0].value) == kwargs_name)


def _filtered_out(value: cst.BaseExpression, kwargs_name: str) -> List[str]:
    """The names ``{k: v for k, v in kwargs.items() if k != "x"}`` (or ``k not in ("x", ...)``) leaves out."""
    if not isinstance(value, cst.DictComp) or value.for_in.inner_for_in is not None:
        return []
    loop = value.for_in
    source = loop.iter
    if not (isinstance(source, cst.Call) and not source.args and isinstance(source.func, cst.Attribute)
            and source.func.attr.value == "items" and dotted_name(source.func.value) == kwargs_name):
        return []
    if not (isinstance(loop.target, cst.Tuple) and loop.target.elements and isinstance(loop.target.elements[0].value, cst.Name)):
        return []
    key_name = loop.target.elements[0].value.value
    out: List[str] = []
    for condition in loop.ifs:
        test = condition.test
        if not (isinstance(test, cst.Comparison) and len(test.comparisons) == 1 and isinstance(test.left, cst.Name)
                and test.left.value == key_name):
            continue
        target = test.comparisons[0]
        if isinstance(target.operator, cst.NotEqual):
            values = [target.comparator]
        elif isinstance(target.operator, cst.NotIn) and isinstance(target.comparator, (cst.Tuple, cst.List, cst.Set)):
            values = [e.value for e in target.comparator.elements]
        else:
            continue
        out.extend(v.evaluated_value for v in values
                   if isinstance(v, cst.SimpleString) and isinstance(v.evaluated_value, str))
    return out


def _only_sliced(wrapper: cst.FunctionDef, args_name: str, slices: Sequence[cst.Subscript],
                 calls: Sequence[cst.Call]) -> bool:
    """Every read of ``args`` in the wrapper is ``args[1:]`` or a ``*args`` forwarded to a call.

    Then a key built from ``args`` can only hold ``args[1:]``: the first positional argument
    is left out whatever the function is (a log line of ``args[1:]`` next to a key of the
    whole ``args``, or ``args[1:] if method else args``, does not qualify).
    """
    allowed = set()
    for s in slices:
        lower = s.slice[0].slice.lower
        if not (isinstance(lower, cst.Integer) and lower.value == "1" and s.slice[0].slice.upper is None):
            return False
        allowed.add(id(s.value))
    for c in calls:
        for arg in c.args:
            if arg.star == "*" and isinstance(arg.value, cst.Name):
                allowed.add(id(arg.value))
    return all(id(n) in allowed for n in _all(wrapper.body, cst.Name) if n.value == args_name)


def _bound_names(target: cst.BaseExpression) -> Set[str]:
    """Names an assignment target rebinds: ``x``, ``a, b``; the container of ``d[k]`` (not ``k``)."""
    if isinstance(target, cst.Name):
        return {target.value}
    if isinstance(target, (cst.Tuple, cst.List)):
        out: Set[str] = set()
        for element in target.elements:
            out |= _bound_names(element.value)
        return out
    if isinstance(target, cst.StarredElement):
        return _bound_names(target.value)
    if isinstance(target, cst.Subscript):
        return _bound_names(target.value)
    return set()


def _from_wrapper(node, wrapper: cst.FunctionDef, func_name: str, options: Sequence[str], resolver: Resolver,
                  qualname: str, factory: str) -> Optional[Definition]:
    args_name, kwargs_name = _star_names(wrapper)
    sources = {n for n in (args_name, kwargs_name) if n}
    sources |= {p.name.value for p in _params(wrapper) if p.name.value not in ("self", "cls")}
    if not sources:
        return None
    flow = _Flow(wrapper, sources)

    def resolve(expr) -> str:
        qual = resolver.resolve(expr)
        return qual or dotted_name(expr) or ""

    calls = _all(wrapper.body, cst.Call)
    key_calls = [c for c in calls if resolve(c.func) in _KEY_FUNCS and any(flow.touches(a.value) for a in c.args)]
    bound = any(isinstance(c.func, cst.Attribute) and c.func.attr.value in ("bind", "bind_partial") for c in calls)
    # lookups and stores with key-derived values
    subscripts = [s for s in _all(wrapper.body, cst.Subscript) if any(flow.touches(e.slice.value) for e in s.slice if isinstance(e.slice, cst.Index))]
    membership = [c for c in _all(wrapper.body, cst.Comparison) if any(isinstance(t.operator, (cst.In, cst.NotIn)) for t in c.comparisons) and flow.touches(c.left)]
    method_calls = [c for c in calls if isinstance(c.func, cst.Attribute)]
    plain_io = [c for c in calls if resolve(c.func) in _PERSISTENT_CALLS and any(flow.touches(a.value) for a in c.args)]
    key_material = bool(key_calls) or bool(subscripts) or bool(membership)
    # a store: an item assignment under a key-derived subscript, a write of the result, a
    # client's set/put, or storage opened with a key-derived name
    assigned = [t.target for a in _all(wrapper.body, cst.Assign) for t in a.targets if isinstance(t.target, cst.Subscript)]
    item_stores = [t for t in assigned if any(flow.touches(e.slice.value) for e in t.slice if isinstance(e.slice, cst.Index))]
    value_writes = [c for c in calls if resolve(c.func) in _VALUE_LOSSLESS | set(_VALUE_LOSSY) - {"str", "repr"}]
    method_stores = [c for c in method_calls if c.func.attr.value in ("set", "setex", "put", "setdefault", "write_text", "write_bytes", "hset", "add")
                     and (any(flow.touches(a.value) for a in c.args) or flow.touches(c.func.value))]
    stored = bool(item_stores or value_writes or method_stores or plain_io)
    if not (key_material and stored):
        # a decorator that wraps calls without keying them (logging, retry, timing): not a cache
        return Definition(Summary(qualname, False, factory=factory), node, node)
    # exclusions
    underscore = False
    ignore_argument = None
    for comp in _all(wrapper.body, (cst.CompIf, cst.If)):
        test = comp.test
        text = cst.Module(body=[]).code_for_node(test)
        if 'startswith("_")' in text or "startswith('_')" in text:
            underscore = True
        for comparison in _all(test, cst.Comparison):
            for target in comparison.comparisons:
                if isinstance(target.operator, (cst.In, cst.NotIn)):
                    container = dotted_name(target.comparator) or ""
                    base = container.split(".")[-1]
                    if base in options or container in options:
                        ignore_argument = base if base in options else container
    slices = [s for s in _all(wrapper.body, cst.Subscript) if s.slice and isinstance(s.value, cst.Name)
              and s.value.value == args_name and isinstance(s.slice[0].slice, cst.Slice) and s.slice[0].slice.lower is not None]
    drops_self = bool(slices)
    only_sliced = drops_self and _only_sliced(wrapper, args_name, slices, calls)
    kwargs_flow = _Flow(wrapper, {kwargs_name}) if kwargs_name else None
    key_parts = [a.value for c in key_calls for a in c.args] + [c.left for c in membership] + [
        e.slice.value for sub in subscripts for e in sub.slice if isinstance(e.slice, cst.Index)
    ]
    keys_kwargs = bound or bool(kwargs_flow and any(kwargs_flow.touches(part) for part in key_parts))
    popped, popped_copy = _popped_names(wrapper, kwargs_name, method_calls, key_parts) if kwargs_name else ([], [])
    if not kwargs_name:
        keys_kwargs = True
    persistent = bool(plain_io) or any(c.func.attr.value in _PERSISTENT_METHODS and c.func.attr.value != "set" for c in method_calls) \
        or any(resolve(c.func).startswith(("shelve.", "sqlite3.", "redis.", "dbm.")) for c in calls)
    # the computed value and how it is written
    value_names = _result_names(wrapper, func_name)
    serializer = "none" if not persistent else "unknown"
    findings: List[Finding] = []
    for c in calls:
        name = resolve(c.func)
        if not c.args or not (_names_in(c.args[0].value) & value_names):
            continue
        if name in _VALUE_LOSSY and persistent:
            serializer = "json" if _VALUE_LOSSY[name] in ("json", "yaml") else "repr"
            findings.append(Finding("CL401", c, _lossy_message(name, c)))
        elif name in _VALUE_LOSSLESS:
            serializer = "pickle" if serializer in ("unknown", "none") else serializer
    if persistent:
        for c in key_calls:
            name = resolve(c.func)
            if name in _HASH_ID:
                findings.append(Finding("CL601", c, _unstable_message(name)))
            elif name in _REPR_STR and _names_in(c.args[0].value) & sources and not bound and not _all(c.args[0].value, cst.Call):
                findings.append(Finding("CL601", c, _unstable_message(name)))
    key_exprs = sorted(key_calls + membership + subscripts, key=lambda n: _order(wrapper, n))
    if not bound and key_exprs:
        forwards_kwargs = bool(kwargs_name) and _calls_name(wrapper.body, func_name)
        if not keys_kwargs and forwards_kwargs:
            findings.append(Finding("CL602", key_exprs[0], _kwargs_ignored_message(kwargs_name)))
        elif args_name and kwargs_name and any(args_name in _names_in(c) for c in key_exprs):
            findings.append(Finding("CL602", key_exprs[0], _raw_message()))
    if persistent:
        findings.extend(_in_place_writes(wrapper, calls, flow, resolve))
    summary = Summary(
        qualname=qualname, is_cache=True, underscore=underscore, ignore_argument=ignore_argument,
        popped=tuple(popped), popped_copy=tuple(popped_copy), drops_self=drops_self, only_sliced=only_sliced,
        call_shape="bound" if bound else "raw",
        keys_kwargs=keys_kwargs, persistent=persistent, serializer=serializer, factory=factory,
    )
    return Definition(summary, node, node, findings)


def _order(wrapper: cst.FunctionDef, node: cst.CSTNode) -> int:
    """Source order of ``node`` inside ``wrapper`` (index in a pre-order walk)."""
    for index, current in enumerate(nodes_of(wrapper.body, cst.CSTNode)):
        if current is node:
            return index
    return 0


def _result_names(wrapper: cst.FunctionDef, func_name: str) -> Set[str]:
    names: Set[str] = set()
    for assign in _all(wrapper.body, cst.Assign):
        value = assign.value.expression if isinstance(assign.value, cst.Await) else assign.value
        if isinstance(value, cst.Call) and dotted_name(value.func) == func_name:
            for t in assign.targets:
                names |= _names_in(t.target)
    changed = True
    while changed:
        changed = False
        for assign in _all(wrapper.body, cst.Assign):
            if _names_in(assign.value) & names:
                new = set().union(*(_names_in(t.target) for t in assign.targets)) - names
                if new:
                    names |= new
                    changed = True
    return names


def _in_place_writes(wrapper, calls, flow: _Flow, resolve) -> List[Finding]:
    for c in calls:
        if resolve(c.func) in _ATOMIC_MOVES:
            return []
        if isinstance(c.func, cst.Attribute) and c.func.attr.value in ("replace", "rename") and len(c.args) == 1:
            return []  # Path.replace(target) / Path.rename(target); str.replace takes two
    out: List[Finding] = []
    for c in calls:
        target = None
        if isinstance(c.func, cst.Attribute) and c.func.attr.value in ("write_text", "write_bytes"):
            target = c.func.value
        elif resolve(c.func) in ("open", "io.open") and c.args:
            mode = c.args[1].value if len(c.args) > 1 else next((a.value for a in c.args if a.keyword and a.keyword.value == "mode"), None)
            if isinstance(mode, cst.SimpleString) and any(ch in mode.evaluated_value for ch in "wx"):
                target = c.args[0].value
        elif isinstance(c.func, cst.Attribute) and c.func.attr.value == "open" and c.args:
            mode = c.args[0].value
            if isinstance(mode, cst.SimpleString) and any(ch in mode.evaluated_value for ch in "wx"):
                target = c.func.value
        if target is not None and flow.touches(target) and not any(w in cst.Module(body=[]).code_for_node(target).lower() for w in ("tmp", "temp")):
            out.append(Finding("CL603", c, _in_place_message()))
    return out


# -- messages ------------------------------------------------------------------------------
def _lossy_message(name: str, call: cst.Call) -> str:
    default = next((a.value for a in call.args if a.keyword and a.keyword.value == "default"), None)
    worst = ""
    if default is not None and dotted_name(default) in ("str", "repr"):
        worst = f" With default={dotted_name(default)} nothing fails: bytes, datetimes and any other object are silently stored as their string form."
    if name in ("str", "repr"):
        return (f"Cached values are written with {name}(): only the text survives, every hit returns a string instead of the "
                f"computed value. Store values with pickle instead.")
    codec = "YAML" if name.startswith("yaml") else "JSON"
    return (
        f"Cached values are written with {name}(): a {codec} round trip is lossy (bytes become str or fail, tuples become "
        f"lists, sets fail, int dict keys become str, datetimes become str), so a hit returns something other than what "
        f"the function computed.{worst} Store values with pickle (written atomically) instead."
    )


def _unstable_message(name: str) -> str:
    if name in _HASH_ID:
        return (f"The persistent cache key is built with {name}(): its value changes from one process to the next "
                f"({'str and bytes hashes are salted per process' if name == 'hash' else 'object ids are memory addresses'}), "
                f"so entries written by one run are never found by the next. Hash a canonical encoding with hashlib instead.")
    return (f"The persistent cache key is built from {name}() of the raw arguments: objects without their own {name} "
            f"render with a memory address, which changes every process, so their entries never hit again. Encode the "
            f"arguments canonically (or bind them to the signature and hash their values).")


def _raw_message() -> str:
    return ("The cache key is built from the raw args and kwargs, not bound to the signature: f(1), f(a=1) and "
            "f(1, b=<default>) get three different entries. Bind with inspect.signature(fn).bind(*args, **kwargs) and "
            "apply_defaults() before keying.")


def _kwargs_ignored_message(kwargs_name: str) -> str:
    return (f"The cache key is built from the positional arguments only while the wrapper forwards **{kwargs_name}: "
            f"keyword arguments never reach the key, so calls that differ only in them return each other's results "
            f"(wrong hits). Bind the call to the signature and key every argument.")


def _in_place_message() -> str:
    return ("The final cache file is written in place: a crash or a concurrent reader sees a half-written entry. Write to "
            "a temporary file in the same directory and move it into place with os.replace().")

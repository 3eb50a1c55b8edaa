"""CL101–CL105: keyed parameters that split the cache or make it pointless."""
from __future__ import annotations

from typing import Iterable, Optional

import libcst as cst

from .. import names
from ..models import WARNING, CacheSite, Fix
from ..walk import FastVisitor
from .base import FileContext, Report, Rule, keyed_params, lib_phrase, sentence


class _KeyedParameterRule(Rule):
    category = ""
    severity = WARNING

    def check(self, site: CacheSite, ctx: FileContext) -> Iterable[Report]:
        extra = ctx.settings.extend_per_call_names if ctx.settings is not None else ()
        applies = None  # asked only when a parameter is in the category: it may walk the body
        for p in keyed_params(site):
            found = dict(names.classify(p.name, p.annotation, extra))
            if self.category in found:
                if applies is None:
                    applies = self.applies_to(site)
                if not applies:
                    return
                hint = site.model.exclusion_hint(p.name, site.use)
                yield Report(
                    self.message(site, p, found[self.category], hint),
                    node=p.node.name,
                    parameter=p.name,
                    fix=Fix(sentence(hint)),
                )

    def applies_to(self, site: CacheSite) -> bool:
        return True

    def message(self, site, p, detail, hint) -> str:  # pragma: no cover - overridden
        raise NotImplementedError


class PerCallIdInKey(_KeyedParameterRule):
    """### What it does
Reports a keyed parameter named like a per-call identifier: a job, run, request, trace,
span, correlation, execution, invocation, attempt or call id, an idempotency key, a
nonce or a bare `uuid`.

### Why it matters
Such a value is new on every call, so no two calls share a cache entry: the cache never
hits, every call pays for the expensive work, and nothing fails to tell you. Entity
identifiers (`user_id`, `order_id`, `document_id`) are different: they decide the
result and belong in the key, so they are never reported.

### Example
```python
@memory.cache
def render(job_id, prompt):
    return client.generate(prompt)
```

### Use instead
Leave the identifier out of the key in the library's own way (`ignore=["job_id"]` for
joblib, `_job_id` for Streamlit, `args_to_ignore=["job_id"]` for Flask-Caching,
`cache_policy=INPUTS - "job_id"` for Prefect, `ignore={0, "job_id"}` for diskcache), or
split the function: a public function that does the per-call work calls an inner cached
function that only takes what shapes the result.

### Options
`extend-per-call-names = {id = ["ticket", "*_token"]}` adds names (fnmatch patterns).
"""

    code = "CL101"
    name = "per-call-id-in-key"
    summary = "a keyed parameter is a per-call identifier"
    category = "id"
    valid = (
        "import functools\n@functools.lru_cache\ndef load(user_id): return user_id\n",
        "from joblib import Memory\nm = Memory('d')\n@m.cache(ignore=['job_id'])\ndef f(job_id, x): return x\n",
    )
    invalid = ("import functools\n@functools.lru_cache\ndef load(job_id, x): return x\n",)

    def message(self, site, p, scope, hint):
        what = "a per-call identifier" if scope in ("call", "configured") else f"a per-{scope} identifier"
        return (
            f"'{p.name}' is part of the {lib_phrase(site)} cache key but looks like {what}; "
            f"every call gets its own entry and the cache never hits. {sentence(hint)}, "
            f"or drop it from the cached function."
        )


class TimestampInKey(_KeyedParameterRule):
    """### What it does
Reports a keyed parameter that holds the time of the call: `now`, `timestamp`, `ts`,
`request_time`, `started_at` and similar.

### Why it matters
The clock never repeats, so each call writes a new entry and none is ever read back.
A date the result really depends on (`as_of`, `report_date`) is an input and is not
reported.

### Example
```python
@st.cache_data
def prices(symbol, now):
    ...
```

### Use instead
Pass what the result depends on (a date, a rounded time bucket), or leave the clock out
of the key (`_now` for Streamlit, `ignore=["now"]` for joblib).

### Options
`extend-per-call-names = {clock = [...]}`.
"""

    code = "CL102"
    name = "timestamp-in-key"
    summary = "a keyed parameter is a clock value"
    category = "clock"
    valid = ("import functools\n@functools.cache\ndef report(as_of): return as_of\n",)
    invalid = ("import functools\n@functools.cache\ndef report(region, request_time): return region\n",)

    def message(self, site, p, detail, hint):
        return (
            f"'{p.name}' is part of the {lib_phrase(site)} cache key but is a clock value; every call "
            f"brings a new time, so entries are written and never read. {sentence(hint)}, "
            f"or pass the date or time bucket the result depends on."
        )


class OutputPathInKey(_KeyedParameterRule):
    """### What it does
Reports a keyed parameter that names where output goes: `out_path`, `output_dir`,
`dest`, `tmp_dir`, `save_to` and similar.

### Why it matters
Destinations are usually per call (a job folder, a temporary directory). Keying them
makes identical work miss, and a hit skips writing the file at the new destination.
Only functions that write (a `write_*`/`save`/`dump`/`to_csv`/`mkdir`/`copy` call, or
`open` with a writing mode) are reported: one that merely computes a name from the
destination is keyed correctly on it.

### Example
```python
@memory.cache
def thumbnail(image_path, out_path):
    ...
```

### Use instead
Cache a function that returns the result, and write it to the destination outside the
cached function.

### Options
`extend-per-call-names = {output-path = [...]}`.
"""

    code = "CL103"
    name = "output-path-in-key"
    summary = "a keyed parameter is an output destination"
    category = "output-path"

    def applies_to(self, site: CacheSite) -> bool:
        # A function that only computes a name from the destination (``f"{out_dir}/{name}"``)
        # is keyed correctly on it: the concern is a cache that skips the write on a hit.
        return _writes(site.function)
    valid = ("import functools\n@functools.cache\ndef load(input_path): return input_path\n",)
    invalid = ("import functools\n@functools.cache\ndef render(name, output_dir):\n    open(output_dir + '/x', 'w').write(name)\n",)

    def message(self, site, p, detail, hint):
        return (
            f"'{p.name}' is part of the {lib_phrase(site)} cache key but names where output is written; "
            f"a new destination misses even for identical inputs, and a hit never writes there. "
            f"{sentence(hint)}, and write the result outside the cached function."
        )


class ContextObjectInKey(_KeyedParameterRule):
    """### What it does
Reports a keyed parameter that is a tool rather than an input: a logger, callback,
progress bar, client, session, connection, cursor, request, lock, executor or pool, or a
knob such as `n_jobs`, `num_workers` or `verbose`. Decided by the name or by the
annotation (`logging.Logger`, `requests.Session`, `httpx.Client`, `*Executor`, `tqdm`...).
A `Callable` annotation alone is not enough: a function passed in is usually an input
(`builds(target: Callable)`); callbacks are recognised by their names. A parameter the
body only looks classes up on (`class App(starlette_client.OAuth2App)`) is a module or
namespace handed to a class factory, not a client, and is not reported.

### Why it matters
These objects do not change the result. Keyed, they split the cache (a new client per
request means a miss per request), hash by identity, or fail to hash at all.

### Example
```python
@cachetools.cached(cache=TTLCache(100, 60))
def fetch(session: requests.Session, url):
    return session.get(url).text
```

### Use instead
Leave the object out of the key (`_session` for Streamlit, `ignore=["session"]` for
joblib, a `key=` for cachetools) or make it a module-level dependency.

### Options
`extend-per-call-names = {context = [...]}`.
"""

    code = "CL104"
    name = "context-object-in-key"
    summary = "a keyed parameter is a logger, client, session, callback or similar tool"
    category = "context"
    valid = ("import streamlit as st\n@st.cache_data\ndef q(_conn, sql): return _conn.execute(sql)\n",)
    invalid = ("import streamlit as st\n@st.cache_data\ndef q(conn, sql): return conn.execute(sql)\n",)

    def check(self, site: CacheSite, ctx: FileContext) -> Iterable[Report]:
        for report in super().check(site, ctx):
            if not _namespace_only(site.function, report.parameter):
                yield report

    def message(self, site, p, kind, hint):
        what = _CONTEXT_NOUNS.get(kind, f"a {kind}" if kind[:1].isupper() else "a context object")
        return (
            f"'{p.name}' ({what}) is part of the {lib_phrase(site)} cache key; it is a tool, not an input: "
            f"a new one misses every time, or it cannot be hashed. {sentence(hint)}."
        )


class BytesInKey(_KeyedParameterRule):
    """### What it does
Reports a keyed parameter that carries a raw binary payload: annotated `bytes`,
`bytearray`, `memoryview`, `BinaryIO` or `IO[bytes]`, or named `*_bytes` / `*_blob`.

### Why it matters
Caches that hash their arguments by content (joblib, Streamlit, diskcache, home-made
decorators, `cachelint.cacheable`) read the whole payload on every call, and persistent
ones write it into their metadata. A digest of the payload does the same job for a few
bytes. Hash-based in-memory caches (`functools.lru_cache`, cachetools) are not reported:
there the payload's own `hash()` is the key.

### Example
```python
@memory.cache
def describe(image_bytes: bytes):
    ...
```

### Use instead
Key a digest (`image_hash: str`) and pass the bytes through un-keyed
(`_image_bytes` for Streamlit and `cachelint.cacheable`, `ignore=["image_bytes"]` for joblib).
"""

    code = "CL105"
    name = "bytes-in-key"
    summary = "a keyed parameter is a raw bytes payload"
    category = "bytes"

    def applies_to(self, site: CacheSite) -> bool:
        # A hash-based in-memory cache (functools, cachetools...) keys bytes by their cached
        # hash(), which is the only way to key on content there: not reported.
        return not site.model.hash_based
    valid = ("from cachelint import cacheable\n@cacheable\ndef f(image_hash: str, _image_bytes: bytes): return _image_bytes\n",)
    invalid = ("from cachelint import cacheable\n@cacheable\ndef f(image_bytes: bytes): return image_bytes\n",)

    def message(self, site, p, detail, hint):
        return (
            f"'{p.name}' is raw bytes in the {lib_phrase(site)} cache key: the whole payload is hashed or held "
            f"on every call. Key a digest of it instead (e.g. '{_stem(p.name)}_hash') and "
            f"{hint}."
        )


class _NamespaceUses(FastVisitor):
    def __init__(self, name: str) -> None:
        self.name = name
        self.reads = 0
        self.classes = 0

    def visit_Name(self, node: cst.Name) -> None:
        if node.value == self.name:
            self.reads += 1

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if isinstance(node.value, cst.Name) and node.value.value == self.name and node.attr.value[:1].isupper():
            self.classes += 1


def _namespace_only(func: cst.FunctionDef, name: Optional[str]) -> bool:
    """Every use of ``name`` in the body looks a class up on it (``starlette_client.OAuth``):
    the parameter is a module or namespace (a class factory's input), not a client object."""
    if not name:
        return False
    uses = _NamespaceUses(name)
    uses.walk(func.body)
    return uses.reads > 0 and uses.reads == uses.classes


_CONTEXT_NOUNS = {
    "logger": "a logger", "log": "a logger", "callback": "a callback", "callbacks": "callbacks", "cb": "a callback",
    "progress": "a progress reporter", "pbar": "a progress bar", "tqdm": "a progress bar", "bar": "a progress bar",
    "client": "a client", "session": "a session", "sess": "a session", "conn": "a connection",
    "connection": "a connection", "cursor": "a cursor", "lock": "a lock", "executor": "an executor",
    "pool": "a pool", "request": "a request object", "req": "a request object", "db": "a database handle",
    "reporter": "a reporter", "hook": "a hook", "notifier": "a notifier", "emitter": "an emitter",
    "tracer": "a tracer", "progress callback": "a progress callback",
}
for _knob in ("n_jobs", "njobs", "num_workers", "n_workers", "workers", "num_procs", "nprocs", "n_procs",
              "num_processes", "n_processes", "max_workers", "num_threads", "n_threads", "threads"):
    _CONTEXT_NOUNS[_knob] = "a worker-count knob"
for _knob in ("verbose", "verbosity", "log_level", "show_progress", "quiet"):
    _CONTEXT_NOUNS[_knob] = "an output-verbosity knob"
_CONTEXT_NOUNS["on_progress"] = _CONTEXT_NOUNS["progress_callback"] = "a callback"


_WRITE_CALLS = frozenset({
    "write", "write_text", "write_bytes", "writelines", "save", "savefig", "savez", "dump", "to_csv", "to_parquet",
    "to_json", "to_excel", "to_pickle", "to_feather", "to_netcdf", "to_zarr", "mkdir", "makedirs", "copy", "copy2",
    "copyfile", "copytree", "move", "rename", "replace", "touch", "imwrite", "imsave", "export", "extractall",
    "urlretrieve", "download", "download_file", "upload_file", "symlink_to", "hardlink_to", "link",
})


def _writes(func) -> bool:
    """True when the body writes somewhere: a write-like call or ``open`` with a w/a/x/+ mode."""
    import libcst as cst

    found = []

    class Finder(FastVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            callee = node.func
            name = callee.attr.value if isinstance(callee, cst.Attribute) else callee.value if isinstance(callee, cst.Name) else ""
            if name in _WRITE_CALLS:
                found.append(node)
            elif name == "open":
                for arg in list(node.args[1:2]) + [a for a in node.args if a.keyword is not None and a.keyword.value == "mode"]:
                    if isinstance(arg.value, cst.SimpleString) and any(c in arg.value.evaluated_value for c in "wax+"):
                        found.append(node)

    Finder().walk(func.body)
    return bool(found)


def _stem(name: str) -> str:
    toks = names.tokens(name)
    if toks and toks[-1] in ("bytes", "blob", "blobs"):
        toks = toks[:-1]
    return "_".join(toks) or "content"


RULES = (PerCallIdInKey, TimestampInKey, OutputPathInKey, ContextObjectInKey, BytesInKey)

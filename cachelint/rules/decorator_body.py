"""CL401, CL601–CL603: how a cache stores values and builds keys.

The project's own decorators are read by :mod:`cachelint.inference`; what it finds in a
decorator's body is reported once, at the offending call inside the decorator (in the
decorator's module), not at every use. CL401 also covers libraries configured with a
lossy serializer, reported at each decorator that uses it.
"""
from __future__ import annotations

import re
from typing import Iterable

from ..models import ERROR, WARNING, CacheSite, Fix
from .base import FileContext, Report, Rule, lib_phrase


class _BodyRule(Rule):
    def check_definition(self, definition, ctx: FileContext) -> Iterable[Report]:
        for finding in definition.findings:
            if finding.code == self.code:
                yield Report(finding.message, node=finding.node)


_LOSSY_RETURN = re.compile(r"\b(bytes|bytearray|tuple|Tuple|set|Set|frozenset|FrozenSet|datetime|date|Decimal|UUID)\b")


class LossySerializer(_BodyRule):
    """### What it does
Reports cached values that go through JSON or another lossy codec: a home-made decorator
writing the value with `json.dump(s)` (worst with `default=str`, which turns anything into a
string without complaint), `yaml.safe_dump` or `str()`; and libraries configured that way:
diskcache `Cache(disk=JSONDisk)`, Flask-Caching with a JSON `CACHE_SERIALIZER`, aiocache
`serializer=JsonSerializer()` or its Redis/Memcached defaults, perscache `JSONSerializer`.
A function whose return annotation holds `bytes`, `tuple`, `set`, `datetime`, `Decimal` or
`UUID` under such a cache gets a second report at its decorator.

### Why it matters
A JSON round trip does not give back what went in: bytes become text or fail, tuples
become lists, sets fail, integer dict keys become strings, datetimes become strings. The
first call returns the real value; every hit returns something else.

### Example
```python
path.write_text(json.dumps(result, default=str))
```

### Use instead
Pickle the value (the reference decorator `cachelint.cacheable` does), or keep the
library's pickle serializer.
"""

    code = "CL401"
    name = "lossy-serializer"
    summary = "cached values go through JSON or another lossy codec"
    severity = ERROR
    valid = ("from diskcache import Cache\nc = Cache('d')\n@c.memoize()\ndef f(x) -> bytes: return b''\n",)
    invalid = ("from diskcache import Cache, JSONDisk\nc = Cache('d', disk=JSONDisk)\n@c.memoize()\ndef f(x) -> bytes: return b''\n",)

    def check(self, site: CacheSite, ctx: FileContext) -> Iterable[Report]:
        if site.spec.serializer != "json":
            return
        annotation = site.function.returns
        returned = ""
        if annotation is not None:
            from ..analysis import code

            returned = code(annotation.annotation)
        lossy = _LOSSY_RETURN.findall(returned)
        if site.model.library == "home-made":
            if lossy:
                yield Report(
                    f"{site.function_name}() returns {returned}, but the {lib_phrase(site)} cache stores values as JSON: "
                    f"{', '.join(sorted(set(lossy)))} values come back changed on every hit.",
                    node=site.decorator.decorator,
                    fix=Fix("Store values with pickle in the decorator"),
                )
            return
        detail = f"; {site.function_name}() returns {returned}, which will come back changed" if lossy else ""
        yield Report(
            f"The {site.model.display} cache stores values as JSON: bytes, tuples, sets, datetimes and int dict keys do "
            f"not survive a hit{detail}. Use the library's pickle serializer.",
            node=site.decorator.decorator,
            fix=Fix("Configure the cache with a pickle serializer"),
        )


class ProcessUnstableKey(_BodyRule):
    """### What it does
Reports a persistent cache whose key is built with `hash()`, `id()`, or `repr()`/`str()`
of the raw arguments (at that call inside the decorator).

### Why it matters
`hash()` of `str` and `bytes` is salted per process (PYTHONHASHSEED), `id()` is a memory
address, and the default `repr()` contains one. A key that changes every process means a
disk cache that never hits after a restart.

### Example
```python
key = f"{func.__name__}-{hash(args)}"
```

### Use instead
Hash a canonical encoding with `hashlib` (what `cachelint.cacheable` does).
"""

    code = "CL601"
    name = "process-unstable-key"
    summary = "a persistent key built from hash(), id() or default repr()"
    severity = ERROR
    valid = (
        "import hashlib, json, functools, os\n"
        "def disk_cache(fn):\n"
        "    def wrapper(*args):\n"
        "        key = hashlib.sha256(json.dumps(args).encode()).hexdigest()\n"
        "        if os.path.exists(key):\n"
        "            return open(key).read()\n"
        "        return fn(*args)\n"
        "    return wrapper\n",
    )
    invalid = (
        "import os\n"
        "def disk_cache(fn):\n"
        "    def wrapper(*args):\n"
        "        key = str(hash(args))\n"
        "        if os.path.exists(key):\n"
        "            return open(key).read()\n"
        "        return fn(*args)\n"
        "    return wrapper\n",
    )


class CallShapeKey(_BodyRule):
    """### What it does
Reports a home-made decorator that keys the raw `args` and `kwargs` instead of binding them
to the signature, and (as the worse case, said in the message) one that keys `args` only
while it forwards `**kwargs` to the function.

### Why it matters
`f(1)`, `f(a=1)` and `f(1, b=2)` (with `b=2` the default) are the same call but three
different raw keys: three misses and three entries. When keyword arguments never reach
the key, calls that differ only in them get each other's results.

### Example
```python
key = pickle.dumps((args, kwargs))
```

### Use instead
`bound = inspect.signature(fn).bind(*args, **kwargs); bound.apply_defaults()` and key
`bound.arguments`.
"""

    code = "CL602"
    name = "call-shape-key"
    summary = "a home-made key uses raw args/kwargs instead of binding them to the signature"
    severity = WARNING
    valid = (
        "import inspect, hashlib, pickle\n"
        "_store = {}\n"
        "def memo(fn):\n"
        "    sig = inspect.signature(fn)\n"
        "    def wrapper(*args, **kwargs):\n"
        "        bound = sig.bind(*args, **kwargs)\n"
        "        bound.apply_defaults()\n"
        "        key = hashlib.sha256(pickle.dumps(sorted(bound.arguments.items()))).hexdigest()\n"
        "        if key not in _store:\n"
        "            _store[key] = fn(*args, **kwargs)\n"
        "        return _store[key]\n"
        "    return wrapper\n",
    )
    invalid = (
        "import pickle\n"
        "_store = {}\n"
        "def memo(fn):\n"
        "    def wrapper(*args, **kwargs):\n"
        "        key = pickle.dumps((args, kwargs))\n"
        "        if key not in _store:\n"
        "            _store[key] = fn(*args, **kwargs)\n"
        "        return _store[key]\n"
        "    return wrapper\n",
    )


class NonAtomicCacheWrite(_BodyRule):
    """### What it does
Reports a home-made persistent cache that writes its final entry file in place
(`open(path, "w")`, `path.write_text(...)`, `path.write_bytes(...)`) with no
`os.replace`/`Path.replace` of a temporary file.

### Why it matters
A crash, a full disk or a concurrent reader in the middle of the write leaves a torn
entry that later runs read as valid (or crash on).

### Example
```python
path.write_bytes(pickle.dumps(result))
```

### Use instead
Write to a temporary file in the same directory (`tempfile.mkstemp(dir=...)`), then
`os.replace(tmp, path)`.
"""

    code = "CL603"
    name = "non-atomic-cache-write"
    summary = "a home-made persistent cache writes its final file in place"
    severity = WARNING
    valid = (
        "import os, pickle, hashlib, tempfile\n"
        "def disk_cache(fn):\n"
        "    def wrapper(*args):\n"
        "        path = hashlib.sha256(pickle.dumps(args)).hexdigest()\n"
        "        if os.path.exists(path):\n"
        "            with open(path, 'rb') as f:\n"
        "                return pickle.load(f)\n"
        "        result = fn(*args)\n"
        "        fd, tmp = tempfile.mkstemp(dir='.')\n"
        "        with os.fdopen(fd, 'wb') as f:\n"
        "            pickle.dump(result, f)\n"
        "        os.replace(tmp, path)\n"
        "        return result\n"
        "    return wrapper\n",
    )
    invalid = (
        "import os, pickle, hashlib\n"
        "def disk_cache(fn):\n"
        "    def wrapper(*args):\n"
        "        path = hashlib.sha256(pickle.dumps(args)).hexdigest()\n"
        "        if os.path.exists(path):\n"
        "            with open(path, 'rb') as f:\n"
        "                return pickle.load(f)\n"
        "        result = fn(*args)\n"
        "        with open(path, 'wb') as f:\n"
        "            pickle.dump(result, f)\n"
        "        return result\n"
        "    return wrapper\n",
    )


RULES = (LossySerializer, ProcessUnstableKey, CallShapeKey, NonAtomicCacheWrite)

"""A small disk cache decorator done right.

* The key is bound to the signature (``f(1)`` and ``f(a=1)`` share an entry) and leaves out
  every parameter whose name starts with ``_``: pass large or per-call values through
  that way and key a fingerprint of them instead.
* Values are pickled (bytes, tuples and datetimes come back as they went in) and written
  to a temporary file that is moved into place, so no reader ever sees half an entry.
"""
import functools
import hashlib
import inspect
import os
import pickle
import tempfile
from pathlib import Path

CACHE_DIR = Path(os.environ.get("RENDER_CACHE_DIR", ".render-cache"))


def disk_cache(func):
    """Cache ``func``'s results on disk, keyed on its non-underscore arguments."""
    signature = inspect.signature(func)

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        keyed = {name: value for name, value in bound.arguments.items() if not name.startswith("_")}
        raw = pickle.dumps((func.__module__, func.__qualname__, sorted(keyed.items())), protocol=4)
        path = CACHE_DIR / (hashlib.sha256(raw).hexdigest() + ".pickle")
        if path.exists():
            with open(path, "rb") as handle:
                return pickle.load(handle)
        result = func(*args, **kwargs)
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=CACHE_DIR)
        with os.fdopen(fd, "wb") as handle:
            pickle.dump(result, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
        return result

    return wrapper

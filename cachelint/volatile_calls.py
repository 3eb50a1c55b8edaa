"""Calls whose value is new on every call, for CL106 and for the reduction that keeps its callers.

Kept apart from the rule (``rules/call_sites.py``, which imports libcst) so the reduction
(``reduce.py``, ``ast`` only) can tell which statements may pass such a value.
"""
from __future__ import annotations

#: calls whose value is new on every call (qualified names as the resolver gives them)
VOLATILE_CALLS = frozenset(
    {
        "datetime.datetime.now", "datetime.datetime.utcnow", "datetime.datetime.today", "datetime.date.today",
        "time.time", "time.time_ns", "time.monotonic", "time.monotonic_ns", "time.perf_counter",
        "time.perf_counter_ns", "time.process_time",
        "uuid.uuid1", "uuid.uuid4",
        "random.random", "random.randint", "random.randrange", "random.uniform", "random.getrandbits",
        "random.randbytes", "random.choice", "random.gauss",
        "secrets.token_hex", "secrets.token_bytes", "secrets.token_urlsafe", "secrets.randbits", "secrets.choice",
        "os.urandom",
        "django.utils.timezone.now", "pandas.Timestamp.now", "pandas.Timestamp.utcnow", "pandas.Timestamp.today",
        "numpy.random.rand", "numpy.random.random", "numpy.random.randint",
    }
)
#: builtins whose value is new per call / per object
VOLATILE_BUILTINS = ("object", "id")
#: calls that keep a volatile value volatile (``str(uuid4())``, ``int(time.time())``)
PASS_THROUGH = ("str", "repr", "int", "float", "format", "hex")
#: the names a volatile call is written with (its last part), builtins included
VOLATILE_NAMES = frozenset({name.rpartition(".")[2] for name in VOLATILE_CALLS} | set(VOLATILE_BUILTINS))

__all__ = ["VOLATILE_CALLS", "VOLATILE_BUILTINS", "PASS_THROUGH", "VOLATILE_NAMES"]

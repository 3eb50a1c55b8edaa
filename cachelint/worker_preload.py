"""What the fork server imports before it forks workers (:data:`cachelint.worker_server.PRELOAD`).

:data:`MODULES` (libcst, the rules, the library models: what a worker needs before its
first file) are imported with the cyclic garbage collector paused. Imports make hundreds
of thousands of long-lived objects (libcst's node classes are dataclasses, each with
generated methods); the collections they set off find nothing to free and cost about a
tenth of the imports' CPU time, which is on the critical path of every parallel run.
They are then frozen (``gc.freeze``) and the collector is back on before any worker is forked.
"""
import gc
import importlib

MODULES = ("libcst", "cachelint.rules", "cachelint.analysis", "cachelint.inference", "cachelint.positions",
           "cachelint.libraries", "cachelint.parallel", "cachelint.cst_parse")

_enabled = gc.isenabled()
gc.disable()
try:
    for _name in MODULES:
        importlib.import_module(_name)
finally:
    # Unexamined, those objects would all be young: the first collection in every worker
    # would walk them (and copy every page they sit on). Frozen, no collection looks at them.
    gc.freeze()
    if _enabled:
        gc.enable()

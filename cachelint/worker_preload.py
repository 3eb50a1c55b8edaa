"""What the fork server imports before it forks workers (:data:`cachelint.worker_server.PRELOAD`).

Importing this module imports what a worker needs before its first file (libcst, the rules,
the library models, the pool's worker code) with the collector paused, and freezes it
(:func:`cachelint.engine.import_linting_modules`): the server's imports are on the critical
path of every parallel run, and no collection in a worker walks what it inherited.
"""
from . import engine

engine.import_linting_modules(("cachelint.parallel",))

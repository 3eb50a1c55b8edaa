"""What the fork server imports before it forks workers (:data:`cachelint.worker_server.PRELOAD`).

Importing this module imports what a worker needs before its first file (libcst, the rules,
the library models, the pool's worker code) with the collector paused, and freezes it
(:func:`cachelint.engine.import_linting_modules`): the server's imports are on the critical
path of every parallel run, and no collection in a worker walks what it inherited.

In the server itself (:data:`cachelint.worker_server.SERVER_MARK` in its environment) the
interpreter's teardown is skipped when the server exits: the server holds the command's
standard output and error (inherited), so a reader of a pipe, pre-commit or a CI step,
would wait for libcst's modules to be torn down (about 40 ms) after the run has ended.
Nothing of the server needs the teardown: its workers are gone, it writes no file.
"""
import atexit
import os
import sys

from . import engine
from .worker_server import SERVER_MARK


def _exit_now() -> None:
    """End the server without the interpreter's teardown (the last exit handler to run)."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # a closed or broken stream: nothing to keep
            pass
    os._exit(0)


if os.environ.pop(SERVER_MARK, None) == "1":  # popped: the workers forked from here do not see it
    atexit.register(_exit_now)
engine.import_linting_modules(("cachelint.parallel",))

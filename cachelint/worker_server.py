"""A fork server that imports libcst and the rules once for every worker of a run.

A worker forked from the command-line process must import libcst and the rules itself
(about a quarter of a second of CPU each, paid by every worker); on a two-core machine
that is a good part of a whole run over the standard library. :func:`start` launches
multiprocessing's ``forkserver`` with those modules preloaded as soon as a run from the
command line knows it needs workers (discovery found a pool's worth of files, for
``--no-cache`` runs and the result cache's first run), so the imports run on another
core while the calling process screens the files; workers are then forked from the
server ready to lint.

A forkserver worker imports the program's main module again, as ``spawn`` workers do
(multiprocessing's "safe importing of main module" rule). :func:`start` therefore only
starts a server when that is harmless: ``python -m cachelint``, no main file, or a main
file whose top level only imports and runs its work under ``if __name__ == "__main__":``
(the console script pip or uv writes). Anywhere else, and on platforms without a fork
server (Windows), pools keep the platform's default start method.

The server is started with ``PYTHONSAFEPATH`` so the working directory (the linted
project, often) is not on its ``sys.path``: cachelint never imports the code it checks
(tests/test_never_executes.py). Python before 3.11 has no such switch, and an interpreter
run with ``-E`` (passed on to the server) would ignore it: neither gets a server. The
server starts with SIGINT blocked, so a Ctrl-C during its imports prints nothing.

Making a process through the server waits until the server has finished its imports,
so :class:`Feeder` starts the pool's workers and submits tasks from a helper thread:
the caller goes on screening and hands over candidates as it finds them.
"""
from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Callable, Dict, Optional, Sequence, Tuple

if TYPE_CHECKING:  # concurrent.futures is imported when a pool is made: 20 ms that need not delay the server
    import ast
    from concurrent.futures import Future, ProcessPoolExecutor

# ast, queue, signal and threading are imported where they are used: every run of the
# command imports this module (head_start), a one-file run needs none of them.

#: What the server imports for its workers: libcst, the rules, the library models (see the module).
PRELOAD = ("cachelint.worker_preload",)
#: Set in the environment the server starts with (and removed there): tells the preload it runs in the server.
SERVER_MARK = "CACHELINT_FORK_SERVER"
#: Fewer files than this are linted in the calling process (see :mod:`cachelint.parallel`).
MIN_PARALLEL_FILES = 8
#: A main file larger than this is not read to decide whether it is safe to import again.
MAX_MAIN_BYTES = 64 * 1024

_context = None


def context():
    """The multiprocessing context of a started server, or None (use the default)."""
    return _context


def start() -> bool:
    """Start the preloaded fork server if it is safe here; True when pools will use it.

    Idempotent. Never raises: any failure leaves pools on the default start method.
    """
    global _context
    if _context is not None:
        return True
    if sys.version_info < (3, 11):
        return False  # no PYTHONSAFEPATH: the server would import from the linted directory
    if sys.flags.ignore_environment and not sys.flags.safe_path:
        return False  # -E is passed on to the server, which would then ignore PYTHONSAFEPATH
    try:
        import multiprocessing
        import signal
        from multiprocessing import forkserver

        if "forkserver" not in multiprocessing.get_all_start_methods() or not reimportable_main():
            return False
        server = multiprocessing.get_context("forkserver")
        server.set_forkserver_preload(list(PRELOAD))
        # The server (and multiprocessing's resource tracker) start as ``python -c``, which
        # would put the working directory, often the project being linted, first on
        # sys.path: its typing.py or dataclasses.py would run in place of the standard
        # library's. PYTHONSAFEPATH keeps it off; everything else is inherited as is.
        # Ctrl-C goes to the whole process group: the server would die in its imports with
        # a traceback. It starts with SIGINT blocked (the mask is inherited, and the server
        # ignores SIGINT once its imports are done); here it is only held back meanwhile.
        from multiprocessing import resource_tracker

        saved = os.environ.get("PYTHONSAFEPATH")
        os.environ["PYTHONSAFEPATH"] = "1"
        try:
            resource_tracker.ensure_running()  # first: it unblocks SIGINT when it has started
            blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
            os.environ[SERVER_MARK] = "1"
            try:
                forkserver.ensure_running()
            finally:
                del os.environ[SERVER_MARK]
                signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        finally:
            if saved is None:
                del os.environ["PYTHONSAFEPATH"]
            else:
                os.environ["PYTHONSAFEPATH"] = saved
    except Exception:
        return False
    _context = server
    return True


def effective_jobs(jobs: int) -> int:
    """``jobs`` itself when positive; otherwise the number of CPUs this process may use."""
    if jobs and jobs > 0:
        return jobs
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def pool_likely(paths: Sequence[str], jobs: int) -> bool:
    """Whether linting ``paths`` with ``jobs`` (0: one per CPU) will probably use a process pool.

    Judged without walking the tree, so a server can start first: more than one job, and
    :data:`MIN_PARALLEL_FILES` paths or a directory with as many Python files and
    subdirectories at its top (hidden ones not counted).
    """
    if effective_jobs(jobs) <= 1:
        return False
    if len(paths) >= MIN_PARALLEL_FILES:
        return True
    for path in paths:
        try:
            with os.scandir(path) as entries:
                count = 0
                for entry in entries:
                    if not entry.name.startswith(".") and (entry.name.endswith((".py", ".pyi")) or entry.is_dir()):
                        count += 1
                        if count >= MIN_PARALLEL_FILES:
                            return True
        except OSError:  # not a directory, or unreadable: discovery reports it
            continue
    return False


#: Options of the command that take a value (``--select CODES``): :func:`head_start` reads
#: the arguments before click is imported. tests/test_worker_server.py keeps it in step with
#: :func:`cachelint.cli.main`.
VALUE_OPTIONS = frozenset({"--select", "--extend-select", "--ignore", "--exclude", "--extend-exclude",
                           "--stdin-filename", "--config", "--format", "-o", "--output-file", "-j", "--jobs",
                           "--cache-dir", "--explain"})
#: Options after which the command lints nothing.
_NO_LINT = frozenset({"-h", "--help", "--version", "--list-rules", "--explain", "--show-settings",
                      "--stdin-filename"})


def head_start(argv: Sequence[str]) -> bool:
    """Start the server from the command's raw arguments (``sys.argv[1:]``), before the
    command line itself is imported, when the run will probably need a pool.

    That is when ``--no-cache`` is given, nothing asks for an early exit (``--version``,
    ``--help``, ``--list-rules``, ...) or standard input, and :func:`pool_likely` holds for
    the paths and ``--jobs``. Importing click and reading the settings takes about
    0.04 s that the server's own imports then overlap. The command line calls :func:`start`
    again after reading the settings (it is idempotent), so a spelling read differently
    here (``-j2``, grouped short options) only means no head start. The settings can still
    make the server unneeded (``jobs = 1`` or excludes in the configuration): it then goes
    unused, having cost a start-up on another core. Returns whether a server is running.
    """
    paths, jobs, no_cache = [], 0, False
    args = iter(argv)
    for arg in args:
        if arg == "--":
            paths.extend(args)
            break
        if not arg.startswith("-") or arg == "-":
            paths.append(arg)
            continue
        name, equals, value = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        if name in _NO_LINT or (not arg.startswith("--") and len(arg) > 2):
            return False  # an early exit, standard input, or grouped short options
        if name == "--no-cache":
            no_cache = True
        elif name in VALUE_OPTIONS:
            if not equals:
                value = next(args, "")
            if name in ("-j", "--jobs"):
                try:
                    jobs = int(value)
                except ValueError:
                    return False
    files = [path for path in paths if path != "-"]
    if not no_cache or len(files) != len(paths):
        return False
    return pool_likely(files or ["."], jobs) and start()


def reimportable_main() -> bool:
    """Whether importing ``__main__`` again (as ``__mp_main__``) runs nothing but imports and definitions.

    True for ``python -m cachelint``, for no main file (``python -c``, an interactive
    session) and for a main file whose top-level statements are imports, definitions,
    a docstring and ``if __name__ == "__main__":`` blocks; the file is parsed, never run.
    """
    main = sys.modules.get("__main__")
    if main is None:
        return False
    spec = getattr(main, "__spec__", None)
    if spec is not None:
        return spec.name == "cachelint.__main__"
    path = getattr(main, "__file__", None)
    if not path:
        return True
    try:
        with open(path, "rb") as handle:
            source = handle.read(MAX_MAIN_BYTES + 1)
        if len(source) > MAX_MAIN_BYTES:
            return False
        import ast

        tree = ast.parse(source)
    except (OSError, SyntaxError, ValueError):
        return False
    return all(_harmless(stmt) for stmt in tree.body)


def _harmless(stmt: ast.stmt) -> bool:
    import ast

    if isinstance(stmt, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.Pass)):
        return True
    if isinstance(stmt, ast.Expr):
        return isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str)
    if isinstance(stmt, ast.If):
        test = stmt.test
        return (not stmt.orelse and isinstance(test, ast.Compare) and len(test.ops) == 1
                and isinstance(test.ops[0], ast.Eq) and isinstance(test.left, ast.Name) and test.left.id == "__name__"
                and isinstance(test.comparators[0], ast.Constant) and test.comparators[0].value == "__main__")
    return False


class Feeder:
    """Starts ``workers`` processes of ``pool`` and submits tasks, from a helper thread.

    :meth:`put` never waits; :meth:`finish` waits for every submission and returns the
    futures by key. A task that could not be submitted (the pool broke) has no future.
    """

    def __init__(self, pool: "ProcessPoolExecutor", workers: int, warm_up: Callable[[], None]):
        import queue
        import threading

        self.pool = pool
        self.futures: Dict[object, "Future"] = {}
        self._queue: "queue.SimpleQueue[Optional[Tuple[object, Callable, tuple]]]" = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, args=(workers, warm_up), name="cachelint-feeder",
                                        daemon=True)
        self._thread.start()

    def put(self, key: object, function: Callable, *args) -> None:
        """Submit ``function(*args)`` as soon as the pool can take it; its future goes under ``key``."""
        self._queue.put((key, function, args))

    def finish(self) -> Dict[object, "Future"]:
        """Wait until everything put was submitted (or the pool failed); the futures by key."""
        self._queue.put(None)
        self._thread.join()
        return self.futures

    def _run(self, workers: int, warm_up: Callable[[], None]) -> None:
        try:
            for _ in range(workers):
                self.pool.submit(warm_up)  # each submit starts a process, once the server is ready
            while True:
                entry = self._queue.get()
                if entry is None:
                    return
                key, function, args = entry
                self.futures[key] = self.pool.submit(function, *args)
        except Exception:  # a broken or shut-down pool: the caller lints what has no future
            while self._queue.get() is not None:
                pass


__all__ = ["start", "head_start", "context", "reimportable_main", "pool_likely", "effective_jobs", "Feeder",
           "PRELOAD", "VALUE_OPTIONS", "MIN_PARALLEL_FILES"]

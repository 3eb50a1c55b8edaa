"""A fork server that imports libcst and the rules once for every worker of a run.

A worker forked from the command-line process must import libcst and the rules itself
(about a quarter of a second of CPU each, paid by every worker); on a two-core machine
that is a good part of a whole run over the standard library. :func:`start` forks the
calling process, as soon as a run from the command line knows it will probably need
workers, into a server that imports those modules on another core while the calling
process reads and screens the files; :class:`cachelint.server_pool.ServerPool` then has
it fork each worker, ready to lint.

The server is a plain ``os.fork`` of the command (Linux only, before any thread is
started): no new interpreter starts, nothing is imported again, and no helper process
(multiprocessing's resource tracker) is needed, which saves about 0.09 s of CPU per run
against multiprocessing's ``forkserver``. Its ``sys.path`` is the command's own, so it
imports nothing from the linted directory that the command would not.

The server and its workers ignore Ctrl-C (the calling process stops the workers, see
:mod:`cachelint.parallel`), read nothing from standard input and write nothing to
standard output, which they do not hold. The server ends when the calling process
closes its end of the control socket, each worker when its pool's task socket closes,
and both are killed when the process that forked them ends (``PR_SET_PDEATHSIG``): the
command's standard error, which they keep for Python's own last words, is closed when
the command exits. They end through ``os._exit``: they hold nothing that needs the
interpreter's teardown.
"""
from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Callable, NoReturn, Optional, Sequence

if TYPE_CHECKING:
    import socket

# signal, socket and threading are imported where they are used: every run of the
# command imports this module (head_start), a one-file run needs none of them.

#: What the server imports for its workers besides :data:`cachelint.engine.LINTING_MODULES`.
PRELOAD = ("cachelint.parallel",)
#: Fewer files than this are linted in the calling process (see :mod:`cachelint.parallel`).
MIN_PARALLEL_FILES = 8
#: ``prctl`` option: the signal a process gets when its parent ends (linux/prctl.h).
_PR_SET_PDEATHSIG = 1
#: Largest request the server reads from the control socket, in bytes (requests are one byte).
_REQUEST_BYTES = 16


class Server:
    """The calling process's handle on a running fork server.

    ``pid`` is the server's process id; ``control`` the calling process's end of the
    control socket (``AF_UNIX``, ``SOCK_SEQPACKET``), on which
    :meth:`cachelint.server_pool.ServerPool` sends one request per worker: one byte and
    three file descriptors (the worker's end of the pool's task socket, the write end of
    its result pipe, and the pool's initialisation file).
    """

    def __init__(self, pid: int, control: "socket.socket") -> None:
        self.pid = pid
        self.control = control


_server: Optional[Server] = None


def running() -> Optional[Server]:
    """The server :func:`start` started in this process, or None (pools then fork from here)."""
    return _server


def start() -> bool:
    """Fork the server if it is possible here; True when pools will use it.

    Idempotent. Only on Linux, and only while this process runs no other thread (a fork
    copies locks held by other threads, which nothing would release). Never raises: any
    failure leaves pools forking their workers from this process.
    """
    global _server
    if _server is not None:
        return True
    if not sys.platform.startswith("linux"):
        return False
    threading = sys.modules.get("threading")
    if threading is not None and threading.active_count() > 1:
        return False
    try:
        import signal
        import socket

        if not hasattr(socket, "send_fds"):
            return False
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    except Exception:
        return False
    from .files import keep_large_reads_off_the_heap

    keep_large_reads_off_the_heap()  # the command does it anyway; done before the fork, no worker needs to
    for stream in (sys.stdout, sys.stderr):  # nothing buffered may be written twice
        try:
            stream.flush()
        except Exception:  # a closed or broken stream: the command reports it, not this
            pass
    # Ctrl-C is held back across the fork: the server must never run this process's handler
    parent = os.getpid()
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        pid = os.fork()
    except OSError:
        pid = -1
    if pid == 0:  # the server: it never returns from here
        def server_life() -> None:
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # the calling process decides what Ctrl-C does
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
            _end_with(parent)
            ours.close()
            _serve(theirs)

        _live_and_exit(server_life)
    signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
    if pid < 0:
        ours.close()
        theirs.close()
        return False
    theirs.close()
    _server = Server(pid, ours)
    return True


def _serve(control: "socket.socket") -> None:
    """The server's life: import what workers need, then fork one per request until the control socket closes."""
    import signal
    import socket

    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # workers are reaped as they end
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    os.dup2(null, 1)  # a pipe's reader must not wait for the server or its workers
    os.close(null)
    from .engine import import_linting_modules

    import_linting_modules(PRELOAD)
    server = os.getpid()
    while True:
        message, fds, _flags, _address = socket.recv_fds(control, _REQUEST_BYTES, 3)
        if not message:
            return  # the calling process closed its end, or exited
        if len(fds) != 3:
            for fd in fds:
                os.close(fd)
            continue
        try:
            pid = os.fork()
        except OSError:  # no process: the pool sees this worker missing
            pid = -1
        if pid == 0:
            def worker_life() -> None:
                _end_with(server)
                control.close()
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                from .server_pool import work

                work(*fds)

            _live_and_exit(worker_life)
        for fd in fds:
            os.close(fd)


def _live_and_exit(life: Callable[[], None]) -> NoReturn:
    """Run ``life`` in a freshly forked process, then end it through ``os._exit``: status 0
    when ``life`` returned, 1 when it raised (nothing to report to: a pool sees its worker
    missing). The fork's copy of the caller's code never runs on, nor does the teardown."""
    code = 1
    try:
        life()
        code = 0
    except BaseException:
        pass
    finally:
        os._exit(code)


def _end_with(parent: int) -> None:
    """Have this process killed when ``parent`` (the process that forked it) ends.

    Linux's ``PR_SET_PDEATHSIG``: the server dies with the command, a worker with the
    server, even in the middle of a file (they otherwise notice only between files, at
    their next read of a socket). A parent already gone ends this process at once.
    Where the call is not available the sockets remain the only signal.
    """
    import signal

    try:
        import ctypes  # already imported by the command (files.keep_large_reads_off_the_heap)

        ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except Exception:  # no C library handle, no prctl
        pass
    if os.getppid() != parent:
        os._exit(0)


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


__all__ = ["Server", "start", "running", "head_start", "pool_likely", "effective_jobs", "PRELOAD", "VALUE_OPTIONS",
           "MIN_PARALLEL_FILES"]

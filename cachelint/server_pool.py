"""A process pool whose workers come from the fork server (:mod:`cachelint.worker_server`).

:class:`ServerPool` is the calling process's side: :meth:`ServerPool.submit` gives a
:class:`concurrent.futures.Future` as :class:`concurrent.futures.ProcessPoolExecutor`
does, and never waits (the server may still be importing libcst when the first tasks
come). :func:`work` is a worker's side, run in each process the server forks.

Three channels, all local to one pool:

- the **task socket** (``AF_UNIX``, ``SOCK_SEQPACKET``): the pool writes one message per
  task, ``pickle((task id, function, args))``; every worker reads from the same socket,
  and a read takes one whole message, so the next idle worker takes the next task;
- one **result pipe** per worker: frames of a header (payload length, task id, whether
  the task returned; big-endian) and the pickled value or exception, the first frame
  giving the worker's process id;
- the **initialisation file** (an anonymous memory file): ``pickle((initializer, args))``,
  run by each worker before its first task.

A worker that ends without being asked to (a native crash of the parser) closes its
result pipe: the pool is then broken, as a ``ProcessPoolExecutor`` is. Every task without
a result fails with :class:`BrokenServerPool` and the other
workers are stopped; the caller lints those files another way. Workers end when the pool
closes its end of the task socket, or when :meth:`ServerPool.kill` kills them.
"""
from __future__ import annotations

import itertools
import os
import pickle
import socket
import struct
import threading
from collections import deque
from concurrent.futures import BrokenExecutor, Future
from typing import Any, Callable, Deque, Dict, List

from .worker_server import Server

#: Largest task message in bytes: a task is a function reference and two paths.
MAX_TASK_BYTES = 1 << 16
_HEADER = struct.Struct("!IqB")  # payload bytes, task id, 1 when the task returned (0: it raised)
#: Seconds :meth:`ServerPool.kill` waits for the pool's lock and helper thread.
KILL_WAIT = 1.0
#: Task id of a worker's first frame, which carries its process id.
_PID = -1


class BrokenServerPool(BrokenExecutor):
    """A worker of the pool ended abruptly, or the pool no longer runs (as ``BrokenProcessPool``
    for a ``ProcessPoolExecutor``; both are ``concurrent.futures.BrokenExecutor``)."""


def _kill(pids: List[int]) -> None:
    """SIGKILL each of ``pids`` (workers' process ids); one already gone is skipped."""
    import signal

    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _init_file(payload: bytes) -> int:
    """A file descriptor of an anonymous file holding ``payload`` (a memory file where the system has them)."""
    try:
        fd = os.memfd_create("cachelint-init")
    except (AttributeError, OSError):
        import tempfile

        handle = tempfile.TemporaryFile()
        fd = os.dup(handle.fileno())
        handle.close()
    _write_all(fd, payload)
    return fd


class ServerPool:
    """``workers`` processes forked by ``server``, each initialised with ``initializer(*initargs)``.

    ``initializer`` and the functions submitted must be importable by reference (module-level
    functions of modules the server imported); arguments and results must pickle. Results
    are read by one helper thread of this process, which also sends the tasks that did not
    fit into the task socket at once.

    Raises OSError when the pool's sockets or pipes cannot be made, or the server is gone.
    """

    def __init__(self, server: Server, workers: int, initializer: Callable, initargs: tuple) -> None:
        self._lock = threading.Lock()
        self._futures: Dict[int, Future] = {}
        self._pending: Deque[bytes] = deque()
        self._ids = itertools.count()
        self._broken = False
        self._closed = False
        self._pids: Dict[int, int] = {}  # result pipe -> worker's process id, while the pipe is open
        self._buffers: Dict[int, bytearray] = {}
        tasks, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        init = _init_file(pickle.dumps((initializer, initargs), pickle.HIGHEST_PROTOCOL))
        try:
            for _ in range(workers):
                read_end, write_end = os.pipe()
                self._buffers[read_end] = bytearray()
                try:
                    socket.send_fds(server.control, [b"w"], [theirs.fileno(), write_end, init])
                finally:
                    os.close(write_end)
        except OSError:
            for fd in self._buffers:
                os.close(fd)
            tasks.close()
            raise
        finally:
            theirs.close()
            os.close(init)
        tasks.setblocking(False)
        self._tasks = tasks
        self._wake_read, self._wake_write = os.pipe()
        os.set_blocking(self._wake_write, False)
        self._thread = threading.Thread(target=self._run, name="cachelint-results", daemon=True)
        self._thread.start()

    def submit(self, function: Callable, *args: Any) -> Future:
        """Run ``function(*args)`` in a worker; never waits. A broken pool gives a future failed with BrokenServerPool."""
        future: Future = Future()
        task_id = next(self._ids)
        message = pickle.dumps((task_id, function, args), pickle.HIGHEST_PROTOCOL)
        with self._lock:
            if self._broken or self._closed:
                future.set_exception(BrokenServerPool("the pool is not running"))
                return future
            if len(message) > MAX_TASK_BYTES:
                future.set_exception(BrokenServerPool(f"a task of {len(message)} bytes is too large to send"))
                return future
            self._futures[task_id] = future
            if not self._pending:
                try:
                    self._tasks.send(message)
                    return future
                except BlockingIOError:  # full: the helper thread sends it when there is room
                    pass
                except OSError:  # no worker holds the other end: the helper thread sees the pool broken
                    del self._futures[task_id]
                    future.set_exception(BrokenServerPool("the task could not be sent"))
                    return future
            self._pending.append(message)
        self._wake()
        return future

    def kill(self) -> None:
        """Stop now: kill the workers, fail what has no result (cancelled), close everything. Idempotent.

        Safe from any thread and from an exit path that interrupted this pool's own code
        (Ctrl-C's watchdog, a KeyboardInterrupt in a finalizer): the workers are killed
        without taking the pool's lock, and what needs the lock is skipped after
        :data:`KILL_WAIT` seconds (the process is then exiting; its descriptors go with it).
        """
        if self._closed:
            return
        self._closed = True
        _kill(list(self._pids.values()))
        if not self._lock.acquire(timeout=KILL_WAIT):
            return
        try:
            wake, self._wake_write = self._wake_write, -1
            os.write(wake, b"x")
        except OSError:
            pass
        finally:
            self._lock.release()
        if self._thread is not threading.current_thread():
            self._thread.join(KILL_WAIT)
            if self._thread.is_alive():
                return
        if not self._lock.acquire(timeout=KILL_WAIT):
            return
        try:
            self._tasks.close()  # workers not started yet see the end at once
            for fd in (*self._buffers, self._wake_read, wake):
                os.close(fd)
            self._buffers.clear()
            futures = list(self._futures.values())
            self._futures.clear()
        finally:
            self._lock.release()
        for future in futures:
            future.cancel()

    def _wake(self) -> None:
        with self._lock:
            if self._wake_write < 0:
                return
            try:
                os.write(self._wake_write, b"x")
            except OSError:  # already awake (the pipe is full)
                pass

    def _run(self) -> None:
        import selectors

        selector = selectors.DefaultSelector()
        try:
            selector.register(self._wake_read, selectors.EVENT_READ)
            for fd in self._buffers:
                selector.register(fd, selectors.EVENT_READ)
            self._loop(selector)
        except BaseException as exc:  # a bug here must not leave the caller waiting for results
            self._break(f"the pool's helper thread failed: {type(exc).__name__}: {exc}")
        finally:
            selector.close()

    def _loop(self, selector) -> None:
        """Send pending tasks and read results until the pool is killed."""
        import selectors

        writing = False
        while not self._closed:
            with self._lock:
                want = bool(self._pending) and not self._broken
            if want != writing:
                if want:
                    selector.register(self._tasks, selectors.EVENT_WRITE)
                else:
                    selector.unregister(self._tasks)
                writing = want
            for key, _events in selector.select():
                if self._closed:
                    return
                if key.fd == self._wake_read:
                    os.read(self._wake_read, 4096)
                elif key.fileobj is self._tasks:
                    self._send_pending()
                elif not self._read(key.fd):
                    selector.unregister(key.fd)

    def _send_pending(self) -> None:
        with self._lock:
            while self._pending:
                try:
                    self._tasks.send(self._pending[0])
                except BlockingIOError:
                    return
                except OSError:  # no worker holds the other end any more
                    break
                self._pending.popleft()
        if self._pending:
            self._break()

    def _read(self, fd: int) -> bool:
        """Read what worker pipe ``fd`` has; False at its end (the worker is gone)."""
        try:
            data = os.read(fd, 1 << 16)
        except OSError:
            data = b""
        if not data:
            with self._lock:
                self._pids.pop(fd, None)
            if not self._closed:
                self._break()  # a worker ended although the pool runs: it crashed or never started
            return False
        buffer = self._buffers[fd]
        buffer += data
        while len(buffer) >= _HEADER.size:
            size, task_id, ok = _HEADER.unpack_from(buffer)
            if len(buffer) < _HEADER.size + size:
                break
            payload = bytes(buffer[_HEADER.size:_HEADER.size + size])
            del buffer[:_HEADER.size + size]
            try:
                value = pickle.loads(payload)
            except Exception as exc:  # an exception class whose arguments do not round-trip, say
                ok, value = False, RuntimeError(f"the worker's result could not be read: {type(exc).__name__}: {exc}")
            if task_id == _PID:
                with self._lock:
                    self._pids[fd] = value
                continue
            with self._lock:
                future = self._futures.pop(task_id, None)
            if future is not None:
                if ok:
                    future.set_result(value)
                else:
                    future.set_exception(value)
        return True

    def _break(self, reason: str = "a worker process ended abruptly") -> None:
        """A worker is gone (or ``reason``): fail every task without a result and kill the other workers."""
        with self._lock:
            if self._broken:
                return
            self._broken = True
            futures = list(self._futures.values())
            self._futures.clear()
            self._pending.clear()
            pids = list(self._pids.values())
        _kill(pids)
        for future in futures:
            future.set_exception(BrokenServerPool(reason))


def work(tasks_fd: int, results_fd: int, init_fd: int) -> None:
    """A worker's life, in a process the server forked: initialise, then run tasks until the task socket ends.

    ``tasks_fd`` is the worker's end of the pool's task socket, ``results_fd`` the write end
    of its result pipe, ``init_fd`` the pool's initialisation file (see the module).
    Returns when the pool closed the task socket or can no longer be written to.
    """
    _write_all(results_fd, _frame(_PID, True, os.getpid()))
    chunks: List[bytes] = []
    offset = 0
    while True:
        chunk = os.pread(init_fd, 1 << 20, offset)
        if not chunk:
            break
        chunks.append(chunk)
        offset += len(chunk)
    os.close(init_fd)
    initializer, initargs = pickle.loads(b"".join(chunks))
    initializer(*initargs)
    tasks = socket.socket(fileno=tasks_fd)
    while True:
        message = tasks.recv(MAX_TASK_BYTES)
        if not message:
            return
        task_id, function, args = pickle.loads(message)
        try:
            ok, value = True, function(*args)
        except BaseException as exc:  # handed back to the caller's future, as ProcessPoolExecutor does
            ok, value = False, exc
        try:
            frame = _frame(task_id, ok, value)
        except Exception as exc:  # a result or an exception that does not pickle
            frame = _frame(task_id, False, RuntimeError(f"the worker's result could not be sent: {exc!r}"))
        try:
            _write_all(results_fd, frame)
        except OSError:  # the pool is gone
            return


def _frame(task_id: int, ok: bool, value: Any) -> bytes:
    data = pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
    return _HEADER.pack(len(data), task_id, ok) + data


__all__ = ["ServerPool", "BrokenServerPool", "work", "MAX_TASK_BYTES"]

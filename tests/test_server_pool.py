"""The fork server (cachelint.worker_server) and the pools it makes workers for (cachelint.server_pool).

Each test runs a small program in its own process: :func:`cachelint.worker_server.start`
forks the process that calls it, and the server lives as long as that process.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the fork server runs on Linux only")

PRELUDE = textwrap.dedent("""\
    import json, os, sys, time
    from concurrent.futures import BrokenExecutor

    CALLS = []

    def init(tag):
        CALLS.append(tag)

    def where(value):
        return value, os.getpid(), os.getppid(), CALLS, sorted(m for m in ("libcst", "click", "cachelint.cli")
                                                              if m in sys.modules)

    def fail(message):
        raise ValueError(message)

    def die():
        os._exit(3)

    class Picky(Exception):
        def __init__(self, a, *, b):  # pickles, but cannot be rebuilt from its args
            super().__init__(a)
            self.b = b

    def picky():
        raise Picky(1, b=2)

    def nap(seconds):
        time.sleep(seconds)
        return os.getpid()

    from cachelint import worker_server
    started = worker_server.start()
    from cachelint.server_pool import ServerPool
    server = worker_server.running()
""")


def run(body: str, timeout: float = 60) -> dict:
    """Run PRELUDE + ``body`` (which prints one JSON line) in a fresh interpreter; the parsed line."""
    proc = subprocess.run([sys.executable, "-c", PRELUDE + textwrap.dedent(body)], capture_output=True, text=True,
                          timeout=timeout)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def gone(pid: int, within: float = 10.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as handle:
                if handle.read().split(")")[-1].split()[0] == "Z":
                    return True  # ended, not yet reaped
        except FileNotFoundError:
            return True
        time.sleep(0.02)
    return False


def test_every_task_runs_once_in_an_initialised_worker_forked_by_the_server():
    out = run("""
        pool = ServerPool(server, 2, init, ("ready",))
        futures = [pool.submit(where, n) for n in range(40)]
        results = [f.result(timeout=60) for f in futures]
        pool.kill()
        print(json.dumps({"started": started, "server": server.pid, "me": os.getpid(), "results": results}))
    """)
    assert out["started"] is True
    results = out["results"]
    assert [r[0] for r in results] == list(range(40))  # each task's own result, in submission order
    workers = {r[1] for r in results}
    assert 1 <= len(workers) <= 2 and out["me"] not in workers and out["server"] not in workers
    assert {r[2] for r in results} == {out["server"]}  # forked by the server, not by the caller
    assert all(r[3] == ["ready"] for r in results)  # the initializer ran once in each worker
    # the server preloaded libcst for its workers, and never the command line
    assert all(r[4] == ["libcst"] for r in results)


def test_more_tasks_than_the_task_socket_holds_all_arrive():
    """Tasks the socket cannot take at once wait in the pool and go when there is room."""
    out = run("""
        pool = ServerPool(server, 2, init, ("x",))
        futures = [pool.submit(where, "p" * 3000 + str(n)) for n in range(3000)]
        ok = all(f.result(timeout=120)[0] == "p" * 3000 + str(n) for n, f in enumerate(futures))
        pool.kill()
        print(json.dumps({"ok": ok}))
    """, timeout=180)
    assert out["ok"] is True


def test_an_exception_in_a_task_reaches_its_future_and_the_pool_goes_on():
    out = run("""
        pool = ServerPool(server, 1, init, ("x",))
        error = pool.submit(fail, "bad input").exception(timeout=60)
        after = pool.submit(where, 7).result(timeout=60)[0]
        pool.kill()
        print(json.dumps({"error": [type(error).__name__, str(error)], "after": after}))
    """)
    assert out == {"error": ["ValueError", "bad input"], "after": 7}


def test_a_result_that_cannot_be_read_fails_its_task_only():
    out = run("""
        pool = ServerPool(server, 1, init, ("x",))
        error = pool.submit(picky).exception(timeout=60)
        after = pool.submit(where, 5).result(timeout=60)[0]
        pool.kill()
        print(json.dumps({"error": [type(error).__name__, str(error)], "after": after}))
    """)
    assert out["error"][0] == "RuntimeError" and "could not be read" in out["error"][1]
    assert out["after"] == 5


def test_a_worker_that_dies_breaks_the_pool():
    """As ProcessPoolExecutor: the task in flight and those after it fail (BrokenExecutor)."""
    out = run("""
        pool = ServerPool(server, 2, init, ("x",))
        first = pool.submit(die)
        try:
            first.result(timeout=60)
            outcome = "result"
        except BrokenExecutor:
            outcome = "broken"
        later = pool.submit(where, 1).exception(timeout=60)
        pool.kill()
        print(json.dumps({"outcome": outcome, "later": type(later).__name__}))
    """)
    assert out == {"outcome": "broken", "later": "BrokenServerPool"}


def test_a_failing_initializer_breaks_the_pool_instead_of_hanging():
    out = run("""
        pool = ServerPool(server, 2, fail, ("no",))
        error = pool.submit(where, 1).exception(timeout=60)
        pool.kill()
        print(json.dumps({"error": type(error).__name__}))
    """)
    assert out == {"error": "BrokenServerPool"}


def test_kill_ends_a_busy_worker_at_once():
    out = run("""
        pool = ServerPool(server, 1, init, ("x",))
        pid = pool.submit(nap, 0).result(timeout=60)
        busy = pool.submit(nap, 60)
        time.sleep(0.2)
        began = time.monotonic()
        pool.kill()
        print(json.dumps({"pid": pid, "took": time.monotonic() - began, "cancelled": busy.cancelled()}))
    """)
    assert out["took"] < 5 and out["cancelled"] is True
    assert gone(out["pid"])


def test_the_server_and_its_workers_end_with_the_calling_process():
    out = run("""
        pool = ServerPool(server, 2, init, ("x",))
        pids = sorted({f.result(timeout=60)[1] for f in [pool.submit(where, n) for n in range(8)]})
        print(json.dumps({"server": server.pid, "workers": pids}))
    """)  # exits without stopping anything
    assert gone(out["server"])
    assert all(gone(pid) for pid in out["workers"])


def test_no_server_while_another_thread_runs():
    code = ("import threading, json\nevent = threading.Event()\n"
            "threading.Thread(target=event.wait, daemon=True).start()\n"
            "from cachelint import worker_server\n"
            "print(json.dumps([worker_server.start(), worker_server.running() is None]))\nevent.set()\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert json.loads(proc.stdout) == [False, True]


def test_the_server_holds_neither_standard_input_nor_output():
    """A pipe's reader sees the end of the output when the command exits, whatever the server does then."""
    out = run("""
        pool = ServerPool(server, 1, init, ("x",))
        worker = pool.submit(where, 0).result(timeout=60)[1]
        links = {pid: [os.readlink(f"/proc/{pid}/fd/{fd}") for fd in (0, 1)] for pid in (server.pid, worker)}
        pool.kill()
        print(json.dumps({"links": links}))
    """)
    for pid, (stdin, stdout) in out["links"].items():
        assert stdin == stdout == os.devnull, (pid, stdin, stdout)


def test_the_command_still_lints_in_parallel_with_the_server(tmp_path):
    """End to end: the pool's workers lint, and the output equals a serial run's."""
    for index in range(12):
        (tmp_path / f"m{index}.py").write_text(
            "import functools\n\n\n@functools.lru_cache(maxsize=None)\n"
            f"def render_{index}(job_id, prompt):\n    return prompt\n", encoding="utf-8")
    command = [sys.executable, "-m", "cachelint", "--no-cache", "--format", "json", "."]
    parallel = subprocess.run(command + ["--jobs", "2"], cwd=tmp_path, capture_output=True, timeout=120)
    serial = subprocess.run(command + ["--jobs", "1"], cwd=tmp_path, capture_output=True, timeout=120)
    assert parallel.returncode == serial.returncode == 1, parallel.stderr[-2000:]
    assert parallel.stdout == serial.stdout and parallel.stderr == serial.stderr == b""
    assert parallel.stdout.count(b'"CL101"') == 12


def test_kill_from_an_exit_path_inside_the_pools_own_code_does_not_hang():
    """Ctrl-C's exit path may run while this thread holds the pool's lock (a KeyboardInterrupt
    in a finalizer during submit): the workers still die and kill returns."""
    out = run("""
        pool = ServerPool(server, 1, init, ("x",))
        pid = pool.submit(nap, 0).result(timeout=60)
        began = time.monotonic()
        with pool._lock:
            pool.kill()
        print(json.dumps({"pid": pid, "took": time.monotonic() - began}))
    """)
    assert out["took"] < 5
    assert gone(out["pid"])


def test_a_pool_for_a_server_that_is_gone_raises_and_keeps_no_descriptor():
    out = run("""
        import socket
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        theirs.close()
        dead = worker_server.Server(-1, ours)
        before = len(os.listdir("/proc/self/fd"))
        errors = set()
        for _ in range(20):
            try:
                ServerPool(dead, 3, init, ("x",))
            except OSError as exc:
                errors.add(type(exc).__name__)
        print(json.dumps({"errors": sorted(errors), "leaked": len(os.listdir("/proc/self/fd")) - before}))
    """)
    assert out == {"errors": ["BrokenPipeError"], "leaked": 0}


def test_a_busy_worker_and_the_server_die_with_a_killed_command():
    """SIGKILL leaves the command no chance to stop anything: the server and a worker in the
    middle of a long file must not run on (PR_SET_PDEATHSIG)."""
    body = textwrap.dedent("""
        pool = ServerPool(server, 1, init, ("x",))
        worker = pool.submit(where, 0).result(timeout=60)[1]
        pool.submit(nap, 120)
        time.sleep(0.3)
        print(json.dumps({"server": server.pid, "worker": worker}), flush=True)
        time.sleep(120)
    """)
    proc = subprocess.Popen([sys.executable, "-c", PRELUDE + body], stdout=subprocess.PIPE, text=True)
    try:
        out = json.loads(proc.stdout.readline())
    finally:
        proc.kill()
        proc.wait(timeout=30)
    assert gone(out["server"], within=5) and gone(out["worker"], within=5)

"""Ctrl-C: the command stops promptly with status 130, no traceback, no live workers, and a
result cache left behind by the interrupted run does not change what the next run reports.

The command runs in its own session so that the test can do what a terminal does on
Ctrl-C: send SIGINT to the whole process group (the parent and its worker processes).
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import List

import pytest

pytestmark = pytest.mark.skipif(not os.path.isdir("/proc") or sys.platform == "win32",
                                reason="needs POSIX signals and /proc")

FILES = 240
SOURCE = '''\
import functools


@functools.lru_cache
def load_{i}(job_id, region):
    """Results are shared across jobs."""
    return region
''' + "".join(f'''

def helper_{{i}}_{k}(a, b):
    return [x for x in range(a) if x and b]
''' for k in range(10))


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("interrupt")
    (root / "pkg").mkdir()
    for i in range(FILES):
        (root / "pkg" / f"m{i:03d}.py").write_text(SOURCE.format(i=i), encoding="utf-8")
    return root


def start(root: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "cachelint", "--format", "json", *args, "pkg"], cwd=str(root),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)


def children(pid: int) -> List[int]:
    """Every living descendant of ``pid``: the fork server's workers are its grandchildren."""
    parents = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z":
            parents[int(entry)] = int(fields[1])
    out: List[int] = []
    frontier = [pid]
    while frontier:
        found = [child for child, parent in parents.items() if parent in frontier]
        out.extend(found)
        frontier = found
    return out


def alive(pid: int) -> bool:
    """Running (a zombie waiting for init to reap it is dead)."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def cache_entries(root: Path) -> int:
    return sum(len(names) for _, _, names in os.walk(root / ".cachelint_cache"))


def wait_until_busy(proc: subprocess.Popen, root: Path, jobs: int, cached: bool) -> List[int]:
    """Wait until the run is linting (workers up, some results written); return the workers."""
    deadline = time.monotonic() + 60
    workers: List[int] = []
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.skip("the run finished before it could be interrupted (machine too fast for this workload)")
        workers = children(proc.pid)
        if (jobs == 1 or len(workers) >= jobs) and (not cached or cache_entries(root) >= 5):
            if not cached:
                time.sleep(0.5)  # let the workers get going
            return workers
        time.sleep(0.02)
    raise AssertionError("the run never got busy")


def interrupt(proc: subprocess.Popen, whole_group: bool) -> float:
    started = time.monotonic()
    if whole_group:
        os.killpg(proc.pid, signal.SIGINT)
    else:
        proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        raise AssertionError("still running 10 s after Ctrl-C")
    return time.monotonic() - started


def assert_stopped_cleanly(proc: subprocess.Popen, took: float, workers: List[int]) -> None:
    stdout, stderr = proc.communicate()
    text = stderr.decode("utf-8", "replace")
    assert proc.returncode == 130, (proc.returncode, text[-2000:])
    assert took < 5, took
    assert "Traceback" not in text and "KeyboardInterrupt" not in text, text[-2000:]
    assert "interrupted" in text
    deadline = time.monotonic() + 5
    while any(alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [w for w in workers if alive(w)], "worker processes outlived the command"


@pytest.mark.parametrize("jobs, whole_group", [(2, True), (2, False), (1, True)],
                         ids=["jobs2-ctrl-c", "jobs2-parent-only", "serial-ctrl-c"])
def test_ctrl_c_exits_130_promptly(project, jobs, whole_group):
    proc = start(project, "--no-cache", "--jobs", str(jobs))
    workers = wait_until_busy(proc, project, jobs, cached=False)
    took = interrupt(proc, whole_group)
    assert_stopped_cleanly(proc, took, workers)


def test_interrupted_run_leaves_a_cache_that_changes_nothing(project):
    assert "--no-cache" in subprocess.run([sys.executable, "-m", "cachelint", "--help"], capture_output=True,
                                          text=True).stdout
    proc = start(project, "--jobs", "2")
    workers = wait_until_busy(proc, project, 2, cached=True)
    took = interrupt(proc, whole_group=True)
    assert_stopped_cleanly(proc, took, workers)
    partial = cache_entries(project)
    assert partial > 0

    again = subprocess.run([sys.executable, "-m", "cachelint", "--format", "json", "--jobs", "2", "pkg"],
                           cwd=str(project), capture_output=True, timeout=300)
    fresh = subprocess.run([sys.executable, "-m", "cachelint", "--format", "json", "--jobs", "2", "--no-cache", "pkg"],
                           cwd=str(project), capture_output=True, timeout=300)
    assert fresh.returncode == again.returncode == 1, (fresh.stderr[-2000:], again.stderr[-2000:])
    assert again.stdout == fresh.stdout
    assert again.stderr == fresh.stderr == b""
    assert fresh.stdout.count(b'"code": "CL101"') == FILES


@pytest.mark.parametrize("delay", [0.0, 0.05, 0.15, 0.3])
def test_ctrl_c_while_workers_start_prints_nothing_but_the_notice(project, delay):
    """Early Ctrl-C reaches every process of the group while the worker processes (or the
    fork server that makes them) are still importing libcst: none may print a traceback.
    ``delay`` counts from the first child process, so the command itself is past its imports."""
    proc = start(project, "--no-cache", "--jobs", "2")
    deadline = time.monotonic() + 30
    while not children(proc.pid) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.002)
    time.sleep(delay)
    if proc.poll() is not None:
        pytest.skip("the run finished before it could be interrupted")
    workers = children(proc.pid)
    took = interrupt(proc, whole_group=True)
    stdout, stderr = proc.communicate()
    text = stderr.decode("utf-8", "replace")
    assert proc.returncode == 130, (proc.returncode, text[-2000:])
    assert took < 5, took
    assert text == "cachelint: interrupted\n", text[-3000:]
    deadline = time.monotonic() + 5
    while any(alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [w for w in workers if alive(w)], "processes outlived the command"


def test_the_notice_is_written_even_when_the_pools_module_is_half_imported():
    """Ctrl-C while cachelint.parallel is being imported: no stop_all yet, still one notice and 130."""
    code = ("import sys, types\n"
            "sys.modules['cachelint.parallel'] = types.ModuleType('cachelint.parallel')\n"
            "from cachelint.interrupt import exit_interrupted\n"
            "exit_interrupted()\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert (proc.returncode, proc.stderr) == (130, "cachelint: interrupted\n")


def test_an_interrupt_python_cannot_raise_still_exits_130():
    """A KeyboardInterrupt raised in a weakref callback (an import lock's cleanup, say) is
    dropped by Python with "Exception ignored"; the command exits as for any Ctrl-C."""
    code = (
        "import weakref\n"
        "from cachelint.interrupt import install_handler\n"
        "install_handler()\n"
        "class Thing:\n"
        "    pass\n"
        "def callback(ref):\n"
        "    raise KeyboardInterrupt\n"
        "thing = Thing()\n"
        "ref = weakref.ref(thing, callback)\n"
        "del thing\n"
        "print('went on')\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 130, proc.stderr
    assert proc.stdout == ""
    assert proc.stderr == "cachelint: interrupted\n"

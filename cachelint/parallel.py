"""Linting many files with worker processes (``--jobs N``).

:func:`run` is :func:`cachelint.engine.run` spread over a process pool: the files are
discovered once, split into chunks in input order, and each chunk is linted in a worker
that keeps one :class:`~cachelint.engine.Linter` for its whole life (fixed costs are paid
once per worker, not per file). Results come back in the same order as a serial run.
What the serial run prepares before linting (the project index of home-made decorators,
the result cache) is prepared once here and handed to every worker.

A run stays serial (plain :func:`cachelint.engine.run`) when ``jobs`` is 1 or when there
are fewer than :data:`MIN_PARALLEL_FILES` files: starting processes costs more than it saves.

Workers ignore SIGINT; on Ctrl-C the parent stops the workers at once and re-raises
``KeyboardInterrupt`` for the command line to turn into exit code 130. A worker that dies
(a native crash of the parser) does not stop the run: the files that were in flight are
linted again one by one, each in its own process, and a file that kills its process again
becomes a CL001 diagnostic.
"""
from __future__ import annotations

import math
import os
import signal
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Iterator, List, Optional, Sequence, Tuple

from .engine import Linter, discover, lint_found, prepare
from .models import Diagnostic

#: Fewer files than this are linted in the calling process.
MIN_PARALLEL_FILES = 8
#: Upper bound on files per task: small enough to balance, large enough to amortise.
MAX_CHUNK = 64

_Item = Tuple[str, str]  # (absolute path, displayed path)

_worker_linter: Optional[Linter] = None
#: Pools of this process still running, so an emergency exit can stop their workers.
_active: List[ProcessPoolExecutor] = []


def effective_jobs(jobs: int) -> int:
    """``jobs`` itself when positive; otherwise the number of CPUs this process may use."""
    if jobs and jobs > 0:
        return jobs
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def chunks(items: Sequence[_Item], jobs: int) -> List[List[_Item]]:
    """Split ``items`` in order into about four chunks per worker (at most :data:`MAX_CHUNK` each)."""
    size = max(1, min(MAX_CHUNK, math.ceil(len(items) / (jobs * 4))))
    return [list(items[i:i + size]) for i in range(0, len(items), size)]


def _init_worker(settings, index, cache=None) -> None:
    global _worker_linter
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides what Ctrl-C does
    _worker_linter = Linter(settings)
    if cache is not None:
        _worker_linter.use_cache(cache)
    if index is not None:
        _worker_linter.set_project_index(index)


def _lint_chunk(items: Sequence[_Item]) -> Tuple[List[Diagnostic], List[str]]:
    linter = _worker_linter
    assert linter is not None, "worker not initialised"
    before = len(linter.internal_errors)
    out: List[Diagnostic] = []
    for abs_path, shown in items:
        out.extend(linter.lint_file(abs_path, shown))
    return out, linter.internal_errors[before:]


def _stop(pool: ProcessPoolExecutor) -> None:
    """Stop ``pool`` now: cancel what has not started and kill the workers."""
    for proc in list((getattr(pool, "_processes", None) or {}).values()):
        if proc.is_alive():
            proc.terminate()
    pool.shutdown(wait=False, cancel_futures=True)


def stop_all() -> None:
    """Kill the workers of every pool still running (used when exiting on Ctrl-C)."""
    for pool in list(_active):
        _stop(pool)


def _crashed(linter: Linter, item: _Item) -> List[Diagnostic]:
    shown = item[1]
    return linter._finish(
        [linter._file_error("CL001", shown, "the parser crashed the process that read this file (a stack overflow "
                                             "in native code, usually from extremely deep nesting)")],
        shown, "",
    )


class _Isolated:
    """Lints files one at a time in a spare worker process; a crash becomes CL001.

    The worker is replaced only when a file kills it: a new process (imports, rules) costs
    about a second, and after a crash every file of the unfinished chunks comes here.
    """

    def __init__(self, linter: Linter, index) -> None:
        self.linter = linter
        self.index = index
        self.pool: Optional[ProcessPoolExecutor] = None

    def lint(self, item: _Item) -> List[Diagnostic]:
        linter = self.linter
        if self.pool is None:
            self.pool = ProcessPoolExecutor(max_workers=1, initializer=_init_worker,
                                            initargs=(linter.settings, self.index, getattr(linter, "cache", None)))
            _active.append(self.pool)
        try:
            diagnostics, internal = self.pool.submit(_lint_chunk, [item]).result()
        except BrokenProcessPool:
            self.close()
            return _crashed(linter, item)
        linter.internal_errors.extend(internal)
        return diagnostics

    def close(self, kill: bool = False) -> None:
        pool, self.pool = self.pool, None
        if pool is not None:
            if kill:
                _stop(pool)
            else:
                pool.shutdown(wait=True)
            _active.remove(pool)


def run(linter: Linter, paths: Sequence[str], jobs: Optional[int] = None) -> Iterator[Diagnostic]:
    """Yield the diagnostics of every file under ``paths``, like :func:`cachelint.engine.run`.

    ``jobs`` defaults to ``linter.settings.jobs`` (0 = one worker per CPU). Diagnostics of
    one file are never interleaved with another's and files come in discovery order.
    Internal errors of workers are appended to ``linter.internal_errors``.
    """
    s = linter.settings
    workers = effective_jobs(getattr(s, "jobs", 0) if jobs is None else jobs)
    found, errors = discover(linter, paths)
    yield from errors
    index = prepare(linter, found)
    if workers <= 1 or len(found) < MIN_PARALLEL_FILES:
        yield from lint_found(linter, found)
        return
    parts = chunks([(f.abs_path, f.path) for f in found], workers)
    pool = ProcessPoolExecutor(max_workers=min(workers, len(parts)), initializer=_init_worker,
                               initargs=(s, index, getattr(linter, "cache", None)))
    finished = False
    isolated = _Isolated(linter, index)
    _active.append(pool)
    try:
        futures: List[Future] = [pool.submit(_lint_chunk, part) for part in parts]
        broken = False
        for part, future in zip(parts, futures):
            if not broken:
                try:
                    diagnostics, internal = future.result()
                except BrokenProcessPool:
                    broken = True
            if broken:
                if future.done() and not future.cancelled() and future.exception() is None:
                    diagnostics, internal = future.result()
                else:
                    for item in part:
                        yield from isolated.lint(item)
                    continue
            linter.internal_errors.extend(internal)
            yield from diagnostics
        finished = True
    finally:
        if finished:
            pool.shutdown(wait=True)
        else:  # Ctrl-C, an error, or the caller stopped iterating
            _stop(pool)
        isolated.close(kill=not finished)
        _active.remove(pool)


__all__ = ["run", "stop_all", "effective_jobs", "chunks", "MIN_PARALLEL_FILES"]

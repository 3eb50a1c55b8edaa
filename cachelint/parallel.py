"""Linting many files with worker processes (``--jobs N``).

:func:`run` is :func:`cachelint.engine.run` spread over a process pool
(:func:`screened_run`): this process reads every file once and applies the byte screens;
the few files that can hold a cache go to the workers as soon as they are found, and
results come back in discovery order, as a serial run gives them. Workers keep one
:class:`~cachelint.engine.Linter` for their whole life. They are forked from this
process and import libcst and the rules while it screens, or, when the command line
started one (:mod:`cachelint.worker_server`), from a fork server that imported them once.

A run stays serial (plain :func:`cachelint.engine.run`) when ``jobs`` is 1 or when there
are fewer than :data:`MIN_PARALLEL_FILES` files: starting processes costs more than it saves.
:func:`lint_items` is the other pool: chunks of files in input order, also used by
:mod:`cachelint.incremental` to lint files and record their manifest entries.

Workers ignore SIGINT; on Ctrl-C the parent stops the workers at once and re-raises
``KeyboardInterrupt`` for the command line to turn into exit code 130. A worker that dies
(a native crash of the parser) does not stop the run: the files that were in flight are
linted again one by one, each in its own process, and a file that kills its process again
becomes a CL001 diagnostic.
"""
from __future__ import annotations

import math
import signal
from concurrent.futures import BrokenExecutor, Future
from typing import TYPE_CHECKING, Dict, Iterator, List, Optional, Sequence, Tuple, Union

from . import files, worker_server
from .engine import Linter, discover, lint_found, prepare
from .worker_server import MIN_PARALLEL_FILES, effective_jobs, pool_likely
from .models import Diagnostic
from .server_pool import ServerPool

if TYPE_CHECKING:  # multiprocessing (15 ms to import) only where a pool is forked from this process
    from concurrent.futures import ProcessPoolExecutor

#: Upper bound on files per task: small enough to balance, large enough to amortise.
MAX_CHUNK = 64

_Item = Tuple[str, str]  # (absolute path, displayed path)

_worker_linter: Optional[Linter] = None
#: Pools of this process still running, so an emergency exit can stop their workers.
_active: List[Union["ProcessPoolExecutor", ServerPool]] = []


def pool_size(linter: Linter, found: Sequence, jobs: Optional[int] = None) -> int:
    """Worker processes for linting ``found``: ``jobs`` (default ``linter.settings.jobs``,
    0 = one per CPU), but 1 (this process) for fewer than :data:`MIN_PARALLEL_FILES` files,
    and no more than the open-file limit allows (:func:`descriptor_cap`)."""
    if len(found) < MIN_PARALLEL_FILES:
        return 1
    return min(effective_jobs(getattr(linter.settings, "jobs", 0) if jobs is None else jobs), descriptor_cap())


#: Open files a run needs besides its workers': standard streams, the file being read, the
#: pool's sockets, the result cache, the interpreter's own.
_BASE_DESCRIPTORS = 64
#: Open files per worker process in the calling process (pipes, sentinels), with room to spare.
_DESCRIPTORS_PER_WORKER = 8


def descriptor_cap() -> int:
    """How many workers this process's open-file limit (``RLIMIT_NOFILE``) leaves room for; at least 1.

    A pool that runs out of descriptors while it starts its processes cannot be stopped
    cleanly (``ulimit -n 40`` with ``--jobs 64`` printed a traceback and hung): a run
    with a low limit uses fewer workers instead, down to linting in this process.
    """
    try:
        import resource

        soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    except (ImportError, OSError, ValueError):  # no such limit here (Windows)
        return 1 << 16
    if soft == resource.RLIM_INFINITY:
        return 1 << 16
    return max(1, (soft - _BASE_DESCRIPTORS) // _DESCRIPTORS_PER_WORKER)


def chunks(items: Sequence[_Item], jobs: int) -> List[List[_Item]]:
    """Split ``items`` in order into about four chunks per worker (at most :data:`MAX_CHUNK` each)."""
    size = max(1, min(MAX_CHUNK, math.ceil(len(items) / (jobs * 4))))
    return [list(items[i:i + size]) for i in range(0, len(items), size)]


def _init_worker(settings, index, cache=None, warm: bool = False) -> None:
    global _worker_linter
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides what Ctrl-C does
    files.keep_large_reads_off_the_heap()
    _worker_linter = Linter(settings)
    if cache is not None:
        _worker_linter.use_cache(cache)
    if index is not None:
        _worker_linter.set_project_index(index)
    if warm:  # import libcst, the rules and the library models now, while the parent screens
        from .engine import import_linting_modules

        import_linting_modules()  # a worker is cachelint's own process: frozen, too
        _worker_linter.rules
        _worker_linter.declared
        # and pay the first-use costs (lazy imports, compiled patterns) on a throwaway linter
        from .claims import compile_phrasings

        compile_phrasings()
        Linter(settings).lint_source(_WARM_UP, "<warm-up>")


#: A small module that takes a file through every stage of linting (see :func:`_init_worker`).
_WARM_UP = (
    "import functools\n\n\n"
    "# the prompt alone decides the result\n"
    "@functools.lru_cache(maxsize=None)\n"
    "def render(job_id, prompt):\n"
    "    \"\"\"Render the prompt. The job ID is not part of the cache key.\"\"\"\n"
    "    return prompt.upper()  # no network\n\n\n"
    "def main():\n"
    "    return render('1', 'a')\n"
)


def _ready() -> None:
    """A task that starts a worker (the pool starts one process per task submitted)."""


def _lint_candidate(item: _Item) -> Tuple[List[Diagnostic], List[str]]:
    """Lint one file that passed the parent's screens (the project index came with the worker)."""
    linter = _worker_linter
    assert linter is not None, "worker not initialised"
    before = len(linter.internal_errors)
    return linter.lint_file(*item), linter.internal_errors[before:]


def _record_candidate(item: _Item) -> Tuple[object, List[str]]:
    """Like :func:`_lint_candidate`, giving the file's manifest record (see :mod:`cachelint.incremental`)."""
    records, internal = _record_chunk([item])
    return records[0], internal


def _lint_chunk(items: Sequence[_Item]) -> Tuple[List[List[Diagnostic]], List[str]]:
    linter = _worker_linter
    assert linter is not None, "worker not initialised"
    before = len(linter.internal_errors)
    out = [linter.lint_file(abs_path, shown) for abs_path, shown in items]
    return out, linter.internal_errors[before:]


def _record_chunk(items: Sequence[_Item]) -> Tuple[list, List[str]]:
    """Like :func:`_lint_chunk`, with each file's manifest record (see :mod:`cachelint.incremental`)."""
    from .incremental import lint_and_record

    linter = _worker_linter
    assert linter is not None, "worker not initialised"
    before = len(linter.internal_errors)
    out = [lint_and_record(linter, abs_path, shown) for abs_path, shown in items]
    return out, linter.internal_errors[before:]


def _pool(workers: int, settings, index, cache) -> Union["ProcessPoolExecutor", ServerPool]:
    """``workers`` processes for :func:`screened_run`, started now so their start overlaps the screening.

    From the fork server where one runs (ready to lint), or else forked from this process
    (each then imports libcst and the rules itself). Never raises for a server that cannot
    make the pool: the processes are then forked from here.
    """
    server = worker_server.running()
    if server is not None:
        try:
            return ServerPool(server, workers, _init_worker, (settings, index, cache, False))
        except OSError:
            pass
    from concurrent.futures import ProcessPoolExecutor

    pool = ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=(settings, index, cache, True))
    for _ in range(workers):
        pool.submit(_ready)
    return pool


def _stop(pool: Union["ProcessPoolExecutor", ServerPool]) -> None:
    """Stop ``pool`` now: cancel what has not started and kill the workers.

    A :class:`ServerPool` does all of it in :meth:`ServerPool.kill`. A ProcessPoolExecutor
    is then shut down waiting for its manager thread, which ends as soon as it
    sees the workers gone: shutting down without waiting leaves a wake-up pipe the
    interpreter writes to at exit after it was closed ("Bad file descriptor" on stderr).
    """
    if isinstance(pool, ServerPool):
        pool.kill()
        return
    for proc in list((getattr(pool, "_processes", None) or {}).values()):
        if proc.is_alive():
            proc.terminate()
    pool.shutdown(wait=True, cancel_futures=True)


def stop_all() -> None:
    """Kill the workers of every pool still running (used when exiting on Ctrl-C)."""
    for pool in list(_active):
        _stop(pool)


def _crashed(linter: Linter, item: _Item, per_file: bool = True) -> List[Diagnostic]:
    shown = item[1]
    return linter._finish(
        [linter._file_error("CL001", shown, "the parser crashed the process that read this file (a stack overflow "
                                             "in native code, usually from extremely deep nesting)")],
        shown, "", per_file=per_file,
    )


class _Isolated:
    """Lints files one at a time in a spare worker process; a crash becomes CL001.

    The worker is replaced only when a file kills it: a new process (imports, rules) costs
    about a second, and after a crash every file of the unfinished chunks comes here.
    """

    def __init__(self, linter: Linter, settings, index, record: bool = False) -> None:
        self.linter = linter
        self.settings = settings
        self.index = index
        self.record = record
        self.pool: Optional["ProcessPoolExecutor"] = None

    def lint(self, item: _Item):
        """The result of ``item`` as a worker gives it (see :func:`lint_items`)."""
        linter = self.linter
        if self.pool is None:
            from concurrent.futures import ProcessPoolExecutor

            self.pool = ProcessPoolExecutor(max_workers=1, initializer=_init_worker,
                                            initargs=(self.settings, self.index, getattr(linter, "cache", None)))
            _active.append(self.pool)
        before = None
        if self.record:
            from .manifest import signature

            before = signature(item[0])  # a crash record needs the signature from before any read
        try:
            results, internal = self.pool.submit(_record_chunk if self.record else _lint_chunk, [item]).result()
        except BrokenExecutor:
            self.close()
            if not self.record:
                return _crashed(linter, item)
            from .incremental import crash_record

            return crash_record(item[0], before, _crashed(linter, item, per_file=False))
        linter.internal_errors.extend(internal)
        return results[0]

    def close(self, kill: bool = False) -> None:
        pool, self.pool = self.pool, None
        if pool is not None:
            if kill:
                _stop(pool)
            else:
                pool.shutdown(wait=True)
            _active.remove(pool)


def lint_items(linter: Linter, items: Sequence[_Item], workers: int, index, settings=None,
               record: bool = False) -> Iterator:
    """Lint ``items`` (absolute path, displayed path) in a pool of ``workers`` processes.

    Yields one result per item, in order: the file's diagnostics (a list), or with
    ``record`` the ``(diagnostics before per-file ignores, manifest entry or None,
    dependency signatures)`` of :func:`cachelint.incremental.lint_and_record`. Workers
    lint with ``settings`` (default: the linter's) and the project ``index``; their
    internal errors are appended to ``linter.internal_errors``. On Ctrl-C, an error or
    when the caller stops iterating, the workers are killed.
    """
    settings = settings if settings is not None else linter.settings
    parts = chunks(items, workers)
    task = _record_chunk if record else _lint_chunk
    from concurrent.futures import ProcessPoolExecutor

    pool = ProcessPoolExecutor(max_workers=min(workers, len(parts)), initializer=_init_worker,
                               initargs=(settings, index, getattr(linter, "cache", None)))
    finished = False
    isolated = _Isolated(linter, settings, index, record)
    _active.append(pool)
    try:
        futures: List[Future] = [pool.submit(task, part) for part in parts]
        broken = False
        for part, future in zip(parts, futures):
            if not broken:
                try:
                    results, internal = future.result()
                except BrokenExecutor:
                    broken = True
            if broken:
                if future.done() and not future.cancelled() and future.exception() is None:
                    results, internal = future.result()
                else:
                    for item in part:
                        yield isolated.lint(item)
                    continue
            linter.internal_errors.extend(internal)
            yield from results
        finished = True
    finally:
        if finished:
            pool.shutdown(wait=True)
        else:  # Ctrl-C, an error, or the caller stopped iterating
            _stop(pool)
        isolated.close(kill=not finished)
        _active.remove(pool)


def screened_run(linter: Linter, found: Sequence[files.SourceFile], workers: int, record: bool = False,
                 settings=None, server: bool = False) -> Iterator:
    """Each file's diagnostics, in order: screened here, parsed in ``workers`` processes.

    Each file is read once here for the byte screens; a file that cannot hold a cache
    decorator is finished here (most files of a tree), and the others go to the workers
    as soon as they are found, one task each. The workers start before the screening so
    their imports (libcst, the rules) overlap it, and they look project decorators up in a
    :class:`~cachelint.project.ModuleFiles` made from the paths, which resolves a module
    the way pass one would have without waiting for it; with nothing to parse they are
    stopped unused. A worker that dies takes no result with it: its files are linted
    again one by one.

    With ``record`` (the result cache's first run, :mod:`cachelint.incremental`) each file
    gives its :data:`cachelint.incremental.Record` instead, linted with ``settings``
    (default: the linter's). With ``server``, workers come from
    :func:`cachelint.worker_server.start` where that is safe.
    """
    from .project import module_files

    settings = settings if settings is not None else linter.settings
    screener = linter if settings is linter.settings else Linter(settings, prefilter=linter.prefilter,
                                                                  reduce=linter.reduce)
    if record:
        from .incremental import record_of
        from .manifest import signature
    if server:
        worker_server.start()  # its imports overlap the screening
    index = module_files(found) if len(found) > 1 else None
    cache = getattr(linter, "cache", None)
    pool = _pool(workers, settings, index, cache)
    _active.append(pool)
    finished = False
    isolated: Optional[_Isolated] = None
    task = _record_candidate if record else _lint_candidate
    try:
        results: list = []
        futures: Dict[int, Future] = {}
        for position, source in enumerate(found):
            sig = signature(source.abs_path) if record else None  # taken before the read, as a worker would
            data = files.read_source(source.abs_path)
            result = screener.screen_data(data, source.path)
            if result is not None and record:
                result = record_of(cache, sig, data, source.path, result, {})
            results.append(result)
            if result is None:
                try:
                    futures[position] = pool.submit(task, (source.abs_path, source.path))
                except BrokenExecutor:  # linted on its own below
                    pass
        for position, result in enumerate(results):
            if result is not None:
                yield result
                continue
            try:
                if position not in futures:
                    raise BrokenExecutor("the task could not be submitted")
                outcome, internal = futures[position].result()
            except BrokenExecutor:
                if isolated is None:
                    isolated = _Isolated(linter, settings, index, record)
                yield isolated.lint((found[position].abs_path, found[position].path))
                continue
            linter.internal_errors.extend(internal)
            yield outcome
        finished = True
    finally:
        _stop(pool)  # nothing is left to wait for (or Ctrl-C, an error, the caller stopped)
        if isolated is not None:
            isolated.close(kill=not finished)
        _active.remove(pool)


def run(linter: Linter, paths: Sequence[str], jobs: Optional[int] = None,
        server: bool = False) -> Iterator[Diagnostic]:
    """Yield the diagnostics of every file under ``paths``, like :func:`cachelint.engine.run`.

    ``jobs`` defaults to ``linter.settings.jobs`` (0 = one worker per CPU). Diagnostics of
    one file are never interleaved with another's and files come in discovery order.
    Internal errors of workers are appended to ``linter.internal_errors``. With ``server``
    (the command line's choice), workers come from :func:`cachelint.worker_server.start`
    where that is safe.
    """
    if server and worker_server.running() is None \
            and pool_likely(paths, getattr(linter.settings, "jobs", 0) if jobs is None else jobs):
        worker_server.start()  # now, so its imports overlap the discovery (the command line starts it sooner)
    found, errors = discover(linter, paths)
    yield from errors
    workers = pool_size(linter, found, jobs)
    if workers <= 1:
        prepare(linter, found)
        yield from lint_found(linter, found)
        return
    for diagnostics in screened_run(linter, found, workers, server=server):
        yield from diagnostics


__all__ = ["run", "lint_items", "screened_run", "stop_all", "effective_jobs", "pool_size", "descriptor_cap", "chunks",
           "MIN_PARALLEL_FILES"]

"""Runs with the result cache: the stat manifest decides what needs linting at all.

:func:`run` is what the command line calls for files and directories when the result
cache is on. It discovers the files, stats each one and compares with the manifest of
the previous run with the same key (:mod:`cachelint.manifest`):

* every file unchanged, the same set of files, the same package layout and the same
  dependency modules: the stored diagnostics are emitted (re-pathed, per-file ignores
  applied) without reading any file, without building the project index and without
  importing libcst;
* a file changed, new or removed that passed the pass-one decorator screen before or
  after (it can change the project index), a package layout that changed, or no usable
  manifest: the normal run (:func:`cachelint.engine.prepare`, then every file through
  the linter and the result cache), recording a new manifest;
* otherwise the project index is built as usual and only the changed and new files and
  the files whose recorded decorator modules changed are linted again; the rest is reused.

A file whose signature changed but whose size did not, or whose entry is racy, is read
and compared by content first: a file touched without change stays unchanged.

Diagnostics are the same as a ``--no-cache`` run's, in discovery order. The manifest is
rewritten at the end of a run that finished without internal errors (not after Ctrl-C,
an error, or a caller that stopped iterating); a file that could not be read gets no
entry, so it is read again next time.
"""
from __future__ import annotations

import contextlib
import gc
import os
from typing import Dict, Iterator, List, Optional, Sequence, Set, Tuple

from . import files
from .engine import Linter, discover, prepare
from .manifest import MISSING, DepSignature, Entry, Manifest, Signature, has_init, package_dirs, run_key, signature
from .models import Diagnostic
from .result_cache import diagnostic_from_json, diagnostic_to_json, sha

#: What :func:`lint_and_record` gives per file: diagnostics before per-file ignores, the
#: manifest entry (None when nothing may be stored) and dependency path -> signature.
Record = Tuple[List[Diagnostic], Optional[Entry], Dict[str, DepSignature]]


def run(linter: Linter, paths: Sequence[str], jobs: Optional[int] = None, server: bool = False) -> Iterator[Diagnostic]:
    """Yield the diagnostics of every file under ``paths`` (see the module docstring).

    Without a result cache on ``linter`` this is :func:`cachelint.parallel.run`. ``jobs``
    defaults to ``linter.settings.jobs``. ``server`` lets a run that lints every file in
    worker processes take them from :mod:`cachelint.worker_server`.
    """
    if linter.cache is None:
        from .parallel import run as uncached

        yield from uncached(linter, paths, jobs, server=server)
        return
    cache = linter.cache
    with _collector_paused():  # thousands of short-lived objects and no cycles: nothing to collect
        previous = Manifest.load(cache.root, run_key(cache.settings_key, os.getcwd(), paths))
        files.import_translations(previous.patterns)  # the walk's patterns without importing pathspec
        found, errors = discover(linter, paths)
        plan = _Plan(linter, found, previous)
        output = list(plan.reused_output()) if plan.reused is not None and not plan.dirty else None
    yield from errors
    if output is not None:
        yield from output
        if plan.rewrite or files.learned_translations():
            _save(previous, plan.entries, plan.inits, plan.dep_signatures, found)
        return
    errors_before = len(linter.internal_errors)
    from .parallel import pool_size

    workers = pool_size(linter, found, jobs)
    screened = plan.reused is None and workers > 1
    if plan.reused is None:
        index = None if screened else prepare(linter, found)  # a screened run resolves modules lazily
        entries: Dict[str, Entry] = {}
        reused: Dict[str, List[Diagnostic]] = {}
    else:
        # no file that can define a decorator changed: the index is the one the reused
        # results were computed with (not needed when all to lint again are unreadable)
        index = prepare(linter, found) if plan.needs_index else None
        entries = {p: e for p, e in plan.entries.items() if p not in plan.dirty}
        reused = plan.reused
    dep_signatures = dict(plan.dep_signatures)
    conflicts: Set[str] = set()
    if screened:
        from .parallel import screened_run

        results = screened_run(linter, found, workers, record=True,
                               settings=_record_settings(linter), server=server)
    else:
        results = _lint(linter, [f for f in found if f.abs_path not in reused], index, jobs)
    for source_file in found:
        path = source_file.abs_path
        if path in reused:
            yield from linter._path_filter(reused[path], source_file.path)
            continue
        diagnostics, entry, deps = next(results)
        yield from linter._path_filter(diagnostics, source_file.path)
        if entry is not None and entry.signature == plan.signatures.get(path):  # unchanged while it was linted
            entries[path] = entry
        for dep, sig in deps.items():
            if dep in dep_signatures and dep_signatures[dep] != sig:
                conflicts.add(dep)
            dep_signatures[dep] = sig
    for dep in conflicts:
        dep_signatures[dep] = None  # read by different processes at different times: compare content next time
    if len(linter.internal_errors) == errors_before:
        _save(previous, entries, plan.inits, dep_signatures, found)


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector (if it runs) for the block; nothing is linted in it."""
    running = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if running:
            gc.enable()


class _Plan:
    """What the previous manifest leaves to do for ``found`` (computed before anything is linted).

    Attributes:
        signatures: absolute path -> signature now (None: not a readable regular file).
        reused: path -> stored diagnostics (before per-file ignores) of the files that need
            no linting, or None when everything must be linted (the normal run).
        dirty: paths to lint again (empty when ``reused`` covers every file).
        entries: path -> entry of every file found unchanged.
        rewrite: the manifest is worth rewriting even when nothing is linted (files were
            removed, or entries were confirmed by content: racy or touched files).
        dep_signatures: signatures of the dependency modules outside the run, as checked.
        inits: :func:`cachelint.manifest.package_dirs` of ``found``.
        needs_index: some file of ``dirty`` is readable (it may be parsed).
    """

    def __init__(self, linter: Linter, found: Sequence[files.SourceFile], previous: Manifest):
        self.linter = linter
        self.found = found
        self.signatures: Dict[str, Optional[Signature]] = {f.abs_path: signature(f.abs_path) for f in found}
        self.reused: Optional[Dict[str, List[Diagnostic]]] = None
        self.dirty: Set[str] = set()
        self.entries: Dict[str, Entry] = {}
        self.rewrite = False
        self.dep_signatures: Dict[str, DepSignature] = {}
        self.inits: Dict[str, bool] = previous.inits
        self.needs_index = False
        if not (previous.loaded and self._compare(previous)):
            self._lint_everything()

    def _lint_everything(self) -> None:
        self.reused, self.dirty, self.entries, self.dep_signatures = None, set(), {}, {}
        self.inits = package_dirs(f.abs_path for f in self.found)

    def _compare(self, previous: Manifest) -> bool:
        """Fill the plan from ``previous``; False when the normal run is needed."""
        if any(has_init(directory) != value for directory, value in previous.inits.items()):
            return False  # module names (and the index's qualified names) changed
        if previous.indexed != (len(self.found) > 1):
            return False  # the index is built for several files only
        current = {f.abs_path for f in self.found}
        changed: List[str] = []
        new: List[str] = []
        data: Dict[str, object] = {}
        for source_file in self.found:
            path = source_file.abs_path
            entry = previous.files.get(path)
            sig = self.signatures[path]
            if entry is None:
                new.append(path)
                continue
            if sig is not None and entry.signature == sig and not previous.is_racy(sig):
                self.entries[path] = entry
                continue
            if sig is not None and sig[1] == entry.size:  # touched, or racy: compare the content
                read = data[path] = files.read_source(path)
                if not isinstance(read, files.ReadError) and sha(read) == entry.digest:
                    self.entries[path] = entry._replace(mtime_ns=sig[0], size=sig[1], ino=sig[2])
                    self.rewrite = True
                    continue
            changed.append(path)
        removed = [path for path in previous.files if path not in current]
        if any(previous.files[p].screened for p in changed + removed):
            return False  # the project index may change
        if changed or new:
            from .project import may_define_cache

            for path in changed + new:
                if path not in data:
                    data[path] = files.read_source(path)
                read = data[path]
                if not isinstance(read, files.ReadError) and may_define_cache(read):
                    return False  # the project index may change
        if changed or new or removed:
            self.inits = package_dirs(current)
            self.rewrite = True
        touched = set(changed) | set(new) | set(removed)
        modules = self._check_dependencies(previous, current)
        self.dirty = set(changed) | set(new)
        for path, entry in self.entries.items():
            for dep, digest in entry.deps:
                if dep in touched or (dep not in current and modules.get(dep, digest) != digest):
                    self.dirty.add(path)
                    break
        reused: Dict[str, List[Diagnostic]] = {}
        try:
            for source_file in self.found:
                if source_file.abs_path not in self.dirty:
                    entry = self.entries[source_file.abs_path]
                    reused[source_file.abs_path] = [diagnostic_from_json(d, source_file.path) for d in entry.diagnostics]
        except (TypeError, KeyError, ValueError):
            return False  # a malformed stored diagnostic
        self.needs_index = any(not isinstance(data.get(p), files.ReadError) for p in self.dirty)
        self.reused = reused
        return True

    def _check_dependencies(self, previous: Manifest, current: Set[str]) -> Dict[str, str]:
        """Check the dependency modules outside the run; return path -> digest now of those read.

        A module whose signature is unchanged (and not racy), or that is still missing,
        is not read; the others are hashed through the result cache, and their dependents
        compare digests.
        """
        cache = self.linter.cache
        wanted = {dep for entry in self.entries.values() for dep, _ in entry.deps if dep not in current}
        digests: Dict[str, str] = {}
        for dep in sorted(wanted):
            recorded = previous.deps.get(dep)
            sig = signature(dep)
            if recorded == MISSING and sig is None:
                self.dep_signatures[dep] = MISSING
                continue
            if isinstance(recorded, tuple) and sig == recorded and not previous.is_racy(recorded):
                self.dep_signatures[dep] = sig
                continue
            digests[dep] = cache.file_digest(dep)
            self.dep_signatures[dep] = cache.signatures.get(dep) or MISSING
            self.rewrite = True
        return digests

    def reused_output(self) -> Iterator[Diagnostic]:
        """Every file's stored diagnostics, per-file ignores applied, in discovery order."""
        assert self.reused is not None
        for source_file in self.found:
            yield from self.linter._path_filter(self.reused[source_file.abs_path], source_file.path)


def _record_settings(linter: Linter):
    """The settings files are linted with for recording: without per-file ignores (applied on output)."""
    settings = linter.settings
    return settings.with_overrides(per_file_ignores=()) if settings.per_file_ignores else settings


def _lint(linter: Linter, found: Sequence[files.SourceFile], index, jobs: Optional[int]) -> Iterator[Record]:
    """Lint ``found`` recording each file (in a process pool when there are many)."""
    if not found:
        return
    from .parallel import lint_items, pool_size

    settings = _record_settings(linter)
    workers = pool_size(linter, found, jobs)
    if workers > 1:

        yield from lint_items(linter, [(f.abs_path, f.path) for f in found], workers, index, settings, record=True)
        return
    recorder = linter
    if settings is not linter.settings:
        recorder = Linter(settings, prefilter=linter.prefilter, reduce=linter.reduce)
        recorder.use_cache(linter.cache)
        if index is not None:
            recorder.set_project_index(index)
    try:
        for source_file in found:
            yield lint_and_record(recorder, source_file.abs_path, source_file.path)
    finally:
        if recorder is not linter:
            linter.internal_errors.extend(recorder.internal_errors)
            linter.parsed += recorder.parsed


def lint_and_record(linter: Linter, abs_path: str, shown: str) -> Record:
    """Lint one file with ``linter`` (``linter.lint_file``) and make its manifest entry.

    The file's signature is taken before anything reads it, so a change during the run
    always shows next time. Nothing is stored for a file that cannot be read (CL002 from
    the read itself): it is read again on every run. The decorator modules the result
    depends on are the ones the result cache hashed while linting it.
    """
    cache = linter.cache
    sig = signature(abs_path)
    data = files.read_source(abs_path)
    consulted: Dict[str, str] = {}
    cache.consulted = consulted
    try:
        diagnostics = linter.lint_file(abs_path, shown)
    finally:
        cache.consulted = None
    return record_of(cache, sig, data, shown, diagnostics, consulted)


def record_of(cache, sig: Optional[Signature], data, shown: str, diagnostics: List[Diagnostic],
              consulted: Dict[str, str]) -> Record:
    """The :data:`Record` of a file linted from ``data`` (its bytes, or the read error).

    ``sig`` was taken before the read; ``consulted`` maps the decorator modules the result
    depended on to their digests (``cache``, the result cache, knows their signatures).
    Also used for the files a parallel run finishes in the calling process (screened out).
    """
    from .project import may_define_cache

    if sig is None or isinstance(data, files.ReadError):
        return diagnostics, None, {}
    if any(d.code == "CL002" for d in diagnostics) and not isinstance(files.decode_source(data, shown), files.ReadError):
        return diagnostics, None, {}  # the linter's own read failed: the file changed or vanished
    deps = tuple(sorted(consulted.items()))
    entry = Entry(sig[0], sig[1], sig[2], sha(data), may_define_cache(data), deps,
                  tuple(diagnostic_to_json(d) for d in diagnostics))
    return diagnostics, entry, {path: cache.signatures.get(path) or MISSING for path in consulted}


def crash_record(abs_path: str, sig: Optional[Signature], diagnostics: List[Diagnostic]) -> Record:
    """The record of a file whose parse killed its worker twice (``diagnostics`` is the CL001).

    ``sig`` was taken before the file was given to the worker. The crash is a property of
    the content, so it is stored like any result.
    """
    from .project import may_define_cache

    data = files.read_source(abs_path)
    if sig is None or isinstance(data, files.ReadError):
        return diagnostics, None, {}
    entry = Entry(sig[0], sig[1], sig[2], sha(data), may_define_cache(data), (),
                  tuple(diagnostic_to_json(d) for d in diagnostics))
    return diagnostics, entry, {}


def _save(previous: Manifest, entries: Dict[str, Entry], inits: Dict[str, bool],
          dep_signatures: Dict[str, DepSignature], found: Sequence[files.SourceFile]) -> None:
    """Write the new manifest: ``entries`` whose dependencies are consistent, and what they need."""
    current = {f.abs_path for f in found}
    kept: Dict[str, Entry] = {}
    for path, entry in entries.items():
        # a dependency linted in this run must be the content this result was computed with
        if all(dep not in current or (dep in entries and entries[dep].digest == digest) for dep, digest in entry.deps):
            kept[path] = entry
    outside = {dep for entry in kept.values() for dep, _ in entry.deps if dep not in current}
    manifest = Manifest(previous.root, os.path.splitext(os.path.basename(previous.path))[0])
    manifest.files = kept
    manifest.indexed = len(found) > 1
    manifest.inits = inits
    manifest.deps = {dep: dep_signatures.get(dep) for dep in sorted(outside)}
    manifest.patterns = files.export_translations()
    manifest.save()


__all__ = ["run", "lint_and_record", "crash_record"]

"""The per-file pipeline: source -> prefilter -> parse -> cache sites -> rules -> noqa.

``lint_source`` never raises for bad input: a file that does not parse becomes a CL001
diagnostic, one that cannot be read or decoded a CL002 diagnostic, and the run goes on.
Fixed costs (rule instances, declared-decorator models, the prefilter pattern) are paid
once per :class:`Linter`, not per file.
"""
from __future__ import annotations

import ast
import gc
import importlib
import os
import re
import sys
import warnings
from typing import TYPE_CHECKING, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

from . import catalog, files
from .config import Settings, code_matches
from .models import ERROR, Diagnostic
from .prefilter import Prefilter
from .hazards import libcst_hazard as _libcst_hazard
from .noqa import NoqaFilter
from .project import may_define_decorator, module_name_for, package_root

if TYPE_CHECKING:  # the reduction is imported where a file is reduced (see Linter._reduce)
    from .callers import Callers
    from .reduce import Reduced


class Linter:
    """Lints files with one resolved :class:`Settings`; reusable across many files."""

    def __init__(self, settings: Optional[Settings] = None, prefilter: bool = True, reduce: bool = True):
        self.settings = settings or Settings()
        #: skip files whose bytes cannot hold a cache decorator (off only to test the prefilter)
        self.prefilter = prefilter
        #: blank out top-level statements no rule reads before libcst parses (see reduce.py)
        self.reduce = reduce
        #: last names of declared and project decorators (cache words for the screens)
        self.extra_names = sorted({d.qualname.split(".")[-1] for d in self.settings.decorators})
        self._rules: Optional[list] = None
        self._callers: Optional["Callers"] = None
        self._declared: Optional[dict] = None
        self.screen = Prefilter(self.extra_names)
        #: the project's own cache decorators: qualified name -> inference.Summary
        from .project import ProjectIndex

        self.project = ProjectIndex(roots=[os.getcwd()])
        #: the result cache (:class:`cachelint.result_cache.ResultCache`), or None
        self.cache = None
        #: number of files handed to libcst (tests count parses through this)
        self.parsed = 0
        #: "path: error" lines for bugs in cachelint itself; the CLI exits 2 when any
        self.internal_errors: List[str] = []
        #: applies ``# noqa`` comments; reports unused ones as CL000 when that is selected
        self.noqa = NoqaFilter(self.settings)

    # The rules and the library models import libcst: they are loaded on the first file
    # that needs parsing, so a run over files without cache decorators never imports it.
    @property
    def rules(self) -> list:
        """Instances of the enabled site rules."""
        if self._rules is None:
            from .rules import SITE_RULES

            self._rules = [r() for r in SITE_RULES if self.settings.is_enabled(r.code, r.default_on)]
        return self._rules

    @property
    def callers(self) -> "Callers":
        """Which statements calling a cached function the enabled rules read (for the reduction)."""
        if self._callers is None:
            from .callers import Callers

            self._callers = Callers.for_codes(rule.code for rule in self.rules)
        return self._callers

    @property
    def rule_info(self) -> dict:
        """Every rule's :class:`~cachelint.catalog.RuleInfo` by code."""
        return catalog.BY_CODE

    @property
    def declared(self) -> dict:
        """Models of the decorators declared in configuration."""
        if self._declared is None:
            from .libraries import declared_models

            self._declared = declared_models(self.settings.decorators)
        return self._declared

    def set_project_index(self, index: Mapping[str, str]) -> None:
        """Look project decorators up in ``index`` (module name -> file, from
        :func:`cachelint.project.build_index` or :func:`cachelint.project.module_files`).

        A decorator's module is read when a linted file first uses it. A dict is added to
        the modules known so far; any other mapping replaces them.
        """
        if isinstance(index, dict) and isinstance(self.project.modules, dict):
            self.project.modules.update(index)
        else:
            self.project.modules = index

    # -- public ------------------------------------------------------------------------
    def use_cache(self, cache) -> None:
        """Keep results in ``cache`` (a :class:`cachelint.result_cache.ResultCache`) from now on."""
        self.cache = cache
        self.project.cache = cache

    def lint_source(self, source: Union[str, bytes], path: str = "<string>") -> List[Diagnostic]:
        """Lint one file's content; return its diagnostics sorted by position."""
        found, _ = self._diagnose(source, path)
        return self._path_filter(found, path)

    def lint_file(self, path: str, display: Optional[str] = None) -> List[Diagnostic]:
        """Read ``path`` and lint it; unreadable files give a CL002 diagnostic.

        With a result cache, a file whose content, package, settings and decorator
        modules are unchanged is not parsed again.
        """
        shown = display or path
        data = files.read_source(path)
        screened = self.screen_data(data, shown)
        if screened is not None:
            return screened
        if self.cache is None:  # screen_data answered for read errors: data is bytes here
            return self.lint_source(data, shown)
        name, is_package = module_name_for(path)
        package = name if is_package else name.rpartition(".")[0]
        cached = self.cache.get(data, package, shown)
        if cached is not None:
            return self._path_filter(cached, shown)
        self.project.recorded = set()
        errors_before = len(self.internal_errors)
        try:
            found, parsed = self._diagnose(data, shown)
            if parsed and len(self.internal_errors) == errors_before:
                self.cache.put(data, package, found, self.project.recorded)
        finally:
            self.project.recorded = None
        return self._path_filter(found, shown)

    def screen_data(self, data: Union[bytes, "files.ReadError"], shown: str) -> Optional[List[Diagnostic]]:
        """The diagnostics of a file's bytes when no parse is needed, else None.

        ``data`` is what :func:`cachelint.files.read_source` gave (a read error becomes
        CL002). A file whose bytes cannot hold a cache decorator nor define one costs a
        decode and the screens; the rest (None) must go through :meth:`lint_file`.
        """
        if isinstance(data, files.ReadError):
            return self._finish([self._file_error("CL002", shown, data.reason)], shown, "")
        if not self.prefilter or self.screen.uses_cache(data) or may_define_decorator(data):
            return None
        if b"\r" in data and _LONE_CR.search(data):
            return None  # old Mac line ends: the screens run again on normalised lines
        # no cache decorator can be here: what every file gets is all there is to do
        if not self.noqa.report_unused and files.plain_ascii(data):
            return []  # it decodes (no CL002) and no noqa comment is checked: most files end here
        text = files.decode_source(data, shown)
        if isinstance(text, files.ReadError):
            return self._finish([self._file_error("CL002", shown, text.reason)], shown, "")
        if not self.noqa.report_unused or self.noqa.exempt(text):
            return []
        return self._path_filter(self.noqa.apply([], text, shown), shown)

    def _diagnose(self, source: Union[str, bytes], path: str) -> Tuple[List[Diagnostic], bool]:
        """Diagnostics of one file's content before per-file ignores, and whether it was parsed."""
        if isinstance(source, bytes):
            decoded = files.decode_source(source, path)
            if isinstance(decoded, files.ReadError):
                return self._finish([self._file_error("CL002", path, decoded.reason)], path, "", per_file=False), False
            text = decoded
        else:
            text = source
        if self.noqa.exempt(text):
            return [], False
        raw = source if isinstance(source, bytes) else text.encode("utf-8", "surrogatepass")
        if b"\r" in raw and _LONE_CR.search(raw):  # old Mac line ends: the screens find line starts by \n
            raw = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        if self.prefilter and not self.screen.uses_cache(raw) and not may_define_decorator(raw):
            return (self.noqa.apply([], text, path) if self.noqa.report_unused else []), False
        threshold = gc.get_threshold()
        # libcst allocates hundreds of thousands of acyclic nodes per file: collecting the
        # youngest generation every 700 allocations costs 10-15% of the lint for nothing
        if threshold[0]:  # 0: the embedding program switched automatic collection off
            gc.set_threshold(max(threshold[0], _GC_THRESHOLD), *threshold[1:])
        try:
            found = self._lint_text(text, path)
        except Exception as exc:  # a bug in cachelint must not stop the run
            self.internal_errors.append(f"{path}: {type(exc).__name__}: {_one_line(str(exc))}")
            return [], False
        finally:
            gc.set_threshold(*threshold)
        return self._finish(found, path, text, per_file=False), True

    def _path_filter(self, diagnostics: List[Diagnostic], path: str) -> List[Diagnostic]:
        """Drop what ``per-file-ignores`` switch off for ``path``."""
        if not diagnostics or path == "<string>" or not self.settings.per_file_ignores:
            return diagnostics
        ignored = self.settings.ignored_for(path)
        if not ignored:
            return diagnostics
        return [d for d in diagnostics if not any(code_matches(d.code, selector) for selector in ignored)]

    # -- pipeline ----------------------------------------------------------------------
    def _lint_text(self, text: str, path: str) -> List[Diagnostic]:
        if _freeze_imports and "cachelint.rules" not in sys.modules:
            import_linting_modules()
        import libcst as cst

        from .analysis import Resolver, find_sites
        from .cst_parse import parse_module
        from .inference import find_definitions

        reduced = self._reduce(text, path)
        if isinstance(reduced, Diagnostic):
            return [reduced]
        hazard = _libcst_hazard(reduced.tree, reduced.text)
        if hazard is not None:
            return [self._file_error("CL001", path, hazard[2], line=reduced.original_line(hazard[0]), column=hazard[1])]
        if "def" not in reduced.text and "class" not in reduced.text:
            return []  # no function and no class kept: no cache site, no decorator to read (libcst would find nothing)
        self.parsed += 1
        try:
            module = parse_module(reduced.text)
        except cst.ParserSyntaxError as exc:
            return [
                self._file_error(
                    "CL001", path,
                    f"libcst cannot parse this file although CPython can ({_one_line(exc.message)})",
                    line=reduced.original_line(exc.raw_line), column=exc.raw_column + 1,
                )
            ]
        except RecursionError:
            return [self._file_error("CL001", path, "the file is nested too deeply to analyse (recursion limit)")]
        except Exception as exc:  # libcst raises a few other types on odd input
            return [self._file_error("CL001", path, f"libcst cannot parse this file ({type(exc).__name__}: {_one_line(str(exc))})")]
        try:
            name, is_package = module_name_for(path)
            resolver = Resolver(module, name, is_package)
            definitions = find_definitions(module, resolver, name)
            self.project.begin_file(package_root(path), {d.summary.qualname: d.summary for d in definitions})
            sites = find_sites(module, self.declared, resolver, self.project)
            definitions = [d for d in definitions if d.summary.is_cache]
            if not sites and not definitions:
                return []
            return self._run_rules(module, reduced, path, sites, definitions, resolver)
        except RecursionError:
            return [self._file_error("CL001", path, "the file is nested too deeply to analyse (recursion limit)")]

    def _reduce(self, text: str, path: str) -> Union["Reduced", Diagnostic]:
        """The part of ``text`` libcst will parse, or the CL001 of a file CPython cannot parse.

        The file is first cut into top-level statements without parsing it
        (:mod:`cachelint.segment`) and only the statements the reduction needs are parsed;
        when that fails (text the segmenter cannot follow, a statement that does not
        parse) the whole file is parsed, which also finds the syntax error to report. A
        syntax error in a statement no rule reads is therefore not reported.
        """
        # the reduction is imported with the linting modules: the calling process of a
        # parallel run, which only screens, never needs it
        from .reduce import Reduced, reduce_module

        if self.reduce:
            try:
                return reduce_module(text, self.extra_names, self.callers)
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                pass  # parsed again below for the diagnostic
        tree, syntax = _cpython_parse(text, path)
        if syntax is not None:
            return syntax
        return Reduced(text, tree, None)

    def _run_rules(self, module, reduced: "Reduced", path: str, sites, definitions, resolver) -> List[Diagnostic]:
        from .positions import Positions
        from .rules import FileContext

        positions = Positions(module, reduced.tree, reduced.line_map, reduced.text)
        ctx = FileContext(path=path, module=module, lines=files.source_lines(reduced.text), settings=self.settings,
                          position=positions.of, resolve=resolver.resolve, sites=sites)
        out: List[Diagnostic] = []

        def emit(rule, report, position, function) -> None:
            if report.node is not None:
                line, col, end_line, end_col = position(report.node)
            else:
                line, col = report.line or 1, report.column or 1
                end_line, end_col = line, col
            out.append(
                Diagnostic(
                    code=rule.code, name=rule.name, severity=rule.severity, message=report.message,
                    path=path, line=line, column=col, end_line=end_line, end_column=end_col,
                    function=function, parameter=report.parameter, fix=report.fix,
                )
            )

        for site in sites:
            top = site.top_statement

            def position(node, top=top, anchor=site.function) -> Tuple[int, int, int, int]:
                return positions.of(node, top, anchor)

            ctx.position = position
            ctx.text_positions = lambda function, top=top: positions.text_positions(function, top)
            for rule in self.rules:
                for report in rule.check(site, ctx):
                    emit(rule, report, position, site.function_name)
        for definition in definitions:
            top = definition.top_statement

            def position(node, top=top) -> Tuple[int, int, int, int]:
                return positions.of(node, top)

            ctx.position = position
            ctx.text_positions = None
            for rule in self.rules:
                for report in rule.check_definition(definition, ctx):
                    emit(rule, report, position, definition.summary.qualname.split(".")[-1])
        return out

    def _finish(self, diagnostics: List[Diagnostic], path: str, text: str, per_file: bool = True) -> List[Diagnostic]:
        """Enabled rules only, one per code and place, ``# noqa`` applied (and per-file ignores)."""
        ignored = self.settings.ignored_for(path) if per_file and path != "<string>" and self.settings.per_file_ignores else ()
        seen = set()
        out = []
        for d in sorted(diagnostics, key=Diagnostic.sort_key):
            if not self.settings.is_enabled(d.code, self.rule_info[d.code].default_on if d.code in self.rule_info else True):
                continue
            if ignored and any(code_matches(d.code, selector) for selector in ignored):
                continue
            key = (d.code, d.line, d.column, d.parameter)
            if key in seen:
                continue
            seen.add(key)
            out.append(d)
        return self.noqa.apply(out, text, path)

    def _file_error(self, code: str, path: str, reason: str, line: int = 1, column: int = 1) -> Diagnostic:
        rule = self.rule_info[code]
        what = "could not be parsed" if code == "CL001" else "could not be read"
        return Diagnostic(
            code=code, name=rule.name, severity=ERROR, message=f"The file {what}: {reason}.",
            path=path, line=max(line, 1), column=max(column, 1), end_line=max(line, 1), end_column=max(column, 1),
        )


#: Allocations between collections of the youngest generation while a file is analysed.
_GC_THRESHOLD = 50_000

#: What linting a file that may cache needs besides this module, imported on the first such file.
LINTING_MODULES = ("libcst", "cachelint.rules", "cachelint.analysis", "cachelint.inference", "cachelint.positions",
                   "cachelint.reduce", "cachelint.libraries", "cachelint.cst_parse")
_freeze_imports = False


def freeze_linting_imports() -> None:
    """Let the first file that needs libcst import it through :func:`import_linting_modules`.

    For cachelint's own processes only (the command line, and the workers forked from it):
    freezing moves everything the process holds out of the collector's reach, which a
    library must not do to its host program. Without this call the modules are imported
    as usual, when first used.
    """
    global _freeze_imports
    _freeze_imports = True


def import_linting_modules(extra: Sequence[str] = ()) -> None:
    """Import :data:`LINTING_MODULES` and ``extra`` (module names) with the collector paused, then freeze.

    The imports make hundreds of thousands of long-lived objects (libcst's node classes are
    dataclasses with generated methods); the collections they would set off free nothing.
    Frozen afterwards (``gc.freeze``), those objects are never walked again: by the lint's
    own collections in this process, nor by those of workers forked from it. Linting one
    cached file from the command line: 0.356 -> 0.308 s (median of 21 paired runs).
    Freezing reaches everything the process holds: only cachelint's own processes call
    this (the fork server's preload, a worker's start, and the engine after
    :func:`freeze_linting_imports`).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        for name in (*LINTING_MODULES, *extra):
            importlib.import_module(name)
    finally:
        gc.freeze()
        if enabled:
            gc.enable()

#: A carriage return not followed by a line feed.
_LONE_CR = re.compile(rb"\r(?!\n)")

def _one_line(text: str) -> str:
    return " ".join(text.split())[:300]


def _cpython_parse(text: str, path: str) -> Tuple[Optional[ast.Module], Optional[Diagnostic]]:
    """``(tree, None)`` when CPython parses ``text``, else ``(None, CL001 diagnostic)``."""

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(text, filename=path), None
    except SyntaxError as exc:
        line = exc.lineno or 1
        col = exc.offset or 1
        reason = f"{exc.msg} (line {line})"
    except (RecursionError, MemoryError):
        line, col, reason = 1, 1, "the file is nested too deeply for the parser"
    except ValueError as exc:  # e.g. source code string cannot contain null bytes
        line, col, reason = 1, 1, _one_line(str(exc))
    rule = catalog.BY_CODE["CL001"]
    return None, Diagnostic(code="CL001", name=rule.name, severity=ERROR, message=f"The file could not be parsed: {reason}.",
                            path=path, line=line, column=max(col, 1), end_line=line, end_column=max(col, 1))


def lint_source(source: Union[str, bytes], path: str = "<string>", settings: Optional[Settings] = None) -> List[Diagnostic]:
    """Lint one source string or bytes; see :meth:`Linter.lint_source`."""
    return Linter(settings).lint_source(source, path)


def lint_paths(paths: Sequence, settings: Optional[Settings] = None) -> List[Diagnostic]:
    """Discover files under ``paths`` and lint them all; returns sorted diagnostics.

    Paths that do not exist and files that cannot be read are CL002 diagnostics.
    """
    settings = settings or Settings()
    linter = Linter(settings)
    return sorted(run(linter, [str(p) for p in paths]), key=Diagnostic.sort_key)


def discover(linter: Linter, paths: Sequence[str]) -> Tuple[List["files.SourceFile"], List[Diagnostic]]:
    """The files to lint under ``paths`` (settings' excludes applied) and CL002s for the rest."""
    s = linter.settings
    found, errors = files.discover(
        paths,
        exclude=files.DEFAULT_EXCLUDE if s.exclude is None else s.exclude,
        extend_exclude=s.extend_exclude,
        respect_gitignore=s.respect_gitignore,
        force_exclude=s.force_exclude,
        root=s.root,
    )
    diagnostics: List[Diagnostic] = []
    for err in errors:
        diagnostics.extend(linter._finish([linter._file_error("CL002", err.path, err.reason)], err.path, ""))
    return found, diagnostics


def prepare(linter: Linter, found: Sequence["files.SourceFile"]) -> Optional[Dict[str, str]]:
    """Pass one: find the modules of ``found`` that may define decorators (when there are several).

    Returns the index (module name -> file, also installed in ``linter``), or None for a
    single file, whose imported decorators are found under its import root instead.
    """
    if len(found) <= 1:
        return None
    from .project import build_index

    index = build_index(found)
    linter.set_project_index(index)
    return index


def lint_found(linter: Linter, found: Sequence["files.SourceFile"]) -> Iterable[Diagnostic]:
    """Pass two, in this process: yield each file's diagnostics in order."""
    for source_file in found:
        yield from linter.lint_file(source_file.abs_path, source_file.path)


def run(linter: Linter, paths: Sequence[str]) -> Iterable[Diagnostic]:
    """Yield the diagnostics of every file under ``paths``, file by file (streaming)."""
    found, errors = discover(linter, paths)
    yield from errors
    prepare(linter, found)
    yield from lint_found(linter, found)


__all__ = ["Linter", "discover", "lint_found", "lint_paths", "lint_source", "prepare", "run"]

"""The ``cachelint`` command (click): options and configuration -> Settings -> run -> exit code.

Exit codes (DESIGN.md §4): 0 no diagnostics, 1 diagnostics reported, 2 usage,
configuration or internal error, 130 interrupted (Ctrl-C).
"""
from __future__ import annotations

import os
import re
import sys
from typing import Dict, List, Optional, Sequence, Tuple

import click

from . import __version__
from .interrupt import exit_interrupted, install_handler, is_interrupt
from .output import FORMATS

#: ``--help`` sections, in order, and the options each holds (like ruff's grouped help).
SECTIONS: Tuple[Tuple[str, Tuple[str, ...]], ...] = (
    ("Rule selection", ("select", "extend_select", "ignore", "ignore_noqa")),
    ("File selection", ("exclude", "extend_exclude", "force_exclude", "stdin_filename", "config_path")),
    ("Output", ("output_format", "output_file", "show_source", "statistics", "quiet", "exit_zero")),
    ("Miscellaneous", ("jobs", "no_cache", "cache_dir", "list_rules", "explain", "show_settings", "version", "help")),
)


class GroupedCommand(click.Command):
    """A click command whose ``--help`` lists options under the headings of :data:`SECTIONS`."""

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        where = {name: title for title, names in SECTIONS for name in names}
        groups: Dict[str, List[Tuple[str, str]]] = {title: [] for title, _ in SECTIONS}
        for param in self.get_params(ctx):
            if not isinstance(param, click.Option):
                continue
            record = param.get_help_record(ctx)
            if record is not None:
                groups[where.get(param.name or "", "Miscellaneous")].append(record)
        for title, _ in SECTIONS:
            if groups[title]:
                with formatter.section(title):
                    formatter.write_dl(groups[title])


def _known_codes() -> List[str]:
    from .catalog import CODES  # not the rule classes: they import libcst

    return list(CODES)


def _codes(value: Optional[str], option: str):
    from .config import parse_codes

    if value is None:
        return None
    return parse_codes(value, _known_codes(), option)


def _patterns(value: Optional[str], option: str):
    """Split a comma-separated pattern list; an invalid gitignore pattern is a ConfigError."""
    from . import files
    from .config import ConfigError

    if value is None:
        return None
    patterns = tuple(p.strip() for p in value.split(",") if p.strip())
    for pattern in patterns:
        try:
            files.compile_patterns([pattern], strict=True)
        except (ValueError, re.error):  # pathspec lets a bad character range through as re.error
            raise ConfigError(f"{option}: invalid gitignore-style pattern {pattern!r}") from None
    return patterns


def _read_lines(path: str) -> Optional[List[str]]:
    from . import files

    if path == "-" or not os.path.isfile(path):
        return None
    data = files.read_source(path)
    if isinstance(data, files.ReadError):
        return None
    text = files.decode_source(data, path)
    return None if isinstance(text, files.ReadError) else files.source_lines(text)


def _list_rules() -> str:
    from .rules import ALL_RULES

    rows = [("code", "name", "default", "severity", "summary")]
    for r in ALL_RULES:
        rows.append((r.code, r.name, "on" if r.default_on else "off", r.severity_label(), r.summary))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    return "\n".join(
        "  ".join(cell.ljust(widths[i]) if i < 4 else cell for i, cell in enumerate(row)) for row in rows
    ) + "\n"


def statistics(diagnostics, output_format: str) -> str:
    """Counts per code, most frequent first (ties by code): a table, or JSON for ``--format json``."""
    import json
    from collections import Counter

    counts = Counter(d.code for d in diagnostics)
    names = {d.code: d.name for d in diagnostics}
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    if output_format == "json":
        return json.dumps([{"code": c, "name": names[c], "count": n} for c, n in rows], indent=2) + "\n"
    if not rows:
        return ""
    width = max(len(str(n)) for _, n in rows)
    code_width = max(len(c) for c, _ in rows)
    return "".join(f"{n:>{width}}\t{c:<{code_width}}\t{names[c]}\n" for c, n in rows)


def _show_settings(settings, output_format: str, paths: Sequence[str]) -> str:
    import dataclasses
    import json

    from .rules import ALL_RULES

    data = dataclasses.asdict(settings)
    data["enabled_rules"] = [r.code for r in ALL_RULES if settings.is_enabled(r.code, r.default_on)]
    data["format"] = output_format
    data["paths"] = list(paths)
    return json.dumps(data, indent=2, default=str) + "\n"


def _use_color(output_file: Optional[str]) -> bool:
    """Colours only for a terminal on stdout, and never when NO_COLOR is set (no-color.org)."""
    if output_file is not None or os.environ.get("NO_COLOR", ""):
        return False
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def _stdin_is_excluded(name: str, settings) -> bool:
    """``--force-exclude`` for stdin: would ``exclude``/``extend-exclude`` drop ``name``?"""
    from . import files

    if os.path.isfile(name):
        found, _ = files.discover([name], exclude=settings.effective_exclude(), extend_exclude=(),
                                  respect_gitignore=settings.respect_gitignore, force_exclude=True, root=settings.root)
        return not found
    # The file need not exist (an editor's unsaved buffer): match it and its directories.
    root = os.path.abspath(settings.root)
    absolute = os.path.abspath(name)
    relative = os.path.relpath(absolute, root)
    candidates = []
    if relative != os.pardir and not relative.startswith(os.pardir + os.sep):
        parts = relative.split(os.sep)
        candidates = [os.path.join(root, *parts[:depth]) for depth in range(1, len(parts) + 1)]
    else:  # outside the root: the components as written are matched by their basename
        written = os.path.normpath(name)
        while written not in ("", os.curdir, os.pardir, os.sep):
            candidates.insert(0, os.path.abspath(written))
            written = os.path.dirname(written)
    patterns = settings.effective_exclude()
    for candidate in candidates:
        verdict = False
        for pattern in patterns:
            negated = pattern.startswith("!")
            try:
                if files.matches_pattern(pattern[1:] if negated else pattern, candidate, root,
                                         is_dir=candidate != absolute):
                    verdict = not negated
            except ValueError:
                continue
        if verdict:
            return True
    return False


OPTION_HELP = {
    "select": "Rules to enable instead of the defaults: comma-separated codes or prefixes (CL1,CL301) or ALL.",
    "extend_select": "Rules to enable in addition to the selected ones (e.g. CL402, CL000).",
    "ignore": "Rules to disable: codes or prefixes.",
    "ignore_noqa": "Ignore '# noqa' and '# cachelint: noqa' comments.",
}


@click.command(cls=GroupedCommand, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--select", metavar="CODES", help=OPTION_HELP["select"])
@click.option("--extend-select", metavar="CODES", help=OPTION_HELP["extend_select"])
@click.option("--ignore", metavar="CODES", help=OPTION_HELP["ignore"])
@click.option("--ignore-noqa", is_flag=True, help=OPTION_HELP["ignore_noqa"])
@click.option("--exclude", metavar="PATTERNS", help="Comma-separated gitignore-style patterns replacing the default excludes.")
@click.option("--extend-exclude", metavar="PATTERNS", help="Patterns to exclude in addition to the defaults.")
@click.option("--force-exclude/--no-force-exclude", default=None,
              help="Apply excludes to files named on the command line and to --stdin-filename too (for pre-commit).")
@click.option("--stdin-filename", metavar="PATH",
              help="The name of the file read from stdin ('-'): shown in messages, used to find the configuration "
                   "and for per-file-ignores and --force-exclude.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), metavar="FILE",
              help="A pyproject.toml to read [tool.cachelint] from (default: the nearest one).")
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="text", show_default=True,
              help="Output format.")
@click.option("-o", "--output-file", type=click.Path(dir_okay=False, writable=True), metavar="PATH",
              help="Write the report to PATH instead of standard output.")
@click.option("--show-source/--no-show-source", default=True, help="Show the source line under each diagnostic (text format).")
@click.option("--statistics", is_flag=True, help="Print the number of diagnostics per code instead of the diagnostics.")
@click.option("-q", "--quiet", is_flag=True, help="Print only the diagnostics: no summary line.")
@click.option("--exit-zero", is_flag=True, help="Exit with 0 even when diagnostics are reported.")
@click.option("-j", "--jobs", type=click.IntRange(min=0), metavar="N",
              help="Worker processes for many files (default 0: one per CPU; 1: no workers).")
@click.option("--no-cache", is_flag=True, help="Do not read or write the result cache.")
@click.option("--cache-dir", type=click.Path(file_okay=False), metavar="DIR",
              help="Where to keep the result cache (default: $CACHELINT_CACHE_DIR, else .cachelint_cache).")
@click.option("--list-rules", is_flag=True, help="List every rule with its code, default and severity, then exit.")
@click.option("--explain", metavar="CODE", help="Print the documentation of one rule, then exit.")
@click.option("--show-settings", is_flag=True, help="Print the resolved settings as JSON, then exit.")
@click.version_option(__version__, "--version", prog_name="cachelint", message="%(prog)s %(version)s")
def main(paths: Sequence[str], **options) -> None:
    """Find cache keys that are wrong: per-call values keyed, inputs left out, false claims, misused decorators.

    PATHS are files or directories (default: the current directory); '-' reads stdin.
    """
    restore = install_handler()
    try:
        code = _run(list(paths), **options)
    except BaseException as exc:
        if not is_interrupt(exc):
            raise
        exit_interrupted()
    finally:
        restore()
    sys.exit(code)


def _settings(paths: List[str], o) -> object:
    """Load the configuration and layer the command-line options on top (ConfigError on mistakes)."""
    from .config import load_settings

    reads_stdin = "-" in paths
    if reads_stdin and o["stdin_filename"]:
        start = o["stdin_filename"]
    else:
        start = next((p for p in paths if p != "-"), ".")
    settings = load_settings(o["config_path"], start=start, known_codes=_known_codes())
    overrides = {}
    select = _codes(o["select"], "--select")
    if select is not None:
        overrides["select"] = select
    ignore = _codes(o["ignore"], "--ignore")
    if ignore is not None:
        overrides["ignore"] = tuple(settings.ignore) + ignore
    extra = _codes(o["extend_select"], "--extend-select")
    if extra is not None:
        overrides["extend_select"] = tuple(settings.extend_select) + extra
    exclude = _patterns(o["exclude"], "--exclude")
    if exclude is not None:
        overrides["exclude"] = exclude
    extend_exclude = _patterns(o["extend_exclude"], "--extend-exclude")
    if extend_exclude is not None:
        overrides["extend_exclude"] = tuple(settings.extend_exclude) + extend_exclude
    if o["force_exclude"] is not None:
        overrides["force_exclude"] = o["force_exclude"]
    if o["ignore_noqa"]:
        overrides["ignore_noqa"] = True
    if o["jobs"] is not None:
        overrides["jobs"] = o["jobs"]
    return settings.with_overrides(**overrides)


def _run(paths: List[str], **o) -> int:
    from .config import ConfigError

    if o["list_rules"]:
        click.echo(_list_rules(), nl=False)
        return 0
    if o["explain"]:
        from .docs import explain as explain_rule

        text = explain_rule(o["explain"])
        if text is None:
            click.echo(f"cachelint: unknown rule code '{o['explain']}'; see --list-rules", err=True)
            return 2
        click.echo(text)
        return 0
    # like ruff: --stdin-filename alone means "read standard input"
    paths = paths or (["-"] if o["stdin_filename"] else ["."])
    if paths.count("-") > 1:
        click.echo("cachelint: '-' (standard input) can be given only once", err=True)
        return 2
    try:
        settings = _settings(paths, o)
    except ConfigError as exc:
        click.echo(f"cachelint: {exc}", err=True)
        return 2
    except re.error as exc:  # a pattern pathspec accepted but Python's re rejects
        click.echo(f"cachelint: invalid exclude pattern in the configuration ({exc})", err=True)
        return 2
    output_format = o["output_format"]
    if o["show_settings"]:
        click.echo(_show_settings(settings, output_format, paths), nl=False)
        return 0
    file_paths = [p for p in paths if p != "-"]
    one_file = len(file_paths) == 1 and os.path.isfile(file_paths[0])  # pre-commit, editors
    if file_paths and not one_file:  # many files, maybe
        from .files import keep_large_reads_off_the_heap

        keep_large_reads_off_the_heap()  # peak memory independent of the number of files read
    if o["no_cache"] and file_paths:
        from . import worker_server

        if worker_server.pool_likely(file_paths, settings.jobs):
            worker_server.start()  # first thing: its imports overlap everything this process does next

    from .engine import Linter, freeze_linting_imports
    from .models import Diagnostic
    from .output import formatter

    freeze_linting_imports()  # this is cachelint's own process

    linter = Linter(settings)
    if not o["no_cache"]:
        from .result_cache import ResultCache, default_directory

        linter.use_cache(ResultCache(o["cache_dir"] or default_directory(settings.root), settings))
    diagnostics: List[Diagnostic] = []
    stdin_name = o["stdin_filename"] or "-"
    stdin_text: Optional[List[str]] = None
    if "-" in paths:
        data = sys.stdin.buffer.read()
        skip = bool(settings.force_exclude and o["stdin_filename"] and _stdin_is_excluded(stdin_name, settings))
        if not skip:
            diagnostics.extend(linter.lint_source(data, stdin_name))
            from .files import source_lines

            stdin_text = source_lines(data.decode("utf-8", "replace"))
    if file_paths:
        options: Dict[str, bool] = {}
        try:
            if linter.cache is not None:
                from .incremental import run  # the result cache's manifest; the process pool only when needed

                options["server"] = True  # workers from a preloaded fork server where safe
            elif one_file:
                from .engine import run  # no process pool to import
            else:
                from .parallel import run

                options["server"] = True  # workers from a preloaded fork server where safe
            diagnostics.extend(run(linter, file_paths, **options))
        except (ValueError, re.error) as exc:  # an invalid exclude pattern that slipped past validation
            click.echo(f"cachelint: invalid exclude pattern ({exc})", err=True)
            return 2
    diagnostics.sort(key=Diagnostic.sort_key)

    def read_lines(path: str):
        if stdin_text is not None and path == stdin_name:
            return stdin_text
        return _read_lines(path)

    if o["statistics"]:
        out = statistics(diagnostics, output_format)
    else:
        out = formatter(output_format)(
            diagnostics, read_lines=read_lines, show_source=o["show_source"], color=_use_color(o["output_file"]),
            quiet=o["quiet"], cwd=os.getcwd(),
        )
    if o["output_file"]:
        try:
            with open(o["output_file"], "w", encoding="utf-8", newline="\n") as handle:
                handle.write(out)
        except OSError as exc:
            click.echo(f"cachelint: cannot write {o['output_file']}: {exc.strerror or exc}", err=True)
            return 2
    else:
        try:
            click.echo(out, nl=False)
        except BrokenPipeError:
            raise  # the reader went away (``| head``): Python's exit handles it quietly
        except OSError as exc:  # a full disk, a closed or read-only descriptor
            _drop_standard_output()
            click.echo(f"cachelint: cannot write the report: {exc.strerror or exc}", err=True)
            return 2
    for problem in linter.internal_errors:
        click.echo(f"cachelint: internal error while linting {problem} (please report this)", err=True)
    if linter.internal_errors:
        return 2
    if o["exit_zero"]:
        return 0
    return 1 if diagnostics else 0


def output_failed(exc: OSError) -> None:
    """Exit 2 with a message for a write error that escaped the command; re-raise anything else.

    Click's own messages (``--version``, ``--help``) and the listings reach a full disk or a
    closed descriptor as an OSError that click lets through (it handles only a broken pipe).
    cachelint's own files (the result cache, ``--output-file``) handle their errors where
    they write, so an error of this kind here is standard output's.
    """
    import errno

    if exc.errno not in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO, errno.EBADF):
        raise exc
    _drop_standard_output()
    click.echo(f"cachelint: cannot write to standard output: {exc.strerror or exc}", err=True)
    sys.exit(2)


def _drop_standard_output() -> None:
    """Send what is left in standard output's buffer, and anything later, to the null device:
    flushing it again at exit would only fail again, with a traceback."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
    except (OSError, ValueError, AttributeError):  # no real descriptor (a test's captured stream)
        pass


if __name__ == "__main__":  # pragma: no cover
    main()

"""The ``cachelint`` command (click): options and configuration -> Settings -> run -> exit code.

Exit codes (DESIGN.md §4): 0 no diagnostics, 1 diagnostics reported, 2 usage,
configuration or internal error.
"""
from __future__ import annotations

import os
import sys
from typing import List, Optional, Sequence

import click

from . import __version__

FORMATS = ["text", "json"]


def _known_codes() -> List[str]:
    from .rules import ALL_RULES

    return [r.code for r in ALL_RULES]


def _codes(value: Optional[str], option: str):
    from .config import parse_codes

    if value is None:
        return None
    return parse_codes(value, _known_codes(), option)


def _patterns(value: Optional[str]):
    if value is None:
        return None
    return tuple(p.strip() for p in value.split(",") if p.strip())


def _read_lines(path: str) -> Optional[List[str]]:
    from . import files

    if path == "-" or not os.path.isfile(path):
        return None
    data = files.read_source(path)
    if isinstance(data, files.ReadError):
        return None
    text = files.decode_source(data, path)
    return None if isinstance(text, files.ReadError) else text.splitlines()


def _list_rules() -> str:
    from .rules import ALL_RULES

    rows = [("code", "name", "default", "severity", "summary")]
    for r in ALL_RULES:
        rows.append((r.code, r.name, "on" if r.default_on else "off", r.severity_label(), r.summary))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    return "\n".join(
        "  ".join(cell.ljust(widths[i]) if i < 4 else cell for i, cell in enumerate(row)) for row in rows
    ) + "\n"


@click.command(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="text", show_default=True,
              help="Output format.")
@click.option("--select", metavar="CODES", help="Comma-separated codes or prefixes to enable instead of the defaults (e.g. CL1,CL301, ALL).")
@click.option("--extend-select", metavar="CODES", help="Codes or prefixes to enable in addition (e.g. CL402).")
@click.option("--ignore", metavar="CODES", help="Codes or prefixes to disable.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), metavar="FILE",
              help="A pyproject.toml to read [tool.cachelint] from (default: the nearest one).")
@click.option("--exclude", metavar="PATTERNS", help="Comma-separated gitignore-style patterns replacing the default excludes.")
@click.option("--extend-exclude", metavar="PATTERNS", help="Patterns to exclude in addition to the defaults.")
@click.option("--force-exclude", is_flag=True, default=None, help="Apply excludes to files named on the command line too.")
@click.option("--stdin-filename", metavar="PATH", help="The name of the file read from stdin ('-'), for messages and per-file settings.")
@click.option("--show-source/--no-show-source", default=True, help="Show the source line under each diagnostic (text format).")
@click.option("--exit-zero", is_flag=True, help="Exit with 0 even when diagnostics are reported.")
@click.option("--list-rules", is_flag=True, help="List every rule with its code, default and severity, then exit.")
@click.option("--explain", metavar="CODE", help="Print the documentation of one rule, then exit.")
@click.version_option(__version__, "--version", prog_name="cachelint", message="%(prog)s %(version)s")
def main(paths: Sequence[str], output_format: str, select, extend_select, ignore, config_path, exclude,
         extend_exclude, force_exclude, stdin_filename, show_source, exit_zero, list_rules, explain) -> None:
    """Find cache keys that are wrong: per-call values in the key, claims the key contradicts.

    PATHS are files or directories (default: the current directory); '-' reads stdin.
    """
    try:
        code = _run(paths, output_format, select, extend_select, ignore, config_path, exclude, extend_exclude,
                    force_exclude, stdin_filename, show_source, exit_zero, list_rules, explain)
    except KeyboardInterrupt:
        click.echo("cachelint: interrupted", err=True)
        sys.exit(130)
    sys.exit(code)


def _run(paths, output_format, select, extend_select, ignore, config_path, exclude, extend_exclude,
         force_exclude, stdin_filename, show_source, exit_zero, list_rules, explain) -> int:
    from .config import ConfigError, load_settings

    if list_rules:
        click.echo(_list_rules(), nl=False)
        return 0
    if explain:
        from .docs import explain as explain_rule

        text = explain_rule(explain)
        if text is None:
            click.echo(f"cachelint: unknown rule code '{explain}'; see --list-rules", err=True)
            return 2
        click.echo(text)
        return 0
    paths = list(paths) or ["."]
    try:
        start = stdin_filename or next((p for p in paths if p != "-"), ".")
        settings = load_settings(config_path, start=start if os.path.exists(start) else ".", known_codes=_known_codes())
        overrides = {}
        for key, value in (("select", _codes(select, "--select")), ("ignore", _codes(ignore, "--ignore"))):
            if value is not None:
                overrides[key] = value if key == "select" else tuple(settings.ignore) + value
        extra = _codes(extend_select, "--extend-select")
        if extra is not None:
            overrides["extend_select"] = tuple(settings.extend_select) + extra
        if _patterns(exclude) is not None:
            overrides["exclude"] = _patterns(exclude)
        if _patterns(extend_exclude) is not None:
            overrides["extend_exclude"] = tuple(settings.extend_exclude) + _patterns(extend_exclude)
        if force_exclude is not None:
            overrides["force_exclude"] = force_exclude
        settings = settings.with_overrides(**overrides)
    except ConfigError as exc:
        click.echo(f"cachelint: {exc}", err=True)
        return 2

    from .engine import Linter, run
    from .models import Diagnostic
    from .output import formatter

    linter = Linter(settings)
    diagnostics: List[Diagnostic] = []
    stdin_text: Optional[List[str]] = None
    file_paths = [p for p in paths if p != "-"]
    if "-" in paths:
        data = sys.stdin.buffer.read()
        name = stdin_filename or "-"
        if settings.force_exclude and stdin_filename:
            from . import files

            found, _ = files.discover([stdin_filename], exclude=files.DEFAULT_EXCLUDE if settings.exclude is None else settings.exclude,
                                      extend_exclude=settings.extend_exclude, force_exclude=True, root=settings.root)
            if not found and os.path.exists(stdin_filename):
                data = b""
        diagnostics.extend(linter.lint_source(data, name))
        try:
            stdin_text = data.decode("utf-8", "replace").splitlines()
        except Exception:  # pragma: no cover - decode with replace cannot fail
            stdin_text = None
    if file_paths:
        diagnostics.extend(run(linter, file_paths))
    diagnostics.sort(key=Diagnostic.sort_key)

    def read_lines(path: str):
        if stdin_text is not None and path == (stdin_filename or "-"):
            return stdin_text
        return _read_lines(path)

    render = formatter(output_format)
    if output_format == "text":
        out = render(diagnostics, read_lines=read_lines, show_source=show_source,
                     color=sys.stdout.isatty() and "NO_COLOR" not in os.environ)
    else:
        out = render(diagnostics)
    click.echo(out, nl=False)
    for problem in linter.internal_errors:
        click.echo(f"cachelint: internal error while linting {problem} (please report this)", err=True)
    if linter.internal_errors:
        return 2
    if exit_zero:
        return 0
    return 1 if diagnostics else 0


if __name__ == "__main__":  # pragma: no cover
    main()

"""cachelint: a static-analysis linter for cache and memoization decorators.

Public API:

* :func:`lint_source` – lint one source string and return diagnostics.
* :func:`lint_paths` – lint files and directories.
* :func:`cacheable` – the reference cache decorator (see :mod:`cachelint.cacheable`).

Importing the package stays cheap: libcst is only imported when linting starts.
"""
__version__ = "0.1.0"

__all__ = ["__version__", "lint_source", "lint_paths", "cacheable", "CacheKeyWarning"]


def lint_source(source, path="<string>", settings=None):
    """Lint Python ``source`` (str or bytes) and return a sorted list of Diagnostic.

    ``path`` is only used for reporting and per-file settings. ``settings`` is a
    :class:`cachelint.config.Settings` or ``None`` for the defaults. Never raises for bad
    source: a syntax error becomes a CL001 diagnostic.
    """
    from .engine import lint_source as _lint_source

    return _lint_source(source, path=path, settings=settings)


def lint_paths(paths, settings=None):
    """Lint files and directories (a sequence of str or Path); return sorted diagnostics.

    Directories are walked honouring ``exclude``/``extend-exclude`` and ``.gitignore``;
    unreadable files become CL002 diagnostics. Raises nothing for bad files.
    """
    from .engine import lint_paths as _lint_paths

    return _lint_paths(paths, settings=settings)
from .cacheable import CacheKeyWarning, cacheable  # noqa: E402

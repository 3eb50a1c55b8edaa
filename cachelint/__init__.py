"""cachelint: a static-analysis linter for cache and memoization decorators.

Public API:

* :func:`lint_source` – lint one source string and return diagnostics.
* :func:`lint_paths` – lint files and directories.
* :func:`cacheable` – the reference cache decorator (see :mod:`cachelint.cacheable`).
"""
__version__ = "0.1.0"

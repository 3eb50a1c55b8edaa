"""cachelint: a static-analysis linter for cache and memoization decorators.

Public API:

* :func:`lint_source` – lint one source string and return diagnostics.
* :func:`lint_paths` – lint files and directories.
* :func:`cacheable` – the reference cache decorator (see :mod:`cachelint.cacheable`).

Importing the package stays cheap: libcst is only imported when linting starts, and the
:mod:`cachelint.cacheable` module only when ``cacheable`` or ``CacheKeyWarning`` is first
used (``from cachelint import cacheable`` works as always).
"""
import sys as _sys
import types as _types

__version__ = "0.1.0"

__all__ = ["__version__", "lint_source", "lint_paths", "cacheable", "CacheKeyWarning"]

#: Names this package re-exports from :mod:`cachelint.cacheable`, loaded on first use.
_FROM_CACHEABLE = ("cacheable", "CacheKeyWarning")


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


def __getattr__(name):
    if name in _FROM_CACHEABLE:
        import importlib

        module = importlib.import_module(".cacheable", __name__)
        for exported in _FROM_CACHEABLE:
            globals()[exported] = getattr(module, exported)
        return globals()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_FROM_CACHEABLE))


class _Package(_types.ModuleType):
    """This package's module type: ``cachelint.cacheable`` stays the function.

    Importing the submodule :mod:`cachelint.cacheable` makes Python set the package's
    attribute of that name to the module; the function of the same name is kept instead.
    """

    def __setattr__(self, name, value):
        if name == "cacheable" and isinstance(value, _types.ModuleType):
            value = value.cacheable
        super().__setattr__(name, value)


_sys.modules[__name__].__class__ = _Package

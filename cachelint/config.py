"""Settings: the ``[tool.cachelint]`` table of ``pyproject.toml`` and their validation.

:func:`load_settings` finds and reads the configuration and returns a frozen
:class:`Settings`; the command line then layers its options on top with
:meth:`Settings.with_overrides`. Every mistake in a configuration file is reported as a
:class:`ConfigError` whose message is a single line naming the file and the key, never as
a traceback.

Rule selection follows ruff: ``select`` replaces the default rule set, ``extend-select``
adds to it, ``ignore`` removes from it; codes may be prefixes (``CL1``, ``CL10``) or
``ALL``. When several selectors match a code, the longest one decides, and ``ignore`` wins
over ``select`` at equal length.

This module does not import the rules package (the caller passes the known codes) nor
libcst.
"""
from __future__ import annotations

import dataclasses
import os
import re
import stat
import sys
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple, Union

from . import files

__all__ = [
    "ConfigError",
    "DecoratorDecl",
    "Settings",
    "PER_CALL_CATEGORIES",
    "SERIALIZERS",
    "find_config",
    "load_settings",
    "parse_codes",
    "code_matches",
]

#: Categories accepted by ``extend-per-call-names``.
PER_CALL_CATEGORIES: Tuple[str, ...] = ("id", "clock", "output-path", "context", "bytes")

#: Values accepted by a declared decorator's ``serializer``.
SERIALIZERS: Tuple[str, ...] = ("none", "pickle", "json", "repr", "unknown")

#: Values accepted by a declared decorator's ``exclude`` ("none" means no convention).
EXCLUDE_CONVENTIONS: Tuple[str, ...] = ("underscore", "none")

CONFIG_FILENAME = "pyproject.toml"


class ConfigError(Exception):
    """A mistake in the configuration (or in a code list given on the command line).

    ``str(error)`` is one line that names the file and the key, e.g.
    ``pyproject.toml: [tool.cachelint] unknown key 'selct' (did you mean 'select'?)``.
    """


@dataclass(frozen=True)
class DecoratorDecl:
    """A project cache decorator declared in ``[tool.cachelint.decorators."pkg.mod.name"]``.

    Attributes:
        qualname: the decorator's fully qualified name.
        persistent: the cache outlives the process (disk, database, server).
        exclude: ``"underscore"`` when parameters starting with ``_`` are left out of the
            key, else ``None``.
        ignore_argument: name of the decorator factory's keyword that lists excluded
            parameters (``@mycache(ignore=["log"])`` → ``"ignore"``), or ``None``.
        serializer: how values are stored: ``"none"``, ``"pickle"``, ``"json"``,
            ``"repr"`` or ``"unknown"``.
        self_keyed: ``self``/``cls`` is part of the key on methods.
    """

    qualname: str
    persistent: bool = False
    exclude: Optional[str] = None
    ignore_argument: Optional[str] = None
    serializer: str = "pickle"
    self_keyed: bool = True


def code_matches(code: str, selector: str) -> bool:
    """True when rule ``code`` is selected by ``selector`` (a code, a prefix or ``ALL``)."""
    return selector == "ALL" or code.startswith(selector)


def _specificity(selector: str, code: str) -> Optional[int]:
    if selector == "ALL":
        return 0
    if code.startswith(selector):
        return len(selector)
    return None


_TUPLE_FIELDS = ("select", "extend_select", "ignore", "exclude", "extend_exclude", "decorators")


@dataclass(frozen=True)
class Settings:
    """Everything that configures a run; immutable and cheap to share with workers.

    Attributes:
        select: the rule codes/prefixes to enable instead of the default set, or ``None``
            for the default set (rules whose ``default_on`` is true).
        extend_select: codes/prefixes enabled in addition.
        ignore: codes/prefixes disabled.
        exclude: gitignore-style patterns replacing :data:`cachelint.files.DEFAULT_EXCLUDE`,
            or ``None`` for the defaults.
        extend_exclude: patterns excluded in addition.
        per_file_ignores: ``(pattern, codes)`` pairs; a pattern starting with ``!`` applies
            to the files it does not match.
        extend_per_call_names: ``(category, names)`` pairs extending the lexicon of
            per-call names (categories: :data:`PER_CALL_CATEGORIES`).
        decorators: project cache decorators declared in the configuration.
        respect_gitignore: honour ``.gitignore`` files while walking directories.
        force_exclude: apply exclusions to paths named explicitly too.
        root: the directory patterns are relative to (the configuration file's directory).
        config_path: absolute path of the configuration file, or ``None``.
        ignore_noqa: ignore ``# noqa`` and ``# cachelint: noqa`` comments (``--ignore-noqa``).
        jobs: worker processes for linting many files; 0 picks one per CPU, 1 is serial
            (``--jobs``).
    """

    select: Optional[Tuple[str, ...]] = None
    extend_select: Tuple[str, ...] = ()
    ignore: Tuple[str, ...] = ()
    exclude: Optional[Tuple[str, ...]] = None
    extend_exclude: Tuple[str, ...] = ()
    per_file_ignores: Tuple[Tuple[str, Tuple[str, ...]], ...] = ()
    extend_per_call_names: Tuple[Tuple[str, Tuple[str, ...]], ...] = ()
    decorators: Tuple[DecoratorDecl, ...] = ()
    respect_gitignore: bool = True
    force_exclude: bool = False
    root: str = "."
    config_path: Optional[str] = None
    ignore_noqa: bool = False
    jobs: int = 0

    def is_enabled(self, code: str, default_on: bool) -> bool:
        """Whether rule ``code`` runs under these settings.

        Every selector in ``select``/``extend_select``/``ignore`` that matches ``code``
        competes; the longest wins (``ALL`` is the shortest), and at equal length an
        ``ignore`` beats a ``select``. With no matching selector the rule is on when
        ``select`` is ``None`` and ``default_on`` is true.
        """
        best: Optional[Tuple[int, int]] = None  # (specificity, 1 if ignore else 0)
        for selector in (self.select or ()) + tuple(self.extend_select):
            spec = _specificity(selector, code)
            if spec is not None and (best is None or (spec, 0) > best):
                best = (spec, 0)
        for selector in self.ignore:
            spec = _specificity(selector, code)
            if spec is not None and (best is None or (spec, 1) > best):
                best = (spec, 1)
        if best is None:
            return default_on if self.select is None else False
        return best[1] == 0

    def ignored_for(self, path: str) -> frozenset:
        """Codes/prefixes that ``per_file_ignores`` switch off for ``path``.

        A pattern is matched gitignore-style against ``path`` relative to :attr:`root`
        (so ``tests/`` covers everything under it and ``test_*.py`` matches at any depth);
        a path outside the root is matched by its basename. Test a code against the result
        with :func:`code_matches`.
        """
        result = set()
        for pattern, codes in self.per_file_ignores:
            negated = pattern.startswith("!")
            body = pattern[1:] if negated else pattern
            try:
                matched = files.matches_pattern(body, path, self.root)
            except ValueError:
                matched = False
            if matched != negated:
                result.update(codes)
        return frozenset(result)

    def is_ignored_for(self, code: str, path: str) -> bool:
        """True when ``per_file_ignores`` switch rule ``code`` off for ``path``."""
        return any(code_matches(code, selector) for selector in self.ignored_for(path))

    def per_call_names(self, category: str) -> Tuple[str, ...]:
        """Extra names configured for a lexicon ``category`` (``"id"``, ``"clock"``...)."""
        names: List[str] = []
        for cat, values in self.extend_per_call_names:
            if cat == category:
                names.extend(values)
        return tuple(names)

    def effective_exclude(self) -> Tuple[str, ...]:
        """``exclude`` or the default excludes, followed by ``extend_exclude``."""
        base = files.DEFAULT_EXCLUDE if self.exclude is None else self.exclude
        return tuple(base) + tuple(self.extend_exclude)

    def with_overrides(self, **changes: Any) -> "Settings":
        """A copy with some fields replaced (``dataclasses.replace``).

        Lists are accepted where tuples are stored; ``None`` values for fields that are
        not optional are not filtered out, so pass only what the user actually set.
        """
        for name in _TUPLE_FIELDS:
            if isinstance(changes.get(name), list):
                changes[name] = tuple(changes[name])
        for name in ("per_file_ignores", "extend_per_call_names"):
            if name in changes and changes[name] is not None:
                changes[name] = tuple((key, tuple(values)) for key, values in changes[name])
        return dataclasses.replace(self, **changes)


# --------------------------------------------------------------------------- codes


def _code_groups(known: Sequence[str]) -> str:
    groups = sorted({code[:3] for code in known if len(code) >= 3})
    return ", ".join(groups) if groups else ", ".join(sorted(known))


def parse_codes(
    value: Union[str, Sequence[str]], known_prefixes: Iterable[str], source: str
) -> Tuple[str, ...]:
    """Turn ``"CL101,CL3"`` or ``["CL101", "CL3"]`` into ``("CL101", "CL3")``.

    Items are split on commas and whitespace, upper-cased and de-duplicated. When
    ``known_prefixes`` (the registry's rule codes) is not empty, each item must be ``ALL``
    or a prefix of a known code; otherwise a :class:`ConfigError` prefixed with ``source``
    (e.g. ``"--select"`` or ``"pyproject.toml: [tool.cachelint] 'select'"``) lists the valid
    prefixes.
    """
    known = tuple(known_prefixes)
    if isinstance(value, str):
        raw_items: List[Any] = [value]
    elif isinstance(value, (list, tuple)):
        raw_items = list(value)
    else:
        raise ConfigError("%s: expected rule codes, got %s" % (source, _type_name(value)))
    codes: List[str] = []
    for item in raw_items:
        if not isinstance(item, str):
            raise ConfigError(
                "%s: expected rule codes as strings, got %s" % (source, _type_name(item))
            )
        for part in re.split(r"[,\s]+", item):
            code = part.strip().upper()
            if not code or code in codes:
                continue
            if known and code != "ALL" and not any(k.startswith(code) for k in known):
                import difflib

                close = difflib.get_close_matches(code, known, n=1)
                hint = " (did you mean '%s'?)" % close[0] if close else ""
                raise ConfigError(
                    "%s: unknown rule code or prefix '%s'%s; valid: ALL or a code or prefix "
                    "of %s" % (source, part.strip(), hint, _code_groups(known))
                )
            codes.append(code)
    return tuple(codes)


# ---------------------------------------------------------------------------- TOML


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a float"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, (list, tuple)):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return "a date/time" if hasattr(value, "isoformat") else type(value).__name__


def _suggest(key: str, valid: Sequence[str]) -> str:
    kebab = key.replace("_", "-")
    if kebab in valid and kebab != key:
        return " (did you mean '%s'? keys are kebab-case)" % kebab
    import difflib

    close = difflib.get_close_matches(kebab, valid, n=1, cutoff=0.6)
    if close:
        return " (did you mean '%s'?)" % close[0]
    return " (valid keys: %s)" % ", ".join(valid)


def _load_toml(path: str, display: str) -> Dict[str, Any]:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise ConfigError("%s: configuration file not found" % display) from None
    except OSError as exc:
        raise ConfigError("%s: cannot read configuration file (%s)" % (display, files._stat_error_reason(exc))) from None
    if stat.S_ISDIR(st.st_mode):
        raise ConfigError("%s: is a directory, not a configuration file" % display)
    if not stat.S_ISREG(st.st_mode):
        raise ConfigError("%s: not a regular file" % display)
    data = files.read_source(path, max_bytes=16 * 1024 * 1024)
    if isinstance(data, files.ReadError):
        raise ConfigError("%s: cannot read configuration file (%s)" % (display, data.reason))
    return _parse_toml(data, display)


def _parse_toml(data: bytes, display: str) -> Dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python < 3.11 only
        import tomli as tomllib

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            "%s: not valid UTF-8 (byte 0x%02x at offset %d)" % (display, data[exc.start], exc.start)
        ) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = " ".join(str(exc).split())
        raise ConfigError("%s: invalid TOML: %s" % (display, message)) from None


def _cachelint_table(document: Dict[str, Any], display: str) -> Optional[Dict[str, Any]]:
    tool = document.get("tool")
    if not isinstance(tool, dict) or "cachelint" not in tool:
        return None
    table = tool["cachelint"]
    if not isinstance(table, dict):
        raise ConfigError(
            "%s: 'tool.cachelint' must be a table, got %s" % (display, _type_name(table))
        )
    return table


def _start_dir(start: str) -> str:
    absolute = os.path.abspath(start)
    if os.path.isdir(absolute):
        return absolute
    return os.path.dirname(absolute)


def _find(start: str) -> Optional[Tuple[str, Dict[str, Any]]]:
    current = _start_dir(start)
    while True:
        candidate = os.path.join(current, CONFIG_FILENAME)
        try:
            is_file = stat.S_ISREG(os.stat(candidate).st_mode)
        except OSError:
            is_file = False
        if is_file:
            data = files.read_source(candidate, max_bytes=16 * 1024 * 1024)
            # A pyproject.toml that never mentions cachelint cannot hold our table: skip
            # it without parsing (and without failing on someone else's broken file).
            if not isinstance(data, files.ReadError) and b"cachelint" in data:
                display = files.display_path(candidate)
                table = _cachelint_table(_parse_toml(data, display), display)
                if table is not None:
                    return candidate, table
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def find_config(start: str) -> Optional[str]:
    """The nearest ``pyproject.toml`` with a ``[tool.cachelint]`` table.

    Searches ``start`` (a file or a directory) and then each parent directory. Files that
    do not mention cachelint are skipped unparsed; a file that does but is not valid TOML
    raises :class:`ConfigError`. Returns an absolute path or ``None``.
    """
    found = _find(start)
    return found[0] if found else None


def load_settings(
    config_path: Optional[str], start: str = ".", known_codes: Iterable[str] = ()
) -> Settings:
    """Read the settings.

    With ``config_path`` that file is used; it must exist and contain a
    ``[tool.cachelint]`` table. Without, :func:`find_config` searches upward from
    ``start``; when nothing is found the defaults are returned with ``root`` set to the
    current directory. Patterns in the file are relative to the file's directory, which
    becomes :attr:`Settings.root`.

    ``known_codes`` (all rule codes of the registry) enables validation of every code in
    the file. Raises :class:`ConfigError` for every problem in the file.
    """
    known = tuple(known_codes)
    if config_path is not None:
        path = os.path.abspath(config_path)
        display = files.display_path(config_path)
        table = _cachelint_table(_load_toml(path, display), display)
        if table is None:
            raise ConfigError("%s: no [tool.cachelint] table" % display)
    else:
        found = _find(start)
        if found is None:
            return Settings(root=os.getcwd())
        path, table = found
        display = files.display_path(path)
    return _settings_from_table(table, path, display, known)


# ------------------------------------------------------------------------ validation

_TOP_KEYS: Tuple[str, ...] = (
    "select",
    "extend-select",
    "ignore",
    "exclude",
    "extend-exclude",
    "per-file-ignores",
    "extend-per-call-names",
    "respect-gitignore",
    "force-exclude",
    "decorators",
)

_DECL_KEYS: Tuple[str, ...] = ("persistent", "exclude", "ignore-argument", "serializer", "self-keyed")

_TABLE = "[tool.cachelint]"


class _Checker:
    """Type checks that produce one-line errors naming the file, table and key."""

    def __init__(self, display: str) -> None:
        self.display = display

    def fail(self, table: str, message: str) -> ConfigError:
        return ConfigError("%s: %s %s" % (self.display, table, message))

    def where(self, table: str, key: str) -> str:
        return "%s: %s '%s'" % (self.display, table, key)

    def boolean(self, table: str, key: str, value: Any) -> bool:
        if not isinstance(value, bool):
            raise self.fail(table, "'%s' must be a boolean (true or false), got %s" % (key, _type_name(value)))
        return value

    def string(self, table: str, key: str, value: Any) -> str:
        if not isinstance(value, str):
            raise self.fail(table, "'%s' must be a string, got %s" % (key, _type_name(value)))
        return value

    def strings(self, table: str, key: str, value: Any) -> Tuple[str, ...]:
        if not isinstance(value, list):
            raise self.fail(table, "'%s' must be an array of strings, got %s" % (key, _type_name(value)))
        for index, item in enumerate(value):
            if not isinstance(item, str):
                raise self.fail(
                    table,
                    "'%s' must be an array of strings, item %d is %s" % (key, index + 1, _type_name(item)),
                )
        return tuple(value)

    def table(self, table: str, key: str, value: Any) -> Dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(table, "'%s' must be a table, got %s" % (key, _type_name(value)))
        return value

    def unknown_keys(self, table: str, given: Iterable[str], valid: Sequence[str]) -> None:
        for key in given:
            if key not in valid:
                raise self.fail(table, "unknown key '%s'%s" % (key, _suggest(key, valid)))

    def patterns(self, table: str, key: str, value: Any) -> Tuple[str, ...]:
        patterns = self.strings(table, key, value)
        for pattern in patterns:
            try:
                files.compile_patterns([pattern], strict=True)
            except ValueError:
                raise self.fail(table, "'%s' contains an invalid pattern %r" % (key, pattern)) from None
        return patterns

    def codes(self, table: str, key: str, value: Any, known: Sequence[str]) -> Tuple[str, ...]:
        return parse_codes(self.strings(table, key, value), known, self.where(table, key))


def _settings_from_table(
    table: Dict[str, Any], path: str, display: str, known: Sequence[str]
) -> Settings:
    check = _Checker(display)
    check.unknown_keys(_TABLE, table, _TOP_KEYS)
    values: Dict[str, Any] = {"root": os.path.dirname(path), "config_path": path}

    for key in ("select", "extend-select", "ignore"):
        if key in table:
            values[key.replace("-", "_")] = check.codes(_TABLE, key, table[key], known)
    for key in ("exclude", "extend-exclude"):
        if key in table:
            values[key.replace("-", "_")] = check.patterns(_TABLE, key, table[key])
    for key in ("respect-gitignore", "force-exclude"):
        if key in table:
            values[key.replace("-", "_")] = check.boolean(_TABLE, key, table[key])

    if "per-file-ignores" in table:
        sub = "[tool.cachelint.per-file-ignores]"
        entries = []
        for pattern, codes in check.table(_TABLE, "per-file-ignores", table["per-file-ignores"]).items():
            body = pattern[1:] if pattern.startswith("!") else pattern
            if not body.strip():
                raise check.fail(sub, "has an empty file pattern")
            try:
                files.compile_patterns([body], strict=True)
            except ValueError:
                raise check.fail(sub, "invalid file pattern %r" % pattern) from None
            entries.append((pattern, check.codes(sub, pattern, codes, known)))
        values["per_file_ignores"] = tuple(entries)

    if "extend-per-call-names" in table:
        sub = "[tool.cachelint.extend-per-call-names]"
        entries = []
        given = check.table(_TABLE, "extend-per-call-names", table["extend-per-call-names"])
        for category, names in given.items():
            if category not in PER_CALL_CATEGORIES:
                raise check.fail(
                    sub, "unknown category '%s'%s" % (category, _suggest(category, PER_CALL_CATEGORIES).replace("valid keys", "valid categories"))
                )
            names = check.strings(sub, category, names)
            for name in names:
                if not name.strip():
                    raise check.fail(sub, "'%s' contains an empty name" % category)
            entries.append((category, tuple(names)))
        values["extend_per_call_names"] = tuple(entries)

    if "decorators" in table:
        given = check.table(_TABLE, "decorators", table["decorators"])
        values["decorators"] = tuple(
            _decorator(check, qualname, decl) for qualname, decl in given.items()
        )
    return Settings(**values)


def _is_dotted_name(name: str) -> bool:
    return bool(name) and all(part.isidentifier() for part in name.split("."))


def _decorator(check: _Checker, qualname: str, decl: Any) -> DecoratorDecl:
    sub = '[tool.cachelint.decorators."%s"]' % qualname
    if not _is_dotted_name(qualname):
        raise check.fail(
            "[tool.cachelint.decorators]",
            "'%s' is not a dotted Python name (expected e.g. \"mypkg.caching.disk_cache\")" % qualname,
        )
    if not isinstance(decl, dict):
        raise check.fail(
            "[tool.cachelint.decorators]",
            "'%s' must be a table, got %s" % (qualname, _type_name(decl)),
        )
    for key, value in decl.items():
        if key in _DECL_KEYS:
            continue
        if isinstance(value, dict):
            # [tool.cachelint.decorators.pkg.mod] without quotes nests tables.
            parts = [qualname, key]
            inner = value
            while (
                len(inner) == 1
                and isinstance(next(iter(inner.values())), dict)
                and next(iter(inner)) not in _DECL_KEYS
            ):
                name = next(iter(inner))
                parts.append(name)
                inner = inner[name]
            dotted = ".".join(parts)
            raise check.fail(
                '[tool.cachelint.decorators."%s"]' % qualname,
                "unknown key '%s' (to declare '%s', quote the dotted name: "
                '[tool.cachelint.decorators."%s"])' % (key, dotted, dotted),
            )
        raise check.fail(sub, "unknown key '%s'%s" % (key, _suggest(key, _DECL_KEYS)))

    fields: Dict[str, Any] = {"qualname": qualname}
    if "persistent" in decl:
        fields["persistent"] = check.boolean(sub, "persistent", decl["persistent"])
    if "self-keyed" in decl:
        fields["self_keyed"] = check.boolean(sub, "self-keyed", decl["self-keyed"])
    if "exclude" in decl:
        value = check.string(sub, "exclude", decl["exclude"])
        if value not in EXCLUDE_CONVENTIONS:
            raise check.fail(
                sub, "'exclude' must be one of %s, got %r" % (", ".join(repr(v) for v in EXCLUDE_CONVENTIONS), value)
            )
        fields["exclude"] = None if value == "none" else value
    if "ignore-argument" in decl:
        value = check.string(sub, "ignore-argument", decl["ignore-argument"])
        if not value.isidentifier():
            raise check.fail(sub, "'ignore-argument' must be a keyword argument name, got %r" % value)
        fields["ignore_argument"] = value
    if "serializer" in decl:
        value = check.string(sub, "serializer", decl["serializer"])
        if value not in SERIALIZERS:
            raise check.fail(
                sub, "'serializer' must be one of %s, got %r" % (", ".join(repr(v) for v in SERIALIZERS), value)
            )
        fields["serializer"] = value
    return DecoratorDecl(**fields)

"""Tests for cachelint.config: finding, parsing and validating [tool.cachelint]."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from cachelint import files
from cachelint.config import (
    ConfigError,
    DecoratorDecl,
    Settings,
    code_matches,
    find_config,
    load_settings,
    parse_codes,
)

KNOWN = ("CL001", "CL002", "CL101", "CL102", "CL107", "CL201", "CL301", "CL402", "CL701", "CL702")


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def load_text(project, text, known=KNOWN):
    write(project / "pyproject.toml", text)
    return load_settings(None, str(project), known_codes=known)


def config_error(project, text, known=KNOWN):
    with pytest.raises(ConfigError) as info:
        load_text(project, text, known)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith("pyproject.toml: ")
    return message


# ------------------------------------------------------------------ finding


def test_find_config_searches_upward(project):
    config = write(project / "pyproject.toml", "[tool.cachelint]\nselect = ['CL1']\n")
    write(project / "a" / "pyproject.toml", "[tool.black]\nline-length = 100\n")
    write(project / "a" / "b" / "pyproject.toml", "[project]\ndependencies = ['cachelint']\n")
    (project / "a" / "b" / "c").mkdir()
    write(project / "a" / "b" / "c" / "mod.py", "x = 1\n")
    assert find_config(str(project / "a" / "b" / "c")) == str(config)
    assert find_config(str(project / "a" / "b" / "c" / "mod.py")) == str(config)
    assert find_config(str(project)) == str(config)


def test_find_config_nearest_wins(project):
    write(project / "pyproject.toml", "[tool.cachelint]\n")
    inner = write(project / "sub" / "pyproject.toml", "[tool.cachelint]\nignore = ['CL1']\n")
    assert find_config(str(project / "sub")) == str(inner)


def test_find_config_none(project):
    (project / "empty").mkdir()
    assert find_config(str(project / "empty")) is None


def test_find_config_malformed_file_mentioning_cachelint(project):
    write(project / "pyproject.toml", "[tool.cachelint\nselect = 1\n")
    with pytest.raises(ConfigError, match=r"pyproject.toml: invalid TOML: .*line 1"):
        find_config(str(project))


def test_find_config_skips_broken_unrelated_file(project):
    write(project / "pyproject.toml", "[tool.cachelint]\n")
    write(project / "sub" / "pyproject.toml", "this is [not toml\n")
    assert find_config(str(project / "sub")) == str(project / "pyproject.toml")


def test_find_config_ignores_directory_named_pyproject(project):
    (project / "sub" / "pyproject.toml").mkdir(parents=True)
    write(project / "pyproject.toml", "[tool.cachelint]\n")
    assert find_config(str(project / "sub")) == str(project / "pyproject.toml")


# ------------------------------------------------------------------ loading


def test_load_without_config_gives_defaults(project):
    settings = load_settings(None, str(project))
    assert settings == Settings(root=os.getcwd())
    assert settings.config_path is None


def test_load_found_config_sets_root_and_path(project):
    write(project / "pyproject.toml", "[tool.cachelint]\nselect = ['CL1']\n")
    (project / "src").mkdir()
    settings = load_settings(None, str(project / "src"), known_codes=KNOWN)
    assert settings.root == str(project)
    assert settings.config_path == str(project / "pyproject.toml")
    assert settings.select == ("CL1",)


def test_load_all_keys(project):
    settings = load_text(
        project,
        """
        [tool.cachelint]
        select = ["CL1", "CL201"]
        extend-select = ["CL402"]
        ignore = ["CL107"]
        exclude = ["vendored/"]
        extend-exclude = ["*_pb2.py"]
        respect-gitignore = false
        force-exclude = true

        [tool.cachelint.per-file-ignores]
        "tests/" = ["CL1"]
        "__init__.py" = ["CL101", "CL102"]

        [tool.cachelint.extend-per-call-names]
        id = ["ticket_id", "batch_no"]
        clock = ["as_of"]

        [tool.cachelint.decorators."myproj.cache.disk_cache"]
        persistent = true
        exclude = "underscore"
        ignore-argument = "ignore"
        serializer = "json"
        self-keyed = false

        [tool.cachelint.decorators."myproj.cache.memo"]
        """,
    )
    assert settings.select == ("CL1", "CL201")
    assert settings.extend_select == ("CL402",)
    assert settings.ignore == ("CL107",)
    assert settings.exclude == ("vendored/",)
    assert settings.extend_exclude == ("*_pb2.py",)
    assert settings.respect_gitignore is False
    assert settings.force_exclude is True
    assert settings.per_file_ignores == (("tests/", ("CL1",)), ("__init__.py", ("CL101", "CL102")))
    assert settings.per_call_names("id") == ("ticket_id", "batch_no")
    assert settings.per_call_names("clock") == ("as_of",)
    assert settings.per_call_names("bytes") == ()
    assert settings.decorators == (
        DecoratorDecl(
            qualname="myproj.cache.disk_cache",
            persistent=True,
            exclude="underscore",
            ignore_argument="ignore",
            serializer="json",
            self_keyed=False,
        ),
        DecoratorDecl(qualname="myproj.cache.memo"),
    )
    assert settings.effective_exclude() == ("vendored/", "*_pb2.py")


def test_explicit_path_missing(project):
    with pytest.raises(ConfigError, match=r"^nope\.toml: configuration file not found$"):
        load_settings("nope.toml")


def test_explicit_path_is_directory(project):
    (project / "conf").mkdir()
    with pytest.raises(ConfigError, match="is a directory"):
        load_settings("conf")


def test_explicit_path_without_table(project):
    write(project / "other.toml", "[tool.black]\nx = 1\n")
    with pytest.raises(ConfigError, match=r"^other\.toml: no \[tool\.cachelint\] table$"):
        load_settings("other.toml")


def test_explicit_path_is_used_even_when_another_is_nearer(project):
    write(project / "pyproject.toml", "[tool.cachelint]\nignore = ['CL1']\n")
    write(project / "conf" / "custom.toml", "[tool.cachelint]\nselect = ['CL2']\n")
    settings = load_settings("conf/custom.toml", known_codes=KNOWN)
    assert settings.select == ("CL2",)
    assert settings.ignore == ()
    assert settings.root == str(project / "conf")


def test_malformed_toml(project):
    message = config_error(project, "[tool.cachelint]\nselect = = 1\n")
    assert "invalid TOML" in message
    assert "line" in message and "column" in message


def test_invalid_utf8_config(project):
    (project / "pyproject.toml").write_bytes(b"[tool.cachelint]\n# \xff cachelint\n")
    with pytest.raises(ConfigError, match="not valid UTF-8"):
        load_settings(None, str(project))


def test_table_is_not_a_table(project):
    message = config_error(project, "[tool]\ncachelint = 3\n")
    assert "'tool.cachelint' must be a table, got an integer" in message


# ------------------------------------------------------------------ wrong types


@pytest.mark.parametrize(
    "text, expected",
    [
        ("select = 'CL1'", "[tool.cachelint] 'select' must be an array of strings, got a string"),
        ("ignore = ['CL1', 2]", "[tool.cachelint] 'ignore' must be an array of strings, item 2 is an integer"),
        ("exclude = 'build'", "[tool.cachelint] 'exclude' must be an array of strings, got a string"),
        ("extend-exclude = [true]", "'extend-exclude' must be an array of strings, item 1 is a boolean"),
        ("respect-gitignore = 'yes'", "[tool.cachelint] 'respect-gitignore' must be a boolean (true or false), got a string"),
        ("force-exclude = 1", "'force-exclude' must be a boolean (true or false), got an integer"),
        ("per-file-ignores = ['tests/']", "[tool.cachelint] 'per-file-ignores' must be a table, got an array"),
        ("per-file-ignores = { 'tests/' = 'CL1' }", "[tool.cachelint.per-file-ignores] 'tests/' must be an array of strings, got a string"),
        ("extend-per-call-names = { id = 'x' }", "[tool.cachelint.extend-per-call-names] 'id' must be an array of strings, got a string"),
        ("decorators = ['a.b']", "[tool.cachelint] 'decorators' must be a table, got an array"),
        ("decorators = { 'a.b' = 1 }", "[tool.cachelint.decorators] 'a.b' must be a table, got an integer"),
        ("decorators = { 'a.b' = { persistent = 'yes' } }", "[tool.cachelint.decorators.\"a.b\"] 'persistent' must be a boolean (true or false), got a string"),
        ("decorators = { 'a.b' = { serializer = 'yaml' } }", "'serializer' must be one of 'none', 'pickle', 'json', 'repr', 'unknown', got 'yaml'"),
        ("decorators = { 'a.b' = { exclude = 'private' } }", "'exclude' must be one of 'underscore', 'none', got 'private'"),
        ("decorators = { 'a.b' = { ignore-argument = 'not a name' } }", "'ignore-argument' must be a keyword argument name, got 'not a name'"),
        ("decorators = { 'a.b' = { self-keyed = 0 } }", "'self-keyed' must be a boolean (true or false), got an integer"),
        ("decorators = { '1bad' = {} }", "'1bad' is not a dotted Python name"),
        ("select = 1979-05-27", "'select' must be an array of strings, got a date/time"),
    ],
)
def test_wrong_types(project, text, expected):
    message = config_error(project, "[tool.cachelint]\n" + text + "\n")
    assert expected in message


def test_invalid_patterns(project):
    message = config_error(project, "[tool.cachelint]\nexclude = ['!']\n")
    assert "'exclude' contains an invalid pattern '!'" in message
    message = config_error(project, "[tool.cachelint.per-file-ignores]\n'' = ['CL1']\n")
    assert "empty file pattern" in message


# ------------------------------------------------------------ unknown keys


def test_misspelled_key_suggestion(project):
    message = config_error(project, "[tool.cachelint]\nselct = ['CL1']\n")
    assert message == "pyproject.toml: [tool.cachelint] unknown key 'selct' (did you mean 'select'?)"


def test_snake_case_key_suggestion(project):
    message = config_error(project, "[tool.cachelint]\nextend_exclude = ['x']\n")
    assert "unknown key 'extend_exclude' (did you mean 'extend-exclude'?" in message


def test_unknown_key_without_close_match_lists_valid_keys(project):
    message = config_error(project, "[tool.cachelint]\nzzzz = 1\n")
    assert "unknown key 'zzzz' (valid keys: select, extend-select" in message


def test_misspelled_decorator_key(project):
    message = config_error(
        project, "[tool.cachelint.decorators.\"pkg.cache\"]\npersistant = true\n"
    )
    assert message == (
        "pyproject.toml: [tool.cachelint.decorators.\"pkg.cache\"] unknown key "
        "'persistant' (did you mean 'persistent'?)"
    )


def test_unquoted_dotted_decorator_name(project):
    message = config_error(project, "[tool.cachelint.decorators.pkg.mod.cached]\npersistent = true\n")
    assert "quote the dotted name" in message
    assert '[tool.cachelint.decorators."pkg.mod.cached"]' in message


def test_unknown_per_call_category(project):
    message = config_error(project, "[tool.cachelint.extend-per-call-names]\nclok = ['x']\n")
    assert "unknown category 'clok' (did you mean 'clock'?)" in message


# ------------------------------------------------------------ code validation


def test_parse_codes_forms():
    assert parse_codes("CL101,CL3", (), "--select") == ("CL101", "CL3")
    assert parse_codes("cl101, CL102  CL101", KNOWN, "--select") == ("CL101", "CL102")
    assert parse_codes(["CL1", "CL70,CL001"], KNOWN, "--select") == ("CL1", "CL70", "CL001")
    assert parse_codes("ALL", KNOWN, "--select") == ("ALL",)
    assert parse_codes("", KNOWN, "--select") == ()


def test_parse_codes_unknown_lists_prefixes():
    with pytest.raises(ConfigError) as info:
        parse_codes("CL101,CL999", KNOWN, "--select")
    message = str(info.value)
    assert message.startswith("--select: unknown rule code or prefix 'CL999'")
    assert "CL0, CL1, CL2, CL3, CL4, CL7" in message and "ALL" in message


def test_parse_codes_suggests_close_code():
    with pytest.raises(ConfigError, match=r"did you mean 'CL101'"):
        parse_codes("CL1011", KNOWN, "--ignore")


def test_parse_codes_rejects_non_strings():
    with pytest.raises(ConfigError, match="expected rule codes as strings, got an integer"):
        parse_codes(["CL1", 5], KNOWN, "x")
    with pytest.raises(ConfigError, match="expected rule codes, got an integer"):
        parse_codes(5, KNOWN, "x")


def test_codes_validated_in_config(project):
    message = config_error(project, "[tool.cachelint]\nextend-select = ['CL9']\n")
    assert "[tool.cachelint] 'extend-select': unknown rule code or prefix 'CL9'" in message
    message = config_error(project, "[tool.cachelint.per-file-ignores]\n'tests/' = ['B019']\n")
    assert "[tool.cachelint.per-file-ignores] 'tests/': unknown rule code or prefix 'B019'" in message


def test_codes_not_validated_without_known_codes(project):
    settings = load_text(project, "[tool.cachelint]\nselect = ['XYZ1']\n", known=())
    assert settings.select == ("XYZ1",)


# ------------------------------------------------------------------ selection


@pytest.mark.parametrize(
    "kwargs, code, default_on, expected",
    [
        ({}, "CL101", True, True),
        ({}, "CL402", False, False),
        ({"ignore": ("CL1",)}, "CL101", True, False),
        ({"ignore": ("CL1",)}, "CL201", True, True),
        ({"select": ("CL1",)}, "CL101", True, True),
        ({"select": ("CL1",)}, "CL201", True, False),
        ({"select": ("CL4",)}, "CL402", False, True),
        ({"select": ("ALL",)}, "CL702", False, True),
        ({"extend_select": ("CL402",)}, "CL402", False, True),
        ({"extend_select": ("CL402",)}, "CL101", True, True),
        ({"select": ("CL1",), "extend_select": ("CL201",)}, "CL201", True, True),
        # The longer (more specific) selector wins.
        ({"select": ("CL101",), "ignore": ("CL1",)}, "CL101", True, True),
        ({"select": ("CL101",), "ignore": ("CL1",)}, "CL102", True, False),
        ({"select": ("CL1",), "ignore": ("CL101",)}, "CL101", True, False),
        ({"select": ("CL1",), "ignore": ("CL101",)}, "CL102", True, True),
        ({"ignore": ("ALL",), "extend_select": ("CL201",)}, "CL201", True, True),
        ({"ignore": ("ALL",), "extend_select": ("CL201",)}, "CL101", True, False),
        ({"select": ("ALL",), "ignore": ("CL7",)}, "CL701", False, False),
        # Same specificity: ignore wins.
        ({"select": ("CL1",), "ignore": ("CL1",)}, "CL101", True, False),
        ({"extend_select": ("CL402",), "ignore": ("CL402",)}, "CL402", False, False),
        ({"select": ("ALL",), "ignore": ("ALL",)}, "CL101", True, False),
        ({"select": ()}, "CL101", True, False),
    ],
)
def test_is_enabled(kwargs, code, default_on, expected):
    assert Settings(**kwargs).is_enabled(code, default_on) is expected


def test_code_matches():
    assert code_matches("CL101", "CL1")
    assert code_matches("CL101", "ALL")
    assert not code_matches("CL101", "CL2")


# ------------------------------------------------------------ per-file ignores


def test_per_file_ignores_matching(tmp_path):
    root = tmp_path / "proj"
    settings = Settings(
        root=str(root),
        per_file_ignores=(
            ("tests/", ("CL1",)),
            ("__init__.py", ("CL101",)),
            ("/scripts/*.py", ("CL2",)),
            ("**/legacy/*.py", ("CL3",)),
            ("!src/**", ("CL7",)),
        ),
    )
    assert settings.ignored_for(str(root / "tests" / "unit" / "test_a.py")) == {"CL1", "CL7"}
    assert settings.ignored_for(str(root / "src" / "pkg" / "__init__.py")) == {"CL101"}
    assert settings.ignored_for(str(root / "scripts" / "run.py")) == {"CL2", "CL7"}
    assert settings.ignored_for(str(root / "src" / "scripts" / "run.py")) == frozenset()
    assert settings.ignored_for(str(root / "src" / "a" / "legacy" / "old.py")) == {"CL3"}
    # Outside the root only the basename counts.
    assert settings.ignored_for(str(tmp_path / "elsewhere" / "__init__.py")) == {"CL101", "CL7"}
    assert settings.is_ignored_for("CL102", str(root / "tests" / "x.py"))
    assert not settings.is_ignored_for("CL201", str(root / "tests" / "x.py"))


def test_per_file_ignores_relative_paths_resolve_against_cwd(project):
    (project / "sub").mkdir()
    settings = Settings(root=str(project), per_file_ignores=(("sub/*.py", ("CL1",)),))
    assert settings.ignored_for("sub/a.py") == {"CL1"}
    os.chdir(str(project / "sub"))
    assert settings.ignored_for("a.py") == {"CL1"}
    assert settings.ignored_for("<string>") == frozenset()


def test_per_file_ignores_from_config(project):
    settings = load_text(project, "[tool.cachelint.per-file-ignores]\n'tests/*.py' = ['CL101']\n")
    assert settings.ignored_for("tests/test_x.py") == {"CL101"}
    assert settings.ignored_for("src/x.py") == frozenset()


# ------------------------------------------------------------------ overrides


def test_with_overrides_coerces_lists():
    base = Settings(ignore=("CL1",))
    new = base.with_overrides(select=["CL2"], extend_exclude=["x/"], per_file_ignores=[("a.py", ["CL1"])])
    assert new.select == ("CL2",)
    assert new.extend_exclude == ("x/",)
    assert new.per_file_ignores == (("a.py", ("CL1",)),)
    assert new.ignore == ("CL1",)
    assert base.select is None
    hash(new)  # still hashable: every field is a tuple


def test_effective_exclude_defaults():
    assert Settings().effective_exclude() == files.DEFAULT_EXCLUDE
    assert Settings(extend_exclude=("gen/",)).effective_exclude()[-1] == "gen/"


def test_config_module_imports_neither_libcst_nor_rules():
    code = (
        "import sys, cachelint.config; "
        "print('libcst' in sys.modules, 'cachelint.rules' in sys.modules)"
    )
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False", "False"]

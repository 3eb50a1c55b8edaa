"""Tests for cachelint.files: discovery, exclusion, .gitignore, reading and decoding."""
from __future__ import annotations

import codecs
import os
import platform
import stat
import subprocess
import sys
import threading

import pytest

from cachelint.files import (
    DEFAULT_EXCLUDE,
    ReadError,
    SourceFile,
    decode_source,
    discover,
    display_path,
    matches_pattern,
    read_and_decode,
    read_source,
)

needs_posix = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs POSIX special files")
not_root = pytest.mark.skipif(
    hasattr(os, "geteuid") and os.geteuid() == 0,
    reason="root can read files regardless of permissions",
)


def make(base, *relpaths, content="x = 1\n"):
    """Create files (and their directories) under ``base``."""
    for rel in relpaths:
        path = base / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)


def paths_of(found):
    return [f.path for f in found]


@pytest.fixture
def tree(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def can_symlink(tmp_path):
    try:
        os.symlink(str(tmp_path), str(tmp_path / "_probe"))
    except (OSError, NotImplementedError):
        return False
    os.unlink(str(tmp_path / "_probe"))
    return True


# ----------------------------------------------------------------------- walking


def test_walk_finds_py_and_pyi_in_sorted_order(tree):
    make(tree, "b.py", "a.py", "pkg/z.pyi", "pkg/sub/m.py", "pkg/readme.txt", "pkg/data.json", "c.pyc")
    found, errors = discover(["."])
    assert errors == []
    assert paths_of(found) == ["a.py", "b.py", "pkg/sub/m.py", "pkg/z.pyi"]
    assert all(isinstance(f, SourceFile) for f in found)
    assert found[0].abs_path == str(tree / "a.py")


def test_walk_order_is_deterministic_regardless_of_argument_order(tree):
    make(tree, "x/a.py", "y/b.py")
    one, _ = discover(["y", "x"])
    two, _ = discover(["x", "y"])
    assert one == two
    assert paths_of(one) == ["x/a.py", "y/b.py"]


def test_default_excludes_prune_directories(tree):
    make(
        tree,
        "keep.py",
        ".venv/lib/a.py",
        "venv/b.py",
        "build/c.py",
        "dist/d.py",
        "node_modules/e.py",
        "pkg/__pycache__/f.py",
        "proj.egg-info/g.py",
        ".git/hooks/h.py",
        ".tox/i.py",
        "deep/nested/site-packages/j.py",
        ".cachelint_cache/k.py",
    )
    found, errors = discover(["."])
    assert errors == []
    assert paths_of(found) == ["keep.py"]
    for name in (".git", "__pycache__", "*.egg-info", ".cachelint_cache", "node_modules"):
        assert name in DEFAULT_EXCLUDE


def test_exclude_replaces_defaults(tree):
    make(tree, "build/a.py", "gen/b.py", "c.py")
    found, _ = discover(["."], exclude=["gen"])
    assert paths_of(found) == ["build/a.py", "c.py"]


def test_extend_exclude_adds_to_defaults(tree):
    make(tree, "build/a.py", "proto/x_pb2.py", "proto/x.py", "c.py")
    found, _ = discover(["."], extend_exclude=["*_pb2.py"])
    assert paths_of(found) == ["c.py", "proto/x.py"]


def test_anchored_pattern_only_matches_at_root(tree):
    make(tree, "legacy/a.py", "src/legacy/b.py", "src/c.py")
    found, _ = discover(["."], extend_exclude=["/legacy"])
    assert paths_of(found) == ["src/c.py", "src/legacy/b.py"]
    found, _ = discover(["."], extend_exclude=["src/legacy/"])
    assert paths_of(found) == ["legacy/a.py", "src/c.py"]


def test_unanchored_pattern_matches_at_any_depth(tree):
    make(tree, "a/generated/x.py", "b/c/generated/y.py", "z.py")
    found, _ = discover(["."], extend_exclude=["generated/"])
    assert paths_of(found) == ["z.py"]


def test_negated_exclude_pattern_reincludes(tree):
    make(tree, "a_test.py", "keep_test.py", "b.py")
    found, _ = discover(["."], extend_exclude=["*_test.py", "!keep_test.py"])
    assert paths_of(found) == ["b.py", "keep_test.py"]


def test_patterns_are_relative_to_root_not_cwd(tmp_path, monkeypatch):
    project = tmp_path / "project"
    make(project, "src/legacy/a.py", "src/b.py")
    monkeypatch.chdir(project / "src")
    found, _ = discover(["."], extend_exclude=["/src/legacy"], root=str(project))
    assert paths_of(found) == ["b.py"]
    # Without the root the anchored pattern means cwd/src/legacy, which does not exist.
    found, _ = discover(["."], extend_exclude=["/src/legacy"])
    assert paths_of(found) == ["b.py", "legacy/a.py"]


def test_outside_root_matches_basenames(tmp_path, monkeypatch):
    project = tmp_path / "project"
    other = tmp_path / "other"
    make(other, "gen/a.py", "b.py", "deep/gen/c.py")
    project.mkdir()
    monkeypatch.chdir(project)
    found, _ = discover([str(other)], extend_exclude=["gen"], root=str(project))
    assert [os.path.basename(f.path) for f in found] == ["b.py"]
    # Displayed as given, since it is not under the current directory.
    assert found[0].path == str(other / "b.py").replace(os.sep, "/")


def test_invalid_exclude_pattern_raises_value_error(tree):
    with pytest.raises(ValueError, match="invalid"):
        discover(["."], extend_exclude=["!"])


# ---------------------------------------------------------------------- gitignore


def test_gitignore_root_and_nested(tree):
    (tree / ".git").mkdir()
    (tree / ".gitignore").write_text("# comment\n*_gen.py\n!keep_gen.py\nscratch/\n")
    make(tree, "a.py", "a_gen.py", "keep_gen.py", "scratch/s.py", "sub/local_x.py", "sub/y.py", "other/local_z.py")
    (tree / "sub" / ".gitignore").write_text("local_*.py\n/y.py\n")
    found, errors = discover(["."])
    assert errors == []
    assert paths_of(found) == ["a.py", "keep_gen.py", "other/local_z.py"]


def test_nested_gitignore_can_reinclude(tree):
    (tree / ".git").mkdir()
    (tree / ".gitignore").write_text("*_gen.py\n")
    make(tree, "a_gen.py", "sub/b_gen.py")
    (tree / "sub" / ".gitignore").write_text("!b_gen.py\n")
    found, _ = discover(["."])
    assert paths_of(found) == ["sub/b_gen.py"]


def test_git_info_exclude(tree):
    (tree / ".git" / "info").mkdir(parents=True)
    (tree / ".git" / "info" / "exclude").write_text("private.py\n")
    make(tree, "private.py", "public.py")
    found, _ = discover(["."])
    assert paths_of(found) == ["public.py"]


def test_respect_gitignore_false(tree):
    (tree / ".git").mkdir()
    (tree / ".gitignore").write_text("ignored.py\n")
    make(tree, "ignored.py", "b.py")
    found, _ = discover(["."], respect_gitignore=False)
    assert paths_of(found) == ["b.py", "ignored.py"]


def test_ancestor_gitignore_up_to_git_top(tmp_path, monkeypatch):
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / ".gitignore").write_text("skipme.py\n")
    (tmp_path / ".gitignore").write_text("above_repo.py\n")  # outside the work tree
    make(repo, "pkg/skipme.py", "pkg/above_repo.py", "pkg/ok.py")
    monkeypatch.chdir(repo / "pkg")
    found, _ = discover(["."])
    assert paths_of(found) == ["above_repo.py", "ok.py"]


def test_gitignore_without_git_directory_from_root_down(tree):
    (tree / ".gitignore").write_text("ignored.py\n")
    make(tree, "ignored.py", "b.py")
    found, _ = discover(["."])
    assert paths_of(found) == ["b.py"]


def test_unreadable_or_odd_gitignore_is_tolerated(tree):
    (tree / ".gitignore").mkdir()  # a directory named .gitignore
    (tree / "sub").mkdir()
    (tree / "sub" / ".gitignore").write_bytes(b"\xff\xfe bad\n!\nok_*.py\n")
    make(tree, "a.py", "sub/ok_1.py", "sub/b.py")
    found, errors = discover(["."])
    assert errors == []
    assert paths_of(found) == ["a.py", "sub/b.py"]


# ------------------------------------------------------------------ explicit paths


def test_explicit_files_are_always_included(tree):
    (tree / ".git").mkdir()
    (tree / ".gitignore").write_text("ignored.py\n")
    make(tree, "build/x.py", "ignored.py", "script", "notes.txt")
    found, errors = discover(["build/x.py", "ignored.py", "script", "notes.txt"])
    assert errors == []
    assert paths_of(found) == ["build/x.py", "ignored.py", "notes.txt", "script"]


def test_force_exclude_drops_explicit_files(tree):
    (tree / ".git").mkdir()
    (tree / ".gitignore").write_text("ignored.py\n")
    make(tree, "build/x.py", "ignored.py", "ok.py", "gen_pb2.py")
    found, _ = discover(
        ["build/x.py", "ignored.py", "ok.py", "gen_pb2.py"],
        extend_exclude=["*_pb2.py"],
        force_exclude=True,
    )
    assert paths_of(found) == ["ok.py"]


def test_explicit_excluded_directory_is_walked_unless_forced(tree):
    make(tree, "build/a.py", "build/sub/b.py", "build/sub/node_modules/c.py")
    found, _ = discover(["build"])
    assert paths_of(found) == ["build/a.py", "build/sub/b.py"]
    found, _ = discover(["build/sub"])
    assert paths_of(found) == ["build/sub/b.py"]
    found, _ = discover(["build"], force_exclude=True)
    assert found == []


def test_explicit_gitignored_directory_is_walked(tree):
    (tree / ".git").mkdir()
    (tree / ".gitignore").write_text("out/\n")
    make(tree, "out/a.py")
    assert paths_of(discover(["out"])[0]) == ["out/a.py"]
    assert discover(["out"], force_exclude=True)[0] == []


def test_force_exclude_outside_root_uses_path_components(tmp_path, monkeypatch):
    project = tmp_path / "project"
    project.mkdir()
    make(tmp_path, "elsewhere/build/x.py")
    monkeypatch.chdir(project)
    found, _ = discover(["../elsewhere/build/x.py"], force_exclude=True)
    assert found == []
    found, _ = discover(["../elsewhere/build/x.py"])
    assert paths_of(found) == ["../elsewhere/build/x.py"]


def test_missing_path(tree):
    found, errors = discover(["nope.py", "nodir/"])
    assert found == []
    assert errors == [
        ReadError("nodir", "no such file or directory"),
        ReadError("nope.py", "no such file or directory"),
    ]


def test_no_duplicates(tree):
    make(tree, "pkg/a.py", "pkg/sub/b.py")
    found, _ = discover(["pkg/a.py", "pkg", "./pkg/a.py", str(tree / "pkg" / "a.py"), "pkg/sub", "."])
    assert paths_of(found) == ["pkg/a.py", "pkg/sub/b.py"]


def test_display_paths(tmp_path, monkeypatch):
    make(tmp_path, "proj/a.py", "outside/b.py")
    monkeypatch.chdir(tmp_path / "proj")
    found, _ = discover([str(tmp_path / "proj" / "a.py"), "../outside"])
    assert paths_of(found) == ["../outside/b.py", "a.py"]
    assert display_path(str(tmp_path / "proj")) == "."
    assert display_path("./a.py") == "a.py"


# -------------------------------------------------------------- special entries


def test_symlink_loop_is_not_followed_forever(tree):
    if not can_symlink(tree):
        pytest.skip("symlinks not supported")
    make(tree, "pkg/a.py", "pkg/sub/b.py")
    os.symlink("..", str(tree / "pkg" / "sub" / "up"))
    os.symlink(str(tree / "pkg"), str(tree / "pkg" / "self"))
    found, errors = discover(["."])
    assert errors == []
    assert paths_of(found) == ["pkg/a.py", "pkg/sub/b.py"]


def test_symlinked_directory_outside_is_followed(tree):
    if not can_symlink(tree):
        pytest.skip("symlinks not supported")
    make(tree, "real/x.py")
    (tree / "proj").mkdir()
    os.symlink(str(tree / "real"), str(tree / "proj" / "linked"))
    found, _ = discover(["proj"])
    assert paths_of(found) == ["proj/linked/x.py"]


def test_broken_symlink(tree):
    if not can_symlink(tree):
        pytest.skip("symlinks not supported")
    os.symlink("missing.py", str(tree / "dangling.py"))
    found, errors = discover(["."])
    assert found == []
    assert errors == [ReadError("dangling.py", "broken symbolic link")]
    assert read_source("dangling.py") == ReadError("dangling.py", "broken symbolic link")


def _finishes(fn, timeout=10.0):
    """Run ``fn`` in a daemon thread; return its result or fail if it hangs."""
    box = {}

    def run():
        box["result"] = fn()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout)
    assert not thread.is_alive(), "call hung"
    return box["result"]


@needs_posix
def test_fifo_is_reported_not_opened(tree):
    make(tree, "a.py")
    os.mkfifo(str(tree / "pipe.py"))
    found, errors = _finishes(lambda: discover(["."]))
    assert paths_of(found) == ["a.py"]
    assert errors == [ReadError("pipe.py", "not a regular file (FIFO)")]
    found, errors = _finishes(lambda: discover(["pipe.py"]))
    assert found == [] and errors == [ReadError("pipe.py", "not a regular file (FIFO)")]
    result = _finishes(lambda: read_source("pipe.py"))
    assert result == ReadError("pipe.py", "not a regular file (FIFO)")


@needs_posix
def test_socket_is_reported(tmp_path, monkeypatch):
    import socket

    # AF_UNIX paths are short; bind inside a short temporary directory if needed.
    monkeypatch.chdir(tmp_path)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        try:
            sock.bind("s.py")
        except OSError:
            pytest.skip("cannot bind a unix socket here")
        result = _finishes(lambda: read_source("s.py"))
        assert result == ReadError("s.py", "not a regular file (socket)")
        assert discover(["."])[1] == [ReadError("s.py", "not a regular file (socket)")]
    finally:
        sock.close()


@needs_posix
def test_device_is_reported():
    if not os.path.exists("/dev/null"):
        pytest.skip("no /dev/null")
    result = _finishes(lambda: read_source("/dev/null"))
    assert result == ReadError("/dev/null", "not a regular file (character device)")


def test_directory_is_reported_by_read_source(tree):
    (tree / "d.py").mkdir()
    assert read_source("d.py") == ReadError("d.py", "is a directory")


@not_root
@needs_posix
def test_permission_denied_file(tree):
    make(tree, "secret.py")
    os.chmod(str(tree / "secret.py"), 0)
    try:
        assert read_source("secret.py") == ReadError("secret.py", "permission denied")
    finally:
        os.chmod(str(tree / "secret.py"), stat.S_IRUSR | stat.S_IWUSR)


@not_root
@needs_posix
def test_permission_denied_directory(tree):
    make(tree, "locked/a.py", "b.py")
    os.chmod(str(tree / "locked"), 0)
    try:
        found, errors = discover(["."])
        assert paths_of(found) == ["b.py"]
        assert errors == [ReadError("locked", "permission denied")]
    finally:
        os.chmod(str(tree / "locked"), stat.S_IRWXU)


# ------------------------------------------------------------------------ reading


def test_read_source_returns_bytes(tree):
    (tree / "a.py").write_bytes(b"x = 1\r\n")
    assert read_source("a.py") == b"x = 1\r\n"


def test_too_large_file(tree):
    (tree / "big.py").write_bytes(b"x" * 150)
    assert read_source("big.py", max_bytes=100) == ReadError(
        "big.py", "file too large (150 bytes > 100 bytes limit)"
    )
    assert read_source("big.py", max_bytes=150) == b"x" * 150


def test_too_large_message_in_megabytes(tree):
    with open(str(tree / "huge.py"), "wb") as handle:
        handle.truncate(int(60.1 * 1024 * 1024))  # sparse: cheap to create
    assert read_source("huge.py") == ReadError(
        "huge.py", "file too large (60.1 MB > 50 MB limit)"
    )


# ----------------------------------------------------------------------- decoding


def test_decode_plain_utf8():
    assert decode_source("café = 1\n".encode("utf-8"), "a.py") == "café = 1\n"


def test_decode_nul_bytes_is_binary():
    assert decode_source(b"x = 1\n\x00\x01", "a.py") == ReadError(
        "a.py", "binary file (contains NUL bytes)"
    )


def test_decode_invalid_utf8_without_cookie():
    data = b"x = 1\ny = '\xff'\n"
    result = decode_source(data, "a.py")
    assert isinstance(result, ReadError)
    assert result.reason == "not valid UTF-8 (byte 0xff at line 2, offset 11) and no coding cookie"


def test_decode_invalid_first_line_without_cookie():
    result = decode_source(b"\xff = 1\n", "a.py")
    assert isinstance(result, ReadError)
    assert "byte 0xff at line 1, offset 0" in result.reason
    assert "no coding cookie" in result.reason


def test_decode_invalid_with_cookie():
    data = b"# -*- coding: utf-8 -*-\ns = '\xe9'\n"
    result = decode_source(data, "a.py")
    assert isinstance(result, ReadError)
    assert "not valid utf-8" in result.reason
    assert "coding cookie" in result.reason
    assert "0xe9" in result.reason


def test_decode_non_utf8_line_before_cookie():
    data = "# café\n# coding: latin-1\nx = 1\n".encode("latin-1")
    result = decode_source(data, "a.py")
    assert isinstance(result, ReadError)
    assert result.reason == "not valid UTF-8 (byte 0xe9 at line 1, offset 5) before its coding cookie 'latin-1'"


def test_decode_latin1_with_cookie():
    data = "# coding: latin-1\nname = 'café'\n".encode("latin-1")
    assert decode_source(data, "a.py") == "# coding: latin-1\nname = 'café'\n"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-32", "cp037"])
def test_a_cookie_naming_an_encoding_that_is_not_ascii_compatible_is_cl002(encoding):
    """CPython rejects such a file; decoding it anyway turned an ASCII file into one line of
    other characters, which linted clean."""
    data = ("# -*- coding: %s -*-\nimport functools\n@functools.lru_cache\ndef f(job_id, x):\n    return x\n"
            % encoding).encode("ascii")
    data += b"\n" * (-len(data) % 4)
    with pytest.raises(SyntaxError):
        compile(data, "a.py", "exec")
    result = decode_source(data, "a.py")
    assert isinstance(result, ReadError)
    assert result.reason == ("coding cookie %r names an encoding Python cannot read source in "
                             "(it is not ASCII-compatible)" % encoding)


@pytest.mark.parametrize("encoding", ["latin-1", "utf-7", "euc-jp", "cp1252"])
def test_a_cookie_naming_an_ascii_compatible_encoding_decodes(encoding):
    text = "# -*- coding: %s -*-\nx = 1\n" % encoding
    compile(text.encode("ascii"), "a.py", "exec")
    assert decode_source(text.encode("ascii"), "a.py") == text


def test_decode_cookie_on_second_line():
    data = "#!/usr/bin/env python\n# vim: set fileencoding=cp1252 :\ns = '€'\n".encode("cp1252")
    assert decode_source(data, "a.py").endswith("s = '€'\n")


def test_decode_bom_is_stripped():
    data = codecs.BOM_UTF8 + "x = 'é'\n".encode("utf-8")
    assert decode_source(data, "a.py") == "x = 'é'\n"


def test_decode_bom_with_invalid_byte_reports_file_offset():
    data = codecs.BOM_UTF8 + b"x = 1\n\xff\n"
    result = decode_source(data, "a.py")
    assert isinstance(result, ReadError)
    assert "byte 0xff at line 2, offset 9" in result.reason


def test_decode_bom_contradicting_cookie():
    data = codecs.BOM_UTF8 + b"# coding: latin-1\nx = 1\n"
    result = decode_source(data, "a.py")
    assert isinstance(result, ReadError)
    assert "byte order mark" in result.reason


def test_decode_unknown_encoding():
    result = decode_source(b"# coding: klingon\nx = 1\n", "a.py")
    assert result == ReadError("a.py", "unknown encoding 'klingon' in coding cookie")


def test_decode_non_text_codec():
    result = decode_source(b"# coding: rot13\nx = 1\n", "a.py")
    assert isinstance(result, ReadError)
    assert "rot13" in result.reason


def test_read_and_decode(tree):
    (tree / "a.py").write_bytes(b"x = '\xff'\n")
    result = read_and_decode(str(tree / "a.py"))
    assert isinstance(result, ReadError) and result.path == "a.py"
    (tree / "b.py").write_text("y = 2\n")
    assert read_and_decode("b.py") == "y = 2\n"


# ------------------------------------------------------------------------ helpers


def test_matches_pattern(tmp_path):
    root = str(tmp_path)
    assert matches_pattern("tests/", str(tmp_path / "tests" / "a" / "b.py"), root)
    assert matches_pattern("test_*.py", str(tmp_path / "x" / "test_a.py"), root)
    assert not matches_pattern("/x.py", str(tmp_path / "sub" / "x.py"), root)
    assert matches_pattern("/x.py", str(tmp_path / "x.py"), root)
    # Outside the root only unanchored patterns apply, to the basename.
    outside = os.path.join(os.path.dirname(root), "elsewhere", "test_b.py")
    assert matches_pattern("test_*.py", outside, root)
    assert not matches_pattern("elsewhere/test_b.py", outside, root)
    with pytest.raises(ValueError):
        matches_pattern("!", "a.py", root)


def test_module_does_not_import_libcst():
    code = "import sys, cachelint.files; print('libcst' in sys.modules)"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


def test_joined_patterns_decide_like_each_pattern_in_turn():
    """Walking joins consecutive patterns with the same verdict into one regex: same verdicts."""
    from cachelint.files import _compile, _decide, _last_match, _runs

    lines = list(DEFAULT_EXCLUDE) + ["!keep/", "/anchored/x.py", "*.py[co]", "build/**/gen_*.py", "!gen_keep.py",
                                     "deep/**", "a?c.py", "[ab]*.pyi", "!venv/ok/"]
    candidates = ["x.py", "a/b.py", "build/", "src/build/gen_1.py", "build/x/gen_keep.py", "keep/", "keep/x.py",
                  "anchored/x.py", "sub/anchored/x.py", "mod.pyc", "deep/", "deep/q.py", "abc.py", "abd.py",
                  "b_stub.pyi", "venv/", "venv/ok/", "venv/ok/x.py", "site-packages/", "pkg.egg-info/",
                  ".git/", "q/.git/HEAD", "node_modules/x.py"]
    for count in range(len(lines) + 1):
        patterns = _compile(lines[:count], True)
        runs = _runs(patterns)
        for candidate in candidates:
            assert _decide(runs, candidate) == _last_match(patterns, candidate), (lines[:count], candidate)


def test_a_symlinked_directory_inside_the_tree_is_walked_once(tree):
    """A directory that is no link gets its real path from its parent's: it and a link to it are one tree."""
    if not can_symlink(tree):
        pytest.skip("symlinks not supported")
    make(tree, "pkg/sub/a.py")
    os.symlink(str(tree / "pkg" / "sub"), str(tree / "zlink"))
    found, errors = discover(["."])
    assert errors == [] and paths_of(found) == ["zlink/a.py"]  # listed first (with "pkg"), so walked first


def test_stored_pattern_translations_compile_like_pathspec(monkeypatch):
    """A walk uses the translations of an earlier run instead of importing pathspec: same patterns."""
    from cachelint import files

    lines = list(DEFAULT_EXCLUDE) + ["!keep/", "/anchored/x.py", "*.py[co]", "# a comment", "build/**/gen_*.py",
                                     "\\#literal", "a\\ b.py", "[!a]*.pyi", "**/deep/**"]
    monkeypatch.setattr(files, "_TRANSLATIONS", {})
    monkeypatch.setattr(files, "_LEARNED", set())
    fresh = files._compile(lines, True)
    assert files.learned_translations()
    exported = json_roundtrip(files.export_translations())
    monkeypatch.setattr(files, "_TRANSLATIONS", {})
    monkeypatch.setattr(files, "_LEARNED", set())
    files.import_translations(exported)
    import builtins

    real_import = builtins.__import__

    def no_pathspec(name, *args, **kwargs):
        assert name != "pathspec", "translations were stored for every line"
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pathspec)
    stored = files._compile(lines, True)
    monkeypatch.setattr(builtins, "__import__", real_import)
    assert [(i, r.pattern, r.flags, a) for i, r, a in stored] == [(i, r.pattern, r.flags, a) for i, r, a in fresh]
    assert not files.learned_translations()


def _pathspec_translation(line):
    import pathspec

    return tuple((bool(p.include), p.regex.pattern, p.regex.flags) if p.include is not None else None
                 for p in pathspec.GitIgnoreSpec.from_lines([line]).patterns)


@pytest.mark.parametrize("line", list(DEFAULT_EXCLUDE) + [
    ".", "..", "-x", "x-", "a..b", "v1.2", "*.pyc", "*_gen", "x*", "*x*", "a*b", "/shims", "/bats-*/", "x/", "/x/",
    "/a/b", "a/b/", "/*.py", "!/x", "!x/", "*.un~", "# a comment", "#", "a+b@c=d,e%f"])
def test_simple_patterns_translate_as_pathspec_does(line):
    """A simple pattern is translated without pathspec, to the regex pathspec makes of it."""
    from cachelint import files

    translation = files._simple_translation(line)
    assert translation is not None
    expected = _pathspec_translation(line)
    assert translation == tuple(t for t in expected if t is not None)


def test_generated_simple_patterns_translate_as_pathspec_does():
    """Over generated lines, every line the simple translation accepts gets pathspec's regexes."""
    import random

    from cachelint import files

    rng = random.Random(7)
    tokens = ["a", "b", ".", "-", "_", "*", "/", "!", "#", "~", "**", "?", "[a]", " ", "\\", "0"]
    accepted = 0
    for _ in range(3000):
        line = "".join(rng.choice(tokens) for _ in range(rng.randint(1, 7)))
        if not line.strip():
            continue
        translation = files._simple_translation(line)
        if translation is None:
            continue
        accepted += 1
        assert translation == tuple(t for t in _pathspec_translation(line) if t is not None), line
    assert accepted > 300  # the comparison covered a good share of the lines


@pytest.mark.parametrize("line", ["*", "/*", "a/*", "**", "**/x", "x/**", "*.py[co]", "?x", "a b", "x ", "a\\b", "é", "a//b", "/"])
def test_other_patterns_are_left_to_pathspec(line):
    from cachelint import files

    assert files._simple_translation(line) is None


def test_walk_with_the_default_excludes_does_not_import_pathspec(tmp_path):
    """Over a tree with no .gitignore and the default excludes, discovery never imports pathspec."""
    make(tmp_path, "pkg/a.py")
    make(tmp_path, "pkg/.git/x.py")
    make(tmp_path, "venv/lib/b.py")
    code = (
        "import sys, os\n"
        "from cachelint import files\n"
        f"found, errors = files.discover([{str(tmp_path)!r}], root={str(tmp_path)!r})\n"
        "print([f.path for f in found], 'pathspec' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split()[-1] == "False", out
    assert "pkg/a.py" in out and ".git" not in out and "venv" not in out


def test_stale_or_malformed_pattern_translations_are_not_used(monkeypatch):
    from cachelint import files

    monkeypatch.setattr(files, "_TRANSLATIONS", {})
    monkeypatch.setattr(files, "_LEARNED", set())
    files._compile(["*.pyc"], True)
    exported = files.export_translations()
    for value in (None, [], {"lines": 3}, dict(exported, pathspec=["/elsewhere/pathspec/__init__.py", 1, 2])):
        monkeypatch.setattr(files, "_TRANSLATIONS", {})
        files.import_translations(value)
        assert files._TRANSLATIONS == {}
    monkeypatch.setattr(files, "_TRANSLATIONS", {})
    files.import_translations(dict(exported, lines={"*.pyc": [[True, "(unbalanced", 32]], "x": [["no", 1, 2]]}))
    assert "x" not in files._TRANSLATIONS
    (include, regex, _), = files._compile(["*.pyc"], True)  # the broken regex: asked again of pathspec
    assert include and regex.match("a.pyc")


def json_roundtrip(value):
    import json

    return json.loads(json.dumps(value))



_READ_THE_STDLIB = """
import os, sys, sysconfig
from cachelint.files import keep_large_reads_off_the_heap, read_source, decode_source
def rss():
    return int([l for l in open("/proc/self/status") if l.startswith("VmRSS")][0].split()[1]) // 1024
applied = keep_large_reads_off_the_heap() if sys.argv[1] == "on" else None
paths = []
for d, _, names in os.walk(sysconfig.get_paths()["stdlib"]):
    if "site-packages" not in d:
        paths += [os.path.join(d, n) for n in names if n.endswith(".py")]
before, kept = rss(), []
for path in sorted(paths):
    data = read_source(path)
    if isinstance(data, bytes):
        decode_source(data, path)
    kept.append((path, []))  # what a run keeps per file
print(applied, rss() - before)
"""


@pytest.mark.skipif(not (sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"),
                    reason="the setting is glibc's")
def test_reading_every_file_of_the_standard_library_leaves_the_heap_as_it_was():
    """Without the setting this process grows by about 20 MiB (reading and decoding 1,800
    files, keeping nothing of them); with it, by about 1 (measured on glibc 2.36)."""
    out = subprocess.run([sys.executable, "-c", _READ_THE_STDLIB, "on"], capture_output=True, text=True, check=True)
    applied, growth = out.stdout.split()
    assert applied == "True"
    assert int(growth) <= 8, out.stdout


def test_the_heap_setting_is_skipped_without_a_usable_c_library(monkeypatch):
    import ctypes

    from cachelint import files

    monkeypatch.setattr(files, "_heap_setting", None)
    monkeypatch.setattr(sys, "platform", "win32")
    assert files.keep_large_reads_off_the_heap() is False  # never reaches ctypes
    monkeypatch.setattr(sys, "platform", "linux")
    calls = []

    def no_library(*args, **kwargs):
        calls.append(args)
        raise TypeError("no handle for the C library here")

    monkeypatch.setattr(ctypes, "CDLL", no_library)
    assert files.keep_large_reads_off_the_heap() is False and calls == []  # decided once per process
    monkeypatch.setattr(files, "_heap_setting", None)
    assert files.keep_large_reads_off_the_heap() is False  # a surprise elsewhere is not a crash
    assert files.keep_large_reads_off_the_heap() is False and len(calls) == 1
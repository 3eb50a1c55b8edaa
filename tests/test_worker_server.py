"""When the fork server starts (head start, pools likely), and the module map that lets files reach workers early.

The server itself and its pools are tested in tests/test_server_pool.py."""
from __future__ import annotations

import pytest

from cachelint import files, project, worker_server


def test_module_files_resolve_like_build_index(tmp_path):
    """Same module name twice: the first file that may define a decorator wins, as in pass one."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "pkg").mkdir()
    (tmp_path / "a" / "util.py").write_text("def helper():\n    return 1\n")
    (tmp_path / "b" / "util.py").write_text(
        "import functools\n\ndef disk_cache(func):\n    store = {}\n    def wrapper(*a):\n"
        "        if a not in store:\n            store[a] = func(*a)\n        return store[a]\n    return wrapper\n"
    )
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "caching.py").write_text("def memoize(f):\n    return f\n")
    (tmp_path / "pkg" / "views.py").write_text("from .caching import memoize\n")
    sources = [files.SourceFile(str(p), str(p)) for p in sorted(tmp_path.rglob("*.py"))]
    lazy = project.module_files(sources)
    assert dict(lazy) == project.build_index(sources)
    assert lazy["util"] == str(tmp_path / "b" / "util.py")
    assert lazy["pkg.caching"] == str(tmp_path / "pkg" / "caching.py")
    assert "pkg.views" not in lazy and "nowhere" not in lazy
    with pytest.raises(KeyError):
        lazy["pkg.views"]


def test_module_files_find_dotted_stems_and_packages_like_build_index(tmp_path):
    """A lookup finds files by their whole module name: packages, stubs and stems with dots."""
    for rel in ("pkg/__init__.py", "pkg/sub/__init__.py", "pkg/sub/deco.py", "pkg/a.b.py", "pkg/sub/deco.pyi",
                "other/deco.py", "deco.py", "sub/deco.py"):
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("def memoize(f):\n    store = {}\n    def w(*a):\n        if a not in store:\n"
                        "            store[a] = f(*a)\n        return store[a]\n    return w\n")
    sources = [files.SourceFile(str(p), str(p)) for p in sorted(tmp_path.rglob("*.py*"))]
    lazy = project.module_files(sources)
    assert dict(lazy) == project.build_index(sources)
    assert lazy["pkg.sub.deco"] == str(tmp_path / "pkg" / "sub" / "deco.py")
    assert lazy["pkg.a.b"] == str(tmp_path / "pkg" / "a.b.py")
    assert lazy["pkg.sub"] == str(tmp_path / "pkg" / "sub" / "__init__.py")
    assert lazy["deco"] == str(tmp_path / "deco.py")  # the first of "deco.py", "other/deco.py", "sub/deco.py"
    assert lazy.candidates("deco") == [str(tmp_path / n) for n in ("deco.py", "other/deco.py", "sub/deco.py")]
    assert "sub.deco" not in lazy and "a.b" not in lazy


@pytest.mark.parametrize("count, started", [(3, False), (9, True)])
def test_the_server_is_started_only_for_a_parallel_run(tmp_path, monkeypatch, count, started):
    from cachelint import parallel
    from cachelint.config import Settings
    from cachelint.engine import Linter

    calls = []
    monkeypatch.setattr(worker_server, "start", lambda: calls.append(1) or False)
    for index in range(count):
        (tmp_path / f"m{index}.py").write_text("x = 1\n")
    assert list(parallel.run(Linter(Settings()), [str(tmp_path)], jobs=2, server=True)) == []
    assert bool(calls) is started
    calls.clear()
    list(parallel.run(Linter(Settings()), [str(tmp_path)], jobs=2))
    assert not calls  # only when asked (the command line, without a result cache)


def test_the_server_starts_before_the_walk_only_when_a_pool_is_likely(tmp_path, monkeypatch):
    from cachelint import parallel
    from cachelint.config import Settings
    from cachelint.engine import Linter

    for index in range(3):
        (tmp_path / f"m{index}.py").write_text("x = 1\n")
    for name in (".git", ".venv", ".tox", ".mypy_cache", ".hg"):  # hidden entries do not count
        (tmp_path / name).mkdir()
    assert not worker_server.pool_likely([str(tmp_path)], 2)
    for index in range(3):
        (tmp_path / f"pkg{index}").mkdir()
    (tmp_path / "notes.txt").write_text("")
    assert not worker_server.pool_likely([str(tmp_path)], 2)  # 3 files + 3 packages
    (tmp_path / "stub.pyi").write_text("")
    (tmp_path / "pkg3").mkdir()
    assert worker_server.pool_likely([str(tmp_path)], 2)
    assert not worker_server.pool_likely([str(tmp_path / "m0.py"), str(tmp_path / "missing")], 2)
    assert worker_server.pool_likely([str(tmp_path / "m0.py")] * parallel.MIN_PARALLEL_FILES, 2)
    assert not worker_server.pool_likely([str(tmp_path / "m0.py")] * parallel.MIN_PARALLEL_FILES, 1)
    calls = []
    monkeypatch.setattr(worker_server, "start", lambda: calls.append(1) or False)
    assert list(parallel.run(Linter(Settings()), [str(tmp_path)], jobs=1, server=True)) == []
    assert not calls  # one job: no workers, no server


def test_value_options_are_the_command_lines_options_that_take_a_value():
    """head_start reads the arguments without click: its list must follow the command's."""
    import click

    from cachelint.cli import main

    taking = {name for param in main.params if isinstance(param, click.Option) and not param.is_flag
              and not param.count for name in param.opts + param.secondary_opts}
    assert worker_server.VALUE_OPTIONS == taking


@pytest.mark.parametrize(
    "argv, started",
    [
        (["--no-cache", "{tree}"], True),
        (["--no-cache", "--select", "CL1", "-q", "{tree}"], True),
        (["--no-cache", "--select=CL1", "{tree}"], True),
        (["--no-cache", "--", "{tree}"], True),
        (["--no-cache", "--jobs", "2", "{tree}"], True),
        (["{tree}"], False),  # the result cache decides later whether anything needs a pool
        (["--no-cache", "--jobs", "1", "{tree}"], False),
        (["--no-cache", "-j", "1", "{tree}"], False),
        (["--no-cache", "--jobs=1", "{tree}"], False),
        (["--no-cache", "--jobs", "many", "{tree}"], False),
        (["--no-cache", "--version", "{tree}"], False),
        (["--no-cache", "--help"], False),
        (["--no-cache", "--explain", "CL101"], False),
        (["--no-cache", "--show-settings", "{tree}"], False),
        (["--no-cache", "-", "{tree}"], False),  # standard input
        (["--no-cache", "--stdin-filename", "x.py"], False),
        (["--no-cache", "-qj2", "{tree}"], False),  # grouped short options: left to click
        (["--no-cache", "{tree}/a0.py"], False),  # one file: linted in this process
        (["--no-cache", "--exclude", "{tree}", "{tree}/a0.py"], False),  # the tree is an option's value here
    ],
)
def test_head_start_reads_the_arguments_for_a_parallel_run(tmp_path, monkeypatch, argv, started):
    tree = tmp_path / "tree"
    tree.mkdir()
    for i in range(worker_server.MIN_PARALLEL_FILES):
        (tree / f"a{i}.py").write_text("x = 1\n")
    monkeypatch.chdir(tree)  # where no path is given, the tree is the current directory
    calls = []
    monkeypatch.setattr(worker_server, "start", lambda: calls.append(1) or True)
    monkeypatch.setattr(worker_server, "effective_jobs", lambda jobs: jobs if jobs > 0 else 2)
    assert worker_server.head_start([a.replace("{tree}", str(tree)) for a in argv]) is started
    assert len(calls) == int(started)


def test_head_start_with_no_path_means_the_current_directory(tmp_path, monkeypatch):
    for i in range(worker_server.MIN_PARALLEL_FILES):
        (tmp_path / f"a{i}.py").write_text("x = 1\n")
    monkeypatch.setattr(worker_server, "start", lambda: True)
    monkeypatch.setattr(worker_server, "effective_jobs", lambda jobs: jobs if jobs > 0 else 2)
    monkeypatch.chdir(tmp_path)
    assert worker_server.head_start(["--no-cache"]) is True
    (tmp_path / "a0.py").unlink()
    assert worker_server.head_start(["--no-cache"]) is False

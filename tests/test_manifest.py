"""The stat manifest: a warm run reads no unchanged file, and every change still shows.

Every scenario compares the cached run with a ``--no-cache`` run of the same tree: the
manifest may only save work, never change a diagnostic.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cachelint import files, incremental, manifest
from cachelint.config import Settings
from cachelint.engine import Linter
from cachelint.result_cache import ResultCache
from conftest import FIXTURES

SHOP = FIXTURES / "project" / "shop"
OLD = time.time() - 3600  # an hour ago: entries of files this old are never racy
USER = "import functools\n\n\n@functools.lru_cache\ndef load(job_id, region):\n    return region\n"
USER_SAME_SIZE = "import functools\n\n\n@functools.lru_cache\ndef load(run_id, region):\n    return region\n"
assert len(USER) == len(USER_SAME_SIZE)


def age(*paths: Path, when: float = OLD) -> None:
    """Give files (and every file under directories) an old modification time."""
    for path in paths:
        targets = [p for p in path.rglob("*") if p.is_file()] if path.is_dir() else [path]
        for target in targets:
            os.utime(target, (when, when))


def cli(*args, cwd: Path, cache: Path, no_cache: bool = False, jobs: str = "2"):
    """Run the command in a subprocess; return (exit code, JSON items)."""
    options = ["--no-cache"] if no_cache else ["--cache-dir", str(cache)]
    proc = subprocess.run([sys.executable, "-m", "cachelint", *options, "--jobs", jobs, "--format", "json", *args],
                          cwd=str(cwd), capture_output=True, text=True, timeout=300)
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    return proc.returncode, json.loads(proc.stdout)


def same_as_no_cache(*args, cwd: Path, cache: Path, jobs: str = "2"):
    """The cached run's result, asserted equal to a --no-cache run's."""
    cached = cli(*args, cwd=cwd, cache=cache, jobs=jobs)
    assert cached == cli(*args, cwd=cwd, cache=cache, no_cache=True, jobs=jobs)
    return cached[1]


def manifests(cache: Path):
    return sorted((cache / "manifests-v1").glob("*.json"))


@pytest.fixture
def shop(tmp_path):
    project = tmp_path / "proj" / "shop"
    shutil.copytree(SHOP, project)
    age(project)
    return project


@pytest.fixture
def reads(monkeypatch):
    """Every source file opened for reading, by path (``files.read_source`` and ``open``)."""
    opened = []
    real_read, real_open = files.read_source, open

    def counting_read(path, *args, **kwargs):
        opened.append(str(path))
        return real_read(path, *args, **kwargs)

    def counting_open(path, *args, **kwargs):
        if str(path).endswith((".py", ".pyi")):
            opened.append(str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(files, "read_source", counting_read)
    monkeypatch.setattr("builtins.open", counting_open)
    return opened


def run_in_process(paths, cache_dir, settings=None, jobs=1):
    linter = Linter(settings or Settings(select=("ALL",)))
    linter.use_cache(ResultCache(str(cache_dir), linter.settings))
    found = list(incremental.run(linter, [str(p) for p in paths], jobs=jobs))
    return [d.as_dict() for d in found], linter


# ------------------------------------------------------------------ the warm path


def test_a_warm_run_of_unchanged_files_reads_none(shop, tmp_path, reads, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cold, _ = run_in_process([shop], tmp_path / "cache")
    assert cold and reads, "the cold run reads the files"
    assert len(manifests(tmp_path / "cache")) == 1
    reads.clear()
    warm, linter = run_in_process([shop], tmp_path / "cache")
    assert reads == [], "a warm run must not open any source file"
    assert warm == cold and linter.parsed == 0


def test_a_warm_run_imports_neither_libcst_nor_pathspec(shop, tmp_path):
    """The warm run reuses the first run's pattern translations (a wildcard pattern needs pathspec)."""
    (shop / ".gitignore").write_text("build/**/gen_*.py\n")
    cache = tmp_path / "cache"
    probe = ("import sys\nfrom cachelint.cli import main\n"
             "try:\n    main(sys.argv[1:])\nexcept SystemExit as exc:\n    code = exc.code\n"
             "print(sorted({m.split('.')[0] for m in sys.modules} & {'libcst', 'pathspec'}), code)\n")
    args = ["--cache-dir", str(cache), "--select", "ALL", "shop"]
    first = subprocess.run([sys.executable, "-c", probe, *args], cwd=str(shop.parent), capture_output=True, text=True)
    assert first.stdout.splitlines()[-1] == "['libcst', 'pathspec'] 1", first.stderr[-2000:]
    second = subprocess.run([sys.executable, "-c", probe, *args], cwd=str(shop.parent), capture_output=True, text=True)
    assert second.stdout.splitlines()[-1] == "[] 1", second.stderr[-2000:]
    assert first.stdout.splitlines()[:-1] == second.stdout.splitlines()[:-1]


def test_a_touched_file_is_compared_by_content_and_not_linted(shop, tmp_path, reads, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cold, _ = run_in_process([shop], tmp_path / "cache")
    age(shop / "views.py", when=OLD + 60)
    reads.clear()
    warm, linter = run_in_process([shop], tmp_path / "cache")
    assert warm == cold and linter.parsed == 0
    assert [Path(p).name for p in reads] == ["views.py"], "read once, to compare its content"
    reads.clear()
    again, _ = run_in_process([shop], tmp_path / "cache")
    assert again == cold and reads == [], "the manifest now has the new modification time"


@pytest.fixture
def linted(monkeypatch):
    """The displayed paths of the files linted (not reused), in order."""
    shown = []
    real = incremental.lint_and_record

    def counting(linter, abs_path, display):
        shown.append(display)
        return real(linter, abs_path, display)

    monkeypatch.setattr(incremental, "lint_and_record", counting)
    return shown


def test_only_changed_and_new_files_are_linted_again(tmp_path, monkeypatch, linted):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pkg").mkdir()
    for name in ("a.py", "b.py", "c.py"):
        (tmp_path / "pkg" / name).write_text(USER)
    age(tmp_path / "pkg")
    run_in_process([tmp_path / "pkg"], tmp_path / "cache")
    assert linted == ["pkg/a.py", "pkg/b.py", "pkg/c.py"]
    linted.clear()
    (tmp_path / "pkg" / "b.py").write_text(USER_SAME_SIZE)
    (tmp_path / "pkg" / "d.py").write_text(USER)
    warm, _ = run_in_process([tmp_path / "pkg"], tmp_path / "cache")
    assert linted == ["pkg/b.py", "pkg/d.py"]
    linted.clear()
    assert run_in_process([tmp_path / "pkg"], tmp_path / "cache")[0] == warm and linted == []
    cold = Linter(Settings(select=("ALL",)))
    from cachelint.engine import run as plain

    assert warm == [d.as_dict() for d in plain(cold, [str(tmp_path / "pkg")])]


def test_many_changed_files_are_linted_again_in_the_pool_with_per_file_ignores(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pkg").mkdir()
    for number in range(12):
        (tmp_path / "pkg" / f"m{number:02}.py").write_text(USER)
    age(tmp_path / "pkg")
    settings = Settings(select=("ALL",), per_file_ignores=(("m0*.py", ("CL101",)),), root=str(tmp_path))
    run_in_process([tmp_path / "pkg"], tmp_path / "cache", settings, jobs=2)
    for number in range(1, 11):
        (tmp_path / "pkg" / f"m{number:02}.py").write_text(USER_SAME_SIZE)
    warm, _ = run_in_process([tmp_path / "pkg"], tmp_path / "cache", settings, jobs=2)
    from cachelint.engine import run as plain

    expected = [d.as_dict() for d in plain(Linter(settings), [str(tmp_path / "pkg")])]
    assert warm == expected
    assert {d["path"][-6:-3] for d in warm if d["code"] == "CL101"} == {"m10", "m11"}
    assert run_in_process([tmp_path / "pkg"], tmp_path / "cache", settings, jobs=2)[0] == expected


def test_a_changed_dependency_outside_the_run_relints_its_dependents_only(shop, tmp_path, monkeypatch, linted):
    monkeypatch.chdir(shop.parent)
    (shop / "plain.py").write_text("X = 1\n")
    age(shop / "plain.py")
    targets = [Path("shop/views.py"), Path("shop/plain.py")]
    before, _ = run_in_process(targets, tmp_path / "cache")
    linted.clear()
    caching = shop / "caching.py"
    caching.write_text(caching.read_text().replace('and not k.startswith("_")', ""))
    after, _ = run_in_process(targets, tmp_path / "cache")
    assert linted == ["shop/views.py"]
    assert ("render", "CL105") in {(d["function"], d["code"]) for d in after} and before != after


# --------------------------------------------------------------------- changes


def test_an_edit_of_the_same_size_is_seen(tmp_path):
    (tmp_path / "pkg").mkdir()
    for name in ("a.py", "b.py"):
        (tmp_path / "pkg" / name).write_text(USER)
    age(tmp_path / "pkg")
    cache = tmp_path / "cache"
    before = same_as_no_cache("pkg", cwd=tmp_path, cache=cache)
    (tmp_path / "pkg" / "a.py").write_text(USER_SAME_SIZE)
    after = same_as_no_cache("pkg", cwd=tmp_path, cache=cache)
    assert {i["parameter"] for i in before if i["path"] == "pkg/a.py"} == {"job_id"}
    assert {i["parameter"] for i in after if i["path"] == "pkg/a.py"} == {"run_id"}


def test_an_edit_in_the_same_clock_tick_is_seen(tmp_path):
    """Same size, and the modification time forced back to the recorded one (a coarse clock).

    The entry was recorded moments before: it is racy, so its content is compared.
    """
    (tmp_path / "pkg").mkdir()
    for name in ("a.py", "b.py"):
        (tmp_path / "pkg" / name).write_text(USER)
    cache = tmp_path / "cache"
    target = tmp_path / "pkg" / "a.py"
    cli("pkg", cwd=tmp_path, cache=cache)
    recorded = target.stat()
    target.write_text(USER_SAME_SIZE)
    os.utime(target, ns=(recorded.st_atime_ns, recorded.st_mtime_ns))
    assert (target.stat().st_mtime_ns, target.stat().st_size, target.stat().st_ino) == \
        (recorded.st_mtime_ns, recorded.st_size, recorded.st_ino)
    after = same_as_no_cache("pkg", cwd=tmp_path, cache=cache)
    assert {i["parameter"] for i in after if i["path"] == "pkg/a.py"} == {"run_id"}


def test_editing_the_decorator_module_changes_the_user_module(shop):
    cache = shop.parent.parent / "cache"
    before = same_as_no_cache("--select", "ALL", "shop", cwd=shop.parent, cache=cache)
    assert ("render", "CL105") not in {(i["function"], i["code"]) for i in before}
    caching = shop / "caching.py"
    caching.write_text(caching.read_text().replace('and not k.startswith("_")', ""))
    after = same_as_no_cache("--select", "ALL", "shop", cwd=shop.parent, cache=cache)
    assert ("render", "CL105") in {(i["function"], i["code"]) for i in after}


def test_a_decorator_module_outside_the_run_is_a_dependency(shop):
    """Only views.py is linted: caching.py is read on demand, and its edit must still show."""
    cache = shop.parent.parent / "cache"
    before = same_as_no_cache("--select", "ALL", "shop/views.py", cwd=shop.parent, cache=cache)
    caching = shop / "caching.py"
    caching.write_text(caching.read_text().replace('and not k.startswith("_")', ""))
    after = same_as_no_cache("--select", "ALL", "shop/views.py", cwd=shop.parent, cache=cache)
    assert before != after and ("render", "CL105") in {(i["function"], i["code"]) for i in after}


REMEMBER = """\
import functools


def remember_cache(fn):
    store = {}

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        key = (args, tuple(sorted(kwargs.items())))
        if key not in store:
            store[key] = fn(*args, **kwargs)
        return store[key]

    return wrapper
"""


def test_a_new_file_defining_a_decorator_changes_an_unchanged_user(tmp_path):
    pkg = tmp_path / "app"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "use.py").write_text("from .deco import remember_cache as remember\n\n\n@remember\ndef f(job_id, region):\n"
                                "    return region\n")
    (pkg / "other.py").write_text("X = 1\n")
    age(pkg)
    cache = tmp_path / "cache"
    before = same_as_no_cache("app", cwd=tmp_path, cache=cache)
    (pkg / "deco.py").write_text(REMEMBER)
    after = same_as_no_cache("app", cwd=tmp_path, cache=cache)
    assert "keys every argument" not in " ".join(i["message"] for i in before)
    assert "keys every argument" in " ".join(i["message"] for i in after if i["path"] == "app/use.py")
    (pkg / "deco.py").unlink()
    assert same_as_no_cache("app", cwd=tmp_path, cache=cache) == before


def test_a_deleted_file_drops_its_diagnostics(tmp_path):
    (tmp_path / "pkg").mkdir()
    for name in ("a.py", "b.py", "c.py"):
        (tmp_path / "pkg" / name).write_text(USER)
    age(tmp_path / "pkg")
    cache = tmp_path / "cache"
    before = same_as_no_cache("pkg", cwd=tmp_path, cache=cache)
    (tmp_path / "pkg" / "b.py").unlink()
    after = same_as_no_cache("pkg", cwd=tmp_path, cache=cache)
    assert {i["path"] for i in before} == {"pkg/a.py", "pkg/b.py", "pkg/c.py"}
    assert {i["path"] for i in after} == {"pkg/a.py", "pkg/c.py"}


def test_a_renamed_file_is_reported_under_its_new_name(tmp_path):
    (tmp_path / "pkg").mkdir()
    for name in ("a.py", "b.py"):
        (tmp_path / "pkg" / name).write_text(USER)
    age(tmp_path / "pkg")
    cache = tmp_path / "cache"
    same_as_no_cache("pkg", cwd=tmp_path, cache=cache)
    (tmp_path / "pkg" / "b.py").rename(tmp_path / "pkg" / "z.py")
    after = same_as_no_cache("pkg", cwd=tmp_path, cache=cache)
    assert {i["path"] for i in after} == {"pkg/a.py", "pkg/z.py"}


def test_a_new_package_init_renames_the_modules(shop):
    """An ``__init__.py`` above the tree changes every module name: the index is rebuilt."""
    cache = shop.parent.parent / "cache"
    same_as_no_cache("--select", "ALL", "shop", cwd=shop.parent, cache=cache)
    (shop.parent / "__init__.py").write_text("")
    same_as_no_cache("--select", "ALL", "shop", cwd=shop.parent, cache=cache)


def test_per_file_ignores_apply_to_stored_results(shop):
    cache = shop.parent.parent / "cache"
    config = shop.parent / "pyproject.toml"
    base = "[tool.cachelint]\nselect = ['ALL']\n"
    config.write_text(base)
    full = same_as_no_cache("shop", cwd=shop.parent, cache=cache)
    config.write_text(base + "[tool.cachelint.per-file-ignores]\n'views.py' = ['CL1']\n")
    ignored = same_as_no_cache("shop", cwd=shop.parent, cache=cache)
    assert [i for i in ignored if i["path"] == "shop/views.py"]
    assert not [i for i in ignored if i["path"] == "shop/views.py" and i["code"].startswith("CL1")]
    config.write_text(base)
    assert same_as_no_cache("shop", cwd=shop.parent, cache=cache) == full


def test_ignored_files_stay_ignored_with_stored_pattern_translations(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".gitignore").write_text("skip.py\nbuild*/\n!keep.py\n")
    for name in ("a.py", "skip.py", "keep.py", "buildx/b.py", "gen/c.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(USER)
    age(tmp_path)
    cache = tmp_path / "cache"
    args = ("--extend-exclude", "gen", ".")
    cold = same_as_no_cache(*args, cwd=tmp_path, cache=cache)
    warm = same_as_no_cache(*args, cwd=tmp_path, cache=cache)
    assert cold == warm and {i["path"] for i in warm} == {"a.py", "keep.py"}
    (tmp_path / ".gitignore").write_text("build*/\n")
    assert {i["path"] for i in same_as_no_cache(*args, cwd=tmp_path, cache=cache)} == {"a.py", "keep.py", "skip.py"}


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_fixtures_cold_warm_and_no_cache_agree(tmp_path, jobs):
    tree = tmp_path / "fixtures"
    shutil.copytree(FIXTURES, tree)
    age(tree)
    cache = tmp_path / "cache"
    for target in ("fixtures", "fixtures/project"):
        no_cache = cli("--select", "ALL", target, cwd=tmp_path, cache=cache, no_cache=True, jobs=jobs)
        cold = cli("--select", "ALL", target, cwd=tmp_path, cache=cache, jobs=jobs)
        warm = cli("--select", "ALL", target, cwd=tmp_path, cache=cache, jobs=jobs)
        assert cold == warm == no_cache and no_cache[1]


# ------------------------------------------------------------ what is not stored


def test_a_corrupt_manifest_is_an_empty_one(shop, tmp_path):
    cache = tmp_path / "cache"
    cold = same_as_no_cache("--select", "ALL", "shop", cwd=shop.parent, cache=cache)
    for broken in (b"{not json", b"[]", b'{"format": 1, "files": 3}', json.dumps(
            {"format": 1, "written_ns": 0, "files": {str(shop / "views.py"): [1, 2]}, "indexed": True,
             "inits": {}, "deps": {}}).encode()):
        (path,) = manifests(cache)
        path.write_bytes(broken)
        assert same_as_no_cache("--select", "ALL", "shop", cwd=shop.parent, cache=cache) == cold


def test_a_stored_diagnostic_that_is_malformed_means_linting_again(shop, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cold, _ = run_in_process([shop], tmp_path / "cache")
    (path,) = manifests(tmp_path / "cache")
    value = json.loads(path.read_text())
    for entry in value["files"].values():
        if entry[6]:
            entry[6][0]["unexpected"] = 1
    path.write_text(json.dumps(value))
    warm, linter = run_in_process([shop], tmp_path / "cache")
    assert warm == cold


def test_an_unreadable_file_is_read_again_every_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pkg").mkdir()
    for name in ("a.py", "b.py"):
        (tmp_path / "pkg" / name).write_text(USER)
    age(tmp_path / "pkg")
    real = files.read_source
    attempts = []

    def refuse_b(path, *args, **kwargs):
        if path.endswith("b.py"):
            attempts.append(path)
            return files.ReadError(files.display_path(path), "permission denied")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(files, "read_source", refuse_b)
    first, _ = run_in_process([tmp_path / "pkg"], tmp_path / "cache")
    attempts.clear()
    second, linter = run_in_process([tmp_path / "pkg"], tmp_path / "cache")
    assert first == second and attempts, "the unreadable file is tried again"
    assert [d["code"] for d in second if d["path"].endswith("b.py")] == ["CL002"]
    assert linter.parsed == 0, "the readable file is reused"
    monkeypatch.setattr(files, "read_source", real)
    third, _ = run_in_process([tmp_path / "pkg"], tmp_path / "cache")
    assert [d["code"] for d in third if d["path"].endswith("b.py")] == [d["code"] for d in third if d["path"].endswith("a.py")]


def test_no_manifest_after_an_internal_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.py").write_text(USER)
    (tmp_path / "b.py").write_text(USER)

    def broken(self, text, path):
        raise RuntimeError("a bug")

    monkeypatch.setattr(Linter, "_lint_text", broken)
    _, linter = run_in_process([tmp_path], tmp_path / "cache")
    assert linter.internal_errors and manifests(tmp_path / "cache") == []


def test_no_manifest_after_an_interrupt(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ("a.py", "b.py", "c.py"):
        (tmp_path / name).write_text(USER)
    real = incremental.lint_and_record
    seen = []

    def interrupted(linter, abs_path, shown):
        seen.append(shown)
        if len(seen) == 2:
            raise KeyboardInterrupt
        return real(linter, abs_path, shown)

    monkeypatch.setattr(incremental, "lint_and_record", interrupted)
    with pytest.raises(KeyboardInterrupt):
        run_in_process([tmp_path], tmp_path / "cache")
    assert manifests(tmp_path / "cache") == []


def test_a_caller_that_stops_early_writes_no_manifest(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ("a.py", "b.py"):
        (tmp_path / name).write_text(USER)
    linter = Linter(Settings())
    linter.use_cache(ResultCache(str(tmp_path / "cache"), linter.settings))
    stream = incremental.run(linter, [str(tmp_path)], jobs=1)
    next(stream)
    stream.close()
    assert manifests(tmp_path / "cache") == []


def test_stdin_and_no_cache_never_write_a_manifest(tmp_path):
    (tmp_path / "a.py").write_text(USER)
    cache = tmp_path / "cache"
    subprocess.run([sys.executable, "-m", "cachelint", "--cache-dir", str(cache), "-"], input=USER, text=True,
                   cwd=str(tmp_path), capture_output=True)
    cli("a.py", cwd=tmp_path, cache=cache, no_cache=True)
    assert manifests(cache) == []


# ------------------------------------------------------------------ the format


def test_the_manifest_is_json_keyed_by_settings_and_pruned(shop, tmp_path):
    cache = tmp_path / "cache"
    cli("shop", cwd=shop.parent, cache=cache)
    cli("--select", "ALL", "shop", cwd=shop.parent, cache=cache)
    assert len(manifests(cache)) == 2, "other settings, other manifest"
    value = json.loads(manifests(cache)[0].read_text())
    assert set(value) == {"format", "written_ns", "files", "indexed", "inits", "deps", "patterns"}
    assert set(value["files"]) == {str(p) for p in shop.glob("*.py")}
    for number in range(manifest.MAX_MANIFESTS + 2):
        (tmp_path / f"m{number}.py").write_text("X = 1\n")
        cli(f"m{number}.py", cwd=tmp_path, cache=cache)
    assert len(manifests(cache)) == manifest.MAX_MANIFESTS


def test_racy_rule():
    m = manifest.Manifest("/nowhere", "k")
    m.written_ns = 10 * manifest.RACY_NS
    assert m.is_racy((9 * manifest.RACY_NS, 1, 1)) and m.is_racy((11 * manifest.RACY_NS, 1, 1))
    assert not m.is_racy((9 * manifest.RACY_NS - 1, 1, 1))

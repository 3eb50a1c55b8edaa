"""Start-up stays light: --version and a run over a file without cache decorators never import libcst,
nor anything else that run does not use."""
from __future__ import annotations

import subprocess
import sys

PROBE = (
    "import sys\n"
    "from cachelint.cli import main\n"
    "try:\n"
    "    main(sys.argv[1:])\n"
    "except SystemExit as exc:\n"
    "    code = exc.code\n"
    "print('LIBCST' if any(m == 'libcst' or m.startswith('libcst.') for m in sys.modules) else 'NO-LIBCST', code)\n"
)


def probe(*args, cwd):
    out = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, cwd=cwd)
    return out.stdout.split()[-2:]


def test_version_does_not_import_libcst(tmp_path):
    assert probe("--version", cwd=tmp_path) == ["NO-LIBCST", "0"]


def test_a_clean_file_does_not_import_libcst(tmp_path):
    (tmp_path / "clean.py").write_text("import os\n\n\ndef join(a, b):\n    return os.path.join(a, b)\n")
    assert probe("clean.py", cwd=tmp_path) == ["NO-LIBCST", "0"]


def test_a_file_with_a_cache_decorator_does(tmp_path):
    (tmp_path / "cached.py").write_text("import functools\n\n\n@functools.cache\ndef f(job_id):\n    return job_id\n")
    assert probe("--no-cache", "cached.py", cwd=tmp_path) == ["LIBCST", "1"]


def test_a_decorator_module_that_would_crash_libcst_is_skipped_not_fatal(tmp_path):
    """A module read only to learn about its decorator gets the same crash screen as a linted file."""
    pkg = tmp_path / "proj"
    pkg.mkdir()
    chain = " and ".join(["a"] * 9000)
    (pkg / "deco.py").write_text(
        "import hashlib, os, pickle\n\n\n"
        "def disk_cache(fn):\n"
        "    def wrapper(*args):\n"
        "        path = hashlib.sha256(pickle.dumps(args)).hexdigest()\n"
        "        if os.path.exists(path):\n"
        "            return pickle.load(open(path, 'rb'))\n"
        "        result = fn(*args)\n"
        "        pickle.dump(result, open(path, 'wb'))\n"
        "        return result\n"
        "    return wrapper\n\n\n"
        f"a = True\nX = {chain}\n"
    )
    (pkg / "use.py").write_text("from deco import disk_cache\n\n\n@disk_cache\ndef f(job_id):\n    return job_id\n")
    out = subprocess.run([sys.executable, "-m", "cachelint", "--no-cache", "use.py"], capture_output=True, text=True, cwd=pkg)
    assert out.returncode == 1, (out.returncode, out.stderr[-500:])
    assert "CL101" in out.stdout and "Traceback" not in out.stderr


#: Modules a run over one clean file (text output, no configuration) has no use for.
NOT_AT_START_UP = ("libcst", "cachelint.cacheable", "pathspec", "cachelint.parallel", "concurrent.futures",
                   "cachelint.output.json_format", "cachelint.output.sarif", "cachelint.output.gitlab",
                   "cachelint.output.github", "cachelint.output.concise", "difflib", "tomllib", "tempfile",
                   "cachelint.manifest", "cachelint.result_cache", "cachelint.reduce")

LOADED = (
    "import sys\n"
    "from cachelint.cli import main\n"
    "try:\n"
    "    main(sys.argv[1:])\n"
    "except SystemExit as exc:\n"
    "    pass\n"
    "print(sorted({name for name in %r for m in sys.modules if m == name or m.startswith(name + '.')}))\n"
)


def loaded(*args, cwd, modules=NOT_AT_START_UP):
    out = subprocess.run([sys.executable, "-c", LOADED % (modules,), *args], capture_output=True, text=True, cwd=cwd)
    return out.stdout.splitlines()[-1]


def test_a_clean_file_imports_only_what_it_uses(tmp_path):
    (tmp_path / "clean.py").write_text("import os\n\n\ndef join(a, b):\n    return os.path.join(a, b)\n")
    assert loaded("--no-cache", "clean.py", cwd=tmp_path) == "[]"
    assert loaded("--version", cwd=tmp_path) == "[]"


def test_the_calling_process_of_a_parallel_run_only_screens(tmp_path):
    """The workers parse and reduce; the process that screens imports neither libcst nor the reduction."""
    for index in range(12):
        (tmp_path / f"m{index}.py").write_text("import functools\n\n\n@functools.cache\ndef f(job_id):\n    return 1\n"
                                               if index % 3 == 0 else "x = 1\n")
    assert loaded("--no-cache", "--jobs", "2", ".", cwd=tmp_path, modules=("libcst", "cachelint.reduce")) == "[]"


def test_importing_the_package_leaves_the_reference_decorator_for_later():
    probe = ("import sys, cachelint\n"
             "assert 'cachelint.cacheable' not in sys.modules\n"
             "from cachelint import cacheable, CacheKeyWarning\n"
             "import cachelint.cacheable\n"
             "from cachelint.cacheable import CacheInfo\n"
             "assert cachelint.cacheable is cacheable and callable(cacheable)\n"
             "assert sys.modules['cachelint.cacheable'].cacheable is cacheable\n"
             "assert issubclass(CacheKeyWarning, UserWarning) and 'cacheable' in dir(cachelint)\n"
             "print('ok')\n")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert out.stdout.strip() == "ok", out.stderr[-2000:]
    first_submodule = ("import cachelint.cacheable as m, cachelint\n"
                       "from cachelint import cacheable\n"
                       "assert cachelint.cacheable is cacheable and callable(cacheable)\n"
                       "print('ok')\n")
    out = subprocess.run([sys.executable, "-c", first_submodule], capture_output=True, text=True)
    assert out.stdout.strip() == "ok", out.stderr[-2000:]


def test_a_directory_walk_and_a_format_import_what_they_need(tmp_path):
    """The default excludes are plain names: pathspec only comes for a wildcard pattern."""
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "clean.py").write_text("X = 1\n")
    modules = ("pathspec", "cachelint.output.json_format", "cachelint.output.sarif")
    assert loaded("--no-cache", "--jobs", "1", "--format", "json", "pkg", cwd=tmp_path, modules=modules) == \
        "['cachelint.output.json_format']"
    (tmp_path / "pkg" / ".gitignore").write_text("gen_*.py[co]\n")
    assert loaded("--no-cache", "--jobs", "1", "pkg", cwd=tmp_path, modules=modules) == "['pathspec']"


def test_the_command_skips_the_last_full_collection_on_exit(tmp_path):
    """Everything the run made is frozen before exiting: the interpreter's final collection has nothing to walk."""
    (tmp_path / "clean.py").write_text("x = 1\n")
    code = ("import gc, sys\nfrom cachelint.__main__ import main\nsys.argv[1:] = ['--no-cache', 'clean.py']\n"
            "try:\n    main()\nexcept SystemExit as exc:\n"
            "    print(exc.code, gc.get_freeze_count() > 0)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert out.stdout.split()[-2:] == ["0", "True"], out.stderr[-500:]

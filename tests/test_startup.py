"""Start-up stays light: --version and a run over a file without cache decorators never import libcst."""
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

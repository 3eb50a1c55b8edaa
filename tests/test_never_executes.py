"""cachelint reads code and never runs it.

The project below is booby-trapped: each file, if imported or executed, writes a marker
file and prints a line (some also raise, exit or hang). Linting it must leave no marker
and no such output, and still report the cache bugs the files hold, which proves they
were read.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import cachelint

TRAP = '''\
import os as _os
_os.makedirs({marks!r}, exist_ok=True)
open(_os.path.join({marks!r}, {name!r}), "w").write("executed")
print("EXECUTED {name}")
'''

#: a cache bug each linted module carries (CL101 on job_id)
BUG = '''

import functools


@functools.lru_cache
def load(job_id, region):
    return region, job_id
'''

FILES = {
    # top-level code that would fail loudly after the trap
    "setup.py": "{trap}" + BUG + "\nraise SystemExit('setup.py was executed')\n",
    "conftest.py": "{trap}" + BUG + "\n\ndef pytest_configure(config):\n    raise RuntimeError('conftest ran')\n",
    "pkg/__init__.py": "{trap}" + BUG + "\nimport this_module_does_not_exist\n",
    "pkg/__main__.py": "{trap}" + BUG + "\nimport time\nwhile True:\n    time.sleep(1)\n",
    "pkg/loud.py": BUG + "\n{trap}\nraise RuntimeError('loud.py was imported')\n",
    # decorator factory with side effects at decoration time, and a default argument with them
    "pkg/caching.py": '''\
import functools
import hashlib
import os
import pickle

{trap}

def disk_cache(fn):
    open(os.path.join({marks!r}, "decorated-" + fn.__name__), "w").write("decorated")
    store = {{}}

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        key = hashlib.sha256(pickle.dumps((args, kwargs))).hexdigest()
        if key not in store:
            store[key] = fn(*args, **kwargs)
        return store[key]

    return wrapper
''',
    "pkg/views.py": '''\
import functools
import os

from pkg.caching import disk_cache

{trap}

@disk_cache
def render(request_id, page):
    return page, request_id


@functools.lru_cache
def load(job_id, region=open(os.path.join({marks!r}, "default-evaluated"), "w")):
    return region, job_id
''',
    # names that shadow the standard library or are run by the interpreter at start-up
    "json.py": "{trap}" + BUG,
    "typing.py": "{trap}" + BUG,
    "dataclasses.py": "{trap}" + BUG,
    "sitecustomize.py": "{trap}" + BUG,
    "usercustomize.py": "{trap}" + BUG,
}

#: (path, function) of every CL101 the project holds
EXPECTED = {(path, "load") for path in FILES if path not in ("pkg/caching.py",)} | {("pkg/views.py", "render")}


@pytest.fixture
def project(tmp_path) -> Path:
    root = tmp_path / "project"
    marks = str(tmp_path / "marks")
    for rel, template in FILES.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        trap = TRAP.format(marks=marks, name=rel.replace("/", "."))
        path.write_text(template.format(trap=trap, marks=marks), encoding="utf-8")
    return root


def nothing_ran(project: Path, *outputs) -> None:
    marks = project.parent / "marks"
    assert not marks.exists() or not os.listdir(marks), sorted(os.listdir(marks))
    for output in outputs:
        text = output.decode("utf-8", "replace") if isinstance(output, bytes) else output
        assert "EXECUTED" not in text and "was executed" not in text and "Traceback" not in text, text[-3000:]


def reported(stdout) -> set:
    return {(i["path"], i["function"]) for i in json.loads(stdout) if i["code"] == "CL101"}


def console_script() -> str:
    script = Path(sys.executable).with_name("cachelint")
    if not script.exists():
        pytest.skip("the cachelint console script is not installed next to this Python")
    return str(script)


@pytest.mark.parametrize("jobs", ["2"])
def test_console_script_inside_the_project(project, jobs):
    proc = subprocess.run([console_script(), "--no-cache", "--jobs", jobs, "--format", "json", "."],
                          cwd=str(project), capture_output=True, timeout=120)
    nothing_ran(project, proc.stdout, proc.stderr)
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert reported(proc.stdout) == EXPECTED


def test_python_dash_m_from_outside_the_project(project):
    proc = subprocess.run([sys.executable, "-m", "cachelint", "--no-cache", "--format", "json", str(project)],
                          cwd=str(project.parent), capture_output=True, timeout=120)
    nothing_ran(project, proc.stdout, proc.stderr)
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert {(p, f) for p, f in reported(proc.stdout)} == {("project/" + p, f) for p, f in EXPECTED}


def test_in_process_api_and_result_cache(project, monkeypatch):
    monkeypatch.chdir(project)
    found = cachelint.lint_paths(["."])
    nothing_ran(project)
    assert {(d.path, d.function) for d in found if d.code == "CL101"} == EXPECTED
    for _ in range(2):  # a cold then a warm result cache
        proc = subprocess.run([console_script(), "--format", "json", "."], cwd=str(project), capture_output=True,
                              timeout=120)
        nothing_ran(project, proc.stdout, proc.stderr)
        assert reported(proc.stdout) == EXPECTED


def test_stdin(project):
    source = (project / "setup.py").read_bytes()
    proc = subprocess.run([console_script(), "--no-cache", "--format", "json", "--stdin-filename", "setup.py", "-"],
                          cwd=str(project), input=source, capture_output=True, timeout=60)
    nothing_ran(project, proc.stdout, proc.stderr)
    assert reported(proc.stdout) == {("setup.py", "load")}


@pytest.mark.xfail(strict=False, reason=(
    "'python -m' puts the current directory first on sys.path, so a json.py or typing.py in it "
    "shadows the standard library while cachelint itself is imported; the console script, "
    "'python -P -m cachelint' and PYTHONSAFEPATH=1 are not affected"))
def test_python_dash_m_inside_the_project(project):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONSAFEPATH"}
    proc = subprocess.run([sys.executable, "-m", "cachelint", "--no-cache", "--format", "json", "."],
                          cwd=str(project), capture_output=True, timeout=120, env=env)
    nothing_ran(project, proc.stdout, proc.stderr)
    assert reported(proc.stdout) == EXPECTED


def test_console_script_under_dash_capital_e_inside_the_project(project):
    """Under ``python -E`` too, the workers (forked, never started afresh) import nothing from
    the working directory."""
    proc = subprocess.run([sys.executable, "-E", console_script(), "--no-cache", "--jobs", "2", "--format", "json", "."],
                          cwd=str(project), capture_output=True, timeout=120)
    nothing_ran(project, proc.stdout, proc.stderr)
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert reported(proc.stdout) == EXPECTED

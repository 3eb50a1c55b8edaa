"""The flake8 plugin reports the same codes, lines and columns as the cachelint command."""
from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("flake8")

ROOT = Path(__file__).resolve().parent.parent

SOURCE = '''import functools
import json

from joblib import Memory

memory = Memory("/tmp/cache")


@functools.lru_cache
def load(job_id, region):
    return region


@functools.lru_cache
async def fetch(url):
    return url


@memory.cache
def render(request_id, started_at, out_path, name):  # noqa: CL103
    """Render.

    The request id is not part of the cache key.
    """
    return name, request_id, started_at, out_path
'''

FLAKE8_LINE = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<code>CL\d{3}) (?P<message>.*)$")


def _flake8(path: Path, cwd: Path):
    proc = subprocess.run([sys.executable, "-m", "flake8", "--select", "CL", "--max-line-length", "1000", path.name],
                          cwd=cwd, capture_output=True, text=True)
    assert proc.returncode in (0, 1), proc.stderr
    assert "Traceback" not in proc.stderr
    return [FLAKE8_LINE.match(line).groupdict() for line in proc.stdout.splitlines()]


def _cachelint(path: Path, cwd: Path):
    proc = subprocess.run([sys.executable, "-m", "cachelint", "--format", "json", path.name], cwd=cwd,
                          capture_output=True, text=True)
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)


def test_flake8_reports_what_cachelint_reports(tmp_path):
    path = tmp_path / "service.py"
    path.write_text(SOURCE, encoding="utf-8")
    expected = _cachelint(path, tmp_path)
    got = _flake8(path, tmp_path)
    assert len(expected) >= 4
    assert {"CL101", "CL501"} <= {d["code"] for d in expected}
    assert "CL103" not in {d["code"] for d in expected}  # suppressed by its noqa for both
    assert sorted((int(g["line"]), int(g["col"]), g["code"]) for g in got) == sorted(
        (d["line"], d["column"], d["code"]) for d in expected)
    messages = {(d["line"], d["column"], d["code"]): d["message"] for d in expected}
    for g in got:
        assert g["message"] == messages[(int(g["line"]), int(g["col"]), g["code"])]


def test_flake8_clean_file_and_other_codes(tmp_path):
    path = tmp_path / "ok.py"
    path.write_text("import functools\n\n\n@functools.cache\ndef load(region):\n    return region\n", encoding="utf-8")
    assert _flake8(path, tmp_path) == [] and _cachelint(path, tmp_path) == []


def test_checker_class_interface():
    from cachelint import __version__
    from cachelint.flake8_plugin import CachelintChecker

    assert CachelintChecker.name == "cachelint" and CachelintChecker.version == __version__
    lines = SOURCE.splitlines(keepends=True)
    results = list(CachelintChecker(ast.parse(SOURCE), "service.py", lines).run())
    assert results and all(len(r) == 4 and r[3] is CachelintChecker for r in results)
    line, col, text, _ = results[0]
    assert (line, col) == (10, 9) and text.startswith("CL101 'job_id'")


def test_entry_point_is_registered():
    from importlib.metadata import entry_points

    eps = entry_points()
    group = eps.select(group="flake8.extension") if hasattr(eps, "select") else eps.get("flake8.extension", [])
    assert any(ep.name == "CL" and ep.value == "cachelint.flake8_plugin:CachelintChecker" for ep in group)
    assert '"flake8.extension"' in (ROOT / "pyproject.toml").read_text(encoding="utf-8")

"""The command line: exit codes, formats, selection, configuration, stdin and bad input."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

BAD = "import functools\n\n\n@functools.lru_cache\ndef load(job_id, region):\n    return region\n"
GOOD = "import functools\n\n\n@functools.lru_cache\ndef load(region):\n    return region\n"
JSON_KEYS = {"code", "name", "severity", "message", "path", "line", "column", "end_line", "end_column", "function", "parameter", "fix"}


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_clean_file_exits_zero(run_cli, tmp_path):
    write(tmp_path / "ok.py", GOOD)
    result = run_cli(str(tmp_path / "ok.py"))
    assert result.exit_code == 0, result.output
    assert result.output == ""


def test_text_output_has_location_source_caret_and_summary(run_cli, tmp_path):
    write(tmp_path / "bad.py", BAD)
    result = run_cli("bad.py", cwd=tmp_path)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith("bad.py:5:10: CL101 'job_id' is part of the functools.lru_cache cache key")
    assert "def load(job_id, region):" in lines[1]
    assert lines[2].endswith("^" * len("job_id"))
    assert lines[-1] == "Found 2 diagnostics (0 errors, 2 warnings)."


def test_json_output_follows_the_contract(run_cli, tmp_path):
    write(tmp_path / "b.py", BAD)
    write(tmp_path / "a.py", BAD)
    result = run_cli("--format", "json", ".", cwd=tmp_path)
    assert result.exit_code == 1
    items = json.loads(result.output)
    assert [set(i) for i in items] == [JSON_KEYS] * len(items)
    assert [(i["path"], i["line"], i["column"], i["code"]) for i in items] == sorted(
        (i["path"], i["line"], i["column"], i["code"]) for i in items
    )
    first = items[0]
    assert first["path"] == "a.py" and first["code"] == "CL101" and first["severity"] == "warning"
    assert (first["line"], first["column"], first["end_line"], first["end_column"]) == (5, 10, 5, 16)
    assert first["function"] == "load" and first["parameter"] == "job_id"
    assert first["fix"]["description"]


def test_exit_zero(run_cli, tmp_path):
    write(tmp_path / "bad.py", BAD)
    assert run_cli("--exit-zero", str(tmp_path / "bad.py")).exit_code == 0


def test_select_and_ignore(run_cli, tmp_path):
    write(tmp_path / "bad.py", BAD)
    codes = lambda r: {i["code"] for i in json.loads(r.output)}  # noqa: E731
    assert codes(run_cli("--format", "json", str(tmp_path))) == {"CL101", "CL107"}
    assert codes(run_cli("--format", "json", "--ignore", "CL101", str(tmp_path))) == {"CL107"}
    assert codes(run_cli("--format", "json", "--select", "CL107", str(tmp_path))) == {"CL107"}
    assert codes(run_cli("--format", "json", "--select", "CL1", "--ignore", "CL10", str(tmp_path))) == set()
    result = run_cli("--select", "CL999", str(tmp_path))
    assert result.exit_code == 2
    assert "CL999" in result.output and "CL1" in result.output


def test_noqa(run_cli, tmp_path):
    write(tmp_path / "a.py", BAD.replace("def load(job_id, region):", "def load(job_id, region):  # noqa: CL101"))
    items = json.loads(run_cli("--format", "json", str(tmp_path)).output)
    assert [i["code"] for i in items] == ["CL107"]
    write(tmp_path / "a.py", BAD.replace("def load(job_id, region):", "def load(job_id, region):  # noqa"))
    assert run_cli(str(tmp_path)).exit_code == 0
    write(tmp_path / "a.py", "# cachelint: noqa\n" + BAD)
    assert run_cli(str(tmp_path)).exit_code == 0


def test_config_select_and_per_file_ignores(run_cli, tmp_path):
    write(tmp_path / "pyproject.toml", '[tool.cachelint]\nignore = ["CL107"]\n[tool.cachelint.per-file-ignores]\n"legacy/*.py" = ["CL1"]\n')
    write(tmp_path / "src" / "a.py", BAD)
    write(tmp_path / "legacy" / "b.py", BAD)
    items = json.loads(run_cli("--format", "json", ".", cwd=tmp_path).output)
    assert [(i["path"], i["code"]) for i in items] == [("src/a.py", "CL101")]


def test_config_errors_exit_2_with_the_key(run_cli, tmp_path):
    write(tmp_path / "pyproject.toml", '[tool.cachelint]\nselct = ["CL1"]\n')
    write(tmp_path / "a.py", BAD)
    result = run_cli(".", cwd=tmp_path)
    assert result.exit_code == 2
    assert "selct" in result.output and "select" in result.output
    write(tmp_path / "pyproject.toml", '[tool.cachelint]\nignore = ["CL1O1"]\n')
    result = run_cli(".", cwd=tmp_path)
    assert result.exit_code == 2 and "CL1O1" in result.output
    result = run_cli("--config", str(tmp_path / "missing.toml"), ".", cwd=tmp_path)
    assert result.exit_code == 2 and "missing.toml" in result.output


def test_extend_per_call_names_from_config(run_cli, tmp_path):
    write(tmp_path / "pyproject.toml", '[tool.cachelint.extend-per-call-names]\nid = ["ticket"]\n')
    write(tmp_path / "a.py", "import functools\n@functools.cache\ndef f(ticket, x):\n    return ticket, x\n")
    items = json.loads(run_cli("--format", "json", ".", cwd=tmp_path).output)
    assert [(i["code"], i["parameter"]) for i in items] == [("CL101", "ticket")]


def test_declared_decorator_from_config(run_cli, tmp_path):
    write(tmp_path / "pyproject.toml", '[tool.cachelint.decorators."myapp.caching.stash"]\npersistent = true\nexclude = "underscore"\nignore-argument = "skip"\n')
    write(
        tmp_path / "a.py",
        "from myapp.caching import stash\n"
        "@stash(skip=['trace_id'])\ndef f(trace_id, _run_id, job_id, x):\n    print(trace_id, _run_id)\n    return job_id, x\n",
    )
    items = json.loads(run_cli("--format", "json", ".", cwd=tmp_path).output)
    assert [(i["code"], i["parameter"]) for i in items] == [("CL101", "job_id")]


def test_stdin(run_cli, tmp_path):
    result = run_cli("--format", "json", "--stdin-filename", "pkg/mod.py", "-", input=BAD)
    items = json.loads(result.output)
    assert result.exit_code == 1
    assert {i["path"] for i in items} == {"pkg/mod.py"}
    result = run_cli("-", input=BAD)
    assert result.output.startswith("-:5:10: CL101")


def test_missing_path_binary_nul_and_bad_encoding_are_reported_not_raised(run_cli, tmp_path):
    (tmp_path / "nul.py").write_bytes(b"import functools\x00\n@functools.cache\ndef f(x): return x\n")
    (tmp_path / "latin.py").write_bytes("import functools\n# caf\xe9\n".encode("latin-1"))
    (tmp_path / "binary.py").write_bytes(bytes(range(256)) * 4)
    write(tmp_path / "syntax.py", "import functools\n@functools.cache\ndef f(:\n")
    result = run_cli("--format", "json", ".", "does-not-exist", cwd=tmp_path)
    assert result.exit_code == 1
    items = json.loads(result.output)
    by_path = {i["path"]: i for i in items}
    assert by_path["does-not-exist"]["code"] == "CL002"
    assert "no such file" in by_path["does-not-exist"]["message"]
    assert by_path["nul.py"]["code"] == "CL002" and "NUL" in by_path["nul.py"]["message"]
    assert by_path["binary.py"]["code"] == "CL002"
    assert by_path["latin.py"]["code"] == "CL002" and "UTF-8" in by_path["latin.py"]["message"]
    assert by_path["syntax.py"]["code"] == "CL001" and by_path["syntax.py"]["line"] == 3


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read every file")
def test_unreadable_file(run_cli, tmp_path):
    path = write(tmp_path / "secret.py", BAD)
    path.chmod(0)
    try:
        items = json.loads(run_cli("--format", "json", str(path)).output)
    finally:
        path.chmod(0o600)
    assert items[0]["code"] == "CL002" and "permission" in items[0]["message"]


def test_version_list_rules_and_explain(run_cli):
    from cachelint import __version__

    assert run_cli("--version").output.strip() == f"cachelint {__version__}"
    listing = run_cli("--list-rules").output
    assert "CL101" in listing and "per-call-id-in-key" in listing and "warning" in listing
    explained = run_cli("--explain", "cl101")
    assert explained.exit_code == 0 and "## CL101 per-call-id-in-key" in explained.output
    assert run_cli("--explain", "CL999").exit_code == 2


def test_examples_report_the_classic_bug_and_nothing_in_the_fix(run_cli):
    items = json.loads(run_cli("--format", "json", "examples", cwd=ROOT).output)
    broken = {(i["code"], i["parameter"]) for i in items if i["path"].startswith("examples/broken/")}
    assert ("CL101", "job_id") in broken
    assert any(code == "CL301" for code, _ in broken)
    assert not [i for i in items if i["path"].startswith("examples/fixed/")]


def test_console_script_runs_without_traceback(tmp_path):
    """The installed entry point (a real subprocess) on a mix of good and bad input."""
    write(tmp_path / "bad.py", BAD)
    (tmp_path / "bin.py").write_bytes(b"\x00\x01\x02cache")
    proc = subprocess.run(
        [sys.executable, "-m", "cachelint", "--format", "json", str(tmp_path), str(tmp_path / "nope")],
        capture_output=True, text=True, cwd=tmp_path,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert {i["code"] for i in json.loads(proc.stdout)} == {"CL101", "CL107", "CL002"}


def test_docs_rules_md_is_in_sync():
    from cachelint.docs import render_rules

    assert (ROOT / "docs" / "rules.md").read_text(encoding="utf-8") == render_rules(), (
        "docs/rules.md is stale: run `python -m cachelint.docs > docs/rules.md`"
    )


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (Linux)")
def test_a_report_that_cannot_be_written_is_a_message_and_exit_2_not_a_traceback(tmp_path):
    (tmp_path / "cached.py").write_text("import functools\n\n\n@functools.cache\ndef f(job_id):\n    return job_id\n")
    with open("/dev/full", "w") as full:
        proc = subprocess.run([sys.executable, "-m", "cachelint", "--no-cache", "cached.py"], cwd=tmp_path,
                              stdout=full, stderr=subprocess.PIPE, text=True)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr == "cachelint: cannot write the report: No space left on device\n"


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (Linux)")
@pytest.mark.parametrize("args", [["--version"], ["--help"], ["--list-rules"], ["--explain", "CL101"]])
def test_click_s_own_output_to_a_full_device_is_a_message_and_exit_2(tmp_path, args):
    with open("/dev/full", "w") as full:
        proc = subprocess.run([sys.executable, "-m", "cachelint", *args], cwd=tmp_path,
                              stdout=full, stderr=subprocess.PIPE, text=True)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr == "cachelint: cannot write to standard output: No space left on device\n"

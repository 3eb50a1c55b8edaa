"""Command-line options beyond the basics: statistics, quiet, output file, stdin, excludes,
jobs, settings, help, colours, and the formats end to end."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BAD = "import functools\n\n\n@functools.lru_cache\ndef load(job_id, region):\n    return region\n"
GOOD = "import functools\n\n\n@functools.lru_cache\ndef load(region):\n    return region\n"
ASYNC = "import functools\n\n\n@functools.lru_cache\nasync def fetch(url):\n    return url\n"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def codes(result):
    return [(i["path"], i["code"]) for i in json.loads(result.output)]


# --------------------------------------------------------------------------- output


def test_statistics_counts_per_code_most_frequent_first(run_cli, tmp_path):
    write(tmp_path / "a.py", BAD)
    write(tmp_path / "b.py", BAD.replace("(job_id, region):\n    return region", "(job_id, run_id, region):\n    return region, run_id"))
    write(tmp_path / "c.py", ASYNC)
    result = run_cli("--statistics", ".", cwd=tmp_path)
    assert result.exit_code == 1
    rows = [line.split("\t") for line in result.output.splitlines()]
    assert rows == [
        ["3", "CL101", "per-call-id-in-key"],
        ["2", "CL107", "unused-keyed-parameter"],
        ["1", "CL501", "cached-coroutine"],
    ]
    as_json = json.loads(run_cli("--statistics", "--format", "json", ".", cwd=tmp_path).output)
    assert as_json[0] == {"code": "CL101", "name": "per-call-id-in-key", "count": 3}
    clean = run_cli("--statistics", str(write(tmp_path / "ok" / "ok.py", GOOD)))
    assert clean.exit_code == 0 and clean.output == ""


def test_quiet_prints_only_the_diagnostics(run_cli, tmp_path):
    write(tmp_path / "bad.py", BAD)
    loud = run_cli("bad.py", cwd=tmp_path).output
    quiet = run_cli("--quiet", "bad.py", cwd=tmp_path)
    assert quiet.exit_code == 1
    assert loud.splitlines()[-1].startswith("Found 2 diagnostics")
    assert "Found" not in quiet.output and quiet.output.startswith("bad.py:5:10: CL101")
    concise = run_cli("-q", "--format", "concise", "bad.py", cwd=tmp_path).output.splitlines()
    assert [line.split(" ", 2)[:2] for line in concise] == [["bad.py:5:10:", "CL101"], ["bad.py:5:10:", "CL107"]]


def test_concise_format(run_cli, tmp_path):
    write(tmp_path / "bad.py", BAD)
    lines = run_cli("--format", "concise", "bad.py", cwd=tmp_path).output.splitlines()
    assert lines[0].startswith("bad.py:5:10: CL101 'job_id'")
    assert len(lines) == 3 and lines[2] == "Found 2 diagnostics (0 errors, 2 warnings)."


def test_github_format(run_cli, tmp_path):
    write(tmp_path / "src" / "bad.py", BAD)
    write(tmp_path / "src" / "aio.py", ASYNC)
    lines = run_cli("--format", "github", ".", cwd=tmp_path).output.splitlines()
    assert lines[0].startswith("::error file=src/aio.py,line=4,col=2,endLine=4,endColumn=")
    assert ",title=CL501 cached-coroutine::" in lines[0]
    assert lines[1].startswith("::warning file=src/bad.py,line=5,col=10,endLine=5,endColumn=16,title=CL101 per-call-id-in-key::'job_id'")
    assert len(lines) == 3


def test_gitlab_format(run_cli, tmp_path):
    write(tmp_path / "bad.py", BAD)
    report = json.loads(run_cli("--format", "gitlab", ".", cwd=tmp_path).output)
    assert [(i["check_name"], i["location"]["path"], i["location"]["lines"]["begin"]) for i in report] == [
        ("CL101 per-call-id-in-key", "bad.py", 5), ("CL107 unused-keyed-parameter", "bad.py", 5)]


def test_output_file(run_cli, tmp_path):
    write(tmp_path / "bad.py", BAD)
    result = run_cli("--format", "sarif", "--output-file", "out/report.sarif", "bad.py", cwd=tmp_path)
    assert result.exit_code == 2 and "out/report.sarif" in result.output  # the directory does not exist
    (tmp_path / "out").mkdir()
    result = run_cli("--format", "sarif", "--output-file", "out/report.sarif", "bad.py", cwd=tmp_path)
    assert result.exit_code == 1 and result.output == ""
    doc = json.loads((tmp_path / "out" / "report.sarif").read_text(encoding="utf-8"))
    assert len(doc["runs"][0]["results"]) == 2
    result = run_cli("-o", "report.txt", "bad.py", cwd=tmp_path)
    text = (tmp_path / "report.txt").read_text(encoding="utf-8")
    assert result.output == "" and text.startswith("bad.py:5:10: CL101") and "\033[" not in text


def test_show_source_toggle(run_cli, tmp_path):
    write(tmp_path / "bad.py", BAD)
    shown = run_cli("--show-source", "bad.py", cwd=tmp_path).output
    hidden = run_cli("--no-show-source", "bad.py", cwd=tmp_path).output
    assert "def load(job_id, region):" in shown and "^^^^^^" in shown
    assert "def load" not in hidden and "^" not in hidden
    assert hidden.splitlines()[0].startswith("bad.py:5:10: CL101")


# ------------------------------------------------------------------------------ stdin


def test_stdin_json_for_editors(run_cli, tmp_path):
    result = run_cli("--format", "json", "-", input=BAD, cwd=tmp_path)
    assert result.exit_code == 1
    items = json.loads(result.output)
    assert {(i["path"], i["code"], i["line"], i["column"]) for i in items} == {("-", "CL101", 5, 10), ("-", "CL107", 5, 10)}
    assert json.loads(run_cli("--format", "json", "-", input=GOOD).output) == []


def test_stdin_filename_finds_config_and_per_file_ignores(run_cli, tmp_path):
    write(tmp_path / "proj" / "pyproject.toml",
          '[tool.cachelint]\nignore = ["CL107"]\n[tool.cachelint.per-file-ignores]\n"legacy/*" = ["CL1"]\n')
    (tmp_path / "proj" / "legacy").mkdir()
    (tmp_path / "proj" / "app").mkdir()
    # run from outside the project: the configuration is found from the stdin file name
    result = run_cli("--format", "json", "--stdin-filename", "proj/app/new.py", "-", input=BAD, cwd=tmp_path)
    assert codes(result) == [("proj/app/new.py", "CL101")]
    result = run_cli("--format", "json", "--stdin-filename", "proj/legacy/old.py", "-", input=BAD, cwd=tmp_path)
    assert result.exit_code == 0 and codes(result) == []
    # the text format shows the source read from stdin under the stdin name
    text = run_cli("--stdin-filename", "proj/app/new.py", "-", input=BAD, cwd=tmp_path).output
    assert "def load(job_id, region):" in text


def test_force_exclude_on_explicit_files_and_stdin(run_cli, tmp_path):
    write(tmp_path / "pyproject.toml", '[tool.cachelint]\nextend-exclude = ["generated/"]\n')
    write(tmp_path / "generated" / "gen.py", BAD)
    write(tmp_path / "src" / "real.py", BAD)
    # without --force-exclude a file named explicitly is linted even when excluded
    assert {p for p, _ in codes(run_cli("--format", "json", "generated/gen.py", "src/real.py", cwd=tmp_path))} == {
        "generated/gen.py", "src/real.py"}
    # pre-commit names every staged file: --force-exclude honours the excludes
    result = run_cli("--format", "json", "--force-exclude", "generated/gen.py", "src/real.py", cwd=tmp_path)
    assert {p for p, _ in codes(result)} == {"src/real.py"}
    result = run_cli("--force-exclude", "generated/gen.py", cwd=tmp_path)
    assert result.exit_code == 0 and result.output == ""
    # --exclude on the command line, and a file that does not exist (an unsaved editor buffer)
    for name in ("generated/gen.py", "generated/unsaved.py", "build/x.py"):
        result = run_cli("--format", "json", "--force-exclude", "--extend-exclude", "build", "--stdin-filename", name, "-",
                         input=BAD, cwd=tmp_path)
        assert result.exit_code == 0 and codes(result) == [], name
    result = run_cli("--format", "json", "--force-exclude", "--stdin-filename", "src/new.py", "-", input=BAD, cwd=tmp_path)
    assert codes(result) == [("src/new.py", "CL101"), ("src/new.py", "CL107")]
    # the setting can come from the configuration, and --no-force-exclude overrides it
    write(tmp_path / "pyproject.toml", '[tool.cachelint]\nextend-exclude = ["generated/"]\nforce-exclude = true\n')
    assert codes(run_cli("--format", "json", "generated/gen.py", cwd=tmp_path)) == []
    assert codes(run_cli("--format", "json", "--no-force-exclude", "generated/gen.py", cwd=tmp_path))


def test_exclude_patterns_and_bad_patterns(run_cli, tmp_path):
    write(tmp_path / "keep" / "a.py", BAD)
    write(tmp_path / "skip" / "b.py", BAD)
    assert {p for p, _ in codes(run_cli("--format", "json", "--extend-exclude", "skip", ".", cwd=tmp_path))} == {"keep/a.py"}
    assert {p for p, _ in codes(run_cli("--format", "json", "--exclude", "keep/,skip/", ".", cwd=tmp_path))} == set()
    for option in ("--exclude", "--extend-exclude"):
        for pattern in ("docs/a\\", "[z-a].py"):
            result = run_cli(option, "ok.py," + pattern, ".", cwd=tmp_path)
            assert result.exit_code == 2, result.output
            assert f"{option}: invalid gitignore-style pattern" in result.output and pattern in result.output
    write(tmp_path / "pyproject.toml", '[tool.cachelint]\nextend-exclude = ["[z-a].py"]\n')
    result = run_cli(".", cwd=tmp_path)
    assert result.exit_code == 2 and "pattern" in result.output


# ------------------------------------------------------------------------- selection


def test_unknown_codes_are_exit_2_listing_valid_prefixes(run_cli, tmp_path):
    write(tmp_path / "a.py", BAD)
    for option in ("--select", "--extend-select", "--ignore"):
        result = run_cli(option, "CL999", "a.py", cwd=tmp_path)
        assert result.exit_code == 2
        assert f"{option}: unknown rule code or prefix 'CL999'" in result.output
        assert "CL1" in result.output and "CL5" in result.output
    write(tmp_path / "pyproject.toml", '[tool.cachelint]\nextend-select = ["XX1"]\n')
    result = run_cli("a.py", cwd=tmp_path)
    assert result.exit_code == 2 and "XX1" in result.output and "pyproject.toml" in result.output


def test_ignore_noqa(run_cli, tmp_path):
    write(tmp_path / "a.py", BAD.replace("region):", "region):  # noqa"))
    write(tmp_path / "b.py", "# cachelint: noqa\n" + BAD)
    assert run_cli(".", cwd=tmp_path).exit_code == 0
    result = run_cli("--format", "json", "--ignore-noqa", ".", cwd=tmp_path)
    assert result.exit_code == 1
    assert codes(result) == [("a.py", "CL101"), ("a.py", "CL107"), ("b.py", "CL101"), ("b.py", "CL107")]


def test_show_settings(run_cli, tmp_path):
    write(tmp_path / "pyproject.toml", '[tool.cachelint]\nextend-select = ["CL402"]\nignore = ["CL107"]\n')
    result = run_cli("--show-settings", "--select", "CL1,CL4", "--ignore-noqa", "--jobs", "3", "--format", "concise", ".",
                     cwd=tmp_path)
    assert result.exit_code == 0
    shown = json.loads(result.output)
    assert shown["select"] == ["CL1", "CL4"] and shown["extend_select"] == ["CL402"] and shown["ignore"] == ["CL107"]
    assert shown["ignore_noqa"] is True and shown["jobs"] == 3 and shown["format"] == "concise"
    assert shown["config_path"] == str(tmp_path / "pyproject.toml")
    assert "CL101" in shown["enabled_rules"] and "CL107" not in shown["enabled_rules"] and "CL501" not in shown["enabled_rules"]
    assert shown["paths"] == ["."]
    default = json.loads(run_cli("--show-settings", cwd=tmp_path / "..").output)
    assert default["jobs"] == 0 and default["ignore_noqa"] is False


def test_list_rules_and_explain(run_cli):
    listing = run_cli("--list-rules")
    assert listing.exit_code == 0
    rows = {line.split()[0]: line for line in listing.output.splitlines()[1:]}
    assert "unused-noqa" in rows["CL000"] and " off " in rows["CL000"]
    assert "per-call-id-in-key" in rows["CL101"] and " on " in rows["CL101"]
    explained = run_cli("--explain", "CL000")
    assert explained.exit_code == 0 and explained.output.startswith("## CL000 unused-noqa")
    bad = run_cli("--explain", "nope")
    assert bad.exit_code == 2 and "--list-rules" in bad.output


def test_help_is_grouped_like_ruff(run_cli):
    out = run_cli("--help").output
    headings = ["Rule selection:", "File selection:", "Output:", "Miscellaneous:"]
    positions = [out.index(h) for h in headings]
    assert positions == sorted(positions)
    sections = dict(zip(headings, [out[p:q] for p, q in zip(positions, positions[1:] + [len(out)])]))
    assert "--select" in sections["Rule selection:"] and "--ignore-noqa" in sections["Rule selection:"]
    assert "--force-exclude" in sections["File selection:"] and "--stdin-filename" in sections["File selection:"]
    for option in ("--format", "--output-file", "--statistics", "--quiet", "--show-source"):
        assert option in sections["Output:"], option
    for option in ("--jobs", "--list-rules", "--explain", "--show-settings", "--version", "--help"):
        assert option in sections["Miscellaneous:"], option


def test_stdin_only_once(run_cli):
    result = run_cli("-", "-", input=BAD)
    assert result.exit_code == 2 and "only once" in result.output


# ---------------------------------------------------------------------------- jobs


def _tree(root: Path, count: int) -> None:
    for i in range(count):
        write(root / f"pkg{i % 3}" / f"m{i:02d}.py", BAD.replace("load", f"load{i}") if i % 2 else ASYNC)
    write(root / "pkg0" / "broken.py", "import functools\n@functools.cache\ndef f(:\n")
    (root / "pkg1" / "nul.py").write_bytes(b"import functools\x00\n")


def test_jobs_gives_the_same_output_as_a_serial_run(run_cli, tmp_path):
    _tree(tmp_path, 30)
    serial = run_cli("--format", "json", "--jobs", "1", ".", "missing.py", cwd=tmp_path)
    parallel = run_cli("--format", "json", "--jobs", "2", ".", "missing.py", cwd=tmp_path)
    auto = run_cli("--format", "json", ".", "missing.py", cwd=tmp_path)
    assert serial.exit_code == parallel.exit_code == 1
    assert serial.output == parallel.output == auto.output
    found = codes(serial)
    assert ("missing.py", "CL002") in found and ("pkg0/broken.py", "CL001") in found and ("pkg1/nul.py", "CL002") in found
    assert run_cli("--jobs", "-1", ".", cwd=tmp_path).exit_code == 2


def test_parallel_run_keeps_input_order_and_sends_only_cache_files_to_workers(tmp_path, monkeypatch):
    from cachelint import parallel
    from cachelint.config import Settings
    from cachelint.engine import Linter, run as serial_run

    _tree(tmp_path, 20)
    for i in range(5):  # files no cache decorator can be in: finished by the parent's screens
        write(tmp_path / "pkg2" / f"clean{i}.py", "import os\n\n\ndef join(a, b):\n    return os.path.join(a, b)\n")
    monkeypatch.chdir(tmp_path)
    expected = list(serial_run(Linter(Settings()), ["."]))
    linted = []
    import concurrent.futures

    real = concurrent.futures.ProcessPoolExecutor  # parallel imports it where it makes a pool

    class Counting(real):
        def submit(self, fn, *args, **kwargs):
            if fn.__name__ == "_lint_candidate":
                linted.append(args[0][1])
            return super().submit(fn, *args, **kwargs)

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", Counting)
    got = list(parallel.run(Linter(Settings(jobs=2)), ["."]))
    assert got == expected
    # the 20 modules and broken.py can hold a cache; the clean files and nul.py (CL002) cannot
    assert sorted(linted) == sorted([f"pkg{i % 3}/m{i:02d}.py" for i in range(20)] + ["pkg0/broken.py"])
    linted.clear()
    assert list(parallel.run(Linter(Settings(jobs=1)), ["."])) == expected and linted == []
    few = [str(p) for p in sorted(tmp_path.glob("pkg0/*.py"))[:3]]
    assert list(parallel.run(Linter(Settings(jobs=4)), few)) == list(serial_run(Linter(Settings()), few)) and linted == []


def test_chunks_and_effective_jobs():
    from cachelint.parallel import chunks, effective_jobs

    items = [(str(i), str(i)) for i in range(100)]
    parts = chunks(items, 2)
    assert [x for part in parts for x in part] == items and len(parts) == 8
    assert chunks(items[:3], 8) == [[items[0]], [items[1]], [items[2]]]
    assert effective_jobs(3) == 3 and effective_jobs(0) >= 1


@pytest.mark.slow
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_ctrl_c_exits_130_promptly_without_traceback(tmp_path, jobs):
    import signal
    import time

    body = "import functools\n\n" + "".join(
        f"@functools.lru_cache\ndef f{i}(job_id, region, a{i}=1):\n    return region * a{i}\n\n" for i in range(120)
    )
    for n in range(60):
        write(tmp_path / f"m{n}.py", body)
    proc = subprocess.Popen([sys.executable, "-m", "cachelint", "--jobs", jobs, "."], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    time.sleep(2.5)
    if proc.poll() is not None:
        pytest.skip("the run finished before it could be interrupted")
    started = time.monotonic()
    os.killpg(proc.pid, signal.SIGINT)  # what a terminal's Ctrl-C does: the whole process group
    try:
        _, err = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        raise
    assert proc.returncode == 130
    assert time.monotonic() - started < 10
    assert "Traceback" not in err.decode() and "interrupted" in err.decode()


# -------------------------------------------------------------------------- colours


def _run_on_a_terminal(args, cwd, env_extra):
    pty = pytest.importorskip("pty")
    leader, follower = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    env.update(env_extra)
    proc = subprocess.Popen([sys.executable, "-m", "cachelint", *args], cwd=cwd, stdout=follower,
                            stderr=subprocess.PIPE, env=env)
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=60)
    os.close(leader)
    return proc.returncode, b"".join(chunks).decode("utf-8", "replace")


def test_colours_only_on_a_terminal_and_never_with_no_color(run_cli, tmp_path):
    write(tmp_path / "bad.py", BAD)
    code, out = _run_on_a_terminal(["bad.py"], tmp_path, {})
    assert code == 1 and "\033[31m" not in out and "\033[33m" in out and "\033[1m" in out
    code, out = _run_on_a_terminal(["bad.py"], tmp_path, {"NO_COLOR": "1"})
    assert code == 1 and "\033[" not in out and "bad.py:5:10: CL101" in out
    piped = subprocess.run([sys.executable, "-m", "cachelint", "bad.py"], cwd=tmp_path, capture_output=True, text=True)
    assert piped.returncode == 1 and "\033[" not in piped.stdout


@pytest.mark.parametrize("with_caches", [True, False])
def test_a_parallel_run_exits_without_noise_on_stderr(tmp_path, with_caches):
    """The worker pool is shut down cleanly whether or not any file needed a worker."""
    if with_caches:
        _tree(tmp_path, 12)
    else:  # the workers are stopped while still importing libcst
        for i in range(12):
            write(tmp_path / f"m{i}.py", "import os\n\n\ndef join(a, b):\n    return os.path.join(a, b)\n")
    proc = subprocess.run([sys.executable, "-m", "cachelint", "--no-cache", "--jobs", "2", "-q", "."], cwd=str(tmp_path),
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == (1 if with_caches else 0)
    assert proc.stderr == ""


def test_a_low_open_file_limit_caps_the_workers(monkeypatch, tmp_path):
    """``ulimit -n 40`` with ``--jobs 64`` used to print a traceback and hang; now it lints with what fits."""
    import resource

    from cachelint import parallel
    from cachelint.config import Settings
    from cachelint.engine import Linter

    found = [str(i) for i in range(100)]
    monkeypatch.setattr(resource, "getrlimit", lambda which: (40, 40))
    assert parallel.pool_size(Linter(Settings(jobs=64)), found) == 1
    monkeypatch.setattr(resource, "getrlimit", lambda which: (1024, 4096))
    assert parallel.pool_size(Linter(Settings(jobs=64)), found) == 64
    assert parallel.pool_size(Linter(Settings(jobs=512)), found) == (1024 - 64) // 8
    monkeypatch.setattr(resource, "getrlimit", lambda which: (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
    assert parallel.pool_size(Linter(Settings(jobs=512)), found) == 512


def test_a_run_under_a_low_open_file_limit_ends_with_the_serial_output(tmp_path):
    import resource
    import subprocess
    import sys

    for index in range(12):
        write(tmp_path / f"m{index}.py", "import functools\n\n\n@functools.lru_cache(maxsize=None)\n"
                                         f"def render_{index}(job_id, prompt):\n    return prompt\n")

    def low_limit():
        resource.setrlimit(resource.RLIMIT_NOFILE, (40, 40))

    command = [sys.executable, "-m", "cachelint", "--no-cache", "--format", "json", "."]
    limited = subprocess.run(command + ["--jobs", "64"], cwd=tmp_path, capture_output=True, timeout=120,
                             preexec_fn=low_limit)
    serial = subprocess.run(command + ["--jobs", "1"], cwd=tmp_path, capture_output=True, timeout=120)
    assert limited.returncode == serial.returncode == 1, limited.stderr[-2000:]
    assert limited.stdout == serial.stdout and limited.stderr == b""

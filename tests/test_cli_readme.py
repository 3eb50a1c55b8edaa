"""Every command shown in README.md and docs/integrations.md runs, as written.

Commands are taken from the fenced code blocks: shell lines in ``bash`` blocks (split on
``&&``), ``run:`` steps and ``script:`` items of CI snippets in ``yaml`` blocks, the
efm-langserver ``lint-command`` and the VS Code task's ``command``. They run in a scratch
directory holding ``src/mod.py`` and ``mod.py`` (a wrong cache key each) and the bundled
``examples/``. ``pip install`` and the test command are what ``.ci/run`` does; commands
with ``<placeholders>`` are covered by tests/test_precommit.py.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", ROOT / "docs" / "integrations.md"]
BIN = Path(sys.executable).parent

BAD = "import functools\n\n\n@functools.lru_cache\ndef load(job_id, region):\n    return region\n"

FENCE = re.compile(r"^```(?P<lang>\w*)\n(?P<body>.*?)^```", re.M | re.S)
CI_STEP = re.compile(r"^\s*(?:-\s+)?(?:run:\s+)?(?P<cmd>(?:cachelint|flake8)\s.*)$")
NOT_RUN = ("pip install", "python -m pytest")


def blocks(path: Path):
    for match in FENCE.finditer(path.read_text(encoding="utf-8")):
        yield match.group("lang"), match.group("body")


def commands():
    """``(source, command)`` pairs, in document order."""
    found = []
    for path in DOCS:
        name = path.relative_to(ROOT).as_posix()
        for lang, body in blocks(path):
            if lang == "bash":
                for line in body.splitlines():
                    line = re.split(r"\s+#\s", line, maxsplit=1)[0].strip()
                    for part in (p.strip() for p in line.split("&&")):
                        if part and not part.startswith(NOT_RUN):
                            found.append((name, part))
            elif lang == "yaml":
                for line in body.splitlines():
                    step = CI_STEP.match(line)
                    if step:
                        found.append((name, step.group("cmd").strip()))
                    efm = re.match(r'^\s*lint-command:\s*"(?P<cmd>.*)"\s*$', line)
                    if efm:
                        found.append((name, "cat src/mod.py | " + efm.group("cmd").replace("${INPUT}", "src/mod.py")))
            elif lang == "json":
                for task in json.loads(body).get("tasks", ()):
                    found.append((name, task["command"].replace("${file}", "src/mod.py")))
    return found


COMMANDS = commands()
#: each distinct command once (README and docs/integrations.md repeat the CI snippets)
RUNNABLE = list({c: (s, c) for s, c in reversed(COMMANDS) if "<" not in c}.values())[::-1]


def test_the_documents_show_the_commands_we_expect():
    runnable = [c for _, c in COMMANDS if "<" not in c]
    assert any(c == "cachelint examples/" for c in runnable)  # the README's first command
    for needle in ("--format sarif --output-file cachelint.sarif", "--format github", "--format gitlab",
                   "flake8 --select CL", "--stdin-filename", "--statistics", "--extend-select CL000"):
        assert any(needle in c for c in runnable), needle
    placeholders = [c for _, c in COMMANDS if "<" in c]
    assert placeholders == ["pre-commit try-repo <path or URL of the cachelint repository> cachelint --all-files"]


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    if not (BIN / "cachelint").exists():
        pytest.skip("the cachelint console script is not installed next to this interpreter")
    root = tmp_path_factory.mktemp("docs")
    (root / "src").mkdir()
    (root / "src" / "mod.py").write_text(BAD, encoding="utf-8")
    (root / "mod.py").write_text(BAD, encoding="utf-8")
    shutil.copytree(ROOT / "examples", root / "examples")
    return root


def _env():
    env = dict(os.environ)
    env["PATH"] = str(BIN) + os.pathsep + env.get("PATH", "")
    env.pop("NO_COLOR", None)
    return env


@pytest.mark.parametrize("source,command", RUNNABLE, ids=[f"{s}:{c}" for s, c in RUNNABLE])
def test_documented_command_runs(workspace, source, command):
    if command.startswith("flake8") and not (BIN / "flake8").exists():
        pytest.skip("flake8 is not installed")
    proc = subprocess.run(command, shell=True, cwd=workspace, env=_env(), capture_output=True, text=True, timeout=300)
    assert "Traceback" not in proc.stderr, proc.stderr
    expected = {0} if ("--exit-zero" in command or "--show-settings" in command) else {0, 1}
    assert proc.returncode in expected, (proc.returncode, proc.stdout[-2000:], proc.stderr[-2000:])
    if command.startswith("cachelint") and "--output-file" not in command and "--exit-zero" not in command:
        assert proc.returncode == 1 or "--show-settings" in command  # every workspace file has a finding
    output_file = re.search(r"--output-file (\S+)", command)
    if output_file:
        report = (workspace / output_file.group(1)).read_text(encoding="utf-8")
        data = json.loads(report)
        if "--format sarif" in command:
            jsonschema = pytest.importorskip("jsonschema")
            schema = json.loads((ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
            jsonschema.Draft4Validator(schema).validate(data)
            assert data["runs"][0]["results"]
        else:
            assert data


def test_vscode_problem_matcher_reads_the_concise_output(workspace):
    body = next(b for path in DOCS for lang, b in blocks(path) if lang == "json")
    task = json.loads(body)["tasks"][0]
    pattern = task["problemMatcher"]["pattern"]
    proc = subprocess.run(task["command"].replace("${file}", str(workspace / "src" / "mod.py")), shell=True,
                          cwd=workspace, env=_env(), capture_output=True, text=True)
    lines = proc.stdout.splitlines()
    assert proc.returncode == 0 and len(lines) == 2
    for line in lines:
        match = re.match(pattern["regexp"], line)
        assert match, line
        assert Path(match.group(pattern["file"])).name == "mod.py"
        assert (match.group(pattern["line"]), match.group(pattern["column"])) == ("5", "10")
        assert match.group(pattern["code"]) in ("CL101", "CL107")


def test_neovim_pattern_reads_the_stdin_output(workspace):
    lua = next(b for path in DOCS for lang, b in blocks(path) if lang == "lua")
    lua_pattern = re.search(r'from_pattern\(\s*"([^"]+)"', lua).group(1)
    # the Lua pattern in Python terms: %d -> \d, %w -> \w
    pattern = lua_pattern.replace("%d", r"\d").replace("%w", r"\w")
    proc = subprocess.run("cachelint --format concise --quiet --exit-zero --stdin-filename src/mod.py -", shell=True,
                          cwd=workspace, env=_env(), input=BAD, capture_output=True, text=True)
    rows = [re.match(pattern, line).groups() for line in proc.stdout.splitlines()]
    assert rows and all(r[:2] == ("5", "10") for r in rows) and {r[2] for r in rows} == {"CL101", "CL107"}

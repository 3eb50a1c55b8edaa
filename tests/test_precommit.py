"""The repository's pre-commit hook, run by the real pre-commit on a throwaway repository.

``pre-commit try-repo`` installs the hook from a snapshot of this checkout (its tracked
files as they are in the working tree) into its own virtualenv with pip, then runs it:
it must fail on a file with a wrong cache key, show the CL101 line, and pass once the
file is fixed. Slow (one pip install), so marked ``slow``.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

BAD = "import functools\n\n\n@functools.lru_cache\ndef load(job_id, region):\n    return region\n"
GOOD = "import functools\n\n\n@functools.lru_cache\ndef load(region):\n    return region\n"


def test_hook_definition():
    yaml = pytest.importorskip("yaml")  # pre-commit depends on PyYAML
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert len(hooks) == 1
    hook = hooks[0]
    assert hook["id"] == "cachelint"
    assert hook["entry"] == "cachelint --force-exclude"
    assert hook["language"] == "python"
    assert hook["types_or"] == ["python", "pyi"]
    assert hook["require_serial"] is False


def _git(*args: str, cwd: Path, env) -> None:
    subprocess.run(["git", "-c", "commit.gpgsign=false", *args], cwd=cwd, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _snapshot(dest: Path, env) -> None:
    """A one-commit repository holding this checkout's tracked files as they are on disk."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for name in filter(None, listed.decode("utf-8", "surrogateescape").split("\0")):
        source = ROOT / name
        if source.is_file():
            target = dest / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    _git("init", "-q", cwd=dest, env=env)
    _git("add", "-A", cwd=dest, env=env)
    _git("commit", "-q", "-m", "snapshot", cwd=dest, env=env)


@pytest.mark.slow
def test_pre_commit_try_repo_fails_on_a_bad_file_and_passes_when_fixed(tmp_path):
    pytest.importorskip("pre_commit")
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("needs git and a git checkout")
    env = dict(os.environ)
    env.update({
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "GIT_AUTHOR_NAME": "test", "GIT_AUTHOR_EMAIL": "test@example.invalid",
        "GIT_COMMITTER_NAME": "test", "GIT_COMMITTER_EMAIL": "test@example.invalid",
        # the user's git configuration (hooks, signing, templates) stays out; pip's does not
        "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull,
        "PRE_COMMIT_COLOR": "never", "NO_COLOR": "1",
    })
    env.pop("GIT_DIR", None)
    env.pop("GIT_INDEX_FILE", None)
    hook_repo = tmp_path / "hook-repo"
    hook_repo.mkdir()
    _snapshot(hook_repo, env)

    project = tmp_path / "project"
    project.mkdir()
    _git("init", "-q", cwd=project, env=env)
    (project / "service.py").write_text(BAD, encoding="utf-8")
    (project / "README.txt").write_text("not python\n", encoding="utf-8")
    _git("add", "-A", cwd=project, env=env)

    try_repo = [sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo), "cachelint", "--all-files"]
    # the README's .pre-commit-config.yaml, pointed at the snapshot (same repo and rev:
    # pre-commit reuses the environment try-repo installed)
    rev = subprocess.run(["git", "rev-parse", "HEAD"], cwd=hook_repo, env=env, capture_output=True, text=True,
                         check=True).stdout.strip()
    (project / ".pre-commit-config.yaml").write_text(
        readme_config().replace("<URL of the cachelint repository>", str(hook_repo)).replace("<a release tag>", rev),
        encoding="utf-8")
    _git("add", "-A", cwd=project, env=env)
    run_config = [sys.executable, "-m", "pre_commit", "run", "--all-files"]

    for command in (try_repo, run_config):
        failed = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=600)
        output = failed.stdout + failed.stderr
        assert failed.returncode == 1, output
        assert "service.py:5:10: CL101 'job_id'" in output
        assert "Failed" in output

    (project / "service.py").write_text(GOOD, encoding="utf-8")
    _git("add", "-A", cwd=project, env=env)
    for command in (try_repo, run_config):
        passed = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=600)
        assert passed.returncode == 0, passed.stdout + passed.stderr
        assert "Passed" in passed.stdout


def readme_config() -> str:
    """The .pre-commit-config.yaml snippet of the README."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## pre-commit", 1)[1]
    return section.split("```yaml\n", 1)[1].split("```", 1)[0]


def test_readme_and_docs_show_the_same_pre_commit_config():
    docs = (ROOT / "docs" / "integrations.md").read_text(encoding="utf-8")
    assert readme_config() in docs
    assert "id: cachelint" in readme_config() and "<URL of the cachelint repository>" in readme_config()

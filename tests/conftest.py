"""Shared test helpers."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Set, Tuple

import pytest

FIXTURES = Path(__file__).parent / "fixtures"

_MARKER = re.compile(r"#\s*expect(?P<offset>[+-]\d+)?:\s*(?P<codes>CL\d{3}(?:\s*,\s*CL\d{3})*)")


def expected_markers(text: str) -> Set[Tuple[int, str]]:
    """``(line, code)`` pairs from ``# expect: CL101`` markers (``# expect+2:`` points 2 lines down)."""
    out = set()
    for number, line in enumerate(text.splitlines(), start=1):
        for match in _MARKER.finditer(line):
            target = number + int(match.group("offset") or 0)
            for code in re.split(r"\s*,\s*", match.group("codes")):
                out.add((target, code))
    return out


@pytest.fixture
def run_cli(tmp_path, monkeypatch):
    """Run the cachelint command in-process; returns click's Result."""
    from click.testing import CliRunner

    from cachelint.cli import main

    def run(*args, input=None, cwd=None):
        if cwd is not None:
            monkeypatch.chdir(cwd)
        return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)

    return run

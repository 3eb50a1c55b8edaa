"""The collector threshold raised while a file is analysed is the embedding program's again after."""
from __future__ import annotations

import gc

from cachelint.engine import Linter

CACHED = "import functools\n\n\n@functools.lru_cache\ndef load(job_id, region):\n    return region\n"


def test_the_threshold_is_restored_after_each_file():
    before = gc.get_threshold()
    try:
        gc.set_threshold(700, 10, 10)
        seen = []
        linter = Linter()
        real = linter._lint_text

        def spy(text, path):
            seen.append(gc.get_threshold())
            return real(text, path)

        linter._lint_text = spy
        assert [d.code for d in linter.lint_source(CACHED, "m.py")] == ["CL101", "CL107"]
        assert seen == [(50_000, 10, 10)] and gc.get_threshold() == (700, 10, 10)
        gc.set_threshold(0, 10, 10)  # automatic collection switched off: left off
        linter.lint_source(CACHED, "n.py")
        assert seen[-1] == (0, 10, 10) and gc.get_threshold() == (0, 10, 10)
    finally:
        gc.set_threshold(*before)

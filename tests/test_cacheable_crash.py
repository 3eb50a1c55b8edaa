"""cachelint.cacheable: writers killed with SIGKILL at random points.

A driver process forks writers that rewrite entries in a tight loop and kills each one
after a random delay, so the kill lands anywhere: while pickling, half way through the
temporary file, between writing and renaming, in the rename. After every kill a fresh
reader looks at every entry on disk. No reader may ever accept an entry whose value is
wrong; leftover temporary files must be removed by a later write.
"""
import json
import os
import signal
import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.skipif(
    not hasattr(os, "fork") or not hasattr(signal, "SIGKILL"), reason="needs fork and SIGKILL"
)

DRIVER = r"""
import importlib, json, os, random, signal, sys, time
from cachelint import cacheable

impl = importlib.import_module("cachelint.cacheable")
budget, max_iterations = float(sys.argv[1]), int(sys.argv[2])
rng = random.Random(20240501)

# Sizes on both sides of the full-CRC limit; raw bytes and pickles; every value differs.
SIZES = [300, 50_000, 200_000, 1_200_000]
KEYS = range(12)
VALUES = {}
for k in KEYS:
    blob = random.Random(k).randbytes(SIZES[k % 4])
    VALUES[k] = blob if k % 2 else {"k": k, "blob": blob, "tail": list(range(k))}


def produce(k):
    return VALUES[k]


writer = cacheable(produce)


def write_forever(seed):
    local = random.Random(seed)
    while True:
        k = local.choice(KEYS)
        try:
            os.unlink(writer.cache_path(k))  # force a rewrite of this entry
        except FileNotFoundError:
            pass
        writer(k)


def temp_files(root):
    return [
        os.path.join(d, f) for d, _, files in os.walk(root) for f in files
        if f.startswith(".tmp.")
    ]


root = os.environ["CACHELINT_CACHE_DIR"]
deadline = time.monotonic() + budget
report = {"iterations": 0, "accepted": 0, "rejected": 0, "wrong": 0, "missing": 0,
          "killed_mid_write": 0, "max_delay_ms": 0.0}
seen_temps = set()
while report["iterations"] < max_iterations and time.monotonic() < deadline:
    delay = rng.uniform(0.0, 0.03)
    pid = os.fork()
    if pid == 0:
        try:
            write_forever(rng.random())
        finally:
            os._exit(0)
    time.sleep(delay)
    os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, status
    report["iterations"] += 1
    report["max_delay_ms"] = max(report["max_delay_ms"], delay * 1000)
    temps = set(temp_files(root))
    if temps - seen_temps:
        report["killed_mid_write"] += 1
    seen_temps |= temps

    # A fresh reader (no state from earlier instances) checks every entry on disk; its
    # statistics say whether it accepted the entry (a hit) or refused it (an error).
    reader = cacheable(produce)
    for k in KEYS:
        if not os.path.exists(writer.cache_path(k)):
            report["missing"] += 1
            continue
        before = reader.cache_info()
        value = reader(k)
        after = reader.cache_info()
        if after.hits > before.hits:
            report["accepted"] += 1
            if value != VALUES[k]:
                report["wrong"] += 1
        if after.errors > before.errors:
            report["rejected"] += 1

report["temp_files_left"] = len(temp_files(root))

# Age every leftover temporary file past the sweep limit: the next write removes them.
old = time.time() - impl.STALE_TEMP_SECONDS - 60
for path in temp_files(root):
    os.utime(path, (old, old))
try:
    os.unlink(writer.cache_path(0))
except FileNotFoundError:
    pass
cacheable(produce)(0)  # a new instance's first write sweeps its function's directory
report["temp_files_after_sweep"] = len(temp_files(root))
print(json.dumps(report))
"""


def run_driver(tmp_path, budget, iterations):
    script = tmp_path / "driver.py"
    script.write_text(textwrap.dedent(DRIVER))
    cache_dir = tmp_path / "cache"
    env = dict(os.environ, CACHELINT_CACHE_DIR=str(cache_dir))
    env.pop("CACHELINT_CACHE_SECRET", None)
    done = subprocess.run(
        [sys.executable, str(script), repr(budget), str(iterations)],
        env=env,
        cwd=str(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_killed_writers_never_leave_an_entry_that_reads_as_wrong(tmp_path):
    report = run_driver(tmp_path, budget=3.0, iterations=120)
    print("crash test:", report)
    assert report["iterations"] >= 40, report
    assert report["wrong"] == 0, report
    # os.replace makes every entry whole or absent: a reader never even sees a damaged one.
    assert report["rejected"] == 0, report
    assert report["accepted"] > 0, report
    # Some kills landed while a temporary file was open; a later write removed them all.
    assert report["killed_mid_write"] > 0, report
    assert report["temp_files_after_sweep"] == 0, report

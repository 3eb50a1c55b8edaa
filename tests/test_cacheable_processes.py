"""cachelint.cacheable: several processes sharing one cache directory."""
import json
import os
import subprocess
import sys
import textwrap
import time

WORKER = """
import json, os, random, sys, time
from cachelint import cacheable

def expected(k):
    # 40 kB .. 400 kB values: large enough that a write takes several system calls
    return {"k": k, "blob": bytes([k]) * (40_000 * (1 + k % 10)), "tail": list(range(k))}

@cacheable
def compute(k):
    return expected(k)

worker, start = int(sys.argv[1]), float(sys.argv[2])
rng = random.Random(worker)
while time.time() < start:
    time.sleep(0.001)
wrong = 0
for i in range(200):
    k = rng.randrange(12)
    if rng.random() < 0.25:
        # Force rewrites while the other processes are reading the same entries.
        try:
            os.unlink(compute.cache_path(k))
        except FileNotFoundError:
            pass
    if compute(k) != expected(k):
        wrong += 1
print(json.dumps({"wrong": wrong, "info": list(compute.cache_info())}))
"""


def test_four_processes_never_see_wrong_or_partial_values(tmp_path):
    script = tmp_path / "worker.py"
    script.write_text(textwrap.dedent(WORKER))
    cache_dir = tmp_path / "shared-cache"
    env = dict(os.environ, CACHELINT_CACHE_DIR=str(cache_dir))
    start = time.time() + 1.5  # all four start their loops together
    procs = [
        subprocess.Popen(
            [sys.executable, str(script), str(n), repr(start)],
            env=env,
            cwd=str(tmp_path),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(4)
    ]
    reports = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        reports.append(json.loads(out))
    assert [r["wrong"] for r in reports] == [0, 0, 0, 0]
    hits = sum(r["info"][0] for r in reports)
    misses = sum(r["info"][1] for r in reports)
    writes = sum(r["info"][2] for r in reports)
    errors = sum(r["info"][3] for r in reports)
    assert hits + misses == 800
    # Readers never saw a partial entry: a torn read would have been counted as an error.
    assert errors == 0
    assert hits > 0 and writes > 12  # entries really were shared and rewritten
    leftovers = [p.name for p in cache_dir.rglob(".tmp.*")]
    assert leftovers == []


LOAD_WORKER = """
import json, os, random, sys, time
from cachelint import cacheable

def uncached(k):
    # Small values and values above the 64 KiB full-check limit, raw bytes and pickles.
    size = (200, 3_000, 90_000, 150_000)[k % 4]
    blob = bytes([k]) * size
    return blob if k % 5 == 0 else {"k": k, "blob": blob, "squares": [i * i for i in range(k)]}

@cacheable
def compute(k):
    return uncached(k)

worker, start, calls = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
rng = random.Random(1000 + worker)
while time.time() < start:
    time.sleep(0.001)
wrong = exceptions = 0
for i in range(calls):
    k = rng.randrange(50)
    if rng.random() < 0.05:
        try:  # churn: entries disappear and are rewritten under the other processes
            os.unlink(compute.cache_path(k))
        except FileNotFoundError:
            pass
    try:
        if compute(k) != uncached(k):
            wrong += 1
    except Exception:
        exceptions += 1
print(json.dumps({"wrong": wrong, "exceptions": exceptions, "info": list(compute.cache_info())}))
"""


def test_eight_processes_thousand_calls_each_over_fifty_keys(tmp_path):
    processes, calls = 8, 1000
    script = tmp_path / "load_worker.py"
    script.write_text(textwrap.dedent(LOAD_WORKER))
    cache_dir = tmp_path / "shared-cache"
    env = dict(os.environ, CACHELINT_CACHE_DIR=str(cache_dir))
    start = time.time() + 2.0  # every process starts its loop at the same moment
    procs = [
        subprocess.Popen(
            [sys.executable, str(script), str(n), repr(start), str(calls)],
            env=env,
            cwd=str(tmp_path),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(processes)
    ]
    reports = []
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        assert "Traceback" not in err, err
        reports.append(json.loads(out))
    print("load test:", processes, "processes x", calls, "calls:", reports)
    assert [r["wrong"] for r in reports] == [0] * processes
    assert [r["exceptions"] for r in reports] == [0] * processes
    for r in reports:
        hits, misses, writes, errors = r["info"]
        assert hits + misses == calls
        assert errors == 0  # no reader ever saw a partial or damaged entry
        assert writes <= misses
    assert sum(r["info"][0] for r in reports) > processes * calls // 2  # mostly hits
    assert list(cache_dir.rglob(".tmp.*")) == []

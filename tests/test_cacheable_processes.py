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

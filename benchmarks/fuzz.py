"""Long fuzzing run: the properties of tests/test_fuzz.py with example counts of your choice.

    python benchmarks/fuzz.py                       # defaults below (a few minutes)
    python benchmarks/fuzz.py --grammar 2000 --node 300 --cache 1000 --mutation 3000 --seed 1

For each family of inputs it prints how many examples ran, how long they took and what the
linter made of them (clean, other diagnostics, CL001, CL002). A broken property stops that
family with hypothesis's minimal failing example; the exit status is then 1.
"""
from __future__ import annotations

import argparse
import collections
import re
import sys
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import hypothesmith  # noqa: E402
from hypothesis import HealthCheck, given, seed, settings  # noqa: E402

import test_fuzz as fz  # noqa: E402
from cachelint.engine import Linter  # noqa: E402

FAMILIES = {
    "grammar": (lambda: hypothesmith.from_grammar(), "text"),
    "node": (lambda: hypothesmith.from_node(), "text"),
    "cache": (lambda: fz.cache_programs(), "program"),
    "mutation": (lambda: fz.mutated_fixtures(), "bytes"),
}


def run_family(name: str, count: int, seed_value: int, linter: Linter) -> dict:
    strategy, kind = FAMILIES[name]
    outcomes: collections.Counter = collections.Counter()
    reasons: collections.Counter = collections.Counter()

    @seed(seed_value)
    @settings(max_examples=count, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(strategy())
    def prop(example):
        if kind == "program":
            source = example["source"]
            assert fz.parses(source), source
            items = fz.lint_checked(linter, source)
            assert not [i for i in items if i["code"] in ("CL001", "CL002")], items
            fz._oracle(example, items)
        else:
            items = fz.lint_checked(linter, example)
        codes = {i["code"] for i in items}
        outcomes["examples"] += 1
        for item in items:
            if item["code"] == "CL001" and kind == "text":  # valid Python that still fails: why?
                reasons[re.sub(r"\d+", "N", item["message"])[:160]] += 1
        if "CL002" in codes:
            outcomes["CL002"] += 1
        elif "CL001" in codes:
            outcomes["CL001"] += 1
        elif codes:
            outcomes["diagnostics"] += 1
        else:
            outcomes["clean"] += 1
        outcomes["diagnostics total"] += len(items)

    started = time.monotonic()
    failure = None
    try:
        prop()
    except Exception:  # hypothesis re-raises the shrunk failure
        failure = traceback.format_exc()
    return {"name": name, "seconds": time.monotonic() - started, "outcomes": outcomes, "failure": failure,
            "reasons": reasons}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--grammar", type=int, default=1000, help="programs from hypothesmith.from_grammar()")
    parser.add_argument("--node", type=int, default=150, help="programs from hypothesmith.from_node() (slow)")
    parser.add_argument("--cache", type=int, default=500, help="cache-dense generated programs")
    parser.add_argument("--mutation", type=int, default=2000, help="mutated fixture files")
    parser.add_argument("--seed", type=int, default=0, help="hypothesis seed (same seed, same examples)")
    args = parser.parse_args(argv)

    import warnings

    warnings.simplefilter("ignore", SyntaxWarning)  # hypothesmith compiles what it writes
    linter = Linter(prefilter=False)
    failed = False
    print(f"{'family':<10} {'examples':>8} {'seconds':>8}  outcomes")
    for name in FAMILIES:
        count = getattr(args, name)
        if count <= 0:
            continue
        result = run_family(name, count, args.seed, linter)
        outcomes = result["outcomes"]
        detail = ", ".join(f"{key} {outcomes[key]}" for key in ("clean", "diagnostics", "CL001", "CL002",
                                                                 "diagnostics total") if outcomes[key])
        print(f"{name:<10} {outcomes['examples']:>8} {result['seconds']:>8.1f}  {detail}", flush=True)
        for reason, count in result["reasons"].most_common():
            print(f"{'':<10} {count:>8} x CL001 on valid Python: {reason}", flush=True)
        if result["failure"]:
            failed = True
            print(result["failure"], file=sys.stderr)
    if linter.internal_errors:
        failed = True
        print("internal errors:", *linter.internal_errors, sep="\n  ", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

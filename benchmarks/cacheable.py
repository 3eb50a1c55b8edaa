"""Compare cachelint.cacheable with joblib.Memory.cache and diskcache.Cache.memoize.

Measured in one run, on the same machine and file system:

* a hit and a miss (compute + store) for a function with small arguments and a small
  result;
* the same for a function returning 1 MB of ``bytes``.

Each figure is the median, over ``--repeat`` repetitions, of the mean time per call in a
batch of calls (microseconds). Misses use fresh arguments in every batch so every call
really computes and writes. The script prints a Markdown table with the ratios
cacheable/joblib and cacheable/diskcache (below 1.0 means cacheable is faster), the cost
of checksumming 1 MB both ways cacheable could (every byte, or its spot check), and whether
the 1 MB hit meets the target (no slower than joblib, at most twice diskcache).

Run:  python benchmarks/cacheable.py [--repeat 7] [--small-calls 300] [--large-calls 40]
Needs joblib and diskcache installed; it is not part of the test suite.
"""
import argparse
import itertools
import os
import shutil
import statistics
import sys
import tempfile
import time
import zlib

LARGE = os.urandom(1 << 20)


def small_function(a, b=2):
    return (a, b, a * b)


def large_function(a):
    return LARGE


def per_call_us(fn, args_iter, calls):
    start = time.perf_counter()
    for _ in range(calls):
        fn(next(args_iter))
    return (time.perf_counter() - start) / calls * 1e6


def measure(functions, calls, repeat, fresh_keys):
    """Median per-call time (µs) over ``repeat`` batches of ``calls`` calls, per function.

    The functions take turns batch by batch, so a change in machine load during the run
    affects all of them alike.
    """
    samples = {name: [] for name in functions}
    batch = itertools.count(1)
    for _ in range(repeat):
        for name, fn in functions.items():
            if fresh_keys:
                first = next(batch) * 1_000_000
                args = iter(range(first, first + calls))
            else:
                args = itertools.repeat(0)
            samples[name].append(per_call_us(fn, args, calls))
    return {name: statistics.median(values) for name, values in samples.items()}


def make_wrappers(base):
    from cachelint import cacheable
    import diskcache
    import joblib

    memory = joblib.Memory(os.path.join(base, "joblib"), verbose=0)
    disk = diskcache.Cache(os.path.join(base, "diskcache"))
    wrappers = {
        "cacheable": lambda f: cacheable(directory=os.path.join(base, "cacheable"))(f),
        "joblib": memory.cache,
        "diskcache": disk.memoize(),
    }
    return wrappers, disk


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="repetitions (default 7)")
    parser.add_argument("--small-calls", type=int, default=300, help="calls per batch, small")
    parser.add_argument("--large-calls", type=int, default=40, help="calls per batch, 1 MB")
    options = parser.parse_args(argv)

    base = tempfile.mkdtemp(prefix="cachelint-bench-")
    try:
        wrappers, disk = make_wrappers(base)
        cases = [
            ("small args, small result", small_function, options.small_calls),
            ("1 MB bytes result", large_function, options.large_calls),
        ]
        results = {}
        for label, function, calls in cases:
            functions = {name: wrap(function) for name, wrap in wrappers.items()}
            for fn in functions.values():
                fn(0)  # first miss: directories, function registration, imports
                fn(0)
            for kind, fresh in (("hit", False), ("miss+write", True)):
                timings = measure(functions, calls, options.repeat, fresh_keys=fresh)
                for name, value in timings.items():
                    results[(label, kind, name)] = value
        disk.close()

        crc_us = statistics.median(
            _timed(lambda: zlib.crc32(LARGE)) for _ in range(options.repeat * 5)
        )
        spot_check = _spot_checker()
        spot_us = statistics.median(
            _timed(lambda: spot_check(LARGE)) for _ in range(options.repeat * 5)
        )
    finally:
        shutil.rmtree(base, ignore_errors=True)

    print(
        "Python %s on %s, %d CPUs; median of %d batches, µs per call\n"
        % (sys.version.split()[0], sys.platform, os.cpu_count() or 0, options.repeat)
    )
    print("| case | cacheable | joblib | diskcache | cacheable/joblib | cacheable/diskcache |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, _function, _calls in cases:
        for kind in ("hit", "miss+write"):
            c = results[(label, kind, "cacheable")]
            j = results[(label, kind, "joblib")]
            d = results[(label, kind, "diskcache")]
            print(
                "| %s, %s | %.1f | %.1f | %.1f | %.2f | %.2f |"
                % (label, kind, c, j, d, c / j, c / d)
            )
    print(
        "\nFor reference, on 1 MB here: a CRC-32 over every byte (zlib.crc32) costs %.0f µs; "
        "the spot check cacheable verifies on a hit of a large unsigned entry costs %.1f µs."
        % (crc_us, spot_us)
    )
    c, j, d = (
        results[("1 MB bytes result", "hit", name)] for name in ("cacheable", "joblib", "diskcache")
    )
    verdict = "met" if c <= j and c <= 2 * d else "NOT met"
    print(
        "Target for a 1 MB hit (no slower than joblib, at most 2x diskcache): %s "
        "(%.2fx joblib, %.2fx diskcache)." % (verdict, c / j, c / d)
    )
    return 0


def _spot_checker():
    """The check cacheable computes for a large unsigned entry, as a one-argument call."""
    import importlib

    impl = importlib.import_module("cachelint.cacheable")
    impl._load_runtime()
    head = bytes(48)
    return lambda payload: impl._checksum(head, payload, None, impl._FLAG_SPOT_CHECK)


def _timed(fn):
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1e6


if __name__ == "__main__":
    sys.exit(main())

"""Speed and memory of cachelint beside ruff and flake8, measured in one run.

Usage::

    python benchmarks/speed.py [--repeat 5] [--output docs/performance.md] [--skip-synthetic]

Trees: (a) the running interpreter's standard library without site-packages, (b) the
real-code corpus of ``benchmarks/corpus.py`` when it has been downloaded, (c) a synthetic
tree of ten copies of (a), (d) a single clean file and a single file with cache
decorators. Commands: cachelint cold (``--no-cache``), cachelint warm (a result cache
primed once before the timed runs), ``ruff check --no-cache --select B019`` and ``flake8 --select
B019`` (flake8 only on (d) and a 100-file sample: it takes minutes on (a)). Runs are
interleaved, repeated, and summarised by the median wall time; peak RSS is the largest
resident set of any process of the command. The Markdown table goes to stdout and to
``--output``. The script also checks that cachelint's JSON output over (a) and (b) is
identical cold, warm, with ``--jobs 1`` and in two parallel runs, and exits 1 when it is not.

Needs ruff, flake8 and flake8-bugbear installed next to cachelint (they are not test
dependencies): ``pip install ruff flake8 flake8-bugbear``.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CORPUS = HERE / ".corpus" / "src"
BIN = Path(sys.executable).parent

_MEASURE = (
    "import resource, subprocess, sys, time\n"
    "start = time.perf_counter()\n"
    "proc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
    "wall = time.perf_counter() - start\n"
    "print(wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, proc.returncode)\n"
)


def measure(command: Sequence[str], cwd: Path) -> Tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of ``command``, measured by a fresh parent process."""
    out = subprocess.run([sys.executable, "-c", _MEASURE, *command], capture_output=True, text=True, cwd=cwd, check=True)
    wall, rss, code = out.stdout.split()
    if int(code) not in (0, 1):
        raise RuntimeError(f"{command} exited {code}")
    return float(wall), int(rss)


def tree_peak_rss(command: Sequence[str], cwd: Path) -> int:
    """Peak RSS (KiB) of the largest process ``command`` runs, its workers included.

    ``getrusage(RUSAGE_CHILDREN)`` sees only the processes its caller waits for: a worker
    forked from cachelint's fork server is another process's child. Here the command runs
    in a session of its own and every process of that session has its high-water mark
    (``VmHWM``) read from ``/proc`` every 20 ms. Not a timed run (the polling takes CPU).
    Without ``/proc``, the ``getrusage`` figure.
    """
    if not Path("/proc/self/status").exists():
        return measure(command, cwd)[1]
    proc = subprocess.Popen(list(command), cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    peaks: Dict[str, int] = {}
    while True:
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    session = int(handle.read().rsplit(")", 1)[1].split()[3])
                if session != proc.pid:
                    continue
                with open(f"/proc/{entry}/status") as handle:
                    for line in handle:
                        if line.startswith("VmHWM:"):
                            peaks[entry] = max(peaks.get(entry, 0), int(line.split()[1]))
            except (OSError, ValueError, IndexError):
                continue  # the process ended meanwhile
        if proc.poll() is not None:
            break
        time.sleep(0.02)
    return max(peaks.values(), default=0)


def tool(name: str) -> str:
    path = BIN / name
    return str(path) if path.exists() else shutil.which(name) or name


def stdlib_tree() -> Path:
    return Path(sysconfig.get_paths()["stdlib"])


def synthetic_tree(base: Path, work: Path, copies: int = 10) -> Path:
    target = work / "synthetic"
    if not target.exists():
        ignore = shutil.ignore_patterns("site-packages", "__pycache__", "*.pyc")
        for i in range(copies):
            shutil.copytree(base, target / f"copy{i}", ignore=ignore, symlinks=True)
    return target


def sample_files(base: Path, count: int = 100) -> List[str]:
    found = sorted(str(p) for p in base.rglob("*.py") if "site-packages" not in p.parts)
    step = max(1, len(found) // count)
    return found[::step][:count]


def single_files(work: Path) -> Dict[str, Path]:
    clean = work / "clean.py"
    clean.write_text("import os\n\n\ndef join(a, b):\n    return os.path.join(a, b)\n")
    cached = work / "cached.py"
    cached.write_text((ROOT / "examples" / "broken" / "render_service.py").read_text())
    return {"clean": clean, "cached": cached}


def cachelint_json(paths: Sequence[str], cwd: Path, *extra: str) -> str:
    proc = subprocess.run([tool("cachelint"), "--format", "json", *extra, *paths], capture_output=True, text=True, cwd=cwd)
    return proc.stdout


def bench_tree(label: str, paths: Sequence[str], work: Path, repeat: int, with_flake8: bool, with_ruff: bool = True) -> Dict[str, object]:
    cache_dir = work / f"cache-{len(label)}-{abs(hash(label))}"
    # warm runs read a cache primed once, untimed; cold runs use no result cache at all (the
    # cache is content-addressed, so a "cold" run with a fresh cache would still hit on the
    # identical files of tree (c))
    subprocess.run([tool("cachelint"), "--exit-zero", "-q", "--cache-dir", str(cache_dir), *paths], cwd=work,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    commands = {
        "cachelint cold": lambda: [tool("cachelint"), "--exit-zero", "--no-cache", *paths],
        "cachelint warm": lambda: [tool("cachelint"), "--exit-zero", "--cache-dir", str(cache_dir), *paths],
    }
    if with_ruff:
        commands["ruff B019"] = lambda: [tool("ruff"), "check", "--no-cache", "--isolated", "--select", "B019", "--exit-zero", "-q", *paths]
    if with_flake8:
        commands["flake8 B019"] = lambda: [tool("flake8"), "--isolated", "--select", "B019", "--exit-zero", *paths]
    samples: Dict[str, List[Tuple[float, int]]] = {name: [] for name in commands}
    for _ in range(repeat):
        for name, make in commands.items():  # interleaved: one of each per round
            samples[name].append(measure(make(), work))
    row: Dict[str, object] = {"tree": label}
    for name, values in samples.items():
        row[name] = statistics.median(v[0] for v in values)
        row[name + " rss"] = max(v[1] for v in values)
    for name in ("cachelint cold", "cachelint warm"):  # one untimed run each, workers included
        row[name + " rss"] = max(int(row[name + " rss"]), tree_peak_rss(commands[name](), work))
    return row


def check_identical(paths: Sequence[str], work: Path) -> Optional[str]:
    cache_dir = work / "cache-identity"
    shutil.rmtree(cache_dir, ignore_errors=True)
    cold = cachelint_json(paths, work, "--cache-dir", str(cache_dir))
    warm = cachelint_json(paths, work, "--cache-dir", str(cache_dir))
    serial = cachelint_json(paths, work, "--no-cache", "--jobs", "1")
    parallel = [cachelint_json(paths, work, "--no-cache") for _ in range(2)]  # workers share files by timing
    if not (cold == warm == serial == parallel[0] == parallel[1]):
        return "cachelint's JSON differs between cold, warm, --jobs 1 and parallel runs"
    json.loads(cold)
    return None


def fmt_seconds(value: object) -> str:
    return "–" if value is None else f"{value:.2f}"


def ratio(value: float, peer: Optional[float]) -> str:
    """``value / peer`` to two decimals, or a dash when the peer was not measured."""
    return f"{value / peer:.2f}" if peer else "–"


def table(rows: List[Dict[str, object]]) -> str:
    lines = [
        "| tree | cachelint cold s | cachelint warm s | ruff B019 s | flake8 B019 s | cold/ruff | warm/ruff | cold/flake8 | cachelint peak RSS MiB (largest process) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        ruff = row.get("ruff B019")
        flake8 = row.get("flake8 B019")
        cold, warm = row["cachelint cold"], row["cachelint warm"]
        lines.append(
            f"| {row['tree']} | {fmt_seconds(cold)} | {fmt_seconds(warm)} | {fmt_seconds(ruff)} | {fmt_seconds(flake8)} | "
            f"{ratio(cold, ruff)} | {ratio(warm, ruff)} | {ratio(cold, flake8)} | "
            f"{max(row['cachelint cold rss'], row['cachelint warm rss']) / 1024:.0f} |"
        )
    return "\n".join(lines)


#: The table ends here in docs/performance.md; what follows (hand-written notes) is kept.
NOTES_MARKER = "<!-- notes below are kept when the table is regenerated -->"


def _kept_notes(path: Path) -> str:
    """The hand-written notes after :data:`NOTES_MARKER` in ``path`` (with the marker), or ''."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return ""
    at = text.find(NOTES_MARKER)
    return "\n" + text[at:] if at >= 0 else ""


def main(argv: Optional[Sequence[str]] = None) -> int:
    # installed packages run from compiled bytecode; a PYTHONDONTWRITEBYTECODE environment
    # would recompile cachelint's modules in every process (about 0.4 s of a parallel run)
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--output", default=str(ROOT / "docs" / "performance.md"))
    parser.add_argument("--skip-synthetic", action="store_true", help="skip tree (c), ten copies of the standard library")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="cachelint-speed-"))
    try:
        base = stdlib_tree()
        rows = []
        singles = single_files(work)
        for name, path in singles.items():
            rows.append(bench_tree(f"(d) one {name} file", [str(path)], work, args.repeat, with_flake8=True))
        rows.append(bench_tree("100-file stdlib sample", sample_files(base), work, args.repeat, with_flake8=True))
        rows.append(bench_tree("(a) standard library", [str(base)], work, args.repeat, with_flake8=False))
        if CORPUS.exists():
            rows.append(bench_tree("(b) real-code corpus", [str(CORPUS)], work, args.repeat, with_flake8=False))
        if not args.skip_synthetic:
            rows.append(bench_tree("(c) 10 × standard library", [str(synthetic_tree(base, work))], work, max(1, args.repeat // 2), with_flake8=False))
        problem = check_identical([str(base)] + ([str(CORPUS)] if CORPUS.exists() else []), work)
        import_click = statistics.median(measure([sys.executable, "-c", "import click"], work)[0] for _ in range(args.repeat))
        report = (
            "# Performance\n\n"
            f"Measured by `benchmarks/speed.py` on a machine with {os.cpu_count()} cores, Python "
            f"{sys.version.split()[0]}, {time.strftime('%Y-%m-%d')}. Wall times are medians of interleaved runs; "
            "ratios compare commands measured in the same run. `python -c \"import click\"` took "
            f"{import_click:.3f} s in this run. Every command runs from compiled bytecode (as installed "
            "packages do).\n\n" + table(rows) + "\n"
        )
        print(report)
        if args.output:
            Path(args.output).write_text(report + _kept_notes(Path(args.output)))
        if problem:
            print(problem, file=sys.stderr)
            return 1
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

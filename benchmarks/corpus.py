"""A pinned corpus of real Python code that uses caching, and a precision run over it.

Usage::

    python benchmarks/corpus.py            # download and unpack what is missing
    python benchmarks/corpus.py --run      # ... then lint the corpus and the stdlib
    python benchmarks/corpus.py --run --select ALL

Each distribution in :data:`CORPUS` is fetched with ``pip download --no-deps
--only-binary :all:`` (a wheel: nothing is built and no ``setup.py`` runs) into
``benchmarks/.corpus/downloads/``, checked against its pinned SHA-256 and unpacked with
:mod:`zipfile` into ``benchmarks/.corpus/src/<name>-<version>/``. Everything already
present is skipped, so a second run does nothing. Only PyPI is needed.

``--run`` lints every unpacked tree plus the running interpreter's standard library
(without ``site-packages``) with ``cachelint --format json``, writes the combined array to
``benchmarks/.corpus/results.json`` (each diagnostic gets a ``corpus`` key naming its tree)
and prints a table of counts per rule and per tree. The run reads an empty configuration
(``benchmarks/.corpus/pyproject.toml``) so nothing around the corpus changes the result,
and it never reuses an earlier run's result cache.

``docs/precision.md`` records the verdicts for the diagnostics of the default rule set.
"""
from __future__ import annotations

import argparse
import collections
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

HERE = Path(__file__).resolve().parent
BASE = HERE / ".corpus"
DOWNLOADS = BASE / "downloads"
SRC = BASE / "src"
RESULTS = BASE / "results.json"
CONFIG = BASE / "pyproject.toml"

#: (distribution, exact wheel file name, its SHA-256). The wheel name pins the version and,
#: for the few distributions published only (or preferably) as binary wheels (black,
#: hypothesis, pandas), the platform: ``pip download`` is given that platform, so every
#: machine fetches the same file, and its hash is checked before it is unpacked. Only the
#: ``.py`` files matter to cachelint; compiled extensions are never loaded.
CORPUS: Tuple[Tuple[str, str, str], ...] = (
    ("Django", "django-5.2.19-py3-none-any.whl",
     "5965d974a5218a2b68a11dd1276434707f23886525c23f0598eccedaf4f4ca00"),
    ("Flask-Caching", "flask_caching-2.5.1-py3-none-any.whl",
     "a8591b0315f033d1f10ba67e318b82b3179e548306195ec08e8f0c5f8ef287bf"),
    ("streamlit", "streamlit-1.67.0-py3-none-any.whl",
     "f29da87c443bfbdfc52738616e3d65745d438e718da8faf69e2be0da1e52ce64"),
    ("prefect", "prefect-3.9.1-py3-none-any.whl",
     "0c662e26e971b617993eed1f3d02fb8bc3c2dd47bee521b495f6e4dfeb38ae74"),
    ("joblib", "joblib-1.6.0-py3-none-any.whl",
     "3dbbf9f6e4b592a2357b854608e980fe6390d131d7a82f011a377ef2ebef7aba"),
    ("diskcache", "diskcache-5.6.3-py3-none-any.whl",
     "5e31b2d5fbad117cc363ebaf6b689474db18a1f6438bc82358b024abd4c2ca19"),
    ("cachetools", "cachetools-8.0.2-py3-none-any.whl",
     "502bf3c17c6e35d78ccdaa70da8c7001b28634541f5cde0dee33c93bb252277d"),
    ("sphinx", "sphinx-9.0.4-py3-none-any.whl",
     "5bebc595a5e943ea248b99c13814c1c5e10b3ece718976824ffa7959ff95fffb"),
    ("pip", "pip-26.3-py3-none-any.whl",
     "f3b60b20ffaadd4415ed7957212a38ac63fa4c5fa375bd0f4a797777940fad13"),
    ("black", "black-26.10.1-cp311-cp311-manylinux2014_x86_64.manylinux_2_17_x86_64.manylinux_2_28_x86_64.whl",
     "ff57f63029aa1353fa8b1b0c8971fd88a6c92dc766608d2eee33ad2deb23270e"),
    ("pydantic", "pydantic-2.14.4-py3-none-any.whl",
     "653a2ad9f6d8858529c77c72717d0ea991d6c6837fe683246b2f4b2bbfc3fadc"),
    ("rich", "rich-15.0.0-py3-none-any.whl",
     "33bd4ef74232fb73fe9279a257718407f169c09b78a87ad3d296f548e27de0bb"),
    ("httpx", "httpx-0.28.1-py3-none-any.whl",
     "d909fcccc110f8c7faf814ca82a9a4d816bc5a6dbfea25d6591d6985b8ba59ad"),
    ("sympy", "sympy-1.14.0-py3-none-any.whl",
     "e091cc3e99d2141a0ba2847328f5479b05d94a6635cb96148ccb3f34671bd8f5"),
    ("dogpile.cache", "dogpile_cache-1.5.0-py3-none-any.whl",
     "dc7b47d37844db15e8fdc0243c1b58857a2ddc52a5118237a97127bac200e18d"),
    ("cachier", "cachier-4.2.0-py3-none-any.whl",
     "0c33b79e3cb6f250ce90d5225fbe4e0d9ec7133a7ea8b700428eb2b7d12402a0"),
    ("aiocache", "aiocache-0.12.3-py2.py3-none-any.whl",
     "889086fc24710f431937b87ad3720a289f7fc31c4fd8b68e9f918b9bacd8270d"),
    ("async-lru", "async_lru-2.4.0-py3-none-any.whl",
     "1b46a96419ef91fe11431d58db98d792c9b4250001427191a40faf1031934212"),
    ("cashews", "cashews-7.6.0-py3-none-any.whl",
     "4fef6d17b94c7c5750aa1b6b5c10a422ba7d81c80a5b3b30eb2aeb49155c042d"),
    ("methodtools", "methodtools-0.4.7-py2.py3-none-any.whl",
     "5e188c780b236adc12e75b5f078c5afb419ef99eb648569fc6d7071f053a1f11"),
    ("gradio", "gradio-6.31.0-py3-none-any.whl",
     "7b50b9b6a2d23cd02851ad4c8b1c8312c88d8b911d1f29c93f9761c98348a64a"),
    ("apache-hamilton", "apache_hamilton-1.90.0-py3-none-any.whl",
     "95e356f7cb23e1a10d44fd0cf5efd3fb36a077b4ccb673950c92005bfdec2ff7"),
    ("transformers", "transformers-5.24.0-py3-none-any.whl",
     "ff5ebedf9359f94bb63772b6380eba6e7104d010cbbb2cb82c788817ea7486f6"),
    ("huggingface-hub", "huggingface_hub-2.4.0-py3-none-any.whl",
     "42ecfd93ede47bdd333daebbf66a32d7bfe2e18752754fe4d2d4f98a0179d801"),
    ("networkx", "networkx-3.6.1-py3-none-any.whl",
     "d47fbf302e7d9cbbb9e2555a0d267983d2aa476bac30e90dfbe5669bd57f3762"),
    ("hypothesis", "hypothesis-6.170.17-cp311-cp311-manylinux2014_x86_64.manylinux_2_17_x86_64.whl",
     "ba5757621056597fd71d101357fed17b7f200592ca6050b59bf6733869de9fc5"),
    ("pytest", "pytest-9.2.0-py3-none-any.whl",
     "07acdcf88ec174f907dc01af70bf52d49b014bbab03faeeade31c96b18c2e588"),
    ("setuptools", "setuptools-84.2.1-py3-none-any.whl",
     "ca140b45d5325a9478f880e351484f62fef15f336462e449ca0c03c873d589c2"),
    ("requests-cache", "requests_cache-1.3.3-py3-none-any.whl",
     "c8df20ff874ebfc026959e3874e6c12bd6724934cdb10925915908453d4b17e4"),
    ("dask", "dask-2026.8.0-py3-none-any.whl",
     "ccc0c83a189b0398602435189771d28dad7b5773b6089bb8dce14ae732dd782c"),
    ("xarray", "xarray-2026.9.0-py3-none-any.whl",
     "fe349fa871628b1a0a5217af3fe1283a2862d5485156e6eda354fffb81c3bb7c"),
    ("werkzeug", "werkzeug-3.1.9-py3-none-any.whl",
     "6392e50c78460ba618e5b21f08a71f59c99ce99cdc6cf6e3dd7e6ccca8754fab"),
    ("fastapi", "fastapi-0.165.0-py3-none-any.whl",
     "896f48462042bb4f162147eb8fac7e858753dc1f486765709baf105d70e4fc5b"),
    ("langchain-core", "langchain_core-1.8.4-py3-none-any.whl",
     "5755dee8f8b0c709cd22436dea3689c74a3f6e9dc4251590797dcd66bcd1ef67"),
    ("pandas", "pandas-3.1.1-cp311-cp311-manylinux_2_24_x86_64.manylinux_2_28_x86_64.whl",
     "4f1602f614bb83f443381dbcbb94c4ac764b2e50c8d6c965614c5cd83e328c47"),
)

STDLIB = "stdlib"


def normalize(name: str) -> str:
    """PEP 503 normalisation with ``_`` (the form used in wheel file names), lower case."""
    return re.sub(r"[-_.]+", "_", name).lower()


def version_of(wheel: str) -> str:
    return wheel.split("-")[1]


def tree_name(name: str, wheel: str) -> str:
    return f"{name}-{version_of(wheel)}"


def platform_options(wheel: str) -> List[str]:
    """``pip download`` options that select ``wheel`` on any machine.

    ``foo-1.0-py3-none-any.whl`` needs none; ``foo-1.0-cp311-cp311-manylinux2014_x86_64
    .manylinux_2_17_x86_64.whl`` gets that interpreter, ABI and (first) platform tag.
    """
    python, abi, platform = wheel[: -len(".whl")].split("-")[-3:]
    if platform == "any":
        return []
    digits = python.split(".")[0][2:]
    return [
        "--platform", platform.split(".")[0], "--implementation", python[:2],
        "--python-version", f"{digits[0]}.{digits[1:]}", "--abi", abi.split(".")[0],
    ]


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def download(name: str, wheel: str) -> Path:
    DOWNLOADS.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check", "--no-deps",
        "--only-binary", ":all:", "--dest", str(DOWNLOADS), *platform_options(wheel), f"{name}=={version_of(wheel)}",
    ]
    subprocess.run(command, check=True)
    path = DOWNLOADS / wheel
    if not path.is_file():
        found = sorted(p.name for p in DOWNLOADS.glob(f"{normalize(name)}-{version_of(wheel)}-*.whl"))
        raise SystemExit(f"corpus: pip did not fetch {wheel} (found: {', '.join(found) or 'nothing'})")
    return path


def unpack(archive: Path, target: Path) -> int:
    """Extract the wheel ``archive`` into ``target`` (atomically); return the file count.

    Member names that would land outside ``target`` (absolute, ``..``) are refused.
    """
    partial = target.with_name(target.name + ".partial")
    if partial.exists():
        shutil.rmtree(partial)
    partial.mkdir(parents=True)
    root = partial.resolve()
    count = 0
    with zipfile.ZipFile(archive) as zf:
        for member in zf.infolist():
            destination = (partial / member.filename).resolve()
            if root != destination and root not in destination.parents:
                raise SystemExit(f"corpus: {archive.name} has an unsafe member name {member.filename!r}")
            if member.is_dir():
                continue
            destination.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(member) as source, open(destination, "wb") as sink:
                shutil.copyfileobj(source, sink)
            count += 1
    partial.rename(target)
    return count


def fetch_all() -> List[Path]:
    """Download, check and unpack what is missing; return the trees in :data:`CORPUS` order."""
    SRC.mkdir(parents=True, exist_ok=True)
    trees = []
    for name, wheel, digest in CORPUS:
        target = SRC / tree_name(name, wheel)
        trees.append(target)
        if target.is_dir():
            print(f"present     {target.relative_to(HERE.parent)}")
            continue
        archive = DOWNLOADS / wheel
        if archive.is_file():
            print(f"cached      {archive.relative_to(HERE.parent)}")
        else:
            archive = download(name, wheel)
            print(f"downloaded  {archive.relative_to(HERE.parent)}")
        actual = sha256(archive)
        if actual != digest:
            raise SystemExit(f"corpus: {wheel} has SHA-256 {actual}, expected {digest}; delete it and retry")
        count = unpack(archive, target)
        print(f"unpacked    {target.relative_to(HERE.parent)} ({count} files)")
    return trees


def python_files(tree: Path) -> int:
    return sum(1 for p in tree.rglob("*") if p.suffix in (".py", ".pyi") and "site-packages" not in p.parts)


def stdlib_tree() -> Path:
    return Path(sysconfig.get_paths()["stdlib"])


def cachelint_command() -> List[str]:
    local = Path(sys.executable).parent / "cachelint"
    if local.exists():
        return [str(local)]
    return [sys.executable, "-m", "cachelint"]


def run_cachelint(trees: Sequence[Path], select: Optional[str], extend_select: Optional[str]) -> List[dict]:
    """Lint ``trees`` and the stdlib; return the diagnostics, each with its ``corpus``."""
    CONFIG.write_text("# Empty on purpose: the corpus run uses cachelint's defaults.\n[tool.cachelint]\n")
    stdlib = stdlib_tree()
    command = cachelint_command() + ["--format", "json", "--exit-zero", "--config", str(CONFIG)]
    help_text = subprocess.run(cachelint_command() + ["--help"], capture_output=True, text=True).stdout
    if "--no-cache" in help_text:
        command.append("--no-cache")
    if select:
        command += ["--select", select]
    if extend_select:
        command += ["--extend-select", extend_select]
    command += [str(t) for t in trees] + [str(stdlib)]
    env = dict(os.environ)
    scratch = tempfile.mkdtemp(prefix="cachelint-corpus-")
    env["CACHELINT_CACHE_DIR"] = scratch  # a fresh result cache: never an earlier run's
    print(f"running     cachelint over {len(trees)} trees and {stdlib}", flush=True)
    started = time.perf_counter()
    try:
        proc = subprocess.run(command, cwd=str(BASE), env=env, capture_output=True, text=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit(f"corpus: cachelint exited with {proc.returncode}")
    diagnostics = json.loads(proc.stdout or "[]")
    print(f"finished    in {elapsed:.1f} s", flush=True)

    prefixes = [(str(t) + os.sep, t.name) for t in trees] + [(str(stdlib) + os.sep, STDLIB)]
    for d in diagnostics:
        absolute = os.path.abspath(os.path.join(str(BASE), d["path"]))
        d["corpus"] = next((label for prefix, label in prefixes if absolute.startswith(prefix)), "?")
    return diagnostics


def table(diagnostics: Sequence[dict], trees: Sequence[Path], file_counts: Dict[str, int]) -> str:
    """Counts per rule (rows) and per tree (corpus total and stdlib columns)."""
    by_rule: Dict[Tuple[str, str], collections.Counter] = collections.defaultdict(collections.Counter)
    for d in diagnostics:
        by_rule[(d["code"], d["name"])][d["corpus"]] += 1
    lines = ["| code | name | corpus | stdlib | total |", "|---|---|---:|---:|---:|"]
    totals = collections.Counter()
    for (code, name), counts in sorted(by_rule.items()):
        stdlib = counts.get(STDLIB, 0)
        corpus = sum(counts.values()) - stdlib
        totals["corpus"] += corpus
        totals["stdlib"] += stdlib
        lines.append(f"| {code} | {name} | {corpus} | {stdlib} | {corpus + stdlib} |")
    lines.append(f"| | **total** | {totals['corpus']} | {totals['stdlib']} | {totals['corpus'] + totals['stdlib']} |")
    lines += ["", "| tree | .py files | diagnostics |", "|---|---:|---:|"]
    per_tree = collections.Counter(d["corpus"] for d in diagnostics)
    for label in [t.name for t in trees] + [STDLIB]:
        lines.append(f"| {label} | {file_counts.get(label, 0)} | {per_tree.get(label, 0)} |")
    return "\n".join(lines)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--run", action="store_true", help="lint the corpus and the stdlib after fetching it")
    parser.add_argument("--select", help="passed to cachelint --select (default: cachelint's default rules)")
    parser.add_argument("--extend-select", help="passed to cachelint --extend-select")
    args = parser.parse_args(argv)

    trees = fetch_all()
    if not args.run:
        return 0
    file_counts = {t.name: python_files(t) for t in trees}
    file_counts[STDLIB] = python_files(stdlib_tree())
    print(f"files       {sum(v for k, v in file_counts.items() if k != STDLIB)} in the corpus, "
          f"{file_counts[STDLIB]} in the stdlib")
    diagnostics = run_cachelint(trees, args.select, args.extend_select)
    RESULTS.write_text(json.dumps(diagnostics, indent=1) + "\n")
    print(f"wrote       {RESULTS.relative_to(HERE.parent)} ({len(diagnostics)} diagnostics)\n")
    print(table(diagnostics, trees, file_counts))
    return 0


if __name__ == "__main__":
    sys.exit(main())

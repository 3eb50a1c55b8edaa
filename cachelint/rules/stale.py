"""CL201–CL203: what shapes a cached result but is missing from its key.

All three follow values inside the cached function with :mod:`cachelint.dataflow`
(computed once per function and kept in ``ctx.cache``):

* CL201 – a keyed path whose *file* is read: the key sees the name, not the content;
* CL202 – the environment, the clock, randomness, the working directory, a command's
  output or a module global the module reassigns, read in the body and not keyed;
* CL203 – a parameter the library leaves out of the key whose value reaches the result,
  with no keyed fingerprint standing in for it.
"""
from __future__ import annotations

import re
from typing import Dict, Iterable, List, Optional, Sequence, Set, Tuple

import libcst as cst

from .. import dataflow, names
from ..analysis import code, compound_bodies, dotted_name
from ..walk import FastVisitor
from ..models import ERROR, WARNING, CacheSite, Fix, Param
from .base import FileContext, Report, Rule, keyed_params, lib_phrase


# -- shared helpers ------------------------------------------------------------------------
def _facts(ctx: FileContext, func: cst.FunctionDef) -> dataflow.FunctionFacts:
    key = ("dataflow.facts", id(func))
    found = ctx.cache.get(key)
    if found is None:
        found = ctx.cache[key] = dataflow.facts(func)
    return found


#: Trailing tokens that say what kind of thing a name holds rather than which thing.
_KIND_TOKENS = frozenset(
    {
        "bytes", "blob", "blobs", "data", "content", "contents", "raw", "text", "body", "payload",
        "path", "file", "filename", "fname", "filepath", "pathname", "fpath", "src", "obj", "object",
        "buf", "buffer", "df", "frame", "value", "values", "id", "key", "name", "size", "stat",
        "hash", "digest", "sha", "sha1", "sha256", "sha512", "md5", "etag", "checksum", "fingerprint",
        "version", "mtime", "crc", "crc32", "rev", "revision", "ns", "modified", "cache",
    }
)
_IDENTIFIER_LAST = frozenset({"id", "key", "name", "uid", "slug", "uri", "url"})
_FILE_STAMP_LAST = frozenset({"size", "mtime", "stat", "modified", "mtimes", "ns"})


def stem(name: str) -> Tuple[str, ...]:
    """The tokens that say *which* thing a name is about (``_source_bytes`` -> ``("source",)``)."""
    toks = names.tokens(name)
    while toks and toks[-1] in _KIND_TOKENS:
        toks = toks[:-1]
    return tuple(toks)


def stand_in_kind(name: str) -> Optional[str]:
    """``"fingerprint"`` for digests/versions/mtimes/sizes, ``"identifier"`` for ids/keys/names."""
    toks = names.tokens(name)
    if not toks:
        return None
    if names.is_fingerprint(name) or toks[-1] in _FILE_STAMP_LAST:
        return "fingerprint"
    if toks[-1] in _IDENTIFIER_LAST:
        return "identifier"
    return None


def covering(target: str, keyed: Sequence[str], rivals: Sequence[str] = (), identifiers: bool = True) -> Optional[str]:
    """The keyed parameter that stands for ``target`` in the key, or None.

    A fingerprint (``source_hash``, ``etag``, ``model_version``, ``mtime``, ``size``)
    covers ``target`` when their stems share a word, when either has no stem of its own
    (``digest``, ``version``, ``_data``), or when it is a ``*_version``. A fingerprint about
    something else still covers it unless its stem names one of ``rivals`` (other
    parameters it can stand for): precision over recall. With ``identifiers``, a keyed
    ``<stem>_id``/``_key``/``_name`` of the same stem covers it too (``doc_id`` for ``_doc``).
    """
    own = set(stem(target))
    unmatched: List[str] = []
    for k in keyed:
        if k == target:
            continue
        kind = stand_in_kind(k)
        if kind is None:
            continue
        theirs = set(stem(k))
        if kind == "fingerprint":
            if not theirs or not own or theirs & own or names.tokens(k)[-1] == "version":
                return k
            unmatched.append(k)
        elif identifiers and set(names.tokens(k)[:-1]) & set(names.tokens(target)):
            return k  # doc_id for _doc, file_name for _file
    for k in unmatched:
        theirs = set(stem(k))
        if not any(theirs & set(stem(r)) for r in rivals if r != target):
            return k
    return None


def _annotation_names(annotation: Optional[str]) -> Set[str]:
    return set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", annotation or ""))


def _has_expiry(site: CacheSite) -> bool:
    """The cache expires entries (a TTL, ``expire=``, a validation callback...)."""
    text = code(site.decorator.decorator).lower()
    factory = getattr(site.use, "factory_call", None) if site.use is not None else None
    if factory is not None:
        text += " " + code(factory).lower()
    last = site.qualname.split(".")[-1].lower()
    # cashews requires a ttl; Flask-Caching entries expire after CACHE_DEFAULT_TIMEOUT (300 s)
    if last in ("ttl_cache", "tlru_cache") or site.model.library in ("cashews", "flask_caching"):
        return True
    return any(w in text for w in ("ttl", "expire", "timeout", "stale_after", "max_age", "validation_callback", "expiration"))


def _short(node: cst.CSTNode, limit: int = 60) -> str:
    text = " ".join(code(node).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _resolved(ctx: FileContext, expr: cst.BaseExpression) -> Optional[str]:
    try:
        return ctx.resolve(expr)
    except Exception:  # pragma: no cover - resolution must never break a rule
        return None


# -- CL203 ------------------------------------------------------------------------------
#: Exclusion mechanisms that drop the instance or class, never a data argument.
_INSTANCE_MECHANISMS = frozenset(
    {"noself", "noself=True", "methodkey", "skipped by name", "per-instance cache", "per_instance=False",
     "declared self_keyed = false", "args[1:]"}
)
#: Name words for tools, execution knobs and internal state – what exclusion is for.
_TOOL_TOKENS = frozenset(
    {
        "ctx", "context", "app", "api", "http", "driver", "browser", "fs", "filesystem", "storage", "store",
        "bucket", "backend", "cache", "caches", "memo", "registry", "self", "this", "owner", "parent",
        "engine", "db", "database", "repo", "repository", "service", "handler", "manager", "loop",
        "console", "writer", "printer", "state", "seen", "visited", "depth", "level", "stack", "recursion",
        "timeout", "timeouts", "retries", "retry", "deadline", "backoff", "delay", "wait", "interval",
        "chunksize", "batch", "chunk", "bufsize", "blocksize", "workers", "jobs", "threads", "procs",
        "processes", "parallel", "concurrency", "verbose", "verbosity", "debug", "quiet", "silent",
        "progress", "refresh", "force", "overwrite", "semaphore", "limiter", "throttle", "device", "gpu",
        "sentinel", "marker", "lock", "tracker", "monitor", "stats", "metrics", "telemetry", "span",
        "instance", "inst", "widget", "container", "placeholder", "spinner", "status", "dry",
        "token", "apikey", "password", "passwd", "secret", "secrets", "credential", "credentials", "creds",
        "auth", "authorization", "cookie", "cookies", "headers", "agent", "cnt", "attempts", "tries",
    }
)
_TOOL_TYPE_SUFFIXES = (
    "Context", "App", "Application", "Service", "Manager", "Handler", "Repository", "Loop", "Driver",
    "Storage", "FileSystem", "Backend", "Api", "API", "Console", "Bot", "Agent", "Provider", "Factory",
    "Event", "Queue", "Tracker", "Widget", "Container", "DeltaGenerator",
)
_DATA_TOKENS = frozenset(
    {
        "bytes", "blob", "blobs", "data", "df", "frame", "dataframe", "text", "content", "contents",
        "source", "image", "img", "array", "arr", "items", "rows", "records", "payload", "values", "body",
        "raw", "buffer", "doc", "document", "docs", "documents", "table", "series", "matrix", "tensor",
        "lines", "samples", "frames", "features", "dataset", "corpus", "audio", "video", "pixels", "points",
        "texts", "chunks", "sentences", "passages", "paragraphs", "prompts", "embeddings", "vectors", "questions",
    }
)
_DATA_TYPES = frozenset(
    {
        "bytes", "bytearray", "memoryview", "str", "list", "dict", "set", "frozenset", "tuple", "List",
        "Dict", "Set", "FrozenSet", "Tuple", "Sequence", "Mapping", "Iterable", "Collection", "DataFrame",
        "Series", "ndarray", "NDArray", "ArrayLike", "Tensor", "Image", "Dataset", "DataArray",
    }
)


def _is_tool(p: Param, ctx: FileContext) -> bool:
    """Tools, destinations and per-call values: what the key is *meant* to leave out.

    Everything CL101–CL104 would tell users to exclude (per-call ids, clock values,
    output paths, context objects, configured names) plus credentials, execution knobs
    and internal state by name, and types named like services or contexts.
    """
    extra = ctx.settings.extend_per_call_names if ctx.settings is not None else ()
    if any(cat in ("id", "clock", "output-path", "context") for cat, _ in names.classify(p.name, p.annotation, extra)):
        return True
    toks = names.tokens(p.name)
    if any(t in _TOOL_TOKENS for t in toks):
        return True
    if len(toks) >= 2 and toks[-1] == "size" and toks[-2] in ("batch", "chunk", "buffer", "block", "page", "pool"):
        return True
    for t in _annotation_names(p.annotation):
        if any(t.endswith(s) for s in _TOOL_TYPE_SUFFIXES):
            return True
    return False


def _is_data(p: Param) -> bool:
    if _annotation_names(p.annotation) & _DATA_TYPES:
        return True
    return any(t in _DATA_TOKENS for t in names.tokens(p.name))


def _mechanism_phrase(mechanism: str, param: str) -> str:
    if mechanism == "underscore":
        return "by its leading underscore"
    if mechanism == "key=":
        return "because key= does not name it"
    if mechanism.startswith("INPUTS"):
        return f'by cache_policy=INPUTS - "{param}"'
    if mechanism == "kwargs.pop":
        return "because the decorator pops it from kwargs before building the key"
    if mechanism.startswith("args[1:],"):
        return "because the decorator keys args[1:], which skips the first positional argument"
    if mechanism == "kwargs copy":
        return "because the decorator removes it from the copy of kwargs it keys"
    return f"by {mechanism}"


def _rekey_hint(mechanism: str, param: str) -> str:
    if mechanism == "underscore":
        return f"rename it to '{param.lstrip('_') or param}'"
    if mechanism == "key=":
        return "add it to key="
    if mechanism.startswith("INPUTS") or mechanism.startswith("Inputs("):
        return f"drop \"{param}\" from the cache_policy exclusion"
    if mechanism.endswith("="):
        return f"remove it from {mechanism}"
    if mechanism == "kwargs.pop":
        return "stop popping it before the key is built"
    if mechanism.startswith("args[1:],"):
        return "key args instead of args[1:] (the slice only suits methods, where it skips self)"
    if mechanism == "kwargs copy":
        return "keep it in the copy of kwargs the key is built from"
    return "key it"


def _recursive_call_test(site: CacheSite):
    own = site.function.name.value

    def silent(call: cst.Call) -> bool:
        func = call.func
        if isinstance(func, cst.Name) and func.value == own:
            return True
        if isinstance(func, cst.Attribute) and func.attr.value == own and isinstance(func.value, cst.Name) and func.value.value in ("self", "cls"):
            return True
        return dataflow.is_reporting_call(call)

    return silent


def _handed_over_test(p: Param, keyed: Sequence[str]):
    """``run(_session, query)``: the excluded value is the first argument of a call that also
    receives a keyed parameter – the usual shape of a handle passed to a helper, so the
    call's result is not taken as derived from it (unless the value looks like data)."""
    keyed_set = set(keyed)

    def tool_arg(call: cst.Call, index: int, arg: cst.Arg) -> bool:
        if index != 0 or arg.keyword is not None or arg.star or not isinstance(arg.value, cst.Name):
            return False
        if arg.value.value != p.name:
            return False
        return any({n.value for n in dataflow.name_nodes(other.value)} & keyed_set for other in call.args[1:])

    return tool_arg


class _DataflowRule(Rule):
    """A rule that follows values through a function; ``_check`` does the work."""

    def check(self, site: CacheSite, ctx: FileContext) -> Iterable[Report]:
        try:
            yield from self._check(site, ctx)
        except RecursionError:
            return  # a pathologically deep expression: skip this function, not the file

    def _check(self, site: CacheSite, ctx: FileContext) -> Iterable[Report]:  # pragma: no cover - overridden
        raise NotImplementedError


class ExcludedParameterShapesResult(_DataflowRule):
    """### What it does
Reports a parameter that the cache leaves out of its key – a Streamlit or
`cachelint.cacheable` leading underscore, joblib/klepto/diskcache/perscache `ignore=`,
Flask-Caching `args_to_ignore=`, Prefect `INPUTS - "x"`, a cachetools or cashews `key=`
that does not name it, a home-made decorator's underscore filter – whose value flows into
the returned value, while no keyed parameter is a fingerprint of it.

The value is followed through assignments, f-strings, tuple unpacking, augmented
assignments, containers filled with it and calls it is passed to, up to a `return` (or
`yield`). Not reported:

* tools, which is what exclusion is for: loggers, clients, sessions, connections, cursors,
  callbacks, locks, executors, contexts, caches, worker-count/verbosity/timeout knobs –
  by name or annotation, whether they are used as the receiver of a call
  (`_conn.execute(sql)`) or passed along (`run(_session, sql)`);
* a value that only decides *which* branch runs (`if _debug:`), or that only a method is
  called on when it does not look like data;
* `self`/`cls` and exclusions that drop the instance (`noself`, `methodkey`, per-instance caches);
* a parameter with a keyed stand-in: a fingerprint of the same thing (`source_hash` for
  `_source_bytes`; any `*_hash`, `*_digest`, `*_sha256`, `*_etag`, `*_checksum`,
  `*_fingerprint`, `*_mtime`), a generic `version`/`*_version`/`cache_key`, or an
  identifier of the same thing (`doc_id` for `_doc`).

### Why it matters
Two calls that differ only in the excluded argument share one entry, so the second
caller gets the first caller's result – silently wrong data, not a slow cache. This is
the classic Streamlit mistake of renaming a DataFrame `_df` to stop it from being hashed.

### Example
```python
@st.cache_data
def summarize(title, _source_bytes):
    return parse(_source_bytes).summary()
```

### Use instead
Key a cheap digest of the value next to it, or key the value itself:

```python
@st.cache_data
def summarize(title, source_hash, _source_bytes):
    return parse(_source_bytes).summary()

summarize(title, hashlib.sha256(data).hexdigest(), data)
```
"""

    code = "CL203"
    name = "excluded-parameter-shapes-result"
    summary = "an excluded parameter decides the result and no keyed fingerprint stands for it"
    severity = ERROR
    valid = (
        "import streamlit as st\n@st.cache_data\ndef q(_conn, sql):\n    return _conn.execute(sql).fetchall()\n",
        "import streamlit as st\n@st.cache_data\ndef f(source_hash, _source_bytes):\n    return len(_source_bytes)\n",
        "from joblib import Memory\nm = Memory('d')\n@m.cache(ignore=['verbose'])\ndef fit(x, verbose=0):\n"
        "    if verbose:\n        print(x)\n    return x * 2\n",
    )
    invalid = (
        "import streamlit as st\n@st.cache_data\ndef f(title, _source_bytes):\n    return title + _source_bytes.decode()\n",
        "from joblib import Memory\nm = Memory('d')\n@m.cache(ignore=['scale'])\ndef f(x, scale):\n    y = x * scale\n    return y\n",
    )

    def _check(self, site: CacheSite, ctx: FileContext) -> Iterable[Report]:
        spec = site.spec
        if not spec.excluded:
            return
        candidates: List[Tuple[Param, str]] = []
        for pname, mechanism in spec.excluded.items():
            if mechanism in _INSTANCE_MECHANISMS or "self" in mechanism or "instance" in mechanism:
                continue
            if mechanism.startswith("keyword-only"):
                continue  # the decorator's own bug: CL602 reports it once, at its body
            p = site.param(pname)
            if p is None or p.kind in ("vararg", "kwarg") or pname.strip("_") in ("self", "cls", "this"):
                continue
            if _is_tool(p, ctx):
                continue
            candidates.append((p, mechanism))
        if not candidates:
            return
        keyed = [p.name for p in keyed_params(site)] if spec.known else []
        flow = _facts(ctx, site.function)
        rivals = [p.name for p, _ in candidates]
        silent = _recursive_call_test(site)
        for p, mechanism in candidates:
            if covering(p.name, keyed, rivals):
                continue
            data = _is_data(p)
            tool_arg = None if data else _handed_over_test(p, keyed)
            taint = dataflow.Taint(flow, {p.name: data}, silent=silent, tool_arg=tool_arg)
            if taint.result_carrier() is None:
                continue
            digest = "_".join(stem(p.name)) or p.name.strip("_") or "value"
            rekey = _rekey_hint(mechanism, p.name)
            if _is_data(p):
                fix = f"key a digest of it (e.g. a '{digest}_hash' parameter) or {rekey}"
            else:
                fix = f"{rekey} so it is keyed, or key a fingerprint that stands for it"
            yield Report(
                f"'{p.name}' is left out of the {lib_phrase(site)} key {_mechanism_phrase(mechanism, p.name)}, "
                f"but it shapes the result (its value reaches what the function returns), so calls that differ "
                f"only in '{p.name}' share one entry; {fix}.",
                node=p.node.name,
                parameter=p.name,
                fix=Fix(fix[0].upper() + fix[1:]),
            )


# -- CL201 ------------------------------------------------------------------------------
_PATH_NAMES = frozenset({"path", "filepath", "filename", "fname", "file", "src", "pathname", "fpath", "infile", "inpath"})
_PATH_LAST = frozenset({"path", "file", "filename", "fname", "filepath", "pathname", "fpath", "src"})
_NOT_FILE_TOKENS = frozenset({"dir", "directory", "folder", "url", "uri", "root", "prefix", "pattern", "glob", "dirs", "paths", "files"})
_PATH_TYPES = frozenset({"Path", "PurePath", "PosixPath", "WindowsPath", "PathLike", "StrPath", "StrOrBytesPath", "FilePath", "PathType", "AnyPath"})
_NOT_PATH_TYPES = frozenset({"IO", "TextIO", "BinaryIO", "TextIOWrapper", "BufferedReader", "int", "float", "bool", "bytes", "Callable", "dict", "list"})

#: Calls that open or read the file named by their first argument.
_OPENERS = frozenset(
    {
        "io.open", "codecs.open", "gzip.open", "bz2.open", "lzma.open", "tarfile.open", "zipfile.ZipFile",
        "shelve.open", "dbm.open", "sqlite3.connect", "PIL.Image.open", "numpy.load", "numpy.loadtxt",
        "numpy.genfromtxt", "numpy.fromfile", "numpy.memmap", "torch.load", "joblib.load", "h5py.File",
        "xarray.open_dataset", "xarray.open_dataarray", "linecache.getlines", "linecache.getline",
        "tokenize.open", "runpy.run_path", "imageio.imread", "imageio.v3.imread", "cv2.imread",
        "scipy.io.loadmat", "pyarrow.parquet.read_table", "fileinput.input", "mimetypes.read_mime_types",
        "wave.open", "netCDF4.Dataset", "soundfile.read", "librosa.load", "pydub.AudioSegment.from_file",
        "configparser.ConfigParser.read", "tomli.load", "tomllib.load", "openpyxl.load_workbook",
        "PyPDF2.PdfReader", "pypdf.PdfReader", "fitz.open", "docx.Document", "pandas.ExcelFile", "pandas.HDFStore",
        "fiona.open", "rasterio.open", "netCDF4.MFDataset", "xarray.open_mfdataset", "pyreadstat.read_sav",
    }
)
_READER_PREFIXES = ("pandas.read_", "polars.read_", "polars.scan_", "geopandas.read_", "dask.dataframe.read_")
_READER_ALIASES = {"pd": "pandas", "pl": "polars", "np": "numpy", "gpd": "geopandas", "dd": "dask.dataframe"}
_PATH_READ_METHODS = frozenset({"read_text", "read_bytes", "open"})
#: Openers whose result is a live handle: caching the handle itself is a resource cache.
_HANDLE_OPENERS = frozenset({"open", "io.open", "codecs.open", "gzip.open", "bz2.open", "lzma.open", "tarfile.open",
                             "zipfile.ZipFile", "shelve.open", "dbm.open", "sqlite3.connect", "h5py.File", "PIL.Image.open",
                             "numpy.memmap", "wave.open", "netCDF4.Dataset", "fitz.open", ".open"})
_FILE_KWARGS = frozenset({"file", "filename", "filepath", "path", "fname", "name", "database", "filepath_or_buffer", "io", "source", "fp", "f", "uri", "fn"})
_CONFIG_WORDS = frozenset({"config", "conf", "cfg", "settings", "setting", "ini", "toml", "yaml", "yml", "env", "dotenv", "options", "preferences", "prefs", "rc"})


def _is_input_path(p: Param) -> bool:
    if names.is_output_path(p.name) or names.context_kind(p.name, p.annotation) is not None:
        return False
    toks = names.tokens(p.name)
    if not toks or any(t in _NOT_FILE_TOKENS for t in toks):
        return False
    ann = _annotation_names(p.annotation)
    if ann & _PATH_TYPES:
        return True
    if ann and ann & _NOT_PATH_TYPES and not ann & {"str", "Union", "Optional"}:
        return False
    low = p.name.lower().strip("_")
    return low in _PATH_NAMES or toks[-1] in _PATH_LAST


def _string_arg(call: cst.Call, keyword: str, position: int) -> Optional[str]:
    positional = 0
    for arg in call.args:
        if arg.keyword is not None:
            if arg.keyword.value == keyword and isinstance(arg.value, cst.SimpleString):
                v = arg.value.evaluated_value
                return v if isinstance(v, str) else None
        elif not arg.star:
            if positional == position:
                if isinstance(arg.value, cst.SimpleString):
                    v = arg.value.evaluated_value
                    return v if isinstance(v, str) else None
                return None
            positional += 1
    return None


def _writes(call: cst.Call, mode_position: int) -> bool:
    mode = _string_arg(call, "mode", mode_position)
    return mode is not None and any(c in mode for c in "wax")


def _opener_name(call: cst.Call, ctx: FileContext, flow: dataflow.FunctionFacts) -> Optional[str]:
    func = call.func
    if isinstance(func, cst.Name) and func.value == "open" and "open" not in flow.local_names:
        return None if _resolved(ctx, func) else "open"
    qual = _resolved(ctx, func)
    if qual is None:
        dotted = dotted_name(func)
        if dotted and "." in dotted:
            head, rest = dotted.split(".", 1)
            if head in _READER_ALIASES:
                qual = f"{_READER_ALIASES[head]}.{rest}"
            elif dotted in ("Image.open",):
                qual = "PIL.Image.open"
    if qual is None:
        return None
    if qual in _OPENERS or qual.startswith(_READER_PREFIXES):
        return qual
    return None


def _first_arg_carries(taint: dataflow.Taint, call: cst.Call) -> bool:
    for i, arg in enumerate(call.args):
        if arg.keyword is not None:
            if arg.keyword.value in _FILE_KWARGS and taint.carries(arg.value):
                return True
        elif arg.star:
            return taint.carries(arg.value)
        elif i == 0:
            if taint.carries(arg.value):
                return True
    return False


def _returns_handle(call: cst.Call, flow: dataflow.FunctionFacts) -> bool:
    """The function returns the opened handle itself (``return sqlite3.connect(p)``)."""
    holders = {b.targets[0] for b in flow.bindings if b.value is call and len(b.targets) == 1 and not b.args_only}
    for expr in flow.results:
        if expr is call or (isinstance(expr, cst.Name) and expr.value in holders):
            return True
    return False


_URL_SCHEMES = ("http://", "https://", "ftp://", "ftps://", "s3://", "gs://", "gcs://", "az://", "abfs://", "hf://")


def _url_built(expr: cst.CSTNode, flow: dataflow.FunctionFacts, depth: int = 0) -> bool:
    """``"https://host/%s" % name``, ``f"s3://bucket/{key}"``, or a local bound only to such a
    string: the path parameter is part of a remote address, not a local file name."""
    if depth > 4:
        return False
    if isinstance(expr, cst.ConcatenatedString):
        return _url_built(expr.left, flow, depth)
    if isinstance(expr, cst.SimpleString):
        value = expr.evaluated_value
        return isinstance(value, str) and value.lower().startswith(_URL_SCHEMES)
    if isinstance(expr, cst.FormattedString):
        first = expr.parts[0] if expr.parts else None
        return isinstance(first, cst.FormattedStringText) and first.value.lower().startswith(_URL_SCHEMES)
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, (cst.Modulo, cst.Add)):
        return _url_built(expr.left, flow, depth + 1)
    if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and expr.func.attr.value == "format":
        return _url_built(expr.func.value, flow, depth + 1)
    if isinstance(expr, cst.Name):
        values = [b.value for b in flow.bindings if b.targets == (expr.value,) and not b.args_only]
        return bool(values) and all(_url_built(v, flow, depth + 1) for v in values)
    return False


def _reads_url(call: cst.Call, flow: dataflow.FunctionFacts) -> bool:
    for i, arg in enumerate(call.args):
        if arg.keyword is not None:
            if arg.keyword.value in _FILE_KWARGS and _url_built(arg.value, flow):
                return True
        elif i == 0 and not arg.star:
            return _url_built(arg.value, flow)
    return False


def file_reads(taint: dataflow.Taint, flow: dataflow.FunctionFacts, ctx: FileContext) -> List[Tuple[cst.Call, str]]:
    """Calls in the body that open or read the file a derived value names, with the call's name."""
    out: List[Tuple[cst.Call, str]] = []
    for call in flow.calls:
        func = call.func
        opener = _opener_name(call, ctx, flow)
        if opener is not None:
            if not _first_arg_carries(taint, call):
                continue
            if opener in ("open", "io.open", "codecs.open", "gzip.open", "bz2.open", "lzma.open") and _writes(call, 1):
                continue
            if opener in ("tarfile.open", "zipfile.ZipFile", "shelve.open", "dbm.open") and _writes(call, 1):
                continue
            if opener in _HANDLE_OPENERS and _returns_handle(call, flow):
                continue
            if _reads_url(call, flow):
                continue  # pd.read_json("https://.../%s" % name): a download, keyed by its address
            out.append((call, opener))
        elif isinstance(func, cst.Attribute) and func.attr.value in _PATH_READ_METHODS:
            if not taint.carries(func.value, receiver=True):
                continue
            if func.attr.value == "open" and (_writes(call, 0) or _returns_handle(call, flow)):
                continue
            out.append((call, f".{func.attr.value}()"))
    return out


class PathKeyedNotContent(_DataflowRule):
    """### What it does
Reports a keyed parameter named or typed like an input file (`path`, `*_path`, `*_file`,
`filename`, `fname`, `src`, or annotated `Path`, `os.PathLike`, `str | Path`) whose file
the body opens or reads: `open(p)`, `p.open()`, `Path(p).read_text()`, `p.read_bytes()`,
`pd.read_csv(p)` and the other `pd.read_*`, `np.load(p)`, `zipfile.ZipFile(p)`,
`tarfile.open(p)`, `sqlite3.connect(p)`, `PIL.Image.open(p)`, `io.open(p)`... The path may
reach the call through locals (`full = os.path.join(root, p)`).

Not reported: output paths (CL103's domain), files opened for writing, functions that
return the opened handle itself (a resource cache, not a content cache), a name that the
body turns into a URL before reading (`pd.read_json("https://host/%s" % filename)`: a
download keyed by its address), caches whose key
is not built from the arguments, and functions that also key a fingerprint of the file
(`path_mtime`, `mtime`, `size`, `file_hash`, `etag`, `*_version`...).

### Why it matters
The key holds the file's *name*. When the file changes, the same name finds the old
entry, and the result computed from the old content comes back: for the rest of the
process with an in-memory cache, for every later run with a persistent one (joblib,
diskcache, `st.cache_data(persist="disk")`, `cachelint.cacheable`).

Configuration loaders memoized on purpose (`load_config("settings.toml")` read once per
process) are still reported – the file can change while the process runs. If that is
the intended trade-off, say so on the line with `# noqa: CL201`.

### Example
```python
@memory.cache
def load_table(path):
    return pd.read_csv(path)
```

### Use instead
Key a fingerprint of the file next to its name, computed by the caller:

```python
@memory.cache
def load_table(path, path_mtime):
    return pd.read_csv(path)

load_table(p, os.stat(p).st_mtime)
```

or pass the content (or its hash) instead of the path.
"""

    code = "CL201"
    name = "path-keyed-not-content"
    summary = "a keyed path parameter is opened or read in the body: the key sees the name, not the content"
    severity = WARNING
    valid = (
        "import functools, os\n@functools.lru_cache\ndef load(path, path_mtime):\n    with open(path) as f:\n        return f.read()\n",
        "import functools\n@functools.lru_cache\ndef save(out_path, text):\n    with open(out_path, 'w') as f:\n        f.write(text)\n",
    )
    invalid = (
        "import functools\n@functools.lru_cache\ndef load(path):\n    with open(path) as f:\n        return f.read()\n",
        "import pandas as pd\nfrom joblib import Memory\nm = Memory('d')\n@m.cache\ndef table(csv_path):\n    return pd.read_csv(csv_path)\n",
    )

    def _check(self, site: CacheSite, ctx: FileContext) -> Iterable[Report]:
        keyed = keyed_params(site)
        paths = [p for p in keyed if _is_input_path(p)]
        if not paths:
            return
        keyed_names = [p.name for p in keyed]
        rivals = [p.name for p in paths]
        flow = _facts(ctx, site.function)
        for p in paths:
            if covering(p.name, keyed_names, rivals, identifiers=False):
                continue
            reads = file_reads(dataflow.Taint(flow, {p.name: True}), flow, ctx)
            if not reads:
                continue
            call, opener = reads[0]
            what = f"{opener}(...)" if not opener.startswith(".") else f"{_short(call.func.value, 30)}{opener}"
            yield Report(self._message(site, p, what), node=p.node.name, parameter=p.name,
                         fix=Fix(f"Also key a fingerprint of the file, e.g. a '{_stamp_name(p.name)}' parameter"))

    def _message(self, site: CacheSite, p: Param, what: str) -> str:
        if site.spec.persistent:
            later = "later runs keep getting the result computed from the old content"
        else:
            later = "this process keeps returning the result computed from the old content"
        stamp = _stamp_name(p.name)
        extra = ""
        if any(m == "key=" for m in site.spec.excluded.values()):
            extra = " (and name it in key=)"
        text = (
            f"'{p.name}' is part of the {lib_phrase(site)} cache key, but the function reads the file it names "
            f"({what}): the key sees the name, not the content, so after the file changes {later}. "
            f"Also key a fingerprint of the file{extra}, e.g. a '{stamp}' parameter the caller fills with "
            f"os.stat({p.name}).st_mtime, or pass its content or hash instead."
        )
        words = set(names.tokens(site.function.name.value)) | set(names.tokens(p.name))
        if not site.spec.persistent and words & _CONFIG_WORDS:
            text += " If reading this configuration once per process is intended, mark the line with # noqa: CL201."
        return text


def _stamp_name(name: str) -> str:
    base = "_".join(stem(name)) or name.strip("_")
    return f"{base}_mtime"


# -- CL202 ------------------------------------------------------------------------------
_CLOCK = frozenset(
    {
        "datetime.datetime.now", "datetime.datetime.today", "datetime.datetime.utcnow", "datetime.date.today",
        "time.time", "time.time_ns", "pandas.Timestamp.now", "pandas.Timestamp.today", "pandas.Timestamp.utcnow",
        "arrow.now", "arrow.utcnow", "pendulum.now", "pendulum.today",
    }
)
#: Clock reads only when called without a time argument.
_CLOCK_NO_ARGS = frozenset({"time.localtime", "time.gmtime", "time.ctime", "time.asctime"})
_RANDOM_FUNCS = frozenset(
    {
        "random", "randint", "randrange", "choice", "choices", "shuffle", "sample", "uniform", "gauss",
        "normalvariate", "lognormvariate", "expovariate", "vonmisesvariate", "gammavariate", "triangular",
        "betavariate", "paretovariate", "weibullvariate", "getrandbits", "randbytes", "binomialvariate",
    }
)
_NUMPY_RANDOM_SEEDING = frozenset({"seed", "default_rng", "RandomState", "Generator", "SeedSequence", "get_state", "set_state", "PCG64", "MT19937", "Philox", "SFC64", "BitGenerator"})
_UNIQUE = frozenset(
    {
        "uuid.uuid1", "uuid.uuid4", "os.urandom", "secrets.token_bytes", "secrets.token_hex", "secrets.token_urlsafe",
        "secrets.randbelow", "secrets.randbits", "secrets.choice",
    }
)
_CWD = frozenset({"os.getcwd", "os.getcwdb", "pathlib.Path.cwd"})
_SUBPROCESS = frozenset(
    {
        "subprocess.check_output", "subprocess.getoutput", "subprocess.getstatusoutput", "subprocess.run",
        "subprocess.Popen", "os.popen",
    }
)
_ENV_CALLS = frozenset({"os.getenv", "os.getenvb"})
_ENV_OBJECTS = frozenset({"os.environ", "os.environb"})
_ENV_WRITES = frozenset({"update", "clear", "__setitem__", "__delitem__"})
_SEED_TOKENS = frozenset({"seed", "rng", "seeds"})
#: Function-name words saying that a random or unique value *is* the memoized result.
_RANDOM_PURPOSE = frozenset({"random", "uuid", "token", "nonce", "salt", "secret", "key", "id", "unique", "identifier"})


def _ambient_kind(call: cst.Call, qual: Optional[str], seeded: bool) -> Optional[str]:
    if qual is None:
        return None
    if qual in _CLOCK:
        return "clock"
    if qual in _CLOCK_NO_ARGS and not call.args:
        return "clock"
    if qual == "time.strftime" and len(call.args) == 1:
        return "clock"
    if qual in _UNIQUE:
        return "unique"
    if qual in _CWD:
        return "cwd"
    if qual in _SUBPROCESS:
        return "subprocess"
    if seeded:
        return None
    if qual.startswith("random."):
        last = qual[len("random."):]
        if last in _RANDOM_FUNCS or (last in ("Random", "SystemRandom") and not call.args):
            return "random"
    if qual.startswith("numpy.random."):
        last = qual[len("numpy.random."):]
        if "." not in last and (last not in _NUMPY_RANDOM_SEEDING or (last in ("default_rng", "RandomState") and not call.args)):
            return "random"
    return None


def _mentions_environment(ctx: FileContext) -> bool:
    """Whether the parsed text names ``environ`` or ``getenv`` at all (every read spells one)."""
    key = "stale.mentions-environment"
    if key not in ctx.cache:
        ctx.cache[key] = any("environ" in line or "getenv" in line for line in ctx.lines)
    return ctx.cache[key]


class _EnvReads(FastVisitor):
    """``os.environ``/``os.getenv`` reads outside nested scopes, as the node to report."""

    def __init__(self, ctx: FileContext) -> None:
        self.ctx = ctx
        self._reads: List[Tuple[cst.CSTNode, Optional[str]]] = []
        self._claimed: Set[int] = set()
        self._write_targets: Set[int] = set()
        self._written: Set[str] = set()

    @property
    def found(self) -> List[cst.CSTNode]:
        """The reads, minus those of a variable the function sets itself (``os.environ[K] = ...``,
        ``del``/``pop``): reading it first only saves the old value to restore it."""
        return [node for node, key in self._reads if key is None or key not in self._written]

    @staticmethod
    def _literal(expr: Optional[cst.BaseExpression]) -> Optional[str]:
        if isinstance(expr, (cst.SimpleString, cst.ConcatenatedString)):
            value = expr.evaluated_value
            return value if isinstance(value, str) else None
        return None

    def _subscript_key(self, node: cst.Subscript) -> Optional[str]:
        if len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
            return self._literal(node.slice[0].slice.value)
        return None

    def _note_write(self, target: cst.BaseExpression) -> None:
        self._write_targets.add(id(target))
        if isinstance(target, cst.Subscript) and self._env(target.value):
            key = self._subscript_key(target)
            if key is not None:
                self._written.add(key)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False

    def _env(self, expr: cst.BaseExpression) -> bool:
        if not isinstance(expr, (cst.Name, cst.Attribute)):
            return False
        return _resolved(self.ctx, expr) in _ENV_OBJECTS

    def visit_Assign(self, node: cst.Assign) -> None:
        for t in node.targets:
            self._note_write(t.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._write_targets.add(id(node.target))

    def visit_Del(self, node: cst.Del) -> None:
        self._note_write(node.target)

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        first = self._literal(node.args[0].value) if node.args else None
        if isinstance(func, (cst.Name, cst.Attribute)) and _resolved(self.ctx, func) in _ENV_CALLS:
            self._report(node, func, first)
        elif isinstance(func, cst.Attribute) and self._env(func.value):
            self._claimed.add(id(func.value))
            if func.attr.value == "pop" and first is not None:
                self._written.add(first)  # removing the variable, usually to restore it
            elif func.attr.value not in _ENV_WRITES:
                self._report(node, func.value, first if func.attr.value == "get" else None)

    def visit_Subscript(self, node: cst.Subscript) -> None:
        if self._env(node.value):
            self._claimed.add(id(node.value))
            if id(node) not in self._write_targets:
                self._report(node, node.value, self._subscript_key(node))

    def visit_Arg(self, node: cst.Arg) -> None:
        if node.keyword is not None:
            self._claimed.add(id(node.keyword))

    def visit_ImportAlias(self, node: cst.ImportAlias) -> bool:
        return False

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self._claimed.add(id(node.attr))
        if id(node) not in self._claimed and _resolved(self.ctx, node) in _ENV_OBJECTS:
            self._report(node, node)

    def visit_Name(self, node: cst.Name) -> None:
        if id(node) not in self._claimed and node.value in ("environ", "environb", "getenv") and _resolved(self.ctx, node) in _ENV_OBJECTS:
            self._report(node, node)

    def _report(self, node: cst.CSTNode, inner: cst.CSTNode, key: Optional[str] = None) -> None:
        self._claimed.add(id(inner))
        self._reads.append((node, key))


def _module_globals(ctx: FileContext) -> Tuple[Dict[str, Dict[str, Set[str]]], Dict[str, List[int]]]:
    """Module globals that change after import.

    Returns ``(runtime, top)``: ``runtime`` maps a name to the functions that rebind it
    through ``global`` (function name -> the names whose ``cache_clear()`` that function
    calls), ``top`` maps a name to the indexes of the top-level statements binding it.
    """
    key = "stale.module-globals"
    found = ctx.cache.get(key)
    if found is not None:
        return found
    runtime: Dict[str, Dict[str, Set[str]]] = {}
    top: Dict[str, List[int]] = {}

    def small_targets(small: cst.CSTNode) -> List[cst.CSTNode]:
        if isinstance(small, cst.Assign):
            return [t.target for t in small.targets]
        if isinstance(small, (cst.AugAssign, cst.AnnAssign)) and getattr(small, "value", None) is not None:
            return [small.target]
        return []

    def function_frame(func: cst.FunctionDef) -> None:
        """Statement-level walk of one function (nested functions get their own frame)."""
        declared: Set[str] = set()
        bound: Set[str] = set()
        cleared: Set[str] = set()

        def walk(stmts: Sequence[cst.CSTNode]) -> None:
            for stmt in stmts:
                if isinstance(stmt, cst.SimpleStatementLine):
                    for small in stmt.body:
                        if isinstance(small, cst.Global):
                            declared.update(item.name.value for item in small.names)
                        elif isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
                            callee = small.value.func
                            if isinstance(callee, cst.Attribute) and callee.attr.value == "cache_clear":
                                owner = callee.value
                                if isinstance(owner, cst.Attribute):
                                    cleared.add(owner.attr.value)
                                elif isinstance(owner, cst.Name):
                                    cleared.add(owner.value)
                        for t in small_targets(small):
                            if isinstance(t, (cst.Name, cst.Tuple, cst.List)):
                                bound.update(dataflow.target_names(t))
                elif isinstance(stmt, cst.FunctionDef):
                    function_frame(stmt)
                elif isinstance(stmt, cst.ClassDef):
                    classes(stmt.body.body if isinstance(stmt.body, cst.IndentedBlock) else ())
                elif isinstance(stmt, cst.BaseCompoundStatement):
                    if isinstance(stmt, cst.For) and isinstance(stmt.target, (cst.Name, cst.Tuple, cst.List)):
                        bound.update(dataflow.target_names(stmt.target))
                    for sub in compound_bodies(stmt):
                        walk(sub)

        walk(func.body.body if isinstance(func.body, cst.IndentedBlock) else ())
        for n in declared & bound:
            runtime.setdefault(n, {}).setdefault(func.name.value, set()).update(cleared)

    def classes(stmts: Sequence[cst.CSTNode]) -> None:
        for stmt in stmts:
            if isinstance(stmt, cst.FunctionDef):
                function_frame(stmt)
            elif isinstance(stmt, cst.ClassDef):
                classes(stmt.body.body if isinstance(stmt.body, cst.IndentedBlock) else ())
            elif isinstance(stmt, cst.BaseCompoundStatement):
                for sub in compound_bodies(stmt):
                    classes(sub)

    def top_bindings(stmts: Sequence[cst.CSTNode], index: int) -> None:
        for stmt in stmts:
            if isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    for t in small_targets(small):
                        if isinstance(t, (cst.Name, cst.Tuple, cst.List)):
                            for n in dataflow.target_names(t):
                                if index not in top.setdefault(n, []):
                                    top[n].append(index)
            elif isinstance(stmt, (cst.If, cst.Try, cst.With, cst.For, cst.While)) or type(stmt).__name__ == "TryStar":
                for sub in compound_bodies(stmt):
                    top_bindings(sub, index)

    for i, stmt in enumerate(ctx.module.body):
        top_bindings([stmt], i)
    if any("global" in line for line in ctx.lines):
        classes(ctx.module.body)
    found = ctx.cache[key] = (runtime, top)
    return found


def _top_index(ctx: FileContext, site: CacheSite) -> int:
    for i, stmt in enumerate(ctx.module.body):
        if stmt is site.top_statement:
            return i
    return -1


_KIND_TEXT = {
    "clock": ("the clock", "the time of the first call is served from then on"),
    "random": ("randomness", "the first draw is replayed to every later caller"),
    "unique": ("a fresh unique value", "one value is generated once and handed to every later caller"),
    "cwd": ("the working directory", "the directory of the first call decides the result for every later call"),
    "subprocess": ("a command's output", "the output of the first run is served from then on"),
}


class UnkeyedAmbientInput(_DataflowRule):
    """### What it does
Reports reads, inside a cached function, of inputs that come from outside its
arguments and so are not in the key:

* the environment: `os.environ[...]`, `os.environ.get(...)`, `os.getenv(...)`;
* the clock: `datetime.now()`/`today()`/`utcnow()`, `date.today()`, `time.time()`/`time_ns()`;
* randomness without a keyed seed (`random.*`, `numpy.random.*`), `uuid.uuid4()`, `secrets.*`;
* the working directory (`os.getcwd()`, `Path.cwd()`) and a command's output
  (`subprocess.run(...).stdout`, `check_output`);
* a module global that the module reassigns: declared `global` and assigned in some
  function, or bound again at module level after the cached function is defined.

Imports are followed (`from os import environ`, `from datetime import datetime`,
`import time as t`). The environment (first read of each function) and globals are
reported wherever they are read – except a variable the function sets itself
(`os.environ["X"] = ...`, `del`, `pop`), whose earlier read only saves the value to restore; the clock, randomness, the working directory and
command output only when their value reaches what the function returns (a `time.time()`
used to log a duration is fine). Not reported:

* caches that expire entries (a TTL, `expire=`, cashews, Flask-Caching's timeout), except
  for environment reads;
* functions that return nothing (a cache used as a run-once guard);
* in an in-memory cache of a function without parameters, values meant to be computed once
  per process (start time, a process token, the repository root);
* command output in an in-memory cache (caching a tool's answer is the point), randomness
  when a seed is keyed or when the function exists to hand out one random value per key
  (`_get_random_key(obj)`);
* a global whose reassigning function calls this function's `cache_clear()`.

### Why it matters
The first call's view of the world is stored and served to every later call: a changed
environment variable, a new day, a reassigned setting never reach the result. With a
persistent cache the value from whichever run (or machine) wrote the entry is returned
in every later run.

### Example
```python
@functools.cache
def api_url(path):
    return os.environ["API_BASE"] + path
```

### Use instead
Pass the value in as a parameter so it is keyed (`api_url(path, base=os.environ["API_BASE"])`),
expire entries with a TTL when a time-varying value is meant, or key a seed for randomness.

### Suppressing
Memoizing a configuration loader on purpose is common: a function with no parameters
under `functools.cache`/`lru_cache` that reads the environment is still reported, and the
accepted pattern is to call `load_settings.cache_clear()` in tests after changing the
environment. Mark the line to say it is intended:

```python
@functools.cache
def load_settings():
    return Settings(url=os.environ["APP_URL"])  # noqa: CL202
```
"""

    code = "CL202"
    name = "unkeyed-ambient-input"
    summary = "the body reads environment variables, the clock, randomness or reassigned module globals that are not in the key"
    severity = WARNING
    valid = (
        "import functools, os\n@functools.cache\ndef url(path, base):\n    return base + path\n",
        "import functools, time, logging\n@functools.cache\ndef f(x):\n    t0 = time.time()\n"
        "    y = x * 2\n    logging.info('took %s', time.time() - t0)\n    return y\n",
        "import functools, random\n@functools.cache\ndef f(n, seed):\n    return random.Random(seed).random() * n\n",
    )
    invalid = (
        "import functools, os\n@functools.cache\ndef url(path):\n    return os.environ['API_BASE'] + path\n",
        "import functools\nfrom datetime import datetime\n@functools.cache\ndef stamp(x):\n    return f'{x} {datetime.now()}'\n",
    )

    def _check(self, site: CacheSite, ctx: FileContext) -> Iterable[Report]:
        spec = site.spec
        if not spec.known or not spec.argument_keyed:
            return
        flow = _facts(ctx, site.function)
        keyed = keyed_params(site)
        seeded = any(set(names.tokens(p.name)) & _SEED_TOKENS or p.name.lower().strip("_") == "random_state" for p in keyed)
        expires = _has_expiry(site)
        if not flow.results:
            return  # nothing is returned: the cache is a run-once guard for side effects
        # the environment: any read (one report per function, at the first read)
        env = _EnvReads(ctx)
        if _mentions_environment(ctx):  # no walk when the parsed text never names it
            env.walk(site.function.body)
        if env.found:
            yield Report(self._env_message(site, env.found[0], len(env.found) - 1), node=env.found[0],
                         fix=Fix("Pass the value in as a parameter so it is keyed"))
        own_params = [p for p in site.params if p.name not in ("self", "cls")]
        if expires or (not own_params and not spec.persistent):
            # a TTL bounds staleness on purpose; an in-memory cache of a function without
            # parameters exists to compute a once-per-process value (start time, repo root)
            yield from self._globals(site, ctx, flow)
            return
        # clock, randomness, unique values, cwd, command output: when they reach the result
        silent = _recursive_call_test(site)
        purpose = set(names.tokens(site.function.name.value))
        reported: Set[str] = set()
        for call in flow.calls:
            kind = _ambient_kind(call, _resolved(ctx, call.func), seeded)
            if kind is None or kind in reported or (kind == "subprocess" and not spec.persistent):
                # in memory, caching a command's output (a tool version, a loader probe) is the point
                continue
            if kind in ("random", "unique") and purpose & _RANDOM_PURPOSE:
                continue  # _get_random_key(obj): handing out one stable random value per key is the point
            sources: Dict[str, bool] = {}
            if kind == "random" and call.args and isinstance(call.func, (cst.Name, cst.Attribute)) and (
                (dotted_name(call.func) or "").endswith("shuffle")
            ):
                target = dataflow.root_name(call.args[0].value)
                if target:
                    sources[target] = True
            taint = dataflow.Taint(flow, sources, nodes=[call], silent=silent)
            if taint.result_carrier() is None:
                continue
            reported.add(kind)
            what, effect = _KIND_TEXT[kind]
            where = "in every later run" if spec.persistent else "for the life of the process"
            yield Report(
                f"'{_short(call)}' reads {what}, which is not part of the {lib_phrase(site)} key, and its value reaches "
                f"the result: {effect} ({where}). {self._fix_text(kind, site)}",
                node=call,
                fix=Fix(self._fix_text(kind, site)),
            )
        yield from self._globals(site, ctx, flow)

    # -- messages ------------------------------------------------------------------------
    def _env_message(self, site: CacheSite, node: cst.CSTNode, more: int) -> str:
        what = _short(node)
        if more:
            what += f"' (and {more} more read{'s' if more > 1 else ''} of the environment here)"
        else:
            what += "'"
        if site.spec.persistent:
            effect = "an entry written under one environment is returned under another (another run, machine or user)"
        else:
            effect = "the first value read sticks for the life of the process"
        text = (
            f"'{what} reads the environment, which is not part of the {lib_phrase(site)} key: {effect}. "
            f"Pass the value in as a parameter so it is keyed."
        )
        own = [p for p in site.params if p.name not in ("self", "cls")]
        loader = not own or set(names.tokens(site.function.name.value)) & _CONFIG_WORDS
        if loader and site.model.library in ("functools", "cachetools", "methodtools") and not site.spec.persistent:
            fn = site.function.name.value
            text += (
                f" If {fn}() is a configuration loader memoized on purpose, that is accepted when tests call "
                f"{fn}.cache_clear() after changing the environment; mark the line with # noqa: CL202."
            )
        return text

    def _fix_text(self, kind: str, site: CacheSite) -> str:
        if kind == "clock":
            return "Pass the time (or the date or time bucket the result depends on) as a parameter, or give the cache a TTL."
        if kind == "random":
            return "Key a 'seed' parameter and draw from random.Random(seed), or do not cache this function."
        if kind == "unique":
            return "Generate the value outside the cached function, or do not cache it."
        if kind == "cwd":
            return "Pass the directory (or an absolute path) as a parameter."
        return "Key what the output depends on (a tool version, a file hash) or do not cache the call."

    def _globals(self, site: CacheSite, ctx: FileContext, flow: dataflow.FunctionFacts) -> Iterable[Report]:
        runtime, top = _module_globals(ctx)
        own = site.function.name.value
        index = _top_index(ctx, site)
        suspects: Dict[str, str] = {}
        for n, fns in runtime.items():
            # a function that clears this cache where it reassigns the global is the accepted fix
            others = sorted(f for f, cleared in fns.items() if f != own and own not in cleared)
            if others:
                suspects[n] = f"{others[0]}() reassigns it" + (f" (and {len(others) - 1} more)" if len(others) > 1 else "")
        if site.nested_in_function is False and index >= 0:
            for n, where in top.items():
                if n in suspects or len(where) < 2 or max(where) <= index:
                    continue
                suspects[n] = "module code after the function binds it again"
        suspects = {n: w for n, w in suspects.items() if not (n.startswith("__") and n.endswith("__"))
                    and names.context_kind(n) is None and n not in flow.params}
        if not suspects:
            return
        key = ("stale.free-reads", id(site.function))
        reads = ctx.cache.get(key)
        if reads is None:
            mentioned = {n.value for n in dataflow.name_nodes(site.function.body)}
            try:
                reads = dataflow.free_reads(site.function) if mentioned & set(suspects) else []
            except Exception:  # scope analysis failed on odd code: report nothing rather than break the file
                reads = []
            ctx.cache[key] = reads
        done: Set[str] = set()
        for node in reads:
            n = node.value
            if n not in suspects or n in done:
                continue
            done.add(n)
            clear = f" or clear the cache where it is reassigned ({own}.cache_clear())" if site.model.library in ("functools", "cachetools", "async_lru") else ", or clear the cache where it is reassigned"
            yield Report(
                f"'{n}' is a module global ({suspects[n]}) read here, but it is not part of the {lib_phrase(site)} key: "
                f"once it changes, the cache keeps serving results computed with the old value. Pass it in as a "
                f"parameter{clear}.",
                node=node,
                fix=Fix(f"Pass '{n}' in as a parameter"),
            )


RULES = (PathKeyedNotContent, UnkeyedAmbientInput, ExcludedParameterShapesResult)

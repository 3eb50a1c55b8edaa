"""The lexicon: how a parameter's name or annotation tells what it holds.

Names are split into lowercase tokens on underscores and camelCase humps
(``jobId`` -> ``["job", "id"]``, ``__request_uuid`` -> ``["request", "uuid"]``), and each
category below is a predicate over those tokens. Categories (DESIGN.md §3):

* ``id`` – per-call identifiers (CL101): an identifier whose scope is one call or one
  run (job, run, request, trace, span, correlation, execution, invocation, attempt,
  call, idempotency), ``nonce`` and a bare ``uuid``. Entity identifiers (``user_id``,
  ``order_id``) shape the output and never match.
* ``clock`` – clock values (CL102).
* ``output-path`` – destinations the call writes to (CL103).
* ``context`` – tools rather than inputs: loggers, clients, sessions, connections,
  callbacks, locks, executors, worker-count and verbosity knobs (CL104).
* ``bytes`` – raw binary payloads (CL105).

Each category can be extended with exact names (or ``fnmatch`` patterns) from the
``extend-per-call-names`` configuration table.
"""
from __future__ import annotations

import fnmatch
import re
from typing import Iterable, List, Optional, Sequence, Tuple

_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z0-9])|[A-Z]?[a-z0-9]+|[A-Z]+")

CATEGORIES = ("id", "clock", "output-path", "context", "bytes")


def tokens(name: str) -> List[str]:
    """Split an identifier into lowercase word tokens (``"jobId_2"`` -> ``["job", "id", "2"]``)."""
    out: List[str] = []
    for part in name.split("_"):
        if part:
            out.extend(m.group(0).lower() for m in _CAMEL.finditer(part))
    return out


# -- per-call identifiers (CL101) -------------------------------------------------------
PER_CALL_SCOPES = frozenset(
    {
        "run", "job", "request", "req", "trace", "span", "correlation", "corr",
        "execution", "exec", "invocation", "attempt", "call", "idempotency",
    }
)
_ID_TOKENS = frozenset({"id", "uuid", "guid", "key", "token", "ident", "identifier"})
_GLUED_IDS = frozenset(
    scope + suffix for scope in PER_CALL_SCOPES for suffix in ("id", "uuid", "guid")
)


def per_call_scope(name: str) -> Optional[str]:
    """Return the per-call scope a parameter name identifies (``"job"`` for ``job_id``), or None.

    ``nonce`` and a bare ``uuid`` give ``"call"``. ``idempotency_key`` counts; other
    ``*_key`` names do not (a cache key of an entity is an input).
    """
    toks = tokens(name)
    if not toks:
        return None
    if toks in (["nonce"], ["uuid"], ["guid"]) or toks[-1] == "nonce":
        return "call"
    for i, tok in enumerate(toks):
        if tok in _GLUED_IDS:
            return next(s for s in sorted(PER_CALL_SCOPES, key=len, reverse=True) if tok.startswith(s))
        if tok in PER_CALL_SCOPES and i + 1 < len(toks):
            nxt = toks[i + 1]
            if nxt in ("id", "uuid", "guid", "ident", "identifier"):
                return tok
            if nxt in ("key", "token") and tok == "idempotency":
                return tok
    return None


# -- clock values (CL102) ----------------------------------------------------------------
_CLOCK_EXACT = frozenset({"now", "timestamp", "ts", "time_now", "now_ts", "current_time", "utcnow", "today"})
_CLOCK_TOKENS = frozenset({"timestamp", "now", "utcnow"})
_EVENT_WORDS = frozenset(
    {
        "started", "start", "requested", "request", "submitted", "submit", "sent", "received",
        "invoked", "invocation", "called", "call", "triggered", "enqueued", "queued", "run",
        "execution", "job", "current", "scheduled_run",
    }
)


def is_clock(name: str, annotation: Optional[str] = None) -> bool:
    """True when ``name`` looks like the time of the call (``now``, ``request_time``, ``started_at``)."""
    low = name.lower().lstrip("_")
    if low in _CLOCK_EXACT:
        return True
    toks = tokens(name)
    if not toks:
        return False
    if any(t in _CLOCK_TOKENS for t in toks):
        return True
    if toks[-1] == "ts" and len(toks) <= 3:
        return True
    if len(toks) >= 2 and toks[-1] in ("time", "at", "datetime", "dt") and toks[-2] in _EVENT_WORDS:
        return True
    if annotation and _annotation_names(annotation) & {"datetime"} and toks[-1] in ("when",):
        return True
    return False


# -- output destinations (CL103) ---------------------------------------------------------
_DEST_FIRST = frozenset({"out", "output", "dest", "destination", "dst", "tmp", "temp", "save", "scratch", "target", "export", "write"})
_DEST_LAST = frozenset({"path", "dir", "directory", "file", "folder", "filename", "to", "fp", "location", "root", "prefix", "uri", "url"})
_DEST_EXACT = frozenset({"dest", "destination", "dst", "outdir", "outfile", "outpath", "tmpdir", "tempdir", "out", "save_to", "output", "workdir", "work_dir"})


def is_output_path(name: str) -> bool:
    """True when ``name`` names where the call writes (``out_path``, ``output_dir``, ``save_to``)."""
    low = name.lower().lstrip("_")
    if low in _DEST_EXACT:
        return True
    toks = tokens(name)
    if len(toks) < 2:
        return False
    if toks[0] in _DEST_FIRST and toks[-1] in _DEST_LAST:
        return toks[0] != "target" or toks[-1] in ("path", "dir", "directory", "file", "folder")
    return False


# -- context objects (CL104) -------------------------------------------------------------
_CONTEXT_LAST = frozenset(
    {
        "logger", "log", "callback", "callbacks", "cb", "progress", "pbar", "tqdm", "client",
        "session", "sess", "conn", "connection", "cursor", "lock", "executor", "pool", "bar",
        "reporter", "hook", "notifier", "emitter", "tracer",
    }
)
_CONTEXT_EXACT = frozenset(
    {
        "request", "req", "db", "n_jobs", "njobs", "num_workers", "n_workers", "workers",
        "num_procs", "nprocs", "n_procs", "num_processes", "n_processes", "verbose",
        "verbosity", "max_workers", "num_threads", "n_threads", "threads", "on_progress",
        "progress_callback", "log_level", "show_progress", "quiet",
    }
)
_CONTEXT_TYPES = (
    "Logger", "LoggerAdapter", "Session", "AsyncSession", "Client", "AsyncClient",
    "Connection", "Cursor", "Engine", "AsyncEngine", "Lock", "RLock", "Semaphore",
    "Executor", "ThreadPoolExecutor", "ProcessPoolExecutor", "Pool", "tqdm",
    "Request", "HttpRequest", "WebSocket", "Redis",
)
_CONTEXT_TYPE_SUFFIXES = ("Session", "Client", "Connection", "Executor", "Pool", "Cursor")


def _annotation_names(annotation: str) -> set:
    return set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", annotation))


def context_kind(name: str, annotation: Optional[str] = None) -> Optional[str]:
    """Return a short noun for a context object (``"logger"``, ``"client"``...) or None.

    Decided by the name's last token (``http_client``, ``db_session``) or by the
    annotation (``logging.Logger``, ``requests.Session``, ``httpx.AsyncClient``,
    ``*Executor``). ``session_id`` is an identifier, not a session. A ``Callable``
    annotation alone decides nothing: a function passed in is usually an input
    (``builds(target)``); callbacks are recognised by name (``callback``, ``on_progress``).
    """
    if annotation:
        last_types = [a.split(".")[-1] for a in re.findall(r"[A-Za-z_][A-Za-z0-9_.]*", annotation)]
        # the outermost type decides: Optional[Session] and Session | None both count
        for t in last_types:
            if t in ("Optional", "Union", "None", "typing", "Annotated"):
                continue
            if t in _CONTEXT_TYPES or any(t.endswith(s) and t != s.lower() for s in _CONTEXT_TYPE_SUFFIXES):
                return t
            break
    low = name.lower().lstrip("_")
    if low in _CONTEXT_EXACT:
        return low
    toks = tokens(name)
    if toks and toks[-1] in _CONTEXT_LAST:
        return toks[-1]
    if len(toks) >= 2 and toks[-2] in ("progress",) and toks[-1] in ("bar", "cb", "fn", "func", "hook"):
        return "progress callback"
    if toks and toks[0] in ("on",) and len(toks) >= 2:
        return "callback"
    return None


# -- raw bytes (CL105) -------------------------------------------------------------------
_BYTES_TYPES = frozenset({"bytes", "bytearray", "memoryview", "BinaryIO", "BufferedReader", "BytesIO"})


def is_bytes(name: str, annotation: Optional[str] = None) -> bool:
    """True for binary payloads: annotated bytes-like or named ``*_bytes``/``*_blob``."""
    if annotation:
        names = _annotation_names(annotation)
        if names & _BYTES_TYPES:
            # list[bytes] is still a payload of bytes; str | bytes too
            return True
        if "IO" in names and "bytes" in annotation:
            return True
    toks = tokens(name)
    return bool(toks) and toks[-1] in ("bytes", "blob", "blobs")


# -- fingerprints ------------------------------------------------------------------------
_FINGERPRINT_LAST = frozenset(
    {
        "hash", "digest", "sha", "sha1", "sha256", "sha512", "md5", "etag", "checksum",
        "fingerprint", "version", "mtime", "crc", "crc32", "rev", "revision",
    }
)


def is_fingerprint(name: str) -> bool:
    """True for parameters that exist to be keyed: ``source_hash``, ``etag``, ``model_version``."""
    toks = tokens(name)
    return bool(toks) and (toks[-1] in _FINGERPRINT_LAST or "".join(toks) in ("cachekey", "cacheversion"))


# -- configuration extensions ------------------------------------------------------------
def matches_any(name: str, patterns: Iterable[str]) -> bool:
    """True when ``name`` (or its form without leading underscores) matches an fnmatch pattern."""
    bare = name.lstrip("_")
    return any(fnmatch.fnmatchcase(name, p) or fnmatch.fnmatchcase(bare, p) for p in patterns)


def classify(name: str, annotation: Optional[str], extra: Sequence[Tuple[str, Sequence[str]]] = ()) -> List[Tuple[str, str]]:
    """Return every ``(category, detail)`` that applies to a parameter.

    ``extra`` is the ``extend-per-call-names`` table as ``(category, names)`` pairs.
    The result is ordered like :data:`CATEGORIES` and holds at most one entry per category.
    """
    found: List[Tuple[str, str]] = []
    extra_map = {}
    for cat, names in extra:
        extra_map.setdefault(cat, []).extend(names)
    scope = per_call_scope(name)
    if scope is not None:
        found.append(("id", scope))
    elif matches_any(name, extra_map.get("id", ())):
        found.append(("id", "configured"))
    if is_clock(name, annotation) or matches_any(name, extra_map.get("clock", ())):
        found.append(("clock", ""))
    if is_output_path(name) or matches_any(name, extra_map.get("output-path", ())):
        found.append(("output-path", ""))
    ctx = context_kind(name, annotation)
    if ctx is None and matches_any(name, extra_map.get("context", ())):
        ctx = "configured"
    if ctx is not None and not any(c == "id" for c, _ in found):
        found.append(("context", ctx))
    if is_bytes(name, annotation) or matches_any(name, extra_map.get("bytes", ())):
        found.append(("bytes", ""))
    return found

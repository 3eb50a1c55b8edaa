"""``cacheable``: the project's reference on-disk cache decorator.

It exists to show what a cache decorator that the linter would not complain about looks
like (DESIGN.md section 6): the key is built from the arguments bound to the signature,
every argument must have a stable encoding, per-call arguments are left out by name, and
stored values round-trip exactly.

Usage::

    from cachelint import cacheable

    @cacheable(ignore=("client",), version=2)
    def render(mode, name, style, colors, source_hash, _source_bytes, client):
        ...

    render.cache_info()      # CacheInfo(hits=0, misses=0, writes=0, errors=0)
    render.cache_key("svg", "logo", "flat", 3, "ab12")   # hex sha256, nothing is called
    render.cache_clear()     # removes this function's entries

Cache key
---------
The key is the sha256 of a canonical, type-tagged byte encoding of the function's module
and qualified name, ``version`` and the keyed arguments. Arguments are bound with
``inspect.signature(func).bind(...)`` and ``apply_defaults()``, so ``f(1)``, ``f(a=1)``
and ``f(1, b=<default>)`` give one key. Parameters whose name starts with ``_`` and
names listed in ``ignore`` are passed to the function but left out of the key; so are
``**kwargs`` entries whose name starts with ``_``.

Every encoding starts with a type tag, so ``1``, ``1.0``, ``True`` and ``"1"`` differ,
and a tuple differs from a list with the same items. Encoded types: ``None``, ``bool``,
``int``, ``float``, ``complex``, ``str``, ``bytes``/``bytearray`` (length plus sha256 of
the content), ``tuple``, ``list``, ``dict`` (order-independent), ``set`` and
``frozenset`` (order-independent, and distinct from each other), ``datetime.datetime``,
``date``, ``time``, ``timedelta``, ``decimal.Decimal``, ``fractions.Fraction``,
``uuid.UUID``, ``pathlib`` paths (the path text, never the file's content), ``Enum``
members (class plus member name), dataclass instances (class plus the fields that take
part in equality), named tuples and other subclasses of the built-in containers and
scalars (class name plus the base value), and any object whose class defines
``__cache_key__()`` (its return value is encoded in turn). Anything else raises
``TypeError`` naming the parameter. Nothing depends on ``hash()``, ``id()`` or a default
``repr()``, so keys are the same in every process and on every machine.

Deliberate choices:

* ``-0.0`` and ``0.0`` are *different* keys. They compare equal, but functions can tell
  them apart (``math.copysign``, ``1 / x``, formatting), so merging them could return a
  wrong cached result.
* Every NaN (whatever its sign or payload) is *one* key. ``nan != nan``, but calling a
  function twice with NaN is the same computation and should hit the cache.
* ``Decimal("1.0")`` and ``Decimal("1.00")`` are different keys (the exponent is part of
  the value and shows up in results).
* Aware datetimes are keyed on their local wall time *and* UTC offset *and* time-zone
  identity (``ZoneInfo`` key, pytz ``zone``, or ``tzname()``), so the same instant seen in
  two zones gives two keys: a function may format or do calendar arithmetic in the zone it
  was given. ``fold`` is part of the key too.
* Dataclass fields declared with ``compare=False`` are not part of the key, mirroring
  ``==``.

Stored entries
--------------
Entries live under ``<directory>/<module.qualname>-<hash>/<first two key hex chars>/<key>.pkl``.
``directory`` is the decorator argument, else the ``CACHELINT_CACHE_DIR`` environment
variable, else ``.cache/cachelint`` under the current directory; it is resolved on every
call, so tests can ``chdir`` or set the variable. Directories are created 0700 and files
0600. A value is pickled with the highest protocol, written to a temporary file in the
entry's directory and moved into place with ``os.replace``: readers in other threads or
processes see the old entry, the new one, or none, never a partial one. Several processes
may compute the same entry at the same time; the last one to finish wins.

Each file is an 80-byte header followed by the payload (the pickle, or a ``bytes``
return value as is)::

    offset size field
    0      4    magic b"CLKC"
    4      1    format version (1)
    5      1    flags: bit 0 set when the entry is signed; bit 1 set when the payload
                is a ``bytes`` return value stored as is (no pickle); bit 2 set when the
                check is a spot check (below)
    6      2    reserved, zero
    8      8    payload length in bytes (big-endian unsigned)
    16     32   raw sha256 cache key the entry belongs to
    48     32   check: HMAC-SHA256 (signed) or CRC-32 in the first 4 bytes, then zeros

What the check covers:

* signed entries: header bytes 0..47 and the whole payload, always;
* unsigned entries with a payload of at most :data:`FULL_CHECK_LIMIT` (64 KiB): header
  bytes 0..47 and the whole payload;
* larger unsigned entries (flag bit 2): header bytes 0..47, the first and the last
  4 KiB of the payload, and one byte in every 509 in between (about eight per 4 KiB
  block, at offsets that shift from block to block).

The header is verified (magic, version, flags, length against the file size, key, check
or signature) before the payload is unpickled.

Why a spot check: a CRC over every byte costs 250 microseconds or more per MB on the
machines this was measured on, more than opening and reading the file, and made a 1 MB
hit slower than joblib's. With the length it still catches what goes wrong with files
that are written without ``fsync`` and then lose power or are cut short: a truncated or
padded file, a missing or zero-filled tail, a zero-filled or foreign block in the middle
(unless every byte sampled from that block happens to be unchanged). What it can miss is
a flipped bit in the middle of a large entry: inside a pickle that mostly makes
``pickle.loads`` raise (counted and recomputed like any damaged entry), but a large
``bytes`` value stored as is would be returned with the flip. Set a secret (below) when
that matters: signed entries are always verified in full. The writer records its choice
in the flags, so entries written with a full CRC stay readable, and a signed entry that
claims a spot check is refused.

No ``fsync`` is done: the rename makes entries atomic for concurrent readers and for a
writer killed at any point (it leaves at most a temporary file, which a later write
removes once it is ten minutes old); after a power loss a damaged entry is detected as
above and recomputed.

Failure handling ("fails open, loudly")
---------------------------------------
* A truncated, corrupt, foreign-key or unreadable entry is logged on the
  ``cachelint.cacheable`` logger, counted in ``errors``, recomputed and rewritten.
* A value that cannot be pickled is returned to the caller, counted and logged, and not
  stored.
* A cache directory that cannot be created or written (read-only, missing parent that
  cannot be made, permission denied) turns caching off for that function and directory
  with one :class:`CacheStorageWarning`; the caller always gets its value. Out-of-space and
  other write errors are counted and logged once per function and error number.

Security
--------
Entries are pickles, and unpickling runs code chosen by whoever wrote the file. So, on
POSIX systems, nothing is read from a cache directory that is group- or world-writable or
owned by another user (one :class:`CacheStorageWarning`, then the function just runs
uncached), and an entry file that is group- or world-writable, owned by another user or
not a regular file is refused and left alone (counted, warned once). Symbolic links are
not followed when opening entries. With ``secret=`` or ``CACHELINT_CACHE_SECRET`` set,
every entry is signed with HMAC-SHA256 and an entry whose signature does not verify
(including an unsigned one) is counted as an error and recomputed, without being
unpickled. Leftover temporary files older than ten minutes are removed by a later write.

Importing this module only imports ``os`` and ``sys``; everything else is imported the
first time a function is decorated, so ``import cachelint`` stays fast.

Because ``cachelint/__init__.py`` re-exports the :func:`cacheable` function under the same
name as this module, get the module itself with ``importlib.import_module`` or
``from cachelint.cacheable import ...``, not with ``import cachelint.cacheable as m``.
"""
import os
import sys

__all__ = ["cacheable", "CacheKeyWarning", "CacheStorageWarning", "CacheInfo"]

#: Environment variable naming the cache directory (used when ``directory=None``).
ENV_DIRECTORY = "CACHELINT_CACHE_DIR"
#: Environment variable holding the HMAC secret (used when ``secret=None``).
ENV_SECRET = "CACHELINT_CACHE_SECRET"
#: Where entries go when neither ``directory=`` nor the environment variable is set,
#: relative to the current working directory at call time.
DEFAULT_DIRECTORY = os.path.join(".cache", "cachelint")

#: Number of recent misses remembered per function for the run-time key check.
KEY_CHECK_WINDOW = 8
#: Temporary files older than this many seconds are removed by a later write.
STALE_TEMP_SECONDS = 600.0
#: A function's directory is swept for stale temporary files at most this often (seconds).
SWEEP_INTERVAL_SECONDS = 60.0

_MAGIC = b"CLKC"
_FORMAT_VERSION = 1
_FLAG_SIGNED = 1
_FLAG_RAW_BYTES = 2  # payload is the bytes value itself, not a pickle
_FLAG_SPOT_CHECK = 4  # the CRC covers the payload's ends and a strided sample only
_KNOWN_FLAGS = _FLAG_SIGNED | _FLAG_RAW_BYTES | _FLAG_SPOT_CHECK
#: Unsigned payloads up to this many bytes get a CRC-32 over every byte; larger ones a
#: spot check (see the module documentation).
FULL_CHECK_LIMIT = 65536
_EDGE_BYTES = 4096  # spot check: bytes taken whole at each end of the payload
_SAMPLE_STRIDE = 509  # spot check: one byte every this many in between
_SMALL_ENTRY = 65536  # entries up to this size (bytes) are read with one system call
_SCRATCH_LIMIT = 4 << 20  # largest pickle (bytes) read into the per-thread buffer
_HEADER_SIZE = 80
_SIGNED_PART = 48  # header bytes covered by the checksum / signature
_KEY_PREFIX = b"cachelint.cacheable/key/1\x00"
_TEMP_PREFIX = ".tmp."
_ENTRY_SUFFIX = ".pkl"
_TYPE_CACHE_LIMIT = 1024


class CacheKeyWarning(UserWarning):
    """Emitted at run time when one keyed argument looks like a per-call value.

    It fires once per function and parameter when all of these hold:

    * the function has had at least :data:`KEY_CHECK_WINDOW` misses and not one hit;
    * over the last :data:`KEY_CHECK_WINDOW` misses, that parameter had a new value every
      time, while every other keyed parameter kept the values of the earlier misses (so
      the function has at least two keyed parameters);
    * those misses all produced the same result (compared through a CRC-32 and the length
      of the pickled value).

    The last condition keeps an ordinary first pass over distinct inputs quiet: calling
    ``thumbnail(path, size=128)`` for eight different images misses eight times with only
    ``path`` changing, but the eight thumbnails differ, so ``path`` is doing its job. A
    per-call job id gives itself away because the same inputs under eight job ids give
    eight identical results. Only misses that returned count (a call that raised is not
    recorded), and a miss whose value cannot be pickled matches no other result.

    The cure is to leave the parameter out of the key (prefix it with ``_`` or name it in
    ``ignore=``). It is the run-time counterpart of the linter's CL101 rule.
    """


class CacheStorageWarning(RuntimeWarning):
    """Emitted once per function and cause when the cache cannot be used safely.

    Causes: the cache directory cannot be created or written (caching is then turned off
    for that function and directory), the directory or an entry is writable by other
    users or owned by someone else (nothing is read from it). The decorated function still
    runs and returns its value; only caching is lost.
    """


def __getattr__(name):
    # CacheInfo needs collections.namedtuple; build it only when asked for.
    if name == "CacheInfo":
        _load_runtime()
        return CacheInfo
    raise AttributeError("module %r has no attribute %r" % (__name__, name))


_runtime_loaded = False


def _load_runtime():
    """Import what decorating and calling need (kept out of module import time)."""
    global _runtime_loaded, collections, errno, functools, hashlib, hmac, inspect
    global logging, pickle, stat, struct, threading, time, warnings, zlib
    global CacheInfo, _scratch, _HEADER, _log, _ENCODERS, _BASE_ENCODERS, _Pending
    if _runtime_loaded:
        return
    import collections
    import errno
    import functools
    import hashlib
    import hmac
    import inspect
    import logging
    import pickle
    import stat
    import struct
    import threading
    import time
    import warnings

    try:
        import zlib
    except ImportError:  # pragma: no cover - CPython without zlib
        import binascii as zlib

    _scratch = threading.local()
    CacheInfo = collections.namedtuple("CacheInfo", "hits misses writes errors")
    CacheInfo.__doc__ = (
        "Statistics of one cacheable function since decoration or the last cache_clear().\n\n"
        "Fields (all int): hits (calls answered from disk), misses (calls that ran the\n"
        "function), writes (entries stored), errors (unreadable, corrupt, refused or\n"
        "unwritable entries and unpicklable values)."
    )
    CacheInfo.__module__ = __name__
    _HEADER = struct.Struct(">4sBBHQ32s32s")
    assert _HEADER.size == _HEADER_SIZE
    _log = logging.getLogger("cachelint.cacheable")
    _ENCODERS = dict(_BASE_ENCODERS_SPEC)
    _BASE_ENCODERS = list(_BASE_ENCODERS_SPEC)
    _Pending = collections.namedtuple(
        "_Pending", "key raw path root shard mode secret record", module=__name__
    )
    _runtime_loaded = True


# --------------------------------------------------------------------------------------
# Key encoding
# --------------------------------------------------------------------------------------


class _Unencodable(Exception):
    """Raised inside the encoder; turned into a TypeError naming the parameter."""

    def __init__(self, value, reason=None):
        Exception.__init__(self)
        self.value_type = type(value)
        self.reason = reason
        self.where = []  # subscripts, innermost first


def _type_name(t):
    module = getattr(t, "__module__", None)
    qualname = getattr(t, "__qualname__", t.__name__)
    if module in (None, "builtins"):
        return qualname
    return "%s.%s" % (module, qualname)


def _short(value):
    text = repr(value)  # only ever used in error messages
    return text if len(text) <= 40 else text[:37] + "..."


def _enc_none(value):
    return b"N"


def _enc_bool(value):
    return b"T" if value else b"F"


def _enc_int(value):
    return b"i%d;" % value


def _enc_float(value):
    if value != value:
        return b"fnan;"  # every NaN is the same key
    return b"f" + value.hex().encode("ascii") + b";"  # keeps -0.0 apart from 0.0


def _enc_complex(value):
    return b"c" + _enc_float(value.real) + _enc_float(value.imag)


def _enc_str(value):
    data = value.encode("utf-8", "surrogatepass")
    return b"s%d:" % len(data) + data


def _enc_bytes(value):
    return b"b%d:" % len(value) + hashlib.sha256(value).digest()


def _enc_bytearray(value):
    return b"B%d:" % len(value) + hashlib.sha256(value).digest()


def _enc_items(tag, items):
    parts = []
    for index, item in enumerate(items):
        try:
            parts.append(_encode(item))
        except _Unencodable as exc:
            exc.where.append("[%d]" % index)
            raise
    return tag + b"%d:" % len(parts) + b"".join(parts)


def _enc_tuple(value):
    return _enc_items(b"t", value)


def _enc_list(value):
    return _enc_items(b"l", value)


def _dict_pairs(value):
    pairs = []
    for k, v in value.items():
        try:
            ek = _encode(k)
        except _Unencodable as exc:
            exc.where.append(" (dict key %s)" % _short(k))
            raise
        try:
            ev = _encode(v)
        except _Unencodable as exc:
            exc.where.append("[%s]" % _short(k))
            raise
        pairs.append(ek + ev)
    return pairs


def _enc_dict(value):
    pairs = _dict_pairs(value)
    pairs.sort()  # key encodings are prefix-free, so sorting key+value sorts by key
    return b"d%d:" % len(pairs) + b"".join(pairs)


def _enc_ordered_dict(value):
    pairs = _dict_pairs(value)  # OrderedDict equality depends on order: keep it
    return b"o%d:" % len(pairs) + b"".join(pairs)


def _set_parts(value):
    parts = []
    for item in value:
        try:
            parts.append(_encode(item))
        except _Unencodable as exc:
            exc.where.append(" (set member %s)" % _short(item))
            raise
    parts.sort()
    return b"%d:" % len(parts) + b"".join(parts)


def _enc_set(value):
    return b"S" + _set_parts(value)


def _enc_frozenset(value):
    return b"Z" + _set_parts(value)


_BASE_ENCODERS_SPEC = (
    (type(None), _enc_none),
    (bool, _enc_bool),
    (int, _enc_int),
    (float, _enc_float),
    (complex, _enc_complex),
    (str, _enc_str),
    (bytes, _enc_bytes),
    (bytearray, _enc_bytearray),
    (tuple, _enc_tuple),
    (list, _enc_list),
    (dict, _enc_dict),
    (set, _enc_set),
    (frozenset, _enc_frozenset),
)


def _encode(value):
    """Return the canonical encoding of ``value`` (bytes); raise _Unencodable."""
    encoder = _ENCODERS.get(type(value))
    if encoder is not None:
        return encoder(value)
    encoder = _encoder_for_type(type(value))
    if len(_ENCODERS) < _TYPE_CACHE_LIMIT:
        _ENCODERS[type(value)] = encoder
    return encoder(value)


def _tz_identity(tzinfo, moment):
    if tzinfo is None:
        return b"n"
    key = getattr(tzinfo, "key", None) or getattr(tzinfo, "zone", None)
    if isinstance(key, str):
        return b"z" + _enc_str(key)
    dt = sys.modules.get("datetime")
    if dt is not None and isinstance(tzinfo, dt.timezone):
        return b"x"  # fixed offset: the offset is already in the ISO text
    name = tzinfo.tzname(moment)
    return b"m" + _enc_str(_type_name(type(tzinfo))) + _enc_str(str(name))


def _encoder_for_type(cls):
    """Pick an encoder for a class outside the built-in fast path.

    Classes from optional stdlib modules are looked up in ``sys.modules``: if the module
    was never imported, no argument can be one of its instances, so nothing is imported.
    """
    name = _enc_str(_type_name(cls))

    if callable(getattr(cls, "__cache_key__", None)):

        def enc_cache_key(value):
            try:
                return b"K" + name + _encode(value.__cache_key__())
            except _Unencodable as exc:
                exc.where.append(".__cache_key__()")
                raise

        return enc_cache_key

    enum = sys.modules.get("enum")
    if enum is not None and issubclass(cls, enum.Enum):

        def enc_enum(value):
            member = value.name
            if member is None:  # pseudo-member of a Flag without a name
                return b"E" + name + b"v" + _encode(value.value)
            return b"E" + name + _enc_str(member)

        return enc_enum

    if hasattr(cls, "__dataclass_fields__"):
        import dataclasses

        keyed = tuple(f.name for f in dataclasses.fields(cls) if f.compare)
        keyed_enc = tuple(_enc_str(n) for n in keyed)

        def enc_dataclass(value):
            parts = [b"C", name, b"%d:" % len(keyed)]
            for field_name, field_enc in zip(keyed, keyed_enc):
                try:
                    parts.append(field_enc + _encode(getattr(value, field_name)))
                except _Unencodable as exc:
                    exc.where.append("." + field_name)
                    raise
            return b"".join(parts)

        return enc_dataclass

    dt = sys.modules.get("datetime")
    if dt is not None:
        if issubclass(cls, dt.datetime):
            return lambda v: (
                b"Y" + _enc_str(v.isoformat()) + b"%d" % v.fold + _tz_identity(v.tzinfo, v)
            )
        if issubclass(cls, dt.date):
            return lambda v: b"D" + _enc_str(v.isoformat())
        if issubclass(cls, dt.time):
            return lambda v: (
                b"H" + _enc_str(v.isoformat()) + b"%d" % v.fold + _tz_identity(v.tzinfo, None)
            )
        if issubclass(cls, dt.timedelta):
            return lambda v: b"R%d,%d,%d;" % (v.days, v.seconds, v.microseconds)

    decimal = sys.modules.get("decimal")
    if decimal is not None and issubclass(cls, decimal.Decimal):
        return lambda v: b"M" + _enc_str(str(v))

    fractions = sys.modules.get("fractions")
    if fractions is not None and issubclass(cls, fractions.Fraction):
        return lambda v: b"Q%d/%d;" % (v.numerator, v.denominator)

    uuid = sys.modules.get("uuid")
    if uuid is not None and issubclass(cls, uuid.UUID):
        return lambda v: b"U" + v.bytes

    pathlib = sys.modules.get("pathlib")
    if pathlib is not None and issubclass(cls, pathlib.PurePath):
        flavour = b"w" if issubclass(cls, pathlib.PureWindowsPath) else b"p"
        return lambda v: b"P" + flavour + _enc_str(str(v))

    # Subclasses of built-in values (named tuples, OrderedDict, str enums without Enum,
    # ...): the class name plus the base value, provided nothing lives outside it.
    collections_mod = sys.modules.get("collections")
    if collections_mod is not None and issubclass(cls, collections_mod.OrderedDict):
        base_encoder = _enc_ordered_dict
    else:
        base_encoder = None
        for base, encoder in _BASE_ENCODERS:
            if base is not bool and issubclass(cls, base):
                base_encoder = encoder
                break
    if base_encoder is not None:

        def enc_subclass(value):
            if getattr(value, "__dict__", None):
                raise _Unencodable(value, "it carries instance attributes besides its value")
            return b"X" + name + base_encoder(value)

        return enc_subclass

    def enc_unsupported(value):
        raise _Unencodable(value)

    return enc_unsupported


def _unencodable_error(exc, param, func_name):
    where = "".join(reversed(exc.where))
    location = " (at %s%s)" % (param, where) if where else ""
    reason = exc.reason or "it has no stable encoding"
    return TypeError(
        "cacheable: cannot build a cache key for parameter %r of %s: a value of type %s%s "
        "cannot be keyed because %s. Leave the parameter out of the key (rename it to "
        "start with '_' or add it to ignore=), or give the type a __cache_key__() method "
        "returning encodable data (str, int, tuples, ...)."
        % (param, func_name, _type_name(exc.value_type), location, reason)
    )


def _digest_for_history(encoded):
    if len(encoded) <= 40:
        return encoded
    return hashlib.blake2b(encoded, digest_size=16).digest()


# --------------------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------------------

_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_O_BINARY = getattr(os, "O_BINARY", 0)
_READ_FLAGS = os.O_RDONLY | _O_NOFOLLOW | _O_CLOEXEC | _O_BINARY
_WRITE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_NOFOLLOW | _O_CLOEXEC | _O_BINARY
_POSIX = os.name == "posix"
_HIT, _MISS = True, False
_MODE_NORMAL, _MODE_NO_WRITE, _MODE_OFF = 0, 1, 2


class _Corrupt(Exception):
    """An entry failed verification; the message says why."""


def _unsafe_reason(st, what):
    """Return why a stat result must not be trusted, or None (POSIX only)."""
    if not _POSIX:
        return None
    euid = os.geteuid()
    if st.st_uid != euid:
        return "%s is owned by uid %d, not by this process's uid %d" % (what, st.st_uid, euid)
    if st.st_mode & 0o022:
        return "%s is writable by group or others (mode %03o)" % (
            what,
            stat.S_IMODE(st.st_mode),
        )
    return None


def _spot_sample(payload):
    """The payload bytes a spot check covers (bytes): both ends and a strided sample.

    ``payload`` is bytes or a memoryview. The first and last ``_EDGE_BYTES`` bytes are
    taken whole; in between, one byte every ``_SAMPLE_STRIDE`` bytes. The stride is not a
    divisor of any block size, so every 4 KiB block contributes about eight bytes at
    offsets that shift from block to block.
    """
    middle = payload[_EDGE_BYTES:-_EDGE_BYTES:_SAMPLE_STRIDE]
    if type(middle) is memoryview:
        middle = middle.tobytes()  # strided views are not contiguous; zlib needs that
    return payload[:_EDGE_BYTES], middle, payload[-_EDGE_BYTES:]


def _checksum(head, payload, secret, flags):
    """The 32-byte check field for ``head`` (header bytes 0..47) and ``payload``."""
    if secret is not None:
        mac = hmac.new(secret, head, "sha256")
        mac.update(payload)  # signed entries are always verified in full
        return mac.digest()
    crc = zlib.crc32(head)
    if flags & _FLAG_SPOT_CHECK:
        for part in _spot_sample(payload):
            crc = zlib.crc32(part, crc)
    else:
        crc = zlib.crc32(payload, crc)
    return (crc & 0xFFFFFFFF).to_bytes(4, "big") + bytes(28)


def _verify(head, payload, raw_key, secret):
    """Check an entry read from disk; return its flags (int) or raise _Corrupt.

    ``head`` holds at least the first 80 bytes of the file (bytes-like), ``payload`` the
    bytes after them.
    """
    if len(head) < _HEADER_SIZE:
        raise _Corrupt("truncated: %d bytes, shorter than the header" % len(head))
    magic, version, flags, _reserved, length, key, check = _HEADER.unpack_from(head)
    if magic != _MAGIC:
        raise _Corrupt("bad magic %r" % bytes(magic))
    if version != _FORMAT_VERSION:
        raise _Corrupt("unsupported format version %d" % version)
    if flags & ~_KNOWN_FLAGS:
        raise _Corrupt("unknown flags %#x" % flags)
    if length != len(payload):
        raise _Corrupt(
            "truncated or padded: header says %d payload bytes, file has %d"
            % (length, len(payload))
        )
    if key != raw_key:
        raise _Corrupt("entry belongs to another key")
    signed = bool(flags & _FLAG_SIGNED)
    if secret is not None and not signed:
        raise _Corrupt("entry is not signed but a secret is configured")
    if secret is None and signed:
        raise _Corrupt("entry is signed but no secret is configured")
    if signed and flags & _FLAG_SPOT_CHECK:
        raise _Corrupt("signed entry claims a partial check")
    expected = _checksum(memoryview(head)[:_SIGNED_PART], payload, secret, flags)
    if not hmac.compare_digest(expected, check):
        raise _Corrupt("signature does not verify" if signed else "checksum mismatch")
    return flags


def _read_exact(fd, size):
    data = os.read(fd, size) if size else b""
    if len(data) == size:
        return data
    chunks = [data]
    got = len(data)
    while got < size:
        chunk = os.read(fd, size - got)
        if not chunk:
            break
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def _read_scratch(fd, size):
    """Read ``size`` bytes into this thread's reusable buffer.

    Return ``(data, buffer)``: ``data`` is bytes-like, ``buffer`` the borrowed bytearray
    (or None) to hand back with :func:`_return_scratch` once ``data`` is no longer used.
    The buffer is taken out of the thread-local slot while in use, so code run by
    ``pickle.loads`` that reads another entry gets its own buffer. Sizes above
    ``_SCRATCH_LIMIT`` get a one-off bytes object, so the memory kept stays bounded.
    """
    if size > _SCRATCH_LIMIT or not hasattr(os, "readv"):
        return _read_exact(fd, size), None
    buf = _scratch.__dict__.pop("buf", None)
    if buf is None or len(buf) < size:
        buf = bytearray(max(size, 1 << 20))
    view = memoryview(buf)
    got = 0
    while got < size:
        n = os.readv(fd, [view[got:size]])
        if n <= 0:
            break
        got += n
    return view[:got], buf


def _return_scratch(buf):
    if buf is not None:
        current = getattr(_scratch, "buf", None)
        if current is None or len(current) < len(buf):
            _scratch.buf = buf


def _write_all(fd, data):
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _mkdir_private(path):
    try:
        os.mkdir(path, 0o700)
    except FileExistsError:
        pass


def _safe_dir_name(module, qualname):
    text = "%s.%s" % (module, qualname)
    cleaned = "".join(c if (c.isalnum() and c.isascii()) or c in "._-" else "_" for c in text)
    tag = hashlib.sha256(("%s\x00%s" % (module, qualname)).encode("utf-8", "surrogatepass"))
    return "%s-%s" % (cleaned[:80], tag.hexdigest()[:12])


def _as_secret(secret, where):
    if secret is None or secret == "" or secret == b"":
        return None
    if isinstance(secret, str):
        return secret.encode("utf-8")
    if isinstance(secret, (bytes, bytearray)):
        return bytes(secret)
    raise TypeError("cacheable: %s must be str or bytes, not %s" % (where, _type_name(type(secret))))


# --------------------------------------------------------------------------------------
# The decorated function's state
# --------------------------------------------------------------------------------------


class _Cache:
    """Everything one decorated function needs: key builder, storage, statistics."""

    def __init__(self, func, directory, ignore, version, secret):
        self.func = func
        module = getattr(func, "__module__", None) or "__main__"
        qualname = getattr(func, "__qualname__", None)
        if not isinstance(qualname, str):
            raise TypeError(
                "cacheable: %s has no __qualname__, so its entries could not be told apart "
                "from other functions'; decorate a def" % _type_name(type(func))
            )
        self.name = "%s.%s" % (module, qualname)
        if qualname.endswith("<lambda>"):
            raise TypeError(
                "cacheable: cannot cache a lambda (%s): lambdas in one module share a "
                "name, so their entries would mix; use a def" % self.name
            )
        if directory is not None:
            directory = os.fspath(directory)
            if not isinstance(directory, str):
                directory = os.fsdecode(directory)
        self.directory = directory
        self.secret = _as_secret(secret, "secret=")

        sig = inspect.signature(func)
        params = list(sig.parameters.values())
        names = [p.name for p in params]
        missing = [n for n in ignore if n not in sig.parameters]
        if missing:
            raise ValueError(
                "cacheable: ignore= names %s, which %s() does not have (its parameters: %s)"
                % (", ".join(map(repr, missing)), qualname, ", ".join(names) or "none")
            )
        self.sig = sig
        self.excluded = frozenset(n for n in names if n.startswith("_")) | frozenset(ignore)
        self.var_keyword = {p.name for p in params if p.kind is p.VAR_KEYWORD}
        self.name_enc = {n: _enc_str(n) for n in names}

        kinds = {p.kind for p in params}
        self.fast = not (kinds & {inspect.Parameter.VAR_POSITIONAL,
                                  inspect.Parameter.VAR_KEYWORD,
                                  inspect.Parameter.KEYWORD_ONLY})
        self.nparams = len(params)
        self.nrequired = sum(1 for p in params if p.default is p.empty)
        self.defaults = tuple(p.default for p in params[self.nrequired:])
        self.fast_keyed = tuple(
            (i, p.name) for i, p in enumerate(params) if p.name not in self.excluded
        )

        try:
            version_enc = _encode(version)
        except _Unencodable as exc:
            raise _unencodable_error(exc, "version=", self.name) from None
        self.prefix = _KEY_PREFIX + _enc_str(module) + _enc_str(qualname) + version_enc
        self.dir_name = _safe_dir_name(module, qualname)

        self.lock = threading.Lock()
        self.hits = self.misses = self.writes = self.errors = 0
        self.history = collections.deque(maxlen=KEY_CHECK_WINDOW)
        self.warned_params = set()
        self.off = {}  # root -> reason caching is off there
        self.said = set()  # warn-once / log-once tokens
        self.last_sweep = float("-inf")  # the first write sweeps

    # ---- keys -------------------------------------------------------------------------

    def keyed_items(self, args, kwargs):
        """Return [(name, value)] of the keyed arguments, bound and defaulted."""
        if self.fast and not kwargs and self.nrequired <= len(args) <= self.nparams:
            n = len(args)
            if n < self.nparams:
                args = args + self.defaults[n - self.nrequired:]
            return [(name, args[i]) for i, name in self.fast_keyed]
        bound = self.sig.bind(*args, **kwargs)
        bound.apply_defaults()
        items = []
        for name, value in bound.arguments.items():
            if name in self.excluded:
                continue
            if name in self.var_keyword:
                value = {k: v for k, v in value.items() if not k.startswith("_")}
            items.append((name, value))
        return items

    def key(self, args, kwargs):
        """Return (hex key, raw key, [(name, encoding)])."""
        encoded = []
        for name, value in self.keyed_items(args, kwargs):
            try:
                encoded.append((name, _encode(value)))
            except _Unencodable as exc:
                raise _unencodable_error(exc, name, self.name) from None
            except RecursionError:
                raise TypeError(
                    "cacheable: cannot build a cache key for parameter %r of %s: the value "
                    "is nested too deeply or contains itself" % (name, self.name)
                ) from None
        name_enc = self.name_enc
        raw = hashlib.sha256(
            self.prefix + b"".join([name_enc[n] + e for n, e in encoded])
        ).digest()
        return raw.hex(), raw, encoded

    # ---- locations --------------------------------------------------------------------

    def root(self):
        directory = self.directory
        if directory is None:
            directory = os.environ.get(ENV_DIRECTORY) or DEFAULT_DIRECTORY
        if not os.path.isabs(directory):
            directory = os.path.join(os.getcwd(), directory)
        return directory

    def current_secret(self):
        if self.secret is not None:
            return self.secret
        value = os.environ.get(ENV_SECRET)
        return value.encode("utf-8") if value else None

    # ---- warnings, logging and statistics ---------------------------------------------

    def count(self, field):
        with self.lock:
            setattr(self, field, getattr(self, field) + 1)

    def first_time(self, token):
        with self.lock:
            if token in self.said:
                return False
            self.said.add(token)
            return True

    def turn_off(self, root, reason):
        """Stop using ``root`` for this function; warn once."""
        with self.lock:
            if root in self.off:
                return
            self.off[root] = reason
        message = "cacheable: caching is off for %s in %s: %s" % (self.name, root, reason)
        _log.warning("%s", message)
        warnings.warn(message, CacheStorageWarning, stacklevel=5)

    def warn_once(self, token, message, stacklevel=5):
        if self.first_time(token):
            _log.warning("%s", message)
            warnings.warn(message, CacheStorageWarning, stacklevel=stacklevel)
        else:
            _log.debug("%s", message)

    # ---- the call path ----------------------------------------------------------------

    def lookup(self, args, kwargs):
        """Return (True, value) on a hit, else (False, _Pending) describing the miss."""
        key, raw, encoded = self.key(args, kwargs)
        secret = self.current_secret()
        try:
            root = self.root()
        except OSError as exc:  # the working directory vanished
            root = None
            mode = _MODE_OFF
            self.warn_once(
                ("cwd",), "cacheable: no cache directory for %s: %s" % (self.name, exc), 4
            )
        else:
            mode = _MODE_OFF if root in self.off else _MODE_NORMAL
        sep = os.sep
        shard = path = None
        if mode == _MODE_NORMAL:
            shard = root + sep + self.dir_name + sep + key[:2]
            path = shard + sep + key + _ENTRY_SUFFIX
            mode = self.check_root(root)
        if mode == _MODE_NORMAL:
            try:
                fd = os.open(path, _READ_FLAGS)
            except FileNotFoundError:
                pass
            except OSError as exc:
                self.count("errors")
                _log.warning("cacheable: cannot open cache entry %s: %s", path, exc)
            else:
                outcome, value = self.read_open(fd, path, raw, secret)
                if outcome is _HIT:
                    with self.lock:
                        self.hits += 1
                    return _HIT, value
                if value is not None:
                    mode = value
        with self.lock:
            self.misses += 1
            check = (
                self.hits == 0
                and len(encoded) > 1
                and len(self.warned_params) < len(encoded)
            )
        record = None
        if check:  # the run-time key check (note_miss) runs once the value is known
            record = {name: _digest_for_history(enc) for name, enc in encoded}
        return _MISS, _Pending(key, raw, path, root, shard, mode, secret, record)

    def check_root(self, root):
        try:
            st = os.stat(root)
        except FileNotFoundError:
            return _MODE_NORMAL  # created on the first write
        except OSError as exc:
            self.turn_off(root, "cannot access the cache directory (%s)" % exc)
            return _MODE_OFF
        if not stat.S_ISDIR(st.st_mode):
            self.turn_off(root, "it is not a directory")
            return _MODE_OFF
        reason = _unsafe_reason(st, "the cache directory")
        if reason is not None:
            self.turn_off(
                root,
                reason + "; entries are pickles, so reading them would run code that other "
                "users could plant (fix the permissions or use another directory)",
            )
            return _MODE_OFF
        return _MODE_NORMAL

    def read_open(self, fd, path, raw, secret):
        """Read and verify the entry open on ``fd`` (closed here).

        Return (_HIT, value), or (_MISS, None) to recompute and rewrite, or
        (_MISS, _MODE_NO_WRITE) when the entry must be left alone.
        """
        borrowed = None
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                reason = "the cache entry is not a regular file"
            else:
                reason = _unsafe_reason(st, "the cache entry")
            if reason is not None:
                self.count("errors")
                self.warn_once(
                    ("entry",),
                    "cacheable: not reading %s for %s: %s; computing without caching"
                    % (path, self.name, reason),
                )
                return _MISS, _MODE_NO_WRITE
            size = st.st_size
            if size <= _SMALL_ENTRY:
                head = _read_exact(fd, size)
                payload = memoryview(head)[_HEADER_SIZE:]
            else:
                # Large entry: read the header first. A raw bytes value is read into its
                # own bytes object, which is then returned as is; a pickle is read into
                # a reused per-thread buffer. Either way a hit makes one large
                # allocation (the result), not two: with two, the C allocator tends to
                # hand freed memory back to the system and fault it in again each call.
                head = _read_exact(fd, _HEADER_SIZE)
                if len(head) == _HEADER_SIZE and head[5] & _FLAG_RAW_BYTES:
                    payload = _read_exact(fd, size - _HEADER_SIZE)
                else:
                    payload, borrowed = _read_scratch(fd, size - _HEADER_SIZE)
        except OSError as exc:
            self.count("errors")
            _log.warning("cacheable: cannot read cache entry %s: %s", path, exc)
            return _MISS, None
        finally:
            os.close(fd)
        try:
            return self.decode(head, payload, path, raw, secret)
        finally:
            _return_scratch(borrowed)

    def decode(self, head, payload, path, raw, secret):
        """Verify an entry's bytes and unpickle it: (_HIT, value) or (_MISS, None)."""
        try:
            flags = _verify(head, payload, raw, secret)
        except _Corrupt as exc:
            self.count("errors")
            _log.warning(
                "cacheable: discarding cache entry %s for %s (%s); recomputing",
                path, self.name, exc,
            )
            return _MISS, None
        if flags & _FLAG_RAW_BYTES:
            return _HIT, payload if type(payload) is bytes else bytes(payload)
        try:
            value = pickle.loads(payload)
        except Exception as exc:
            self.count("errors")
            _log.warning(
                "cacheable: cannot unpickle cache entry %s for %s (%s: %s); recomputing",
                path, self.name, type(exc).__name__, exc,
            )
            return _MISS, None
        return _HIT, value

    def note_miss(self, record, payload, raw_bytes):
        """Record a finished miss for the run-time key check and warn when it fits.

        ``record`` maps each keyed parameter to a short digest of its encoding; ``payload``
        is what the miss would store (the pickle, or the bytes value itself), or None
        when the value could not be pickled. A parameter is reported when, over the last
        :data:`KEY_CHECK_WINDOW` misses, it took a new value every time, every other
        keyed parameter kept one set of values, and every one of those calls produced the
        same result.
        """
        if payload is None:
            result = object()  # unknown: equal to nothing, so this window cannot warn
        else:
            result = (raw_bytes, len(payload), zlib.crc32(payload))
        with self.lock:
            self.history.append((record, result))
            if len(self.history) < KEY_CHECK_WINDOW:
                return
            window = list(self.history)
        if len({r for _, r in window}) != 1:
            return  # the results differ: the arguments that changed were doing their job
        records = [r for r, _ in window]
        suspects = []
        for name in record:
            if name in self.warned_params:
                continue
            if any(name not in r for r in records):
                continue
            if len({r[name] for r in records}) != len(records):
                continue
            rests = {tuple(sorted((k, v) for k, v in r.items() if k != name)) for r in records}
            if len(rests) == 1 and next(iter(rests)):
                suspects.append(name)
        for name in suspects:
            with self.lock:
                if name in self.warned_params:
                    continue
                self.warned_params.add(name)
            warnings.warn(
                "%s: %r had a different value on each of the last %d misses while every "
                "other argument repeated and every call returned the same result: it "
                "looks per-call; exclude it (prefix it with _ or add it to ignore=)"
                % (self.name, name, len(window)),
                CacheKeyWarning,
                stacklevel=4,
            )

    def store(self, pending, value):
        """Pickle and write ``value`` for a miss, and feed the key check; never raises."""
        writing = pending.mode == _MODE_NORMAL
        record = pending.record
        if not writing and record is None:
            return
        if inspect.isawaitable(value):
            if writing:
                self.count("errors")
                self.warn_once(
                    ("awaitable",),
                    "cacheable: %s returned an awaitable, which is not cached; decorate "
                    "the 'async def' function itself" % self.name,
                    4,
                )
            return
        raw_bytes = type(value) is bytes
        if raw_bytes:
            payload = value
        else:
            try:
                payload = pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
            except Exception as exc:
                payload = None
                if writing:
                    self.count("errors")
                    level = logging.WARNING if self.first_time(("pickle",)) else logging.DEBUG
                    _log.log(
                        level,
                        "cacheable: %s returned a value that cannot be pickled (%s: %s); "
                        "it is returned but not cached",
                        self.name, type(exc).__name__, exc,
                    )
        if record is not None:
            self.note_miss(record, payload, raw_bytes)
        if not writing or payload is None:
            return
        try:
            self.write(pending, payload, raw_bytes)
        except OSError as exc:
            self.count("errors")
            self.write_failed(pending, exc)
        except Exception as exc:  # never let the cache break the caller
            self.count("errors")
            _log.warning("cacheable: cannot write cache entry for %s: %r", self.name, exc)
        else:
            self.count("writes")

    def write(self, pending, payload, raw_bytes):
        secret = pending.secret
        if secret is not None:
            flags = _FLAG_SIGNED
        elif len(payload) > FULL_CHECK_LIMIT:
            flags = _FLAG_SPOT_CHECK
        else:
            flags = 0
        if raw_bytes:
            flags |= _FLAG_RAW_BYTES
        head = _HEADER.pack(
            _MAGIC,
            _FORMAT_VERSION,
            flags,
            0,
            len(payload),
            pending.raw,
            bytes(32),
        )[:_SIGNED_PART]
        header = head + _checksum(head, payload, secret, flags)
        temp = "%s%s%s%s.%d.%s" % (
            pending.shard, os.sep, _TEMP_PREFIX, pending.key[:16], os.getpid(),
            os.urandom(6).hex(),
        )
        try:
            fd = os.open(temp, _WRITE_FLAGS, 0o600)
        except FileNotFoundError:
            self.make_dirs(pending)
            fd = os.open(temp, _WRITE_FLAGS, 0o600)
        try:
            try:
                _write_all(fd, header)
                _write_all(fd, payload)
            finally:
                os.close(fd)
            os.replace(temp, pending.path)
        except BaseException:
            try:
                os.unlink(temp)
            except OSError:
                pass
            raise
        now = time.monotonic()
        if now - self.last_sweep >= SWEEP_INTERVAL_SECONDS:
            self.last_sweep = now
            self.sweep(pending.root)

    def make_dirs(self, pending):
        root = pending.root
        parent = os.path.dirname(root)
        if parent and not os.path.isdir(parent):
            os.makedirs(parent, exist_ok=True)
        _mkdir_private(root)
        _mkdir_private(os.path.dirname(pending.shard))
        _mkdir_private(pending.shard)

    def write_failed(self, pending, exc):
        code = exc.errno
        if code in (errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOTDIR, errno.EEXIST):
            self.turn_off(pending.root, "cannot write there (%s)" % exc)
            return
        message = "cacheable: cannot write cache entry for %s in %s: %s" % (
            self.name, pending.root, exc,
        )
        if self.first_time(("write-errno", pending.root, code)):
            _log.warning("%s", message)
        else:
            _log.debug("%s", message)

    def sweep(self, root):
        """Remove this function's temporary files older than STALE_TEMP_SECONDS."""
        limit = time.time() - STALE_TEMP_SECONDS
        base = os.path.join(root, self.dir_name)
        try:
            shards = [e.path for e in os.scandir(base) if e.is_dir(follow_symlinks=False)]
        except OSError:
            return
        for shard in shards:
            try:
                entries = list(os.scandir(shard))
            except OSError:
                continue
            for entry in entries:
                if not entry.name.startswith(_TEMP_PREFIX):
                    continue
                try:
                    if entry.stat(follow_symlinks=False).st_mtime < limit:
                        os.unlink(entry.path)
                        _log.debug("cacheable: removed stale temporary file %s", entry.path)
                except OSError:
                    pass

    # ---- management -------------------------------------------------------------------

    def info(self):
        with self.lock:
            return CacheInfo(self.hits, self.misses, self.writes, self.errors)

    def clear(self):
        import shutil

        removed = 0
        try:
            root = self.root()
        except OSError:
            root = None
        if root is not None:
            base = os.path.join(root, self.dir_name)
            trash = os.path.join(root, ".trash.%s.%s" % (self.dir_name, os.urandom(6).hex()))
            try:
                os.rename(base, trash)  # atomic: no reader sees half-cleared entries
            except FileNotFoundError:
                trash = None
            except OSError as exc:
                _log.warning("cacheable: cannot clear %s: %s", base, exc)
                trash = None
            if trash is not None:
                for _dirpath, _dirs, files in os.walk(trash):
                    removed += sum(1 for f in files if f.endswith(_ENTRY_SUFFIX))
                shutil.rmtree(trash, ignore_errors=True)
        with self.lock:
            self.hits = self.misses = self.writes = self.errors = 0
            self.history.clear()
            self.off.clear()
        return removed

    def entry_path(self, args, kwargs):
        import pathlib

        key = self.key(args, kwargs)[0]
        return pathlib.Path(self.root(), self.dir_name, key[:2], key + _ENTRY_SUFFIX)


# --------------------------------------------------------------------------------------
# The decorator
# --------------------------------------------------------------------------------------


def cacheable(func=None, *, directory=None, ignore=(), version=None, secret=None):
    """Cache a function's results on disk, keyed on its (keyed) arguments.

    Use as ``@cacheable`` or ``@cacheable(directory=..., ignore=..., version=..., secret=...)``.

    Args:
        func: the function to wrap (``def`` or ``async def``); given only in the bare
            ``@cacheable`` form.
        directory: ``str`` or ``os.PathLike`` cache root, or ``None`` to use the
            ``CACHELINT_CACHE_DIR`` environment variable, else ``.cache/cachelint`` under
            the current directory. A relative path is taken relative to the current
            directory at call time; the root is resolved on every call.
        ignore: iterable of parameter names (or a single ``str``) left out of the key. The
            arguments are still passed to the function. Parameters whose name starts with
            ``_`` are always left out.
        version: any encodable value (``str``, ``int``, ...) mixed into every key; change
            it when the function's behaviour changes to stop using old entries.
        secret: ``str`` or ``bytes``; when given (or when ``CACHELINT_CACHE_SECRET`` is
            set) entries are signed with HMAC-SHA256 and entries that do not verify are
            never unpickled.

    Returns:
        The wrapper (or, without ``func``, a decorator producing it). The wrapper has
        ``cache_info()``, ``cache_clear()``, ``cache_key(*args, **kwargs)``,
        ``cache_path(*args, **kwargs)`` and ``__wrapped__``.

    Raises:
        TypeError: at decoration, for a generator or async generator function, a lambda,
            a non-callable, an unencodable ``version``, or a ``secret`` that is not str
            or bytes. At call time, when a keyed argument cannot be encoded (the message
            names the parameter and the type), or when the arguments do not match the
            signature (as the function itself would).
        ValueError: at decoration, when ``ignore`` names a parameter the function lacks.

    Warns:
        CacheKeyWarning: at call time, once per parameter, when the last misses look
            like a per-call argument in the key: one keyed argument new every time, the
            others repeating, and the same result each time (see the class).
        CacheStorageWarning: once per cause, when the cache directory cannot be used or
            an entry may not be trusted; the function then runs uncached.

    Storage problems never raise: see the module documentation.
    """
    if isinstance(ignore, str):
        ignore = (ignore,)
    ignore = tuple(ignore)
    for name in ignore:
        if not isinstance(name, str):
            raise TypeError("cacheable: ignore= must hold parameter names (str), got %r" % (name,))

    def decorate(function):
        _load_runtime()
        if not callable(function):
            raise TypeError("cacheable: expected a function, got %s" % _type_name(type(function)))
        if inspect.isgeneratorfunction(function) or inspect.isasyncgenfunction(function):
            raise TypeError(
                "cacheable: %s is a generator function; caching it would store an exhausted "
                "generator. Return a list (or another value) instead"
                % getattr(function, "__qualname__", function)
            )
        cache = _Cache(function, directory, ignore, version, secret)
        lookup = cache.lookup
        store = cache.store

        if inspect.iscoroutinefunction(function):

            @functools.wraps(function)
            async def wrapper(*args, **kwargs):
                hit, found = lookup(args, kwargs)
                if hit:
                    return found
                value = await function(*args, **kwargs)
                store(found, value)
                return value

        else:

            @functools.wraps(function)
            def wrapper(*args, **kwargs):
                hit, found = lookup(args, kwargs)
                if hit:
                    return found
                value = function(*args, **kwargs)
                store(found, value)
                return value

        def cache_info():
            """Return ``CacheInfo(hits, misses, writes, errors)`` (counts, ints) for this function.

            Counts cover this process since decoration or the last ``cache_clear()``.
            """
            return cache.info()

        def cache_clear():
            """Delete this function's entries (every version) and reset its statistics.

            Returns the number of entries removed (int). Never raises for storage problems.
            """
            return cache.clear()

        def cache_key(*args, **kwargs):
            """Return the hex sha256 key (str, 64 chars) for these arguments; calls nothing.

            Raises TypeError like a call would (unencodable argument, bad signature).
            """
            return cache.key(args, kwargs)[0]

        def cache_path(*args, **kwargs):
            """Return the ``pathlib.Path`` where the entry for these arguments lives.

            The file may not exist. Raises like ``cache_key``, and ``OSError`` when the
            current directory is needed and has been removed.
            """
            return cache.entry_path(args, kwargs)

        wrapper.cache_info = cache_info
        wrapper.cache_clear = cache_clear
        wrapper.cache_key = cache_key
        wrapper.cache_path = cache_path
        return wrapper

    if func is None:
        return decorate
    return decorate(func)

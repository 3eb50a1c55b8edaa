"""cachelint.cacheable: what lands on disk and how damaged or unusable storage is handled."""
import datetime
import decimal
import errno
import hashlib
import importlib
import logging
import os
import stat
import threading
import time
import unittest.mock

import pytest

from cachelint import cacheable
from cachelint.cacheable import CacheStorageWarning
from cachelint.testing import assert_cache_calls

impl = importlib.import_module("cachelint.cacheable")


def entry_files(root):
    return sorted(p for p in root.rglob("*.pkl"))


# --- the job-id scenario -------------------------------------------------------------------


@cacheable
def render_image(mode, name, style, colors, source_hash, _source_bytes, _client):
    """Expensive: asks the rendering service. Keyed on what determines the image only."""
    return _client.render(mode=mode, name=name, style=style, colors=colors, source=_source_bytes)


def publish(job_id, jobs_root, mode, name, style, colors, source_bytes, client):
    """Public entry point: renders (cached) and writes the result into the job's folder."""
    image = render_image(
        mode,
        name,
        style,
        colors,
        hashlib.sha256(source_bytes).hexdigest(),
        _source_bytes=source_bytes,
        _client=client,
    )
    out = jobs_root / job_id / ("%s.%s" % (name, mode))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(image)
    return out


def test_two_jobs_with_identical_inputs_call_the_client_once(cachelint_cache_dir, tmp_path):
    client = unittest.mock.Mock()
    client.render.return_value = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    source = b"<svg>logo</svg>"
    jobs = tmp_path / "jobs"
    with assert_cache_calls(render_image, hits=1, misses=1, writes=1, errors=0):
        first = publish("job-1", jobs, "png", "logo", "flat", ("#fff", "#000"), source, client)
        second = publish("job-2", jobs, "png", "logo", "flat", ("#fff", "#000"), source, client)
    assert client.render.call_count == 1
    assert first != second
    assert first.parent.name == "job-1" and second.parent.name == "job-2"
    assert first.read_bytes() == second.read_bytes() == client.render.return_value

    # Different source content is a different render.
    with assert_cache_calls(render_image, hits=0, misses=1):
        publish("job-3", jobs, "png", "logo", "flat", ("#fff", "#000"), b"<svg/>", client)
    assert client.render.call_count == 2


# --- layout and modes ---------------------------------------------------------------------


def test_entry_layout_and_permissions(cachelint_cache_dir):
    @cacheable
    def f(a):
        return a

    f(7)
    path = f.cache_path(7)
    assert path.is_file()
    key = f.cache_key(7)
    assert path.name == key + ".pkl"
    assert path.parent.name == key[:2]
    assert path.parent.parent.parent == cachelint_cache_dir
    assert "f" in path.parent.parent.name
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
        assert stat.S_IMODE(path.parent.parent.stat().st_mode) == 0o700


def test_directory_resolution_order(tmp_path, monkeypatch):
    monkeypatch.delenv("CACHELINT_CACHE_DIR", raising=False)
    monkeypatch.chdir(tmp_path)

    @cacheable
    def f(a):
        return a

    f(1)
    assert entry_files(tmp_path / ".cache" / "cachelint")
    if os.name == "posix":
        assert stat.S_IMODE((tmp_path / ".cache" / "cachelint").stat().st_mode) == 0o700

    env_dir = tmp_path / "from-env"
    monkeypatch.setenv("CACHELINT_CACHE_DIR", str(env_dir))
    f(2)  # resolved at call time
    assert len(entry_files(env_dir)) == 1

    explicit = cacheable(directory=tmp_path / "explicit")(lambda_free_identity)
    explicit(3)
    assert len(entry_files(tmp_path / "explicit")) == 1

    relative = cacheable(directory="rel")(lambda_free_identity)
    relative(4)
    assert len(entry_files(tmp_path / "rel")) == 1


def lambda_free_identity(a):
    return a


# --- round trips --------------------------------------------------------------------------


def make_value(n):
    return {
        "bytes": bytes(range(256)) * n,
        "tuple": (1, "two", 3.0, None, (True,)),
        "list": [1, [2, (3,)]],
        "set": {1, 2, 3},
        "frozenset": frozenset({"a", "b"}),
        "when": datetime.datetime(2024, 5, 1, 12, 30, tzinfo=datetime.timezone.utc),
        "naive": datetime.datetime(2024, 5, 1, 12, 30, 0, 123456),
        "amount": decimal.Decimal("12.50"),
        "nested": {"a": {"b": {"c": [b"\x00\xff", -0.0]}}},
    }


def assert_identical(a, b):
    assert type(a) is type(b), (a, b)
    if isinstance(a, dict):
        assert list(a) == list(b)
        for k in a:
            assert_identical(a[k], b[k])
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            assert_identical(x, y)
    elif isinstance(a, float):
        assert a.hex() == b.hex()
    else:
        assert a == b


def produce(kind, n):
    produce.calls += 1
    if kind == "bytes":
        return bytes(range(256)) * n
    return make_value(n)


@pytest.mark.parametrize("kind", ["bytes", "mixed"])
@pytest.mark.parametrize("n", [1, 2000])  # 256 B and 512 kB: both read strategies
def test_values_round_trip_exactly_from_disk(cachelint_cache_dir, kind, n):
    produce.calls = 0
    writer = cacheable(produce)
    original = writer(kind, n)
    # A fresh decorator instance has no in-memory state: the hit is read from the file.
    reader = cacheable(produce)
    again = reader(kind, n)
    assert produce.calls == 1
    assert reader.cache_info() == (1, 0, 0, 0)
    assert again is not original
    assert_identical(original, again)


class Blob(bytes):
    pass


def test_bytes_subclass_and_bytearray_keep_their_type(cachelint_cache_dir):
    def make(kind):
        return {"blob": Blob(b"x"), "array": bytearray(b"y")}[kind]

    for kind in ("blob", "array"):
        expected = cacheable(make)(kind)
        got = cacheable(make)(kind)
        assert type(got) is type(expected) and got == expected


# --- damaged entries ----------------------------------------------------------------------


def counted(results):
    def compute(a):
        results.append(a)
        return {"a": a, "payload": "x" * 100}

    return compute


def damage_and_reread(root, damage, caplog):
    calls = []
    compute = counted(calls)
    cacheable(compute)(1)
    path = entry_files(root)[0]
    good = path.read_bytes()
    damage(path, good)
    reader = cacheable(compute)
    with caplog.at_level(logging.WARNING, logger="cachelint.cacheable"):
        assert reader(1) == {"a": 1, "payload": "x" * 100}
    assert calls == [1, 1]  # recomputed
    assert reader.cache_info() == (0, 1, 1, 1)  # one error, rewritten
    assert path.read_bytes() == good  # the entry is whole again
    assert any("recomput" in r.getMessage() for r in caplog.records)
    assert cacheable(compute)(1) == {"a": 1, "payload": "x" * 100}
    assert calls == [1, 1]


def test_truncated_entry_is_recomputed_counted_and_rewritten(cachelint_cache_dir, caplog):
    damage_and_reread(cachelint_cache_dir, lambda p, good: p.write_bytes(good[:-7]), caplog)


def test_entry_truncated_inside_header_is_recomputed(cachelint_cache_dir, caplog):
    damage_and_reread(cachelint_cache_dir, lambda p, good: p.write_bytes(good[:30]), caplog)


def test_empty_entry_is_recomputed(cachelint_cache_dir, caplog):
    damage_and_reread(cachelint_cache_dir, lambda p, good: p.write_bytes(b""), caplog)


def test_corrupted_payload_is_recomputed_counted_and_rewritten(cachelint_cache_dir, caplog):
    def flip(path, good):
        data = bytearray(good)
        data[-5] ^= 0x40  # inside the pickle, length unchanged
        path.write_bytes(bytes(data))

    damage_and_reread(cachelint_cache_dir, flip, caplog)


def test_corrupted_header_is_recomputed(cachelint_cache_dir, caplog):
    def bad_magic(path, good):
        path.write_bytes(b"XXXX" + good[4:])

    damage_and_reread(cachelint_cache_dir, bad_magic, caplog)


# Large unsigned entries carry a spot check (header, both 4 KiB ends, one byte in 509);
# these damages are what a crash without fsync or a cut-short copy leaves behind.


def large_raw(seed):
    large_raw.calls += 1
    return hashlib.sha256(b"%d" % seed).digest() * 32768  # 1 MiB of bytes, stored as is


def large_pickled(seed):
    large_pickled.calls += 1
    return {"seed": seed, "blob": hashlib.sha256(b"%d" % seed).digest() * 8192}  # 256 kB


def _zero_tail(data):
    return data[:-8192] + bytes(8192)


def _zero_middle_block(data):
    start = (len(data) // 2) // 4096 * 4096
    return data[:start] + bytes(4096) + data[start + 4096:]


def _foreign_middle_block(data):
    start = (len(data) // 3) // 4096 * 4096
    return data[:start] + hashlib.sha512(b"other").digest() * 64 + data[start + 4096:]


def _cut_short(data):
    return data[: len(data) - 100_000]


def _padded(data):
    return data + bytes(4096)


def _flip_flags(data):
    return data[:5] + bytes([data[5] & ~4]) + data[6:]  # claims a full CRC


@pytest.mark.parametrize("function", [large_raw, large_pickled], ids=["raw", "pickled"])
@pytest.mark.parametrize(
    "damage",
    [_zero_tail, _zero_middle_block, _foreign_middle_block, _cut_short, _padded, _flip_flags],
)
def test_damaged_large_entry_is_detected(cachelint_cache_dir, caplog, function, damage):
    function.calls = 0
    writer = cacheable(function)
    expected = writer(5)
    path = writer.cache_path(5)
    good = path.read_bytes()
    assert good[5] & 4, "large unsigned entries use the spot check"
    path.write_bytes(damage(good))
    reader = cacheable(function)
    with caplog.at_level(logging.WARNING, logger="cachelint.cacheable"):
        assert reader(5) == expected
    assert function.calls == 2
    assert reader.cache_info() == (0, 1, 1, 1)
    assert path.read_bytes() == good


def test_small_entries_keep_a_full_crc(cachelint_cache_dir):
    @cacheable
    def f(n):
        return bytes(n)

    f(impl.FULL_CHECK_LIMIT)
    f(impl.FULL_CHECK_LIMIT + 1)
    assert f.cache_path(impl.FULL_CHECK_LIMIT).read_bytes()[5] == 2  # raw bytes, full CRC
    assert f.cache_path(impl.FULL_CHECK_LIMIT + 1).read_bytes()[5] == 2 | 4


def test_large_entry_with_a_full_crc_is_still_accepted(cachelint_cache_dir):
    # Entries written before the spot check existed (flag bit 2 clear) verify in full.
    import struct
    import zlib

    large_raw.calls = 0
    f = cacheable(large_raw)
    value = f(9)
    path = f.cache_path(9)
    head = struct.pack(">4sBBHQ32s", b"CLKC", 1, 2, 0, len(value), bytes.fromhex(f.cache_key(9)))
    check = (zlib.crc32(head + value) & 0xFFFFFFFF).to_bytes(4, "big") + bytes(28)
    path.write_bytes(head + check + value)
    reader = cacheable(large_raw)
    assert reader(9) == value
    assert reader.cache_info().hits == 1 and large_raw.calls == 1


def test_entry_moved_to_another_key_is_not_served(cachelint_cache_dir, caplog):
    calls = []
    compute = counted(calls)
    f = cacheable(compute)
    f(1)
    f(2)
    # Put 1's entry where 2's belongs: the header names the key, so it is refused.
    f.cache_path(1).replace(f.cache_path(2))
    with caplog.at_level(logging.WARNING, logger="cachelint.cacheable"):
        assert cacheable(compute)(2)["a"] == 2
    assert calls == [1, 2, 2]
    assert any("another key" in r.getMessage() for r in caplog.records)


def test_unpicklable_return_value_is_returned_counted_and_not_stored(cachelint_cache_dir, caplog):
    lock = threading.Lock()

    @cacheable
    def make_lock(name):
        return lock

    with caplog.at_level(logging.WARNING, logger="cachelint.cacheable"):
        assert make_lock("x") is lock
        assert make_lock("x") is lock
    assert make_lock.cache_info() == (0, 2, 0, 2)
    assert entry_files(cachelint_cache_dir) == []
    warnings_logged = [r for r in caplog.records if "cannot be pickled" in r.getMessage()]
    assert len(warnings_logged) == 1  # logged once at WARNING, then quietly


# --- unusable directories -----------------------------------------------------------------


def test_uncreatable_directory_degrades_to_no_caching_with_one_warning(tmp_path, recwarn):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    calls = []

    @cacheable(directory=blocker / "cache")
    def f(a):
        calls.append(a)
        return a * 2

    assert [f(1), f(1), f(2)] == [2, 2, 4]
    assert calls == [1, 1, 2]
    storage = [w for w in recwarn.list if issubclass(w.category, CacheStorageWarning)]
    assert len(storage) == 1
    assert "caching is off" in str(storage[0].message)
    assert f.cache_info().hits == 0


def _deny_writes_under(monkeypatch, root):
    """Make creating files and directories under ``root`` fail with EACCES, as on a
    read-only directory (used when running as root, which ignores permission bits)."""
    real_open, real_mkdir = os.open, os.mkdir
    prefix = os.fspath(root)

    def fake_open(path, flags, *args, **kwargs):
        if os.fspath(path).startswith(prefix) and flags & os.O_CREAT:
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))
        return real_open(path, flags, *args, **kwargs)

    def fake_mkdir(path, *args, **kwargs):
        if os.fspath(path).startswith(prefix):
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))
        return real_mkdir(path, *args, **kwargs)

    monkeypatch.setattr(impl.os, "open", fake_open)
    monkeypatch.setattr(impl.os, "mkdir", fake_mkdir)


def read_only_scenario(root, recwarn):
    calls = []

    @cacheable(directory=root)
    def f(a):
        calls.append(a)
        return [a]

    assert f(1) == [1]
    assert f(1) == [1]
    assert f(2) == [2]
    assert calls == [1, 1, 2]
    storage = [w for w in recwarn.list if issubclass(w.category, CacheStorageWarning)]
    assert len(storage) == 1, [str(w.message) for w in storage]
    assert f.cache_info().errors == 1
    return f


def test_read_only_directory_returns_values_and_warns_once(tmp_path, monkeypatch, recwarn):
    root = tmp_path / "ro"
    root.mkdir(mode=0o700)
    if os.name == "posix" and os.geteuid() == 0:
        _deny_writes_under(monkeypatch, root)
    else:
        root.chmod(0o500)
    try:
        read_only_scenario(root, recwarn)
    finally:
        root.chmod(0o700)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs real permissions")
def test_read_only_directory_with_real_permissions(tmp_path, recwarn):
    root = tmp_path / "ro"
    root.mkdir(mode=0o500)
    try:
        read_only_scenario(root, recwarn)
    finally:
        root.chmod(0o700)


def test_read_only_directory_still_serves_existing_entries(tmp_path, monkeypatch, recwarn):
    root = tmp_path / "cache"

    def f(a):
        f.calls += 1
        return a

    f.calls = 0
    cacheable(directory=root)(f)(1)
    _deny_writes_under(monkeypatch, root)
    reader = cacheable(directory=root)(f)
    assert reader(1) == 1
    assert reader(2) == 2
    assert f.calls == 2
    assert reader.cache_info().hits == 1


def test_disk_full_is_counted_and_logged_once(cachelint_cache_dir, monkeypatch, caplog):
    real_write_all = impl._write_all

    def full(fd, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(impl, "_write_all", full)

    @cacheable
    def f(a):
        return a + 1

    with caplog.at_level(logging.WARNING, logger="cachelint.cacheable"):
        assert f(1) == 2
        assert f(2) == 3
    assert f.cache_info() == (0, 2, 0, 2)
    logged = [r for r in caplog.records if "No space" in r.getMessage()]
    assert len(logged) == 1
    leftovers = [p for p in cachelint_cache_dir.rglob("*") if p.is_file()]
    assert leftovers == []  # temporary files are removed on failure
    monkeypatch.setattr(impl, "_write_all", real_write_all)
    assert f(3) == 4
    assert f.cache_info().writes == 1  # space is back: caching resumes


class FailingWrites:
    """Make ``os.write`` fail on the cache's temporary files only (other fds untouched).

    ``after`` bytes of each temporary file are written for real before the failure, to
    leave a partly written file behind the way a disk that fills up mid-entry does.
    """

    def __init__(self, monkeypatch, code, after=0):
        self.code, self.after = code, after
        self.real_open, self.real_write = os.open, os.write
        self.fds = {}  # fd of a temporary file -> bytes written so far
        self.failures = 0
        monkeypatch.setattr(impl.os, "open", self.open)
        monkeypatch.setattr(impl.os, "write", self.write)

    def open(self, path, flags, *args, **kwargs):
        fd = self.real_open(path, flags, *args, **kwargs)
        if os.path.basename(os.fspath(path)).startswith(".tmp."):
            self.fds[fd] = 0
        else:
            self.fds.pop(fd, None)  # a recycled descriptor number
        return fd

    def write(self, fd, data):
        if fd not in self.fds:
            return self.real_write(fd, data)
        room = self.after - self.fds[fd]
        if room <= 0:
            self.failures += 1
            raise OSError(self.code, os.strerror(self.code))
        written = self.real_write(fd, memoryview(data)[:room])
        self.fds[fd] += written
        return written


def temporary_files(root):
    return [p for p in root.rglob(".tmp.*")]


@pytest.mark.parametrize("after", [0, 5000], ids=["nothing-written", "part-written"])
def test_out_of_space_while_writing(cachelint_cache_dir, monkeypatch, caplog, recwarn, after):
    failing = FailingWrites(monkeypatch, errno.ENOSPC, after=after)
    calls = []

    @cacheable
    def f(a):
        calls.append(a)
        return {"a": a, "blob": b"x" * 20_000}

    with caplog.at_level(logging.DEBUG, logger="cachelint.cacheable"):
        for a in (1, 2, 3, 1):
            assert f(a) == {"a": a, "blob": b"x" * 20_000}  # the caller gets its value
    assert calls == [1, 2, 3, 1]
    assert failing.failures == 4
    assert f.cache_info() == (0, 4, 0, 4)  # every failed write is an error
    warned = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warned) == 1 and "No space left" in warned[0].getMessage()
    assert len([r for r in caplog.records if "No space left" in r.getMessage()]) == 4
    assert not [w for w in recwarn.list if issubclass(w.category, CacheStorageWarning)]
    assert temporary_files(cachelint_cache_dir) == []  # removed after each failure
    assert entry_files(cachelint_cache_dir) == []

    monkeypatch.setattr(impl.os, "write", failing.real_write)  # space is back
    assert f(4)["a"] == 4
    assert f(4)["a"] == 4
    assert f.cache_info() == (1, 5, 1, 4)


def test_permission_denied_while_writing(cachelint_cache_dir, monkeypatch, caplog, recwarn):
    failing = FailingWrites(monkeypatch, errno.EACCES)
    calls = []

    @cacheable
    def f(a):
        calls.append(a)
        return [a]

    with caplog.at_level(logging.WARNING, logger="cachelint.cacheable"):
        for a in (1, 2, 1, 3):
            assert f(a) == [a]
    assert calls == [1, 2, 1, 3]
    # The first failure counts an error and turns caching off for this directory, so
    # later calls just run the function: nothing more to count or log.
    assert failing.failures == 1
    assert f.cache_info() == (0, 4, 0, 1)
    logged = [r for r in caplog.records if "Permission denied" in r.getMessage()]
    assert len(logged) == 1 and "caching is off" in logged[0].getMessage()
    storage = [w for w in recwarn.list if issubclass(w.category, CacheStorageWarning)]
    assert len(storage) == 1
    assert temporary_files(cachelint_cache_dir) == []


# --- housekeeping -------------------------------------------------------------------------


def test_stale_temporary_files_are_swept_by_a_later_write(cachelint_cache_dir):
    def f(a):
        return a

    cacheable(f)(1)
    shard = cacheable(f).cache_path(1).parent
    old = shard / ".tmp.deadbeef.1.abc"
    fresh = shard / ".tmp.deadbeef.2.def"
    old.write_bytes(b"partial")
    fresh.write_bytes(b"in progress")
    hour_ago = time.time() - 3600
    os.utime(old, (hour_ago, hour_ago))
    cacheable(f)(2)  # a new instance writes, and sweeps
    assert not old.exists()
    assert fresh.exists()


def test_cache_clear_removes_only_this_functions_entries(cachelint_cache_dir):
    def f(a):
        return a

    def g(a):
        return a

    cf, cg = cacheable(f), cacheable(g)
    for i in range(5):
        cf(i)
        cg(i)
    assert len(entry_files(cachelint_cache_dir)) == 10
    assert cf.cache_clear() == 5
    assert cf.cache_info() == (0, 0, 0, 0)
    remaining = entry_files(cachelint_cache_dir)
    assert len(remaining) == 5
    assert all(cg.cache_path(0).parent.parent in p.parents for p in remaining)
    cg(0)
    assert cg.cache_info().hits == 1
    cf(0)
    assert cf.cache_info() == (0, 1, 1, 0)
    assert cacheable(f).cache_clear() == 1
    assert cacheable(f).cache_clear() == 0


def test_threads_share_entries_without_wrong_values(cachelint_cache_dir):
    def compute(k):
        time.sleep(0.001)
        return (k, bytes([k]) * 50_000)

    f = cacheable(compute)
    wrong = []

    def worker(seed):
        for i in range(60):
            k = (seed * 7 + i) % 10
            if f(k) != (k, bytes([k]) * 50_000):
                wrong.append(k)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert wrong == []
    info = f.cache_info()
    assert info.hits + info.misses == 360
    assert info.errors == 0
    assert info.hits > 0


@cacheable
def inner_blob(n):
    return [bytes([n]) * 150_000]  # pickled (not raw bytes), above the one-read size


class Reentrant:
    """Unpickling it reads another entry: the reader must not share its buffer."""

    def __init__(self, n):
        self.n = n

    def __setstate__(self, state):
        self.__dict__.update(state)
        self.inner = inner_blob(self.n)


def outer_value(n):
    return [Reentrant(n), bytes([n + 1]) * 200_000]


def test_entry_read_while_unpickling_another_entry(cachelint_cache_dir):
    writer = cacheable(outer_value)
    writer(3)
    inner_blob(3)
    for _ in range(3):  # the first read leaves a buffer behind for the next ones
        got = cacheable(outer_value)(3)
        assert got[1] == bytes([4]) * 200_000
        assert got[0].inner == [bytes([3]) * 150_000]

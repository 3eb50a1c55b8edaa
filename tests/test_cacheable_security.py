"""cachelint.cacheable: entries are pickles, so untrusted ones must never be unpickled."""
import hmac
import logging
import os
import pathlib
import pickle
import struct
import zlib

import pytest

from cachelint import cacheable
from cachelint.cacheable import CacheStorageWarning

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")


class Planted:
    """Unpickling this creates ``marker``: stands in for an attacker's payload."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (pathlib.Path.touch, (pathlib.Path(self.marker),))


def build_entry(key_hex, payload, secret=None, forge_signature=False):
    """An entry laid out as documented in cachelint/cacheable.py (written independently)."""
    flags = 1 if (secret is not None or forge_signature) else 0
    head = struct.pack(">4sBBHQ32s", b"CLKC", 1, flags, 0, len(payload), bytes.fromhex(key_hex))
    if forge_signature:
        check = os.urandom(32)
    elif secret is not None:
        check = hmac.new(secret, head + payload, "sha256").digest()
    else:
        check = (zlib.crc32(head + payload) & 0xFFFFFFFF).to_bytes(4, "big") + bytes(28)
    return head + check + payload


def victim(a):
    victim.calls += 1
    return "honest %s" % a


def storage_warnings(record):
    return [w for w in record if issubclass(w.category, CacheStorageWarning)]


def test_the_documented_format_is_what_the_reader_accepts(cachelint_cache_dir):
    f = cacheable(victim)
    victim.calls = 0
    path = f.cache_path(1)
    path.parent.mkdir(parents=True, mode=0o700)
    path.write_bytes(build_entry(f.cache_key(1), pickle.dumps("planted by test")))
    path.chmod(0o600)
    assert f(1) == "planted by test"
    assert victim.calls == 0


def test_planted_pickle_runs_when_unsigned_which_is_why_secrets_exist(
    cachelint_cache_dir, tmp_path
):
    # Proves the forged entry below is well formed and would execute if it were loaded.
    marker = tmp_path / "pwned-unsigned"
    f = cacheable(victim)
    path = f.cache_path(1)
    path.parent.mkdir(parents=True, mode=0o700)
    path.write_bytes(build_entry(f.cache_key(1), pickle.dumps(Planted(marker))))
    path.chmod(0o600)
    f(1)
    assert marker.exists()


@pytest.mark.parametrize("how", ["unsigned", "wrong-signature", "other-secret"])
def test_forged_entry_is_never_unpickled_with_a_secret(
    cachelint_cache_dir, tmp_path, caplog, how
):
    secret = b"correct horse battery staple"
    marker = tmp_path / ("pwned-" + how)
    victim.calls = 0
    f = cacheable(secret=secret)(victim)
    path = f.cache_path(1)
    path.parent.mkdir(parents=True, mode=0o700)
    payload = pickle.dumps(Planted(marker))
    if how == "unsigned":
        data = build_entry(f.cache_key(1), payload)
    elif how == "wrong-signature":
        data = build_entry(f.cache_key(1), payload, forge_signature=True)
    else:
        data = build_entry(f.cache_key(1), payload, secret=b"the attacker's own key")
    path.write_bytes(data)
    path.chmod(0o600)
    with caplog.at_level(logging.WARNING, logger="cachelint.cacheable"):
        assert f(1) == "honest 1"
    assert not marker.exists()
    assert victim.calls == 1
    assert f.cache_info() == (0, 1, 1, 1)
    # The entry was replaced by a properly signed one.
    assert cacheable(secret=secret)(victim)(1) == "honest 1"
    assert victim.calls == 1


def test_signed_entries_round_trip_and_tampering_is_detected(cachelint_cache_dir, monkeypatch):
    monkeypatch.setenv("CACHELINT_CACHE_SECRET", "s3cret")
    victim.calls = 0
    f = cacheable(victim)
    assert f(2) == "honest 2"
    assert cacheable(victim)(2) == "honest 2"
    assert victim.calls == 1
    path = f.cache_path(2)
    data = bytearray(path.read_bytes())
    data[-3] ^= 1
    path.write_bytes(bytes(data))
    g = cacheable(victim)
    assert g(2) == "honest 2"
    assert g.cache_info().errors == 1
    # Reading with another secret fails verification too.
    monkeypatch.setenv("CACHELINT_CACHE_SECRET", "other")
    h = cacheable(victim)
    assert h(2) == "honest 2"
    assert h.cache_info().errors == 1
    assert victim.calls == 3


@posix_only
@pytest.mark.parametrize("mode", [0o770, 0o707])
def test_group_or_world_writable_directory_is_refused(tmp_path, recwarn, mode):
    root = tmp_path / "shared"
    marker = tmp_path / "pwned-dir"
    victim.calls = 0
    f = cacheable(directory=root)(victim)
    assert f(1) == "honest 1"
    path = f.cache_path(1)
    path.write_bytes(build_entry(f.cache_key(1), pickle.dumps(Planted(marker))))
    root.chmod(mode)
    try:
        g = cacheable(directory=root)(victim)
        assert g(1) == "honest 1"
        assert g(1) == "honest 1"
    finally:
        root.chmod(0o700)
    assert not marker.exists()
    assert victim.calls == 3  # computed every time, nothing read
    assert g.cache_info().hits == 0 and g.cache_info().writes == 0
    found = storage_warnings(recwarn.list)
    assert len(found) == 1
    assert "writable by group or others" in str(found[0].message)


@posix_only
def test_group_writable_entry_is_refused(cachelint_cache_dir, recwarn):
    victim.calls = 0
    f = cacheable(victim)
    f(1)
    path = f.cache_path(1)
    path.chmod(0o660)
    g = cacheable(victim)
    assert g(1) == "honest 1"
    assert victim.calls == 2
    assert g.cache_info().errors == 1
    assert len(storage_warnings(recwarn.list)) == 1


@posix_only
@pytest.mark.skipif(os.name == "posix" and os.geteuid() != 0, reason="chown needs root")
def test_entry_owned_by_another_user_is_refused(cachelint_cache_dir, tmp_path, recwarn):
    marker = tmp_path / "pwned-owner"
    victim.calls = 0
    f = cacheable(victim)
    path = f.cache_path(1)
    path.parent.mkdir(parents=True, mode=0o700)
    path.write_bytes(build_entry(f.cache_key(1), pickle.dumps(Planted(marker))))
    path.chmod(0o600)
    os.chown(path, 4242, -1)
    assert f(1) == "honest 1"
    assert not marker.exists()
    found = storage_warnings(recwarn.list)
    assert len(found) == 1 and "owned by uid 4242" in str(found[0].message)


@posix_only
@pytest.mark.skipif(os.name == "posix" and os.geteuid() != 0, reason="chown needs root")
def test_directory_owned_by_another_user_is_refused(tmp_path, recwarn):
    root = tmp_path / "theirs"
    root.mkdir(mode=0o700)
    os.chown(root, 4242, -1)
    victim.calls = 0
    f = cacheable(directory=root)(victim)
    assert f(1) == f(1) == "honest 1"
    assert victim.calls == 2
    assert len(storage_warnings(recwarn.list)) == 1


@posix_only
def test_symlinked_entry_is_not_followed(cachelint_cache_dir, tmp_path):
    marker = tmp_path / "pwned-link"
    elsewhere = tmp_path / "elsewhere.pkl"
    victim.calls = 0
    f = cacheable(victim)
    f(1)
    path = f.cache_path(1)
    elsewhere.write_bytes(build_entry(f.cache_key(1), pickle.dumps(Planted(marker))))
    elsewhere.chmod(0o600)
    path.unlink()
    path.symlink_to(elsewhere)
    g = cacheable(victim)
    assert g(1) == "honest 1"
    assert not marker.exists()
    assert not path.is_symlink()  # replaced by a real entry

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


def build_entry(key_hex, payload, secret=None, forge_signature=False, extra_flags=0):
    """An entry laid out as documented in cachelint/cacheable.py (written independently).

    ``extra_flags`` 2 marks a raw bytes payload, 4 a spot check (the CRC then covers the
    payload's first and last 4 KiB and one byte in 509 in between).
    """
    flags = (1 if (secret is not None or forge_signature) else 0) | extra_flags
    head = struct.pack(">4sBBHQ32s", b"CLKC", 1, flags, 0, len(payload), bytes.fromhex(key_hex))
    if forge_signature:
        check = os.urandom(32)
    elif secret is not None:
        check = hmac.new(secret, head + payload, "sha256").digest()
    elif extra_flags & 4:
        crc = zlib.crc32(head)
        for part in (payload[:4096], payload[4096:-4096:509], payload[-4096:]):
            crc = zlib.crc32(part, crc)
        check = (crc & 0xFFFFFFFF).to_bytes(4, "big") + bytes(28)
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


def test_the_documented_spot_check_is_what_the_reader_accepts(cachelint_cache_dir):
    f = cacheable(victim)
    victim.calls = 0
    value = {"planted": "by test", "blob": os.urandom(300_000)}
    path = f.cache_path(1)
    path.parent.mkdir(parents=True, mode=0o700)
    path.write_bytes(build_entry(f.cache_key(1), pickle.dumps(value), extra_flags=4))
    path.chmod(0o600)
    assert f(1) == value
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


# --- every kind of forged entry, counted --------------------------------------------------

FORGED_KEYS = range(5)
SECRET = b"the real secret"


def _forge(kind, key_hex, marker):
    """Bytes of a forged entry of ``kind`` whose unpickling would create ``marker``."""
    planted = pickle.dumps(Planted(marker))
    padded = pickle.dumps([Planted(marker), bytes(200_000)])  # large: spot-check size
    if kind == "random-signature":
        return build_entry(key_hex, planted, forge_signature=True)
    if kind == "signed-with-another-secret":
        return build_entry(key_hex, planted, secret=b"the attacker's secret")
    if kind == "unsigned-valid-crc":
        return build_entry(key_hex, planted)
    if kind == "unsigned-valid-spot-check":
        return build_entry(key_hex, padded, extra_flags=4)
    if kind == "signed-claiming-spot-check":
        return build_entry(key_hex, padded, secret=b"the attacker's secret", extra_flags=4)
    if kind == "signed-claiming-raw-bytes":
        return build_entry(key_hex, planted, secret=b"the attacker's secret", extra_flags=2)
    if kind == "valid-crc":
        return build_entry(key_hex, planted)
    raise AssertionError(kind)


def _plant(f, k, data, mode=0o600):
    path = f.cache_path(k)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.write_bytes(data)
    path.chmod(mode)
    return path


def _rejected(f, k):
    """Call f(k) once: True when the honest function ran and its value came back."""
    before = victim.calls
    return f(k) == "honest %s" % k and victim.calls == before + 1


def test_forged_entries_are_all_rejected_and_never_unpickled(tmp_path, recwarn):
    markers = tmp_path / "markers"
    markers.mkdir()
    victim.calls = 0
    forged = rejected = 0

    # Control: the same kind of forgery in a private directory without a secret is
    # loaded, and its marker appears. So the forgeries below are live ammunition.
    control = cacheable(directory=tmp_path / "control")(victim)
    _plant(control, 0, _forge("valid-crc", control.cache_key(0), markers / "control"))
    control(0)
    assert (markers / "control").exists()
    (markers / "control").unlink()

    # 1. A secret is configured: nothing that does not carry a valid HMAC is unpickled.
    signed_kinds = [
        "random-signature",
        "signed-with-another-secret",
        "unsigned-valid-crc",
        "unsigned-valid-spot-check",
        "signed-claiming-spot-check",
        "signed-claiming-raw-bytes",
    ]
    for kind in signed_kinds:
        root = tmp_path / ("signed-" + kind)
        f = cacheable(directory=root, secret=SECRET)(victim)
        for k in FORGED_KEYS:
            _plant(f, k, _forge(kind, f.cache_key(k), markers / ("%s-%d" % (kind, k))))
            forged += 1
            rejected += _rejected(f, k)
        assert f.cache_info().errors == len(FORGED_KEYS)

    # 2. No secret, but the directory is writable by others: nothing in it is read.
    if os.name == "posix":
        for mode in (0o770, 0o707, 0o777):
            root = tmp_path / ("shared-%o" % mode)
            f = cacheable(directory=root)(victim)
            for k in FORGED_KEYS:
                marker = markers / ("dir%o-%d" % (mode, k))
                _plant(f, k, _forge("valid-crc", f.cache_key(k), marker))
                forged += 1
            root.chmod(mode)
            try:
                g = cacheable(directory=root)(victim)
                rejected += sum(_rejected(g, k) for k in FORGED_KEYS)
            finally:
                root.chmod(0o700)

        # 3. No secret, private directory, but the entry file is writable by others.
        for mode in (0o660, 0o606, 0o666):
            f = cacheable(directory=tmp_path / ("entry-%o" % mode))(victim)
            for k in FORGED_KEYS:
                name = "entry%o-%d" % (mode, k)
                _plant(f, k, _forge("valid-crc", f.cache_key(k), markers / name), mode=mode)
                forged += 1
                rejected += _rejected(f, k)

        # 4. No secret: the entry is a symbolic link to a planted file.
        f = cacheable(directory=tmp_path / "links")(victim)
        for k in FORGED_KEYS:
            elsewhere = tmp_path / ("planted-%d.pkl" % k)
            elsewhere.write_bytes(_forge("valid-crc", f.cache_key(k), markers / ("link-%d" % k)))
            elsewhere.chmod(0o600)
            path = f.cache_path(k)
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            path.symlink_to(elsewhere)
            forged += 1
            rejected += _rejected(f, k)

        # 5. No secret: the entry or the directory belongs to another user (root only).
        if os.geteuid() == 0:
            f = cacheable(directory=tmp_path / "their-entries")(victim)
            for k in FORGED_KEYS:
                marker = markers / ("uid-%d" % k)
                path = _plant(f, k, _forge("valid-crc", f.cache_key(k), marker))
                os.chown(path, 4242, -1)
                forged += 1
                rejected += _rejected(f, k)
            root = tmp_path / "their-directory"
            f = cacheable(directory=root)(victim)
            for k in FORGED_KEYS:
                _plant(f, k, _forge("valid-crc", f.cache_key(k), markers / ("uiddir-%d" % k)))
                forged += 1
            os.chown(root, 4242, -1)
            g = cacheable(directory=root)(victim)
            rejected += sum(_rejected(g, k) for k in FORGED_KEYS)

    assert sorted(p.name for p in markers.iterdir()) == []
    assert rejected == forged
    expected = len(signed_kinds) * len(FORGED_KEYS)  # 30
    if os.name == "posix":
        expected += (3 + 3 + 1) * len(FORGED_KEYS)  # 35 more
        if os.geteuid() == 0:
            expected += 2 * len(FORGED_KEYS)  # 10 more: 75 in all
    assert forged == expected


def test_signed_entry_claiming_a_spot_check_is_refused_even_with_the_right_secret(
    cachelint_cache_dir, caplog
):
    # Only a holder of the secret can make this entry; it is refused all the same, so a
    # signed entry is never verified less than in full.
    victim.calls = 0
    f = cacheable(secret=SECRET)(victim)
    payload = pickle.dumps("signed but partial" + "." * 100_000)
    _plant(f, 1, build_entry(f.cache_key(1), payload, secret=SECRET, extra_flags=4))
    with caplog.at_level(logging.WARNING, logger="cachelint.cacheable"):
        assert f(1) == "honest 1"
    assert any("partial check" in r.getMessage() for r in caplog.records)
    assert f.cache_info() == (0, 1, 1, 1)

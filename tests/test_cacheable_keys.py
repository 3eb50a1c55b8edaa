"""cachelint.cacheable: how cache keys are built (binding, type tags, exclusions)."""
import collections
import dataclasses
import datetime
import decimal
import enum
import fractions
import json
import math
import os
import pathlib
import subprocess
import sys
import textwrap
import uuid

import pytest

from cachelint import cacheable


def _key_fn():
    @cacheable
    def keyed(a, b=None):
        return a

    return keyed


# --- binding -----------------------------------------------------------------------------


def test_positional_keyword_and_default_share_one_entry(cachelint_cache_dir):
    calls = []

    @cacheable
    def f(a, b=2):
        calls.append((a, b))
        return a + b

    assert f(1) == 3
    assert f(a=1) == 3
    assert f(1, b=2) == 3
    assert f(1, 2) == 3
    assert f(b=2, a=1) == 3
    assert calls == [(1, 2)]
    assert f.cache_info().hits == 4
    assert f.cache_key(1) == f.cache_key(a=1) == f.cache_key(1, b=2)
    assert f(1, b=3) == 4  # a different value for b is a different entry
    assert calls == [(1, 2), (1, 3)]


def test_keyword_order_is_irrelevant_including_kwargs(cachelint_cache_dir):
    calls = []

    @cacheable
    def f(*, x, y, **options):
        calls.append(1)
        return (x, y, sorted(options.items()))

    first = f(x=1, y=2, colour="red", size=3)
    second = f(size=3, y=2, colour="red", x=1)
    assert first == second
    assert len(calls) == 1
    assert f.cache_key(x=1, y=2, a=1, b=2) == f.cache_key(b=2, a=1, y=2, x=1)


def test_var_positional_and_keyword_only_parameters(cachelint_cache_dir):
    @cacheable
    def f(a, *rest, flag=False, **extra):
        return (a, rest, flag, extra)

    assert f.cache_key(1, 2, 3) != f.cache_key(1, 2)
    assert f.cache_key(1, 2, flag=False) == f.cache_key(1, 2)
    assert f.cache_key(1, flag=True) != f.cache_key(1)
    assert f.cache_key(1, z=1) != f.cache_key(1)


def test_bad_arguments_raise_like_the_function_would(cachelint_cache_dir):
    @cacheable
    def f(a, b=2):
        return a

    with pytest.raises(TypeError, match="missing a required argument|required positional"):
        f()
    with pytest.raises(TypeError):
        f(1, 2, 3)
    with pytest.raises(TypeError):
        f(1, c=4)


# --- exclusions --------------------------------------------------------------------------


def test_underscore_and_ignored_parameters_are_passed_but_not_keyed(cachelint_cache_dir):
    seen = []

    @cacheable(ignore=("client",))
    def f(a, _trace_id, client, **kw):
        seen.append((a, _trace_id, client, kw))
        return a * 2

    assert f(1, "t1", "c1", _note="x", size=1) == 2
    assert f(1, "t2", "c2", _note="y", size=1) == 2
    assert seen == [(1, "t1", "c1", {"_note": "x", "size": 1})]
    assert f.cache_key(1, "t1", "c1") == f.cache_key(1, "t2", object())
    assert f.cache_key(1, None, None, _note=1) == f.cache_key(1, None, None)
    assert f.cache_key(1, None, None, size=1) != f.cache_key(1, None, None, size=2)


def test_ignore_accepts_a_single_name(cachelint_cache_dir):
    @cacheable(ignore="session")
    def f(a, session):
        return a

    assert f.cache_key(1, session=object()) == f.cache_key(1, session=None)


def test_version_and_function_identity_are_part_of_the_key(cachelint_cache_dir):
    def body(a):
        return a

    v1 = cacheable(version=1)(body)
    v2 = cacheable(version=2)(body)
    assert v1.cache_key(5) != v2.cache_key(5)
    assert cacheable(version=1)(body).cache_key(5) == v1.cache_key(5)

    def other(a):
        return a

    assert cacheable(other).cache_key(5) != cacheable(body).cache_key(5)


# --- type tags ---------------------------------------------------------------------------


def test_int_float_bool_and_str_are_four_keys(cachelint_cache_dir):
    calls = []

    @cacheable
    def f(a):
        calls.append(a)
        return repr(a)

    results = [f(1), f(1.0), f(True), f("1")]
    assert results == ["1", "1.0", "True", "'1'"]
    assert len(calls) == 4
    assert len({f.cache_key(v) for v in (1, 1.0, True, "1", b"1", None, 0, False)}) == 8


def test_tuple_and_list_differ_dict_order_does_not(cachelint_cache_dir):
    f = _key_fn()
    assert f.cache_key((1, 2)) != f.cache_key([1, 2])
    assert f.cache_key([(1, 2)]) != f.cache_key([[1, 2]])
    a = {"x": 1, "y": [1, 2], "z": {"p": 1, "q": 2}}
    b = {"z": {"q": 2, "p": 1}, "y": [1, 2], "x": 1}
    assert list(a) != list(b)
    assert f.cache_key(a) == f.cache_key(b)
    assert f.cache_key({"x": 1}) != f.cache_key({"x": 2})
    assert f.cache_key({1: "a"}) != f.cache_key({"1": "a"})


def test_sets_are_order_independent_and_distinct_from_frozensets(cachelint_cache_dir):
    f = _key_fn()
    words = ["alpha", "beta", "gamma", "delta", "epsilon"]
    assert f.cache_key(set(words)) == f.cache_key(set(reversed(words)))
    assert f.cache_key(set(words)) != f.cache_key(frozenset(words))
    assert f.cache_key({1, 2}) != f.cache_key({1, 3})
    assert f.cache_key(set()) != f.cache_key(frozenset())


def test_float_special_values(cachelint_cache_dir):
    f = _key_fn()
    # Documented choice: -0.0 and 0.0 are different keys, every NaN is one key.
    assert f.cache_key(-0.0) != f.cache_key(0.0)
    nan_a = float("nan")
    nan_b = -float("nan")
    assert f.cache_key(nan_a) == f.cache_key(nan_b) == f.cache_key(math.nan)
    assert f.cache_key(math.inf) != f.cache_key(-math.inf)
    assert f.cache_key(0.1 + 0.2) != f.cache_key(0.3)
    assert f.cache_key(1e308 * 10) == f.cache_key(math.inf)
    assert f.cache_key(1 + 2j) != f.cache_key(1 - 2j)


def test_bytes_use_content_digest_and_length(cachelint_cache_dir):
    f = _key_fn()
    assert f.cache_key(b"abc") == f.cache_key(bytes([97, 98, 99]))
    assert f.cache_key(b"abc") != f.cache_key(b"abd")
    assert f.cache_key(b"") != f.cache_key(b"\x00")
    assert f.cache_key(b"abc") != f.cache_key(bytearray(b"abc"))
    assert f.cache_key(b"abc") != f.cache_key("abc")
    big = os.urandom(1 << 20)
    assert f.cache_key(big) == f.cache_key(bytes(big))


def test_datetimes_dates_times_and_timedeltas(cachelint_cache_dir):
    f = _key_fn()
    utc = datetime.timezone.utc
    plus_one = datetime.timezone(datetime.timedelta(hours=1))
    noon_utc = datetime.datetime(2024, 5, 1, 12, 0, tzinfo=utc)
    one_pm_plus_one = datetime.datetime(2024, 5, 1, 13, 0, tzinfo=plus_one)
    naive_noon = datetime.datetime(2024, 5, 1, 12, 0)
    assert noon_utc == one_pm_plus_one
    # Same instant in another zone: a different key (results may be zone-specific).
    assert f.cache_key(noon_utc) != f.cache_key(one_pm_plus_one)
    assert f.cache_key(noon_utc) != f.cache_key(naive_noon)
    assert f.cache_key(noon_utc) == f.cache_key(datetime.datetime(2024, 5, 1, 12, tzinfo=utc))
    assert f.cache_key(naive_noon) != f.cache_key(naive_noon.replace(microsecond=1))
    assert f.cache_key(naive_noon) != f.cache_key(naive_noon.replace(fold=1))
    assert f.cache_key(datetime.date(2024, 5, 1)) != f.cache_key(naive_noon)
    assert f.cache_key(datetime.date(2024, 5, 1)) != f.cache_key("2024-05-01")
    assert f.cache_key(datetime.time(12)) != f.cache_key(datetime.time(12, tzinfo=utc))
    assert f.cache_key(datetime.timedelta(days=1)) == f.cache_key(datetime.timedelta(hours=24))
    assert f.cache_key(datetime.timedelta(days=1)) != f.cache_key(datetime.timedelta(days=-1))


def test_zoneinfo_identity_is_keyed(cachelint_cache_dir):
    zoneinfo = pytest.importorskip("zoneinfo")
    try:
        paris = zoneinfo.ZoneInfo("Europe/Paris")
        berlin = zoneinfo.ZoneInfo("Europe/Berlin")
    except zoneinfo.ZoneInfoNotFoundError:
        pytest.skip("no time-zone database")
    f = _key_fn()
    a = datetime.datetime(2024, 1, 1, 12, tzinfo=paris)
    b = datetime.datetime(2024, 1, 1, 12, tzinfo=berlin)
    assert a.utcoffset() == b.utcoffset()
    assert f.cache_key(a) != f.cache_key(b)


def test_decimal_fraction_uuid_and_paths(cachelint_cache_dir):
    f = _key_fn()
    D = decimal.Decimal
    assert f.cache_key(D("1.5")) == f.cache_key(D("1.5"))
    assert f.cache_key(D("1.0")) != f.cache_key(D("1.00"))
    assert f.cache_key(D("1")) != f.cache_key(1)
    assert f.cache_key(D("NaN")) == f.cache_key(D("NaN"))
    assert f.cache_key(fractions.Fraction(1, 3)) == f.cache_key(fractions.Fraction(2, 6))
    u = uuid.UUID("12345678-1234-5678-1234-567812345678")
    assert f.cache_key(u) == f.cache_key(uuid.UUID(str(u)))
    assert f.cache_key(u) != f.cache_key(str(u))
    assert f.cache_key(pathlib.Path("/a/b")) == f.cache_key(pathlib.PurePosixPath("/a/b"))
    assert f.cache_key(pathlib.Path("/a/b")) != f.cache_key("/a/b")
    assert f.cache_key(pathlib.PureWindowsPath("a/b")) != f.cache_key(pathlib.PurePosixPath("a/b"))


def test_paths_are_keyed_by_name_not_content(cachelint_cache_dir, tmp_path):
    calls = []

    @cacheable
    def size_of(path):
        calls.append(path)
        return path.stat().st_size

    target = tmp_path / "data.txt"
    target.write_text("abc")
    assert size_of(target) == 3
    target.write_text("abcdef")
    assert size_of(target) == 3  # documented: the path, not the file, is the key
    assert len(calls) == 1


class Colour(enum.Enum):
    RED = 1
    GREEN = 2


class Level(enum.IntEnum):
    LOW = 1


@dataclasses.dataclass(frozen=True)
class Options:
    width: int
    tags: tuple = ()
    note: str = dataclasses.field(default="", compare=False)


class Point(collections.namedtuple("Point", "x y")):
    __slots__ = ()


class Token:
    def __init__(self, value, noise):
        self.value = value
        self.noise = noise

    def __cache_key__(self):
        return ("token", self.value)


def test_enums_dataclasses_namedtuples_and_cache_key_hook(cachelint_cache_dir):
    f = _key_fn()
    assert f.cache_key(Colour.RED) == f.cache_key(Colour(1))
    assert f.cache_key(Colour.RED) != f.cache_key(Colour.GREEN)
    assert f.cache_key(Level.LOW) != f.cache_key(1)
    assert f.cache_key(Colour.RED) != f.cache_key(1)

    assert f.cache_key(Options(3, ("a",))) == f.cache_key(Options(3, ("a",), note="other"))
    assert f.cache_key(Options(3)) != f.cache_key(Options(4))
    assert f.cache_key(Options(3, ("a",))) != f.cache_key(Options(3, ["a"]))

    assert f.cache_key(Point(1, 2)) != f.cache_key((1, 2))
    assert f.cache_key(Point(1, 2)) == f.cache_key(Point(x=1, y=2))

    assert f.cache_key(Token(1, noise=object())) == f.cache_key(Token(1, noise=None))
    assert f.cache_key(Token(1, None)) != f.cache_key(Token(2, None))
    assert f.cache_key(Token(1, None)) != f.cache_key(("token", 1))

    ordered = collections.OrderedDict([("a", 1), ("b", 2)])
    assert f.cache_key(ordered) != f.cache_key(collections.OrderedDict([("b", 2), ("a", 1)]))
    assert f.cache_key(ordered) != f.cache_key({"a": 1, "b": 2})


# --- errors ------------------------------------------------------------------------------


class Opaque:
    pass


def test_unencodable_argument_names_parameter_type_and_cures(cachelint_cache_dir):
    calls = []

    @cacheable
    def fetch(url, session):
        calls.append(url)

    with pytest.raises(TypeError) as info:
        fetch("https://example.invalid", Opaque())
    message = str(info.value)
    assert "'session'" in message
    assert "Opaque" in message
    assert "'_'" in message and "ignore=" in message and "__cache_key__" in message
    assert calls == []  # never a silent miss
    with pytest.raises(TypeError, match="'session'"):
        fetch.cache_key("u", Opaque())


def test_unencodable_nested_value_reports_where(cachelint_cache_dir):
    f = _key_fn()
    with pytest.raises(TypeError) as info:
        f.cache_key({"jobs": [1, 2, Opaque()]})
    assert "a['jobs'][2]" in str(info.value)
    with pytest.raises(TypeError, match=r"at a\.width"):
        f.cache_key(Options(width=Opaque()))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="'a'"):
        f.cache_key(lambda: 0)
    with pytest.raises(TypeError, match="'a'"):
        f.cache_key(object)


def test_self_referencing_value_is_a_type_error(cachelint_cache_dir):
    f = _key_fn()
    loop = []
    loop.append(loop)
    with pytest.raises(TypeError, match="contains itself"):
        f.cache_key(loop)


def test_subclass_with_extra_state_is_refused(cachelint_cache_dir):
    class Tagged(str):
        pass

    value = Tagged("x")
    value.extra = 1
    f = _key_fn()
    with pytest.raises(TypeError, match="instance attributes"):
        f.cache_key(value)
    assert f.cache_key(Tagged("x")) != f.cache_key("x")


# --- stability ---------------------------------------------------------------------------


def _golden_function():
    def golden(a, b=None, *, c=()):
        return a

    golden.__module__ = "golden_module"
    golden.__qualname__ = "golden"
    return cacheable(version="v1")(golden)


GOLDEN_ARGS = (
    [1, 2.5, -0.0, "text", b"bytes", None, True],
    {"z": (1, 2), "a": frozenset({"x", "y"}), "m": {3, 1, 2}},
)


def test_golden_key_is_stable_across_releases(cachelint_cache_dir):
    # Changing this value invalidates every user's cache: only do it on purpose, together
    # with the key format tag in cacheable.py.
    key = _golden_function().cache_key(*GOLDEN_ARGS, c=(decimal.Decimal("1.10"),))
    assert key == GOLDEN_KEY


GOLDEN_KEY = "46d4c21f11858922c9ccf183271fb7ecc1e45e31938af0b5c87748d59f458802"


SUBPROCESS_SCRIPT = """
import datetime, decimal, json, pathlib, sys, uuid
from cachelint import cacheable

@cacheable(version=3)
def shared(words, table, when, path, ident, amount, raw):
    return None

words = {"alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"}
table = {w: frozenset(w) for w in sorted(words)}
key = shared.cache_key(
    words, table,
    datetime.datetime(2024, 5, 1, 12, 30, tzinfo=datetime.timezone.utc),
    pathlib.Path("/data/input.csv"),
    uuid.UUID("12345678-1234-5678-1234-567812345678"),
    decimal.Decimal("12.50"),
    b"payload" * 100,
)
print(json.dumps({"key": key, "order": list(words)}))
"""


def test_key_is_identical_across_processes_with_different_hash_seeds(tmp_path):
    module = tmp_path / "keyed_module.py"
    module.write_text(textwrap.dedent(SUBPROCESS_SCRIPT))
    results = []
    for seed in ("1", "2", "12345"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        proc = subprocess.run(
            [sys.executable, str(module)],
            cwd=str(tmp_path),
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert proc.returncode == 0, proc.stderr
        results.append(json.loads(proc.stdout))
    # The set iteration order really differs between the seeds...
    assert len({tuple(r["order"]) for r in results}) > 1
    # ...and the key does not.
    assert len({r["key"] for r in results}) == 1

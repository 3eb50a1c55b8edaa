"""cachelint.cacheable: decoration-time checks, async functions, the run-time key check."""
import asyncio
import functools
import warnings

import pytest

import cachelint
from cachelint import CacheKeyWarning, cacheable


# --- decoration-time checks ----------------------------------------------------------------


def test_generator_functions_are_refused_at_decoration():
    def numbers(n):
        yield from range(n)

    async def agen(n):
        yield n

    with pytest.raises(TypeError, match="generator"):
        cacheable(numbers)
    with pytest.raises(TypeError, match="generator"):
        cacheable(ignore=())(agen)


def test_unknown_ignore_name_is_refused_at_decoration():
    with pytest.raises(ValueError, match="'clinet'"):

        @cacheable(ignore=("clinet",))
        def f(a, client):
            return a


def test_lambdas_and_nameless_callables_are_refused():
    with pytest.raises(TypeError, match="lambda"):
        cacheable(lambda x: x)
    with pytest.raises(TypeError, match="__qualname__"):
        cacheable(functools.partial(max, 1))


def test_unencodable_version_is_refused_at_decoration():
    with pytest.raises(TypeError, match="version="):
        cacheable(version=object())(lambda_free)


def lambda_free(a):
    return a


def test_wrapper_metadata_and_exports():
    def documented(a, b=1):
        """Doc."""
        return a

    wrapped = cacheable(documented)
    assert wrapped.__wrapped__ is documented
    assert wrapped.__name__ == "documented"
    assert wrapped.__doc__ == "Doc."
    assert callable(wrapped.cache_info) and callable(wrapped.cache_clear)
    assert cachelint.cacheable is cacheable
    assert issubclass(CacheKeyWarning, UserWarning)
    assert cacheable()(documented).cache_key(1) == wrapped.cache_key(1)


def test_methods_need_self_excluded_or_keyed(cachelint_cache_dir):
    class Service:
        def __init__(self):
            self.calls = 0

        @cacheable(ignore=("self",))
        def lookup(self, name):
            self.calls += 1
            return name.upper()

        @cacheable
        def keyed(self, name):
            return name

    a, b = Service(), Service()
    assert a.lookup("x") == b.lookup("x") == "X"
    assert a.calls + b.calls == 1
    assert a.lookup.cache_info().hits == 1
    with pytest.raises(TypeError, match="'self'"):
        a.keyed("x")


# --- async --------------------------------------------------------------------------------


def test_async_function_stores_the_awaited_value(cachelint_cache_dir):
    calls = []

    async def fetch(n):
        calls.append(n)
        await asyncio.sleep(0)
        return {"n": n, "items": list(range(n))}

    cached = cacheable(fetch)
    assert asyncio.iscoroutinefunction(cached)
    first = asyncio.run(cached(3))
    second = asyncio.run(cached(3))
    assert first == second == {"n": 3, "items": [0, 1, 2]}
    assert calls == [3]
    assert cached.cache_info() == (1, 1, 1, 0)

    # What is on disk is the value, not a coroutine: a fresh instance reads it back.
    fresh = cacheable(fetch)
    assert asyncio.run(fresh(3)) == first
    assert fresh.cache_info().hits == 1
    raw = cached.cache_path(3).read_bytes()
    assert b"coroutine" not in raw


def test_sync_function_returning_a_coroutine_is_not_cached(cachelint_cache_dir, recwarn):
    async def work():
        return 1

    @cacheable
    def sneaky(a):
        return work()

    coro = sneaky(1)
    assert asyncio.run(coro) == 1
    assert sneaky.cache_info().errors == 1
    assert not sneaky.cache_path(1).exists()


# --- run-time key check -------------------------------------------------------------------


def key_warnings(record):
    return [w for w in record if issubclass(w.category, CacheKeyWarning)]


def test_per_call_parameter_triggers_one_warning(cachelint_cache_dir):
    @cacheable
    def build(job_id, mode, name):
        return (mode, name)

    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        for job in range(7):
            build("job-%d" % job, "png", "logo")
        assert key_warnings(record) == []
        build("job-7", "png", "logo")  # the 8th miss
        found = key_warnings(record)
        assert len(found) == 1
        for job in range(8, 30):
            build("job-%d" % job, "png", "logo")
        assert len(key_warnings(record)) == 1  # once per function and parameter
    message = str(found[0].message)
    assert "'job_id' had a different value on each of the last 8 misses" in message
    assert "every call returned the same result" in message
    assert "it looks per-call" in message and "ignore=" in message
    assert found[0].filename == __file__  # points at the caller


@pytest.mark.parametrize(
    "workload",
    [
        # repeats: hits happen, so the key is doing its job
        [("a", 1), ("b", 1), ("a", 1), ("c", 1), ("b", 1)] * 6,
        # two parameters vary together: nothing stands out
        [("x%d" % i, i) for i in range(20)],
        # one parameter varies, another changes too now and then
        [("x%d" % i, i // 3) for i in range(20)],
    ],
)
def test_normal_workloads_do_not_warn(cachelint_cache_dir, workload):
    @cacheable
    def work(name, size, style="flat"):
        return name * size

    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        for name, size in workload:
            work(name, size)
    assert key_warnings(record) == []


def test_first_pass_over_distinct_inputs_does_not_warn(cachelint_cache_dir):
    # Issue 4's false alarm: eight (or more) different images, one size. Only `path`
    # changes from miss to miss, but every thumbnail is different, so the key is right.
    @cacheable
    def thumbnail(path, size=128):
        return b"thumb:%d:" % size + path.encode()

    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        for i in range(30):
            thumbnail("images/%03d.png" % i, size=128)
    assert key_warnings(record) == []
    assert thumbnail.cache_info().misses == 30


def test_distinct_pickled_results_do_not_warn_either(cachelint_cache_dir):
    @cacheable
    def summarise(document, language="en"):
        return {"document": document, "words": len(document), "language": language}

    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        for i in range(20):
            summarise("text number %d" % i, language="en")
    assert key_warnings(record) == []


def test_one_different_result_in_the_window_keeps_it_quiet(cachelint_cache_dir):
    @cacheable
    def build(job_id, mode):
        return "odd one" if job_id == "j3" else mode

    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        for i in range(8):
            build("j%d" % i, "png")
        assert key_warnings(record) == []
        for i in range(8, 11):  # j3 has left the window of the last eight misses
            build("j%d" % i, "png")
        assert len(key_warnings(record)) == 0
        build("j11", "png")  # now the eight latest misses all returned "png"
        assert len(key_warnings(record)) == 1


def test_per_call_job_id_with_identical_bytes_results_warns(cachelint_cache_dir):
    # The classic bug: the same render requested by eight jobs, the job id keyed.
    calls = []

    @cacheable
    def render(job_id, mode, name, style, colors, source_hash):
        calls.append(job_id)
        return b"\x89PNG" + ("%s/%s/%s/%d/%s" % (mode, name, style, colors, source_hash)).encode()

    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        for job in range(8):
            render("job-%d" % job, "png", "logo", "flat", 3, "ab12")
    found = key_warnings(record)
    assert len(found) == 1
    assert "'job_id'" in str(found[0].message)
    assert "returned the same result" in str(found[0].message)
    assert len(calls) == 8


def test_unpicklable_results_never_count_as_equal(cachelint_cache_dir):
    import threading

    lock = threading.Lock()

    @cacheable
    def guard(job_id, name):
        return lock  # the same object every time, but it has no pickle to compare

    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        for i in range(12):
            guard("j%d" % i, "x")
    assert key_warnings(record) == []


def test_key_check_works_when_caching_is_off(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")

    @cacheable(directory=blocker / "cache")
    def build(job_id, mode):
        return mode

    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        for i in range(8):
            build("j%d" % i, "png")
    assert len(key_warnings(record)) == 1


def test_single_keyed_parameter_never_warns(cachelint_cache_dir):
    @cacheable
    def fetch(url, _session=None):
        return url

    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        for i in range(20):
            fetch("https://example.invalid/%d" % i)
    assert key_warnings(record) == []


def test_warning_stops_after_a_hit(cachelint_cache_dir):
    @cacheable
    def build(job_id, mode):
        return mode

    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        build("j0", "png")
        build("j0", "png")  # a hit: the key works for repeated calls
        for i in range(1, 20):
            build("j%d" % i, "png")
    assert key_warnings(record) == []


def test_excluding_the_parameter_silences_the_warning(cachelint_cache_dir):
    calls = []

    @cacheable
    def build(_job_id, mode):
        calls.append(_job_id)
        return mode

    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        for i in range(10):
            build("j%d" % i, "png")
    assert key_warnings(record) == []
    assert calls == ["j0"]


def test_cache_info_is_a_named_tuple(cachelint_cache_dir):
    from cachelint.cacheable import CacheInfo

    @cacheable
    def f(a):
        return a

    f(1)
    f(1)
    info = f.cache_info()
    assert isinstance(info, CacheInfo)
    assert info._fields == ("hits", "misses", "writes", "errors")
    assert (info.hits, info.misses, info.writes, info.errors) == (1, 1, 1, 0)

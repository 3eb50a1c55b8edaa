"""cachelint.testing: the pytest plugin (fixture + assert_cache_calls)."""
import importlib.metadata
import os
import unittest.mock

import pytest

from cachelint import cacheable
from cachelint.testing import CacheCallCounts, assert_cache_calls

pytest_plugins = ["pytester"]


def _plugin_is_registered():
    return any(
        ep.value == "cachelint.testing"
        for ep in importlib.metadata.entry_points(group="pytest11")
    )


def test_entry_point_is_declared():
    assert _plugin_is_registered(), "run: pip install -e . (pytest11 entry point missing)"


def test_fixture_isolates_and_points_the_environment(cachelint_cache_dir, tmp_path):
    assert os.environ["CACHELINT_CACHE_DIR"] == str(cachelint_cache_dir)
    assert cachelint_cache_dir.is_dir()
    assert tmp_path in cachelint_cache_dir.parents


@cacheable
def expensive(name, _client):
    return _client(name)


def test_assert_cache_calls_counts_a_block(cachelint_cache_dir):
    client = unittest.mock.Mock(side_effect=lambda n: n.upper())
    with assert_cache_calls(expensive, hits=2, misses=1, writes=1, errors=0) as seen:
        assert expensive("a", client) == "A"
        assert expensive("a", client) == "A"
        assert expensive("a", unittest.mock.Mock()) == "A"
    assert isinstance(seen, CacheCallCounts)
    assert (seen.hits, seen.misses) == (2, 1)
    assert client.call_count == 1


def test_assert_cache_calls_reports_mismatches(cachelint_cache_dir):
    client = unittest.mock.Mock(return_value="x")
    with pytest.raises(AssertionError) as info:
        with assert_cache_calls(expensive, hits=1, misses=1):
            expensive("b", client)
            expensive("c", client)
    message = str(info.value)
    assert "expensive" in message
    assert "hits: expected 1, got 0" in message
    assert "misses: expected 1, got 2" in message


def test_assert_cache_calls_lets_block_errors_through(cachelint_cache_dir):
    with pytest.raises(KeyError):
        with assert_cache_calls(expensive, hits=5):
            raise KeyError("from the block")


def test_assert_cache_calls_needs_a_cacheable_function():
    with pytest.raises(TypeError, match="cacheable"):
        with assert_cache_calls(len, hits=0):
            pass


USER_TESTS = """
import unittest.mock
from cachelint import cacheable
from cachelint.testing import assert_cache_calls

@cacheable
def render(mode, name, _client):
    return _client.render(mode, name)

def publish(job_id, out_dir, client):
    data = render("png", "logo", _client=client)
    path = out_dir / job_id
    path.write_bytes(data)
    return path

def test_jobs_share_one_render(cachelint_cache_dir, tmp_path):
    client = unittest.mock.Mock()
    client.render.return_value = b"image"
    with assert_cache_calls(render, hits=1, misses=1):
        publish("job-1", tmp_path, client)
        publish("job-2", tmp_path, client)
    assert client.render.call_count == 1
    assert list(cachelint_cache_dir.rglob("*.pkl"))

def test_each_test_starts_cold(cachelint_cache_dir, tmp_path):
    client = unittest.mock.Mock()
    client.render.return_value = b"image"
    with assert_cache_calls(render, hits=0, misses=1):
        publish("job-3", tmp_path, client)

def test_wrong_expectation_fails(cachelint_cache_dir, tmp_path):
    client = unittest.mock.Mock()
    client.render.return_value = b"image"
    with assert_cache_calls(render, hits=2):
        publish("job-4", tmp_path, client)
"""


def test_plugin_works_in_a_fresh_pytest_session(pytester):
    pytester.makepyfile(test_user=USER_TESTS)
    args = ["-p", "no:cacheprovider"]
    if not _plugin_is_registered():  # not installed: load it by name instead
        args += ["-p", "cachelint.testing"]
    result = pytester.runpytest_subprocess(*args)
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["*hits: expected 2, got 0*"])

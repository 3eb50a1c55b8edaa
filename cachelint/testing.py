"""pytest helpers for code that uses :func:`cachelint.cacheable`.

This module is a pytest plugin, registered through the ``pytest11`` entry point of the
``cache-key-lint`` distribution, so its fixtures are available in every test session once
the package is installed. It provides:

* the :func:`cachelint_cache_dir` fixture: a fresh, private cache directory per test
  (``CACHELINT_CACHE_DIR`` points at it for the duration of the test), so entries written
  by one test never turn into hits in another;
* :func:`assert_cache_calls`: a context manager that checks how many hits and misses a
  ``@cacheable`` function had over a block of code.

Typical test::

    from cachelint.testing import assert_cache_calls

    def test_second_job_reuses_the_render(cachelint_cache_dir, tmp_path):
        client = unittest.mock.Mock(return_value=b"png")
        with assert_cache_calls(render, hits=1, misses=1):
            publish("job-1", tmp_path, client)
            publish("job-2", tmp_path, client)
        assert client.call_count == 1

Only the standard library and pytest are imported.
"""
import contextlib
import os

import pytest

__all__ = ["assert_cache_calls", "cachelint_cache_dir", "CacheCallCounts"]

_FIELDS = ("hits", "misses", "writes", "errors")


@pytest.fixture
def cachelint_cache_dir(tmp_path, monkeypatch):
    """Give the test its own cache directory and return it (a ``pathlib.Path``).

    The directory is ``<tmp_path>/cachelint-cache``, created with mode 0700, and the
    ``CACHELINT_CACHE_DIR`` environment variable points at it until the test ends. Every
    ``@cacheable`` function decorated without ``directory=`` uses it, because the
    directory is looked up on each call. Statistics kept in memory by the functions
    (``cache_info()``) are not reset; compare differences, as :func:`assert_cache_calls`
    does.
    """
    path = tmp_path / "cachelint-cache"
    path.mkdir(mode=0o700)
    monkeypatch.setenv("CACHELINT_CACHE_DIR", os.fspath(path))
    return path


class CacheCallCounts:
    """What :func:`assert_cache_calls` observed over its block.

    Attributes (ints, all 0 until the block ends): ``hits``, ``misses``, ``writes`` and
    ``errors``: how much each ``cache_info()`` counter grew while the block ran.
    """

    def __init__(self):
        self.hits = self.misses = self.writes = self.errors = 0

    def __repr__(self):
        return "CacheCallCounts(%s)" % ", ".join(
            "%s=%d" % (name, getattr(self, name)) for name in _FIELDS
        )


@contextlib.contextmanager
def assert_cache_calls(fn, hits=None, misses=None, writes=None, errors=None):
    """Assert how ``fn``'s cache statistics change over the ``with`` block.

    Args:
        fn: a function decorated with :func:`cachelint.cacheable` (anything with a
            ``cache_info()`` returning hits, misses, writes and errors).
        hits, misses, writes, errors: the expected increase (int) of each counter over
            the block, or ``None`` not to check that counter.

    Yields:
        a :class:`CacheCallCounts` filled in when the block ends.

    Raises:
        TypeError: ``fn`` has no ``cache_info()``.
        AssertionError: a checked counter grew by another amount; the message gives the
            expected and observed numbers. Not raised when the block itself raises: that
            exception propagates unchanged.

    Calling ``fn.cache_clear()`` inside the block resets the counters and makes the
    differences meaningless.
    """
    __tracebackhide__ = True
    cache_info = getattr(fn, "cache_info", None)
    if not callable(cache_info):
        raise TypeError(
            "assert_cache_calls() needs a @cacheable function, got %r (no cache_info())" % (fn,)
        )
    before = cache_info()
    counts = CacheCallCounts()
    yield counts
    after = cache_info()
    for name in _FIELDS:
        setattr(counts, name, getattr(after, name) - getattr(before, name))
    expected = {"hits": hits, "misses": misses, "writes": writes, "errors": errors}
    wrong = [
        "%s: expected %d, got %d" % (name, want, getattr(counts, name))
        for name, want in expected.items()
        if want is not None and getattr(counts, name) != want
    ]
    if wrong:
        name = getattr(fn, "__qualname__", repr(fn))
        raise AssertionError(
            "cache calls of %s over the block differ: %s (observed %r)"
            % (name, "; ".join(wrong), counts)
        )

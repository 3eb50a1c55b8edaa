"""cachelint.cacheable: property tests of the key encoding (need hypothesis)."""
import pytest

from cachelint import cacheable

pytest.importorskip("hypothesis")

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


def _key_fn():
    @cacheable
    def keyed(a, b=None):
        return a

    return keyed


# --- properties --------------------------------------------------------------------------

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=8),
    st.binary(max_size=8),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.lists(inner, max_size=4).map(tuple),
        st.dictionaries(st.text(max_size=4), inner, max_size=4),
    ),
    max_leaves=12,
)


def _same(a, b):
    """Equality that also requires identical types all the way down (and -0.0 != 0.0)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return a.hex() == b.hex()
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return a == b


@settings(max_examples=150, deadline=None)
@given(values, values)
def test_property_keys_equal_exactly_when_values_are_the_same(a, b):
    f = _key_fn()
    assert (f.cache_key(a) == f.cache_key(b)) == _same(a, b)


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.text(max_size=5), values, max_size=6))
def test_property_dict_insertion_order_never_matters(d):
    f = _key_fn()
    assert f.cache_key(d) == f.cache_key(dict(reversed(list(d.items()))))

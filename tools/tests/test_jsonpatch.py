from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from cantil_tools._jsonpatch import apply, diff

keys = st.text(alphabet="ab/~-_.", min_size=0, max_size=4)
scalars = st.none() | st.booleans() | st.integers(-5, 5) | st.text(max_size=3)
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=4),
                           max_leaves=12)
documents = st.dictionaries(keys, json_values, max_size=5)


@settings(max_examples=200, deadline=None)
@given(documents, documents)
def test_diff_then_apply_gives_the_new_document(old: dict[str, Any], new: dict[str, Any]) -> None:
    assert apply(old, diff(old, new)) == new


@settings(max_examples=100, deadline=None)
@given(documents)
def test_no_change_no_operations(doc: dict[str, Any]) -> None:
    assert diff(doc, doc) == []


def test_type_change_is_replaced() -> None:
    assert diff({"a": 1}, {"a": True}) == [{"op": "replace", "path": "/a", "value": True}]
    assert apply({"a": 1}, diff({"a": 1}, {"a": True})) == {"a": True}

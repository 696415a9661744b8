from __future__ import annotations

import copy

import pytest

from cantil.repodata._jsonpatch import PatchError, apply_patch

# (document, patch, expected) in the spirit of RFC 6902 appendix A
CASES = [
    ({"foo": "bar"}, [{"op": "add", "path": "/baz", "value": "qux"}], {"foo": "bar", "baz": "qux"}),
    ({"foo": ["bar", "baz"]}, [{"op": "add", "path": "/foo/1", "value": "qux"}], {"foo": ["bar", "qux", "baz"]}),
    ({"foo": ["bar"]}, [{"op": "add", "path": "/foo/-", "value": "end"}], {"foo": ["bar", "end"]}),
    ({"baz": "qux", "foo": "bar"}, [{"op": "remove", "path": "/baz"}], {"foo": "bar"}),
    ({"foo": ["bar", "qux", "baz"]}, [{"op": "remove", "path": "/foo/1"}], {"foo": ["bar", "baz"]}),
    ({"baz": "qux", "foo": "bar"}, [{"op": "replace", "path": "/baz", "value": "boo"}], {"baz": "boo", "foo": "bar"}),
    ({"foo": {"bar": "baz", "waldo": "fred"}, "qux": {"corge": "grault"}},
     [{"op": "move", "from": "/foo/waldo", "path": "/qux/thud"}],
     {"foo": {"bar": "baz"}, "qux": {"corge": "grault", "thud": "fred"}}),
    ({"foo": ["all", "grass", "cows", "eat"]}, [{"op": "move", "from": "/foo/1", "path": "/foo/3"}],
     {"foo": ["all", "cows", "eat", "grass"]}),
    ({"a": {"b": 1}}, [{"op": "copy", "from": "/a", "path": "/c"}], {"a": {"b": 1}, "c": {"b": 1}}),
    ({"a/b": 1, "m~n": 2}, [{"op": "replace", "path": "/a~1b", "value": 3}, {"op": "remove", "path": "/m~0n"}],
     {"a/b": 3}),
    ({"foo": "bar"}, [{"op": "add", "path": "/child", "value": {"grandchild": {}}}],
     {"foo": "bar", "child": {"grandchild": {}}}),
    ({"foo": ["bar"]}, [{"op": "add", "path": "/foo/-", "value": ["abc", "def"]}], {"foo": ["bar", ["abc", "def"]]}),
    ({"baz": "qux", "foo": ["a", 2, "c"]},
     [{"op": "test", "path": "/baz", "value": "qux"}, {"op": "test", "path": "/foo/1", "value": 2}],
     {"baz": "qux", "foo": ["a", 2, "c"]}),
    ({"x": 1}, [{"op": "replace", "path": "", "value": [1, 2]}], [1, 2]),
]


@pytest.mark.parametrize(("doc", "patch", "expected"), CASES)
def test_rfc6902_operations(doc: object, patch: list[dict[str, object]], expected: object) -> None:
    assert apply_patch(copy.deepcopy(doc), patch) == expected


BAD = [
    ({"baz": "qux"}, [{"op": "test", "path": "/baz", "value": "bar"}]),       # test fails
    ({"foo": "bar"}, [{"op": "add", "path": "/baz/bat", "value": "qux"}]),    # parent missing
    ({"foo": [1]}, [{"op": "add", "path": "/foo/5", "value": 2}]),            # index out of range
    ({"foo": [1]}, [{"op": "remove", "path": "/foo/01"}]),                    # leading zero
    ({"foo": 1}, [{"op": "remove", "path": "/bar"}]),                         # nothing to remove
    ({"foo": 1}, [{"op": "frobnicate", "path": "/foo"}]),                     # unknown op
    ({"foo": 1}, [{"op": "add", "path": "foo", "value": 1}]),                 # pointer without /
    ({"a": {"b": 1}}, [{"op": "move", "from": "/a", "path": "/a/b/c"}]),      # into its own child
    ({"a": True}, [{"op": "test", "path": "/a", "value": 1}]),                # true is not 1
    ({"a": 1}, {"op": "add"}),                                                # not a list
]


@pytest.mark.parametrize(("doc", "patch"), BAD)
def test_bad_patches_raise_patch_error(doc: object, patch: object) -> None:
    with pytest.raises(PatchError):
        apply_patch(doc, patch)  # type: ignore[arg-type]

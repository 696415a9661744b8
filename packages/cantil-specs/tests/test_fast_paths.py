"""The fast paths for common shapes give exactly what the general readers give (hypothesis and every real string).

``Version`` reads plain numbers separated by ``.`` or ``_`` without conda's general reader; these tests hold the
two readers to the same key and the same normalised text.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cantil.specs import (
    InvalidMatchSpec,
    InvalidVersion,
    InvalidVersionSpec,
    MatchSpec,
    PackageRecord,
    Version,
    VersionSpec,
    clear_caches,
)
from cantil.specs._channel import _DEFAULT_SETTINGS
from cantil.specs._match_parse import parse_spec
from cantil.specs._match_spec import _PLAIN_SPEC
from cantil.specs._version import _key_general, _normalise

FAST = settings(  # as test_properties: the same examples in CI, exploratory with CANTIL_HYPOTHESIS_EXAMPLES
    max_examples=int(os.environ.get("CANTIL_HYPOTHESIS_EXAMPLES", "300")),
    derandomize="CANTIL_HYPOTHESIS_EXAMPLES" not in os.environ,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def _general(text: str) -> tuple[tuple[object, ...], str] | None:
    """(sort key without its tail, normalised text) from conda's general reader; None when it rejects the text."""
    try:
        s = _normalise(text)
        return tuple(_key_general(text, s)), s
    except InvalidVersion:
        return None


def _fast(text: str) -> tuple[tuple[object, ...], str] | None:
    clear_caches()
    try:
        v = Version(text)
    except InvalidVersion:
        return None
    return tuple(v)[:-1], str(v)


numeric_text = st.lists(
    st.sampled_from(["0", "1", "2", "10", "007", "2024", "20240131", "99999999999999999999", ".", "_", " ", "-", "a"]),
    min_size=1,
    max_size=9,
).map("".join)


@FAST
@given(numeric_text)
def test_version_fast_path_equals_general_reader(text: str) -> None:
    assert _fast(text) == _general(text)


@pytest.mark.parametrize("m", [1, 2, 3, 4, 5, 6])
def test_version_fast_path_equals_general_reader_on_every_zero_pattern(m: int) -> None:
    """Each count of parts the reader writes out directly, with every placement of zeros (plain, zero-padded),
    numbers past the small-number table, and '_' separators."""
    words = ["0", "00", "1", "7", "010", "2099", "2100", "20240131"] if m <= 3 else ["0", "1", "007", "123456"]
    for combo in itertools.product(words, repeat=m):
        for sep in (".", "_"):
            text = sep.join(combo)
            assert _fast(text) == _general(text), text


def test_version_fast_path_equals_general_reader_on_real_versions(real_versions: list[str]) -> None:
    for text in real_versions:
        assert _fast(text) == _general(text), text


LEAVES = ["*", ">=1.2", "<2.0a0", ">1", "<=3", "1.2.*", "1.2*", "!=1.5", "1.*.1", "1.2", "==1.4", "~=1.2.3", "=1.3"]
SAMPLE_VERSIONS = [Version(t) for t in ("0.9", "1", "1.2", "1.2.5", "1.3", "1.5", "1.9.1", "2.0a0", "2.0", "3", "4")]


@FAST
@given(st.lists(st.sampled_from(LEAVES), min_size=2, max_size=4))
def test_and_of_leaves_equals_the_tree_reader(leaves: list[str]) -> None:
    """``a,b`` (read without the tree) gives the canonical text, kind and answers of the general tree reader."""
    from cantil.specs._version_spec import _and, _compile, _treeify

    text = ",".join(leaves)
    clear_caches()
    canon, match, kind = _and(text.split(","), text)
    t_canon, t_match, t_kind, _ = _compile(_treeify(text, text), text)
    assert (canon, kind) == (t_canon, t_kind)
    for v in SAMPLE_VERSIONS:
        assert match(v, str(v)) == t_match(v, str(v)), (text, str(v))


# --- MatchSpec: the plain-spec reader (_PLAIN_SPEC + _from_plain) against parse_spec + _build_from -----------------

SPEC_NAMES = ["numpy", "Py-Qt5", "x_y.z+1", "pkg.conda", "pkg.tar.bz2", "if"]
SPEC_VERSIONS = [
    "1.2",
    "1.2.*",
    "1.2*",
    "*",
    ">=1.2",
    "<2.0a0",
    "==1.4",
    "=1.3",
    "!=1.5",
    "~=1.2.3",
    "~=1.2.*",
    "1.*.1",
]
SPEC_VERSIONS += ["2.0.0rc1", ">=1.2,<2", "==1.2,<3", ">=1.2,", "1..2", "1.0-1", "01.02", "1.2|1.3", "v1.0", ">= 1.2"]
SPEC_VERSIONS += ["*,*", "1.2|*", "==1.2*", ">=1.2,<2,!=1.5,<3"]
SPEC_BUILDS = ["py_0", "0", "x.conda", "b*", "h1-2", "if", "py3.7_cpu_0", "^py.*$"]
RECORDS = [
    PackageRecord(name, version, build)
    for name in ("numpy", "py-qt5")
    for version in ("1.2", "1.2.5", "1.3", "1.4", "1.5", "2.0a0", "2.0", "0.9")
    for build in ("py_0", "0", "h1-2", "py3.7_cpu_0")
]


def _general_spec(text: str, lenient: bool) -> MatchSpec | str:
    clear_caches()  # (its VersionSpec is then read by the general reader, not taken from the plain reader's cache)
    try:
        return MatchSpec._build_from(parse_spec(text, lenient, _DEFAULT_SETTINGS), text, lenient, _DEFAULT_SETTINGS)
    except InvalidMatchSpec as err:
        return str(err)


def _fast_spec(text: str, lenient: bool) -> MatchSpec | str:
    clear_caches()
    try:
        return MatchSpec(text, lenient=lenient)
    except InvalidMatchSpec as err:
        return str(err)


def _assert_same_spec(text: str, lenient: bool) -> None:
    fast, general = _fast_spec(text, lenient), _general_spec(text, lenient)
    if isinstance(fast, str) or isinstance(general, str):
        assert fast == general, text
        return
    assert list(fast._fields.items()) == list(general._fields.items()), text
    assert (fast._name, fast._name_exact, fast._build, str(fast)) == (
        general._name,
        general._name_exact,
        general._build,
        str(general),
    ), text
    assert fast.is_name_only() == general.is_name_only(), text  # (before .version makes the lazy spec's VersionSpec)
    assert fast.version == general.version and fast.get("version") == general.get("version"), text
    assert (fast._vmatch is None, len(fast._checks)) == (general._vmatch is None, len(general._checks)), text
    assert [fast.match(r) for r in RECORDS] == [general.match(r) for r in RECORDS], text


@FAST
@given(
    st.sampled_from(SPEC_NAMES),
    st.one_of(st.none(), st.sampled_from(SPEC_VERSIONS)),
    st.one_of(st.none(), st.sampled_from(SPEC_BUILDS)),
    st.booleans(),
)
def test_plain_spec_reader_equals_the_general_reader(name: str, version: str | None, build: str | None, lenient: bool):
    text = " ".join(p for p in (name, version, build if version is not None else None) if p is not None)
    _assert_same_spec(text, lenient)


def test_plain_spec_reader_equals_the_general_reader_on_real_specs(repodata: list[tuple[Path, dict]]) -> None:
    texts = {
        d
        for _, data in repodata
        for key in ("packages", "packages.conda")
        for rec in data.get(key, {}).values()
        for d in (*rec.get("depends", ()), *rec.get("constrains", ()))
    }
    assert any(_PLAIN_SPEC(t) for t in texts)
    for text in sorted(texts):
        _assert_same_spec(text, True)
        _assert_same_spec(text, False)


LEAF_OPS = ["<", ">", "<=", ">=", "==", "!=", "=", "~=", "<>", ">>", "<~", ""]
LEAF_BODIES = [
    "1.2",
    "2.0a0",
    "1.2.*",
    "1.2*",
    "1!2.0",
    "1..2",
    "",
    " 1.2",
    "1.2 ",
    "1.2$",
    "^1.2$",
    "=1",
    "1.0-1",
    "A1",
]


@FAST
@given(st.sampled_from(LEAF_OPS), st.sampled_from(LEAF_BODIES))
def test_leaf_shortcut_equals_the_general_leaf_reader(op: str, body: str) -> None:
    """``>=1.2`` and its kin are read by a shortcut of _parse_leaf: same canonical text, kind, bound and answers."""
    from cantil.specs._version_spec import _parse_leaf, _parse_leaf_general

    text = op + body

    def read(reader: Callable[[str, str], tuple[Any, ...]]) -> tuple[Any, ...]:
        clear_caches()
        try:
            canon, match, kind, bound = reader(text, text)
        except InvalidVersionSpec as err:
            return (str(err),)
        return canon, kind, bound, [match(v, str(v)) for v in SAMPLE_VERSIONS]

    assert read(_parse_leaf) == read(_parse_leaf_general)


LAZY_LEAVES = [
    op + body for op in ("", ">=", "<", "<=", ">", "==", "!=") for body in ("1", "1.2", "2.0a0", "1.A.post1")
]
LAZY_LEAVES += ["1.2*", "1.2.*", "1*", "2.0a0*", "~=1.2", "1.2.3_1", "*", "1!2.0", ">=1.2.*", "!=1.2.*", "1.*.1"]
LAZY_LEAVES += ["1..2", "1.", ">=1.", "1.2a*", "1a.2"]


@FAST
@given(st.lists(st.sampled_from(LAZY_LEAVES), min_size=1, max_size=3))
def test_version_spec_with_matcher_built_later_equals_the_eager_reader(leaves: list[str]) -> None:
    """plain_version_spec leaves the matcher of the plainest specs for first use: same canonical text, kind and
    answers as VersionSpec (which reads eagerly)."""
    from cantil.specs._version_spec import _LAZY_SPEC, lazy_version, plain_version_spec

    text = ",".join(leaves)
    clear_caches()
    try:
        eager: VersionSpec | str = VersionSpec(text)
    except InvalidVersionSpec as err:
        eager = str(err)
    clear_caches()
    try:
        lazy = plain_version_spec(text)
    except InvalidVersionSpec as err:
        assert str(err) == eager
        return
    assert isinstance(eager, VersionSpec), text
    assert (lazy._match is None) == (_LAZY_SPEC(text) is not None and lazy_version(text))
    assert eager._match is not None
    assert (lazy._str, lazy._kind) == (eager._str, eager._kind)
    assert [lazy.match(v) for v in SAMPLE_VERSIONS] == [eager.match(v) for v in SAMPLE_VERSIONS], text
    assert lazy._match is not None  # built once, then kept


def test_match_spec_builds_its_version_test_on_first_match() -> None:
    clear_caches()
    spec = MatchSpec("numpy >=1.2,<2.0a0", lenient=True)
    assert spec.version is not None and spec.version._match is None
    assert spec.match(PackageRecord("numpy", "1.5", "py_0"))
    assert spec.version._match is not None and spec._vmatch is spec.version._match
    assert not spec.match(PackageRecord("numpy", "2.0", "py_0"))
    assert MatchSpec("numpy >=1.2,<2.0a0", lenient=True) is spec
    assert VersionSpec(">=1.2,<2.0a0") is spec.version  # one interned spec, whichever reader made it

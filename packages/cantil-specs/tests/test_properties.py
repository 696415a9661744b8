"""Properties (hypothesis): parsing never raises anything but our errors, str() reparses equal, the ordering is total
and transitive and agrees with conda's component-by-component definition, and spec matching agrees with the order."""

from __future__ import annotations

import os
from itertools import pairwise, zip_longest
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from cantil.specs import (
    InvalidMatchSpec,
    InvalidVersion,
    InvalidVersionSpec,
    MatchSpec,
    PackageRecord,
    SpecsError,
    Version,
    VersionSpec,
)

PIECES = [
    "0",
    "1",
    "2",
    "9",
    "10",
    "01",
    ".",
    ".",
    ".",
    "_",
    "-",
    "a",
    "b",
    "rc",
    "dev",
    "post",
    "alpha",
    "*",
    "+",
    "!",
]
version_text = st.lists(st.sampled_from(PIECES), min_size=1, max_size=8).map("".join)
number = st.integers(0, 12).map(str)
clean_version = st.builds(
    lambda epoch, parts, tag, local: (
        (f"{epoch}!" if epoch else "") + ".".join(parts) + tag + (f"+{local}" if local else "")
    ),
    st.sampled_from(["", "", "", "1"]),
    st.lists(number, min_size=1, max_size=4),
    st.sampled_from(["", "", "a1", "rc2", ".dev0", ".post1", "_", "b"]),
    st.sampled_from(["", "", "x1", "2"]),
)
valid_version = st.one_of(clean_version, version_text).filter(lambda t: _valid(t))  # noqa: PLW0108 (defined below)

FAST = settings(
    max_examples=int(os.environ.get("CANTIL_HYPOTHESIS_EXAMPLES", "150")),
    # CI runs the same examples every time (nothing flaky); a campaign (CANTIL_HYPOTHESIS_EXAMPLES=5000) explores
    derandomize="CANTIL_HYPOTHESIS_EXAMPLES" not in os.environ,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def _valid(text: str) -> bool:
    try:
        Version(text)
    except InvalidVersion:
        return False
    return True


def _conda_parts(text: str) -> tuple[list[list[Any]], list[list[Any]]]:
    """conda's documented decomposition, written out plainly (an independent reference for the tuple keys)."""
    s = text.strip().lower()
    if "-" in s and "_" not in s:
        s = s.replace("-", "_")
    epoch, _, rest = s.rpartition("!") if "!" in s else ("0", "", s)
    main, _, local = rest.partition("+")
    raw = main[:-1].replace("_", ".").split(".") if main.endswith("_") else main.replace("_", ".").split(".")
    if main.endswith("_"):
        raw[-1] += "_"

    def comps(seg: str) -> list[Any]:
        out: list[Any] = []
        i = 0
        while i < len(seg):
            j = i
            kind = seg[i].isdigit(), seg[i] == "*"
            while j < len(seg) and (seg[j].isdigit(), seg[j] == "*") == kind:
                j += 1
            run = seg[i:j]
            out.append(int(run) if run.isdigit() else float("inf") if run == "post" else "DEV" if run == "dev" else run)
            i = j
        return out if seg[0].isdigit() else [0, *out]

    return [[int(epoch)]] + [comps(r) for r in raw], [
        comps(r) for r in local.replace("_", ".").split(".")
    ] if local else []


def _conda_lt(a: str, b: str) -> bool:
    for t1, t2 in zip(_conda_parts(a), _conda_parts(b), strict=True):
        for v1, v2 in zip_longest(t1, t2, fillvalue=[]):
            for c1, c2 in zip_longest(v1, v2, fillvalue=0):
                if c1 == c2:
                    continue
                if isinstance(c1, str) != isinstance(c2, str):
                    return isinstance(c1, str)
                return bool(c1 < c2)
    return False


@FAST
@given(st.text(max_size=30))
def test_version_parsing_raises_only_our_error(text: str) -> None:
    try:
        v = Version(text)
    except InvalidVersion as err:
        assert err.text == text
    else:
        assert Version(str(v)) == v


@FAST
@given(version_text)
def test_version_str_reparses_equal(text: str) -> None:
    assume(_valid(text))
    v = Version(text)
    assert Version(str(v)) == v and hash(Version(str(v))) == hash(v)


@FAST
@given(valid_version, valid_version, valid_version)
def test_ordering_is_total_transitive_and_conda_s(a: str, b: str, c: str) -> None:
    va, vb, vc = Version(a), Version(b), Version(c)
    assert (va < vb) + (va == vb) + (va > vb) == 1
    assert (va == vb) == (hash(va) == hash(vb)) or va != vb
    if va <= vb <= vc:
        assert va <= vc
    assert (va < vb) == _conda_lt(a, b)
    assert (va == vb) == (not _conda_lt(a, b) and not _conda_lt(b, a))


@FAST
@given(clean_version, clean_version)
def test_spec_match_agrees_with_ordering(a: str, b: str) -> None:
    va, vb = Version(a), Version(b)
    assert VersionSpec(f">={a}").match(b) == (vb >= va)
    assert VersionSpec(f">{a}").match(b) == (vb > va)
    assert VersionSpec(f"<{a}").match(b) == (vb < va)
    assert VersionSpec(f"<={a}").match(b) == (vb <= va)
    assert VersionSpec(f"=={a}").match(b) == (vb == va)
    assert VersionSpec(f"!={a}").match(b) == (vb != va)
    assert VersionSpec(f"={a}").match(b) == vb.startswith(va)
    assert VersionSpec(f">={a},<{b}").match(b) is False
    rec = PackageRecord("pkg", b, "0")
    assert MatchSpec(f"pkg >={a}").match(rec) == (vb >= va)


spec_text = st.lists(
    st.sampled_from(
        [
            "numpy",
            " ",
            " ",
            ">=",
            "<",
            "==",
            "=",
            "!=",
            "~=",
            "1.2",
            "2",
            ".*",
            "*",
            ",",
            "|",
            "(",
            ")",
            "py",
            "_0",
            "[",
            "]",
            "build=",
            "version=",
            "'",
            "::",
            "conda-forge",
            "/",
            "linux-64",
            "@",
            "#",
            "md5=",
            "x",
        ]
    ),
    min_size=1,
    max_size=10,
).map("".join)


@FAST
@given(st.one_of(spec_text, st.text(max_size=30)))
def test_spec_parsing_raises_only_our_errors_and_reparses(text: str) -> None:
    for lenient in (False, True):
        try:
            spec = MatchSpec(text, lenient=lenient)
        except InvalidMatchSpec as err:
            assert isinstance(err, SpecsError)
            continue
        again = MatchSpec(str(spec), lenient=lenient)
        assert again == spec and again.fields == spec.fields


@FAST
@given(st.one_of(spec_text, st.text(max_size=20)))
def test_version_spec_parsing_raises_only_our_error(text: str) -> None:
    try:
        vs = VersionSpec(text)
    except InvalidVersionSpec:
        return
    assert VersionSpec(str(vs)) == vs


@pytest.mark.slow
@pytest.mark.skipif(not os.environ.get("CANTIL_SLOW_TESTS"), reason="the slow profile runs with CANTIL_SLOW_TESTS=1")
@settings(max_examples=5000, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(valid_version, valid_version)
def test_ordering_matches_conda_many(a: str, b: str) -> None:
    assert (Version(a) < Version(b)) == _conda_lt(a, b)


def test_real_versions_sort_in_conda_s_order(real_versions: list[str]) -> None:
    """Every distinct real version (repodata and the conda-forge list), sorted by the tuple keys, is in the order of
    the plain reference above: each neighbour pair is ordered (or equal) as conda orders it, so the whole sequence is,
    the reference being transitive."""
    ordered = sorted(real_versions, key=Version)
    assert len(ordered) > 20_000
    for a, b in pairwise(ordered):
        assert not _conda_lt(b, a), (a, b)
        assert (Version(a) == Version(b)) == (not _conda_lt(a, b)), (a, b)

from __future__ import annotations

import itertools
import pickle

import pytest

from cantil.specs import InvalidVersion, SpecsError, Version, clear_caches

# conda's documented ordering (VersionOrder docstring / CEP 33), each strictly above the previous unless "=="
CONDA_ORDER = """
0.4
== 0.4.0
0.4.1.rc
== 0.4.1.RC
0.4.1
0.5a1
0.5b3
0.5C1
0.5z
0.5
0.9.6
0.960923
1.0
1.1dev1
1.1_
1.1a1
1.1.0dev1
== 1.1.dev1
1.1.a1
1.1.0rc1
1.1.0
== 1.1
1.1.0post1
== 1.1.post1
1.1post1
1996.07.12
1!0.4.1
1!3.1.1.6
2!0.4.1
"""


def _table() -> list[tuple[bool, str]]:
    rows = []
    for line in CONDA_ORDER.strip().splitlines():
        eq = line.startswith("== ")
        rows.append((eq, line[3:] if eq else line))
    return rows


def test_conda_documented_order() -> None:
    rows = _table()
    for (_, prev), (eq, cur) in itertools.pairwise(rows):
        a, b = Version(prev), Version(cur)
        if eq:
            assert a == b and hash(a) == hash(b), (prev, cur)
        else:
            assert a < b and not b < a and a != b, (prev, cur)


def test_sorting_the_table_gives_the_table() -> None:
    texts = [t for _, t in _table()]
    assert sorted(Version(t) for t in reversed(texts)) == [Version(t) for t in texts]


@pytest.mark.parametrize(
    ("lo", "hi"),
    [
        ("1.0.1_", "1.0.1a"),  # openssl: trailing underscore sorts below letters
        ("1.0.1a", "1.0.1"),  # letters are pre-releases
        ("1.0.1f", "1.0.1g"),
        ("1.0dev", "1.0_"),
        ("1.0a", "1.0.dev"),  # a letter segment [0, "a"] sorts below [0, "DEV"] of "1.0.dev"
        ("1.0", "1.0post"),
        ("1.0.post1", "1.1"),
        ("1.0+abc", "1.0+abd"),  # local versions compare after the rest
        ("1.0+9", "1.0+10"),
        ("1.0", "1.0+1"),
        ("1.0+1", "1.0.1"),
        ("1.9", "1.10"),
        ("2.0", "1!0.1"),
        ("1.0a", "1.0a1"),
        ("1.0*", "1.0dev"),  # '*' is the lowest string
    ],
)
def test_pairs(lo: str, hi: str) -> None:
    assert Version(lo) < Version(hi)
    assert Version(hi) > Version(lo)
    assert Version(lo) <= Version(hi) and Version(hi) >= Version(lo)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("1.1", "1.1.0"),
        ("1.1", "1.1.0.0.0"),
        ("1.01", "1.1"),
        ("1.0-1", "1.0_1"),  # dashes read as underscores (no underscore present)
        ("1.0_1", "1.0.1"),
        ("1.0RC1", "1.0rc1"),
        ("0!1.0", "1.0"),
        ("1.0+0", "1.0"),
        ("  1.0 ", "1.0"),
        # the canonical spelling of a key keeps its text as the tail, every other spelling a special one: the
        # two kinds must still be equal, hash alike and sort as equals
        ("1.0.0", "1"),
        ("1.0.0", "1.0"),
        ("0.0.0", "0"),
        ("1.26.4", "1_26_4"),
        ("1.26.4", "01.26.4"),
        ("1.26.4", "1.26.4.0"),
        ("1.26.4", "0!1.26.4"),
        ("1.26.4", "1.26.4+0"),
        ("1.2.3.4", "1.2.3.4.0"),
        ("1.0.0.1", "1.00.0.1"),  # four numbers with zeros, last positive: canonical too
        ("1.0.0.1", "1.0.0.1.0"),
        ("0.9.0.1", "0_9_0_1"),
        ("1.0.0.1", "1.0.0.01"),
        ("2018.5.10.13.50.12", "2018.05.10.13.50.12"),
        ("3.1.20170329", "3.1.20170329.0"),  # a large number: read outside the small-number table
        ("20181201.1.1", "020181201.1.1"),
        ("1.2.3.20170329", "1.2.3.020170329"),
    ],
)
def test_equal_versions_hash_equal(a: str, b: str) -> None:
    assert Version(a) == Version(b) and Version(b) == Version(a)
    assert (Version(a) != Version(b)) is False and (Version(b) != Version(a)) is False
    assert not Version(a) < Version(b) and not Version(b) < Version(a)
    assert Version(a) <= Version(b) and Version(b) >= Version(a)
    assert hash(Version(a)) == hash(Version(b))
    assert len({Version(a), Version(b)}) == 1
    assert sorted([Version(a), Version(b)]) == [Version(a), Version(b)]
    assert (str(Version(a)), str(Version(b))) == (a.strip().lower().replace("-", "_"), b.strip().lower())


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty version string"),
        ("   ", "empty version string"),
        ("1..2", "empty version component"),
        ("1.2.", "empty version component"),
        (".1", "empty version component"),
        ("1.0-1_2", "invalid character(s)"),  # dash and underscore together
        ("1.0 beta", "invalid character(s)"),
        ("1=2", "invalid character(s)"),
        ("a!1.0", "epoch must be an integer"),
        ("1!2!3", "duplicated epoch separator '!'"),
        ("1+2+3", "duplicated local version separator '+'"),
        ("+1", "missing version before the local version separator '+'"),
        ("1!", "missing version before the local version separator '+'"),
        ("1.0+", "empty version component"),
        ("1.2.\udc80", "invalid character(s)"),  # a lone surrogate (no UTF-8 spelling) in the plain-number shape
        ("\udc80", "invalid character(s)"),
        ("1.2.3\u00e9", "invalid character(s)"),
        ("1.2.\u0663", "invalid character(s)"),  # an Arabic-Indic digit: a digit to str.isdigit, not to conda
    ],
)
def test_invalid_versions_quote_the_input(text: str, reason: str) -> None:
    with pytest.raises(InvalidVersion) as info:
        Version(text)
    err = info.value
    assert isinstance(err, ValueError) and isinstance(err, SpecsError)
    assert err.text == text and err.reason == reason
    assert str(err) == f'invalid version "{text}": {reason}'


@pytest.mark.parametrize("text", ["_.22_", "_._", "1_.1_", "_.1", "_.1_"])
def test_validity_does_not_depend_on_what_was_parsed_before(text: str) -> None:
    """'_' and '22_' are valid segments at the end of a version only ('1._', '1.22_'): having parsed those must not
    make a text valid that conda rejects (segments are cached; a cached segment once skipped the check)."""
    clear_caches()
    with pytest.raises(InvalidVersion):
        Version(text)
    for valid in ("1._", "1.22_", "1.0.1_", "1.*", "2.a_"):
        Version(valid)
    with pytest.raises(InvalidVersion):
        Version(text)


def test_str_is_normalised_and_reparses_equal() -> None:
    for text in ["1.0-RC1", "1!2.0+Local_1", "1.0.1_", "2.3.POST1"]:
        v = Version(text)
        assert str(v) == text.lower().replace("-", "_")
        assert Version(str(v)) == v
    assert repr(Version("1.2")) == 'Version("1.2")'


def test_equal_versions_keep_their_own_text() -> None:
    # equal keys, different spellings: each Version still gives back its own (normalised) text
    spellings = ["1.1", "1.1.0", "1.01", "1_1", "0!1.1", "1.1+0", "1.1.0.0.0.0"]
    versions = [Version(s) for s in spellings]
    assert len(set(versions)) == 1
    assert [str(v) for v in versions] == spellings
    assert sorted(versions) == versions  # equal: the sort keeps their order
    long = "2024.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1"
    assert str(Version(long)) == long


def test_pickle_round_trip() -> None:
    v = Version("1!2.0rc1+abc")
    assert pickle.loads(pickle.dumps(v)) == v


def test_epoch_and_local() -> None:
    assert Version("3!1.0+x.1").epoch == 3
    assert Version("1.0+x.1").local == "x.1"
    assert Version("1.0").local is None


@pytest.mark.parametrize(
    ("version", "prefix", "expected"),
    [
        ("1.2.3", "1.2", True),
        ("1.2", "1.2", True),
        ("1.20", "1.2", False),
        ("1.2a", "1.2", True),  # conda: the letter run follows the matching number
        ("1.2", "1.2a", False),
        ("1.2alpha", "1.2a", True),
        ("1.3", "1.2", False),
        ("1", "1.0", True),  # missing components are zeros
        ("2!1.2", "1.2", False),
        ("1.2+x", "1.2+x", True),
        ("1.2+y", "1.2+x", False),
    ],
)
def test_startswith(version: str, prefix: str, expected: bool) -> None:
    assert Version(version).startswith(Version(prefix)) is expected


def test_not_a_string() -> None:
    with pytest.raises(InvalidVersion):
        Version(12)  # type: ignore[arg-type]


def test_comparison_with_other_types_is_refused() -> None:
    with pytest.raises(TypeError):
        _ = Version("1.0") < "1.1"  # type: ignore[operator]
    assert Version("1.0") != "1.0"

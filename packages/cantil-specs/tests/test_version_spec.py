from __future__ import annotations

import pytest

from cantil.specs import InvalidVersionSpec, Version, VersionSpec

# (spec, version, expected) from conda's documentation of package match specifications and its test suite's cases
CASES = [
    ("1.2", "1.2", True),
    ("1.2", "1.2.0", True),
    ("1.2", "1.2.1", False),
    ("==1.2", "1.2.0", True),
    ("!=1.2", "1.2.0", False),
    ("!=1.2", "1.3", True),
    (">=1.2", "1.2", True),
    (">=1.2", "1.2a", False),
    (">1.2", "1.2.0", False),
    (">1.2", "1.2.0.1", True),
    ("<1.2", "1.2rc1", True),
    ("<=1.2", "1.2", True),
    ("1.2.*", "1.2", True),
    ("1.2.*", "1.2.3", True),
    ("1.2.*", "1.20", False),
    ("1.2*", "1.2.3", True),
    ("=1.2", "1.2.3", True),
    ("=1.2", "1.3", False),
    ("1.*.1", "1.0.1", True),
    ("1.*.1", "1.0.2", False),
    ("*", "0.0.1", True),
    ("~=1.2.3", "1.2.3", True),
    ("~=1.2.3", "1.2.9", True),
    ("~=1.2.3", "1.3.0", False),
    ("~=1.2.3", "1.2.2", False),
    ("~=1.2", "1.9", True),
    ("~=1.2", "2.0", False),
    ("!=1.2.*", "1.2.3", False),
    ("!=1.2.*", "1.3", True),
    (">=1.2.*", "1.2", True),  # '.*' after >= is dropped
    ("==1.2.*", "1.2.3", False),  # conda ignores '.*' after '==' (rattler reads it as a prefix)
    (">=1,<2", "1.5", True),
    (">=1,<2", "2.0", False),
    (">=1,<2|>3", "4", True),
    (">=1,<2|>3", "2.5", False),
    ("1.0|1.2,>1.1", "1.2", True),  # ',' binds tighter than '|'
    ("1.0|1.2,>1.1", "1.0", True),
    ("(1.0|1.2),>1.1", "1.0", False),
    ("((1.5|((1.6|1.7), 1.8), 1.9 |2.0))|2.1", "2.1", True),
    ("^1\\.2\\..*$", "1.2.7", True),
    ("^1\\.2\\..*$", "1.3.7", False),
    ("^(1\\.2|1\\.3)$", "1.3", True),
    ("1.0+abc", "1.0+ABC", True),
    ("1.0.*", "1", True),  # missing components are zeros
    ("0.16.0.*", "0.16.1", False),
    ("0.16.0.*", "0.16", True),
    ("0.16.0.*", "0.16.0.1", True),
    ("1.2@foo", "1.2@foo", True),
    ("1.2@foo", "1.2", False),
    (">=1.0a0", "1.0a1", True),
    ("<2.0a0", "1.99", True),
    ("<2.0a0", "2.0.dev1", False),
]


@pytest.mark.parametrize(("spec", "version", "expected"), CASES)
def test_match(spec: str, version: str, expected: bool) -> None:
    vs = VersionSpec(spec)
    assert vs.match(version) is expected
    if "@" not in version:
        assert vs.match(Version(version)) is expected


@pytest.mark.parametrize(
    ("spec", "canonical"),
    [
        ("1.2*", "1.2.*"),
        (">= 1.2 , < 2", ">=1.2,<2"),
        ("1.0|1.2,>1.1", "1.0|(1.2,>1.1)"),
        ("(1.0|1.2),>1.1", "(1.0|1.2),>1.1"),
        ("((1.5|((1.6|1.7), 1.8), 1.9 |2.0))|2.1", "1.5|((1.6|1.7),1.8,1.9)|2.0|2.1"),
        ("*", "*"),
    ],
)
def test_canonical_str_reparses_equal(spec: str, canonical: str) -> None:
    vs = VersionSpec(spec)
    assert str(vs) == canonical
    assert VersionSpec(str(vs)) == vs
    assert hash(VersionSpec(str(vs))) == hash(vs)


@pytest.mark.parametrize(
    "spec",
    [
        "",
        ">>1",
        "=>1",
        "<",
        "~=1.2.*",
        "~=1",
        "1.2,",
        "|1.2",
        "(1.2",
        "1.2)",
        "1.2 (1.3)",
        "^1.2",
        "1.2$",
        ">=1..2",
        "!1.2",
        "~1.2",
        "()",
        "1,,2",
        ">=1.0 beta",
    ],
)
def test_invalid_specs_raise_with_the_input(spec: str) -> None:
    with pytest.raises(InvalidVersionSpec) as info:
        VersionSpec(spec)
    assert info.value.text == spec
    assert str(info.value).startswith(f'invalid version spec "{spec}": ')


def test_matches_all_and_is_exact() -> None:
    assert VersionSpec("*").matches_all
    assert VersionSpec(">=1|*").matches_all
    assert not VersionSpec(">=1").matches_all
    assert VersionSpec("1.2").is_exact and VersionSpec("==1.2").is_exact
    assert not VersionSpec("1.2.*").is_exact


def test_unreadable_version_matches_only_star() -> None:
    assert VersionSpec("*").match("not a version!")
    assert not VersionSpec(">=1").match("not a version!")

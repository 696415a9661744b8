from __future__ import annotations

import pytest

from cantil.specs import InvalidMatchSpec, MatchSpec, PackageRecord, SpecsError, parse_depends

NUMPY = PackageRecord(
    "numpy",
    "1.26.4",
    "py312h8753938_0",
    0,
    channel="conda-forge",
    subdir="linux-64",
    md5="0123456789abcdef0123456789abcdef",
    license="BSD-3-Clause",
    depends=("python >=3.12,<3.13.0a0",),
)

# (spec, fields) from conda's MatchSpec documentation and CEP 29 examples
PARSE = [
    ("numpy", {"name": "numpy"}),
    ("numpy 1.8*", {"name": "numpy", "version": "1.8.*"}),
    ("numpy 1.8.1", {"name": "numpy", "version": "1.8.1"}),
    ("numpy >=1.8,<2", {"name": "numpy", "version": ">=1.8,<2"}),
    ("numpy=1.8", {"name": "numpy", "version": "1.8.*"}),
    ("numpy==1.8", {"name": "numpy", "version": "1.8"}),
    ("numpy=1.8=py27_0", {"name": "numpy", "version": "1.8", "build": "py27_0"}),
    ("numpy==1.8=py27_0", {"name": "numpy", "version": "==1.8", "build": "py27_0"}),
    ("numpy 1.8 py27_0", {"name": "numpy", "version": "1.8", "build": "py27_0"}),
    ("numpy 1.8.* *_cp312", {"name": "numpy", "version": "1.8.*", "build": "*_cp312"}),
    ("numpy >=1.0 , < 2.0 py34_0", {"name": "numpy", "version": ">=1.0,<2.0", "build": "py34_0"}),
    ("numpy >=1.0 , < 2.0 =py34_0", {"name": "numpy", "version": ">=1.0,<2.0", "build": "py34_0"}),
    ("numpy >1.8,<2|==1.7", {"name": "numpy", "version": "(>1.8,<2)|==1.7"}),
    ("numpy * openblas_0", {"name": "numpy", "version": "*", "build": "openblas_0"}),
    ("conda-forge::numpy", {"name": "numpy", "channel": "conda-forge"}),
    (
        "conda-forge/linux-64::numpy 1.2",
        {"name": "numpy", "channel": "conda-forge", "subdir": "linux-64", "version": "1.2"},
    ),
    ("https://conda.anaconda.org/conda-forge::numpy", {"name": "numpy", "channel": "conda-forge"}),
    ("numpy[version='1.8.*', build=py27_0]", {"name": "numpy", "version": "1.8.*", "build": "py27_0"}),
    ("numpy 1.7 [version='1.8.*']", {"name": "numpy", "version": "1.8.*"}),  # brackets override
    ("numpy[channel=conda-forge/noarch]", {"name": "numpy", "channel": "conda-forge", "subdir": "noarch"}),
    ("defaults::numpy[channel=conda-forge]", {"name": "numpy", "channel": "conda-forge"}),
    ('numpy[build_number=">=3"]', {"name": "numpy", "build_number": ">=3"}),
    ("numpy[md5=abc, license='BSD 3']", {"name": "numpy", "md5": "abc", "license": "BSD 3"}),
    ("*[track_features=mkl]", {"name": "*", "track_features": "mkl"}),
    ("mkl@", {"name": "*", "track_features": "mkl"}),
    ("NumPy", {"name": "numpy"}),
    ("numpy-*", {"name": "numpy-*"}),
    (
        "https://conda.anaconda.org/conda-forge/linux-64/numpy-1.26.4-py312h8753938_0.conda",
        {
            "name": "numpy",
            "version": "1.26.4",
            "build": "py312h8753938_0",
            "channel": "conda-forge",
            "subdir": "linux-64",
            "fn": "numpy-1.26.4-py312h8753938_0.conda",
            "url": "https://conda.anaconda.org/conda-forge/linux-64/numpy-1.26.4-py312h8753938_0.conda",
        },
    ),
    (
        "https://example.com/files/foo-1.0-0.tar.bz2",
        {"name": "*", "fn": "foo-1.0-0.tar.bz2", "url": "https://example.com/files/foo-1.0-0.tar.bz2"},
    ),
]


@pytest.mark.parametrize(("text", "fields"), PARSE)
def test_parse(text: str, fields: dict[str, str]) -> None:
    spec = MatchSpec(text)
    assert spec.fields == fields
    assert MatchSpec(str(spec)) == spec
    assert MatchSpec(str(spec)).fields == fields


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("numpy", True),
        ("NUMPY", True),
        ("numpy 1.26.*", True),
        ("numpy=1.26", True),
        ("numpy 1.2.*", False),
        ("numpy >=1.20,<2", True),
        ("numpy >=2", False),
        ("numpy 1.26.4 py312*", True),
        ("numpy 1.26.4 py311*", False),
        ("numpy=1.26.4=py312h8753938_0", True),
        ("num*", True),
        ("*", True),
        ("scipy", False),
        ("conda-forge::numpy", True),
        ("https://conda.anaconda.org/conda-forge::numpy", True),
        ("pkgs/main::numpy", False),
        ("defaults::numpy", False),
        ("conda-forge/linux-64::numpy", True),
        ("conda-forge/osx-64::numpy", False),
        ("numpy[build_number=0]", True),
        ("numpy[build_number='>=1']", False),
        ("numpy[md5=0123456789abcdef0123456789abcdef]", True),
        ("numpy[md5=ffff]", False),
        ("numpy[license=bsd-3-clause]", True),  # case-insensitive
        ("numpy[license=BSD*]", True),
        ("numpy[license=GPL*]", False),
        ("numpy[track_features=mkl]", False),
        ("numpy[subdir=linux-64]", True),
        ("numpy[fn=numpy-1.26.4-py312h8753938_0.conda]", True),
    ],
)
def test_match_record(text: str, expected: bool) -> None:
    assert MatchSpec(text).match(NUMPY) is expected


def test_match_repodata_dict() -> None:
    d = {"name": "mkl", "version": "2024.0", "build": "h1", "build_number": 2, "track_features": "mkl avx"}
    assert MatchSpec("mkl >=2024").match(d)
    assert MatchSpec("*[track_features='avx mkl']").match(d)
    assert not MatchSpec("mkl@").match(d)
    assert MatchSpec("mkl[build_number='>1']").match(d)


def test_defaults_matches_its_members() -> None:
    rec = PackageRecord("zlib", "1.2.13", "h0", channel="pkgs/main", subdir="linux-64")
    assert MatchSpec("defaults::zlib").match(rec)
    rec_url = PackageRecord("zlib", "1.2.13", "h0", channel="https://repo.anaconda.com/pkgs/main")
    assert MatchSpec("defaults::zlib").match(rec_url)
    assert MatchSpec("pkgs/main::zlib").match(rec_url)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty spec"),
        (">=1.0", "no package name"),
        ("numpy >=1.0.0.", "bad version '>=1.0.0.'"),
        ("numpy[version=1.0", "unbalanced brackets"),
        ("numpy[foo=bar]", "unknown key(s) in brackets: foo"),
        ("numpy[version]", "expected key=value in brackets"),
        ("numpy[version='1.0]", "unterminated quote"),
        ("numpy==", "operator '==' without a version"),
        ("numpy >=", "operator '>=' without a version"),
        ("numpy # comment", "'#' comments are not allowed"),
        ("a:b", "a single ':'"),
        ("num$py", "invalid character in package name"),
        ("numpy[build_number=x]", "invalid build_number 'x'"),
    ],
)
def test_strict_errors_quote_the_input(text: str, reason: str) -> None:
    with pytest.raises(InvalidMatchSpec) as info:
        MatchSpec(text)
    assert info.value.text == text
    assert reason in info.value.reason
    assert isinstance(info.value, ValueError) and isinstance(info.value, SpecsError)
    assert "\n" not in str(info.value)


def test_lenient_accepts_what_channel_data_holds() -> None:
    assert MatchSpec("numpy # comment", lenient=True) == MatchSpec("numpy")
    assert MatchSpec("numpy[foo=bar]", lenient=True).get("foo") == "bar"
    assert parse_depends("python >=2.7,<2.8.0a0,") == MatchSpec("python >=2.7,<2.8.0a0")
    assert parse_depends("python >=3.8 if __unix") == MatchSpec("python >=3.8")


def test_parse_depends_interns() -> None:
    assert parse_depends("zlib >=1.2.13,<2.0a0") is parse_depends("zlib >=1.2.13,<2.0a0")


def test_accessors() -> None:
    s = MatchSpec("conda-forge/linux-64::numpy >=1.2 py*[build_number='>=3', md5=abc]")
    assert s.name == "numpy" and str(s.version) == ">=1.2" and s.build == "py*"
    assert s.build_number == ">=3" and s.subdir == "linux-64" and s.get("md5") == "abc"
    assert s.channel is not None and s.channel.name == "conda-forge"
    assert s.get("sha256") is None and s.get("sha256", "x") == "x"
    assert MatchSpec("numpy").is_name_only() and not s.is_name_only()
    assert repr(MatchSpec("numpy 1.2")) == "MatchSpec('numpy 1.2')"


def test_merge() -> None:
    merged = MatchSpec.merge(["numpy >=1.20", "numpy <2", "scipy", "numpy 1.26.* py*", "mkl@"])
    by_name = {m.name: m for m in merged}
    assert str(by_name["numpy"].version) == ">=1.20,<2,1.26.*"
    assert by_name["numpy"].build == "py*"
    assert by_name["numpy"].match(NUMPY)
    assert "scipy" in by_name and any(m.get("track_features") == "mkl" for m in merged)
    assert str(MatchSpec.merge(["numpy * py3*", "numpy * py312h8753938_0"])[0].build) == "py312h8753938_0"
    with pytest.raises(InvalidMatchSpec):
        MatchSpec.merge(["conda-forge::numpy", "pkgs/main::numpy"])
    with pytest.raises(InvalidMatchSpec):
        MatchSpec.merge(["numpy 1.2 py3*", "numpy 1.2 np1"])


def test_from_fields() -> None:
    s = MatchSpec.from_fields(name="numpy", version=">=1.2", build_number=">=3", track_features=("a", "b"))
    assert s == MatchSpec("numpy >=1.2[build_number='>=3',track_features='a b']")

from __future__ import annotations

import json
import pickle

import pytest

from cantil.specs import InvalidRecord, PackageRecord, PrefixRecord, RecordSource, Version

REPODATA_ENTRY = {
    "build": "py312h8753938_0",
    "build_number": 0,
    "depends": ["libgcc-ng >=12", "python >=3.12,<3.13.0a0"],
    "constrains": ["numpy-base <0a0"],
    "license": "BSD-3-Clause",
    "license_family": "BSD",
    "md5": "0123456789abcdef0123456789abcdef",
    "name": "numpy",
    "sha256": "ab" * 32,
    "size": 7000000,
    "subdir": "linux-64",
    "timestamp": 1707225000000,
    "version": "1.26.4",
    "track_features": "mkl avx",
    "arch": "x86_64",
    "platform": "linux",
}


def test_from_repodata_keeps_every_field() -> None:
    fn = "numpy-1.26.4-py312h8753938_0.conda"
    r = PackageRecord.from_repodata(
        fn, REPODATA_ENTRY, channel="conda-forge", base_url="https://conda.anaconda.org/conda-forge"
    )
    assert r.name == "numpy" and r.version == "1.26.4" and r.build_number == 0
    assert r.depends == ("libgcc-ng >=12", "python >=3.12,<3.13.0a0")
    assert r.constrains == ("numpy-base <0a0",)
    assert r.track_features == ("mkl", "avx") and r.features == ()
    assert r.url == f"https://conda.anaconda.org/conda-forge/linux-64/{fn}"
    assert r.extra == {"arch": "x86_64", "platform": "linux"}
    assert r.key == ("conda-forge", "linux-64", "numpy", "1.26.4", 0, "py312h8753938_0")
    assert r.dist_name == "numpy-1.26.4-py312h8753938_0"
    assert r.version_obj == Version("1.26.4") and r.version_obj is r.version_obj
    assert type(r) is PackageRecord
    with pytest.raises(AttributeError):
        r.name = "other"  # type: ignore[misc]
    d = r.to_dict()
    for k, v in REPODATA_ENTRY.items():
        assert d[k] == v, k


def test_run_constrained_is_read_as_constrains() -> None:
    r = PackageRecord.from_repodata(
        "a-1-0.tar.bz2", {"name": "a", "version": "1", "build": "0", "run_constrained": ["b <2"]}
    )
    assert r.constrains == ("b <2",)


def test_frozen() -> None:
    r = PackageRecord("a", "1.0", "0")
    with pytest.raises(AttributeError):
        r.name = "b"  # type: ignore[misc]
    assert r.replace(name="b").name == "b" and r.name == "a"


def test_missing_field_is_a_clear_error() -> None:
    with pytest.raises(InvalidRecord) as info:
        PackageRecord.from_repodata("x-1-0.conda", {"name": "x", "version": "1"})
    assert "missing field 'build'" in str(info.value) and "x-1-0.conda" in str(info.value)


def test_equality_is_identity_key() -> None:
    a = PackageRecord("a", "1.0", "0", channel="c", subdir="noarch", md5="1")
    b = PackageRecord("a", "1.0", "0", channel="c", subdir="noarch", md5="2")
    assert a == b and hash(a) == hash(b)
    assert a != PackageRecord("a", "1.0", "1", channel="c", subdir="noarch")


def test_pickle() -> None:
    r = PackageRecord.from_repodata("numpy-1.26.4-py312h8753938_0.conda", REPODATA_ENTRY, channel="conda-forge")
    r2 = pickle.loads(pickle.dumps(r))
    assert r2 == r and r2.extra == r.extra and r2.md5 == r.md5


# the shape conda writes into <prefix>/conda-meta/<dist>.json
CONDA_META = {
    "build": "h4ab18f5_1",
    "build_number": 1,
    "channel": "https://conda.anaconda.org/conda-forge/linux-64",
    "constrains": ["zlib 1.3.1 *_1"],
    "depends": ["libgcc-ng >=12"],
    "extracted_package_dir": "/opt/conda/pkgs/libzlib-1.3.1-h4ab18f5_1",
    "features": "",
    "files": ["lib/libz.so", "lib/libz.so.1"],
    "fn": "libzlib-1.3.1-h4ab18f5_1.conda",
    "license": "Zlib",
    "link": {"source": "/opt/conda/pkgs/libzlib-1.3.1-h4ab18f5_1", "type": 1},
    "md5": "57d7dc60e9325e3de37ff8dffd18e814",
    "name": "libzlib",
    "package_tarball_full_path": "/opt/conda/pkgs/libzlib-1.3.1-h4ab18f5_1.conda",
    "paths_data": {
        "paths": [{"_path": "lib/libz.so", "path_type": "softlink", "size_in_bytes": 14}],
        "paths_version": 1,
    },
    "requested_spec": "None",
    "sha256": "adf6c1ffc0f2baaa6d2ccb3aa2ede8a2c2a10a5d3d4c4ec3ab8b48bf4ee1ae61",
    "size": 61574,
    "subdir": "linux-64",
    "timestamp": 1716874197304,
    "track_features": "",
    "url": "https://conda.anaconda.org/conda-forge/linux-64/libzlib-1.3.1-h4ab18f5_1.conda",
    "version": "1.3.1",
}


def test_prefix_record_reads_and_writes_conda_meta() -> None:
    r = PrefixRecord.from_dict(json.loads(json.dumps(CONDA_META)))
    assert r.channel == "conda-forge" and r.subdir == "linux-64"
    assert r.files == ("lib/libz.so", "lib/libz.so.1")
    assert r.link == {"source": "/opt/conda/pkgs/libzlib-1.3.1-h4ab18f5_1", "type": 1}
    assert r.requested_spec == "None" and r.requested_specs == ()
    assert r.paths_data["paths"][0]["_path"] == "lib/libz.so"
    out = r.to_dict()
    for k, v in CONDA_META.items():
        assert out[k] == v, k
    assert PrefixRecord.from_dict(out) == r


def test_prefix_record_from_record() -> None:
    base = PackageRecord("a", "1", "0", channel="c", subdir="noarch")
    p = PrefixRecord.from_record(base, files=["x"], requested_specs=["a >=1"])
    assert isinstance(p, PackageRecord) and p == base and p.files == ("x",)
    assert p.requested_specs == ("a >=1",)
    with pytest.raises(TypeError):
        PrefixRecord.from_record(base, bogus=1)
    with pytest.raises(InvalidRecord):
        PrefixRecord.from_dict({"name": "a", "version": "1"})


class _ListSource:
    def __init__(self, recs: list[PackageRecord]) -> None:
        self._recs = recs

    def records(self, name: str) -> list[PackageRecord]:
        return [r for r in self._recs if r.name == name]

    def priority(self, record: PackageRecord) -> int:
        return 0

    def prefetch(self, names: object) -> None:
        return None


def test_record_source_protocol() -> None:
    assert isinstance(_ListSource([]), RecordSource)
    assert not isinstance(object(), RecordSource)

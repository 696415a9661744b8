from __future__ import annotations

import json
from pathlib import Path

import pytest

from cantil.specs import PackageRecord
from cantil_tools.channel import load_channel
from cantil_tools.errors import ChannelError

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "data"


def _write(path: Path, repodata: dict) -> None:  # type: ignore[type-arg]
    path.mkdir(parents=True, exist_ok=True)
    (path / "repodata.json").write_text(json.dumps(repodata))


REC = {"name": "a", "version": "1.0", "build": "0", "build_number": 0, "depends": ["b"]}


def test_reads_real_defaults_index4() -> None:
    source = load_channel(DATA / "repodata" / "defaults-index4")
    manifest = json.loads((DATA / "repodata" / "MANIFEST.json").read_text())
    assert len(source) == 5643
    assert len(source.names()) == 814
    numpy = source.records("numpy")
    assert numpy and all(isinstance(r, PackageRecord) and r.name == "numpy" for r in numpy)
    assert {r.subdir for r in numpy} <= {"linux-64", "noarch"}
    assert all(source.priority(r) == 0 for r in numpy)
    assert numpy[0].url.startswith((DATA / "repodata" / "defaults-index4").resolve().as_uri() + "/")
    assert manifest  # the manifest exists beside the data


def test_subdir_filled_in_when_missing(tmp_path: Path) -> None:
    _write(tmp_path / "linux-64", {"info": {"subdir": "linux-64"}, "packages": {"a-1.0-0.tar.bz2": REC}})
    (rec,) = load_channel(tmp_path).records("a")
    assert rec.subdir == "linux-64" and rec.fn == "a-1.0-0.tar.bz2"
    assert rec.url == f"{tmp_path.resolve().as_uri()}/linux-64/a-1.0-0.tar.bz2"


def test_conda_preferred_over_tar_bz2(tmp_path: Path) -> None:
    _write(tmp_path / "noarch", {"info": {"subdir": "noarch"},
                                 "packages": {"a-1.0-0.tar.bz2": {**REC, "md5": "bz2"},
                                              "a-0.9-0.tar.bz2": {**REC, "version": "0.9"}},
                                 "packages.conda": {"a-1.0-0.conda": {**REC, "md5": "conda"}}})
    records = load_channel(tmp_path).records("a")
    assert sorted(r.fn for r in records) == ["a-0.9-0.tar.bz2", "a-1.0-0.conda"]
    only = load_channel(tmp_path, use_only_tar_bz2=True).records("a")
    assert sorted(r.fn for r in only) == ["a-0.9-0.tar.bz2", "a-1.0-0.tar.bz2"]


@pytest.mark.parametrize(("base_url", "expected"), [
    ("https://mirror.example/pkgs/noarch/", "https://mirror.example/pkgs/noarch/a-1.0-0.conda"),
    ("../packages", "{chan}/packages/a-1.0-0.conda"),
])
def test_base_url_honoured(tmp_path: Path, base_url: str, expected: str) -> None:
    _write(tmp_path / "noarch", {"info": {"subdir": "noarch", "base_url": base_url}, "repodata_version": 2,
                                 "packages.conda": {"a-1.0-0.conda": REC}})
    (rec,) = load_channel(tmp_path).records("a")
    assert rec.url == expected.format(chan=tmp_path.resolve().as_uri())


def test_priority_follows_folder_order(tmp_path: Path) -> None:
    _write(tmp_path / "one" / "noarch", {"info": {"subdir": "noarch"}, "packages": {"a-1.0-0.tar.bz2": REC}})
    _write(tmp_path / "two" / "noarch", {"info": {"subdir": "noarch"}, "packages": {"a-2.0-0.tar.bz2": {**REC, "version": "2.0"}}})
    source = load_channel([tmp_path / "one", tmp_path / "two"], channels=["one", "two"])
    records = source.records("a")
    assert [(r.channel, r.version, source.priority(r)) for r in records] == [("one", "1.0", 0), ("two", "2.0", 1)]
    assert source.records("missing") == ()


def test_reads_a_built_sample_channel(sample_channel: Path) -> None:
    source = load_channel(sample_channel)
    assert len(source) >= 30
    assert {r.subdir for r in source.all_records()} == {"linux-64", "noarch"}
    assert all(r.fn.endswith(".conda") for r in source.all_records())


def test_bad_repodata_is_a_channel_error(tmp_path: Path) -> None:
    (tmp_path / "noarch").mkdir()
    (tmp_path / "noarch" / "repodata.json").write_text("<html>")
    with pytest.raises(ChannelError, match="unreadable repodata"):
        load_channel(tmp_path)
    with pytest.raises(ChannelError, match="no such channel folder"):
        load_channel(tmp_path / "nope")

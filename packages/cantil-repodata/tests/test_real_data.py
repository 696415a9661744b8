"""Real repodata from ../shared/data: the CEP 16 sharded conda-format-repo, and large snapshots of defaults."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from cantil.repodata import Index
from cantil.repodata._prepared import PreparedIndex, build_prepared, group_by_name, group_rows
from cantil.repodata._records import make_records
from cantil.repodata._shards import parse_shard, parse_shard_index, shard_ok
from cantil_tools.server import ChannelServer

IndexFor = Callable[..., Index]
ZLIB_CONDA_SHA256 = "f33afff2144e1d6c4cf2e3e184937db8bf825b4537df74662aea5ee207b6a31b"
ZLIB_BZ2_SHA256 = "1f07873d6aa0cd18760a7b215d9956f7fa63c2f2761b03f293c659fe982923fa"


@pytest.fixture(scope="module")
def format_repo(data_dir: Path) -> Path:
    return data_dir / "channels" / "conda-format-repo"


def test_real_shard_index_and_shards_parse(format_repo: Path) -> None:
    sub = format_repo / "linux-64"
    index = parse_shard_index((sub / "repodata_shards.msgpack.zst").read_bytes(), sub.as_uri() + "/x")
    assert set(index.shards) == {"zlib", "libgcc-ng"}
    hexdigest = index.shard_hex("zlib")
    assert hexdigest is not None
    raw = (sub / f"{hexdigest}.msgpack.zst").read_bytes()
    assert shard_ok(raw, hexdigest)
    shard = parse_shard(raw)
    assert shard["packages.conda"]["zlib-1.2.11-h7b6447c_3.conda"]["sha256"] == ZLIB_CONDA_SHA256
    assert not shard_ok(raw, "0" * 64)


def test_truncated_shard_is_rejected(format_repo: Path) -> None:
    sub = format_repo / "linux-64"
    raw = next(p for p in sub.glob("*.msgpack.zst") if not p.name.startswith("repodata")).read_bytes()
    with pytest.raises(ValueError, match="zstd"):
        parse_shard(raw[:-3])


@pytest.mark.parametrize("transport", ["http", "file"])
def test_real_sharded_channel(format_repo: Path, cache_dir: Path, index_for: IndexFor, transport: str) -> None:
    def check(url: str, srv: ChannelServer | None) -> None:
        idx = index_for(url, cache_dir, subdirs=("linux-64", "noarch"))
        (zlib,) = idx.records("zlib")
        assert zlib.fn == "zlib-1.2.11-h7b6447c_3.conda" and zlib.sha256 == ZLIB_CONDA_SHA256
        assert zlib.url == f"{url}/linux-64/zlib-1.2.11-h7b6447c_3.conda"
        assert zlib.depends == ("libgcc-ng >=7.3.0",) and zlib.size == 105917 and zlib.subdir == "linux-64"
        assert idx.closure(["zlib"]) == {"zlib", "libgcc-ng"}
        assert {s.subdir: s.shards is not None for s in idx.sources} == {"linux-64": True, "noarch": False}
        if srv is not None:
            shard_gets = [e for e in srv.requests() if e.path.startswith("linux-64/") and len(e.path) > 70]
            assert len(shard_gets) == 2, srv.log_text()          # zlib and libgcc-ng, once each
        tar = index_for(url, cache_dir / "tar", use_only_tar_bz2=True)
        assert [r.sha256 for r in tar.records("zlib")] == [ZLIB_BZ2_SHA256]
        mono = index_for(url, cache_dir / "mono", shards=False)
        assert [r.to_dict() for r in mono.records("zlib")] == [r.to_dict() for r in idx.records("zlib")]

    if transport == "file":
        check(format_repo.as_uri(), None)
        return
    with ChannelServer(format_repo) as srv:
        check(srv.url, srv)


@pytest.mark.parametrize("dataset", ["defaults-index4/linux-64", "conda-forge-numpy/linux-64", "pytorch/linux-64"])
def test_prepared_index_answers_like_the_json(data_dir: Path, tmp_path: Path, dataset: str) -> None:
    src = data_dir / "repodata" / dataset / "repodata.json"
    data = json.loads(src.read_bytes())
    st = src.stat()
    build_prepared(data, tmp_path / "x.idx", source_size=st.st_size, source_mtime_ns=st.st_mtime_ns)
    pi = PreparedIndex(tmp_path / "x.idx")
    groups = group_rows(data)
    assert pi.matches(st.st_size, st.st_mtime_ns, False) and not pi.matches(st.st_size + 1, st.st_mtime_ns, False)
    assert pi.names() == sorted(groups, key=str.encode)
    for name, rows in groups.items():
        assert list(pi.get(name)) == rows
    assert pi.get("no-such-package") == () and "no-such-package" not in pi
    conda = data.get("packages.conda", {})
    expected = len(conda) + sum(1 for fn in data["packages"] if fn[:-8] + ".conda" not in conda)
    assert sum(len(p) for _, p in pi.items()) == expected


def test_damaged_prepared_index_is_refused(data_dir: Path, tmp_path: Path) -> None:
    data = json.loads((data_dir / "repodata" / "conda-test" / "noarch" / "repodata.json").read_bytes())
    build_prepared(data, tmp_path / "x.idx", source_size=1, source_mtime_ns=1)
    raw = (tmp_path / "x.idx").read_bytes()
    for bad in (raw[:-1], raw[:30], b"NOTMAGIC" + raw[8:]):
        (tmp_path / "bad.idx").write_bytes(bad)
        with pytest.raises(ValueError):
            PreparedIndex(tmp_path / "bad.idx")


def test_conda_preferred_over_tar_bz2(data_dir: Path) -> None:
    data = json.loads((data_dir / "repodata" / "conda-forge-numpy" / "linux-64" / "repodata.json").read_bytes())
    both = {fn[:-6] for fn in data["packages.conda"]} & {fn[:-8] for fn in data["packages"]}
    groups = group_by_name(data)
    fns = {fn for pairs in groups.values() for fn, _ in pairs}
    assert all(f"{stem}.conda" in fns and f"{stem}.tar.bz2" not in fns for stem in both)
    only_tar = group_by_name(data, use_only_tar_bz2=True)
    assert all(fn.endswith(".tar.bz2") for pairs in only_tar.values() for fn, _ in pairs)


def test_large_real_channel_over_http(data_dir: Path, tmp_path: Path, cache_dir: Path, index_for: IndexFor) -> None:
    """defaults-index4 (5,600 records) served as a plain channel: every record comes back once, per name."""
    import shutil

    root = tmp_path / "defaults"
    for sub in ("linux-64", "noarch"):
        (root / sub).mkdir(parents=True)
        shutil.copy(data_dir / "repodata" / "defaults-index4" / sub / "repodata.json", root / sub)
    with ChannelServer(root) as srv:
        idx = index_for(srv.url, cache_dir)
        names = idx.names()
        total = sum(len(idx.records(n)) for n in names)
        closure = idx.closure(["numpy"])
    expected = sum(len(json.loads((root / s / "repodata.json").read_bytes())["packages"]) for s in ("linux-64", "noarch"))
    assert total == expected
    assert {"numpy", "python", "openssl"} <= closure
    assert all(r.url.startswith(f"{srv.url}/") for r in idx.records("numpy"))


@pytest.mark.parametrize("dataset", ["defaults-index4/linux-64", "conda-forge-numpy/linux-64", "pytorch/linux-64",
                                     "r/linux-64", "defaults-index5/win-64", "main-noarch/noarch"])
def test_fast_records_equal_specs_from_repodata(data_dir: Path, dataset: str) -> None:
    """Our record builder gives exactly what cantil.specs' PackageRecord.from_repodata gives, on real data."""
    from cantil.specs import PackageRecord

    data = json.loads((data_dir / "repodata" / dataset / "repodata.json").read_bytes())
    subdir = dataset.rsplit("/", 1)[1]
    base = "https://example.invalid/chan/" + subdir + "/"
    for pairs, rows in zip(group_by_name(data).values(), group_rows(data).values(), strict=True):
        ours = make_records(rows, "chan", subdir, base)
        theirs = [PackageRecord.from_repodata(fn, {**rec, "url": base + fn}, channel="chan", subdir=subdir)
                  for fn, rec in pairs]
        assert [type(r) for r in ours] == [PackageRecord] * len(theirs)
        assert [r.to_dict() for r in ours] == [r.to_dict() for r in theirs]
        assert [r.key for r in ours] == [r.key for r in theirs] and ours == theirs
    with pytest.raises(AttributeError):
        ours[0].name = "changed"  # type: ignore[misc]

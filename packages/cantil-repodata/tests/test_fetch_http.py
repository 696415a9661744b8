"""Fetching and caching against the cantil-tools channel server over loopback HTTP (its request log is the witness)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cantil.repodata import HTTPError, Index, RepodataCorrupt, UnavailableInvalidChannel, cache_fn_url
from cantil_tools.server import ChannelServer

IndexFor = Callable[..., Index]


def _paths(server: ChannelServer) -> list[str]:
    return [e.path for e in server.requests()]


def _state(cache_dir: Path, url: str) -> dict[str, Any]:
    stem = cache_fn_url(url)[:-5]
    return json.loads((cache_dir / f"{stem}.info.json").read_text())  # type: ignore[no-any-return]


def test_first_fetch_uses_zst_and_writes_conda_cache(server: ChannelServer, cache_dir: Path,
                                                     index_for: IndexFor) -> None:
    idx = index_for(server.url, cache_dir, shards=False)
    recs = idx.records("a")
    assert [r.fn for r in recs] == ["a-1.0-h0_0.conda"]          # .conda preferred over the .tar.bz2
    assert recs[0].url == f"{server.url}/linux-64/a-1.0-h0_0.conda"
    assert recs[0].channel == idx.channels[0].name and recs[0].subdir == "linux-64"
    assert sorted(_paths(server)) == ["linux-64/repodata.json.zst", "noarch/repodata.json.zst"]
    url = f"{server.url}/linux-64"
    cached = cache_dir / cache_fn_url(url)
    assert json.loads(cached.read_bytes()) == json.loads((server.root / "linux-64" / "repodata.json").read_bytes())
    state = _state(cache_dir, url)
    assert state["etag"] and state["mod"] and "max-age=60" in state["cache_control"]
    assert state["has_zst"]["value"] is True and state["has_zst"]["last_checked"].endswith("Z")
    assert state["size"] == cached.stat().st_size and state["mtime_ns"] == cached.stat().st_mtime_ns


def test_revalidation_gets_304_without_body(server: ChannelServer, cache_dir: Path, index_for: IndexFor) -> None:
    index_for(server.url, cache_dir, shards=False, jlap=False).load()
    server.clear_log()
    idx = index_for(server.url, cache_dir, shards=False, jlap=False, local_repodata_ttl=0)
    assert [r.name for r in idx.records("b")] == ["b"]
    log = server.requests()
    assert {e.path for e in log} == {"linux-64/repodata.json.zst", "noarch/repodata.json.zst"}
    assert all(e.status == 304 and e.bytes_sent == 0 for e in log), server.log_text()
    assert all("If-None-Match" in e.headers for e in log)
    assert {s.how for s in idx.sources} == {"not-modified"}


def test_fresh_cache_makes_no_request(server: ChannelServer, cache_dir: Path, index_for: IndexFor) -> None:
    index_for(server.url, cache_dir, shards=False).load()
    server.clear_log()
    idx = index_for(server.url, cache_dir, shards=False, local_repodata_ttl=3600)
    assert idx.records("c")
    idx2 = index_for(server.url, cache_dir, shards=False, local_repodata_ttl=1)   # honour max-age=60
    assert idx2.records("c")
    assert server.requests() == []
    assert {s.how for s in idx.sources} == {"cache"}


def test_ttl_zero_always_revalidates(server: ChannelServer, cache_dir: Path, index_for: IndexFor) -> None:
    index_for(server.url, cache_dir, shards=False, jlap=False).load()
    for _ in range(2):
        server.clear_log()
        index_for(server.url, cache_dir, shards=False, jlap=False, local_repodata_ttl=0).load()
        assert len(server.requests()) == 2


def test_shards_fetched_only_for_reachable_names(server: ChannelServer, cache_dir: Path,
                                                 index_for: IndexFor) -> None:
    from cantil_tools.index import read_shards

    idx = index_for(server.url, cache_dir)
    assert idx.closure(["a"]) >= {"a", "b", "c"}
    assert {r.name for n in ("a", "b", "c") for r in idx.records(n)} == {"a", "b", "c"}
    shard_index, _ = read_shards(server.root / "linux-64")
    wanted = {f"linux-64/{shard_index['shards'][n].hex()}.msgpack.zst" for n in ("a", "b", "c")}
    fetched = {p for p in _paths(server) if not p.endswith("repodata_shards.msgpack.zst")}
    assert fetched == wanted, server.log_text()
    assert not any("repodata.json" in p for p in _paths(server))
    assert idx.names() == {"a", "b", "c", "d", "e"}
    # shards are immutable: a second index reads them from the cache
    server.clear_log()
    again = index_for(server.url, cache_dir, local_repodata_ttl=3600)
    assert [r.name for r in again.records("b")] == ["b"]
    assert server.requests() == []


def test_missing_platform_subdir_is_empty(server: ChannelServer, cache_dir: Path, index_for: IndexFor) -> None:
    idx = index_for(server.url, cache_dir, subdirs=("osx-arm64", "noarch"))
    assert idx.records("a") == ()
    assert [r.name for r in idx.records("e")] == ["e"]
    assert {s.subdir: s.how for s in idx.sources}["osx-arm64"] == "empty"


def test_missing_noarch_means_no_channel(tmp_path: Path, cache_dir: Path, index_for: IndexFor) -> None:
    (tmp_path / "empty").mkdir()
    with ChannelServer(tmp_path / "empty") as srv:
        idx = index_for(srv.url + "/nothing-here", cache_dir)
        with pytest.raises(UnavailableInvalidChannel) as info:
            idx.load()
    assert "noarch" in str(info.value) and info.value.status == 404
    assert info.value.conda_name == "UnavailableInvalidChannel"


def test_token_channel_401_403_and_success(channel_dir: Path, cache_dir: Path, index_for: IndexFor) -> None:
    with ChannelServer(channel_dir, token="s3cret") as srv:
        with pytest.raises(HTTPError) as info:
            index_for(srv.base_url, cache_dir).load()
        assert info.value.status == 401 and info.value.hint and "token" in info.value.hint
        with pytest.raises(HTTPError) as info:
            index_for(f"{srv.base_url}/t/wrong", cache_dir).load()
        assert info.value.status == 403 and "wrong" not in str(info.value)
        idx = index_for(srv.url, cache_dir)
        recs = idx.records("a")
    assert recs and "s3cret" not in recs[0].url
    # conda keys the cache on the URL with credentials
    assert (cache_dir / (cache_fn_url(f"{srv.url}/linux-64")[:-5] + ".info.json")).exists()


def test_basic_auth_in_url_and_from_netrc(channel_dir: Path, cache_dir: Path, tmp_path: Path,
                                          index_for: IndexFor, monkeypatch: pytest.MonkeyPatch) -> None:
    with ChannelServer(channel_dir, auth=("alice", "pw")) as srv:
        assert index_for(srv.url_with_credentials, cache_dir / "1").records("a")
        netrc = tmp_path / "netrc"
        netrc.write_text("machine 127.0.0.1 login alice password pw\n")
        netrc.chmod(0o600)
        monkeypatch.setenv("NETRC", str(netrc))
        assert index_for(srv.url, cache_dir / "2").records("a")
        with pytest.raises(HTTPError) as info:
            index_for(srv.url, cache_dir / "3", use_netrc=False).load()
        assert info.value.status == 401


def test_current_repodata_when_asked(server: ChannelServer, cache_dir: Path, index_for: IndexFor) -> None:
    idx = index_for(server.url, cache_dir, repodata_fn="current_repodata.json")
    assert [r.name for r in idx.records("a")] == ["a"]
    assert any(p == "linux-64/current_repodata.json" for p in _paths(server)), server.log_text()
    assert not any("shards" in p for p in _paths(server))
    assert (cache_dir / cache_fn_url(f"{server.url}/linux-64", "current_repodata.json")).exists()


def test_html_instead_of_json_is_one_clear_error_and_cache_survives(
        server: ChannelServer, cache_dir: Path, index_for: IndexFor) -> None:
    index_for(server.url, cache_dir, shards=False, jlap=False).load()
    cached = cache_dir / cache_fn_url(f"{server.url}/linux-64")
    before = cached.read_bytes(), _state(cache_dir, f"{server.url}/linux-64")
    for path in ("linux-64/repodata.json.zst", "linux-64/repodata.json.bz2", "linux-64/repodata.json"):
        server.fault(path, "html")
    with pytest.raises(RepodataCorrupt) as info:
        index_for(server.url, cache_dir, shards=False, jlap=False, local_repodata_ttl=0).load()
    assert "invalid JSON" in str(info.value) and info.value.hint and "HTML" in info.value.hint
    assert (cached.read_bytes(), _state(cache_dir, f"{server.url}/linux-64")) == before


def test_truncated_zst_falls_back_to_another_format(server: ChannelServer, cache_dir: Path,
                                                    index_for: IndexFor) -> None:
    zst = server.root / "linux-64" / "repodata.json.zst"
    zst.write_bytes(zst.read_bytes()[:-20])
    idx = index_for(server.url, cache_dir, shards=False)
    assert [r.name for r in idx.records("a")] == ["a"]
    assert {s.subdir: s.how for s in idx.sources}["linux-64"] == "bz2"


def test_current_repodata_missing_falls_back_to_repodata_json(channel_dir: Path, cache_dir: Path,
                                                              index_for: IndexFor) -> None:
    from cantil_tools.index import index_channel

    index_channel(channel_dir, current=False)
    with ChannelServer(channel_dir) as srv:
        idx = index_for(srv.url, cache_dir, repodata_fn="current_repodata.json")
        assert [r.name for r in idx.records("a")] == ["a"] and [r.name for r in idx.records("e")] == ["e"]
        assert [e.status for e in srv.requests("linux-64/current_repodata.json")] == [404]
        assert {s.subdir: s.how for s in idx.sources} == {"linux-64": "shards", "noarch": "shards"}


@pytest.mark.parametrize("shards", [True, False])
@pytest.mark.parametrize("case", [
    ("https://mirror.example/chan/files", "https://mirror.example/chan/files/"),
    ("../files/", "{url}/files/"),
])
def test_cep15_base_url_places_package_urls(channel_dir: Path, cache_dir: Path, index_for: IndexFor,
                                            shards: bool, case: tuple[str, str]) -> None:
    from cantil_tools.index import index_channel

    base_url, expected = case

    index_channel(channel_dir, base_url=base_url)
    with ChannelServer(channel_dir) as srv:
        (rec,) = index_for(srv.url, cache_dir, shards=shards).records("a")
    assert rec.url == expected.format(url=srv.url) + "a-1.0-h0_0.conda"


def test_proxy_servers_setting_is_used(server: ChannelServer, cache_dir: Path, index_for: IndexFor) -> None:
    """A channel on a host that does not resolve, reached only through the proxy given in the settings."""
    idx = index_for("http://channel.invalid", cache_dir, proxy_servers={"http": server.base_url})
    assert [r.name for r in idx.records("a")] == ["a"]
    assert any(e.raw_path.startswith("http://channel.invalid/") for e in server.requests())


def test_reads_a_cache_written_by_conda(channel_dir: Path, cache_dir: Path, index_for: IndexFor) -> None:
    """conda's files only (<key>.json + <key>.info.json, fresh): used as they are, no request, no rewrite."""
    import time

    url = "http://127.0.0.1:9/conda-made"             # nothing listens there: any request would fail
    cache_dir.mkdir(parents=True)
    for subdir in ("linux-64", "noarch"):
        stem = cache_fn_url(f"{url}/{subdir}")[:-5]
        raw = (channel_dir / subdir / "repodata.json").read_bytes()
        (cache_dir / f"{stem}.json").write_bytes(raw)
        st = (cache_dir / f"{stem}.json").stat()
        (cache_dir / f"{stem}.info.json").write_text(json.dumps({
            "_url": f"{url}/{subdir}", "_etag": '"abc"', "_mod": "Sat, 01 Jan 2022 00:00:00 GMT",
            "_cache_control": "public, max-age=1200", "size": st.st_size, "mtime_ns": st.st_mtime_ns,
            "refresh_ns": time.time_ns(), "has_zst": {"last_checked": "2023-01-01T00:00:00Z", "value": True},
        }, indent=2))
    before = {p.name: p.read_bytes() for p in cache_dir.iterdir()}
    idx = index_for(url, cache_dir, remote_max_retries=0)
    assert [r.name for r in idx.records("a")] == ["a"]
    assert {s.how for s in idx.sources} == {"cache"}
    assert {p.name: p.read_bytes() for p in cache_dir.iterdir() if p.name in before} == before


def test_missing_formats_are_remembered_and_last_modified_is_sent_back(channel_dir: Path, cache_dir: Path,
                                                                       index_for: IndexFor) -> None:
    """A channel with only repodata.json: .zst and .bz2 are asked for once, then skipped (has_zst/has_bz2 false,
    rechecked after 7 days, as conda does); revalidation sends both validators."""
    from cantil_tools.index import index_channel

    index_channel(channel_dir, zst=False, bz2=False, jlap=False, shards=False)
    with ChannelServer(channel_dir) as srv:
        first = index_for(srv.url, cache_dir)
        assert [r.name for r in first.records("a")] == ["a"]
        asked = [(e.path, e.status) for e in srv.requests() if e.path.startswith("linux-64/")]
        assert asked == [("linux-64/repodata_shards.msgpack.zst", 404), ("linux-64/repodata.json.zst", 404),
                         ("linux-64/repodata.json.bz2", 404), ("linux-64/repodata.json", 200)], srv.log_text()
        state = _state(cache_dir, f"{srv.url}/linux-64")
        assert {k: state[f"has_{k}"]["value"] for k in ("shards", "zst", "bz2")} == {
            "shards": False, "zst": False, "bz2": False}
        assert state["mod"] == srv.requests("linux-64/repodata.json")[0].response_headers.get("Last-Modified")
        srv.clear_log()
        again = index_for(srv.url, cache_dir, local_repodata_ttl=0)
        assert [r.name for r in again.records("a")] == ["a"]
        seen = [e for e in srv.requests() if e.path.startswith("linux-64/")]
    # the first revalidation with a cached file also asks for the JLAP once (no .jlap: has_jlap false from now on)
    assert [(e.path, e.status) for e in seen] == [("linux-64/repodata.jlap", 404), ("linux-64/repodata.json", 304)]
    assert _state(cache_dir, f"{srv.url}/linux-64")["has_jlap"]["value"] is False
    entry = seen[1]
    assert entry.headers["If-None-Match"] == state["etag"] and entry.headers["If-Modified-Since"] == state["mod"]

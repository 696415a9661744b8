"""JLAP over loopback HTTP: patches after a re-index arrive through a Range request; any damage falls back."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cantil.repodata import Index, cache_fn_url
from cantil_tools.build import build_package
from cantil_tools.index import index_channel, repodata_hash
from cantil_tools.server import ChannelServer

IndexFor = Callable[..., Index]


def _cache(cache_dir: Path, url: str) -> tuple[Any, dict[str, Any]]:
    stem = cache_fn_url(url)[:-5]
    return (json.loads((cache_dir / f"{stem}.json").read_bytes()),
            json.loads((cache_dir / f"{stem}.info.json").read_text()))


def _add_package(channel_dir: Path, name: str) -> None:
    build_package({"name": name, "version": "2.0", "depends": ["c"]}, channel_dir)
    index_channel(channel_dir)


def _jlap_requests(server: ChannelServer) -> list[Any]:
    return server.requests("linux-64/repodata.jlap")


def test_jlap_update_after_reindex_uses_range_and_equals_full_download(
        server: ChannelServer, channel_dir: Path, cache_dir: Path, index_for: IndexFor) -> None:
    url = f"{server.url}/linux-64"
    index_for(server.url, cache_dir, shards=False).load()                       # full download (.zst)
    idx = index_for(server.url, cache_dir, shards=False, local_repodata_ttl=0)  # learns the .jlap position
    assert {s.subdir: s.how for s in idx.sources}["linux-64"] == "not-modified"
    _add_package(channel_dir, "f")
    server.clear_log()
    idx = index_for(server.url, cache_dir, shards=False, local_repodata_ttl=0)
    assert [r.fn for r in idx.records("f")] == ["f-2.0-h0_0.conda"]
    assert {s.subdir: s.how for s in idx.sources}["linux-64"] == "jlap"
    (req,) = _jlap_requests(server)
    assert req.range and req.range.startswith("bytes=") and req.status == 206, server.log_text()
    assert not server.requests("linux-64/repodata.json.zst")
    fresh = (channel_dir / "linux-64" / "repodata.json").read_bytes()
    data, state = _cache(cache_dir, url)
    assert data == json.loads(fresh)
    assert state["blake2_256_nominal"] == repodata_hash(fresh)
    assert state["has_jlap"]["value"] is True and state["etag"] == ""
    # and once more: a second patch applies on top of the patched file
    _add_package(channel_dir, "g")
    server.clear_log()
    idx = index_for(server.url, cache_dir, shards=False, local_repodata_ttl=0)
    assert [r.name for r in idx.records("g")] == ["g"]
    assert _jlap_requests(server)[0].status == 206
    assert _cache(cache_dir, url)[0] == json.loads((channel_dir / "linux-64" / "repodata.json").read_bytes())


def test_corrupted_jlap_falls_back_to_full_download(server: ChannelServer, channel_dir: Path, cache_dir: Path,
                                                    index_for: IndexFor) -> None:
    url = f"{server.url}/linux-64"
    index_for(server.url, cache_dir, shards=False).load()
    index_for(server.url, cache_dir, shards=False, local_repodata_ttl=0).load()
    _add_package(channel_dir, "f")
    server.fault("linux-64/repodata.jlap", "corrupt", times=None)
    server.clear_log()
    idx = index_for(server.url, cache_dir, shards=False, local_repodata_ttl=0)
    assert [r.name for r in idx.records("f")] == ["f"]
    assert {s.subdir: s.how for s in idx.sources}["linux-64"] == "zst"
    assert [e.status for e in server.requests("linux-64/repodata.json.zst")] == [200], server.log_text()
    assert _jlap_requests(server)[0].status == 206                # the damaged range was read, then dropped
    fresh = (channel_dir / "linux-64" / "repodata.json").read_bytes()
    data, state = _cache(cache_dir, url)
    assert data == json.loads(fresh)
    assert state["blake2_256_nominal"] == repodata_hash(fresh)


def test_jlap_not_on_server_is_remembered(channel_dir: Path, cache_dir: Path, index_for: IndexFor) -> None:
    index_channel(channel_dir, jlap=False)
    with ChannelServer(channel_dir) as srv:
        index_for(srv.url, cache_dir, shards=False).load()
        index_for(srv.url, cache_dir, shards=False, local_repodata_ttl=0).load()
        assert [e.status for e in srv.requests("linux-64/repodata.jlap")] == [404]
        srv.clear_log()
        index_for(srv.url, cache_dir, shards=False, local_repodata_ttl=0).load()
        assert srv.requests("linux-64/repodata.jlap") == []          # not asked again for 7 days
        assert [e.status for e in srv.requests("linux-64/repodata.json.zst")] == [304]


def test_jlap_gap_falls_back_to_full_download(server: ChannelServer, channel_dir: Path, cache_dir: Path,
                                              index_for: IndexFor) -> None:
    """The server restarted its .jlap after our copy: no chain of patches leads from our hash, so the full file."""
    url = f"{server.url}/linux-64"
    index_for(server.url, cache_dir, shards=False).load()
    index_for(server.url, cache_dir, shards=False, local_repodata_ttl=0).load()   # learns the .jlap position
    _add_package(channel_dir, "f")
    (channel_dir / "linux-64" / "repodata.jlap").unlink()
    index_channel(channel_dir)                  # a new .jlap that starts at the repodata with f
    _add_package(channel_dir, "g")              # and one patch: with-f -> with-g
    server.clear_log()
    idx = index_for(server.url, cache_dir, shards=False, local_repodata_ttl=0)
    assert [r.name for r in idx.records("g")] == ["g"] and [r.name for r in idx.records("f")] == ["f"]
    assert {s.subdir: s.how for s in idx.sources}["linux-64"] == "zst"
    assert _jlap_requests(server), server.log_text()
    assert [e.status for e in server.requests("linux-64/repodata.json.zst")] == [200], server.log_text()
    fresh = (channel_dir / "linux-64" / "repodata.json").read_bytes()
    data, state = _cache(cache_dir, url)
    assert data == json.loads(fresh) and state["blake2_256_nominal"] == repodata_hash(fresh)
    # JLAP works again from the new file on: the next change arrives as a patch
    _add_package(channel_dir, "h")
    server.clear_log()
    idx = index_for(server.url, cache_dir, shards=False, local_repodata_ttl=0)
    assert [r.name for r in idx.records("h")] == ["h"]
    assert {s.subdir: s.how for s in idx.sources}["linux-64"] == "jlap", server.log_text()


def test_cached_file_changed_behind_our_back_is_not_patched(server: ChannelServer, channel_dir: Path,
                                                            cache_dir: Path, index_for: IndexFor) -> None:
    """The cached .json no longer hashes to the state's blake2_256 (same size and mtime): download, don't patch."""
    import os

    url = f"{server.url}/linux-64"
    index_for(server.url, cache_dir, shards=False).load()
    index_for(server.url, cache_dir, shards=False, local_repodata_ttl=0).load()
    cached = cache_dir / cache_fn_url(url)
    st = cached.stat()
    raw = cached.read_bytes()
    damaged = raw.replace(b'"a"', b'"x"', 1)
    assert damaged != raw and len(damaged) == len(raw)
    cached.write_bytes(damaged)
    os.utime(cached, ns=(st.st_atime_ns, st.st_mtime_ns))      # the state still "matches" the file
    _add_package(channel_dir, "f")
    server.clear_log()
    idx = index_for(server.url, cache_dir, shards=False, local_repodata_ttl=0)
    assert [r.name for r in idx.records("a")] == ["a"] and [r.name for r in idx.records("f")] == ["f"]
    assert {s.subdir: s.how for s in idx.sources}["linux-64"] == "zst", server.log_text()
    assert _cache(cache_dir, url)[0] == json.loads((channel_dir / "linux-64" / "repodata.json").read_bytes())

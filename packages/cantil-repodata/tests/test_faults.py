"""Server faults (cantil-tools fault injection): retried when transient, one clear error otherwise, cache intact."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from cantil.repodata import HTTPError, Index, cache_fn_url
from cantil_tools.server import ChannelServer

IndexFor = Callable[..., Index]
ZST = "linux-64/repodata.json.zst"


@pytest.mark.parametrize("kind", [500, 503, "reset", "truncate"])
def test_transient_fault_then_success(server: ChannelServer, cache_dir: Path, index_for: IndexFor,
                                      kind: str | int) -> None:
    server.fault(ZST, kind)
    idx = index_for(server.url, cache_dir, shards=False)
    assert [r.name for r in idx.records("a")] == ["a"]
    log = server.requests(ZST)
    assert len(log) == 2 and log[1].status == 200, server.log_text()
    assert log[0].fault == (kind if isinstance(kind, str) else "status")
    cached = cache_dir / cache_fn_url(f"{server.url}/linux-64")
    assert json.loads(cached.read_bytes()) == json.loads((server.root / "linux-64" / "repodata.json").read_bytes())


def test_persistent_500_is_one_error_and_cache_stays(server: ChannelServer, cache_dir: Path,
                                                     index_for: IndexFor) -> None:
    index_for(server.url, cache_dir, shards=False, jlap=False).load()
    cached = cache_dir / cache_fn_url(f"{server.url}/linux-64")
    state = cached.with_suffix(".info.json")
    before = cached.read_bytes(), state.read_bytes()
    server.fault(ZST, 500, times=None)
    with pytest.raises(HTTPError) as info:
        index_for(server.url, cache_dir, shards=False, jlap=False, local_repodata_ttl=0,
                  remote_max_retries=2).load()
    assert info.value.status == 500 and info.value.conda_name == "CondaHTTPError"
    assert "repodata.json.zst" in str(info.value) and "\n" not in str(info.value)
    assert len(server.requests(ZST)) == 1 + 3                      # first load, then 1 try + 2 retries
    assert (cached.read_bytes(), state.read_bytes()) == before


def test_reset_every_time_is_a_connection_error(server: ChannelServer, cache_dir: Path,
                                                index_for: IndexFor) -> None:
    server.fault(ZST, "reset", times=None)
    with pytest.raises(HTTPError) as info:
        index_for(server.url, cache_dir, shards=False, remote_max_retries=1).load()
    assert info.value.status is None and "connection" in str(info.value)
    assert not (cache_dir / cache_fn_url(f"{server.url}/linux-64")).exists()
    assert not [p for p in cache_dir.iterdir() if p.name.endswith(".tmp")]


def test_nothing_listening_is_a_connection_error(tmp_path: Path, cache_dir: Path, index_for: IndexFor) -> None:
    import socket

    with socket.socket() as s:              # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(HTTPError) as info:
        index_for(f"http://127.0.0.1:{port}/chan", cache_dir, remote_max_retries=0).load()
    assert info.value.status is None


def test_slow_server_times_out(server: ChannelServer, cache_dir: Path, index_for: IndexFor) -> None:
    server.fault(ZST, "delay", times=None, seconds=1)
    with pytest.raises(HTTPError) as info:
        index_for(server.url, cache_dir, shards=False, timeout=0.2, remote_max_retries=0).load()
    assert "timed out" in str(info.value)

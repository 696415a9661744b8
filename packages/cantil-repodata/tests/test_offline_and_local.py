"""Offline mode (no socket, the cache only) and file:// channels (read in place)."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from cantil.repodata import Index, OfflineError, UnavailableInvalidChannel
from cantil_tools.server import ChannelServer

IndexFor = Callable[..., Index]


@pytest.fixture
def no_sockets(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Any attempt to open a connection fails the test (offline mode must not even try)."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("offline mode opened a socket")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    yield


def test_offline_with_nothing_cached_names_the_channel(server: ChannelServer, cache_dir: Path,
                                                       index_for: IndexFor, no_sockets: None) -> None:
    idx = index_for(server.url, cache_dir, offline=True)
    with pytest.raises(OfflineError) as info:
        idx.records("a")
    assert server.url in str(info.value) and info.value.channel == idx.channels[0].name
    assert info.value.conda_name == "OfflineError"


def test_offline_uses_stale_cache_without_requests(server: ChannelServer, cache_dir: Path,
                                                   index_for: IndexFor, monkeypatch: pytest.MonkeyPatch) -> None:
    index_for(server.url, cache_dir, shards=False).load()
    server.clear_log()

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("offline mode opened a socket")

    monkeypatch.setattr(socket, "create_connection", refuse)
    idx = index_for(server.url, cache_dir, shards=False, offline=True, local_repodata_ttl=0)
    assert [r.name for r in idx.records("a")] == ["a"]
    assert server.requests() == []


def test_offline_sharded_channel_serves_cached_shards_only(server: ChannelServer, cache_dir: Path,
                                                          index_for: IndexFor,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    index_for(server.url, cache_dir).closure(["b"])           # caches the shards of b and c
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: pytest.fail("socket opened"))
    idx = index_for(server.url, cache_dir, offline=True)
    assert [r.name for r in idx.records("c")] == ["c"]
    assert idx.records("not-in-channel") == ()
    with pytest.raises(OfflineError) as info:
        idx.records("a")
    assert "'a'" in str(info.value)


def test_offline_uncached_platform_subdir_is_empty_when_noarch_is_cached(
        server: ChannelServer, cache_dir: Path, index_for: IndexFor) -> None:
    index_for(server.url, cache_dir, subdirs=("noarch",)).closure(["e"])
    idx = index_for(server.url, cache_dir, offline=True)
    assert [r.name for r in idx.records("e")] == ["e"]
    assert idx.records("a") == ()


def test_file_channel_reads_in_place(channel_dir: Path, cache_dir: Path, index_for: IndexFor,
                                     no_sockets: None) -> None:
    url = channel_dir.as_uri()
    for shards in (True, False):
        idx = index_for(url, cache_dir, shards=shards, offline=True)
        recs = idx.records("a")
        assert [r.url for r in recs] == [f"{url}/linux-64/a-1.0-h0_0.conda"]
        assert idx.closure(["a"]) == {"a", "b", "c"}
        assert {s.how for s in idx.sources} == {"file"}


def test_file_channel_in_a_folder_with_percent_and_space(channel_dir: Path, tmp_path: Path, cache_dir: Path,
                                                         index_for: IndexFor, no_sockets: None) -> None:
    """A file:// URL is percent-decoded exactly once: a folder literally named `100%25 sure` stays that name."""
    import shutil

    odd = tmp_path / "100%25 sure" / "chan"
    shutil.copytree(channel_dir, odd)
    url = odd.as_uri()  # .../100%2525%20sure/chan
    recs = index_for(url, cache_dir, shards=False, offline=True).records("a")
    assert [r.fn for r in recs] == ["a-1.0-h0_0.conda"]


def test_file_channel_without_noarch_is_not_a_channel(tmp_path: Path, cache_dir: Path,
                                                      index_for: IndexFor) -> None:
    (tmp_path / "nochan").mkdir()
    with pytest.raises(UnavailableInvalidChannel):
        index_for((tmp_path / "nochan").as_uri(), cache_dir).load()


def test_file_channel_prepared_index_follows_the_file(channel_dir: Path, cache_dir: Path,
                                                      index_for: IndexFor) -> None:
    from cantil_tools.build import build_package
    from cantil_tools.index import index_channel

    url = channel_dir.as_uri()
    assert index_for(url, cache_dir, shards=False).records("f") == ()
    build_package({"name": "f", "version": "1.0"}, channel_dir)
    index_channel(channel_dir)
    assert [r.name for r in index_for(url, cache_dir, shards=False).records("f")] == ["f"]


def test_unwritable_cache_is_one_clear_error(server: ChannelServer, tmp_path: Path, index_for: IndexFor) -> None:
    import os

    from cantil.repodata import CacheNotWritable

    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the cache folder should be")
    with pytest.raises(CacheNotWritable) as info:
        index_for(server.url, blocker / "cache").load()
    assert str(blocker) in str(info.value) and info.value.conda_name == "NotWritableError"
    assert os.path.isfile(blocker)

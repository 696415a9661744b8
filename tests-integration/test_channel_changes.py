"""A channel that changes under a user: new versions reach `update` through JLAP, through CEP 16 shards, and a
cached channel keeps working `--offline` when the server is gone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ._helpers import User, assert_error, build_channel, installed, serve


def tool(version: str) -> dict[str, Any]:
    return {"name": "tool", "version": version, "files": {"bin/tool": {"text": f"#!/bin/sh\necho tool {version}\n"}}}


def extra() -> list[dict[str, Any]]:
    return [{"name": "lib-a", "version": "1.0", "noarch": "generic", "files": {"share/a.txt": "a\n"}},
            {"name": "lib-b", "version": "1.0", "noarch": "generic", "depends": ["lib-a"],
             "files": {"share/b.txt": "b\n"}}]


def republish(root: Path, desc: dict[str, Any], **index: Any) -> None:
    """Add a package to a served channel and re-index it, as a channel owner does."""
    from cantil_tools.build import build_package
    from cantil_tools.index import index_channel

    build_package(desc, root)
    index_channel(root, **index)


def test_update_follows_a_new_version_through_jlap(tmp_path: Path) -> None:
    formats = {"shards": False, "jlap": True}
    channel = build_channel(tmp_path / "chan", [tool("1.0"), *extra()], **formats)
    with serve(channel, max_age=0) as server:
        user = User(tmp_path / "user", [server.url], local_repodata_ttl=0)
        user.ok("create", "-n", "j", "tool", "lib-b")
        assert installed(user.prefix("j"))["tool"] == "1.0"
        assert (channel / "linux-64" / "repodata.jlap").exists()

        # the first update reads the whole .jlap (no position is known yet) and patches the cached repodata
        republish(channel, tool("1.1"), **formats)
        server.clear_log()
        user.ok("update", "-n", "j", "tool")
        assert installed(user.prefix("j"))["tool"] == "1.1"
        assert server.requests("linux-64/repodata.jlap"), server.log_text()
        assert not _full_fetches(server), "the whole repodata was fetched again:\n" + server.log_text()

        # the next one asks only for the bytes past the position it remembered: a Range request, 206
        republish(channel, tool("1.2"), **formats)
        server.clear_log()
        user.ok("update", "-n", "j", "tool")
        assert installed(user.prefix("j"))["tool"] == "1.2"
        ranged = [e for e in server.requests("linux-64/repodata.jlap") if e.range and e.status == 206]
        assert ranged, server.log_text()
        assert not _full_fetches(server), "the whole repodata was fetched again:\n" + server.log_text()
        assert (user.prefix("j") / "bin" / "tool").read_text().endswith("echo tool 1.2\n")


def _full_fetches(server: Any) -> list[Any]:
    return [e for e in server.requests() if e.path.startswith("linux-64/repodata.json") and e.status == 200]


def test_update_follows_a_new_version_through_shards(tmp_path: Path) -> None:
    formats = {"shards": True, "jlap": False}
    channel = build_channel(tmp_path / "chan", [tool("1.0"), *extra()], **formats)
    with serve(channel, max_age=0) as server:
        user = User(tmp_path / "user", [server.url], local_repodata_ttl=0)
        user.ok("create", "-n", "s", "tool")
        assert installed(user.prefix("s")) == {"tool": "1.0"}
        paths = {e.path for e in server.requests()}
        assert "linux-64/repodata_shards.msgpack.zst" in paths
        assert not any(p.startswith("linux-64/repodata.json") for p in paths), server.log_text()
        # only the shards the solve reached: tool's, never lib-a's or lib-b's
        shard_gets = [p for p in paths if p.endswith(".msgpack.zst") and "repodata_shards" not in p]
        assert 1 <= len(shard_gets) <= 2, server.log_text()

        republish(channel, tool("1.1"), **formats)
        server.clear_log()
        user.ok("update", "-n", "s", "tool")
        assert installed(user.prefix("s")) == {"tool": "1.1"}
        assert server.requests("linux-64/repodata_shards.msgpack.zst"), server.log_text()


def test_offline_installs_from_the_cache_with_the_server_stopped(tmp_path: Path) -> None:
    channel = build_channel(tmp_path / "chan", [tool("1.0"), *extra()], shards=False, jlap=False)
    server_ctx = serve(channel)
    server = server_ctx.__enter__()
    try:
        user = User(tmp_path / "user", [server.url])
        user.ok("create", "-n", "online", "tool", "lib-b")
    finally:
        server_ctx.__exit__(None, None, None)
    # the server is gone: the cached repodata and packages are enough
    user.ok("create", "-n", "offline", "tool", "lib-b", "--offline")
    assert installed(user.prefix("offline")) == {"tool": "1.0", "lib-a": "1.0", "lib-b": "1.0"}
    assert (user.prefix("offline") / "bin" / "tool").is_file()
    # offline through the setting too, and a version the cached channel never had is a clear error
    user.write_condarc([server.url], offline=True)
    user.ok("create", "-n", "offline2", "lib-a")
    proc = user.run("create", "-n", "nope", "tool=9.0")
    assert_error(proc, "tool")
    assert not user.prefix("nope").exists()

"""Two processes refreshing one cache at once: both end with a valid cache; a barrier on the server and /proc/locks make the overlap certain."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from cantil.repodata import cache_fn_url
from cantil_tools.server import ChannelServer

SCRIPT = """
import sys
from collections.abc import Callable
from pathlib import Path
from cantil.repodata import Index, RepodataSettings
from cantil.specs import Channel
idx = Index([Channel(sys.argv[1])], ["linux-64", "noarch"],
            RepodataSettings(Path(sys.argv[2]), shards=False, local_repodata_ttl=int(sys.argv[3])))
print(sorted(r.fn for n in ("a", "b", "c", "d") for r in idx.records(n)))
"""


def _run_two(server: ChannelServer, cache_dir: Path, ttl: int) -> list[str]:
    procs = [subprocess.Popen([sys.executable, "-c", SCRIPT, server.url, str(cache_dir), str(ttl)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outs = []
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        outs.append(out.strip())
    return outs


def _valid(cache_dir: Path, url: str, fresh: bytes) -> None:
    cached = cache_dir / cache_fn_url(url)
    state = json.loads(cached.with_suffix(".info.json").read_text())
    assert json.loads(cached.read_bytes()) == json.loads(fresh)
    assert state["size"] == cached.stat().st_size and state["mtime_ns"] == cached.stat().st_mtime_ns
    assert not [p.name for p in cache_dir.iterdir() if p.name.endswith(".tmp")]


def test_two_processes_first_fetch(server: ChannelServer, cache_dir: Path) -> None:
    server.fault("linux-64/repodata.json.zst", "delay", times=2, seconds=1)
    outs = _run_two(server, cache_dir, ttl=1)
    assert outs[0] == outs[1] and "a-1.0-h0_0.conda" in outs[0]
    _valid(cache_dir, f"{server.url}/linux-64", (server.root / "linux-64" / "repodata.json").read_bytes())
    # the second process waited for the first one's refresh and found the cache fresh
    assert [e.status for e in server.requests("linux-64/repodata.json.zst")] == [200], server.log_text()


def test_two_processes_revalidating(server: ChannelServer, cache_dir: Path) -> None:
    _run_two(server, cache_dir, ttl=1)
    server.clear_log()
    server.fault("linux-64/repodata.json.zst", "delay", times=2, seconds=1)
    outs = _run_two(server, cache_dir, ttl=0)
    assert outs[0] == outs[1]
    _valid(cache_dir, f"{server.url}/linux-64", (server.root / "linux-64" / "repodata.json").read_bytes())


def test_threads_of_one_process_share_one_refresh(server: ChannelServer, cache_dir: Path) -> None:
    import threading

    from cantil.repodata import Index, RepodataSettings
    from cantil.specs import Channel

    server.fault("linux-64/repodata.json.zst", "delay", times=1, seconds=1)
    results: list[object] = []

    def load() -> None:
        try:
            idx = Index([Channel(server.url)], ["linux-64", "noarch"], RepodataSettings(cache_dir, shards=False))
            results.append(sorted(r.fn for r in idx.records("a")))
        except BaseException as err:  # asserted below
            results.append(err)

    threads = [threading.Thread(target=load) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [["a-1.0-h0_0.conda"]] * 3
    assert [e.status for e in server.requests("linux-64/repodata.json.zst")] == [200], server.log_text()
    _valid(cache_dir, f"{server.url}/linux-64", (server.root / "linux-64" / "repodata.json").read_bytes())


def _two_channels(channel_dir: Path, tmp_path: Path) -> Path:
    import shutil

    root = tmp_path / "channels"
    for name in ("one", "two"):
        shutil.copytree(channel_dir, root / name)
    return root


def test_channels_and_subdirs_are_fetched_in_parallel(channel_dir: Path, cache_dir: Path, tmp_path: Path) -> None:
    """A barrier on the server lets the four subdir requests through only when all four are in flight at once."""
    from cantil.repodata import Index, RepodataSettings
    from cantil.specs import Channel

    with ChannelServer(_two_channels(channel_dir, tmp_path)) as srv:
        srv.fault("*/*/repodata.json.zst", "barrier", times=4, parties=4)
        idx = Index([Channel(f"{srv.url}/one"), Channel(f"{srv.url}/two")], ["linux-64", "noarch"],
                    RepodataSettings(cache_dir, shards=False, repodata_threads=4, remote_max_retries=0))
        assert [r.channel for r in idx.records("a")] == [idx.channels[0].name, idx.channels[1].name]
        log = srv.requests()
    assert sorted((e.path, e.status, e.fault) for e in log) == [
        (f"{ch}/{sub}/repodata.json.zst", 200, "barrier") for ch in ("one", "two") for sub in ("linux-64", "noarch")]


def test_repodata_threads_limits_the_parallelism(channel_dir: Path, cache_dir: Path, tmp_path: Path) -> None:
    """With repodata_threads=2, at most two of the four requests are in flight: a barrier of three never fills."""
    import pytest

    from cantil.repodata import HTTPError, Index, RepodataSettings
    from cantil.specs import Channel

    with ChannelServer(_two_channels(channel_dir, tmp_path)) as srv:
        srv.fault("*/*/repodata.json.zst", "barrier", times=3, parties=3, timeout=1)
        idx = Index([Channel(f"{srv.url}/one"), Channel(f"{srv.url}/two")], ["linux-64", "noarch"],
                    RepodataSettings(cache_dir, shards=False, jlap=False, repodata_threads=2, remote_max_retries=0))
        with pytest.raises(HTTPError) as info:
            idx.load()
        log = srv.requests()
    assert info.value.status == 503
    assert [(e.status, e.fault) for e in log if e.fault] == [(503, "barrier")] * 3, srv.log_text()


def test_prefetch_fetches_shards_in_parallel(server: ChannelServer, cache_dir: Path) -> None:
    """prefetch(["a", "b", "c"]) asks for the three shards at once (a barrier of three lets them through together);
    records() then answers from them without another request."""
    from cantil.repodata import Index, RepodataSettings
    from cantil.specs import Channel
    from cantil_tools.index import read_shards

    idx = Index([Channel(server.url)], ["linux-64", "noarch"], RepodataSettings(cache_dir, remote_max_retries=0))
    idx.load()
    server.clear_log()
    server.fault("linux-64/[0-9a-f]*.msgpack.zst", "barrier", times=3, parties=3)
    idx.prefetch(["a", "b", "c", "no-such-name"])
    shard_index, _ = read_shards(server.root / "linux-64")
    expected = sorted(f"linux-64/{shard_index['shards'][n].hex()}.msgpack.zst" for n in ("a", "b", "c"))
    assert sorted((e.path, e.status, e.fault) for e in server.requests()) == [(p, 200, "barrier") for p in expected]
    server.clear_log()
    assert [r.name for n in ("a", "b", "c") for r in idx.records(n)] == ["a", "b", "c"]
    assert server.requests() == []


def _flock_holders(path: Path) -> tuple[set[int], set[int]]:
    """(pids holding, pids waiting for) a flock on `path`, from /proc/locks."""
    try:
        inode = path.stat().st_ino
    except FileNotFoundError:
        return set(), set()
    holding, waiting = set(), set()
    for line in Path("/proc/locks").read_text().splitlines():
        fields = line.split()
        blocked = "->" in fields
        if blocked:
            fields.remove("->")
        if len(fields) >= 6 and fields[1] == "FLOCK" and int(fields[5].rsplit(":", 1)[1]) == inode:
            (waiting if blocked else holding).add(int(fields[4]))
    return holding, waiting


def _until(what: str, check: Callable[[], bool], procs: list[subprocess.Popen[str]]) -> None:
    """Wait for an observable state (not for a guessed time): fail when a child died or after a minute."""
    import time

    deadline = time.monotonic() + 60
    while not check():
        dead = [p for p in procs if p.poll() is not None]
        assert not dead, f"a child ended before {what}: {dead[0].communicate()}"
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)


def test_second_process_waits_for_the_first_refresh_and_uses_it(server: ChannelServer, cache_dir: Path) -> None:
    """Overlap made certain: process A's download is held by the server (a barrier) while process B is seen, in
    /proc/locks, waiting for A's refresh lock; then A is released. B must reuse A's result without a request."""
    import urllib.request

    url = f"{server.url}/linux-64"
    lock = cache_dir / (cache_fn_url(url)[: -len(".json")] + ".cantil-lock")
    server.fault("linux-64/repodata.json.zst", "barrier", times=2, parties=2, timeout=120)

    def start() -> subprocess.Popen[str]:
        return subprocess.Popen([sys.executable, "-c", SCRIPT, server.url, str(cache_dir), "1"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    a = start()
    procs = [a]
    try:
        _until("A holds the refresh lock", lambda: a.pid in _flock_holders(lock)[0], procs)
        b = start()
        procs.append(b)
        _until("B waits for the lock", lambda: b.pid in _flock_holders(lock)[1], procs)
        release = urllib.request.Request(f"{url}/repodata.json.zst", headers={"User-Agent": "release"})
        with urllib.request.urlopen(release, timeout=120) as resp:      # the barrier's second party
            assert resp.status == 200
        outs = []
        for p in procs:
            out, err = p.communicate(timeout=120)
            assert p.returncode == 0, err
            outs.append(out.strip())
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.communicate()
    assert outs[0] == outs[1] and "a-1.0-h0_0.conda" in outs[0]
    ours = [e for e in server.requests("linux-64/repodata.json.zst") if e.headers.get("User-Agent") != "release"]
    assert [(e.status, e.fault) for e in ours] == [(200, "barrier")], server.log_text()   # A's only: B asked nothing
    _valid(cache_dir, url, (server.root / "linux-64" / "repodata.json").read_bytes())

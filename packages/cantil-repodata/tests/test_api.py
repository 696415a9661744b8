"""The public surface: __all__ is honest, imports stay light, the reporter sees each subdir, query works."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import cantil.repodata as api
from cantil.repodata import Index, Reporter, errors
from cantil_tools.server import ChannelServer

IndexFor = Callable[..., Index]


def test_all_is_exactly_the_public_names() -> None:
    public = {n for n in dir(api) if not n.startswith("_")} - {"annotations", "errors"}
    assert set(api.__all__) == public
    for name in api.__all__:
        assert getattr(api, name).__module__.startswith("cantil.repodata")
    assert set(errors.__all__) <= set(dir(errors))


def test_every_error_is_a_repodata_error_with_a_conda_name() -> None:
    for name in errors.__all__:
        obj = getattr(errors, name)
        if isinstance(obj, type):
            assert issubclass(obj, errors.RepodataError) and obj.conda_name


def test_redact_url_hides_tokens_and_passwords() -> None:
    assert errors.redact_url("https://u:pw@host/t/abc-123/chan/noarch") == "https://u:***@host/t/<TOKEN>/chan/noarch"
    assert errors.redact_url("https://host/chan") == "https://host/chan"


def test_import_does_not_load_network_or_compression_modules() -> None:
    code = ("import sys, cantil.repodata; "
            "print(sorted(m for m in ('requests', 'urllib3', 'zstandard', 'msgpack') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


class Recorder(Reporter):
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.started: list[str] = []
        self.ended: list[tuple[str, str]] = []

    def fetch_start(self, url: str) -> None:
        with self.lock:
            self.started.append(url)

    def fetch_end(self, url: str, source: str) -> None:
        with self.lock:
            self.ended.append((url, source))


def test_reporter_hears_every_subdir(server: ChannelServer, cache_dir: Path) -> None:
    from cantil.repodata import RepodataSettings
    from cantil.specs import Channel

    rec = Recorder()
    Index([Channel(server.url)], ["linux-64", "noarch"], RepodataSettings(cache_dir), reporter=rec).load()
    assert sorted(rec.started) == [f"{server.url}/linux-64", f"{server.url}/noarch"]
    assert sorted(rec.ended) == [(f"{server.url}/linux-64", "shards"), (f"{server.url}/noarch", "shards")]


def test_query_by_spec_and_by_glob(server: ChannelServer, cache_dir: Path, index_for: IndexFor) -> None:
    idx = index_for(server.url, cache_dir)
    assert [r.name for r in idx.query("a >=1")] == ["a"]
    assert idx.query("a >=2") == []
    assert sorted(r.name for r in idx.query("*")) == ["a", "b", "c", "d", "e"]
    assert idx.priority(idx.records("a")[0]) == 0


def test_channel_priority_follows_channel_order(server: ChannelServer, tmp_path: Path, cache_dir: Path) -> None:
    from cantil.repodata import RepodataSettings
    from cantil.specs import Channel
    from cantil_tools.build import build_package
    from cantil_tools.index import index_channel

    other = tmp_path / "other"
    build_package({"name": "c", "version": "9.0"}, other)
    index_channel(other)
    idx = Index([Channel(other.as_uri()), Channel(server.url)], ["linux-64", "noarch"], RepodataSettings(cache_dir))
    recs = idx.records("c")
    assert [(r.version, idx.priority(r)) for r in recs] == [("9.0", 0), ("1.0", 1)]


def test_multichannel_members_share_its_priority(channel_dir: Path, tmp_path: Path, cache_dir: Path) -> None:
    from cantil.repodata import RepodataSettings
    from cantil.specs import Channel, ChannelSettings
    from cantil_tools.build import build_package
    from cantil_tools.index import index_channel

    other, last = tmp_path / "other", tmp_path / "last"
    build_package({"name": "c", "version": "9.0"}, other)
    build_package({"name": "c", "version": "0.1"}, last)
    index_channel(other)
    index_channel(last)
    cs = ChannelSettings(custom_multichannels={"both": [channel_dir.as_uri(), other.as_uri()]})
    idx = Index([Channel("both", cs), Channel(last.as_uri(), cs)], ["linux-64", "noarch"],
                RepodataSettings(cache_dir))
    got = sorted((r.version, idx.priority(r)) for r in idx.records("c"))
    assert got == [("0.1", 1), ("1.0", 0), ("9.0", 0)]

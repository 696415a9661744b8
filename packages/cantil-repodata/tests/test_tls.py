"""ssl_verify and the CA bundle, against the cantil-tools server over https (a throw-away CA made at test time)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from cantil.repodata import Downloader, HTTPError, Index, RepodataSettings, cache_fn_url
from cantil_tools.server import ChannelServer

IndexFor = Callable[..., Index]
FN = "linux-64/a-1.0-h0_0.conda"


@pytest.fixture
def tls_server(channel_dir: Path) -> Iterator[ChannelServer]:
    with ChannelServer(channel_dir, tls=True) as srv:
        yield srv


def test_default_verification_refuses_an_unknown_ca_and_caches_nothing(
        tls_server: ChannelServer, cache_dir: Path, index_for: IndexFor) -> None:
    idx = index_for(tls_server.url, cache_dir, shards=False, remote_max_retries=0)
    with pytest.raises(HTTPError) as info:
        idx.records("a")
    err = info.value
    assert err.status is None and err.reason == "SSL verification failed"
    assert err.url.startswith("https://127.0.0.1:") and err.hint and "ssl_verify" in err.hint
    assert "\n" not in str(err).split("\nhint:")[0]
    assert tls_server.requests() == []                       # no request got past the handshake
    assert not (cache_dir / cache_fn_url(f"{tls_server.url}/noarch")).exists()


def test_ca_bundle_path_is_trusted(tls_server: ChannelServer, cache_dir: Path, index_for: IndexFor) -> None:
    assert tls_server.ca_bundle is not None
    idx = index_for(tls_server.url, cache_dir, shards=False, ssl_verify=str(tls_server.ca_bundle))
    recs = idx.records("a")
    assert [r.fn for r in recs] == ["a-1.0-h0_0.conda"]
    assert recs[0].url == f"{tls_server.url}/{FN}"
    assert sorted(e.path for e in tls_server.requests()) == ["linux-64/repodata.json.zst", "noarch/repodata.json.zst"]
    assert (cache_dir / cache_fn_url(f"{tls_server.url}/linux-64")).is_file()


def test_ssl_verify_false_accepts_any_certificate(tls_server: ChannelServer, cache_dir: Path,
                                                  index_for: IndexFor) -> None:
    idx = index_for(tls_server.url, cache_dir, shards=False, ssl_verify=False)
    assert [r.name for r in idx.records("b")] == ["b"]


def test_a_wrong_ca_bundle_is_refused(tls_server: ChannelServer, cache_dir: Path, index_for: IndexFor,
                                      tmp_path: Path) -> None:
    with ChannelServer(tls_server.root, tls=True) as other:   # another throw-away CA: not the one that signed
        assert other.ca_bundle is not None
        wrong = tmp_path / "other-ca.pem"
        wrong.write_bytes(other.ca_bundle.read_bytes())
    idx = index_for(tls_server.url, cache_dir, shards=False, ssl_verify=str(wrong), remote_max_retries=0)
    with pytest.raises(HTTPError, match="SSL verification failed"):
        idx.load()


@pytest.mark.parametrize("verify", ["bundle", "off", "default"])
def test_downloader_follows_ssl_verify(tls_server: ChannelServer, tmp_path: Path, verify: str) -> None:
    data = (tls_server.root / FN).read_bytes()
    ssl_verify: bool | str = {"bundle": str(tls_server.ca_bundle), "off": False, "default": True}[verify]
    dl = Downloader(RepodataSettings(tmp_path / "cache", ssl_verify=ssl_verify, remote_max_retries=0))
    dest = tmp_path / "a.conda"
    if verify == "default":
        with pytest.raises(HTTPError, match="SSL verification failed"):
            dl(f"{tls_server.url}/{FN}", dest, size=len(data), sha256=hashlib.sha256(data).hexdigest())
        assert not dest.exists()
        return
    dl(f"{tls_server.url}/{FN}", dest, size=len(data), sha256=hashlib.sha256(data).hexdigest())
    assert dest.read_bytes() == data

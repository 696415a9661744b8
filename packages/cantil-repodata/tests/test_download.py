"""Downloader: package files over loopback HTTP and file://, verified by size, sha256 and md5."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

import pytest

from cantil.repodata import ChecksumMismatch, Downloader, HTTPError, OfflineError, RepodataSettings, Reporter
from cantil.specs import Channel
from cantil_tools.server import ChannelServer

FN = "linux-64/a-1.0-h0_0.conda"


def _sums(path: Path) -> tuple[int, str, str]:
    data = path.read_bytes()
    return len(data), hashlib.sha256(data).hexdigest(), hashlib.md5(data).hexdigest()


def _settings(tmp_path: Path, **kw: object) -> RepodataSettings:
    return RepodataSettings(tmp_path / "cache", remote_backoff_factor=0.0, **kw)  # type: ignore[arg-type]


class Recorder(Reporter):
    def __init__(self) -> None:
        self.events: list[tuple[str, str]] = []
        self.lock = threading.Lock()

    def download_start(self, url: str, total: int | None) -> None:
        with self.lock:
            self.events.append(("start", url))

    def download_end(self, url: str) -> None:
        with self.lock:
            self.events.append(("end", url))


def test_download_verifies_and_reports(server: ChannelServer, tmp_path: Path) -> None:
    size, sha256, md5 = _sums(server.root / FN)
    rec = Recorder()
    dl = Downloader(_settings(tmp_path), reporter=rec)
    dest = tmp_path / "a.conda.part"
    dl(f"{server.url}/{FN}", dest, size=size, sha256=sha256, md5=md5)
    assert dest.read_bytes() == (server.root / FN).read_bytes()
    assert rec.events == [("start", f"{server.url}/{FN}"), ("end", f"{server.url}/{FN}")]


@pytest.mark.parametrize("field", ["size", "sha256", "md5"])
def test_bad_checksum_is_rejected_and_file_removed(server: ChannelServer, tmp_path: Path, field: str) -> None:
    size, sha256, md5 = _sums(server.root / FN)
    wrong = {"size": {"size": size + 1}, "sha256": {"sha256": "0" * 64}, "md5": {"md5": "0" * 32}}[field]
    kwargs: dict[str, object] = {"size": size, "sha256": sha256, "md5": md5, **wrong}
    dest = tmp_path / "a.conda.part"
    with pytest.raises(ChecksumMismatch) as info:
        Downloader(_settings(tmp_path))(f"{server.url}/{FN}", dest, **kwargs)  # type: ignore[arg-type]
    assert info.value.kind == field and not dest.exists()
    assert info.value.conda_name == "ChecksumMismatchError"


def test_corrupted_bytes_from_server_are_rejected(server: ChannelServer, tmp_path: Path) -> None:
    size, sha256, _ = _sums(server.root / FN)
    server.fault(FN, "corrupt")
    with pytest.raises(ChecksumMismatch, match="sha256"):
        Downloader(_settings(tmp_path))(f"{server.url}/{FN}", tmp_path / "x", size=size, sha256=sha256)


def test_reset_mid_body_is_retried(server: ChannelServer, tmp_path: Path) -> None:
    size, sha256, _ = _sums(server.root / FN)
    server.fault(FN, "reset")
    Downloader(_settings(tmp_path))(f"{server.url}/{FN}", tmp_path / "x", size=size, sha256=sha256)
    assert [e.status for e in server.requests(FN)] == [200, 200]
    assert _sums(tmp_path / "x")[1] == sha256


def test_missing_file_is_http_404(server: ChannelServer, tmp_path: Path) -> None:
    with pytest.raises(HTTPError) as info:
        Downloader(_settings(tmp_path))(f"{server.url}/linux-64/nope-1-0.conda", tmp_path / "x")
    assert info.value.status == 404 and not (tmp_path / "x").exists()


def test_token_is_added_for_the_channel_and_never_shown(channel_dir: Path, tmp_path: Path) -> None:
    with ChannelServer(channel_dir, token="tok123") as srv:
        size, sha256, _ = _sums(channel_dir / FN)
        dl = Downloader(_settings(tmp_path), channels=[Channel(srv.url)])
        dl(f"{srv.base_url}/{FN}", tmp_path / "x", size=size, sha256=sha256)   # record URLs carry no token
        bare = Downloader(_settings(tmp_path))
        with pytest.raises(HTTPError) as info:
            bare(f"{srv.base_url}/t/wrong/{FN}", tmp_path / "y")
    assert info.value.status == 403 and "wrong" not in str(info.value) and "<TOKEN>" in str(info.value)


def test_file_url_copy_is_verified(channel_dir: Path, tmp_path: Path) -> None:
    size, sha256, md5 = _sums(channel_dir / FN)
    dl = Downloader(_settings(tmp_path, offline=True))
    dl((channel_dir / FN).as_uri(), tmp_path / "x", size=size, sha256=sha256, md5=md5)
    with pytest.raises(ChecksumMismatch):
        dl((channel_dir / FN).as_uri(), tmp_path / "y", sha256="1" * 64)
    assert not (tmp_path / "y").exists()


def test_offline_refuses_http(server: ChannelServer, tmp_path: Path) -> None:
    with pytest.raises(OfflineError):
        Downloader(_settings(tmp_path, offline=True))(f"{server.url}/{FN}", tmp_path / "x")
    assert server.requests() == []


def test_parallel_downloads_share_one_downloader(server: ChannelServer, tmp_path: Path) -> None:
    files = sorted(p.relative_to(server.root).as_posix() for p in server.root.glob("*/*.conda"))
    dl = Downloader(_settings(tmp_path))
    server.fault("*/*.conda", "barrier", times=len(files), parties=len(files))   # all five in flight at once
    errors: list[BaseException] = []

    def get(i: int, rel: str) -> None:
        try:
            _, sha256, _ = _sums(server.root / rel)
            dl(f"{server.url}/{rel}", tmp_path / f"{i}.part", sha256=sha256)
        except BaseException as err:  # collected and asserted below
            errors.append(err)

    threads = [threading.Thread(target=get, args=(i, rel)) for i, rel in enumerate(files)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(files) == 5
    assert [(e.status, e.fault) for e in server.requests()] == [(200, "barrier")] * 5
    assert all((tmp_path / f"{i}.part").read_bytes() == (server.root / rel).read_bytes() for i, rel in enumerate(files))


def test_download_through_the_proxy_setting(server: ChannelServer, tmp_path: Path) -> None:
    size, sha256, _ = _sums(server.root / FN)
    dl = Downloader(_settings(tmp_path, proxy_servers={"http": server.base_url}))
    dl(f"http://channel.invalid/{FN}", tmp_path / "x", size=size, sha256=sha256)
    assert (tmp_path / "x").read_bytes() == (server.root / FN).read_bytes()
    assert [e.raw_path for e in server.requests()] == [f"http://channel.invalid/{FN}"]


def test_download_with_basic_auth_in_the_url(channel_dir: Path, tmp_path: Path) -> None:
    with ChannelServer(channel_dir, auth=("user", "s3cret")) as srv:
        size, sha256, _ = _sums(channel_dir / FN)
        Downloader(_settings(tmp_path))(f"{srv.url_with_credentials}/{FN}", tmp_path / "x", size=size, sha256=sha256)
        with pytest.raises(HTTPError) as info:
            Downloader(_settings(tmp_path, use_netrc=False))(f"{srv.url}/{FN}", tmp_path / "y")
    assert info.value.status == 401 and info.value.hint and "credentials" in info.value.hint
    assert "s3cret" not in str(info.value)

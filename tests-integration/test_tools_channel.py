"""cantil-tools end to end: build the sample channel, index it, serve it on loopback, and read it as a client would
(requests over real HTTP): checksums, 304 revalidation, compressed variants, shards, JLAP updates by Range, faults."""

from __future__ import annotations

import bz2
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests
import zstandard

from cantil_tools.build import build_package
from cantil_tools.index import index_channel, repodata_hash, verify_jlap
from cantil_tools.server import ChannelServer

Serve = Callable[..., ChannelServer]


def _get(url: str, **headers: str) -> requests.Response:
    return requests.get(url, headers=headers, timeout=60)


def test_every_package_downloads_with_the_listed_checksum(sample_channel: Path, channel_server: Serve) -> None:
    server = channel_server(sample_channel)
    total = 0
    for subdir in ("linux-64", "noarch"):
        repodata = _get(f"{server.url}/{subdir}/repodata.json").json()
        assert repodata["info"]["subdir"] == subdir
        for key in ("packages", "packages.conda"):
            for fn, record in repodata[key].items():
                body = _get(f"{server.url}/{subdir}/{fn}").content
                assert hashlib.sha256(body).hexdigest() == record["sha256"], fn
                assert len(body) == record["size"]
                total += 1
    assert total >= 60  # 30+ packages in two formats


def test_revalidation_gives_304_with_etag_and_date(sample_channel: Path, channel_server: Serve) -> None:
    server = channel_server(sample_channel, max_age=300)
    url = f"{server.url}/noarch/repodata.json"
    first = _get(url)
    assert first.headers["Cache-Control"] == "public, max-age=300"
    again = _get(url, **{"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.content == b""
    dated = _get(url, **{"If-Modified-Since": first.headers["Last-Modified"]})
    assert dated.status_code == 304
    assert [e.status for e in server.requests("noarch/repodata.json")] == [200, 304, 304]


def test_compressed_variants_match(sample_channel: Path, channel_server: Serve) -> None:
    server = channel_server(sample_channel)
    plain = _get(f"{server.url}/linux-64/repodata.json", **{"Accept-Encoding": "identity"}).content
    assert server.log[-1].response_headers.get("Content-Encoding") is None
    gz = _get(f"{server.url}/linux-64/repodata.json")  # requests asks for gzip and decodes it
    assert server.log[-1].response_headers.get("Content-Encoding") == "gzip" and gz.content == plain
    zst = _get(f"{server.url}/linux-64/repodata.json.zst").content
    assert zstandard.ZstdDecompressor().decompressobj().decompress(zst) == plain
    assert bz2.decompress(_get(f"{server.url}/linux-64/repodata.json.bz2").content) == plain


def test_shards_over_http(sample_channel: Path, channel_server: Serve) -> None:
    import msgpack

    server = channel_server(sample_channel)
    dctx = zstandard.ZstdDecompressor()
    index = msgpack.unpackb(dctx.decompressobj().decompress(_get(f"{server.url}/linux-64/repodata_shards.msgpack.zst").content))
    assert index["version"] == 1 and index["info"]["subdir"] == "linux-64"
    raw = _get(f"{server.url}/linux-64/{index['shards']['numpyish'].hex()}.msgpack.zst").content
    assert hashlib.sha256(raw).digest() == index["shards"]["numpyish"]
    shard = msgpack.unpackb(dctx.decompressobj().decompress(raw))
    repodata = _get(f"{server.url}/linux-64/repodata.json").json()
    assert shard["packages.conda"] == {fn: r for fn, r in repodata["packages.conda"].items() if r["name"] == "numpyish"}


def _apply(doc: Any, ops: list[dict[str, Any]]) -> Any:
    from cantil_tools._jsonpatch import apply

    return apply(doc, ops)


def test_jlap_update_by_range_request(sample_channel_copy: Path, channel_server: Serve) -> None:
    server = channel_server(sample_channel_copy)
    base = f"{server.url}/noarch"
    # the client's first visit: full repodata and the whole .jlap
    have_bytes = _get(f"{base}/repodata.json").content
    have = json.loads(have_bytes)
    jlap = _get(f"{base}/repodata.jlap").text
    lines = verify_jlap(jlap)
    assert json.loads(lines[-2])["latest"] == repodata_hash(have_bytes)
    offset = len("\n".join(lines[:-2]).encode()) + 1  # where the footer starts: everything before it stays
    # the channel changes
    build_package({"name": "newcomer", "version": "0.1", "noarch": "generic"}, sample_channel_copy)
    index_channel(sample_channel_copy)
    # the client fetches only the tail and verifies it from its own running hash
    tail = _get(f"{base}/repodata.jlap", Range=f"bytes={offset}-")
    assert tail.status_code == 206 and server.log[-1].range == f"bytes={offset}-"
    new_lines = verify_jlap("\n".join(lines[:-2]) + "\n" + tail.text)
    patches = [json.loads(line) for line in new_lines[len(lines) - 2 : -2]]
    assert len(patches) == 1 and patches[0]["from"] == repodata_hash(have_bytes)
    updated = _apply(have, patches[0]["patch"])
    server_bytes = _get(f"{base}/repodata.json").content
    assert updated == json.loads(server_bytes)
    assert patches[0]["to"] == json.loads(new_lines[-2])["latest"] == repodata_hash(server_bytes)
    assert "newcomer-0.1-h0_0.conda" in updated["packages.conda"]


def test_faults_as_a_client_sees_them(sample_channel: Path, channel_server: Serve) -> None:
    server = channel_server(sample_channel)
    repodata = _get(f"{server.url}/linux-64/repodata.json").json()
    fn, record = next(iter(sorted(repodata["packages.conda"].items())))
    url = f"{server.url}/linux-64/{fn}"

    server.fault(f"linux-64/{fn}", 503, times=2)
    assert [_get(url).status_code for _ in range(3)] == [503, 503, 200]

    server.fault(f"linux-64/{fn}", "reset", after=10)
    with pytest.raises((requests.exceptions.ChunkedEncodingError, requests.exceptions.ConnectionError)):
        _get(url)

    server.fault(f"linux-64/{fn}", "truncate", after=10)
    with pytest.raises(requests.exceptions.ChunkedEncodingError):  # urllib3: IncompleteRead, body shorter than promised
        _get(url)

    server.fault(f"linux-64/{fn}", "corrupt")
    wrong = _get(url)
    assert wrong.status_code == 200 and len(wrong.content) == record["size"]
    assert hashlib.sha256(wrong.content).hexdigest() != record["sha256"]

    server.fault("linux-64/repodata.json", "html")
    page = _get(f"{server.url}/linux-64/repodata.json")
    assert page.headers["Content-Type"] == "application/json" and page.text.startswith("<!DOCTYPE html>")
    with pytest.raises(ValueError):
        page.json()

    server.fault("linux-64/repodata.json", 404)
    assert _get(f"{server.url}/linux-64/repodata.json").status_code == 404
    assert hashlib.sha256(_get(url).content).hexdigest() == record["sha256"]  # faults used up: normal again
    assert [e.fault for e in server.log if e.fault] == ["status", "status", "reset", "truncate", "corrupt", "html",
                                                         "status"]


def test_token_and_basic_auth(sample_channel: Path, channel_server: Serve) -> None:
    tokened = channel_server(sample_channel, token="s3cr3t")
    assert _get(f"{tokened.url}/noarch/repodata.json").status_code == 200
    assert _get(f"{tokened.base_url}/t/wrong/noarch/repodata.json").status_code == 403
    assert _get(f"{tokened.base_url}/noarch/repodata.json").status_code == 401
    private = channel_server(sample_channel, auth=("user", "pw"))
    assert requests.get(f"{private.url}/noarch/repodata.json", auth=("user", "pw"), timeout=60).status_code == 200
    assert requests.get(f"{private.url}/noarch/repodata.json", auth=("user", "no"), timeout=60).status_code == 403
    assert _get(f"{private.url}/noarch/repodata.json").status_code == 401
    assert _get(f"{private.url_with_credentials}/noarch/repodata.json").status_code == 200


def test_run_cantil_runs_the_real_command(run_cantil: Any) -> None:
    result = run_cantil("--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("cantil ")

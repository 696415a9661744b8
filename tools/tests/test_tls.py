"""The test server over TLS: a throw-away CA, a certificate for 127.0.0.1, and clients that trust it or not."""

from __future__ import annotations

import ssl
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from cantil_tools.server import ChannelServer


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "noarch").mkdir()
    (tmp_path / "noarch" / "repodata.json").write_bytes(b'{"packages": {}}')
    return tmp_path


def test_https_with_the_ca_bundle(root: Path) -> None:
    with ChannelServer(root, tls=True) as server:
        assert server.url.startswith("https://127.0.0.1:")
        assert server.ca_bundle is not None and server.ca_bundle.is_file()
        ctx = ssl.create_default_context(cafile=str(server.ca_bundle))
        with urllib.request.urlopen(f"{server.url}/noarch/repodata.json", context=ctx, timeout=30) as resp:
            assert resp.read() == b'{"packages": {}}'
        assert [e.status for e in server.requests("noarch/repodata.json")] == [200]


def test_https_refused_without_the_ca_and_the_server_lives_on(root: Path) -> None:
    with ChannelServer(root, tls=True) as server:
        with pytest.raises(urllib.error.URLError) as info:
            urllib.request.urlopen(f"{server.url}/noarch/repodata.json", context=ssl.create_default_context(),
                                   timeout=30)
        assert isinstance(info.value.reason, ssl.SSLCertVerificationError)
        assert server.requests() == []
        unverified = ssl._create_unverified_context()
        with urllib.request.urlopen(f"{server.url}/noarch/repodata.json", context=unverified, timeout=30) as resp:
            assert resp.status == 200


def test_plain_http_server_has_no_ca_and_basic_auth_url_keeps_scheme(root: Path) -> None:
    with ChannelServer(root, auth=("u", "p")) as plain:
        assert plain.ca_bundle is None
        assert plain.url_with_credentials.startswith("http://u:p@127.0.0.1:")
    with ChannelServer(root, auth=("u", "p"), tls=True) as secure:
        assert secure.url_with_credentials.startswith("https://u:p@127.0.0.1:")
        ca = secure.ca_bundle
        assert ca is not None
    assert not ca.exists()  # the throw-away CA goes with the server

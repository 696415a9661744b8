"""The real conda-built zlib 1.2.11 (linux-64): the .tar.bz2 installs and loads; its malformed .conda is refused."""

from __future__ import annotations

import ctypes
import json

import pytest

from cantil.link import PrefixData, UnsafeArchive


@pytest.fixture(scope="module")
def zlib(helpers):
    from cantil_tools.server import ChannelServer

    with ChannelServer(helpers.FORMAT_REPO) as server:
        recs = helpers.records_of(helpers.FORMAT_REPO, server.url, "conda-format-repo")
        yield server, recs["zlib-1.2.11-h7b6447c_3.tar.bz2"], recs["zlib-1.2.11-h7b6447c_3.conda"]


def test_tar_bz2_installs_text_prefix_replaced_and_library_loads(env, zlib):
    _, tarball, _ = zlib
    env.install(tarball)  # --no-deps: libgcc-ng is not in the channel
    pc = (env.prefix / "lib/pkgconfig/zlib.pc").read_text()
    assert pc.splitlines()[0] == f"prefix={env.prefix}"
    assert "/opt/anaconda1anaconda2anaconda3" not in pc
    lib = ctypes.CDLL(str(env.prefix / "lib/libz.so.1.2.11"))
    lib.zlibVersion.restype = ctypes.c_char_p
    assert lib.zlibVersion() == b"1.2.11"
    # the fixture stores its two symlinks as empty files: conda's default safety_checks warn and copy them
    assert sorted(w.split("'")[1] for w in env.reporter.warnings) == ["lib/libz.so", "lib/libz.so.1"]
    rec = json.loads((env.prefix / "conda-meta/zlib-1.2.11-h7b6447c_3.json").read_text())
    assert rec["channel"].endswith("/linux-64") and rec["md5"] == "2e5b81671cc2b53177b94b258b1658b2"
    assert PrefixData(env.prefix).verify() == []
    env.remove("zlib")
    assert not (env.prefix / "lib").exists()


def test_malformed_conda_is_refused_cleanly(env, zlib):
    _, _, conda = zlib
    with pytest.raises(UnsafeArchive) as e:
        env.install(conda)
    assert e.value.package == "zlib-1.2.11-h7b6447c_3.conda"
    assert e.value.member in ("lib/libz.so", "lib/libz.so.1")
    assert "empty target" in str(e.value)
    assert not env.prefix.exists()  # no half-installed record
    assert sorted(p.name for p in env.pkgs.iterdir() if not p.name.startswith(".cantil")) == [
        "urls.txt", "zlib-1.2.11-h7b6447c_3.conda"]  # the verified download stays; nothing half-extracted


def test_safety_checks_enabled_refuses_the_fake_symlinks(env, zlib):
    from cantil.link import VerificationError

    _, tarball, _ = zlib
    with pytest.raises(VerificationError, match="not a symlink"):
        env.install(tarball, settings=env.settings(safety_checks="enabled"))
    assert not env.prefix.exists()

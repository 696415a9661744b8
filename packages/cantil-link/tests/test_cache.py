"""The package cache: downloads over loopback HTTP, verification, layout, several pkgs_dirs, interrupted
extractions, concurrent processes; and archives that try to escape."""

from __future__ import annotations

import io
import json
import pickle
import subprocess
import sys
import tarfile
import textwrap
import zipfile
from pathlib import Path

import pytest
import zstandard

from cantil.link import ChecksumMismatch, DownloadError, PackageCache, UnsafeArchive, extract_package


def download(url, dest, **kw):
    from urllib.error import HTTPError
    from urllib.request import urlopen

    try:
        r = urlopen(url)
    except HTTPError as e:
        e.close()  # an unclosed error response would warn in a later test
        raise
    with r:
        dest.write_bytes(r.read())


def gets(channel, fn):
    return [e for e in channel.server.requests() if e.path.endswith(fn) and e.method == "GET"]


@pytest.fixture
def pkg(channel):
    channel.build({"name": "pkg", "version": "1.0", "files": {"lib/p.txt": "p\n", "bin/p": "#!/bin/sh\n"}})
    return channel.record("pkg")


def test_download_verify_extract_in_condas_layout(tmp_path, channel, pkg):
    pkgs = tmp_path / "pkgs"
    out = PackageCache([pkgs]).ensure([pkg], download)
    dist = pkgs / "pkg-1.0-h0_0"
    assert out == {pkg: dist}
    assert (pkgs / pkg.fn).is_file() and (dist / "lib/p.txt").read_text() == "p\n"
    rr = json.loads((dist / "info/repodata_record.json").read_text())
    assert rr["url"] == pkg.url and rr["sha256"] == pkg.sha256 and rr["md5"] == pkg.md5 and rr["fn"] == pkg.fn
    assert (pkgs / "urls.txt").read_text().splitlines() == [pkg.url]
    assert not list(pkgs.glob(".*.part")) and not list(pkgs.glob(".*.extracting"))
    assert len(gets(channel, pkg.fn)) == 1
    assert PackageCache([pkgs]).ensure([pkg], download) == {pkg: dist}
    assert len(gets(channel, pkg.fn)) == 1  # warm: no second download


def test_corrupt_download_is_rejected_and_deleted(tmp_path, channel, pkg):
    pkgs = tmp_path / "pkgs"
    channel.server.fault(f"noarch/{pkg.fn}" if pkg.subdir == "noarch" else f"{pkg.subdir}/{pkg.fn}", "corrupt")
    with pytest.raises(ChecksumMismatch) as e:
        PackageCache([pkgs]).ensure([pkg], download)
    assert e.value.kind in ("size", "sha256") and pkg.fn in e.value.what
    assert sorted(p.name for p in pkgs.iterdir() if p.name != ".cantil-locks") == ["urls.txt"]
    PackageCache([pkgs]).ensure([pkg], download)  # the next try gets good bytes
    assert (pkgs / "pkg-1.0-h0_0/lib/p.txt").is_file()


def test_record_checksum_mismatch(tmp_path, channel, pkg):
    bad = pkg.replace(sha256="0" * 64)
    with pytest.raises(ChecksumMismatch) as e:
        PackageCache([tmp_path / "pkgs"]).ensure([bad], download)
    assert e.value.kind == "sha256" and e.value.expected == "0" * 64 and e.value.actual == pkg.sha256


def test_failed_download_names_the_url(tmp_path, channel, pkg):
    channel.server.fault(f"{pkg.subdir}/{pkg.fn}", 404)
    with pytest.raises(DownloadError) as e:
        PackageCache([tmp_path / "pkgs"]).ensure([pkg], download)
    assert e.value.url == pkg.url


def test_read_only_caches_are_used_never_written(tmp_path, channel, pkg, helpers):
    channel.build({"name": "other", "version": "1.0", "files": {"o.txt": "o"}})
    other = channel.record("other")
    shared = tmp_path / "shared"
    PackageCache([shared]).ensure([pkg], download)
    before = helpers.tree(shared)
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    mine = tmp_path / "mine"
    cache = PackageCache([blocked / "pkgs", mine, shared])  # the first cannot be created
    out = cache.ensure([pkg, other], download)
    assert out[pkg] == shared / "pkg-1.0-h0_0" and out[other] == mine / "other-1.0-h0_0"
    assert helpers.tree(shared) == before
    assert len(gets(channel, pkg.fn)) == 1


def test_interrupted_extraction_is_detected_and_redone(tmp_path, channel, pkg):
    pkgs = tmp_path / "pkgs"
    PackageCache([pkgs]).ensure([pkg], download)
    dist = pkgs / "pkg-1.0-h0_0"
    (dist / "info/repodata_record.json").unlink()  # as if killed before the extraction completed
    (dist / "lib/p.txt").unlink()
    stale = pkgs / ".pkg-1.0-h0_0.abc123.extracting"
    (stale / "lib").mkdir(parents=True)
    out = PackageCache([pkgs]).ensure([pkg], download)
    assert out[pkg] == dist and (dist / "lib/p.txt").read_text() == "p\n"
    assert (dist / "info/repodata_record.json").is_file() and not stale.exists()
    assert len(gets(channel, pkg.fn)) == 1  # the verified archive in the cache was reused


CHILD = textwrap.dedent("""
    import os, pickle, sys
    from pathlib import Path
    from urllib.request import urlopen
    from cantil.link import LinkSettings, PackageCache, Transaction
    args = pickle.loads(Path(sys.argv[1]).read_bytes())
    def download(url, dest, **kw):
        with urlopen(url) as r:
            dest.write_bytes(r.read())
    tx = Transaction.prepare(Path(args["prefix"]), link=args["link"], cache=PackageCache([Path(args["pkgs"])]),
                             download=download, settings=LinkSettings(environments_txt=False))
    tx.execute()
    os._exit(0)
""")


def test_two_processes_install_two_prefixes_from_one_cache(tmp_path, channel):
    channel.build(*({"name": f"p{i}", "version": "1.0", "files": {f"share/p{i}/{j}.txt": f"{i}{j}" for j in range(50)}}
                    for i in range(6)))
    recs = [channel.record(f"p{i}") for i in range(6)]
    procs = []
    for k in (1, 2):
        args = tmp_path / f"args{k}.pickle"
        args.write_bytes(pickle.dumps({"prefix": str(tmp_path / f"env{k}"), "pkgs": str(tmp_path / "pkgs"),
                                       "link": recs}))
        procs.append(subprocess.Popen([sys.executable, "-c", CHILD, str(args)], stdout=subprocess.PIPE,
                                      stderr=subprocess.STDOUT, text=True))
    for p in procs:
        out, _ = p.communicate(timeout=120)
        assert p.returncode == 0, out
    for r in recs:
        assert len(gets(channel, r.fn)) == 1, channel.server.log_text()
        for k in (1, 2):
            assert (tmp_path / f"env{k}/share/{r.name}/7.txt").read_text() == f"{r.name[1:]}7"


# -- archives that try to escape -----------------------------------------------------------------------------------

def _member(name: str, kind: str = "file", target: str = "", data: bytes = b"x") -> tuple[tarfile.TarInfo, bytes]:
    ti = tarfile.TarInfo(name)
    if kind == "file":
        ti.size = len(data)
    elif kind == "symlink":
        ti.type, ti.linkname = tarfile.SYMTYPE, target
    elif kind == "hardlink":
        ti.type, ti.linkname = tarfile.LNKTYPE, target
    elif kind == "device":
        ti.type = tarfile.CHRTYPE
    return ti, data


def _tar(members) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tf:
        for ti, data in members:
            tf.addfile(ti, io.BytesIO(data) if ti.isfile() else None)
    return buf.getvalue()


INDEX = _member("info/index.json", data=b'{"name": "evil", "version": "1", "build": "0", "build_number": 0}')

CASES = {
    "absolute": ([_member("/tmp/evil.txt")], "/tmp/evil.txt", "absolute"),
    "dotdot": ([_member("../evil.txt")], "../evil.txt", "'..'"),
    "dotdot-inside": ([_member("lib/../../evil.txt")], "lib/../../evil.txt", "'..'"),
    "symlink-absolute": ([_member("lib/s", "symlink", "/etc")], "lib/s", "absolute"),
    "symlink-out": ([_member("lib/s", "symlink", "../../outside")], "lib/s", "outside"),
    "symlink-empty": ([_member("lib/s", "symlink", "")], "lib/s", "empty target"),
    "symlink-chain": ([_member("lib/up", "symlink", ".."), _member("esc", "symlink", "lib/up/..")], "esc", "outside"),
    "hardlink-out": ([_member("lib/h", "hardlink", "../outside")], "lib/h", "'..'"),
    "hardlink-missing": ([_member("lib/h", "hardlink", "lib/nothing")], "lib/h", "not in the package"),
    "device": ([_member("dev/null", "device")], "dev/null", "device"),
}


@pytest.mark.parametrize("fmt", [".tar.bz2", ".conda"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_escaping_archives_are_refused(tmp_path, fmt, case):
    members, bad, reason = CASES[case]
    archive = tmp_path / f"evil-1-0{fmt}"
    if fmt == ".tar.bz2":
        import bz2

        archive.write_bytes(bz2.compress(_tar([INDEX, *members])))
    else:
        cctx = zstandard.ZstdCompressor()
        with zipfile.ZipFile(archive, "w") as zf:
            zf.writestr("metadata.json", '{"conda_pkg_format_version": 2}')
            zf.writestr("pkg-evil-1-0.tar.zst", cctx.compress(_tar(members)))
            zf.writestr("info-evil-1-0.tar.zst", cctx.compress(_tar([INDEX])))
    dest = tmp_path / "box" / "pkgs" / "evil-1-0"
    with pytest.raises(UnsafeArchive) as e:
        extract_package(archive, dest)
    assert e.value.package == archive.name and e.value.member == bad
    assert reason in str(e.value) and archive.name in str(e.value) and bad in str(e.value)
    outside = [p for p in (tmp_path / "box").rglob("*") if not p.is_relative_to(dest)]
    assert [p.name for p in outside] == ["pkgs"]
    assert not Path("/tmp/evil.txt").exists()


def test_without_a_download_function_file_urls_are_copied(tmp_path, channel, pkg, helpers):
    local = helpers.records_of(channel.root, (channel.root).as_uri(), "local")
    rec = next(r for fn, r in local.items() if fn == pkg.fn)
    pkgs = tmp_path / "pkgs-local"
    out = PackageCache([pkgs]).ensure([rec], None)
    assert (out[rec] / "lib/p.txt").read_text() == "p\n"
    assert (pkgs / rec.fn).read_bytes() == (channel.root / rec.subdir / rec.fn).read_bytes()
    assert not gets(channel, pkg.fn)  # nothing went over HTTP
    with pytest.raises(DownloadError) as info:
        PackageCache([tmp_path / "pkgs-http"]).ensure([pkg], None)
    assert "no download function given for a non-file URL" in str(info.value)

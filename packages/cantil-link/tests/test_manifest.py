"""The manifest cached in an extracted package (info/.cantil-manifest.json): written at extraction and on first use
(writable cache only), used only when it matches paths.json and is intact; stale, damaged or malformed manifests are
detected and rebuilt, never trusted; records are the same with or without it."""

from __future__ import annotations

import json
import zlib
from pathlib import Path

import pytest

from cantil.link import CorruptPackage, PackageCache, PrefixData, VerificationError, _manifest
from cantil.link._package import read_package_info

MANIFEST = "info/" + _manifest.MANIFEST_NAME


def lib(version: str, files: dict[str, object]) -> dict[str, object]:
    return {"name": "lib", "version": version, "subdir": "linux-64", "files": files}


FILES = {"lib/a.txt": b"alpha", "lib/sub/b.bin": b"0123456789", "etc/conf": "prefix=@PREFIX@\n"}


def _columns(info):
    return (info.files, info.sizes, {i: e.raw for i, e in info.special.items()}, info.dirs, info.parents, info.span)


def _parsed(pkg: Path):
    """The columns as paths.json says, the manifest aside."""
    (pkg / MANIFEST).rename(pkg / "info" / "saved")
    try:
        return _columns(read_package_info(pkg))
    finally:
        (pkg / "info" / "saved").rename(pkg / MANIFEST)


@pytest.fixture
def pkg(env, channel) -> Path:
    channel.build(lib("1.0", FILES))
    rec = channel.record("lib")
    return env.cache.ensure([rec], _download)[rec]


def _download(url, dest, **kw):
    from urllib.request import urlopen

    with urlopen(url, timeout=30) as r:
        dest.write_bytes(r.read())


def test_written_at_extraction_and_used(pkg: Path) -> None:
    assert (pkg / MANIFEST).is_file()
    info = read_package_info(pkg)
    assert info._entries is None  # the columns came from the manifest: paths.json was not parsed
    assert _columns(info) == _parsed(pkg)
    assert sorted(info.files) == sorted(FILES) and len(info.special) == 1  # etc/conf has a placeholder
    assert json.loads(info.paths_text or "") == [e.raw for e in info.paths]
    (pkg.parent / "linked").mkdir()
    (pkg.parent / "linked" / "paths.json").hardlink_to(pkg / "info" / "paths.json")  # `cp -al` of the cache
    assert read_package_info(pkg)._entries is None  # the content did not change: still used


def _rewrite(path: Path, mutate) -> None:
    """Change the manifest's content and give it a correct crc32 (so that only the content checks can catch it)."""
    _head, _, body = path.read_bytes().partition(b"\n")
    header, sizes, files = body.decode().split("\n", 2)
    parts = {"header": json.loads(header), "sizes": [sizes[i:i + 16] for i in range(0, len(sizes), 16)],
             "files": files.split("\n")}
    mutate(parts)
    body = "\n".join([json.dumps(parts["header"]), "".join(parts["sizes"]), "\n".join(parts["files"])]).encode()
    path.write_bytes(f"cantil-manifest 3 {zlib.crc32(body):08x}\n".encode() + body)


@pytest.mark.parametrize("damage", [
    lambda p: p.write_bytes(p.read_bytes().replace(b"lib/a.txt", b"lib/A.txt")),        # crc no longer matches
    lambda p: p.write_bytes(p.read_bytes()[:-5]),                                        # truncated
    lambda p: p.write_bytes(b"\x00garbage"),
    lambda p: p.write_text(""),
    lambda p: p.write_bytes(p.read_bytes().replace(b"manifest 3", b"manifest 9")),       # another format
    lambda p: _rewrite(p, lambda o: o["sizes"].pop()),                                   # columns of unequal length
    lambda p: _rewrite(p, lambda o: o["files"].pop()),
    lambda p: _rewrite(p, lambda o: o.update(sizes=["x" * 16] * len(o["sizes"]))),       # not numbers
    lambda p: _rewrite(p, lambda o: o["sizes"].append("00")),                            # not whole numbers
    lambda p: _rewrite(p, lambda o: o["header"].update(special=[[99, {"_path": "x"}]])),  # index out of range
    lambda p: _rewrite(p, lambda o: o["header"].update(special=[[0, {"_path": "lib/a.txt"}]])),  # a plain entry
    lambda p: _rewrite(p, lambda o: o["header"].update(span=[0, 10**9])),
    lambda p: _rewrite(p, lambda o: o["header"]["special"][0].__setitem__(3, 10**9)),      # an entry's span outside
    lambda p: _rewrite(p, lambda o: o["header"]["special"][0].append(1)),                 # a malformed special item
    lambda p: _rewrite(p, lambda o: o["header"].update(dirs=[1])),
    lambda p: _rewrite(p, lambda o: o["header"].pop("parents")),
    lambda p: _rewrite(p, lambda o: o["header"].update(stamp=[0, 0, 0])),                # made from another file
])
def test_damaged_manifest_is_rebuilt_not_trusted(pkg: Path, damage, monkeypatch) -> None:
    expected = _parsed(pkg)
    damage(pkg / MANIFEST)
    info = read_package_info(pkg)
    assert info._entries is not None and _columns(info) == expected  # paths.json was read
    monkeypatch.setattr(_manifest, "RACY_NS", 0)
    read_package_info(pkg, cache_manifest=True)  # rewritten, valid again
    info = read_package_info(pkg)
    assert info._entries is None and _columns(info) == expected


def test_written_record_is_paths_json_with_sha256_in_prefix(env, channel) -> None:
    """The record reuses paths.json's text, with the rewritten entries spliced in: the same entries, in order."""
    odd = {'lib/we"ird': b"q", "lib/t\u00e9st": b"u", "lib/tab\there": b"t"}
    channel.build(lib("1.0", {**FILES, "etc/more": "x @PREFIX@ y\n", **odd}))
    rec = channel.record("lib")
    pkg = env.cache.ensure([rec], _download)[rec]
    assert len(read_package_info(pkg).spans) == 2  # the manifest knows where both placeholder entries lie
    env.install(rec)
    written = json.loads((env.prefix / "conda-meta" / f"{pkg.name}.json").read_text())
    expected = json.loads((pkg / "info" / "paths.json").read_text())["paths"]
    for e in expected:
        if e.get("prefix_placeholder"):
            import hashlib

            e["sha256_in_prefix"] = hashlib.sha256((env.prefix / e["_path"]).read_bytes()).hexdigest()
    assert written["paths_data"]["paths"] == expected
    assert written["files"] == [e["_path"] for e in expected]
    assert set(odd) <= set(written["files"])


def test_stale_manifest_after_paths_json_changes(pkg: Path, monkeypatch) -> None:
    paths_json = pkg / "info" / "paths.json"
    data = json.loads(paths_json.read_text())
    data["paths"] = [e for e in data["paths"] if e["_path"] != "lib/a.txt"]
    paths_json.write_text(json.dumps(data))
    info = read_package_info(pkg, cache_manifest=True)
    assert "lib/a.txt" not in info.files and info._entries is not None
    assert not (pkg / MANIFEST).exists() or read_package_info(pkg)._entries is not None  # racy: not cached yet
    monkeypatch.setattr(_manifest, "RACY_NS", 0)
    read_package_info(pkg, cache_manifest=True)
    info = read_package_info(pkg)
    assert info._entries is None and "lib/a.txt" not in info.files


def test_paths_json_changing_after_the_plan_is_refused(pkg: Path) -> None:
    info = read_package_info(pkg)
    paths_json = pkg / "info" / "paths.json"
    paths_json.write_text(paths_json.read_text() + " ")
    with pytest.raises(CorruptPackage, match="changed"):
        _ = info.paths_text
    with pytest.raises(CorruptPackage, match="changed"):
        _ = info.paths


def test_records_are_the_same_with_or_without_a_manifest(env, channel, helpers, tmp_path: Path) -> None:
    channel.build(lib("1.0", FILES),
                  {"name": "plain", "version": "1", "subdir": "linux-64", "files": {"share/p/x": b"x" * 100}})
    recs = [channel.record("lib"), channel.record("plain")]
    env.install(*recs)
    for r in recs:
        (env.cache.extracted(r) / MANIFEST).unlink()
    other = helpers.Env(tmp_path / "other")
    other.cache = PackageCache([env.pkgs])
    other.install(*recs)  # paths.json parsed (the manifests are not rewritten: racy)
    for name in ("lib", "plain"):
        a = PrefixData(env.prefix).raw()[name][1]
        b = PrefixData(other.prefix).raw()[name][1]
        for d in (a, b):
            for e in d["paths_data"]["paths"]:
                e.pop("sha256_in_prefix", None)  # depends on the prefix
        assert a == b
    assert (other.prefix / "etc/conf").read_text() == f"prefix={other.prefix}\n"


def test_later_cache_gets_no_manifest(env, channel, tmp_path: Path, monkeypatch) -> None:
    channel.build(lib("1.0", FILES))
    rec = channel.record("lib")
    shared = PackageCache([tmp_path / "shared"])
    pkg = shared.ensure([rec], _download)[rec]
    (pkg / MANIFEST).unlink()
    monkeypatch.setattr(_manifest, "RACY_NS", 0)
    env.cache = PackageCache([env.pkgs, tmp_path / "shared"])  # shared comes second: used, never written
    env.install(rec)
    assert sorted(p.name for p in (pkg / "info").iterdir() if p.name.startswith(".")) == []
    assert (env.prefix / "lib/a.txt").read_bytes() == b"alpha"
    env.cache = PackageCache([tmp_path / "shared"])  # the first writable cache: the manifest is written on use
    env.remove("lib")
    env.install(rec)
    assert read_package_info(pkg)._entries is None


def test_safety_checks_see_through_a_manifest(env, channel) -> None:
    channel.build(lib("1.0", FILES))
    rec = channel.record("lib")
    pkg = env.cache.ensure([rec], _download)[rec]
    assert (pkg / MANIFEST).is_file()
    (pkg / "lib/sub/b.bin").write_bytes(b"0123")
    with pytest.raises(VerificationError, match="incorrect size"):
        env.transaction(link=[rec], settings=env.settings(safety_checks="enabled")).verify()
    (pkg / "lib/sub/b.bin").unlink()
    with pytest.raises(VerificationError, match="missing"):
        env.transaction(link=[rec], settings=env.settings(safety_checks="enabled")).verify()


@pytest.mark.parametrize("items", [[], ["a"], ["a", "b/c d"], ['we"ird'], ["t\tab"], ["back\\slash"],
                                   ["caf\u00e9", "\u00a0x", "\u2028"], ["a\x7f", "\x00"]])
def test_record_files_written_as_the_json_encoder_writes_them(items) -> None:
    from cantil.link._exec import _strings, record_json

    assert _strings(items) == json.dumps(items, ensure_ascii=False)
    data = {"name": "x", "files": items, "paths_data": {"paths": []}}
    assert json.loads(record_json(data)) == data

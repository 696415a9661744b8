"""Transactions with packages built by cantil-tools (both formats): install, update, remove, prefix replacement,
link types, conflicts, safety checks, noarch python."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from cantil.link import (
    ClobberError,
    History,
    LinkSettings,
    PrefixData,
    PrefixTooLong,
    VerificationError,
)
from cantil_tools.build import CLASSIC_PLACEHOLDER, PLACEHOLDER


def lib(version: str, files: dict[str, object]) -> dict[str, object]:
    return {"name": "lib", "version": version, "subdir": "linux-64", "files": files}


@pytest.mark.parametrize("fmt", [".conda", ".tar.bz2"])
def test_install_update_remove(env, channel, fmt):
    channel.build(lib("1.0", {"lib/a.txt": "one\n", "share/lib/only1.txt": "x"}),
                  lib("2.0", {"lib/a.txt": "two\n", "share/lib/b.txt": "b"}))
    v1, v2 = channel.record("lib", "1.0", fmt=fmt), channel.record("lib", "2.0", fmt=fmt)

    env.install(v1)
    a = env.prefix / "lib/a.txt"
    assert a.read_text() == "one\n"
    extracted = env.pkgs / "lib-1.0-h0_0"
    assert a.stat().st_ino == (extracted / "lib/a.txt").stat().st_ino  # hardlinked from the cache
    rec = json.loads((env.prefix / "conda-meta/lib-1.0-h0_0.json").read_text())
    assert sorted(rec["files"]) == ["lib/a.txt", "share/lib/only1.txt"]
    assert rec["link"] == {"source": str(extracted), "type": 1}
    assert rec["requested_spec"] == "lib"
    assert {p["_path"] for p in rec["paths_data"]["paths"]} == set(rec["files"])
    assert rec["fn"] == v1.fn and rec["sha256"] == v1.sha256

    env.transaction(link=[v2], unlink_names=["lib"]).execute()
    assert a.read_text() == "two\n"
    assert not (env.prefix / "share/lib/only1.txt").exists()
    assert (env.prefix / "share/lib/b.txt").read_text() == "b"
    assert sorted(p.name for p in (env.prefix / "conda-meta").glob("*.json")) == ["lib-2.0-h0_0.json"]

    env.remove("lib")
    assert env.names() == set()
    assert sorted(p.name for p in env.prefix.iterdir()) == ["conda-meta"]  # emptied folders removed too
    states = History(env.prefix).states()
    assert [sorted(s) for s in states] == [["test-channel/linux-64::lib-1.0-h0_0"],
                                           ["test-channel/linux-64::lib-2.0-h0_0"], []]
    revs = History(env.prefix).revisions()
    assert revs[0].specs("update") == ["lib"] and revs[2].specs("remove") == ["lib"]
    assert env.registry.read_text().splitlines() == [str(env.prefix)]
    assert not (env.prefix / "conda-meta/.cantil-journal").exists()
    assert not (env.prefix / "conda-meta/.cantil-txn").exists()


def test_nothing_to_do(env):
    tx = env.transaction()
    assert tx.nothing_to_do
    tx.execute()
    assert not env.prefix.exists()


@pytest.mark.parametrize("fmt", [".conda", ".tar.bz2"])
def test_text_and_binary_prefix_replacement_byte_by_byte(env, channel, fmt):
    channel.build(lib("1.0", {
        "etc/lib.conf": "root=@PREFIX@\nbin=@PREFIX@/bin\n",
        "lib/libx.so": {"bytes": b"\x7fELF\x00\x01@PREFIX@/lib:@PREFIX@/x\x00rest\x00", "prefix": "binary"},
        "share/plain.txt": "no placeholder\n",
    }))
    env.install(channel.record("lib", fmt=fmt))
    p = str(env.prefix).encode()
    assert (env.prefix / "etc/lib.conf").read_bytes() == b"root=" + p + b"\nbin=" + p + b"/bin\n"
    pad = b"\x00" * (2 * (len(PLACEHOLDER) - len(p)))
    assert (env.prefix / "lib/libx.so").read_bytes() == (
        b"\x7fELF\x00\x01" + p + b"/lib:" + p + b"/x" + pad + b"\x00rest\x00")
    cached = env.pkgs / "lib-1.0-h0_0"
    # rewritten files are copies; the cache keeps the placeholder
    assert PLACEHOLDER.encode() in (cached / "lib/libx.so").read_bytes()
    assert (env.prefix / "etc/lib.conf").stat().st_ino != (cached / "etc/lib.conf").stat().st_ino
    assert (env.prefix / "share/plain.txt").stat().st_ino == (cached / "share/plain.txt").stat().st_ino
    rec = json.loads((env.prefix / "conda-meta/lib-1.0-h0_0.json").read_text())
    conf = next(d for d in rec["paths_data"]["paths"] if d["_path"] == "etc/lib.conf")
    assert conf["file_mode"] == "text" and conf["prefix_placeholder"] == PLACEHOLDER
    assert conf["sha256_in_prefix"] != conf["sha256"]
    assert PrefixData(env.prefix).verify() == []


def test_binary_placeholder_shorter_than_prefix_fails_before_any_change(env, channel):
    channel.build(lib("1.0", {"lib/libx.so": {"bytes": b"a@PREFIX@\x00", "prefix": "binary",
                                              "placeholder": CLASSIC_PLACEHOLDER}}))
    tx = env.transaction(link=[channel.record("lib")])
    with pytest.raises(PrefixTooLong) as e:
        tx.execute()
    assert "lib/libx.so" in str(e.value) and e.value.placeholder == CLASSIC_PLACEHOLDER
    assert not env.prefix.exists()


def test_long_shebang_rewritten_to_env(tmp_path, channel, helpers):
    env = helpers.Env(tmp_path / ("d" * 120))
    channel.build(lib("1.0", {"bin/tool": "#!@PREFIX@/bin/python -E\nprint('hi')\n",
                              "bin/short": "#!/bin/sh\necho @PREFIX@\n"}))
    env.install(channel.record("lib"))
    assert (env.prefix / "bin/tool").read_text() == "#!/usr/bin/env python -E\nprint('hi')\n"
    assert (env.prefix / "bin/short").read_text() == f"#!/bin/sh\necho {env.prefix}\n"
    assert os.access(env.prefix / "bin/tool", os.X_OK)


@pytest.mark.parametrize(("settings", "expect"), [
    ({"always_copy": True}, "copy"),
    ({"always_softlink": True}, "softlink"),
    ({"execute_threads": 1}, "hardlink"),
    ({"execute_threads": 4}, "hardlink"),
])
def test_link_types(env, channel, settings, expect):
    files = {f"share/many/f{i}.txt": f"{i}\n" for i in range(300)}
    files["bin/run"] = {"text": "#!/bin/sh\necho run\n", "mode": 0o755}
    channel.build(lib("1.0", files))
    env.install(channel.record("lib"), settings=env.settings(**settings))
    cached = env.pkgs / "lib-1.0-h0_0"
    for rel in ("share/many/f7.txt", "bin/run"):
        dst, src = env.prefix / rel, cached / rel
        assert dst.read_bytes() == src.read_bytes()
        if expect == "copy":
            assert not dst.is_symlink() and dst.stat().st_ino != src.stat().st_ino
        elif expect == "softlink":
            assert dst.is_symlink() and os.readlink(dst) == str(src)
        else:
            assert dst.stat().st_ino == src.stat().st_ino
    assert subprocess.run([env.prefix / "bin/run"], check=True, capture_output=True, text=True).stdout == "run\n"
    rec = json.loads((env.prefix / "conda-meta/lib-1.0-h0_0.json").read_text())
    assert rec["link"]["type"] == {"copy": 3, "softlink": 2, "hardlink": 1}[expect]
    assert len(rec["files"]) == 301


def test_symlinks_in_packages_are_recreated(env, channel):
    channel.build(lib("1.0", {"lib/libq.so.1.0": b"\x7fELF", "lib/libq.so": {"symlink": "libq.so.1.0"}}))
    env.install(channel.record("lib"))
    assert os.readlink(env.prefix / "lib/libq.so") == "libq.so.1.0"
    assert PrefixData(env.prefix).verify() == []


def test_path_conflict_prevent_warn_clobber(env, channel):
    channel.build({"name": "a", "version": "1", "files": {"bin/tool": "a\n"}},
                  {"name": "b", "version": "1", "files": {"bin/tool": "b\n"}})
    a, b = channel.record("a"), channel.record("b")
    with pytest.raises(ClobberError) as e:
        env.install(a, b, settings=env.settings(path_conflict="prevent"))
    assert e.value.path == "bin/tool"
    assert not env.prefix.exists()
    env.install(a)
    with pytest.raises(ClobberError) as e:
        env.install(b, settings=env.settings(path_conflict="prevent"))
    assert e.value.existing == "a"
    assert (env.prefix / "bin/tool").read_text() == "a\n"
    env.install(b)  # warn (default): the new package wins, with a warning
    assert (env.prefix / "bin/tool").read_text() == "b\n"
    assert any("bin/tool" in w for w in env.reporter.warnings)


def test_shared_path_within_one_transaction_the_later_package_wins(env, channel):
    channel.build({"name": "a", "version": "1", "files": {"bin/tool": "a\n", "share/a.txt": "a\n"}},
                  {"name": "b", "version": "1", "depends": ["a"], "files": {"bin/tool": "b\n", "share/b.txt": "b\n"}})
    env.install(channel.record("b"), channel.record("a"))  # linked in dependency order: a, then b
    assert (env.prefix / "bin/tool").read_text() == "b\n"
    assert (env.prefix / "share/a.txt").read_text() == "a\n" and (env.prefix / "share/b.txt").read_text() == "b\n"
    assert any("bin/tool" in w for w in env.reporter.warnings)
    # a's record still lists bin/tool (as conda's does), whose content is now b's
    assert [(p.path, p.kind) for p in PrefixData(env.prefix).verify()] == [("bin/tool", "changed")]


def test_unmanaged_file_is_a_conflict(env, channel):
    channel.build({"name": "a", "version": "1", "files": {"etc/a.conf": "pkg\n"}})
    (env.prefix / "etc").mkdir(parents=True)
    (env.prefix / "etc/a.conf").write_text("mine\n")
    with pytest.raises(ClobberError) as e:
        env.install(channel.record("a"), settings=env.settings(path_conflict="prevent"))
    assert e.value.existing is None and "not owned by any package" in str(e.value)
    env.reporter.warnings.clear()
    env.install(channel.record("a"), settings=env.settings(path_conflict="clobber"))
    assert env.reporter.warnings == []
    assert (env.prefix / "etc/a.conf").read_text() == "pkg\n"


@pytest.mark.parametrize("mode", ["warn", "enabled", "disabled"])
def test_safety_checks_on_a_damaged_cache(env, channel, mode):
    channel.build(lib("1.0", {"lib/data.bin": b"0123456789"}))
    rec = channel.record("lib")
    env.cache.ensure([rec], helpers_download(channel))
    (env.pkgs / "lib-1.0-h0_0/lib/data.bin").write_bytes(b"0123")
    tx = env.transaction(link=[rec], settings=env.settings(safety_checks=mode))
    if mode == "enabled":
        with pytest.raises(VerificationError) as e:
            tx.execute()
        assert "incorrect size" in str(e.value) and e.value.path == "lib/data.bin"
        assert not env.prefix.exists()
    else:
        tx.execute()
        assert any("lib/data.bin" in w for w in env.reporter.warnings) == (mode == "warn")


def test_extra_safety_checks_compare_sha256(env, channel):
    channel.build(lib("1.0", {"lib/data.bin": b"0123456789"}))
    rec = channel.record("lib")
    env.cache.ensure([rec], helpers_download(channel))
    (env.pkgs / "lib-1.0-h0_0/lib/data.bin").write_bytes(b"9876543210")  # same size
    env.transaction(link=[rec], settings=env.settings(safety_checks="enabled")).verify()
    with pytest.raises(VerificationError, match="sha256 mismatch"):
        env.transaction(link=[rec], settings=env.settings(safety_checks="enabled", extra_safety_checks=True)).verify()


def helpers_download(channel):
    from urllib.request import urlopen

    def download(url, dest, **kw):
        dest.write_bytes(urlopen(url).read())

    return download


def python_package(version: str) -> dict[str, object]:
    """A python whose bin/pythonX.Y runs the test interpreter with the env's site-packages on its path."""
    mm = version.rsplit(".", 1)[0] if version.count(".") > 1 else version
    wrapper = (f'#!/bin/sh\nPYTHONPATH="@PREFIX@/lib/python{mm}/site-packages" exec "{sys.executable}" "$@"\n')
    return {"name": "python", "version": version, "subdir": "linux-64",
            "files": {f"bin/python{mm}": {"text": wrapper, "mode": 0o755}}}


def test_noarch_python_site_packages_entry_points_and_pyc(env, channel):
    mm = f"{sys.version_info.major}.{sys.version_info.minor}"
    channel.build(python_package(f"{mm}.0"), {
        "name": "hello", "version": "1.0", "noarch": "python", "entry_points": ["hello = hello.cli:main"],
        "files": {"site-packages/hello/__init__.py": "",
                  "site-packages/hello/cli.py": "import sys\ndef main():\n    print('hello', *sys.argv[1:])\n",
                  "python-scripts/hello-tool": {"text": "#!/bin/sh\necho tool\n", "mode": 0o755}}})
    env.install(channel.record("python"), channel.record("hello"))
    sp = env.prefix / f"lib/python{mm}/site-packages"
    assert (sp / "hello/cli.py").is_file()
    assert (env.prefix / "bin/hello-tool").is_file()
    out = subprocess.run([env.prefix / "bin/hello", "world"], capture_output=True, text=True, check=True)
    assert out.stdout == "hello world\n"
    pyc = sp / f"hello/__pycache__/cli.cpython-{mm.replace('.', '')}.pyc"
    assert pyc.is_file()
    rec = json.loads((env.prefix / "conda-meta/hello-1.0-py_0.json").read_text())
    rel = str(pyc.relative_to(env.prefix))
    assert rel in rec["files"] and "bin/hello" in rec["files"]
    kinds = {d["_path"]: d["path_type"] for d in rec["paths_data"]["paths"]}
    assert kinds[rel] == "pyc_file" and kinds["bin/hello"] == "unix_python_entry_point"
    # removal takes the generated files too
    env.remove("hello")
    assert not (env.prefix / "bin/hello").exists() and not pyc.exists() and not (sp / "hello").exists()


def test_noarch_python_without_python_is_refused(env, channel):
    channel.build({"name": "hello", "version": "1.0", "noarch": "python", "files": {"site-packages/h.py": ""}})
    with pytest.raises(Exception, match="no python"):
        env.install(channel.record("hello"))
    assert not env.prefix.exists()


def test_prefix_data_verify_reports_missing_and_changed(env, channel):
    channel.build(lib("1.0", {"lib/a.txt": "a\n", "lib/b.txt": "b\n", "etc/c.conf": "@PREFIX@\n"}))
    env.install(channel.record("lib"), settings=env.settings(always_copy=True))
    assert PrefixData(env.prefix).verify() == []
    (env.prefix / "lib/a.txt").unlink()
    (env.prefix / "lib/b.txt").write_text("changed\n")
    (env.prefix / "etc/c.conf").write_text("other\n")
    problems = {(p.path, p.kind) for p in PrefixData(env.prefix).verify()}
    assert problems == {("lib/a.txt", "missing"), ("lib/b.txt", "changed"), ("etc/c.conf", "changed")}


def test_settings_are_validated():
    with pytest.raises(ValueError, match="path_conflict"):
        LinkSettings(path_conflict="sometimes")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="safety_checks"):
        LinkSettings(safety_checks="maybe")  # type: ignore[arg-type]


def test_reads_records_conda_wrote(tmp_path):
    prefix = tmp_path / "env"
    (prefix / "conda-meta").mkdir(parents=True)
    (prefix / "lib").mkdir()
    (prefix / "lib/x.txt").write_text("x\n")
    sha = "ddd7e7c1d0b4c1e2d8d8c6f2f8b4f9f9a1a4c4c1a3c3e3f3c2b2a2f1e1d1c1b1"
    conda_record = {
        "build": "h1234_0", "build_number": 0, "channel": "https://conda.anaconda.org/conda-forge/linux-64",
        "constrains": [], "depends": ["libc"], "extracted_package_dir": "/opt/conda/pkgs/x-1.0-h1234_0",
        "features": "", "files": ["lib/x.txt"], "fn": "x-1.0-h1234_0.conda", "license": "MIT",
        "link": {"source": "/opt/conda/pkgs/x-1.0-h1234_0", "type": 1}, "md5": "0" * 32, "name": "x",
        "package_tarball_full_path": "/opt/conda/pkgs/x-1.0-h1234_0.conda",
        "paths_data": {"paths": [{"_path": "lib/x.txt", "path_type": "hardlink", "sha256": sha,
                                  "sha256_in_prefix": sha, "size_in_bytes": 2}], "paths_version": 1},
        "requested_spec": "x", "sha256": "1" * 64, "size": 10, "subdir": "linux-64", "timestamp": 1,
        "track_features": "", "url": "https://conda.anaconda.org/conda-forge/linux-64/x-1.0-h1234_0.conda",
        "version": "1.0"}
    (prefix / "conda-meta/x-1.0-h1234_0.json").write_text(json.dumps(conda_record))
    (prefix / "conda-meta/history").write_text("==> 2024-01-01 00:00:00 <==\n+conda-forge/linux-64::x-1.0-h1234_0\n")
    (prefix / "conda-meta/pinned").write_text("x 1.*\n")
    recs = PrefixData(prefix).records()
    assert list(recs) == ["x"]
    assert recs["x"].channel == "conda-forge" and recs["x"].files == ("lib/x.txt",)
    problems = PrefixData(prefix).verify()
    assert [(p.path, p.kind) for p in problems] == [("lib/x.txt", "changed")]
    assert History(prefix).state() == {"conda-forge/linux-64::x-1.0-h1234_0"}


def test_reinstall_same_package(env, channel):
    channel.build(lib("1.0", {"lib/a.txt": "a\n", "etc/x.conf": "@PREFIX@\n"}))
    rec = channel.record("lib")
    env.install(rec)
    (env.prefix / "lib/a.txt").unlink()  # damaged
    env.transaction(link=[rec], unlink_names=["lib"]).execute()
    assert (env.prefix / "lib/a.txt").read_text() == "a\n"
    assert PrefixData(env.prefix).verify() == []
    assert env.names() == {"lib"}


def test_unwritable_location_fails_before_any_change(tmp_path, channel, helpers):
    from cantil.link import NotWritable

    blocker = tmp_path / "file"
    blocker.write_text("")
    env = helpers.Env(tmp_path)
    env.prefix = blocker / "env"  # its parent is a regular file
    channel.build(lib("1.0", {"lib/a.txt": "a\n"}))
    with pytest.raises(NotWritable):
        env.install(channel.record("lib"))
    assert blocker.read_text() == ""


def test_not_enough_disk_space_fails_before_any_change(env, channel):
    from cantil.link import InsufficientSpace

    channel.build(lib("1.0", {"share/huge.bin": b"x" * 10}))
    rec = channel.record("lib")
    env.cache.ensure([rec], helpers_download(channel))
    paths_json = env.pkgs / "lib-1.0-h0_0/info/paths.json"
    data = json.loads(paths_json.read_text())
    data["paths"][0]["size_in_bytes"] = 10**18  # a manifest announcing an exabyte to copy
    paths_json.write_text(json.dumps(data))
    with pytest.raises(InsufficientSpace) as e:
        env.install(rec, settings=env.settings(always_copy=True, safety_checks="disabled"))
    assert e.value.needed > 10**18 and e.value.free < e.value.needed
    assert not env.prefix.exists()

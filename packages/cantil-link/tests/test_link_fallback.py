"""When a hardlink is impossible: a cache on another filesystem (decided before linking) and a kernel that refuses
the link at run time (fs.protected_hardlinks on a cache owned by another user) both fall back to a copy (or a softlink
with allow_softlinks); and write permission checked before any change, as a process without the root capabilities
sees it.

As root, the unprivileged process is `setpriv` dropping CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH and CAP_FOWNER from the
bounding set: uid 0 then obeys permission bits and the hardlink protection like any user (the interpreter under
/root stays readable, which running as `nobody` would not allow).
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from cantil.link import PrefixData

SHM = Path("/dev/shm")

CHILD = r"""
import json, sys
from pathlib import Path
from cantil.link import LinkError, LinkSettings, PackageCache, Transaction
from cantil.specs import PackageRecord
prefix, pkgs, repodata, fn, url, settings = sys.argv[1:7]
data = json.loads(Path(repodata).read_text())
entry = (data.get("packages.conda") or {}).get(fn) or data["packages"][fn]
rec = PackageRecord.from_repodata(fn, entry, channel="test-channel", subdir=Path(repodata).parent.name, base_url=url)
def no_download(*a, **k):
    raise AssertionError("the cache is warm: nothing to download")
try:
    tx = Transaction.prepare(Path(prefix), link=[rec], cache=PackageCache([Path(pkgs)]), download=no_download,
                             settings=LinkSettings(environments_txt=False, **json.loads(settings)),
                             requested_specs=[rec.name])
    tx.execute()
except LinkError as e:
    print(json.dumps({"error": type(e).__name__, "message": str(e)}))
    sys.exit(3)
print(json.dumps({"ok": True}))
"""


def lib(name: str, files: dict[str, object]) -> dict[str, object]:
    return {"name": name, "version": "1.0", "subdir": "linux-64", "files": files}


FILES = {f"share/data/f{i}.txt": f"file {i}\n" * (i + 1) for i in range(40)}
FILES["bin/run"] = {"text": "#!/bin/sh\necho run\n", "mode": 0o755}


def unprivileged(cmd: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return cmd
    assert shutil.which("setpriv"), "setpriv (util-linux) is needed to drop root's capabilities"
    return ["setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner", "--inh-caps=-all", *cmd]


def run_child(prefix: Path, pkgs: Path, channel, fn: str, **settings: object) -> tuple[int, dict[str, object]]:
    repodata = channel.root / "linux-64" / "repodata.json"
    proc = subprocess.run(unprivileged([sys.executable, "-c", CHILD, str(prefix), str(pkgs), str(repodata), fn,
                                        channel.server.url, json.dumps(settings)]),
                          capture_output=True, text=True, check=False)
    assert proc.returncode in (0, 3), proc.stderr
    return proc.returncode, json.loads(proc.stdout.strip().splitlines()[-1])


def warm(env, channel, helpers, name: str):
    rec = channel.record(name)
    env.cache.ensure([rec], helpers.http_download)
    return rec


def assert_copied_or_softlinked(prefix: Path, extracted: Path, expect: str) -> None:
    for rel in [*(k for k in FILES if k.startswith("share/")), "bin/run"]:
        dst, src = prefix / rel, extracted / rel
        assert dst.read_bytes() == src.read_bytes(), rel
        if expect == "softlink":
            assert dst.is_symlink() and os.readlink(dst) == str(src)
        else:
            st = dst.lstat()
            assert stat.S_ISREG(st.st_mode) and st.st_ino != src.stat().st_ino and st.st_nlink == 1, rel
    assert subprocess.run([prefix / "bin/run"], capture_output=True, text=True, check=True).stdout == "run\n"
    assert PrefixData(prefix).verify() == []


@pytest.mark.parametrize("case", [(False, "copy", 3), (True, "softlink", 2)], ids=["copy", "softlink"])
def test_cache_on_another_filesystem_is_copied(tmp_path, channel, helpers, case):
    allow_softlinks, expect, link_type = case
    assert SHM.is_dir() and SHM.stat().st_dev != tmp_path.stat().st_dev, "needs /dev/shm on another filesystem"
    shm = Path(tempfile.mkdtemp(prefix="cantil-link-test-", dir=SHM))
    try:
        env = helpers.Env(tmp_path)
        env.pkgs = shm / "pkgs"
        env.cache = type(env.cache)([env.pkgs])
        channel.build(lib("lib", FILES), formats=("conda",))
        env.install(channel.record("lib"), settings=env.settings(allow_softlinks=allow_softlinks))
        extracted = env.pkgs / "lib-1.0-h0_0"
        assert_copied_or_softlinked(env.prefix, extracted, expect)
        rec = json.loads((env.prefix / "conda-meta/lib-1.0-h0_0.json").read_text())
        assert rec["link"] == {"source": str(extracted), "type": link_type}
    finally:
        shutil.rmtree(shm, ignore_errors=True)


@pytest.mark.parametrize("case", [(False, "copy"), (True, "softlink")], ids=["copy", "softlink"])
def test_hardlink_refused_by_the_kernel_falls_back(env, channel, helpers, case):
    allow_softlinks, expect = case
    if os.geteuid() != 0:
        pytest.skip("needs root to give the cache to another user")  # CI runs as root
    assert Path("/proc/sys/fs/protected_hardlinks").read_text().strip() == "1", "needs fs.protected_hardlinks=1"
    channel.build(lib("lib", FILES), formats=("conda",))
    rec = warm(env, channel, helpers, "lib")
    extracted = env.pkgs / "lib-1.0-h0_0"
    for p in [env.pkgs, *env.pkgs.rglob("*")]:  # the cache now belongs to `nobody`: root without CAP_FOWNER
        os.lchown(p, 65534, 65534)             # may not hardlink its files (EPERM), only read them
    code, out = run_child(env.prefix, env.pkgs, channel, rec.fn, allow_softlinks=allow_softlinks)
    assert (code, out) == (0, {"ok": True})
    assert_copied_or_softlinked(env.prefix, extracted, expect)


def test_unwritable_parent_fails_before_any_change(tmp_path, env, channel, helpers):
    channel.build(lib("lib", FILES), formats=("conda",))
    rec = warm(env, channel, helpers, "lib")
    parent = tmp_path / "locked"
    parent.mkdir(mode=0o755)
    if os.geteuid() == 0:
        os.chown(parent, 65534, 65534)
    else:
        parent.chmod(0o555)
    before = helpers.tree(tmp_path)
    code, out = run_child(parent / "env", env.pkgs, channel, rec.fn)
    assert code == 3 and out == {"error": "NotWritable", "message": f"cannot write to {parent}: permission denied"}
    assert helpers.tree(tmp_path) == before


def test_unwritable_conda_meta_fails_before_any_change(tmp_path, env, channel, helpers):
    channel.build(lib("lib", FILES), lib("other", {"share/other.txt": "o\n"}), formats=("conda",))
    env.install(channel.record("lib"))
    rec = warm(env, channel, helpers, "other")
    meta = env.prefix / "conda-meta"
    if os.geteuid() == 0:
        os.chown(meta, 65534, 65534)
        meta.chmod(0o755)
    else:
        meta.chmod(0o555)
    before = helpers.tree(env.prefix)
    code, out = run_child(env.prefix, env.pkgs, channel, rec.fn)
    assert code == 3 and out == {"error": "NotWritable", "message": f"cannot write to {meta}: permission denied"}
    assert helpers.tree(env.prefix) == before


@pytest.fixture
def small_fs(tmp_path):
    """A 1 MB tmpfs mounted in tmp_path (root only; skipped where mounting is not allowed)."""
    mnt = tmp_path / "small"
    mnt.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mnt)], capture_output=True,
                          text=True, check=False) if os.geteuid() == 0 else None
    if done is None or done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {done.stderr.strip() if done else 'not root'}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", str(mnt)], check=True)


def test_prefix_on_a_full_filesystem_is_refused_before_any_change(env, channel, helpers, small_fs):
    from cantil.link import InsufficientSpace

    big = {f"share/big/b{i}.bin": bytes([i]) * 400_000 for i in range(4)}  # 1.6 MB, to be copied (other device)
    channel.build(lib("lib", big), formats=("conda",))
    rec = warm(env, channel, helpers, "lib")
    env.prefix = small_fs / "env"
    with pytest.raises(InsufficientSpace) as info:
        env.install(rec)
    assert info.value.needed >= 1_600_000 and info.value.free <= 1 << 20
    assert str(info.value) == f"not enough disk space in {env.prefix}: {info.value.needed} bytes needed, " \
                              f"{info.value.free} free"
    assert os.listdir(small_fs) == []


def test_unwritable_folder_inside_the_prefix_rolls_back_with_a_clear_error(env, channel, helpers):
    channel.build(lib("lib", FILES), lib("other", {"share/data/other.txt": "o\n", "bin/other": "o\n"}),
                  formats=("conda",))
    env.install(channel.record("lib"))
    rec = warm(env, channel, helpers, "other")
    locked = env.prefix / "share" / "data"
    if os.geteuid() == 0:
        os.chown(locked, 65534, 65534)
    else:
        locked.chmod(0o555)
    before = helpers.tree(env.prefix)
    code, out = run_child(env.prefix, env.pkgs, channel, rec.fn)
    assert code == 3, out
    # found while linking (only the prefix and conda-meta are checked before): one line, and everything undone
    assert out == {"error": "TransactionFailed", "message": f"[Errno 13] Permission denied: "
                   f"'{locked}/other.txt' (the transaction was rolled back)"}
    assert helpers.tree(env.prefix) == before

"""Faults: a flaky server, corrupted bytes, failing and killing scripts, a full disk, hostile archives.

Whatever happens, an environment is left as it was before the command (or as the command meant to leave it), never
half-done, and the user reads one clear error.
"""

from __future__ import annotations

import io
import resource
import signal
import tarfile
from pathlib import Path

import pytest

from ._helpers import (
    User,
    assert_error,
    build_channel,
    built_ecosystem,
    describe,
    installed,
    records,
    serve,
    tree,
)


@pytest.fixture
def channel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built_ecosystem(tmp_path_factory.getbasetemp())


def test_server_errors_are_retried_until_it_recovers(tmp_path: Path, channel: Path) -> None:
    with serve(channel) as server:
        user = User(tmp_path, [server.url])
        server.fault("linux-64/*", 500, times=2)
        server.fault("*.conda", 503, times=2)
        user.ok("create", "-n", "retry", "tool")
        assert installed(user.prefix("retry")) == {"tool": "1.0"}
        failed = [e for e in server.requests() if e.status >= 500]
        assert len(failed) == 4, server.log_text()
        for entry in failed:  # every failed path was asked again and served
            assert any(e.path == entry.path and e.status == 200 for e in server.requests()), server.log_text()


def test_server_that_stays_down_is_a_clear_error(tmp_path: Path, channel: Path) -> None:
    with serve(channel) as server:
        user = User(tmp_path, [server.url], remote_max_retries=1, remote_backoff_factor=0.05)
        server.fault("*", 500, times=None)
        proc = user.run("create", "-n", "down", "tool")
        assert_error(proc, "500")
        assert server.base_url in proc.stderr
        assert not user.prefix("down").exists()


def test_corrupted_package_bytes_are_refused_and_nothing_is_linked(tmp_path: Path, channel: Path) -> None:
    with serve(channel) as server:
        user = User(tmp_path, [server.url])
        user.ok("create", "-n", "keep", "tool")
        before = tree(user.prefix("keep"))
        server.fault("*/zlib-*", "corrupt", times=None)
        proc = user.run("install", "-n", "keep", "app")
        line = assert_error(proc, "zlib")
        assert "sha256" in line.lower() or "checksum" in line.lower() or "md5" in line.lower(), line
        assert tree(user.prefix("keep")) == before
        assert not any(p.name.startswith("zlib-") and p.is_dir() for p in user.pkgs.iterdir())
        # nothing half-downloaded is kept: once the server is right again the same command works
        server.faults.clear()
        user.ok("install", "-n", "keep", "app")
        assert installed(user.prefix("keep"))["zlib"] == "1.3.1"


def test_failing_post_link_is_rolled_back_exactly(tmp_path: Path, channel: Path) -> None:
    with serve(channel) as server:
        user = User(tmp_path, [server.url])
        env = user.prefix("post")
        user.ok("create", "-n", "post", "app")
        before, before_records = tree(env), records(env)
        proc = user.run("install", "-n", "post", "broken-post", "tool")
        assert_error(proc, "broken-post", "post-link")
        assert "failing on purpose" in proc.stdout + proc.stderr
        assert tree(env) == before and records(env) == before_records
        assert user.ok("doctor", "-n", "post").returncode == 0


def test_sigkill_in_the_middle_of_a_transaction_is_repaired(tmp_path: Path, channel: Path) -> None:
    with serve(channel) as server:
        user = User(tmp_path, [server.url])
        env = user.prefix("killed")
        user.ok("create", "-n", "killed", "app=1.0")
        before, before_records = tree(env), records(env)
        # killer's post-link script SIGKILLs the process that holds conda-meta/.cantil.lock
        proc = user.run("install", "-n", "killed", "killer", "tool", "app=2.0")
        assert proc.returncode == -signal.SIGKILL, describe(proc)
        assert (env / "conda-meta" / ".cantil-journal").exists(), "the killed transaction left no journal"
        # the next command notices the interrupted transaction, says so, and repairs it
        doctor = user.run("doctor", "-n", "killed")
        assert doctor.returncode != 0 or "interrupted" in (doctor.stdout + doctor.stderr).lower(), describe(doctor)
        repair = user.run("install", "-n", "killed", "tool")
        assert "interrupted" in (repair.stdout + repair.stderr).lower(), describe(repair)
        assert repair.returncode == 0, describe(repair)
        assert not (env / "conda-meta" / ".cantil-journal").exists()
        clean = user.ok("doctor", "-n", "killed")
        assert "no packages with missing files" in clean.stdout.lower()
        assert "no packages with altered files" in clean.stdout.lower()
        # rolled back (then tool installed): app is still 1.0 and killer is not half there
        now = installed(env)
        assert now["app"] == "1.0" and "killer" not in now and now["tool"] == "1.0"
        assert not (env / "share" / "killer.txt").exists()
        assert {k: v for k, v in tree(env).items() if "tool" not in k} == before
        assert {k: v for k, v in records(env).items() if not k.startswith("tool-")} == before_records


def _limit_file_size() -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (1024 * 1024, 1024 * 1024))


def test_full_disk_during_a_copying_transaction_is_rolled_back(tmp_path: Path, channel: Path) -> None:
    with serve(channel) as server:
        user = User(tmp_path, [server.url])
        env = user.prefix("full")
        user.ok("create", "-n", "full", "app")
        user.ok("create", "-n", "warm", "bigdata", "--download-only")  # the package is in the cache, extracted
        before, before_records = tree(env), records(env)
        # a 2 MiB file copied under a 1 MiB file-size limit: write() fails with EFBIG mid-transaction
        proc = user.run("install", "-n", "full", "--copy", "bigdata", "tool", preexec_fn=_limit_file_size)
        assert_error(proc, "bigdata")
        assert tree(env) == before and records(env) == before_records
        user.ok("install", "-n", "full", "--copy", "bigdata")  # without the limit it goes through
        assert (env / "share/bigdata/blob.bin").stat().st_size == 2 * 1024 * 1024
        assert (env / "share/bigdata/blob.bin").stat().st_nlink == 1  # copied, not linked


def _hostile(channel: Path, name: str, member: tarfile.TarInfo, data: bytes = b"") -> None:
    """Append a hostile member to the payload of `name`'s .tar.bz2 and drop its .conda twin, then re-index."""
    from cantil_tools.index import index_channel

    path = next(channel.glob(f"*/{name}-1.0-*.tar.bz2"))
    with tarfile.open(path, "r:bz2") as tar:
        members = [(m, tar.extractfile(m).read() if m.isfile() else None) for m in tar.getmembers()]  # type: ignore[union-attr]
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:bz2") as tar:
        for m, content in [*members, (member, data)]:
            tar.addfile(m, io.BytesIO(content) if content is not None else None)
    path.write_bytes(buf.getvalue())
    path.with_name(path.name[: -len(".tar.bz2")] + ".conda").unlink()
    index_channel(channel)


@pytest.mark.parametrize("kind", ["dotdot", "symlink"])
def test_archive_escaping_the_package_is_refused(tmp_path: Path, kind: str) -> None:
    channel = build_channel(tmp_path / "chan", [{"name": "evil", "version": "1.0", "files": {"share/ok.txt": "ok\n"}}])
    if kind == "dotdot":
        member = tarfile.TarInfo("../../../../escaped.txt")
        member.size = 4
        _hostile(channel, "evil", member, b"pwn\n")
    else:
        member = tarfile.TarInfo("share/escape")
        member.type, member.linkname = tarfile.SYMTYPE, "../../../../../../.."
        _hostile(channel, "evil", member)
    with serve(channel) as server:
        user = User(tmp_path / "user", [server.url])
        proc = user.run("create", "-n", "evil", "evil")
        line = assert_error(proc, "evil")
        assert "unsafe" in line.lower() or "refus" in line.lower() or "outside" in line.lower(), line
        assert not user.prefix("evil").exists() or installed(user.prefix("evil")) == {}
        assert not list(tmp_path.rglob("escaped.txt"))
        assert not any(p.name.startswith("evil-") for p in user.pkgs.iterdir() if p.is_dir())


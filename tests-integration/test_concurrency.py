"""Several cantil processes at once: one package cache shared by four installs, two installs into one env.

The server delays every package download, so the processes are still downloading and extracting while the others
start: they meet on the same cache entries (zlib and libfoo are wanted by several of them).
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from ._helpers import User, build_channel, built_ecosystem, cache_problems, installed, serve


@pytest.fixture
def channel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built_ecosystem(tmp_path_factory.getbasetemp())


def files_problems(prefix: Path) -> list[str]:
    """Every file a record lists is there (a symlink counts), with the size its paths_data says."""
    problems = []
    for f in (prefix / "conda-meta").glob("*.json"):
        rec = json.loads(f.read_text())
        for entry in rec.get("paths_data", {}).get("paths", []):
            path = prefix / entry["_path"]
            if not (path.exists() or path.is_symlink()):
                problems.append(f"{rec['name']}: {entry['_path']} missing")
    return problems


def wait_all(procs: list[subprocess.Popen[str]]) -> list[tuple[int, str, str]]:
    out = []
    for p in procs:
        stdout, stderr = p.communicate(timeout=240)
        out.append((p.returncode, stdout, stderr))
    return out


def test_four_processes_share_one_package_cache(tmp_path: Path, channel: Path) -> None:
    wanted = {
        "a": (["app"], {"app": "2.0", "libfoo": "2.0", "zlib": "1.3.1"}),
        "b": (["app=1.0"], {"app": "1.0", "libfoo": "1.0", "zlib": "1.3.1"}),
        "c": (["libfoo=1.0", "tool"], {"libfoo": "1.0", "zlib": "1.3.1", "tool": "1.0"}),
        "d": (["zlib", "tool", "bigdata"], {"zlib": "1.3.1", "tool": "1.0", "bigdata": "1.0"}),
    }
    with serve(channel) as server:
        user = User(tmp_path, [server.url])
        server.fault("*.conda", "delay", times=None, seconds=0.3)
        procs = [user.popen("create", "-n", name, *specs) for name, (specs, _) in wanted.items()]
        results = wait_all(procs)
    for (name, (_, expected)), (rc, stdout, stderr) in zip(wanted.items(), results, strict=True):
        assert rc == 0, f"env {name}: exit {rc}\n{stdout}\n{stderr}"
        assert installed(user.prefix(name)) == expected, name
        assert files_problems(user.prefix(name)) == [], name
    assert cache_problems(user.pkgs) == []
    # each package was extracted once into the shared cache: one folder per distinct package
    dists = {p.name for p in user.pkgs.iterdir() if p.is_dir() and (p / "info").is_dir()}
    assert dists == {"app-2.0-h0_0", "app-1.0-h0_0", "libfoo-2.0-h0_0", "libfoo-1.0-h0_0", "zlib-1.3.1-h0_0",
                     "tool-1.0-h0_0", "bigdata-1.0-h0_0"}
    for name in wanted:
        assert user.ok("doctor", "-n", name).returncode == 0


def test_two_processes_installing_into_one_env(tmp_path: Path, channel: Path) -> None:
    with serve(channel) as server:
        user = User(tmp_path, [server.url])
        env = user.prefix("same")
        user.ok("create", "-n", "same", "zlib")
        server.fault("*.conda", "delay", times=None, seconds=0.3)
        procs = [user.popen("install", "-n", "same", "app=1.0"), user.popen("install", "-n", "same", "tool")]
        results = wait_all(procs)
    wanted = [{"app": "1.0", "libfoo": "1.0"}, {"tool": "1.0"}]
    expected = {"zlib": "1.3.1"}
    for (rc, _stdout, stderr), adds in zip(results, wanted, strict=True):
        if rc == 0:
            expected.update(adds)
        else:  # the second may fail, but clearly: one line naming the lock and its holder
            errors = [line for line in stderr.splitlines() if line.startswith("error:")]
            assert rc == 1 and len(errors) == 1 and "Traceback" not in stderr, stderr
            assert re.search(r"lock|another .*process|in use", errors[0], re.I), stderr
    assert any(rc == 0 for rc, _, _ in results), results
    assert installed(env) == expected
    assert files_problems(env) == []
    assert not (env / "conda-meta" / ".cantil-journal").exists()
    assert user.ok("doctor", "-n", "same").returncode == 0
    assert cache_problems(user.pkgs) == []


def test_cache_verification_sees_a_damaged_entry(tmp_path: Path) -> None:
    """cache_problems (used above) is no rubber stamp: it reports an altered file in an extracted package."""
    channel = build_channel(tmp_path / "chan", [{"name": "one", "version": "1.0", "files": {"share/one.txt": "1\n"}}])
    with serve(channel) as server:
        user = User(tmp_path / "user", [server.url])
        user.ok("create", "-n", "x", "one")
    assert cache_problems(user.pkgs) == []
    (user.pkgs / "one-1.0-h0_0" / "share" / "one.txt").write_text("2\n")
    assert cache_problems(user.pkgs) == ["one-1.0-h0_0: share/one.txt altered"]

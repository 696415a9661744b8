"""What must never happen: --dry-run changing the disk, --offline opening a socket; exit codes and error lines."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest


def tree_hash(*roots: Path, skip: tuple[str, ...] = ()) -> str:
    """A digest of every path, type, mode, size, content and link target under the roots (less `skip` names)."""
    h = hashlib.sha256()
    for root in roots:
        if not root.exists():
            h.update(f"absent {root}\n".encode())
            continue
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if d not in skip)
            for name in sorted(filenames) + dirnames:
                p = Path(dirpath, name)
                st = p.lstat()
                h.update(f"{p.relative_to(root)} {st.st_mode:o} {st.st_size}\n".encode())
                if p.is_symlink():
                    h.update(os.readlink(p).encode())
                elif p.is_file():
                    h.update(p.read_bytes())
    return h.hexdigest()


@pytest.fixture(scope="module")
def prepared(tmp_path_factory, make_user):  # type: ignore[no-untyped-def]
    user = make_user(tmp_path_factory.mktemp("safety"))
    user.ok("create", "-n", "demo", "app=1.0", "zlib=1.2.13", "-y")
    user.ok("install", "-n", "demo", "zlib=1.3.1", "-y")
    return user


DRY_RUNS = [
    ["create", "-n", "new", "app"],
    ["install", "-n", "demo", "zlib=1.2.13"],
    ["install", "-n", "demo", "--revision", "0"],
    ["update", "-n", "demo", "--all"],
    ["remove", "-n", "demo", "libfoo"],
    ["remove", "-n", "demo", "--all"],
    ["rename", "-n", "demo", "elsewhere"],
    ["clean", "--all"],
]


@pytest.mark.parametrize("args", DRY_RUNS, ids=[" ".join(a) for a in DRY_RUNS])
def test_dry_run_changes_nothing(prepared, args: list[str]) -> None:
    user = prepared
    roots = (user.root / "envs", user.root / "pkgs")
    skip = () if args[0] == "clean" else ("cache",)  # fetching repodata may refresh the cache
    before = tree_hash(*roots, skip=skip)
    r = user.run(*args, "--dry-run")
    assert r.returncode == 0, r.stderr
    assert "DryRunExit: Dry run. Exiting." in r.stdout
    assert tree_hash(*roots, skip=skip) == before
    doc = user.json(*args, "--dry-run")
    assert doc["dry_run"] is True
    assert tree_hash(*roots, skip=skip) == before


AUDITED = """
import os, sys
def hook(event, args):
    if event == "socket.connect":
        with open(os.environ["CANTIL_TEST_AUDIT_LOG"], "a") as f:
            f.write(repr(args[1]) + "\\n")
sys.addaudithook(hook)
from cantil.cli.__main__ import main
sys.exit(main(sys.argv[1:]))
"""


def audited(user, log: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    return subprocess.run([sys.executable, "-c", AUDITED, *args], check=False, capture_output=True, text=True,
                          env={**user.environ, "CANTIL_TEST_AUDIT_LOG": str(log), **(env or {})}, timeout=600)


def test_offline_opens_no_socket(user, tmp_path) -> None:
    log = tmp_path / "connects.log"
    # online (and audited: the hook does see connections) the cache is filled
    r = audited(user, log, "create", "-n", "first", "app", "-y")
    assert r.returncode == 0, r.stderr
    assert log.read_text().count("127.0.0.1") > 0
    log.unlink()
    # offline: the same request is served from the caches, with no connection at all
    for args, env in ((["create", "-n", "second", "app", "-y", "--offline"], {}),
                      (["create", "-n", "third", "app", "-y"], {"CONDA_OFFLINE": "true"})):
        r = audited(user, log, *args, env=env)
        assert r.returncode == 0, r.stdout + r.stderr
        assert not log.exists(), log.read_text()
    assert {p["name"] for p in user.json("list", "-n", "second")} == {"app", "libfoo", "zlib"}
    # a package that is not cached cannot be had offline: a clear error, still no socket
    r = audited(user, log, "install", "-n", "second", "zlib=1.2.13", "-y", "--offline")
    assert r.returncode == 1
    assert r.stderr.startswith("error: ")
    assert "Traceback" not in r.stderr
    assert not log.exists()


def test_usage_errors_exit_2(home) -> None:
    for args in (["frobnicate"], ["install", "--no-such-flag"], ["list", "-n", "a", "-p", "b"], []):
        r = home.run(*args)
        assert r.returncode == 2, (args, r.stderr)
        assert "usage: cantil" in r.stderr
    r = home.run("instal", "x")
    assert r.stderr.splitlines()[-1] == "hint: did you mean `cantil install`?"


def test_version_and_help(home) -> None:
    from cantil.cli._version import __version__

    assert home.run("--version").stdout == f"cantil {__version__}\n"
    r = home.run("--help")
    assert r.returncode == 0
    assert "create" in r.stdout and "env" in r.stdout
    r = home.run("install", "--help")
    assert "--strict-channel-priority" in r.stdout


def test_tracebacks_only_with_debug(home) -> None:
    home.write(home.home / ".condarc", "channels: [\n")
    r = home.run("list")
    assert r.returncode == 1
    assert "Traceback" not in r.stderr
    r = home.run("list", "--debug")
    assert "Traceback (most recent call last)" in r.stderr
    assert r.stderr.splitlines()[-1].startswith("error: invalid YAML in")


def test_json_errors_are_one_document(home) -> None:
    home.write(home.home / ".condarc", "channels: [\n")
    r = home.run("list", "--json")
    assert r.returncode == 1
    import json

    doc = json.loads(r.stdout)
    assert doc["exception_name"] == "ConfigurationLoadError"
    assert r.stderr == ""

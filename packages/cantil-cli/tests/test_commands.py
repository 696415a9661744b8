"""search, info, clean, run, rename, doctor."""

from __future__ import annotations

import os


def test_search_table_and_info(user) -> None:
    r = user.ok("search", "zlib")
    lines = r.stdout.splitlines()
    assert lines[0].startswith("# Name")
    assert [ln.split()[:2] for ln in lines[1:]] == [["zlib", "1.2.13"], ["zlib", "1.3.1"]]
    info = user.ok("search", "app>=2", "--info").stdout
    assert info.startswith("app 2.0 h0_0\n------------\n")
    assert "dependencies:\n  - libfoo >=1.0\n" in info


def test_search_glob_flexible_and_not_found(user) -> None:
    assert set(user.json("search", "*zlib*")) == {"zlib", "old-zlib-user", "new-zlib-user"}
    assert set(user.json("search", "user")) == {"old-zlib-user", "new-zlib-user"}  # flexible: *user*
    r = user.run("search", "zlub")
    assert r.returncode == 1
    assert r.stderr.splitlines()[-1] == "hint: did you mean 'zlib'?"


def test_search_envs(user) -> None:
    user.ok("create", "-n", "demo", "zlib", "-y")
    r = user.ok("search", "--envs", "zlib")
    assert str(user.env("demo")) in r.stdout


def test_info(user) -> None:
    doc = user.json("info")
    assert doc["root_prefix"] == str(user.root)
    assert doc["pkgs_dirs"] == [str(user.root / "pkgs")]
    assert doc["channels"] == [f"{user.channel_url}/{doc['platform']}", f"{user.channel_url}/noarch"]
    assert doc["config_files"] == [str(user.home / ".condarc")]
    text = user.ok("info").stdout
    assert "      base environment : " in text
    assert user.ok("info", "--base").stdout == f"{user.root}\n"


def test_clean(user) -> None:
    user.ok("create", "-n", "demo", "app=1.0", "-y")
    user.ok("install", "-n", "demo", "app=2.0", "-y")
    pkgs = user.root / "pkgs"
    dry = user.json("clean", "--all", "--dry-run")
    assert dry["packages"]["files"] == [str(pkgs / "app-1.0-h0_0")]  # the one no environment uses
    assert str(pkgs / "app-2.0-h0_0.conda") in dry["tarballs"]["files"]
    assert (pkgs / "app-1.0-h0_0").is_dir()
    user.ok("clean", "--packages", "--tarballs", "-y")
    assert not (pkgs / "app-1.0-h0_0").exists()
    assert (pkgs / "app-2.0-h0_0").is_dir()
    assert not list(pkgs.glob("*.conda"))
    user.ok("clean", "--index-cache", "-y")
    assert not (pkgs / "cache").exists()
    r = user.run("clean")
    assert r.returncode == 1


def test_run_passes_exit_code_and_activates(user, tmp_path) -> None:
    user.ok("create", "-n", "demo", "app", "-y")
    r = user.ok("run", "-n", "demo", "app")
    assert r.stdout == f"app 2.0 in {user.env('demo')}\n"
    r = user.run("run", "-n", "demo", "sh", "-c", "exit 7")
    assert r.returncode == 7
    r = user.ok("run", "-n", "demo", "--cwd", str(tmp_path), "pwd")
    assert r.stdout == f"{tmp_path}\n"


def test_interrupt_exits_130(user) -> None:
    user.ok("create", "-n", "demo", "zlib", "-y")
    # the child interrupts cantil (its parent) then waits on stdin until it is killed
    r = user.run("run", "-n", "demo", "sh", "-c", "kill -INT $PPID; exec cat", input=None)
    assert r.returncode == 130


def test_rename(user) -> None:
    user.ok("create", "-n", "demo", "app", "-y")
    user.ok("rename", "-n", "demo", "renamed", "-y")
    assert not user.env("demo").exists()
    pc = (user.env("renamed") / "lib" / "pkgconfig" / "zlib.pc").read_text()
    assert pc.startswith(f"prefix={user.env('renamed')}\n")  # prefixes rewritten, not just moved
    r = user.run("rename", "-n", "base", "x", "-y")
    assert r.returncode == 1


def test_doctor_reports_missing_and_altered_files(user) -> None:
    user.ok("create", "-n", "demo", "app", "-y")
    assert user.json("doctor", "-n", "demo")["healthy"] is True
    os.unlink(user.env("demo") / "lib" / "libz.txt")
    target = user.env("demo") / "lib" / "libfoo.txt"
    os.unlink(target)  # break the hard link before changing the content
    target.write_text("changed\n")
    doc = user.json("doctor", "-n", "demo")
    assert doc["missing_files"] == {"zlib": ["lib/libz.txt"]}
    assert doc["altered_files"] == {"libfoo": ["lib/libfoo.txt"]}
    text = user.ok("doctor", "-n", "demo").stdout
    assert "Missing Files:\nzlib: 1  (lib/libz.txt)" in text


def test_doctor_detects_an_interrupted_transaction(user) -> None:
    user.ok("create", "-n", "demo", "zlib", "-y")
    (user.env("demo") / "conda-meta" / ".cantil-journal").write_text("{}")
    doc = user.json("doctor", "-n", "demo")
    assert doc["interrupted_transaction"] is True
    assert doc["healthy"] is False
    assert "cantil doctor --recover" in user.ok("doctor", "-n", "demo").stdout


def test_search_another_platform(user) -> None:
    assert {r["subdir"] for r in user.json("search", "zlib", "--platform", "linux-64")["zlib"]} == {"linux-64"}
    doc = user.json("search", "zlib", "--platform", "osx-arm64")
    assert doc["exception_name"] == "PackagesNotFoundError"  # the channel has no osx-arm64 subdir
    assert set(user.json("search", "ca-certificates", "--platform", "osx-arm64")) == {"ca-certificates"}  # noarch


def test_override_channels(user) -> None:
    user.write(user.home / ".condarc", "channels:\n  - https://example.invalid/nothing\n")
    user.ok("create", "-n", "demo", "zlib", "-c", user.channel_url, "--override-channels", "-y")
    r = user.run("create", "-n", "other", "zlib", "--override-channels", "-y")
    assert r.returncode == 1
    assert "--override-channels requires at least one -c/--channel" in r.stderr


def test_missing_channel_is_unavailable_invalid_channel(user) -> None:
    doc = user.json("create", "-n", "x", "zlib", "-c", f"{user.channel_url}/no-such-channel", "--override-channels", "-y")
    assert doc["exception_name"] == "UnavailableInvalidChannel"
    assert "no-such-channel" in doc["message"]
    r = user.run("create", "-n", "x", "zlib", "-c", f"{user.channel_url}/no-such-channel", "--override-channels", "-y")
    assert r.returncode == 1
    assert r.stderr.startswith("error: ")
    assert "Traceback" not in r.stderr

"""create / install / update / remove against the test channel over HTTP: output, exit codes, the prefix."""

from __future__ import annotations

import json


def names(user, env: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {p["name"]: p["version"] for p in user.json("list", "-n", env)}


def test_create_installs_dependencies_and_prints_the_plan(user) -> None:
    r = user.ok("create", "-n", "demo", "app", "-y")
    assert "## Package Plan ##" in r.stdout
    assert "The following NEW packages will be INSTALLED:" in r.stdout
    assert "linux-64::app-2.0-h0_0" in r.stdout
    assert "Executing transaction: done" in r.stdout
    assert "#     $ cantil activate demo" in r.stdout
    assert names(user, "demo") == {"app": "2.0", "libfoo": "1.0", "zlib": "1.3.1"}
    # the text prefix placeholder was replaced by the real prefix
    pc = (user.env("demo") / "lib" / "pkgconfig" / "zlib.pc").read_text()
    assert pc.startswith(f"prefix={user.env('demo')}\n")
    # the environment is registered as conda does
    assert str(user.env("demo")) in (user.home / ".conda" / "environments.txt").read_text()


def test_install_downgrade_and_update_show_conda_sections(user) -> None:
    user.ok("create", "-n", "demo", "app", "-y")
    r = user.ok("install", "-n", "demo", "app=1.0", "-y")
    assert "The following packages will be DOWNGRADED:" in r.stdout
    assert "2.0-h0_0 --> 1.0-h0_0" in r.stdout
    r = user.ok("update", "-n", "demo", "app", "-y")
    assert "The following packages will be UPDATED:" in r.stdout
    assert names(user, "demo")["app"] == "2.0"


def test_channel_prefixed_spec_and_version_ranges(user) -> None:
    user.ok("create", "-n", "demo", f"{user.channel_url}::zlib>=1.2,<1.3", "-y")
    assert names(user, "demo") == {"zlib": "1.2.13"}


def test_prompt_declined_changes_nothing(user) -> None:
    r = user.run("create", "-n", "demo", "app", input="n\n")
    assert r.returncode == 1
    assert "Proceed ([y]/n)?" in r.stdout
    assert not user.env("demo").exists()


def test_prompt_accepted(user) -> None:
    r = user.run("create", "-n", "demo", "zlib", input="y\n")
    assert r.returncode == 0, r.stderr
    assert names(user, "demo") == {"zlib": "1.3.1"}


def test_already_installed_is_a_no_op(user) -> None:
    user.ok("create", "-n", "demo", "zlib", "-y")
    r = user.ok("install", "-n", "demo", "zlib", "-y")
    assert "# All requested packages already installed." in r.stdout


def test_force_reinstall_relinks(user) -> None:
    user.ok("create", "-n", "demo", "zlib", "-y")
    target = user.env("demo") / "lib" / "libz.txt"
    target.unlink()  # (writing to it would change the hard-linked copy in the package cache too)
    r = user.ok("install", "-n", "demo", "zlib", "--force-reinstall", "-y")
    assert "REINSTALLED" in r.stdout
    assert target.read_text() == "zlib 1.3.1\n"


def test_unsatisfiable_shows_the_conflict_chains(user) -> None:
    user.ok("create", "-n", "demo", "zlib", "-y")
    r = user.run("install", "-n", "demo", "old-zlib-user", "new-zlib-user", "-y")
    assert r.returncode == 1
    err = r.stderr.splitlines()
    assert err[0] == "error: cannot install both `old-zlib-user` and `new-zlib-user`:"
    assert "  old-zlib-user 1.0 requires zlib <1.3" in err
    assert "  new-zlib-user 1.0 requires zlib >=1.3" in err
    assert "Traceback" not in r.stderr


def test_unknown_package_gets_did_you_mean(user) -> None:
    r = user.run("create", "-n", "demo", "ap", "-y")
    assert r.returncode == 1
    assert r.stderr.splitlines()[-1] == "hint: `ap`: did you mean `app`?"
    assert not user.env("demo").exists()


def test_update_requires_installed_packages(user) -> None:
    user.ok("create", "-n", "demo", "zlib", "-y")
    doc = user.json("update", "-n", "demo", "app", "-y")
    assert doc["exception_name"] == "PackageNotInstalledError"


def test_update_all(user) -> None:
    user.ok("create", "-n", "demo", "app=1.0", "zlib=1.2.13", "-y")
    r = user.ok("update", "-n", "demo", "--all", "-y")
    assert "UPDATED" in r.stdout
    # conda's update --all: every package to its newest version the requests allow (history specs kept by name)
    assert names(user, "demo") == {"app": "2.0", "libfoo": "1.0", "zlib": "1.3.1"}


def test_remove_takes_dependents_along(user) -> None:
    user.ok("create", "-n", "demo", "app", "-y")
    r = user.ok("remove", "-n", "demo", "libfoo", "-y")
    assert "The following packages will be REMOVED:" in r.stdout
    assert names(user, "demo") == {"zlib": "1.3.1"}
    assert not (user.env("demo") / "bin" / "app").exists()


def test_remove_force_leaves_dependents(user) -> None:
    user.ok("create", "-n", "demo", "app", "-y")
    user.ok("remove", "-n", "demo", "libfoo", "--force", "-y")
    assert names(user, "demo") == {"app": "2.0", "zlib": "1.3.1"}


def test_remove_missing_package_is_an_error(user) -> None:
    user.ok("create", "-n", "demo", "zlib", "-y")
    doc = user.json("remove", "-n", "demo", "app", "-y")
    assert doc["exception_name"] == "PackagesNotFoundError"


def test_remove_all_deletes_the_environment(user) -> None:
    user.ok("create", "-n", "demo", "app", "-y")
    user.ok("remove", "-n", "demo", "--all", "-y")
    assert not user.env("demo").exists()
    assert str(user.env("demo")) not in (user.home / ".conda" / "environments.txt").read_text()


def test_missing_environment_errors(user) -> None:
    r = user.run("install", "-n", "nope", "zlib", "-y")
    assert r.returncode == 1
    assert r.stderr.splitlines() == ["error: could not find conda environment: nope",
                                     "hint: list the known environments with `cantil env list`"]
    doc = user.json("install", "-p", str(user.base / "nowhere"), "zlib", "-y")
    assert doc["exception_name"] == "EnvironmentLocationNotFound"


def test_create_needs_a_target(user) -> None:
    r = user.run("create", "zlib", "-y")
    assert r.returncode == 1
    assert "one of the arguments -n/--name -p/--prefix is required" in r.stderr


def test_create_replaces_an_existing_environment_with_yes(user) -> None:
    user.ok("create", "-n", "demo", "app", "-y")
    user.ok("create", "-n", "demo", "zlib=1.2.13", "-y")
    assert names(user, "demo") == {"zlib": "1.2.13"}


def test_create_empty_environment(user) -> None:
    user.ok("create", "-n", "empty", "-y")
    assert (user.env("empty") / "conda-meta" / "history").is_file()
    assert user.json("list", "-n", "empty") == []


def test_create_from_spec_file_and_clone(user, tmp_path) -> None:
    specs = tmp_path / "specs.txt"
    specs.write_text("# my specs\napp=1.0\n\nzlib  # any\n")
    user.ok("create", "-n", "demo", "--file", str(specs), "-y")
    assert names(user, "demo")["app"] == "1.0"
    user.ok("create", "-n", "copy", "--clone", "demo", "-y")
    assert names(user, "copy") == names(user, "demo")


def test_create_default_packages(user) -> None:
    user.ok("config", "--add", "create_default_packages", "ca-certificates")
    user.ok("create", "-n", "demo", "zlib", "-y")
    assert "ca-certificates" in names(user, "demo")
    user.ok("create", "-n", "bare", "zlib", "--no-default-packages", "-y")
    assert "ca-certificates" not in names(user, "bare")


def test_no_deps_and_only_deps(user) -> None:
    user.ok("create", "-n", "a", "app", "--no-deps", "-y")
    assert names(user, "a") == {"app": "2.0"}
    user.ok("create", "-n", "b", "app", "--only-deps", "-y")
    assert names(user, "b") == {"libfoo": "1.0", "zlib": "1.3.1"}


def test_download_only_fills_the_cache_but_not_the_prefix(user) -> None:
    user.ok("create", "-n", "demo", "zlib", "-y")
    user.ok("install", "-n", "demo", "app", "--download-only", "-y")
    assert "app" not in names(user, "demo")
    assert any(p.name.startswith("app-2.0") for p in (user.root / "pkgs").iterdir())


def test_revision_rollback(user) -> None:
    user.ok("create", "-n", "demo", "app=1.0", "-y")
    user.ok("install", "-n", "demo", "app=2.0", "-y")
    user.ok("install", "-n", "demo", "old-zlib-user", "-y")
    assert names(user, "demo") == {"app": "2.0", "libfoo": "1.0", "zlib": "1.2.13", "old-zlib-user": "1.0"}
    user.ok("install", "-n", "demo", "--revision", "0", "-y")
    assert names(user, "demo") == {"app": "1.0", "libfoo": "1.0", "zlib": "1.3.1"}
    revs = user.json("list", "-n", "demo", "--revisions")
    assert [r["rev"] for r in revs] == [0, 1, 2, 3]
    r = user.run("install", "-n", "demo", "--revision", "9", "-y")
    assert r.returncode == 1
    assert "no revision 9" in r.stderr


def test_pinned_file_is_honoured(user) -> None:
    user.ok("create", "-n", "demo", "zlib=1.2.13", "-y")
    (user.env("demo") / "conda-meta" / "pinned").write_text("zlib 1.2.*\n")
    doc = user.json("install", "-n", "demo", "new-zlib-user", "-y")
    assert doc["exception_name"] == "UnsatisfiableError"
    user.ok("install", "-n", "demo", "new-zlib-user", "--no-pin", "-y")


def test_strict_channel_priority_flag_reaches_the_solver(user) -> None:
    r = user.ok("create", "-n", "demo", "zlib", "--strict-channel-priority", "--dry-run")
    assert "DryRunExit" in r.stdout


def test_explicit_round_trip(user, tmp_path) -> None:
    user.ok("create", "-n", "demo", "app=1.0", "-y")
    explicit = user.ok("list", "-n", "demo", "--explicit", "--md5").stdout
    assert "@EXPLICIT" in explicit.splitlines()
    f = tmp_path / "explicit.txt"
    f.write_text(explicit)
    r = user.ok("create", "-n", "copy", "--file", str(f), "-y")
    assert "Solving environment" not in r.stdout  # explicit files are not solved
    assert user.ok("list", "-n", "copy", "--export").stdout == user.ok("list", "-n", "demo", "--export").stdout
    # the records carry their real dependencies (read from the packages), so a later solve keeps them
    meta = json.loads(next((user.env("copy") / "conda-meta").glob("app-1.0-*.json")).read_text())
    assert meta["depends"] == ["libfoo >=1.0"]


def test_explicit_with_a_bad_checksum_fails_cleanly(user, tmp_path) -> None:
    f = tmp_path / "explicit.txt"
    f.write_text(f"@EXPLICIT\n{user.channel_url}/linux-64/zlib-1.3.1-h0_0.conda#{'0' * 32}\n")
    r = user.run("create", "-n", "bad", "--file", str(f), "-y")
    assert r.returncode == 1
    assert r.stderr.startswith("error: ")
    assert "Traceback" not in r.stderr
    assert not (user.env("bad") / "conda-meta").exists()


def test_token_channel_downloads_packages_with_the_token(user, cli_channel) -> None:  # type: ignore[no-untyped-def]
    """Repodata URLs carry no token (as in conda): package downloads must put the channel's token back."""
    from cantil_tools.server import ChannelServer

    server = ChannelServer(cli_channel.root, token="s3cr3t-tok")
    try:
        user.write(user.home / ".condarc", f"channels:\n  - {server.url}\n")
        assert "/t/s3cr3t-tok" in server.url
        r = user.ok("create", "-n", "demo", "zlib", "-y")
        assert "s3cr3t-tok" not in r.stdout + r.stderr  # the token is never shown
        assert names(user, "demo") == {"zlib": "1.3.1"}
        assert any(e.path.endswith(".conda") and e.status == 200 for e in server.log)
    finally:
        server.stop()

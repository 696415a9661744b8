"""An environment's whole life through the real `cantil` command, over a channel served on loopback HTTP."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ._helpers import User, assert_error, built_ecosystem, installed, records, serve, site_packages, tree


@pytest.fixture
def channel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built_ecosystem(tmp_path_factory.getbasetemp())


def test_life_cycle_of_an_environment(tmp_path: Path, channel: Path) -> None:
    with serve(channel) as server:
        user = User(tmp_path, [server.url])
        env = user.prefix("life")

        # create with several packages: the solver pulls the dependencies in
        user.ok("create", "-n", "life", "python", "hello", "app=1.0")
        first = installed(env)
        assert first == {"python": user_python(first), "pip": "24.0", "hello": "1.0", "app": "1.0",
                         "libfoo": "1.0", "zlib": "1.3.1"}
        first_tree, first_records = tree(env), records(env)
        assert (site_packages(env) / "hello" / "cli.py").is_file()  # noarch python relocated into X.Y
        assert str(env) in (env / "lib/pkgconfig/zlib.pc").read_text()  # text prefix replaced
        assert str(env).encode() + b"/lib\x00" in (env / "lib/libz.bin").read_bytes()  # binary prefix, NUL-padded

        # activate in a real bash, run a program and the noarch-python entry point, then deactivate
        out = user.bash("cantil activate life\napp\nhello\npython -c 'import hello, sys; print(sys.prefix)'\n"
                        'echo "shlvl=$CONDA_SHLVL env=$CONDA_DEFAULT_ENV"\ncantil deactivate\n'
                        'echo "after=${CONDA_PREFIX:-none}"\n')
        assert out.returncode == 0, out.stderr
        assert out.stdout.splitlines() == [f"app 1.0 in {env}", f"hello 1.0 from {env}", str(env),
                                           "shlvl=1 env=life", "after=none"]

        # install more
        user.ok("install", "-n", "life", "tool")
        assert installed(env)["tool"] == "1.0"
        assert user.bash("cantil activate life && tool").stdout == "tool 1.0\n"

        # update: app 2.0 needs libfoo 2.0, which needs zlib >=1.3
        user.ok("update", "-n", "life", "app")
        assert {k: installed(env)[k] for k in ("app", "libfoo", "zlib")} == {"app": "2.0", "libfoo": "2.0",
                                                                            "zlib": "1.3.1"}

        # downgrade with a pin: zlib 1.2 forces libfoo 1.0 and app 1.0 back
        user.ok("install", "-n", "life", "zlib=1.2")
        now = installed(env)
        assert (now["zlib"], now["libfoo"], now["app"]) == ("1.2.13", "1.0", "1.0")
        assert "Version: 1.2.13" in (env / "lib/pkgconfig/zlib.pc").read_text()
        assert (env / "lib/libfoo.txt").read_text() == "foo 1.0\n"
        # ... and a pinned file keeps it there through `update --all`
        (env / "conda-meta" / "pinned").write_text("zlib 1.2.*\n")
        user.ok("update", "-n", "life", "--all")
        assert (installed(env)["zlib"], installed(env)["app"]) == ("1.2.13", "1.0")
        (env / "conda-meta" / "pinned").unlink()

        # remove with dependents: app depends on libfoo and goes with it; zlib stays
        user.ok("remove", "-n", "life", "libfoo")
        now = installed(env)
        assert "libfoo" not in now and "app" not in now and now["zlib"] == "1.2.13"
        assert not (env / "bin" / "app").exists() and not (env / "lib" / "libfoo.txt").exists()

        # the history lists every revision
        revs = user.ok("list", "-n", "life", "--revisions").stdout
        numbers = [int(line.split("(rev ")[1].rstrip(")")) for line in revs.splitlines() if "(rev " in line]
        # create, install, update, downgrade, remove (`update --all` under the pin changed nothing: no revision)
        assert numbers == [0, 1, 2, 3, 4], revs
        last = revs.split("(rev 4)")[1]
        assert "-" in last and "app-1.0-h0_0" in last and "libfoo-1.0-h0_0" in last, revs

        # back to revision 0: exactly the first file tree
        user.ok("install", "-n", "life", "--revision", "0")
        assert installed(env) == first
        assert tree(env) == first_tree
        assert records(env) == first_records
        assert user.ok("doctor", "-n", "life").returncode == 0

        # remove the environment: the prefix and its registration go
        listed = user.json("env", "list")
        assert str(env) in listed["envs"]
        user.ok("env", "remove", "-n", "life")
        assert not env.exists()
        assert str(env) not in user.json("env", "list")["envs"]
        assert_error(user.run("list", "-n", "life"), "life")


def test_json_plan_of_a_create_names_every_link(tmp_path: Path, channel: Path) -> None:
    with serve(channel) as server:
        user = User(tmp_path, [server.url])
        doc = user.json("create", "-n", "j", "app")
        assert doc["success"] is True and doc["prefix"] == str(user.prefix("j"))
        links = {e["name"]: e for e in doc["actions"]["LINK"]}
        assert set(links) == {"app", "libfoo", "zlib"}
        assert links["app"]["version"] == "2.0" and links["app"]["base_url"] == server.url
        assert links["zlib"]["dist_name"] == "zlib-1.3.1-h0_0" and links["zlib"]["platform"] == "linux-64"
        records = {json.loads(f.read_text())["name"] for f in (user.prefix("j") / "conda-meta").glob("*.json")}
        assert records == set(links)


def user_python(first: dict[str, str]) -> str:
    from ._helpers import PY_XYZ

    assert first.get("python") == PY_XYZ
    return PY_XYZ

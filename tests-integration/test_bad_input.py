"""Bad input gives one clear `error:` line (and maybe a `hint:`), the documented exit code, and changes nothing on disk."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from ._helpers import User, assert_error, built_ecosystem, installed, serve, tree


@pytest.fixture(scope="module")
def user(tmp_path_factory: pytest.TempPathFactory) -> Iterator[User]:
    channel = built_ecosystem(tmp_path_factory.getbasetemp())
    with serve(channel) as server:
        user = User(tmp_path_factory.mktemp("bad-input"), [server.url])
        user.ok("create", "-n", "here", "tool")
        yield user


def snapshot(user: User) -> dict[str, str]:
    """Everything the user owns, less the repodata cache (a read may refresh it)."""
    return {**tree(user.root, ignore=["pkgs/cache"]), **{"~/" + k: v for k, v in tree(user.home).items()}}


@pytest.fixture
def unchanged(user: User) -> Iterator[None]:
    before = snapshot(user)
    yield
    assert snapshot(user) == before
    assert installed(user.prefix("here")) == {"tool": "1.0"}


def test_malformed_specs(user: User, unchanged: None) -> None:
    for spec in ("zlib >=>1.2", "zlib[version=", "zlib==1..2"):
        assert_error(user.run("install", "-n", "here", spec), spec)
    assert_error(user.run("create", "-n", "fresh", "=1.0"), "=1.0")
    assert not user.prefix("fresh").exists()


def test_unknown_package_suggests_a_near_name(user: User, unchanged: None) -> None:
    proc = user.run("install", "-n", "here", "helo")
    assert_error(proc, "helo")
    assert "hint:" in proc.stderr and "hello" in proc.stderr.split("hint:", 1)[1], proc.stderr


def test_unknown_package_json_error(user: User, unchanged: None) -> None:
    doc = user.json("create", "-n", "fresh", "no-such-package")
    assert doc["exception_name"] == "PackagesNotFoundError"
    assert "no-such-package" in doc["message"]
    assert not user.prefix("fresh").exists()


def test_unsatisfiable_request_is_explained_shortly(user: User, unchanged: None) -> None:
    proc = user.run("create", "-n", "fresh", "old-user", "new-user")
    assert_error(proc, "old-user", "new-user")
    assert "zlib" in proc.stderr and len(proc.stderr.splitlines()) <= 12, proc.stderr
    doc = user.json("create", "-n", "fresh", "old-user", "new-user")
    assert doc["exception_name"] == "UnsatisfiableError"
    assert set(doc["conflict"]["specs"]) >= {"old-user", "new-user"}
    assert not user.prefix("fresh").exists()


def test_non_existent_environment(user: User, unchanged: None) -> None:
    for args in (("install", "-n", "nowhere", "tool"), ("remove", "-n", "nowhere", "tool"),
                 ("list", "-n", "nowhere"), ("update", "-n", "nowhere", "--all")):
        assert_error(user.run(*args), "nowhere")
    doc = user.json("list", "-n", "nowhere")
    assert doc["exception_name"] in ("EnvironmentNameNotFound", "EnvironmentLocationNotFound")
    out = user.bash("cantil activate nowhere\necho \"status=$? prefix=${CONDA_PREFIX:-none}\"\n")
    assert out.stdout.strip().endswith("prefix=none"), out.stdout + out.stderr
    assert "status=0" not in out.stdout and "nowhere" in out.stderr and "Traceback" not in out.stderr


def test_broken_condarc_names_the_file_and_line(user: User, unchanged: None, tmp_path: Path) -> None:
    bad = tmp_path / "condarc"
    bad.write_text("channels:\n  - one\nsafety_checks: [unclosed\n")
    proc = user.run("install", "-n", "here", "tool", env={"CONDARC": str(bad)})
    line = assert_error(proc, str(bad))
    assert re.search(r"condarc:\d+|line \d+", line), proc.stderr
    assert user.run("list", "-n", "here", env={"CONDARC": str(bad)}).returncode == 1


@pytest.mark.parametrize("text", [
    "name: fresh\ndependencies:\n  - tool\n  - [unclosed\n",   # not YAML
    "name: fresh\ndependencies: tool\n",                       # dependencies is not a list
    "- just\n- a list\n",                                      # not a mapping
])
def test_broken_environment_yml(user: User, unchanged: None, tmp_path: Path, text: str) -> None:
    spec = tmp_path / "environment.yml"
    spec.write_text(text)
    assert_error(user.run("env", "create", "-f", str(spec)), "environment.yml")
    assert not user.prefix("fresh").exists()


def test_unknown_command_or_flag_is_a_usage_error(user: User, unchanged: None) -> None:
    assert user.run("instal", "tool").returncode == 2
    proc = user.run("install", "-n", "here", "--no-such-flag", "tool")
    assert proc.returncode == 2 and "usage:" in proc.stderr and "Traceback" not in proc.stderr

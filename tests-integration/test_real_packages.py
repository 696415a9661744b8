"""Packages cantil did not build: the conda-built channels of ../shared/data, served over loopback HTTP."""

from __future__ import annotations

import ctypes
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from ._helpers import User, assert_error, describe, installed, serve, shared_data, tree

# every conda-test-recipes package that conda installs on linux-64 together (clobber-b, private-package,
# failing_post_link and unsatisfiable have their own tests below)
TOGETHER = [
    "python=3.99.99", "pip", "sample_noarch_python", "small-executable", "activate_deactivate_package",
    "post_link_run_in_env_package", "pre_link_messages_package", "post_link-b", "post_link-c", "post_link-d",
    "post_link-e", "dependent", "another_dependent", "other_dependent", "run_constrained", "buildstring",
    "versioned", "clobber-a", "feature", "track_feature",
]


@pytest.fixture(scope="module")
def recipes() -> Iterator[str]:
    with serve(shared_data("channels", "conda-test-recipes")) as server:
        yield server.url


def test_conda_test_recipes_install_behave_and_remove(tmp_path: Path, recipes: str) -> None:
    user = User(tmp_path, [recipes])
    env = user.prefix("recipes")
    proc = user.ok("create", "-n", "recipes", *TOGETHER)
    names = set(installed(env))
    assert names >= {spec.split("=")[0] for spec in TOGETHER} | {"dependency"}
    assert installed(env)["dependency"] == "2.0"  # run_constrained's `dependency >=2.0` and dependent 2.0
    out = proc.stdout + proc.stderr
    assert "Success: TEST_VAR is set correctly" in out  # the post-link script ran in the activated env
    assert "Lorem ipsum" in out and "Spam spam spam" in out  # pre-link messages are shown
    assert not (env / ".messages.txt").exists()
    assert (env / "bin" / "file").read_text() == "test\n"
    assert (env / "lib/python3.99t/site-packages/sample.py").is_file()  # CEP 17 python_site_packages_path

    # a program from the env, and the activate.d / deactivate.d scripts in a real bash
    small = subprocess.run([env / "bin" / "small", "x"], capture_output=True, text=True, check=True)
    assert small.stdout == "Hello! x\n"
    shell = user.bash('cantil activate recipes\necho "TEST=$TEST TEST_VAR=$TEST_VAR SMALL_EXE=$SMALL_EXE"\n'
                      'case ":$PATH:" in *:teststringfromactivate/bin/test:*) echo path-added;; esac\n'
                      'small y\ncantil deactivate\necho "after TEST_VAR=${TEST_VAR:-unset}"\n'
                      'case ":$PATH:" in *:teststringfromactivate/bin/test:*) echo path-kept;; esac\n')
    assert shell.returncode == 0, describe(shell)
    lines = shell.stdout.splitlines()
    assert "TEST=teststringfromactivate TEST_VAR=1 SMALL_EXE=small-var-sh" in lines, shell.stdout
    assert "path-added" in lines and "path-kept" not in lines and "Hello! y" in lines, shell.stdout
    assert "after TEST_VAR=unset" in lines, shell.stdout
    assert user.ok("doctor", "-n", "recipes").returncode == 0

    # removing every package leaves no file (bin/file, written by post_link-e's script, belongs to post_link-b)
    user.ok("remove", "-n", "recipes", *sorted(names))
    assert installed(env) == {}
    left = {k for k, v in tree(env).items() if v != "dir"}
    assert left == set(), sorted(left)
    # (pending: cantil-link leaves the empty lib/python3.99t/site-packages/__pycache__ folder it made for a pyc it
    # could not compile, and its parents; conda removes them: see docs/integration.md)


def test_conda_test_recipes_that_conda_refuses_or_warns_about(tmp_path: Path, recipes: str) -> None:
    user = User(tmp_path, [recipes])
    env = user.prefix("edge")
    user.ok("create", "-n", "edge", "small-executable", "clobber-a")
    before = tree(env)
    # a failing post-link script: rolled back, the env as it was
    assert_error(user.run("install", "-n", "edge", "failing_post_link"), "failing_post_link", "post-link")
    assert tree(env) == before
    # a dependency nobody provides: explained, nothing done
    assert_error(user.run("install", "-n", "edge", "unsatisfiable"), "unsatisfiable", "versioned <1.0")
    assert tree(env) == before
    # clobbering files: allowed silently by conda's default (path_conflict: clobber): the later package's file wins
    proc = user.ok("install", "-n", "edge", "clobber-b")
    assert "clobber-test-file" not in proc.stdout + proc.stderr
    assert (env / "bin" / "clobber-test-file").read_text() == "clobber-b\n"
    # with path_conflict: warn, the same clobber goes through with a warning naming the path (conda's ClobberWarning)
    user.ok("remove", "-n", "edge", "clobber-b")
    user.write_condarc([recipes], path_conflict="warn")
    proc = user.ok("install", "-n", "edge", "clobber-b")
    assert "warning: " in proc.stderr and "bin/clobber-test-file" in proc.stderr
    # ... and an error with path_conflict: prevent
    user.write_condarc([recipes], path_conflict="prevent")
    user.ok("install", "-n", "edge", "post_link-b")
    after = tree(env)
    assert_error(user.run("install", "-n", "edge", "private-package"), "bin/file")
    assert tree(env) == after


@pytest.fixture(scope="module")
def format_repo() -> Iterator[str]:
    with serve(shared_data("channels", "conda-format-repo")) as server:
        yield server.url


def test_real_zlib_tar_bz2_installs_and_loads(tmp_path: Path, format_repo: str) -> None:
    user = User(tmp_path, [format_repo], use_only_tar_bz2=True)
    env = user.prefix("z")
    user.ok("create", "-n", "z", "zlib", "--no-deps")
    rec = json.loads(next((env / "conda-meta").glob("zlib-*.json")).read_text())
    assert rec["version"] == "1.2.11" and rec["fn"].endswith(".tar.bz2")
    assert str(env) in (env / "lib/pkgconfig/zlib.pc").read_text()  # its text prefix placeholder replaced
    lib = ctypes.CDLL(str(env / "lib" / "libz.so.1.2.11"))
    lib.zlibVersion.restype = ctypes.c_char_p
    assert lib.zlibVersion() == b"1.2.11"
    user.ok("remove", "-n", "z", "zlib")
    assert installed(env) == {}


def test_real_zlib_malformed_conda_is_refused_cleanly(tmp_path: Path, format_repo: str) -> None:
    user = User(tmp_path, [format_repo])
    env = user.prefix("z")
    line = assert_error(user.run("create", "-n", "z", "zlib", "--no-deps"), "zlib")
    assert "libz.so" in line or "symlink" in line.lower() or "unsafe" in line.lower(), line
    assert not env.exists() or installed(env) == {}
    assert not (env / "lib").exists()


def test_removal_leaves_no_empty_pycache_folder(tmp_path: Path, recipes: str) -> None:
    """A .pyc that could not be compiled (python 3.99.99 is an empty package) leaves an empty __pycache__ folder when
    linking; removing the packages empties and removes it with its parents, as conda removes the folders it emptied."""
    user = User(tmp_path, [recipes])
    env = user.prefix("py")
    user.ok("create", "-n", "py", "python=3.99.99", "sample_noarch_python")
    user.ok("remove", "-n", "py", "python", "pip", "sample_noarch_python")
    assert set(tree(env)) == {"conda-meta"}

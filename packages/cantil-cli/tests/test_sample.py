"""End to end on cantil-tools' sample ecosystem (real noarch python with entry points, scripts, track_features,
virtual packages), with the plugin's fixtures: sample_channel, channel_server, run_cantil."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest


@pytest.fixture
def sample(sample_channel, channel_server, run_cantil):  # type: ignore[no-untyped-def]
    server = channel_server(sample_channel)
    run_cantil.condarc.write_text(f"channels:\n  - {server.url}\n")
    return run_cantil


def ok(run, *args: str, **kw):  # type: ignore[no-untyped-def]
    r = run(*args, **kw)
    assert r.returncode == 0, f"cantil {' '.join(args)}\n{r.stdout}\n{r.stderr}"
    return r


def test_python_app_with_entry_point_runs_and_activates_in_bash(sample) -> None:
    ok(sample, "create", "-n", "demo", "python", "hello-cli", "-y")
    prefix = sample.root_prefix / "envs" / "demo"
    r = ok(sample, "run", "-n", "demo", "hello")
    assert r.stdout == f"hello from hello-cli {prefix}\n"
    bash = shutil.which("bash")
    assert bash, "bash is required"
    assert len(sample.command) == 1, "the cantil console script must be installed next to this interpreter"
    bindir = str(Path(sample.command[0]).parent)
    script = 'eval "$(cantil shell.bash hook)" && cantil activate demo && hello && echo "prefix=$CONDA_PREFIX"'
    env = {**sample.env, "PATH": f"{bindir}:{os.environ.get('PATH', '/usr/bin:/bin')}"}
    r = subprocess.run([bash, "--norc", "--noprofile", "-c", script], env=env, capture_output=True, text=True,
                       check=False, timeout=600)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [f"hello from hello-cli {prefix}", f"prefix={prefix}"]


def test_post_link_script_ran_and_pre_unlink_on_remove(sample) -> None:
    ok(sample, "create", "-n", "s", "postlinker", "-y")
    out = sample.root_prefix / "envs" / "s" / "share" / "postlinker" / "post-link.out"
    assert out.read_text() == "postlinker-post-link-ran\n"
    ok(sample, "remove", "-n", "s", "postlinker", "-y")
    assert not out.exists()


def test_track_features_deprioritised(sample) -> None:
    ok(sample, "create", "-n", "b", "blasish", "-y")
    builds = {p["name"]: p["build_string"] for p in json.loads(ok(sample, "list", "-n", "b", "--json").stdout)}
    assert builds["blasish"] == "openblas_0"


def test_virtual_packages_and_overrides(sample) -> None:
    ok(sample, "create", "-n", "v", "glibc-tool", "unix-tool", "-y")
    r = sample("create", "-n", "old", "glibc-tool", "-y", "--json", env={"CONDA_OVERRIDE_GLIBC": "2.5"})
    assert r.returncode == 1
    assert json.loads(r.stdout)["exception_name"] in ("UnsatisfiableError", "PackagesNotFoundError")


def test_sample_conflict_is_reported_with_its_chains(sample) -> None:
    r = sample("create", "-n", "c", "conflict-a", "conflict-b", "-y", "--json")
    assert r.returncode == 1
    doc = json.loads(r.stdout)
    assert doc["exception_name"] == "UnsatisfiableError"
    assert sorted(doc["conflict"]["specs"]) == ["conflict-a", "conflict-b"]
    assert any("shared-dep" in " ".join(chain) for chain in doc["conflict"]["chains"])

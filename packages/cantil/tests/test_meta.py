"""The `cantil` meta-package: it depends on every distribution, and together they give a working `cantil` command."""

from __future__ import annotations

import importlib
import shutil
import subprocess
import sys
from importlib.metadata import requires, version
from pathlib import Path

import pytest

DISTS = ["cantil-specs", "cantil-repodata", "cantil-solver", "cantil-link", "cantil-activate", "cantil-cli"]


def test_depends_on_every_distribution() -> None:
    reqs = {r.split(">", 1)[0].split("<", 1)[0].split("=", 1)[0].split(";", 1)[0].strip() for r in requires("cantil") or []}
    assert reqs == set(DISTS)


@pytest.mark.parametrize("module", ["cantil.specs", "cantil.repodata", "cantil.solver", "cantil.link",
                                    "cantil.activate", "cantil.cli"])
def test_every_component_imports(module: str) -> None:
    assert importlib.import_module(module).__all__


def test_cantil_is_a_namespace_package() -> None:
    import cantil

    assert getattr(cantil, "__file__", None) is None  # PEP 420: no cantil/__init__.py anywhere


def test_the_cantil_command_runs(tmp_path: Path) -> None:
    script = shutil.which("cantil", path=str(Path(sys.executable).parent))
    cmd = [script] if script else [sys.executable, "-m", "cantil"]
    env = {"HOME": str(tmp_path), "CANTIL_ROOT_PREFIX": str(tmp_path / "root"), "PATH": "/usr/bin:/bin"}
    r = subprocess.run([*cmd, "--version"], capture_output=True, text=True, env=env, check=False)
    assert r.returncode == 0, r.stderr
    assert r.stdout == f"cantil {version('cantil-cli')}\n"
    r = subprocess.run([*cmd, "info", "--json"], capture_output=True, text=True, env=env, check=False)
    assert r.returncode == 0, r.stderr
    assert '"root_prefix"' in r.stdout

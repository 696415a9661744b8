"""Activation of an environment made of real packages (built by cantil-tools, extracted as conda lays them out):
their activate.d/deactivate.d scripts, env_vars.d files and bin/ tools."""

from __future__ import annotations

import json
import tarfile
from pathlib import Path

from cantil_tools.build import build_package

from .test_shell_support import cantil_exe, dump_env, load_hook, quote, read_env, run_script


def _install(archive: Path, prefix: Path) -> None:
    """Extract the payload (not info/) and write the conda-meta record, as a link step would for these files."""
    with tarfile.open(archive) as tar:
        index = json.load(tar.extractfile("info/index.json"))  # type: ignore[arg-type]
        members = [m for m in tar.getmembers() if not m.name.startswith("info/")]
        tar.extractall(prefix, members=members, filter="data")
    dist = f"{index['name']}-{index['version']}-{index['build']}"
    (prefix / "conda-meta").mkdir(parents=True, exist_ok=True)
    record = {**index, "files": [m.name for m in members if m.isfile()], "fn": archive.name}
    (prefix / "conda-meta" / f"{dist}.json").write_text(json.dumps(record))


def test_packages_scripts_variables_and_tools_are_active(tmp_path: Path) -> None:
    out = tmp_path / "channel"
    descs = [
        {
            "name": "greeter", "version": "1.0", "subdir": "linux-64",
            "files": {
                "bin/greet": '#!/bin/sh\necho "hello from $GREETER_HOME"\n',
                "etc/conda/env_vars.d/greeter.json": json.dumps({"GREETER_LANG": "fr — ça va"}),
            },
            "activate": {"greeter.sh": 'export GREETER_HOME="$CONDA_PREFIX/share/greeter"\n'},
            "deactivate": {"greeter.sh": "unset GREETER_HOME\n"},
        },
        {
            "name": "other", "version": "2.0", "subdir": "linux-64",
            "activate": {"other.sh": 'export OTHER_SEEN="$GREETER_HOME"\n'},
            "deactivate": {"other.sh": "unset OTHER_SEEN\n"},
        },
    ]
    prefix = tmp_path / "envs" / "pkgs env"
    for desc in descs:
        (archive,) = build_package(desc, out, formats=("tar.bz2",))
        _install(archive, prefix)
    env = {"HOME": str(tmp_path), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8",
           "CANTIL_ROOT_PREFIX": str(tmp_path / "root"), "CONDA_AUTO_ACTIVATE_BASE": "false"}
    script = tmp_path / "s.sh"
    script.write_text("\n".join([
        load_hook("bash", cantil_exe()),
        dump_env("bash", tmp_path / "before.env"),
        f"cantil activate {quote('bash', str(prefix))}",
        "greet",
        dump_env("bash", tmp_path / "active.env"),
        "cantil deactivate",
        dump_env("bash", tmp_path / "after.env"),
    ]) + "\n")
    done = run_script("bash", script, env)
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"hello from {prefix}/share/greeter\n"
    active = read_env(tmp_path / "active.env")
    assert active["GREETER_LANG"] == "fr — ça va"
    assert active["OTHER_SEEN"] == f"{prefix}/share/greeter"  # scripts run in name order: greeter.sh, other.sh
    assert active["CONDA_DEFAULT_ENV"] == "pkgs env"
    assert read_env(tmp_path / "after.env") == read_env(tmp_path / "before.env")

"""The hook text per shell (the real-shell behaviour is tested through the `cantil` command in cantil-cli)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cantil.activate import SHELLS, ActivationSettings, Activator

from .conftest import make_env


@pytest.mark.parametrize("shell", [s for s in SHELLS if s != "cmd.exe"])
def test_hook_exports_cantil_exe_and_sets_shlvl_when_missing(shell: str, tmp_path: Path) -> None:
    text = Activator(shell, ActivationSettings(tmp_path, exe="/opt/x y/cantil"), {}).hook()
    first = text.splitlines()[0]
    assert "CANTIL_EXE" in first and "/opt/x y/cantil" in first
    assert "CONDA_SHLVL" in text
    assert "CONDA_EXE" not in text
    assert "activate base" not in text and "'activate', 'base'" not in text


@pytest.mark.parametrize(("shell", "call"), [("bash", "shell.bash"), ("zsh", "shell.zsh"), ("posix", "shell.posix"),
                                             ("dash", "shell.posix"), ("fish", "shell.fish"), ("xonsh", "shell.xonsh"),
                                             ("powershell", "shell.powershell")])
def test_function_calls_back_with_its_own_shell_name(shell: str, call: str, tmp_path: Path) -> None:
    assert call in Activator(shell, ActivationSettings(tmp_path, exe="/c"), {}).hook()


def test_csh_hook_aliases_cantil_to_the_shipped_script(tmp_path: Path) -> None:
    text = Activator("tcsh", ActivationSettings(tmp_path, exe="/c"), {}).hook()
    alias = [line for line in text.splitlines() if line.startswith("alias cantil ")]
    assert len(alias) == 1
    path = alias[0].split('"')[1]
    assert Path(path).name == "cantil.csh" and Path(path).is_file()


@pytest.mark.parametrize(("shell", "line"), [("bash", "cantil activate base"), ("fish", "cantil activate base"),
                                             ("xonsh", "_cantil(['activate', 'base'])"),
                                             ("powershell", "Invoke-Cantil activate base")])
def test_auto_activate_only_when_base_exists(shell: str, line: str, tmp_path: Path) -> None:
    settings = ActivationSettings(tmp_path / "root", exe="/c", auto_activate=True)
    assert line not in Activator(shell, settings, {}).hook().splitlines()
    make_env(tmp_path / "root")
    assert Activator(shell, settings, {}).hook().splitlines()[-1] == line


def test_dev_hook_exports_the_module(tmp_path: Path) -> None:
    text = Activator("fish", ActivationSettings(tmp_path, exe="/usr/bin/python3"), {}, dev=True).hook()
    assert text.splitlines()[:3] == [
        "set -gx CANTIL_EXE '/usr/bin/python3';",
        "set -gx _CANTIL_M '-m';",
        "set -gx _CANTIL_MOD 'cantil';",
    ]


def test_settings_are_immutable_values(tmp_path: Path) -> None:
    a = ActivationSettings(tmp_path, ["e"], exe="/c")
    assert a == ActivationSettings(tmp_path, ["e"], exe="/c") and hash(a) == hash(ActivationSettings(tmp_path, ["e"], exe="/c"))
    assert a.envs_dirs == (os.path.abspath("e"),)
    assert repr(a).startswith(f"ActivationSettings(root_prefix={str(tmp_path)!r}")
    with pytest.raises(AttributeError):
        a.changeps1 = False  # type: ignore[misc]

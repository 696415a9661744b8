"""PowerShell and cmd.exe: no such shell runs here, so the generated text is checked against expected text."""

from __future__ import annotations

from pathlib import Path

import pytest

from cantil.activate import ActivationSettings, Activator, UnquotableValue

from .conftest import make_env

WIN_ENV = {"PATH": "C:\\Windows\\system32;C:\\Tools", "PROMPT": "$P$G"}


@pytest.fixture
def env(tmp_path: Path) -> Path:
    prefix = make_env(
        tmp_path / "my env",
        scripts={"activate.d/a.ps1": "", "activate.d/b.bat": "", "deactivate.d/a.ps1": "", "deactivate.d/b.bat": ""},
        state={"GREETING": "it's ‘quoted’ $HOME `n"},
    )
    return prefix


def _dirs(p: str) -> list[str]:
    return [p, f"{p}\\Library\\mingw-w64\\bin", f"{p}\\Library\\usr\\bin", f"{p}\\Library\\bin", f"{p}\\Scripts", f"{p}\\bin"]


def test_powershell_activate_text(env: Path, tmp_path: Path) -> None:
    settings = ActivationSettings(tmp_path / "root", exe="C:\\cantil\\cantil.exe")
    p = str(env)
    text = Activator("powershell", settings, WIN_ENV, windows=True).activate(p)
    path = ";".join([*_dirs(p), "C:\\Windows\\system32", "C:\\Tools"])
    assert text == "\n".join([
        "$Env:_CANTIL_M = $null",
        "$Env:_CANTIL_MOD = $null",
        f"$Env:PATH = '{path}'",
        f"$Env:CONDA_PREFIX = '{p}'",
        "$Env:CONDA_SHLVL = '1'",
        f"$Env:CONDA_DEFAULT_ENV = '{p}'",
        f"$Env:CONDA_PROMPT_MODIFIER = '({p}) '",
        "$Env:GREETING = 'it''s ‘‘quoted’’ $HOME `n'",
        "$Env:CANTIL_EXE = 'C:\\cantil\\cantil.exe'",
        f". '{p}/etc/conda/activate.d/a.ps1'",
        "",
    ])


def test_powershell_deactivate_text(env: Path, tmp_path: Path) -> None:
    p = str(env)
    settings = ActivationSettings(tmp_path / "root", exe="C:\\cantil\\cantil.exe")
    state = {
        "PATH": ";".join([*_dirs(p), "C:\\Tools"]),
        "CONDA_PREFIX": p,
        "CONDA_SHLVL": "1",
        "CONDA_PROMPT_MODIFIER": f"({p}) ",
        "GREETING": "x",
        "__CONDA_SHLVL_0_GREETING": "hello 'you'",
    }
    text = Activator("powershell", settings, state, windows=True).deactivate()
    assert text == "\n".join([
        "$Env:PATH = 'C:\\Tools'",
        f". '{p}/etc/conda/deactivate.d/a.ps1'",
        "$Env:CONDA_PREFIX = $null",
        "$Env:CONDA_DEFAULT_ENV = $null",
        "$Env:CONDA_PROMPT_MODIFIER = $null",
        "$Env:_CANTIL_M = $null",
        "$Env:_CANTIL_MOD = $null",
        "$Env:__CONDA_SHLVL_0_GREETING = $null",
        "$Env:CONDA_SHLVL = '0'",
        "$Env:CANTIL_EXE = 'C:\\cantil\\cantil.exe'",
        "$Env:GREETING = 'hello ''you'''",
        "",
    ])


def test_cmd_exe_activate_text(env: Path, tmp_path: Path) -> None:
    p = str(env)
    settings = ActivationSettings(tmp_path / "root", exe="C:\\cantil\\cantil.exe")
    text = Activator("cmd.exe", settings, WIN_ENV, windows=True).activate(p)
    assert text == "\n".join([
        "_CANTIL_M=",
        "_CANTIL_MOD=",
        f"PROMPT=({p}) $P$G",
        "PATH=" + ";".join([*_dirs(p), "C:\\Windows\\system32", "C:\\Tools"]),
        f"CONDA_PREFIX={p}",
        "CONDA_SHLVL=1",
        f"CONDA_DEFAULT_ENV={p}",
        f"CONDA_PROMPT_MODIFIER=({p}) ",
        "GREETING=it's ‘quoted’ $HOME `n",
        "CANTIL_EXE=C:\\cantil\\cantil.exe",
        f"_CANTIL_SCRIPT={p}/etc/conda/activate.d/b.bat",
        "",
    ])


def test_cmd_exe_refuses_a_line_break(tmp_path: Path) -> None:
    prefix = make_env(tmp_path / "e", state={"TWO": "line\nbreak"})
    with pytest.raises(UnquotableValue) as info:
        Activator("cmd.exe", ActivationSettings(tmp_path), {}, windows=True).activate(str(prefix))
    assert info.value.name == "TWO"


def test_cmd_exe_hook_is_a_crlf_batch_file_naming_the_exe(tmp_path: Path) -> None:
    text = Activator("cmd.exe", ActivationSettings(tmp_path, exe="C:\\c\\cantil.exe"), {}).hook()
    assert text.count("\r\n") == text.count("\n")
    batch = text.replace("\r\n", "\n").splitlines()
    assert '@IF NOT DEFINED CANTIL_EXE @SET "CANTIL_EXE=C:\\c\\cantil.exe"' in batch
    assert any("shell.cmd.exe %*" in line and line.startswith("@FOR /F") for line in batch)
    assert '    IF "%%A"=="_CANTIL_SCRIPT" (CALL "%%B") ELSE (SET "%%A=%%B")' in batch


def test_powershell_hook_defines_the_command_and_prompt(tmp_path: Path) -> None:
    text = Activator("powershell", ActivationSettings(tmp_path, exe="/x/cantil"), {}).hook()
    assert text.startswith("$Env:CANTIL_EXE = '/x/cantil'\n")
    assert "Set-Alias -Name cantil -Value Invoke-Cantil -Scope Global -Force" in text
    assert "function global:prompt" in text
    quiet = Activator("powershell", ActivationSettings(tmp_path, exe="/x/cantil", changeps1=False), {}).hook()
    assert "function global:prompt" not in quiet

"""`init`: a marked, idempotent block per rc file; reverse removes exactly it; dry_run shows the diff."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from cantil.activate import INIT_SHELLS, InitError, UnknownShell, default_rc_paths, init, rc_block

EXE = "/opt/my tools/cantil"
CONDA_BLOCK = "# >>> conda initialize >>>\n__conda_setup=x\n# <<< conda initialize <<<\n"


@pytest.mark.parametrize("original", ["", "alias ll='ls -l'\n", "no newline at end", "a\n\n", CONDA_BLOCK])
@pytest.mark.parametrize("shell", ["bash", "zsh", "fish", "tcsh", "xonsh", "powershell"])
def test_add_is_idempotent_and_reverse_gives_back_the_file(shell: str, original: str, tmp_path: Path) -> None:
    rc = tmp_path / "rc"
    if original:
        rc.write_text(original)
    first = init(shell, [rc], exe=EXE)
    assert first.changed
    added = rc.read_text()
    assert rc_block(shell, EXE) in added
    assert added.startswith(original.rstrip("\n"))
    assert not init(shell, [rc], exe=EXE).changed
    assert rc.read_text() == added
    init(shell, [rc], exe=EXE, reverse=True)
    expected = original if original.endswith("\n") or not original else original + "\n"
    assert rc.read_text() == expected
    assert not init(shell, [rc], exe=EXE, reverse=True).changed


def test_block_is_marked_and_names_the_exe() -> None:
    block = rc_block("bash", EXE).splitlines()
    assert block[0] == "# >>> cantil initialize >>>" and block[-1] == "# <<< cantil initialize <<<"
    assert "__cantil_setup=\"$('/opt/my tools/cantil' 'shell.bash' 'hook' 2> /dev/null)\"" in block
    ps = rc_block("powershell", EXE).splitlines()
    assert ps[0] == "#region cantil initialize" and ps[-1] == "#endregion cantil initialize"


def test_existing_block_is_updated_in_place(tmp_path: Path) -> None:
    rc = tmp_path / ".bashrc"
    rc.write_text("before\n")
    init("bash", [rc], exe="/old/cantil")
    rc.write_text(rc.read_text() + "after\n")
    init("bash", [rc], exe=EXE)
    text = rc.read_text()
    assert "/old/cantil" not in text
    assert text.startswith("before\n\n# >>> cantil initialize >>>") and text.endswith("# <<< cantil initialize <<<\nafter\n")
    init("bash", [rc], exe=EXE, reverse=True)
    assert rc.read_text() == "before\nafter\n"


def test_reverse_leaves_condas_block_alone(tmp_path: Path) -> None:
    rc = tmp_path / ".bashrc"
    rc.write_text(CONDA_BLOCK)
    init("bash", [rc], exe=EXE)
    init("bash", [rc], exe=EXE, reverse=True)
    assert rc.read_text() == CONDA_BLOCK


def test_dry_run_shows_a_diff_and_writes_nothing(tmp_path: Path) -> None:
    rc = tmp_path / ".zshrc"
    rc.write_text("export A=1\n")
    result = init("zsh", [rc], exe=EXE, dry_run=True)
    assert rc.read_text() == "export A=1\n"
    diff = result.diff()
    assert diff.startswith(f"--- {rc}\n+++ {rc}\n")
    assert "+# >>> cantil initialize >>>\n" in diff
    assert " export A=1\n" in diff
    assert not init("zsh", [tmp_path / "missing"], exe=EXE, dry_run=True, reverse=True).changed


def test_missing_file_and_directories_are_created(tmp_path: Path) -> None:
    rc = tmp_path / ".config" / "fish" / "config.fish"
    init("fish", [rc], exe=EXE)
    assert rc.read_text() == rc_block("fish", EXE)


def test_symlinked_rc_is_written_through_and_mode_kept(tmp_path: Path) -> None:
    real = tmp_path / "dotfiles" / "bashrc"
    real.parent.mkdir()
    real.write_text("x\n")
    real.chmod(0o600)
    link = tmp_path / ".bashrc"
    link.symlink_to(real)
    init("bash", [link], exe=EXE)
    assert link.is_symlink()
    assert "cantil initialize" in real.read_text()
    assert stat.S_IMODE(os.stat(real).st_mode) == 0o600


def test_unwritable_rc_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a directory")
    with pytest.raises(InitError) as info:
        init("bash", [tmp_path / "file" / ".bashrc"], exe=EXE)
    assert info.value.path == str(tmp_path / "file" / ".bashrc")


def test_cmd_exe_writes_and_removes_its_batch_file(tmp_path: Path) -> None:
    bat = tmp_path / "condabin" / "cantil.bat"
    init("cmd.exe", [bat], exe="C:\\c\\cantil.exe")
    assert bat.read_bytes().startswith(b"@REM cantil.bat")
    init("cmd.exe", [bat], exe="C:\\c\\cantil.exe", reverse=True)
    assert not bat.exists()


def test_default_rc_paths_follow_conda(tmp_path: Path) -> None:
    home = str(tmp_path)
    assert default_rc_paths("zsh", home=home, environ={"ZDOTDIR": "/z"}) == ["/z/.zshrc"]
    assert default_rc_paths("zsh", home=home, environ={}) == [f"{home}/.zshrc"]
    assert default_rc_paths("fish", home=home, environ={}) == [f"{home}/.config/fish/config.fish"]
    assert default_rc_paths("tcsh", home=home, environ={}) == [f"{home}/.tcshrc"]
    assert default_rc_paths("xonsh", home=home, environ={}) == [f"{home}/.xonshrc"]
    for shell in INIT_SHELLS:
        assert default_rc_paths(shell, home=home, environ={}, root_prefix=home)


def test_unknown_shell_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UnknownShell):
        init("ksh", [tmp_path / "x"], exe=EXE)


def test_system_drop_ins_beside_condas(tmp_path: Path) -> None:
    from cantil.activate import system_rc_paths

    etc = str(tmp_path)
    assert system_rc_paths("bash", etc=etc) == system_rc_paths("zsh", etc=etc) == [f"{etc}/profile.d/cantil.sh"]
    assert system_rc_paths("fish", etc=etc) == [f"{etc}/fish/conf.d/cantil.fish"]
    assert system_rc_paths("tcsh", etc=etc) == [f"{etc}/profile.d/cantil.csh"]
    assert system_rc_paths("xonsh", etc=etc) == [f"{etc}/xonsh/rc.d/cantil.xsh"]
    assert system_rc_paths("bash") == ["/etc/profile.d/cantil.sh"]  # never conda's /etc/profile.d/conda.sh
    for shell in ("powershell", "cmd.exe"):
        with pytest.raises(InitError) as info:
            system_rc_paths(shell)
        assert info.value.hint == "run `cantil init` for each user instead of `--system`"
        with pytest.raises(InitError):
            init(shell, [tmp_path / "x"], exe=EXE, system=True)
    assert not (tmp_path / "x").exists()


def test_system_init_writes_the_posix_block_and_reverse_removes_the_file(tmp_path: Path) -> None:
    from cantil.activate import system_rc_paths

    (path,) = system_rc_paths("bash", etc=str(tmp_path))
    result = init("bash", [path], exe=EXE, system=True)
    assert result.changed and Path(path).read_text() == rc_block("posix", EXE)
    assert "'shell.posix' 'hook'" in Path(path).read_text()
    assert not init("zsh", [path], exe=EXE, system=True).changed  # zsh shares the file
    init("bash", [path], exe=EXE, system=True, reverse=True)
    assert not Path(path).exists()
    Path(path).write_text("export SITE=1\n")  # a file the admin wrote keeps its own lines
    init("bash", [path], exe=EXE, system=True)
    init("bash", [path], exe=EXE, system=True, reverse=True)
    assert Path(path).read_text() == "export SITE=1\n"

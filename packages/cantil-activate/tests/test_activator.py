"""The activation logic (conda's), checked on the posix text it produces."""

from __future__ import annotations

from pathlib import Path

import pytest

from cantil.activate import (
    ActivationSettings,
    Activator,
    ArgumentError,
    EnvironmentLocationNotFound,
    EnvironmentNameNotFound,
    ShellStateError,
    UnknownShell,
)

from .conftest import Layout, make_env

BASE_ENV = {"PATH": "/usr/bin:/bin", "HOME": "/home/u", "PS1": "$ "}


def lines(text: str) -> list[str]:
    return text.splitlines()


def test_first_activation_sets_conda_variables_in_conda_order(layout: Layout) -> None:
    a = Activator("bash", layout.settings, BASE_ENV)
    one = layout.one
    assert lines(a.activate("one")) == [
        "unset _CANTIL_M",
        "unset _CANTIL_MOD",
        "PS1='(one) $ '",
        f"export PATH='{one}/bin:/usr/bin:/bin'",
        f"export CONDA_PREFIX='{one}'",
        "export CONDA_SHLVL='1'",
        "export CONDA_DEFAULT_ENV='one'",
        "export CONDA_PROMPT_MODIFIER='(one) '",
        "export CANTIL_EXE='/opt/cantil/bin/cantil'",
    ]


def test_base_names_the_root_prefix(layout: Layout) -> None:
    text = Activator("bash", layout.settings, BASE_ENV).activate("base")
    assert f"export CONDA_PREFIX='{layout.root}'" in lines(text)
    assert "export CONDA_DEFAULT_ENV='base'" in lines(text)


def test_no_env_means_base(layout: Layout) -> None:
    assert f"export CONDA_PREFIX='{layout.root}'" in lines(Activator("bash", layout.settings, BASE_ENV).activate())


def test_path_outside_envs_dirs_is_named_by_its_path(layout: Layout) -> None:
    text = Activator("bash", layout.settings, BASE_ENV).activate(str(layout.two))
    assert f"export CONDA_DEFAULT_ENV='{layout.two}'" in lines(text)
    assert f"export CONDA_PROMPT_MODIFIER='({layout.two}) '" in lines(text)


def test_path_with_tilde_and_variable_is_expanded(layout: Layout) -> None:
    env = {**BASE_ENV, "HOME": str(layout.two.parent), "WHERE": "elsewhere"}
    a = Activator("bash", layout.settings, env)
    assert a.resolve(str(layout.two.parent.parent / "$WHERE" / "two")) == str(layout.two)
    assert a.resolve(str(layout.two.parent.parent / "${WHERE}" / "two")) == str(layout.two)


def test_names_are_searched_in_envs_dirs_order(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    make_env(second / "x")
    make_env(first / "x")
    a = Activator("bash", ActivationSettings(tmp_path / "root", [first, second]), BASE_ENV)
    assert a.resolve("x") == str(first / "x")


def test_unknown_name_fails_with_the_dirs_searched(layout: Layout) -> None:
    with pytest.raises(EnvironmentNameNotFound) as info:
        Activator("bash", layout.settings, BASE_ENV).activate("nope")
    assert info.value.name == "nope"
    assert str(layout.envs) in (info.value.hint or "")


def test_a_path_without_conda_meta_is_not_an_environment(layout: Layout, tmp_path: Path) -> None:
    (tmp_path / "plain").mkdir()
    with pytest.raises(EnvironmentLocationNotFound) as info:
        Activator("bash", layout.settings, BASE_ENV).activate(str(tmp_path / "plain"))
    assert info.value.prefix == str(tmp_path / "plain")


def test_unknown_shell() -> None:
    with pytest.raises(UnknownShell):
        Activator("ksh93", ActivationSettings("/r"), {})


def test_empty_env_argument_is_an_error(layout: Layout) -> None:
    with pytest.raises(ArgumentError):
        Activator("bash", layout.settings, BASE_ENV).activate("")


def active(prefix: Path, shlvl: int = 1, path: str = "/usr/bin:/bin", **extra: str) -> dict[str, str]:
    return {
        **BASE_ENV,
        "PATH": f"{prefix}/bin:{path}",
        "CONDA_PREFIX": str(prefix),
        "CONDA_SHLVL": str(shlvl),
        "CONDA_DEFAULT_ENV": prefix.name,
        "CONDA_PROMPT_MODIFIER": f"({prefix.name}) ",
        "PS1": f"({prefix.name}) $ ",
        **extra,
    }


def test_stacking_keeps_the_previous_path_and_records_it(layout: Layout) -> None:
    out = lines(Activator("bash", layout.settings, active(layout.one)).activate(str(layout.two), stack=True))
    assert f"export PATH='{layout.two}/bin:{layout.one}/bin:/usr/bin:/bin'" in out
    assert "export CONDA_SHLVL='2'" in out
    assert f"export CONDA_PREFIX_1='{layout.one}'" in out
    assert "export CONDA_STACKED_2='true'" in out
    assert f"PS1='({layout.two}) $ '" in out


def test_switching_replaces_the_previous_prefix_and_runs_its_deactivate_scripts(layout: Layout) -> None:
    make_env(layout.one, scripts={"deactivate.d/z.sh": "", "deactivate.d/a.sh": "", "deactivate.d/x.fish": ""})
    out = lines(Activator("bash", layout.settings, active(layout.one)).activate(str(layout.two)))
    d = layout.one / "etc" / "conda" / "deactivate.d"
    assert out[:2] == [f". '{d}/z.sh'", f". '{d}/a.sh'"]  # conda: deactivate.d in reverse order
    assert f"export PATH='{layout.two}/bin:/usr/bin:/bin'" in out
    assert f"export CONDA_PREFIX_1='{layout.one}'" in out
    assert not any(line.startswith("export CONDA_STACKED") for line in out)


def test_auto_stack_stacks_up_to_its_level(layout: Layout) -> None:
    settings = ActivationSettings(layout.root, [layout.envs], auto_stack=1)
    stacked = lines(Activator("bash", settings, active(layout.one)).activate(str(layout.two)))
    assert "export CONDA_STACKED_2='true'" in stacked
    deeper = active(layout.two, 2, f"{layout.one}/bin:/usr/bin:/bin", CONDA_PREFIX_1=str(layout.one))
    assert "export CONDA_STACKED_3='true'" not in lines(Activator("bash", settings, deeper).activate("base"))
    assert "export CONDA_STACKED_2='true'" not in lines(
        Activator("bash", settings, active(layout.one)).activate(str(layout.two), stack=False)
    )


def test_activating_the_active_prefix_reactivates(layout: Layout) -> None:
    make_env(layout.one, scripts={"activate.d/a.sh": "", "deactivate.d/a.sh": ""})
    out = lines(Activator("bash", layout.settings, active(layout.one)).activate("one"))
    assert "export CONDA_SHLVL='1'" in out
    assert not any("CONDA_PREFIX_" in line for line in out)
    assert [line for line in out if line.startswith(". ")] == [
        f". '{layout.one}/etc/conda/deactivate.d/a.sh'",
        f". '{layout.one}/etc/conda/activate.d/a.sh'",
    ]


def test_deactivate_from_level_one_restores_exactly_the_old_path(layout: Layout) -> None:
    env = active(layout.one, path="/a::/b:/a")
    out = lines(Activator("bash", layout.settings, env).deactivate())
    assert out[0] == "export PATH='/a::/b:/a'"
    assert "unset CONDA_PREFIX" in out and "unset CONDA_DEFAULT_ENV" in out and "unset CONDA_PROMPT_MODIFIER" in out
    assert "export CONDA_SHLVL='0'" in out
    assert "PS1='$ '" in out


def test_deactivate_removes_only_the_first_occurrence_of_the_prefix(layout: Layout) -> None:
    env = active(layout.one, path=f"/a:{layout.one}/bin:/b")
    assert lines(Activator("bash", layout.settings, env).deactivate())[0] == f"export PATH='/a:{layout.one}/bin:/b'"


def test_deactivate_a_stacked_env_returns_to_the_one_below(layout: Layout) -> None:
    make_env(layout.one, scripts={"activate.d/one.sh": ""})
    env = active(layout.two, 2, f"{layout.one}/bin:/usr/bin:/bin", CONDA_PREFIX_1=str(layout.one), CONDA_STACKED_2="true")
    env["PS1"] = f"({layout.two}) $ "
    env["CONDA_PROMPT_MODIFIER"] = f"({layout.two}) "
    out = lines(Activator("bash", layout.settings, env).deactivate())
    assert out[0] == f"export PATH='{layout.one}/bin:/usr/bin:/bin'"
    assert "unset CONDA_PREFIX_1" in out and "unset CONDA_STACKED_2" in out
    assert f"export CONDA_PREFIX='{layout.one}'" in out and "export CONDA_SHLVL='1'" in out
    assert "PS1='(one) $ '" in out
    assert out[-1] == f". '{layout.one}/etc/conda/activate.d/one.sh'"  # conda re-runs the lower env's scripts


def test_deactivate_a_switched_env_puts_the_previous_prefix_back(layout: Layout) -> None:
    env = active(layout.two, 2, "/usr/bin:/bin", CONDA_PREFIX_1=str(layout.one))
    out = lines(Activator("bash", layout.settings, env).deactivate())
    assert out[0] == f"export PATH='{layout.one}/bin:/usr/bin:/bin'"
    assert "unset CONDA_STACKED_2" not in out


def test_deactivate_with_nothing_active_does_nothing(layout: Layout) -> None:
    assert Activator("bash", layout.settings, BASE_ENV).deactivate() == ""
    assert Activator("bash", layout.settings, {**BASE_ENV, "CONDA_SHLVL": "0"}).reactivate() == ""


def test_missing_lower_prefix_is_a_clear_error(layout: Layout) -> None:
    with pytest.raises(ShellStateError) as info:
        Activator("bash", layout.settings, active(layout.two, 2)).deactivate()
    assert info.value.variable == "CONDA_PREFIX_1"


def test_non_numeric_shlvl_is_a_clear_error(layout: Layout) -> None:
    with pytest.raises(ShellStateError):
        Activator("bash", layout.settings, {**BASE_ENV, "CONDA_SHLVL": "x"}).activate("one")


def test_reactivate_reruns_scripts_of_the_active_prefix(layout: Layout) -> None:
    make_env(layout.one, scripts={"activate.d/new.sh": "", "deactivate.d/old.sh": ""})
    out = lines(Activator("bash", layout.settings, active(layout.one)).reactivate())
    assert out[0] == f". '{layout.one}/etc/conda/deactivate.d/old.sh'"
    assert out[-1] == f". '{layout.one}/etc/conda/activate.d/new.sh'"
    assert f"export PATH='{layout.one}/bin:/usr/bin:/bin'" in out


def test_scripts_are_sorted_and_filtered_by_the_shell_extension(layout: Layout) -> None:
    names = ["b.sh", "a.sh", "c.fish", "d.csh", "e.xsh", "f.ps1", "g.bat", "h.txt", "a.sh.bak"]
    make_env(layout.one, scripts={f"activate.d/{n}": "" for n in names})
    d = f"{layout.one}/etc/conda/activate.d"
    expected = {
        "bash": [f". '{d}/a.sh'", f". '{d}/b.sh'"],
        "fish": [f"source '{d}/c.fish'"],
        "tcsh": [f"source '{d}/d.csh'"],
        "xonsh": [f"source {d + '/e.xsh'!r}"],
        "powershell": [f". '{d}/f.ps1'"],
        "cmd.exe": [f"_CANTIL_SCRIPT={d}/g.bat"],
    }
    for shell, scripts in expected.items():
        text = Activator(shell, layout.settings, BASE_ENV, windows=False).activate("one")
        ran = [ln.rstrip(";") for ln in lines(text) if ln.startswith((". ", "source ", "_CANTIL_SCRIPT"))]
        assert ran == scripts, shell


def test_env_prompt_fields_and_stacked_env(layout: Layout) -> None:
    settings = ActivationSettings(layout.root, [layout.envs], env_prompt="[{name}|{stacked_env}|{default_env}] ")
    out = lines(Activator("bash", settings, active(layout.one)).activate(str(layout.two), stack=True))
    assert f"export CONDA_PROMPT_MODIFIER='[two|{layout.two},one|{layout.two}] '" in out


def test_changeps1_false_leaves_the_prompt_alone(layout: Layout) -> None:
    settings = ActivationSettings(layout.root, [layout.envs], changeps1=False)
    out = lines(Activator("bash", settings, BASE_ENV).activate("one"))
    assert "export CONDA_PROMPT_MODIFIER=''" in out
    assert not any(line.startswith("PS1=") for line in out)


def test_powerline_prompts_are_not_touched(layout: Layout) -> None:
    out = lines(Activator("bash", layout.settings, {**BASE_ENV, "PS1": "$(POWERLINE_COMMAND)"}).activate("one"))
    assert not any(line.startswith("PS1=") for line in out)


def test_dev_mode_exports_the_module_to_run(layout: Layout) -> None:
    out = lines(Activator("bash", layout.settings, BASE_ENV, dev=True).activate("one"))
    assert "export _CANTIL_M='-m'" in out and "export _CANTIL_MOD='cantil'" in out


def test_without_an_exe_no_cantil_variable_is_written(layout: Layout) -> None:
    text = Activator("bash", ActivationSettings(layout.root, [layout.envs]), BASE_ENV).activate("one")
    assert "CANTIL" not in text


def test_never_writes_conda_exe(layout: Layout) -> None:
    for shell in ("bash", "fish", "tcsh", "xonsh", "powershell", "cmd.exe"):
        a = Activator(shell, layout.settings, BASE_ENV)
        assert "CONDA_EXE" not in a.activate("one") + a.hook()


def test_windows_prefix_dirs_and_separator(tmp_path: Path) -> None:
    prefix = make_env(tmp_path / "w")
    settings = ActivationSettings(tmp_path / "r")
    a = Activator("powershell", settings, {"PATH": "C:\\Windows;C:\\bin", "Path": "x"}, windows=True)
    out = lines(a.activate(str(prefix)))
    p = str(prefix)
    dirs = [p, f"{p}\\Library\\mingw-w64\\bin", f"{p}\\Library\\usr\\bin", f"{p}\\Library\\bin", f"{p}\\Scripts", f"{p}\\bin"]
    expected = ";".join([*dirs, "C:\\Windows", "C:\\bin"])
    assert f"$Env:PATH = '{expected}'" in out
    assert a._paths_equal("C:\\Envs\\X\\", "c:/envs/x")

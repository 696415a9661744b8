"""Per-environment variables: env_vars.d/*.json then conda-meta/state, saved and restored around activation."""

from __future__ import annotations

from pathlib import Path

import pytest

from cantil.activate import ActivationSettings, Activator, EnvVarsError

from .conftest import Layout, make_env

BASE_ENV = {"PATH": "/usr/bin:/bin", "PS1": ""}


def lines(text: str) -> list[str]:
    return text.splitlines()


def test_package_files_in_name_order_then_state_wins(layout: Layout) -> None:
    make_env(
        layout.one,
        env_vars={"b.json": {"X": "from b", "Y": "y"}, "a.json": {"X": "from a", "Z": "z"}, "notes.txt": {"N": "n"}},
        state={"Y": "from state"},
    )
    a = Activator("bash", layout.settings, BASE_ENV)
    out = lines(a.activate("one"))
    assert "export X='from b'" in out
    assert "export Y='from state'" in out
    assert "export Z='z'" in out
    assert not any(line.startswith("export N=") for line in out)
    assert any("Y" in w and "environment's value wins" in w for w in a.warnings)


def test_overwritten_values_are_saved_and_a_warning_given(layout: Layout) -> None:
    make_env(layout.one, state={"EDITOR": "nano", "SAME": "1"})
    a = Activator("bash", layout.settings, {**BASE_ENV, "EDITOR": "vi", "SAME": "1"})
    out = lines(a.activate("one"))
    assert "export __CONDA_SHLVL_0_EDITOR='vi'" in out
    assert "export __CONDA_SHLVL_0_SAME='1'" in out
    assert a.warnings == ["overwriting environment variables set in the machine: EDITOR"]


def test_deactivate_restores_saved_values_even_empty_ones_and_unsets_the_others(layout: Layout) -> None:
    make_env(layout.one, state={"EDITOR": "nano", "EMPTY": "set", "NEW": "n"})
    env = {
        **BASE_ENV,
        "PATH": f"{layout.one}/bin:/usr/bin",
        "CONDA_PREFIX": str(layout.one),
        "CONDA_SHLVL": "1",
        "EDITOR": "nano",
        "EMPTY": "set",
        "NEW": "n",
        "__CONDA_SHLVL_0_EDITOR": "vi",
        "__CONDA_SHLVL_0_EMPTY": "",
    }
    out = lines(Activator("bash", layout.settings, env).deactivate())
    assert "export EDITOR='vi'" in out and "unset __CONDA_SHLVL_0_EDITOR" in out
    assert "export EMPTY=''" in out and "unset __CONDA_SHLVL_0_EMPTY" in out
    assert "unset NEW" in out


def test_deactivate_scripts_run_before_variables_are_restored(layout: Layout) -> None:
    make_env(layout.one, scripts={"deactivate.d/d.sh": ""}, state={"EDITOR": "nano"})
    env = {**BASE_ENV, "CONDA_PREFIX": str(layout.one), "CONDA_SHLVL": "1", "__CONDA_SHLVL_0_EDITOR": "vi"}
    out = lines(Activator("bash", layout.settings, env).deactivate())
    assert out.index(f". '{layout.one}/etc/conda/deactivate.d/d.sh'") < out.index("export EDITOR='vi'")


def test_unset_marker_does_not_set_the_variable(layout: Layout) -> None:
    make_env(layout.one, env_vars={"p.json": {"X": "x"}}, state={"X": "***unset***"})
    assert not any(line.startswith("export X=") for line in lines(Activator("bash", layout.settings, BASE_ENV).activate("one")))


def test_path_is_reserved(layout: Layout) -> None:
    make_env(layout.one, state={"PATH": "/evil", "OK": "1"})
    a = Activator("bash", layout.settings, BASE_ENV)
    out = lines(a.activate("one"))
    assert f"export PATH='{layout.one}/bin:/usr/bin:/bin'" in out
    assert any("PATH" in w and "reserved" in w for w in a.warnings)


def test_names_are_upper_cased_by_default(layout: Layout) -> None:
    make_env(layout.one, state={"lower_name": "v"})
    assert "export LOWER_NAME='v'" in lines(Activator("bash", layout.settings, BASE_ENV).activate("one"))
    keep = ActivationSettings(layout.root, [layout.envs], envvars_force_uppercase=False)
    assert "export lower_name='v'" in lines(Activator("bash", keep, BASE_ENV).activate("one"))


def test_unassignable_names_are_skipped_with_a_warning(layout: Layout) -> None:
    make_env(layout.one, state={"BAD-NAME": "v", "1ST": "v", "GOOD_1": "v"})
    a = Activator("bash", layout.settings, BASE_ENV)
    out = a.activate("one")
    assert "BAD-NAME" not in out and "1ST" not in out and "export GOOD_1='v'" in out
    assert len(a.warnings) == 2


@pytest.mark.parametrize(
    ("content", "reason"),
    [("{not json", "not JSON"), ('["a"]', "JSON object"), ('{"A": {"b": 1}}', "not a string")],
)
def test_broken_files_are_clear_errors(layout: Layout, content: str, reason: str) -> None:
    d = layout.one / "etc" / "conda" / "env_vars.d"
    d.mkdir(parents=True)
    (d / "bad.json").write_text(content)
    with pytest.raises(EnvVarsError) as info:
        Activator("bash", layout.settings, BASE_ENV).activate("one")
    assert info.value.path == str(d / "bad.json")
    assert reason in str(info.value)


def test_numbers_and_booleans_become_strings(tmp_path: Path) -> None:
    prefix = make_env(tmp_path / "e")
    (prefix / "conda-meta" / "state").write_text('{"env_vars": {"N": 3, "B": true}}')
    out = lines(Activator("bash", ActivationSettings(tmp_path), BASE_ENV).activate(str(prefix)))
    assert "export N='3'" in out and "export B='true'" in out

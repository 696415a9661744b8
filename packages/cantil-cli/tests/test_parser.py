"""The argparse tree: conda's flags parse to the right values, the command reference does not drift."""

from __future__ import annotations

from pathlib import Path

import pytest

import cantil.cli
from cantil.cli._context import flags_of
from cantil.cli._parser import COMMANDS, ENV_COMMANDS, build_parser
from cantil.cli._reference import render

ROOT = Path(__file__).resolve().parents[3]


def parse(*args: str):  # type: ignore[no-untyped-def]
    return build_parser().parse_args(list(args))


def test_public_names() -> None:
    assert cantil.cli.__all__ == ["main"]
    assert callable(cantil.cli.main)


def test_commands_reference_is_up_to_date() -> None:
    doc = ROOT / "docs" / "commands.md"
    assert doc.read_text() == render(), "docs/commands.md is stale: run python tools/gen_commands_doc.py"


def test_every_command_is_documented() -> None:
    text = render()
    for name in COMMANDS:
        if name not in ("activate", "deactivate", "init"):
            assert f"## `cantil {name}`" in text
    for name in ENV_COMMANDS:
        assert f"## `cantil env {name}`" in text


def test_install_flags_map_to_settings() -> None:
    ns = parse("install", "-n", "x", "-c", "a", "-c", "b", "--strict-channel-priority", "--no-deps",
               "--freeze-installed", "--offline", "--json", "-y", "-q", "--copy", "-k", "-C", "--platform", "osx-64",
               "--repodata-fn", "current_repodata.json", "numpy>=1", "conda-forge::scipy")
    assert ns.channel == ["a", "b"]
    assert ns.deps_modifier == "no_deps"
    assert ns.update_modifier == "freeze_installed"
    assert ns.packages == ["numpy>=1", "conda-forge::scipy"]
    flags = flags_of(ns)
    assert flags == {"json": True, "always_yes": True, "quiet": True, "offline": True, "channel_priority": "strict",
                     "subdir": "osx-64", "repodata_fn": "current_repodata.json", "always_copy": True,
                     "ssl_verify": False, "local_repodata_ttl": 10**9}


def test_aliases_and_modifiers() -> None:
    assert parse("update", "--all").update_all is True
    assert parse("upgrade", "--update-all").update_all is True
    assert parse("uninstall", "--all").remove_all is True
    assert parse("install", "--channel-priority", "disabled").channel_priority == "disabled"
    assert parse("install", "--no-update-deps").update_modifier == "freeze_installed"
    assert parse("install", "--revision", "3").revision == 3
    assert parse("create", "--file", "a.txt", "--file", "b.txt").file == ["a.txt", "b.txt"]


@pytest.mark.parametrize("args", [["install", "--no-deps", "--only-deps"], ["list", "-n", "a", "-p", "b"],
                                  ["install", "--revision", "x"], ["config", "--set", "a"], ["env"], ["env", "nope"]])
def test_bad_combinations_are_usage_errors(args: list[str]) -> None:
    with pytest.raises(SystemExit) as info:
        parse(*args)
    assert info.value.code == 2


def test_config_subcommands() -> None:
    ns = parse("config", "--add", "channels", "x", "--add", "channels", "y")
    assert ns.prepend == [["channels", "x"], ["channels", "y"]]
    assert parse("config", "--show").show == []
    assert parse("config", "--show", "channels").show == ["channels"]
    assert parse("config", "--system", "--remove-key", "a").remove_key == ["a"]


def test_run_keeps_the_program_arguments() -> None:
    ns = parse("run", "-n", "x", "python", "-c", "print(1)", "--json")
    assert ns.executable_call == ["python", "-c", "print(1)", "--json"]


def test_env_config_vars() -> None:
    ns = parse("env", "config", "vars", "set", "A=1", "B=2", "-n", "e")
    assert (ns.env_command, ns.config_command, ns.vars_command, ns.vars) == ("config", "vars", "set", ["A=1", "B=2"])


def test_fast_top_level_help_equals_argparse() -> None:
    from cantil.cli._commands import top_help

    assert top_help() == build_parser(only="").format_help()

"""The settings cascade: defaults < .condarc search path < CONDA_* < CANTIL_* < flags, with conda's merge rules."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cantil.cli._condarc import cache_path
from cantil.cli._errors import ConfigurationError, ConfigurationLoadError
from cantil.cli._settings import load_settings


def load(home, flags=None, **env):
    return load_settings({**home.environ, **env}, flags, search_path_entries=home.search_path)


def test_defaults_follow_design(home) -> None:
    s = load(home)
    assert s.root_prefix == str(home.root)
    assert s.pkgs_dirs == [str(home.root / "pkgs")]
    assert s.envs_dirs == [str(home.root / "envs"), str(home.home / ".conda" / "envs")]
    assert s.channels == ["defaults"]
    assert s.channel_alias == "https://conda.anaconda.org"
    assert s.changeps1 is True
    assert s.env_prompt == "({default_env}) "
    assert s.files == []


def test_root_prefix_defaults_to_dot_cantil(home) -> None:
    env = {k: v for k, v in home.environ.items() if k != "CANTIL_ROOT_PREFIX"}
    s = load_settings(env, search_path_entries=home.search_path)
    assert s.root_prefix == str(home.home / ".cantil")


def test_search_path_order_later_files_win(home) -> None:
    home.write(home.system / ".condarc", "changeps1: false\nenv_prompt: 'sys '\nauto_stack: 1\n")
    home.write(home.root / ".condarc", "env_prompt: 'root '\n")
    home.write(home.home / ".config" / "conda" / ".condarc", "auto_stack: 2\n")
    home.write(home.home / ".condarc", "env_prompt: 'user '\n")
    s = load(home)
    assert (s.changeps1, s.env_prompt, s.auto_stack) == (False, "user ", 2)
    assert s.provenance("env_prompt") == [str(home.system / ".condarc"), str(home.root / ".condarc"), str(home.home / ".condarc")]


def test_condarc_variable_and_env_condarc_are_read(home, tmp_path: Path) -> None:
    env_prefix = tmp_path / "env"
    home.write(env_prefix / ".condarc", "auto_stack: 3\n")
    rc = home.write(tmp_path / "custom.yml", "env_prompt: 'custom '\n")
    s = load(home, CONDA_PREFIX=str(env_prefix), CONDARC=str(rc))
    assert (s.auto_stack, s.env_prompt) == (3, "custom ")


def test_condarc_d_directory_files_in_name_order(home) -> None:
    d = home.home / ".conda" / "condarc.d"
    home.write(d / "b.yml", "env_prompt: 'b '\n")
    home.write(d / "a.yaml", "env_prompt: 'a '\nauto_stack: 4\n")
    home.write(d / "ignored.txt", "env_prompt: 'no '\n")
    s = load(home)
    assert (s.env_prompt, s.auto_stack) == ("b ", 4)


def test_restrict_rc_search_path_reads_only_condarc(home, tmp_path: Path) -> None:
    home.write(home.home / ".condarc", "auto_stack: 5\n")
    rc = home.write(tmp_path / "only.yml", "env_prompt: 'only '\n")
    s = load_settings({**home.environ, "CONDARC": str(rc), "CONDA_RESTRICT_RC_SEARCH_PATH": "1"})
    assert (s.auto_stack, s.env_prompt) == (0, "only ")


def test_lists_merge_higher_sources_first_without_duplicates(home) -> None:
    home.write(home.system / ".condarc", "channels: [sys, shared]\n")
    home.write(home.home / ".condarc", "channels:\n  - user\n  - shared\n")
    assert load(home).channels == ["user", "shared", "sys"]


def test_final_marker_stops_higher_sources(home) -> None:
    home.write(home.system / ".condarc", "channels:  #!final\n  - locked\nenv_prompt: 'sys '  #!final\n")
    home.write(home.home / ".condarc", "channels: [user]\nenv_prompt: 'user '\n")
    s = load(home, CANTIL_ENV_PROMPT="var ")
    assert s.channels == ["locked"]
    assert s.env_prompt == "sys "


def test_top_and_bottom_markers_place_items(home) -> None:
    home.write(home.system / ".condarc", "channels:\n  - first  #!top\n  - last  #!bottom\n  - sys\n")
    home.write(home.home / ".condarc", "channels:\n  - user\n")
    assert load(home).channels == ["first", "user", "sys", "last"]


def test_maps_merge_by_key(home) -> None:
    home.write(home.system / ".condarc", "custom_channels:\n  a: https://a.example\n  b: https://b.example\n")
    home.write(home.home / ".condarc", "custom_channels:\n  b: https://b2.example\n")
    assert load(home).custom_channels == {"a": "https://a.example", "b": "https://b2.example"}


def test_cantil_variables_beat_conda_variables_beat_files(home) -> None:
    home.write(home.home / ".condarc", "env_prompt: 'file '\nauto_stack: 1\nchangeps1: true\n")
    s = load(home, CONDA_ENV_PROMPT="conda ", CANTIL_ENV_PROMPT="cantil ", CONDA_AUTO_STACK="2", CONDA_CHANGEPS1="no")
    assert (s.env_prompt, s.auto_stack, s.changeps1) == ("cantil ", 2, False)
    assert s.provenance("env_prompt") == [str(home.home / ".condarc"), "envvars (CONDA_*)", "envvars (CANTIL_*)"]


def test_flags_beat_everything(home) -> None:
    s = load(home, {"offline": True, "always_yes": None}, CANTIL_OFFLINE="false", CONDA_ALWAYS_YES="true")
    assert s.offline is True
    assert s.always_yes is True  # a None flag is "not given"


def test_list_variables_split_on_their_delimiter(home) -> None:
    s = load(home, CONDA_CHANNELS="a, b", CONDA_ENVS_PATH=f"/x/envs{os.pathsep}/y/envs", CONDA_PINNED_PACKAGES="python>=3.10,<4&numpy")
    assert s.channels == ["a", "b"]
    assert s.envs_dirs[:2] == ["/x/envs", "/y/envs"]
    assert s.pinned_packages == ["python>=3.10,<4", "numpy"]


def test_conda_activation_variables_are_not_settings(home) -> None:
    s = load(home, CONDA_PREFIX="/somewhere", CONDA_SHLVL="2", CONDA_DEFAULT_ENV="x")
    assert s.sources == []


def test_pkgs_dirs_from_condarc_replace_the_default_and_expand_user(home) -> None:
    home.write(home.home / ".condarc", "pkgs_dirs: [~/mypkgs]\nenvs_dirs: [~/myenvs]\n")
    s = load(home)
    assert s.pkgs_dirs == [str(home.home / "mypkgs")]
    assert s.envs_dirs[0] == str(home.home / "myenvs")


def test_yaml_booleans_and_choices_are_coerced(home) -> None:
    home.write(home.home / ".condarc", "always_yes: yes\nchannel_priority: false\nlocal_repodata_ttl: 0\n")
    s = load(home)
    assert (s.always_yes, s.channel_priority, s.local_repodata_ttl) == (True, "disabled", 0)


def test_bad_yaml_names_file_and_line(home) -> None:
    rc = home.write(home.home / ".condarc", "channels:\n  - a\n bad: [unclosed\n")
    with pytest.raises(ConfigurationLoadError) as info:
        load(home)
    assert info.value.path == str(rc)
    assert info.value.line == 3
    assert f"{rc}:3" in str(info.value)


def test_bad_value_names_key_and_source(home) -> None:
    rc = home.write(home.home / ".condarc", "channel_priority: sometimes\n")
    with pytest.raises(ConfigurationError) as info:
        load(home)
    assert info.value.key == "channel_priority"
    assert info.value.source == str(rc)


def test_parse_cache_is_used_and_invalidated(home) -> None:
    rc = home.write(home.home / ".condarc", "env_prompt: 'one '\n")
    assert load(home).env_prompt == "one "
    cache = Path(cache_path(home.environ))
    assert cache.is_file()
    # a cached parse answers while the file is unchanged ...
    stamp = cache.stat().st_mtime_ns
    assert load(home).env_prompt == "one "
    assert cache.stat().st_mtime_ns == stamp
    # ... and a changed file (new inode, size) is parsed again
    tmp = rc.with_suffix(".tmp")
    tmp.write_text("env_prompt: 'two, longer '\n")
    os.replace(tmp, rc)
    assert load(home).env_prompt == "two, longer "


def test_corrupt_cache_is_ignored(home) -> None:
    home.write(home.home / ".condarc", "auto_stack: 2\n")
    cache = Path(cache_path(home.environ))
    cache.parent.mkdir(parents=True)
    cache.write_bytes(b"\x00garbage")
    assert load(home).auto_stack == 2


def test_empty_condarc_is_read_without_parsing(home) -> None:
    rc = home.write(home.home / ".condarc", "")
    s = load(home)
    assert s.files == [str(rc)]
    assert not Path(cache_path(home.environ)).exists()

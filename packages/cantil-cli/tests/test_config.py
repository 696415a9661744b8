"""`cantil config`: showing merged values and their sources, and editing .condarc keeping comments and order."""

from __future__ import annotations

import json
import re

CONDARC = """\
# my settings, kept by every edit
channels:  # where packages come from
  - conda-forge  # the first
  - defaults

always_yes: false  # ask me
"""


def test_add_prepends_and_keeps_comments(home) -> None:
    rc = home.write(home.home / ".condarc", CONDARC)
    r = home.run("config", "--add", "channels", "bioconda")
    assert r.returncode == 0, r.stderr
    assert rc.read_text() == CONDARC.replace("  - conda-forge  # the first", "  - bioconda\n  - conda-forge  # the first")


def test_set_and_remove_key_round_trip_keeps_the_rest_exactly(home) -> None:
    rc = home.write(home.home / ".condarc", CONDARC)
    assert home.run("config", "--set", "env_prompt", "[{name}] ").returncode == 0
    assert "env_prompt: '[{name}] '" in rc.read_text()
    assert home.run("config", "--remove-key", "env_prompt").returncode == 0
    assert rc.read_text() == CONDARC


def test_set_coerces_booleans_and_keeps_the_trailing_comment(home) -> None:
    rc = home.write(home.home / ".condarc", CONDARC)
    assert home.run("config", "--set", "always_yes", "yes").returncode == 0
    text = rc.read_text()
    assert re.search(r"^always_yes: true +# ask me$", text, re.M), text


def test_append_existing_value_moves_it_with_a_warning(home) -> None:
    rc = home.write(home.home / ".condarc", CONDARC)
    r = home.run("config", "--append", "channels", "conda-forge")
    assert r.returncode == 0
    assert "moving to the bottom" in r.stderr
    assert rc.read_text().index("- defaults") < rc.read_text().index("- conda-forge")


def test_first_add_to_channels_keeps_defaults_like_conda(home) -> None:
    assert home.run("config", "--add", "channels", "conda-forge").returncode == 0
    assert (home.home / ".condarc").read_text() == "channels:\n  - conda-forge\n  - defaults\n"


def test_remove_value_missing_is_a_key_error(home) -> None:
    home.write(home.home / ".condarc", CONDARC)
    r = home.run("config", "--remove", "channels", "nope", "--json")
    assert r.returncode == 1
    doc = json.loads(r.stdout)
    assert doc["exception_name"] == "CondaKeyError"


def test_set_on_a_list_key_is_refused_with_a_hint(home) -> None:
    r = home.run("config", "--set", "channels", "x")
    assert r.returncode == 1
    assert r.stderr.splitlines() == [
        "error: key 'channels' is a sequence parameter: it cannot be changed with --set",
        "hint: use --add/--append/--remove channels VALUE",
    ]


def test_unknown_key_gets_did_you_mean(home) -> None:
    r = home.run("config", "--set", "always_yess", "true")
    assert r.returncode == 1
    assert "hint: did you mean 'always_yes'?" in r.stderr


def test_bad_value_is_refused(home) -> None:
    r = home.run("config", "--set", "channel_priority", "sometimes")
    assert r.returncode == 1
    assert "not one of strict, flexible, disabled" in r.stderr
    assert not (home.home / ".condarc").exists()


def test_bad_yaml_error_names_file_and_line(home) -> None:
    rc = home.write(home.home / ".condarc", "channels:\n  - a\n  bad: [\n")
    for args in (["config", "--show"], ["config", "--set", "always_yes", "true"]):
        r = home.run(*args)
        assert r.returncode == 1
        assert r.stderr.startswith(f"error: invalid YAML in {rc}:3"), r.stderr
        assert "Traceback" not in r.stderr


def test_system_and_file_targets(home, tmp_path) -> None:
    assert home.run("config", "--system", "--set", "auto_stack", "2").returncode == 0
    assert (home.root / ".condarc").read_text() == "auto_stack: 2\n"
    other = tmp_path / "other.yml"
    assert home.run("config", "--file", str(other), "--set", "offline", "true").returncode == 0
    assert other.read_text() == "offline: true\n"


def test_env_target_uses_the_active_environment(home, tmp_path) -> None:
    env = tmp_path / "env"
    (env / "conda-meta").mkdir(parents=True)
    assert home.run("config", "--env", "--set", "changeps1", "false", env={"CONDA_PREFIX": str(env)}).returncode == 0
    assert (env / ".condarc").read_text() == "changeps1: false\n"
    r = home.run("config", "--env", "--set", "changeps1", "false")
    assert r.returncode == 1


def test_show_reflects_precedence(home) -> None:
    home.write(home.root / ".condarc", "auto_stack: 1\nenv_prompt: 'root '\nchannels: [sys]\n")
    home.write(home.home / ".condarc", "auto_stack: 2\nchannels: [user]\n")
    r = home.run("config", "--show", "auto_stack", "env_prompt", "channels", "changeps1", "--json",
                 env={"CONDA_AUTO_STACK": "3", "CANTIL_CHANGEPS1": "false", "CONDA_CHANGEPS1": "true"})
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == {"auto_stack": 3, "env_prompt": "root ", "channels": ["user", "sys"], "changeps1": False}


def test_show_text_format(home) -> None:
    home.write(home.home / ".condarc", "channels: [a, b]\nalways_yes: true\n")
    r = home.run("config", "--show", "channels", "always_yes", "custom_channels")
    assert r.stdout == "channels:\n  - a\n  - b\nalways_yes: True\ncustom_channels: {}\n"


def test_show_sources_names_every_source(home) -> None:
    home.write(home.root / ".condarc", "auto_stack: 1\n")
    home.write(home.home / ".condarc", "channels: [user]\n")
    r = home.run("config", "--show-sources", env={"CONDA_OFFLINE": "true", "CANTIL_ALWAYS_YES": "true"})
    assert r.returncode == 0, r.stderr
    assert r.stdout == (
        f"==> {home.root / '.condarc'} <==\nauto_stack: 1\n\n"
        f"==> {home.home / '.condarc'} <==\nchannels:\n  - user\n\n"
        "==> envvars (CONDA_*) <==\noffline: true\n\n"
        "==> envvars (CANTIL_*) <==\nalways_yes: true\n"
    )
    r = home.run("config", "--show-sources", "--json")
    assert json.loads(r.stdout) == {str(home.root / ".condarc"): {"auto_stack": 1},
                                    str(home.home / ".condarc"): {"channels": ["user"]},
                                    "cmd_line": {"json": True}}


def test_get_lists_the_file_values_as_commands(home) -> None:
    home.write(home.home / ".condarc", CONDARC)
    r = home.run("config", "--get")
    assert r.stdout == ("--add channels 'defaults'   # lowest priority\n"
                        "--add channels 'conda-forge'   # highest priority\n"
                        "--set always_yes False\n")


def test_describe_lists_every_parameter(home) -> None:
    r = home.run("config", "--describe", "--json")
    doc = json.loads(r.stdout)
    for key in ("channels", "pkgs_dirs", "envs_dirs", "channel_priority", "ssl_verify", "env_prompt", "auto_stack"):
        assert doc[key]["description"]


def test_set_map_entry_with_a_dotted_key(home) -> None:
    assert home.run("config", "--set", "proxy_servers.http", "http://proxy:8080").returncode == 0
    assert (home.home / ".condarc").read_text() == "proxy_servers:\n  http: http://proxy:8080\n"

"""environment.yml: env create / update / export / list / remove / config vars, and compare."""

from __future__ import annotations

import json


def env_yml(user, tmp_path, body: str):  # type: ignore[no-untyped-def]
    f = tmp_path / "environment.yml"
    f.write_text(body.replace("CHANNEL", user.channel_url))
    return f


SPEC = """\
name: web
channels:
  - CHANNEL
  - nodefaults
dependencies:
  - python
  - pip
  - zlib=1.2.13
  - pip:
      - requests==2.31.0
variables:
  GREETING: hello world
"""


def test_env_create_runs_pip_and_sets_variables(user, tmp_path) -> None:
    f = env_yml(user, tmp_path, SPEC)
    r = user.ok("env", "create", "-f", str(f))
    assert "Successfully installed requests-2.31.0" in r.stdout
    rows = {p["name"]: p for p in user.json("list", "-n", "web")}
    assert rows["zlib"]["version"] == "1.2.13"
    assert rows["requests"]["channel"] == "pypi"
    state = json.loads((user.env("web") / "conda-meta" / "state").read_text())
    assert state["env_vars"] == {"GREETING": "hello world"}
    assert user.ok("env", "config", "vars", "list", "-n", "web").stdout == "GREETING = hello world\n"


def test_env_create_pip_section_without_pip_is_a_clear_error(user, tmp_path) -> None:
    f = env_yml(user, tmp_path, "name: nopip\nchannels: [CHANNEL]\ndependencies:\n  - zlib\n  - pip:\n    - requests\n")
    r = user.run("env", "create", "-f", str(f))
    assert r.returncode == 1
    assert r.stderr.splitlines()[-2:] == [f"error: the environment.yml has a pip: section but {user.env('nopip')} has no pip",
                                     "hint: add `pip` to the dependencies"]


def test_environment_yml_round_trip(user, tmp_path) -> None:
    user.ok("env", "create", "-f", str(env_yml(user, tmp_path, SPEC)))
    exported = tmp_path / "exported.yml"
    user.ok("env", "export", "-n", "web", "-f", str(exported))
    text = exported.read_text()
    assert "name: web\n" in text
    assert "  - zlib=1.2.13=h0_0\n" in text
    assert "      - requests==2.31.0\n" in text
    assert "  GREETING: hello world\n" in text
    # create a second environment from the export: same packages, same variables
    text = text.replace("name: web", "name: web2").replace(str(user.env("web")), str(user.env("web2")))
    exported.write_text(text)
    user.ok("env", "create", "-f", str(exported))
    assert user.ok("list", "-n", "web2", "--export").stdout == user.ok("list", "-n", "web", "--export").stdout
    assert user.ok("env", "config", "vars", "list", "-n", "web2").stdout == "GREETING = hello world\n"


def test_export_from_history_and_no_builds(user) -> None:
    user.ok("create", "-n", "demo", "app", "-y")
    hist = user.ok("env", "export", "-n", "demo", "--from-history").stdout
    assert "dependencies:\n  - app\n" in hist
    nob = user.ok("env", "export", "-n", "demo", "--no-builds").stdout
    assert "  - zlib=1.3.1\n" in nob


def test_env_update_and_prune(user, tmp_path) -> None:
    user.ok("create", "-n", "demo", "zlib", "-y")
    f = env_yml(user, tmp_path, "name: demo\nchannels: [CHANNEL]\ndependencies:\n  - app=1.0\n")
    user.ok("env", "update", "-f", str(f))
    assert {p["name"] for p in user.json("list", "-n", "demo")} == {"app", "libfoo", "zlib"}


def test_env_list_and_remove(user) -> None:
    user.ok("create", "-n", "demo", "zlib", "-y")
    assert str(user.env("demo")) in user.json("env", "list")["envs"]
    text = user.ok("env", "list").stdout
    assert text.startswith("# cantil environments:\n#\n")
    assert "demo" in text
    user.ok("env", "remove", "-n", "demo", "-y")
    assert not user.env("demo").exists()


def test_env_config_vars_set_unset(user) -> None:
    user.ok("create", "-n", "demo", "zlib", "-y")
    user.ok("env", "config", "vars", "set", "-n", "demo", "A=1", "B=two words")
    assert user.json("env", "config", "vars", "list", "-n", "demo") == {"A": "1", "B": "two words"}
    user.ok("env", "config", "vars", "unset", "-n", "demo", "A")
    assert user.json("env", "config", "vars", "list", "-n", "demo") == {"B": "two words"}
    r = user.run("env", "config", "vars", "set", "-n", "demo", "novalue")
    assert r.returncode == 1


def test_compare(user, tmp_path) -> None:
    user.ok("create", "-n", "demo", "zlib=1.2.13", "-y")
    good = env_yml(user, tmp_path, "name: demo\ndependencies:\n  - zlib=1.2\n")
    r = user.ok("compare", "-n", "demo", str(good))
    assert r.stdout.startswith("Success.")
    bad = tmp_path / "bad.yml"
    bad.write_text("name: demo\ndependencies:\n  - zlib>=1.3\n  - app\n")
    r = user.run("compare", "-n", "demo", str(bad))
    assert r.returncode == 1
    assert r.stdout.splitlines() == [
        "zlib found but mismatch. Specification pkg: zlib>=1.3, Running pkg: zlib==1.2.13=h0_0",
        "app not found",
    ]


def test_missing_environment_file(user, tmp_path) -> None:
    doc = user.json("env", "create", "-f", str(tmp_path / "nope.yml"))
    assert doc["exception_name"] == "EnvironmentFileNotFound"

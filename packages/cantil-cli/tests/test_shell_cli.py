"""The activation commands as a user calls them: errors, help, cmd.exe/PowerShell output, dev mode, `cantil init`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from .test_shell_support import cantil_exe, quote, run_script


def cantil(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([cantil_exe(), *args], env=env, capture_output=True, text=True, encoding="utf-8",
                          timeout=300, check=False)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "home").mkdir()
    (tmp_path / "root" / "conda-meta").mkdir(parents=True)
    return {"HOME": str(tmp_path / "home"), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8",
            "CANTIL_ROOT_PREFIX": str(tmp_path / "root")}


@pytest.fixture
def prefix(tmp_path: Path) -> Path:
    p = tmp_path / "root" / "envs" / "demo"
    (p / "conda-meta").mkdir(parents=True)
    return p


def test_bare_activate_explains_the_missing_shell_function(env: dict[str, str]) -> None:
    done = cantil("activate", "demo", env={**env, "SHELL": "/usr/bin/zsh"})
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.splitlines()[0] == "error: your shell has not been configured to use 'cantil activate'"
    assert "cantil init zsh" in done.stderr


def test_unknown_env_is_an_error_with_nothing_on_stdout(env: dict[str, str]) -> None:
    done = cantil("shell.bash", "activate", "nope", env=env)
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr.startswith("error: could not find environment: nope\n")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["shell.ksh", "activate"], "error: unknown shell 'ksh'"),
        (["shell.bash"], "error: one of activate, deactivate, reactivate, hook, commands must be given"),
        (["shell.bash", "frobnicate"], "error: one of activate, deactivate, reactivate, hook, commands must be given, not 'frobnicate'"),
        (["shell.bash", "activate", "a", "b"], "error: activate takes one environment, got 2: a b"),
        (["shell.bash", "deactivate", "x"], "error: deactivate takes no arguments, got: x"),
        (["shell.bash", "activate", "--stack", "--no-stack", "x"], "error: cannot give both --stack and --no-stack to activate"),
    ],
)
def test_usage_errors(args: list[str], message: str, env: dict[str, str]) -> None:
    done = cantil(*args, env=env)
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.splitlines()[0] == message


def test_help_goes_to_stderr_so_nothing_is_evaluated(env: dict[str, str]) -> None:
    done = cantil("shell.bash", "activate", "--help", env=env)
    assert (done.returncode, done.stdout) == (0, "")
    assert done.stderr.startswith("usage: cantil shell.<shell> activate")


def test_commands_lists_subcommands(env: dict[str, str]) -> None:
    names = cantil("shell.fish", "commands", env=env).stdout.split()
    assert {"activate", "deactivate", "install", "create", "init"} <= set(names)


def test_cmd_exe_gets_a_file_of_assignments(env: dict[str, str], prefix: Path) -> None:
    done = cantil("shell.cmd.exe", "activate", str(prefix), env=env)
    assert done.returncode == 0, done.stderr
    envfile = Path(done.stdout.strip())
    try:
        assert envfile.suffix == ".env"
        lines = envfile.read_bytes().decode("utf-8").split("\r\n")
        assert f"CONDA_PREFIX={prefix}" in lines and "CONDA_SHLVL=1" in lines and "CONDA_DEFAULT_ENV=demo" in lines
    finally:
        envfile.unlink()


def test_powershell_text_by_name(env: dict[str, str], prefix: Path) -> None:
    done = cantil("shell.powershell", "activate", "demo", env=env)
    assert done.returncode == 0, done.stderr
    assert f"$Env:CONDA_PREFIX = '{prefix}'" in done.stdout.splitlines()
    assert f"$Env:CANTIL_EXE = '{cantil_exe()}'" in done.stdout.splitlines()


def test_settings_come_from_condarc_and_variables(env: dict[str, str], prefix: Path) -> None:
    Path(env["HOME"], ".condarc").write_text("changeps1: false\nenv_prompt: '<{name}> '\n")
    done = cantil("shell.bash", "activate", "demo", env={**env, "CONDA_CHANGEPS1": "true"})
    assert "export CONDA_PROMPT_MODIFIER='<demo> '" in done.stdout.splitlines()
    quiet = cantil("shell.bash", "activate", "demo", env=env)
    assert "export CONDA_PROMPT_MODIFIER=''" in quiet.stdout.splitlines()
    other = Path(env["HOME"]) / "elsewhere"
    (other / "demo2" / "conda-meta").mkdir(parents=True)
    found = cantil("shell.bash", "activate", "demo2", env={**env, "CONDA_ENVS_DIRS": str(other)})
    assert f"export CONDA_PREFIX='{other / 'demo2'}'" in found.stdout.splitlines()


def test_dev_mode_runs_cantil_through_this_python(env: dict[str, str], prefix: Path, tmp_path: Path) -> None:
    py = quote("bash", sys.executable)
    script = tmp_path / "dev.sh"
    script.write_text(
        f'eval "$({py} -m cantil shell.bash hook --dev)"\n'
        'printf "%s %s %s\\n" "$CANTIL_EXE" "$_CANTIL_M" "$_CANTIL_MOD"\n'
        'cantil activate demo --dev\nprintf "%s|%s\\n" "$CONDA_PREFIX" "$_CANTIL_M"\n'
    )
    done = run_script("bash", script, env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [f"{sys.executable} -m cantil", f"{prefix}|-m"]


def test_init_dry_run_write_idempotent_reverse(env: dict[str, str], prefix: Path, tmp_path: Path) -> None:
    rc = Path(env["HOME"]) / ".bashrc"
    rc.write_text("export MINE=1\n")
    dry = cantil("init", "bash", "--dry-run", env=env)
    assert dry.returncode == 0, dry.stderr
    assert f"+++ {rc}" in dry.stdout and "+# >>> cantil initialize >>>" in dry.stdout
    assert rc.read_text() == "export MINE=1\n"

    done = cantil("init", "bash", env=env)
    assert done.stdout.splitlines()[0] == f"modified   {rc}"
    again = cantil("init", "bash", env=env)
    assert again.stdout.splitlines()[0] == f"no change  {rc}"

    script = tmp_path / "login.sh"
    script.write_text(f". {quote('bash', str(rc))}\ncantil activate demo\nprintf '%s' \"$CONDA_PREFIX\"\n")
    shell = run_script("bash", script, env)
    assert shell.stdout == str(prefix), shell.stderr

    cantil("init", "bash", "--reverse", env=env)
    assert rc.read_text() == "export MINE=1\n"


@pytest.mark.parametrize("shell", ["zsh", "fish", "tcsh", "xonsh"])
def test_init_block_loads_the_function_in_each_shell(shell: str, env: dict[str, str], prefix: Path,
                                                      tmp_path: Path) -> None:
    rc = tmp_path / f"rc-{shell}.xsh" if shell == "xonsh" else tmp_path / f"rc-{shell}"
    done = cantil("init", shell, "--rc-file", str(rc), env=env)
    assert done.returncode == 0, done.stderr
    lines = {
        "zsh": [f". {quote(shell, str(rc))}", "cantil activate demo", "printf '%s' \"$CONDA_PREFIX\""],
        "fish": [f"source {quote(shell, str(rc))}", "cantil activate demo", "printf '%s' \"$CONDA_PREFIX\""],
        "tcsh": [f"source {quote(shell, str(rc))}", "cantil activate demo", 'printf "%s" "$CONDA_PREFIX"'],
        "xonsh": [f"source {quote(shell, str(rc))}", "cantil activate demo", "print($CONDA_PREFIX, end='')"],
    }[shell]
    script = tmp_path / f"login-{shell}"
    script.write_text("\n".join(lines) + "\n")
    out = run_script(shell, script, env)
    assert out.stdout == str(prefix), out.stderr


@pytest.mark.parametrize("shell", ["bash", "fish", "tcsh", "xonsh"])
def test_hook_activates_base_unless_auto_activate_base_is_off(shell: str, env: dict[str, str], tmp_path: Path) -> None:
    from .test_shell_support import dump_env, load_hook, read_env

    ext = {"xonsh": ".xsh"}.get(shell, "")
    script = tmp_path / f"s{ext}"
    script.write_text(f"{load_hook(shell, cantil_exe())}\n{dump_env(shell, tmp_path / 'on.env')}\n")
    done = run_script(shell, script, env)
    assert done.returncode == 0, done.stderr
    on = read_env(tmp_path / "on.env")
    assert (on["CONDA_DEFAULT_ENV"], on["CONDA_SHLVL"]) == ("base", "1")
    assert on["PATH"] == f"{env['CANTIL_ROOT_PREFIX']}/bin:{env['PATH']}"
    script.write_text(f"{load_hook(shell, cantil_exe())}\n{dump_env(shell, tmp_path / 'off.env')}\n")
    done = run_script(shell, script, {**env, "CONDA_AUTO_ACTIVATE_BASE": "false"})
    off = read_env(tmp_path / "off.env")
    assert "CONDA_DEFAULT_ENV" not in off and off["CONDA_SHLVL"] == "0"


def test_init_json_reports_each_file(env: dict[str, str], tmp_path: Path) -> None:
    import json

    rc = tmp_path / "rc.fish"
    doc = json.loads(cantil("init", "fish", "--rc-file", str(rc), "--json", env=env).stdout)
    assert doc["success"] is True and doc["dry_run"] is False
    assert [(c["shell"], c["path"], c["modified"]) for c in doc["changes"]] == [("fish", str(rc), True)]
    assert "cantil initialize" in rc.read_text()
    (tmp_path / "file").write_text("")
    bad = cantil("init", "fish", "--rc-file", str(tmp_path / "file" / "rc"), "--json", env=env)
    assert bad.returncode == 1
    err = json.loads(bad.stdout)
    assert err["exception_name"] == "InitError" and err["message"].startswith(f"cannot initialize {tmp_path}/file/rc")


def test_init_rejects_unknown_shells(env: dict[str, str]) -> None:
    done = cantil("init", "ksh", env=env)
    assert done.returncode == 2
    assert "unknown shell(s): ksh" in done.stderr


@pytest.mark.parametrize("shell", ["posix", "bash", "fish", "tcsh", "xonsh"])
def test_init_system_drop_in_loads_the_function(shell: str, env: dict[str, str], prefix: Path, tmp_path: Path) -> None:
    # the real files live under /etc: --rc-file puts the drop-in in tmp_path, with --system's content
    name = {"fish": "cantil.fish", "tcsh": "cantil.csh", "xonsh": "cantil.xsh"}.get(shell, "cantil.sh")
    rc = tmp_path / "etc" / name
    init_shell = "bash" if shell == "posix" else shell
    done = cantil("init", init_shell, "--system", "--rc-file", str(rc), env=env)
    assert done.returncode == 0, done.stderr
    source = "." if shell in ("posix", "bash") else "source"
    show = {"tcsh": 'printf "%s" "$CONDA_PREFIX"', "xonsh": "print($CONDA_PREFIX, end='')"}.get(
        shell, "printf '%s' \"$CONDA_PREFIX\"")
    script = tmp_path / f"login-{shell}"
    script.write_text(f"{source} {quote(shell, str(rc))}\ncantil activate demo\n{show}\n")
    out = run_script(shell, script, env)
    assert out.stdout == str(prefix), out.stderr
    cantil("init", init_shell, "--system", "--rc-file", str(rc), "--reverse", env=env)
    assert not rc.exists()


def test_init_system_dry_run_names_the_etc_files(env: dict[str, str]) -> None:
    done = cantil("init", "--all", "--system", "--dry-run", env=env)
    assert done.returncode == 0, done.stderr
    changed = [line.split()[-1] for line in done.stdout.splitlines() if line.startswith(("modified", "no change"))]
    assert changed == ["/etc/profile.d/cantil.sh", "/etc/fish/conf.d/cantil.fish", "/etc/profile.d/cantil.csh",
                       "/etc/xonsh/rc.d/cantil.xsh"]
    assert "+__cantil_setup=\"$('" in done.stdout and "'shell.posix' 'hook'" in done.stdout
    bad = cantil("init", "powershell", "--system", env=env)
    assert bad.returncode == 1 and "cannot initialize powershell: has no system-wide start-up file" in bad.stderr


def test_shell_commands_import_nothing_heavy(env: dict[str, str], prefix: Path) -> None:
    # issue 7: `shell.*` is dispatched before argparse, json, requests, ruamel.yaml or any other cantil package
    done = cantil("shell.bash", "activate", str(prefix), env={**env, "PYTHONPROFILEIMPORTTIME": "1"})
    assert done.returncode == 0, done.stderr
    assert f"export CONDA_PREFIX='{prefix}'" in done.stdout
    imported = {line.rpartition("|")[2].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    assert "cantil.activate" in imported and "cantil.cli._shell" in imported  # the measurement works
    heavy = {"argparse", "json", "requests", "ruamel.yaml", "urllib.request", "subprocess", "cantil.specs",
             "cantil.link", "cantil.solver", "cantil.repodata", "cantil.cli._parser", "cantil.cli._main"}
    assert imported & heavy == set()

"""`cantil activate`/`cantil deactivate` in real shells, through the function `cantil shell.<shell> hook` defines.

Each shell loads the hook, activates an env by name, stacks a second env given by a path full of awkward
characters, deactivates twice, and must end with exactly the environment it had after loading the hook.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .test_shell_support import cantil_exe, dump_env, dump_prompt, load_hook, quote, read_env, run_script

EXT = {"bash": ".sh", "zsh": ".sh", "posix": ".sh", "fish": ".fish", "tcsh": ".csh", "xonsh": ".xsh"}


def _scripts(name: str, log: Path) -> dict[str, str]:
    """activate.d/deactivate.d scripts for every shell: set/unset <NAME>_SCRIPT and append to a log file."""
    var = f"{name.upper()}_SCRIPT"
    lg = str(log)
    return {
        f"activate.d/{name}.sh": f"export {var}=ran\necho '{name}-activate' >> '{lg}'\n",
        f"deactivate.d/{name}.sh": f"unset {var}\necho '{name}-deactivate' >> '{lg}'\n",
        f"activate.d/{name}.fish": f"set -gx {var} ran\necho '{name}-activate' >> '{lg}'\n",
        f"deactivate.d/{name}.fish": f"set -e {var}\necho '{name}-deactivate' >> '{lg}'\n",
        f"activate.d/{name}.csh": f"setenv {var} ran\necho '{name}-activate' >> '{lg}'\n",
        f"deactivate.d/{name}.csh": f"unsetenv {var}\necho '{name}-deactivate' >> '{lg}'\n",
        f"activate.d/{name}.xsh": f"${var} = 'ran'\nwith open({lg!r}, 'a') as _f:\n    _f.write('{name}-activate\\n')\n",
        f"deactivate.d/{name}.xsh": f"del ${var}\nwith open({lg!r}, 'a') as _f:\n    _f.write('{name}-deactivate\\n')\n",
    }


def make_env(prefix: Path, scripts: dict[str, str], env_vars: dict[str, str] | None = None,
             state: dict[str, str] | None = None) -> Path:
    (prefix / "conda-meta").mkdir(parents=True)
    (prefix / "bin").mkdir()
    for rel, text in scripts.items():
        p = prefix / "etc" / "conda" / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    if env_vars:
        d = prefix / "etc" / "conda" / "env_vars.d"
        d.mkdir(parents=True)
        (d / "pkg.json").write_text(json.dumps(env_vars))
    if state:
        (prefix / "conda-meta" / "state").write_text(json.dumps({"env_vars": state}))
    return prefix


class World:
    def __init__(self, base: Path) -> None:
        self.base = base
        self.log = base / "scripts.log"
        self.root = base / "root"
        (self.root / "conda-meta").mkdir(parents=True)
        self.one = make_env(
            self.root / "envs" / "one",
            _scripts("one", self.log),
            env_vars={"ONE_VAR": "one's $value `x` ✓", "CLOBBER": "by one"},
        )
        self.two = make_env(
            base / "other dir é" / "two 'q' $x",
            _scripts("two", self.log),
            state={"TWO_VAR": "multi\nline \"value\"", "CLOBBER": "by two", "PRESET_EMPTY": "now set"},
        )
        (base / "home").mkdir()
        self.environ = {
            "HOME": str(base / "home"),
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "LANG": "C.UTF-8",
            "CANTIL_ROOT_PREFIX": str(self.root),
            "CONDA_AUTO_ACTIVATE_BASE": "false",
            "CLOBBER": "original",
            "PRESET_EMPTY": "",
        }


@pytest.fixture
def world(tmp_path: Path) -> World:
    return World(tmp_path)


@pytest.mark.parametrize("shell", ["bash", "zsh", "posix", "fish", "tcsh", "xonsh"])
def test_activate_stack_deactivate_restores_the_environment_exactly(shell: str, world: World) -> None:
    exe = cantil_exe()
    out = world.base / "out"
    out.mkdir()
    lines = []
    if shell in ("bash", "zsh", "posix"):
        lines.append("PS1='$ '")
    elif shell == "tcsh":
        lines.append("set prompt='% '")
    lines.append(load_hook(shell, exe))
    two = quote(shell, str(world.two))
    steps = [("hooked", None), ("one", "cantil activate one"), ("two", f"cantil activate --stack {two}"),
             ("back", "cantil deactivate"), ("done", "cantil deactivate")]
    for name, command in steps:
        if command:
            lines.append(command)
        lines.append(dump_env(shell, out / f"{name}.env"))
        if prompt := dump_prompt(shell, out / f"{name}.prompt"):
            lines.append(prompt)
    script = world.base / f"session{EXT[shell]}"
    script.write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = run_script(shell, script, world.environ)
    assert done.returncode == 0, done.stderr

    hooked, one, two_env, back, final = (read_env(out / f"{n}.env") for n, _ in steps)
    assert hooked["CANTIL_EXE"] == exe
    assert hooked["CONDA_SHLVL"] == "0"
    assert "CONDA_EXE" not in one

    assert one["CONDA_PREFIX"] == str(world.one)
    assert one["CONDA_SHLVL"] == "1"
    assert one["CONDA_DEFAULT_ENV"] == "one"
    assert one["CONDA_PROMPT_MODIFIER"] == "(one) "
    assert one["PATH"] == f"{world.one}/bin:{hooked['PATH']}"
    assert one["ONE_VAR"] == "one's $value `x` ✓"
    assert one["CLOBBER"] == "by one"
    assert one["__CONDA_SHLVL_0_CLOBBER"] == "original"
    assert one["ONE_SCRIPT"] == "ran"
    assert one["CANTIL_EXE"] == exe

    assert two_env["CONDA_PREFIX"] == str(world.two)
    assert two_env["CONDA_SHLVL"] == "2"
    assert two_env["CONDA_PREFIX_1"] == str(world.one)
    assert two_env["CONDA_STACKED_2"] == "true"
    assert two_env["CONDA_DEFAULT_ENV"] == str(world.two)
    assert two_env["CONDA_PROMPT_MODIFIER"] == f"({world.two}) "
    assert two_env["PATH"] == f"{world.two}/bin:{world.one}/bin:{hooked['PATH']}"
    assert two_env["TWO_VAR"] == "multi\nline \"value\""
    assert two_env["CLOBBER"] == "by two"
    assert two_env["__CONDA_SHLVL_1_CLOBBER"] == "by one"
    assert two_env["PRESET_EMPTY"] == "now set"
    assert two_env["__CONDA_SHLVL_1_PRESET_EMPTY"] == ""
    assert two_env["TWO_SCRIPT"] == "ran" and two_env["ONE_SCRIPT"] == "ran"

    assert back == one
    assert final == hooked
    assert world.log.read_text().split() == ["one-activate", "two-activate", "two-deactivate", "one-activate",
                                             "one-deactivate"]
    if shell in ("bash", "zsh", "posix", "tcsh"):
        start = "$ " if shell != "tcsh" else "% "
        prompts = [(out / f"{n}.prompt").read_text(encoding="utf-8") for n, _ in steps]
        assert prompts == [start, f"(one) {start}", f"({world.two}) {start}", f"(one) {start}", start]


def test_reactivate_runs_scripts_added_by_an_install(world: World) -> None:
    exe = cantil_exe()
    new = world.one / "etc" / "conda" / "activate.d" / "zz-new.sh"
    script = world.base / "s.sh"
    script.write_text(
        f"{load_hook('bash', exe)}\ncantil activate one\n"
        f"printf 'export NEW_SCRIPT=ran\\n' > {quote('bash', str(new))}\n"
        f'eval "$({quote("bash", exe)} shell.bash reactivate)"\n'
        'printf "%s %s %s" "$NEW_SCRIPT" "$CONDA_SHLVL" "$PATH"\n'
    )
    done = run_script("bash", script, world.environ)
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"ran 1 {world.one}/bin:{world.environ['PATH']}"
    assert world.log.read_text().split() == ["one-activate", "one-deactivate", "one-activate"]


def test_a_failed_activation_leaves_the_shell_untouched(world: World) -> None:
    script = world.base / "s.sh"
    script.write_text(
        f"{load_hook('bash', cantil_exe())}\ncantil activate no-such-env\necho \"rc=$? lvl=$CONDA_SHLVL\"\n"
    )
    done = run_script("bash", script, world.environ)
    assert done.stdout == "rc=1 lvl=0\n"
    assert done.stderr.startswith("error: could not find environment: no-such-env\nhint: searched ")


def test_switching_without_stack_replaces_the_env(world: World) -> None:
    exe = cantil_exe()
    script = world.base / "s.sh"
    script.write_text(
        f"{load_hook('bash', exe)}\ncantil activate one\ncantil activate {quote('bash', str(world.two))}\n"
        'printf "%s|%s|%s|%s\\n" "$CONDA_SHLVL" "$CONDA_PREFIX_1" "${CONDA_STACKED_2-none}" "$PATH"\n'
        'cantil deactivate\nprintf "%s|%s\\n" "$CONDA_PREFIX" "$PATH"\n'
    )
    done = run_script("bash", script, world.environ)
    assert done.returncode == 0, done.stderr
    path = world.environ["PATH"]
    assert done.stdout.splitlines() == [f"2|{world.one}|none|{world.two}/bin:{path}", f"{world.one}|{world.one}/bin:{path}"]
    assert world.log.read_text().split() == ["one-activate", "one-deactivate", "two-activate", "two-deactivate",
                                             "one-activate"]

"""Generated text, evaluated by real shells: paths and values with spaces, quotes, $, backticks, `!`, backslashes,
newlines and non-ASCII arrive intact."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cantil.activate import ActivationSettings, Activator

from ._shells import dump_env_command, read_env, run_script
from .conftest import make_env

TRICKY = {
    "SPACES": "a b  c",
    "QUOTES": "it's \"double\" and 'single'",
    "DOLLAR": "$HOME ${PATH} $(echo no) $((1+1))",
    "BACKTICK": "`echo no` and \\` too",
    "BANG": "hello!world !! !-1 !$",
    "BACKSLASH": "C:\\dir\\n\\t\\\\end\\",
    "UNICODE": "héllo wörld 中文 ✓ 🙂",
    "NEWLINE": "first line\nsecond line",
    "SEMICOLON": "a; b && c | d > e < f & g",
    "GLOB": "* ? [abc] {x,y} ~ # %",
    "EMPTY": "",
}
EXT = {"bash": ".sh", "zsh": ".sh", "posix": ".sh", "fish": ".fish", "tcsh": ".csh", "xonsh": ".xsh"}
SCRIPT = {
    ".sh": "export SCRIPT_RAN=yes\n",
    ".fish": "set -gx SCRIPT_RAN yes\n",
    ".csh": "setenv SCRIPT_RAN yes\n",
    ".xsh": "$SCRIPT_RAN = 'yes'\n",
}


@pytest.mark.parametrize("shell", ["bash", "zsh", "posix", "fish", "tcsh", "xonsh"])
def test_values_and_paths_survive_the_shell(shell: str, tmp_path: Path) -> None:
    weird = tmp_path / "we ird 'q' \"dq\" $x `b` é!"
    ext = EXT[shell]
    prefix = make_env(weird / "env", scripts={f"activate.d/s {ext}": SCRIPT[ext]}, state=TRICKY)
    environ = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "C.UTF-8", "PS1": "$ ", "prompt": "% "}
    text = Activator(shell, ActivationSettings(tmp_path / "root"), environ).activate(str(prefix))
    activation = tmp_path / f"activate{ext}"
    activation.write_text(text, encoding="utf-8")
    out = tmp_path / "env.out"
    source = {"xonsh": "source", "fish": "source", "tcsh": "source"}.get(shell, ".")
    script = tmp_path / f"main{ext}"
    quoted = str(activation) if shell != "xonsh" else repr(str(activation))
    script.write_text(f"{source} {quoted}\n{dump_env_command(shell, out)}\n", encoding="utf-8")
    done = run_script(shell, script, environ)
    assert done.returncode == 0, done.stderr
    env = read_env(out)
    for name, value in TRICKY.items():
        assert env.get(name) == value, name
    assert env["CONDA_PREFIX"] == str(prefix)
    assert env["PATH"] == f"{prefix}/bin:/usr/bin:/bin"
    assert env["CONDA_DEFAULT_ENV"] == str(prefix)
    assert env["SCRIPT_RAN"] == "yes"
    assert os.path.isdir(env["CONDA_PREFIX"])

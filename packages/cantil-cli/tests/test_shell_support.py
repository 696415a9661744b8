"""Helpers for the real-shell activation tests: the `cantil` script, shells, quoting, environment dumps.

A missing shell FAILS the test (CI installs bash, zsh, dash, fish, tcsh through apt and xonsh from PyPI).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

SHELL_EXES = {"bash": "bash", "zsh": "zsh", "posix": "dash", "fish": "fish", "tcsh": "tcsh", "xonsh": "xonsh"}
IGNORED = ("_", "SHLVL")


def cantil_exe() -> str:
    bindir = Path(sys.executable).parent
    for name in ("cantil", "cantil.exe"):
        if (bindir / name).is_file():
            return str(bindir / name)
    raise AssertionError(f"no `cantil` script beside {sys.executable}: install cantil-cli")


def shell_exe(shell: str) -> str:
    name = SHELL_EXES[shell]
    found = shutil.which(name, path=str(Path(sys.executable).parent)) if name == "xonsh" else None
    found = found or shutil.which(name)
    where = "the test extra (pip)" if name == "xonsh" else "the system (tools/test-all.sh installs it through apt)"
    assert found, f"{name} is not installed: the activation tests need it from {where}"
    return found


def quote(shell: str, value: str) -> str:
    if shell == "xonsh":
        return repr(value)
    if shell == "fish":
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
    if shell == "tcsh":
        return "'" + value.replace("'", "'\\''").replace("!", "'\\!'") + "'"
    return "'" + value.replace("'", "'\\''") + "'"


def load_hook(shell: str, exe: str) -> str:
    q = quote(shell, exe)
    return {
        "fish": f"{q} shell.fish hook | source",
        "tcsh": f'eval "`{q} shell.csh hook`"',
        "xonsh": f"execx($({q} shell.xonsh hook))",
        "posix": f'eval "$({q} shell.posix hook)"',
    }.get(shell, f'eval "$({q} shell.{shell} hook)"')


def dump_env(shell: str, out: Path) -> str:
    if shell == "xonsh":
        return (
            "import subprocess as _s\n"
            f"_s.run(['env', '-0'], env=__xonsh__.env.detype(), stdout=open({str(out)!r}, 'wb'), check=True)"
        )
    return f"env -0 {'>!' if shell == 'tcsh' else '>'} {quote(shell, str(out))}"


def dump_prompt(shell: str, out: Path) -> str:
    if shell == "tcsh":
        return f'printf "%s" "$prompt" >! {quote(shell, str(out))}'
    if shell in ("bash", "zsh", "posix"):
        return f'printf "%s" "$PS1" > {quote(shell, str(out))}'
    return ""


def run_script(shell: str, script: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    exe = shell_exe(shell)
    args = {
        "xonsh": [exe, "--no-rc", str(script)],
        "tcsh": [exe, "-f", str(script)],
        "fish": [exe, "--no-config", str(script)],
        "zsh": [exe, "-f", str(script)],
        "bash": [exe, "--norc", "--noprofile", str(script)],
    }.get(shell, [exe, str(script)])
    return subprocess.run(args, env=env, capture_output=True, text=True, encoding="utf-8", timeout=300, check=False)


def read_env(path: Path) -> dict[str, str]:
    out = {}
    for item in path.read_bytes().decode("utf-8").split("\0"):
        if item:
            k, _, v = item.partition("=")
            if k not in IGNORED:
                out[k] = v
    return out

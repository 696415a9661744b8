"""Running real shells on generated text (bash, zsh, dash, fish, tcsh from the system; xonsh from this venv).

A missing shell FAILS the test: CI installs them (tools/test-all.sh).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

SHELL_EXES = {"bash": "bash", "zsh": "zsh", "posix": "dash", "fish": "fish", "tcsh": "tcsh", "xonsh": "xonsh"}


def shell_exe(shell: str) -> str:
    name = SHELL_EXES[shell]
    found = shutil.which(name, path=str(Path(sys.executable).parent)) if name == "xonsh" else None
    found = found or shutil.which(name)
    where = "the test extra (pip)" if name == "xonsh" else "the system (tools/test-all.sh installs it through apt)"
    assert found, f"{name} is not installed: the activation tests need it from {where}"
    return found


def run_script(shell: str, script: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    exe = shell_exe(shell)
    args = {
        "xonsh": [exe, "--no-rc", str(script)],
        "tcsh": [exe, "-f", str(script)],
        "fish": [exe, "--no-config", str(script)],
        "zsh": [exe, "-f", str(script)],
        "bash": [exe, "--norc", "--noprofile", str(script)],
    }.get(shell, [exe, str(script)])
    return subprocess.run(args, env=env, capture_output=True, text=True, encoding="utf-8", timeout=120, check=False)


def dump_env_command(shell: str, out: Path) -> str:
    """A line writing the shell's exported environment to `out`, NUL-separated."""
    if shell == "xonsh":
        return (
            "import subprocess as _s\n"
            f"_s.run(['env', '-0'], env=__xonsh__.env.detype(), stdout=open({str(out)!r}, 'wb'), check=True)"
        )
    q = "'" + str(out).replace("'", "'\\''") + "'"
    if shell == "fish":
        q = "'" + str(out).replace("\\", "\\\\").replace("'", "\\'") + "'"
    redirect = ">!" if shell == "tcsh" else ">"
    return f"env -0 {redirect} {q}"


def read_env(path: Path) -> dict[str, str]:
    data = path.read_bytes().decode("utf-8")
    out = {}
    for item in data.split("\0"):
        if item:
            k, _, v = item.partition("=")
            out[k] = v
    return out

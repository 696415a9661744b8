"""`cantil run`: run a program inside an activated environment; its exit code is cantil's.

The environment is activated by cantil.activate's prelude (bash text: PATH, CONDA_* variables, env_vars,
activate.d scripts), then bash `exec`s the program, so its output streams straight through and signals reach it.
"""

from __future__ import annotations

import os
import shutil
import subprocess

from cantil.cli._context import locate, settings_of
from cantil.cli._errors import CondaValueError

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse


def run(ns: argparse.Namespace) -> int:
    from cantil.activate import ActivationSettings, activation_prelude

    call = list(ns.executable_call or [])
    if call and call[0] == "--":
        call = call[1:]
    if not call:
        raise CondaValueError("no executable given", hint="for example: cantil run -n myenv python --version")
    s = settings_of(ns)
    prefix = locate(s, ns.name, ns.prefix)
    cwd = os.path.abspath(os.path.expanduser(ns.cwd)) if ns.cwd else None
    if cwd is not None and not os.path.isdir(cwd):
        raise CondaValueError(f"--cwd is not a directory: {cwd}")
    bash = shutil.which("bash", path=s.environ.get("PATH")) or shutil.which("bash") or "/bin/bash"
    act = ActivationSettings(s.root_prefix, s.envs_dirs, changeps1=False, env_prompt=s.env_prompt,
                             auto_stack=s.auto_stack, exe=s.environ.get("CANTIL_EXE"))
    environ = dict(s.environ)
    script = activation_prelude(prefix, act, environ) + '\nexec "$@"\n'
    try:
        result = subprocess.run([bash, "-c", script, "cantil-run", *call], env=environ, cwd=cwd, check=False)
    except KeyboardInterrupt:
        return 130
    if result.returncode < 0:  # killed by a signal: the shell convention
        return 128 - result.returncode
    return result.returncode

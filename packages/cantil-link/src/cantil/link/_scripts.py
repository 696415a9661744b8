"""Package scripts, run as conda runs them.

- pre-link (from the extracted package, SOURCE_DIR set) and pre-unlink (from the prefix): `bash -x <script>`.
- post-link and post-unlink: SOURCED (`. <script>`) by bash after the activation text of the target environment, so
  its activate.d scripts and variables are in effect and a top-level `return` works.
- Every script gets ROOT_PREFIX, PREFIX, PKG_NAME, PKG_VERSION, PKG_BUILDNUM and its own folder first on PATH, and
  runs with that folder as working directory. After each script `$PREFIX/.messages.txt` is reported and removed.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Callable
from pathlib import Path

from ._settings import Reporter
from ._struct import Struct

ActivationPrelude = Callable[[Path], str]


def default_prelude(prefix: Path) -> str:
    """A minimal activation used when the caller passes none: PATH, CONDA_PREFIX and etc/conda/activate.d/*.sh."""
    p = shlex.quote(str(prefix))
    return (
        f"export CONDA_PREFIX={p}\n"
        f'export PATH={p}/bin:"$PATH"\n'
        f"for _cantil_f in {p}/etc/conda/activate.d/*.sh; do\n"
        '  [ -f "$_cantil_f" ] && . "$_cantil_f"\n'
        "done\n"
        "unset _cantil_f\n"
    )


class ScriptResult(Struct):
    __slots__ = ("messages", "output", "returncode")

    def __init__(self, returncode: int, output: str, messages: str | None) -> None:
        self.returncode = returncode
        self.output = output
        self.messages = messages


def script_path(base: Path, name: str, action: str) -> Path:
    return base / "bin" / f".{name}-{action}.sh"


def run_script(*, action: str, script: Path, prefix: Path, name: str, version: str, build_number: int,
               root_prefix: Path | None, prelude: ActivationPrelude | None, reporter: Reporter,
               source_dir: Path | None = None, dist: str | None = None) -> ScriptResult:
    import subprocess  # lazily: only packages with scripts need it

    env = dict(os.environ)
    env["ROOT_PREFIX"] = str(root_prefix or prefix)
    env["PREFIX"] = str(prefix)
    env["PKG_NAME"] = name
    env["PKG_VERSION"] = str(version)
    env["PKG_BUILDNUM"] = str(build_number)
    env["PATH"] = os.pathsep.join((str(script.parent), env.get("PATH", "")))
    if source_dir is not None:
        env["SOURCE_DIR"] = str(source_dir)
    wrapper: str | None = None
    if action in ("post-link", "post-unlink"):
        text = (prelude or default_prelude)(prefix)
        # PATH again after activation, which may have rewritten it: the script's folder comes first
        body = f"{text}\nexport PATH={shlex.quote(str(script.parent))}:\"$PATH\"\n. {shlex.quote(str(script))}\n"
        import tempfile

        fd, wrapper = tempfile.mkstemp(prefix=".cantil-script-", suffix=".sh")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(body)
        cmd = ["bash", wrapper]
    else:
        cmd = ["bash", "-x", str(script)]
    try:
        proc = subprocess.run(cmd, env=env, cwd=script.parent, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, check=False)
    finally:
        if wrapper is not None:
            os.unlink(wrapper)
    output = proc.stdout.decode("utf-8", "replace")
    if output:
        reporter.script_output(dist or name, action, output)
    msgs = take_messages(prefix, dist or name, reporter)
    return ScriptResult(proc.returncode, output, msgs)


def take_messages(prefix: Path, package: str, reporter: Reporter) -> str | None:
    path = prefix / ".messages.txt"
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except (FileNotFoundError, IsADirectoryError):
        return None
    try:
        path.unlink()
    except OSError:
        pass
    if text:
        reporter.message(package, text, "script")
    return text

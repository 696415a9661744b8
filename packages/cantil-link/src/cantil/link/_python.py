"""noarch: python support: site-packages / python-scripts remapping, entry point scripts, .pyc compilation.

The environment's python is the `python` record being linked, else the installed one not being unlinked. Its
`python_site_packages_path` (CEP 17) wins over `lib/pythonX.Y/site-packages`. The .pyc files are named for that
version (`__pycache__/m.cpython-XY.pyc`) and listed in the record even when they could not be compiled (conda does
the same: a python that cannot run leaves them missing, with a warning, and the install still succeeds).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

_VERSION = re.compile(r"(\d+)\.(\d+)")

ENTRY_POINT_TEMPLATE = """\
# -*- coding: utf-8 -*-
import re
import sys

from {module} import {import_name}

if __name__ == '__main__':
    sys.argv[0] = re.sub(r'(-script\\.pyw?|\\.exe)?$', '', sys.argv[0])
    sys.exit({func}())
"""


def major_minor(version: str) -> str | None:
    m = _VERSION.match(version)
    return f"{m.group(1)}.{m.group(2)}" if m else None


def site_packages(version: str, explicit: str | None) -> str:
    if explicit:
        return explicit.strip("/")
    return f"lib/python{major_minor(version)}/site-packages"


def noarch_target(path: str, sp_dir: str) -> str:
    if path.startswith("site-packages/"):
        return sp_dir + path[len("site-packages"):]
    if path.startswith("python-scripts/"):
        return "bin" + path[len("python-scripts"):]
    return path


def pyc_path(py_path: str, mm: str) -> str:
    folder, _, file = py_path.rpartition("/")
    stem = file[:-3] if file.endswith(".py") else file
    pyc = f"__pycache__/{stem}.cpython-{mm.replace('.', '')}.pyc"
    return f"{folder}/{pyc}" if folder else pyc


_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")


def parse_entry_point(defn: str) -> tuple[str, str, str]:
    """`cmd = module:func` -> (cmd, module, func); ValueError when malformed or when cmd is not a plain name."""
    command, sep, rest = defn.partition("=")
    module, sep2, func = rest.strip(" \t\r\n\"'").rpartition(":")
    command, module, func = command.strip(), module.strip(), func.strip()
    if not sep or not sep2 or not command or not _IDENT.match(module) or not _IDENT.match(func):
        raise ValueError(f"invalid entry point {defn!r}")
    if command.startswith(".") or any(c in command for c in "/\\\0\n\r"):
        raise ValueError(f"invalid entry point command {command!r}")
    return command, module, func


def entry_point_script(python: str, module: str, func: str) -> bytes:
    shebang = f"#!{python}\n"
    if len(shebang) > 127 or " " in python:
        # conda: a shebang the kernel cannot use goes through /bin/sh re-exec of the python
        shebang = f"#!/bin/sh\n'''exec' \"{python}\" \"$0\" \"$@\" #'''\n"
    body = ENTRY_POINT_TEMPLATE.format(module=module, import_name=func.split(".", maxsplit=1)[0], func=func)
    return (shebang + body).encode()


def compile_pyc(prefix: Path, python_short: str, py_files: list[str]) -> tuple[bool, str]:
    """Compile `py_files` (prefix-relative) with the env's python; (ran, output). Missing pyc files are not errors."""
    python = prefix / python_short
    if not py_files:
        return True, ""
    if not os.access(python, os.X_OK):
        return False, f"no runnable python at {python}"
    import subprocess  # lazily: only noarch python packages need them
    import tempfile

    fd, listing = tempfile.mkstemp(prefix=".cantil-pyc-", suffix=".txt")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write("\n".join(py_files) + "\n")
        cmd = [str(python), "-Wi", "-m", "compileall", "-q", "-l", "-i", listing, "-j", "0"]
        try:
            proc = subprocess.run(cmd, cwd=prefix, capture_output=True, text=True, errors="replace", check=False)
        except OSError as e:
            return False, f"cannot run {python}: {e}"
        return proc.returncode == 0, proc.stdout + proc.stderr
    finally:
        os.unlink(listing)

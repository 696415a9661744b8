"""Platform subdirectory names (``linux-64``, ``osx-arm64``, ``win-64``, ``noarch``...) and the native one."""

from __future__ import annotations

import os
import sys

__all__ = ["KNOWN_SUBDIRS", "native_subdir"]

KNOWN_SUBDIRS: frozenset[str] = frozenset(
    {
        "noarch",
        "emscripten-wasm32",
        "wasi-wasm32",
        "freebsd-64",
        "linux-32",
        "linux-64",
        "linux-aarch64",
        "linux-armv6l",
        "linux-armv7l",
        "linux-ppc64",
        "linux-ppc64le",
        "linux-riscv64",
        "linux-s390x",
        "osx-64",
        "osx-arm64",
        "win-32",
        "win-64",
        "win-arm64",
        "zos-z",
    }
)

_MACHINES = {
    "x86_64": "64",
    "amd64": "64",
    "i386": "32",
    "i686": "32",
    "x86": "32",
    "aarch64": "aarch64",
    "arm64": "arm64",
    "armv6l": "armv6l",
    "armv7l": "armv7l",
    "ppc64le": "ppc64le",
    "ppc64": "ppc64",
    "s390x": "s390x",
    "riscv64": "riscv64",
}


def native_subdir(system: str | None = None, machine: str | None = None) -> str:
    """The subdir of this interpreter's platform (or of the given ``sys.platform``-style system and machine).

    >>> native_subdir("linux", "x86_64"), native_subdir("darwin", "arm64"), native_subdir("win32", "AMD64")
    ('linux-64', 'osx-arm64', 'win-64')
    """
    system = system if system is not None else sys.platform
    if machine is None:
        machine = os.environ.get("PROCESSOR_ARCHITECTURE", "AMD64") if system.startswith("win") else os.uname().machine
    m = machine.lower()
    if system.startswith("linux"):
        os_name = "linux"
    elif system == "darwin":
        os_name = "osx"
        if m == "aarch64":
            m = "arm64"
    elif system.startswith(("win", "cygwin", "msys")):
        os_name = "win"
        if m in ("aarch64", "arm64"):
            m = "arm64"
    elif system.startswith("freebsd"):
        os_name = "freebsd"
    elif system == "emscripten":
        return "emscripten-wasm32"
    elif system == "wasi":
        return "wasi-wasm32"
    else:
        os_name = system
    arch = _MACHINES.get(m, m)
    if os_name == "linux" and arch == "arm64":
        arch = "aarch64"
    return f"{os_name}-{arch}"

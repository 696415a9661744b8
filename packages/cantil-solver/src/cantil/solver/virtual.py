"""Virtual packages of a TARGET subdir: `__linux`, `__glibc`, `__unix`, `__osx`, `__win`, `__archspec`, `__cuda`.

conda's `CONDA_OVERRIDE_<NAME>` variables win (an empty value removes the package). Without an override, a value is
read from this machine only when the target subdir is this machine's platform: `__glibc` from the C library
(`confstr`), `__linux` from the kernel release, `__osx` from `mac_ver`, `__archspec` from the CPU (x86-64
micro-architecture level from /proc/cpuinfo flags, else the machine name); for a foreign subdir conda's defaults are
used (glibc 2.17, linux 0, osx 10.15, archspec = the subdir's architecture). `__cuda` only comes from its override
(no driver probe: loading libcuda is neither cheap nor side-effect free).
"""

from __future__ import annotations

import os
import sys

from cantil.specs import PackageRecord

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

_ARCH = {"64": "x86_64", "32": "x86", "aarch64": "aarch64", "arm64": "arm64", "ppc64le": "ppc64le",
         "s390x": "s390x", "armv7l": "armv7l", "armv6l": "armv6l", "ppc64": "ppc64", "riscv64": "riscv64"}
_LEVELS = (
    ("x86_64_v4", {"avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl"}),
    ("x86_64_v3", {"avx", "avx2", "bmi1", "bmi2", "f16c", "fma", "movbe", "xsave"}),
    ("x86_64_v2", {"cx16", "lahf_lm", "popcnt", "pni", "sse4_1", "sse4_2", "ssse3"}),
)


def _record(name: str, version: str, build: str, subdir: str) -> PackageRecord:
    data = {"name": name, "version": version, "build": build, "build_number": 0, "depends": [], "subdir": subdir}
    return PackageRecord.from_repodata(f"{name}-{version}-{build}.tar.bz2", data, channel="@", subdir=subdir)


def _uname() -> tuple[str, str]:
    """(machine, release) of this machine; `platform` (slow to import) only where os.uname is missing."""
    if hasattr(os, "uname"):
        u = os.uname()
        return u.machine, u.release
    import platform

    return platform.machine(), platform.release()


def _native_subdir() -> str:
    machine = _uname()[0].lower()
    plat = {"linux": "linux", "darwin": "osx", "win32": "win"}.get(sys.platform, sys.platform)
    arch = {"x86_64": "64", "amd64": "64", "i686": "32", "x86": "32", "arm64": "arm64", "aarch64": "aarch64"}.get(
        machine, machine
    )
    if plat == "osx" and arch == "aarch64":
        arch = "arm64"
    return f"{plat}-{arch}"


def _mac_ver() -> str:
    import platform

    return platform.mac_ver()[0]


def _glibc() -> str | None:
    try:
        text = os.confstr("CS_GNU_LIBC_VERSION")  # "glibc 2.35"
    except (ValueError, OSError, AttributeError):
        return None
    if not text or not text.startswith("glibc "):
        return None
    return text.split()[1]


def _archspec(native: bool, arch: str) -> str:
    if not native:
        return arch
    if arch == "x86_64":
        try:
            with open("/proc/cpuinfo") as fh:
                flags: set[str] = set()
                for line in fh:
                    if line.startswith("flags"):
                        flags = set(line.split(":", 1)[1].split())
                        break
        except OSError:
            return arch
        for level, need in _LEVELS:
            if need <= flags:
                return level
    return _uname()[0].lower() or arch


def detect(environ: Mapping[str, str], subdir: str) -> list[PackageRecord]:
    """The virtual packages of `subdir` ("linux-64", "osx-arm64", "win-64", "noarch" ...), overrides applied."""
    plat, _, arch_code = subdir.partition("-")
    arch = _ARCH.get(arch_code, arch_code)
    native = subdir == _native_subdir()
    out: list[PackageRecord] = []

    def add(name: str, override: str, default: str | None, build: str = "0") -> None:
        value = environ.get(override)
        if value is not None:
            value = value.strip()
            if not value:
                return
        else:
            value = default
        if value:
            out.append(_record(name, value, build, subdir))

    if plat == "linux":
        kernel = _uname()[1].split("-")[0] if native else None
        add("__linux", "CONDA_OVERRIDE_LINUX", kernel or "0")
        add("__glibc", "CONDA_OVERRIDE_GLIBC", (_glibc() if native else None) or "2.17")
    if plat in ("linux", "osx"):
        out.append(_record("__unix", "0", "0", subdir))
    if plat == "osx":
        mac = _mac_ver() if native else ""
        add("__osx", "CONDA_OVERRIDE_OSX", mac or "10.15")
    if plat == "win":
        add("__win", "CONDA_OVERRIDE_WIN", "0")
    add("__cuda", "CONDA_OVERRIDE_CUDA", None)
    if plat != "noarch":
        spec = environ.get("CONDA_OVERRIDE_ARCHSPEC")
        if spec is None or spec.strip():
            out.append(_record("__archspec", "1", (spec or "").strip() or _archspec(native, arch), subdir))
    return out

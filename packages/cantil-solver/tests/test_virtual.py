"""cantil.solver.virtual.detect: the target subdir's virtual packages, CONDA_OVERRIDE_* first."""

from __future__ import annotations

import os
import platform
import sys

import pytest

from cantil.solver.virtual import detect


def _names(recs: list) -> dict[str, str]:  # type: ignore[type-arg]
    return {r.name: r.version for r in recs}


def test_linux_target_has_linux_glibc_unix_archspec() -> None:
    got = _names(detect({}, "linux-64"))
    assert {"__linux", "__glibc", "__unix", "__archspec"} <= set(got)
    assert "__osx" not in got and "__win" not in got


def test_overrides_win() -> None:
    env = {"CONDA_OVERRIDE_GLIBC": "2.28", "CONDA_OVERRIDE_LINUX": "5.4", "CONDA_OVERRIDE_CUDA": "12.2"}
    got = _names(detect(env, "linux-64"))
    assert got["__glibc"] == "2.28" and got["__linux"] == "5.4" and got["__cuda"] == "12.2"


def test_empty_override_removes_the_package() -> None:
    got = _names(detect({"CONDA_OVERRIDE_GLIBC": "", "CONDA_OVERRIDE_CUDA": ""}, "linux-64"))
    assert "__glibc" not in got and "__cuda" not in got


def test_cuda_only_from_its_override() -> None:
    assert "__cuda" not in _names(detect({}, "linux-64"))


def test_osx_and_windows_targets() -> None:
    osx = _names(detect({"CONDA_OVERRIDE_OSX": "13.1"}, "osx-arm64"))
    assert osx["__osx"] == "13.1" and "__unix" in osx and "__glibc" not in osx
    win = _names(detect({}, "win-64"))
    assert "__win" in win and "__unix" not in win


def test_foreign_target_uses_defaults_not_this_machine() -> None:
    recs = {r.name: r for r in detect({}, "linux-aarch64" if platform.machine() != "aarch64" else "linux-64")}
    assert recs["__glibc"].version == "2.17"
    assert recs["__archspec"].build in ("aarch64", "x86_64")


def test_archspec_override_and_records_are_virtual() -> None:
    recs = {r.name: r for r in detect({"CONDA_OVERRIDE_ARCHSPEC": "skylake"}, "linux-64")}
    assert recs["__archspec"].build == "skylake"
    assert all(r.channel == "@" and r.subdir == "linux-64" for r in recs.values())


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads this Linux machine's C library")
def test_native_glibc_is_read_from_the_c_library() -> None:
    got = _names(detect({}, "linux-64" if platform.machine() == "x86_64" else "linux-aarch64"))
    assert got["__glibc"] == os.confstr("CS_GNU_LIBC_VERSION").split()[1]

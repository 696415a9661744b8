from __future__ import annotations

import pytest

from cantil.specs import KNOWN_SUBDIRS, native_subdir


@pytest.mark.parametrize(
    ("system", "machine", "subdir"),
    [
        ("linux", "x86_64", "linux-64"),
        ("linux", "aarch64", "linux-aarch64"),
        ("linux", "ppc64le", "linux-ppc64le"),
        ("linux", "i686", "linux-32"),
        ("darwin", "x86_64", "osx-64"),
        ("darwin", "arm64", "osx-arm64"),
        ("win32", "AMD64", "win-64"),
        ("win32", "ARM64", "win-arm64"),
        ("emscripten", "wasm32", "emscripten-wasm32"),
    ],
)
def test_native_subdir(system: str, machine: str, subdir: str) -> None:
    assert native_subdir(system, machine) == subdir
    assert subdir in KNOWN_SUBDIRS


def test_this_machine_is_known() -> None:
    assert native_subdir() in KNOWN_SUBDIRS

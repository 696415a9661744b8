"""Shared fixtures for cantil-cli's tests: an isolated home, root prefix and config search path."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


class Home:
    """An isolated user: HOME, XDG dirs, root prefix; `environ` is what a subprocess or load_settings sees."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.home = base / "home"
        self.root = base / "root"
        self.system = base / "etc-conda"
        for d in (self.home, self.root, self.system):
            d.mkdir(parents=True, exist_ok=True)
        self.environ: dict[str, str] = {
            "HOME": str(self.home),
            "XDG_CONFIG_HOME": str(self.home / ".config"),
            "XDG_CACHE_HOME": str(self.home / ".cache"),
            "CANTIL_ROOT_PREFIX": str(self.root),
            "PATH": "/usr/bin:/bin",
            "LANG": "C.UTF-8",
        }

    @property
    def search_path(self) -> list[str]:
        """conda's search path with the system entries moved under the temporary directory."""
        from cantil.cli._condarc import SEARCH_PATH

        return [e.replace("/etc/conda/", f"{self.system}/").replace("/var/lib/conda/", f"{self.system}/var/") for e in SEARCH_PATH]

    def run(self, *args: str, env: dict[str, str] | None = None, input: str | None = None,
            cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        """`cantil ARGS` in a subprocess (`python -m cantil`), with this isolated environment."""
        return subprocess.run([sys.executable, "-m", "cantil", *args], check=False, env={**self.environ, **(env or {})},
                              input=input, capture_output=True, text=True, cwd=cwd or self.base, timeout=600)

    def write(self, path: Path, text: str) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return path


@pytest.fixture
def home(tmp_path: Path) -> Home:
    return Home(tmp_path)

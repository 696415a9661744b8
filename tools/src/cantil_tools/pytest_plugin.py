"""pytest plugin of cantil-tools: fixtures channel_factory, channel_server, sample_channel, run_cantil.

Imports only the standard library at import time (pytest loads it in every session through the pytest11 entry
point); the builder, indexer and server are imported when a fixture runs. It never imports cantil-cli: `run_cantil`
runs the `cantil` command in a subprocess.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from cantil_tools.server import ChannelServer

__all__ = ["CantilRunner", "cantil_command"]


def cantil_command() -> list[str]:
    """The `cantil` script next to sys.executable when it exists, else `python -m cantil`."""
    script = Path(sys.executable).with_name("cantil")
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    return [sys.executable, "-m", "cantil"]


_DROP_PREFIXES = ("CONDA", "CANTIL", "_CE_", "MAMBA")


class CantilRunner:
    """Runs `cantil` with an isolated HOME, .condarc, root prefix and package cache under `base`."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.home = base / "home"
        self.condarc = self.home / ".condarc"
        self.root_prefix = base / "cantil-root"
        self.pkgs_dir = base / "pkgs"
        for d in (self.home, self.root_prefix, self.pkgs_dir):
            d.mkdir(parents=True, exist_ok=True)
        if not self.condarc.exists():
            self.condarc.write_text("")
        self.command = cantil_command()

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(_DROP_PREFIXES) and k != "PYTHONPATH"}
        env.update(HOME=str(self.home), CONDARC=str(self.condarc), CANTIL_ROOT_PREFIX=str(self.root_prefix),
                   CONDA_PKGS_DIRS=str(self.pkgs_dir), XDG_CONFIG_HOME=str(self.home / ".config"),
                   PYTHONDONTWRITEBYTECODE="1", NO_COLOR="1")
        return env

    def __call__(self, *args: str | os.PathLike[str], env: Mapping[str, str] | None = None, input: str | None = None,
                 cwd: Path | None = None, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        full_env = self.env
        if env:
            full_env.update(env)
        return subprocess.run([*self.command, *map(str, args)], env=full_env, input=input, cwd=cwd or self.base,
                              capture_output=True, text=True, timeout=timeout, check=False)


@pytest.fixture
def channel_factory(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Path]:
    """`channel_factory(descriptions, *, formats=..., **index_options) -> Path`: build the packages, index them."""

    def make(descriptions: Sequence[Mapping[str, Any]] | Mapping[str, Any], *,
             formats: Sequence[str] = ("conda", "tar.bz2"), **index_options: Any) -> Path:
        from cantil_tools._cli import build_channel

        descs = [descriptions] if isinstance(descriptions, Mapping) else list(descriptions)
        return build_channel(descs, tmp_path_factory.mktemp("channel"), formats=formats, **index_options)

    return make


@pytest.fixture
def channel_server() -> Iterator[Callable[..., ChannelServer]]:
    """`channel_server(path, *, token=None, auth=None, max_age=60) -> ChannelServer`, stopped after the test."""
    servers: list[ChannelServer] = []

    def start(path: Path | str, **options: Any) -> ChannelServer:
        from cantil_tools.server import ChannelServer

        server = ChannelServer(path, **options)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def sample_channel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled sample ecosystem, built and indexed once per session (per xdist worker). Treat it as read-only."""
    from cantil_tools._cli import build_channel
    from cantil_tools.sample import sample_channel_description

    return build_channel(sample_channel_description(), tmp_path_factory.mktemp("sample-channel"))


@pytest.fixture
def sample_channel_copy(sample_channel: Path, tmp_path: Path) -> Path:
    """A private copy of the sample channel that a test may change."""
    return Path(shutil.copytree(sample_channel, tmp_path / "sample-channel"))


@pytest.fixture
def run_cantil(tmp_path: Path) -> CantilRunner:
    """`run_cantil(*args, env=None, input=None) -> CompletedProcess[str]`; `.home`, `.root_prefix`, `.pkgs_dir`,
    `.condarc`, `.env` describe the isolated setup."""
    return CantilRunner(tmp_path / "cantil-run")

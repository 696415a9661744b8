"""Shared fixtures: the real data beside the repository (../shared/data), required, never skipped."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from cantil.repodata import Index
    from cantil_tools.server import ChannelServer

ROOT = Path(__file__).resolve().parents[3]
DATA = ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def data_dir() -> Path:
    if not (DATA / "README.md").is_file():
        pytest.fail(f"the shared test data is missing: {DATA} (it must sit beside the clone)")
    return DATA


PACKAGES = [
    {"name": "a", "version": "1.0", "depends": ["b >=1"]},
    {"name": "b", "version": "1.0", "depends": ["c"]},
    {"name": "c", "version": "1.0"},
    {"name": "d", "version": "1.0", "depends": ["c"]},
    {"name": "e", "version": "1.0", "noarch": "generic"},
]


@pytest.fixture(scope="session")
def _built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from cantil_tools.build import build_package

    root = tmp_path_factory.mktemp("built")
    for desc in PACKAGES:
        build_package(desc, root)
    return root


@pytest.fixture
def channel_dir(_built: Path, tmp_path: Path) -> Path:
    """A fresh copy of a small channel (a -> b -> c, d -> c, e noarch), indexed with every format."""
    import shutil

    from cantil_tools.index import index_channel

    root = tmp_path / "channel"
    shutil.copytree(_built, root)
    index_channel(root)
    return root


@pytest.fixture
def server(channel_dir: Path) -> Iterator[ChannelServer]:
    from cantil_tools.server import ChannelServer

    with ChannelServer(channel_dir) as srv:
        yield srv


@pytest.fixture
def cache_dir(tmp_path: Path) -> Path:
    return tmp_path / "pkgs" / "cache"


def make_index(url: str, cache_dir: Path, subdirs: Sequence[str] = ("linux-64", "noarch"), **kw: Any) -> Index:
    from cantil.repodata import Index, RepodataSettings
    from cantil.specs import Channel

    kw.setdefault("remote_backoff_factor", 0.0)
    return Index([Channel(url)], list(subdirs), RepodataSettings(cache_dir, **kw))


@pytest.fixture
def index_for() -> Callable[..., Index]:
    return make_index

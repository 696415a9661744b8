"""Fixtures for cantil-link: channels built by cantil-tools and served over loopback HTTP, the real conda-built
channels in ../shared/data/channels, a download callable, a test activation prelude, a recording reporter."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from cantil.link import LinkSettings, PackageCache, Reporter, Transaction
from cantil.specs import PackageRecord
from cantil_tools.build import build_package
from cantil_tools.index import index_channel
from cantil_tools.server import ChannelServer

ROOT = next(p for p in Path(__file__).resolve().parents if (p / "noxfile.py").is_file())
DATA = ROOT.parent / "shared" / "data"
RECIPES = DATA / "channels" / "conda-test-recipes"
FORMAT_REPO = DATA / "channels" / "conda-format-repo"


@pytest.fixture(scope="session")
def data_dir() -> Path:
    assert DATA.is_dir(), f"the shared test data is missing: {DATA} (tests need ../shared/data beside the clone)"
    return DATA


def http_download(url: str, dest: Path, *, size: int | None = None, sha256: str | None = None,
                  md5: str | None = None) -> None:
    """The download callable the tests pass in (cantil-repodata's Downloader in production)."""
    with urllib.request.urlopen(url, timeout=30) as r, open(dest, "wb") as f:
        shutil.copyfileobj(r, f)


def records_of(channel_dir: Path, base_url: str, channel: str) -> dict[str, PackageRecord]:
    """fn -> PackageRecord for every package of every subdir of an indexed channel folder."""
    out: dict[str, PackageRecord] = {}
    for rd_path in sorted(channel_dir.glob("*/repodata.json")):
        rd = json.loads(rd_path.read_text())
        subdir = rd_path.parent.name
        for key in ("packages", "packages.conda"):
            for fn, data in (rd.get(key) or {}).items():
                out[fn] = PackageRecord.from_repodata(fn, data, channel=channel, subdir=subdir, base_url=base_url)
    return out


class Channel:
    """A channel folder built with cantil-tools, served over loopback HTTP."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        (root / "noarch").mkdir(exist_ok=True)
        self.server = ChannelServer(root)
        self._records: dict[str, PackageRecord] = {}

    def build(self, *descs: Mapping[str, Any], formats: tuple[str, ...] = ("conda", "tar.bz2")) -> list[Path]:
        out = []
        for d in descs:
            out += build_package(d, self.root, formats=formats)
        index_channel(self.root, shards=False, jlap=False, zst=False, bz2=False, current=False)
        self._records = records_of(self.root, self.server.url, "test-channel")
        return out

    def record(self, name: str, version: str | None = None, *, fmt: str = ".conda") -> PackageRecord:
        found = [r for fn, r in self._records.items() if r.name == name and fn.endswith(fmt)
                 and (version is None or r.version == version)]
        assert found, f"no {name} {version} {fmt} in the test channel"
        return found[-1]


@pytest.fixture
def channel(tmp_path: Path) -> Iterator[Channel]:
    ch = Channel(tmp_path / "channel")
    yield ch
    ch.server.stop()


@pytest.fixture(scope="session")
def recipes_server(data_dir: Path) -> Iterator[ChannelServer]:
    with ChannelServer(RECIPES) as server:
        yield server


@pytest.fixture(scope="session")
def recipes(recipes_server: ChannelServer) -> dict[str, PackageRecord]:
    """name-version -> record of the real conda-test-recipes packages (noarch)."""
    recs = records_of(RECIPES, recipes_server.url, "conda-test-recipes")
    return {f"{r.name}-{r.version}": r for fn, r in recs.items() if r.subdir == "noarch"}


def prelude(prefix: Path) -> str:
    """A small activation of our own (the real one comes from cantil-activate through the CLI)."""
    return (
        "_test_activate() {\n"
        f'  export CONDA_PREFIX="{prefix}"\n'
        f'  export PATH="{prefix}/bin:$PATH"\n'
        "  local f\n"
        f'  for f in "{prefix}"/etc/conda/activate.d/*.sh; do\n'
        '    [ -f "$f" ] && . "$f"\n'
        "  done\n"
        "}\n"
        "_test_activate\n"
    )


class Recorder(Reporter):
    def __init__(self) -> None:
        self.warnings: list[str] = []
        self.messages: list[tuple[str, str, str]] = []
        self.outputs: list[tuple[str, str, str]] = []
        self.phases: list[str] = []

    def warning(self, message: str) -> None:
        self.warnings.append(message)

    def message(self, package: str, text: str, kind: str) -> None:
        self.messages.append((package, text, kind))

    def script_output(self, package: str, action: str, output: str) -> None:
        self.outputs.append((package, action, output))

    def phase(self, name: str) -> None:
        self.phases.append(name)


class Env:
    """A prefix, a cache, and helpers to run transactions on it."""

    def __init__(self, tmp: Path) -> None:
        self.prefix = tmp / "env"
        self.pkgs = tmp / "pkgs"
        self.cache = PackageCache([self.pkgs])
        self.registry = tmp / "home" / ".conda" / "environments.txt"
        self.reporter = Recorder()

    def settings(self, **kw: Any) -> LinkSettings:
        kw.setdefault("environments_txt", self.registry)
        return LinkSettings(**kw)

    def transaction(self, *, link: list[PackageRecord] = (), unlink_names: list[str] = (),  # type: ignore[assignment]
                    settings: LinkSettings | None = None, specs: list[str] | None = None, **kw: Any) -> Transaction:
        from cantil.link import PrefixData

        installed = PrefixData(self.prefix).records()
        unlink = [installed[n] for n in unlink_names]
        return Transaction.prepare(self.prefix, unlink=unlink, link=link, cache=self.cache, download=http_download,
                                   settings=settings or self.settings(), activation_prelude=prelude,
                                   reporter=self.reporter,
                                   requested_specs=specs if specs is not None else [r.name for r in link], **kw)

    def install(self, *records: PackageRecord, **kw: Any) -> Transaction:
        tx = self.transaction(link=list(records), **kw)
        tx.execute()
        return tx

    def remove(self, *names: str, **kw: Any) -> Transaction:
        tx = self.transaction(unlink_names=list(names), specs=[], removed_specs=list(names), **kw)
        tx.execute()
        return tx

    def names(self) -> set[str]:
        from cantil.link import PrefixData

        return set(PrefixData(self.prefix).records())


@pytest.fixture
def env(tmp_path: Path) -> Env:
    return Env(tmp_path)


def tree(root: Path) -> dict[str, tuple[str, int, str]]:
    """Every entry under root: kind, permission bits, and sha256 (files) or target (links)."""
    out: dict[str, tuple[str, int, str]] = {}
    if not root.exists():
        return out
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            rel = str(p.relative_to(root))
            st = p.lstat()
            if stat.S_ISLNK(st.st_mode):
                out[rel] = ("link", 0, os.readlink(p))
            elif stat.S_ISDIR(st.st_mode):
                out[rel] = ("dir", stat.S_IMODE(st.st_mode), "")
            else:
                out[rel] = ("file", stat.S_IMODE(st.st_mode), hashlib.sha256(p.read_bytes()).hexdigest())
    return out


@pytest.fixture(scope="session")
def helpers(data_dir: Path) -> SimpleNamespace:
    """Helper functions for test modules (with --import-mode=importlib they cannot import conftest)."""
    return SimpleNamespace(tree=tree, http_download=http_download, prelude=prelude, Recorder=Recorder, Env=Env,
                           records_of=records_of, DATA=data_dir, RECIPES=RECIPES, FORMAT_REPO=FORMAT_REPO, ROOT=ROOT)

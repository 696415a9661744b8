"""`load_channel(dir) -> RecordSource`: read local channel folders the way cantil-repodata reads a channel.

Rules (conda's): every `<subdir>/repodata.json` (else `.json.zst`, else `.json.bz2`) is read; a record without
`subdir` gets the repodata's `info.subdir` (else the folder name); when the same package is listed as `.conda` and
`.tar.bz2`, the `.conda` wins (unless `use_only_tar_bz2`); `info.base_url` (CEP 15; absolute, or relative to the
subdir URL) replaces `<channel url>/<subdir>/` in each record's url. Records are turned into PackageRecords lazily,
one name at a time, so a 5,000-record channel costs one JSON parse.
"""

from __future__ import annotations

import bz2
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

from cantil_tools.errors import ChannelError

if TYPE_CHECKING:
    from cantil.specs import PackageRecord

__all__ = ["LocalChannels", "load_channel"]


def _read_repodata(subdir: Path) -> dict[str, Any] | None:
    for name in ("repodata.json", "repodata.json.zst", "repodata.json.bz2"):
        path = subdir / name
        if not path.is_file():
            continue
        data = path.read_bytes()
        try:
            if name.endswith(".zst"):
                import zstandard

                data = zstandard.ZstdDecompressor().decompressobj().decompress(data)
            elif name.endswith(".bz2"):
                data = bz2.decompress(data)
            value = json.loads(data)
        except Exception as err:
            raise ChannelError(str(path), f"unreadable repodata: {err}") from err
        if not isinstance(value, dict):
            raise ChannelError(str(path), "repodata is not a JSON object")
        return value
    return None


class LocalChannels:
    """A RecordSource over one or more local channel folders (priority = position in the list)."""

    def __init__(self, dirs: Sequence[Path], *, subdirs: Sequence[str] | None = None,
                 channels: Sequence[str] | None = None, use_only_tar_bz2: bool = False) -> None:
        self.dirs = [Path(d).resolve() for d in dirs]
        self.channels = list(channels) if channels else [d.as_uri() for d in self.dirs]
        if len(self.channels) != len(self.dirs):
            raise ValueError("give one channel name per folder")
        self._priority = {name: i for i, name in reversed(list(enumerate(self.channels)))}
        # name -> [(channel index, subdir, fn, raw record, base url)]
        self._raw: dict[str, list[tuple[int, str, str, Mapping[str, Any], str]]] = {}
        self._records: dict[str, tuple[PackageRecord, ...]] = {}
        for i, root in enumerate(self.dirs):
            if not root.is_dir():
                raise ChannelError(str(root), "no such channel folder")
            names = subdirs if subdirs is not None else sorted(p.name for p in root.iterdir() if p.is_dir())
            for sub in names:
                repodata = _read_repodata(root / sub)
                if repodata is not None:
                    self._add(i, root, sub, repodata, use_only_tar_bz2)

    def _add(self, i: int, root: Path, sub: str, repodata: Mapping[str, Any], only_bz2: bool) -> None:
        info = repodata.get("info") or {}
        subdir = info.get("subdir") or sub
        channel_url = self.channels[i] if "://" in self.channels[i] else root.as_uri()
        base = info.get("base_url")
        pkg_base = urljoin(f"{channel_url}/{sub}/", base).rstrip("/") if base else f"{channel_url}/{sub}"
        conda = {} if only_bz2 else dict(repodata.get("packages.conda") or {})
        stems = {fn[: -len(".conda")] for fn in conda}
        entries = [(fn, rec) for fn, rec in (repodata.get("packages") or {}).items()
                   if fn[: -len(".tar.bz2")] not in stems]
        for fn, rec in [*entries, *conda.items()]:
            name = rec.get("name") if isinstance(rec, Mapping) else None
            if not isinstance(name, str):
                raise ChannelError(f"{root / sub}/repodata.json", f"record {fn!r} has no name")
            self._raw.setdefault(name, []).append((i, subdir, fn, rec, pkg_base))

    def records(self, name: str) -> Sequence[PackageRecord]:
        cached = self._records.get(name)
        if cached is None:
            from cantil.specs import PackageRecord

            out = []
            for i, subdir, fn, rec, pkg_base in sorted(self._raw.get(name, ()), key=lambda e: e[0]):
                out.append(PackageRecord.from_repodata(fn, {**rec, "url": f"{pkg_base}/{fn}"},
                                                       channel=self.channels[i], subdir=subdir))
            cached = self._records[name] = tuple(out)
        return cached

    def priority(self, record: PackageRecord) -> int:
        return self._priority.get(record.channel, len(self.channels))

    def prefetch(self, names: Iterable[str]) -> None:
        return None

    def names(self) -> set[str]:
        return set(self._raw)

    def all_records(self) -> list[PackageRecord]:
        return [r for n in sorted(self._raw) for r in self.records(n)]

    def __len__(self) -> int:
        return sum(len(v) for v in self._raw.values())

    def __repr__(self) -> str:
        return f"LocalChannels({[str(d) for d in self.dirs]!r})"


def load_channel(dirs: Path | str | Sequence[Path | str], *, subdirs: Sequence[str] | None = None,
                 channels: Sequence[str] | None = None, use_only_tar_bz2: bool = False) -> LocalChannels:
    """A RecordSource over local channel folder(s) such as ../shared/data/repodata/defaults-index4.

    `channels` names each folder (default: its file:// URL); `subdirs` limits the subdirs read (default: all).
    """
    folders = [dirs] if isinstance(dirs, str | Path) else list(dirs)
    return LocalChannels([Path(d) for d in folders], subdirs=subdirs, channels=channels,
                         use_only_tar_bz2=use_only_tar_bz2)

"""Per-name shard loading for one sharded channel subdir: memory, then the shard cache, then the network.

Shards are immutable (named by their sha256), so a cached shard never needs revalidation: the cache file is
`cache/cantil-shards/<sha256>.msgpack.zst`, written atomically and only when the bytes hash to their name. A cached
file that does not parse is dropped and fetched again. file:// channels are read in place, never cached. Offline, a
shard that is not cached raises OfflineError naming the channel and the package.

Thread-safe: `prefetch` calls `get` from many threads; one lock per name keeps a shard from being fetched twice.
"""

from __future__ import annotations

import contextlib
import threading

from ._cache import atomic_write
from ._fetch import SubdirSource
from ._prepared import group_rows
from ._records import Row
from ._reporter import Reporter
from ._settings import RepodataSettings
from ._shards import parse_shard, shard_ok
from ._transport import Transport, is_file_url
from .errors import HTTPError, OfflineError, RepodataCorrupt, redact_url

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["ShardLoader"]

Pairs = tuple[Row, ...]


class ShardLoader:
    def __init__(self, src: SubdirSource, transport: Transport, settings: RepodataSettings,
                 reporter: Reporter) -> None:
        assert src.shards is not None
        self.src = src
        self.index = src.shards
        self.t = transport
        self.s = settings
        self.reporter = reporter
        self._loaded: dict[str, Pairs] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def needs(self, name: str) -> bool:
        return name in self.index.shards and name not in self._loaded

    def _lock(self, name: str) -> threading.Lock:
        with self._guard:
            lock = self._locks.get(name)
            if lock is None:
                lock = self._locks[name] = threading.Lock()
            return lock

    def get(self, name: str) -> Pairs:
        hit = self._loaded.get(name)
        if hit is not None:
            return hit
        hexdigest = self.index.shard_hex(name)
        if hexdigest is None:
            return ()
        with self._lock(name):
            hit = self._loaded.get(name)
            if hit is not None:
                return hit
            shard = self._read(name, hexdigest)
            groups = group_rows(shard, use_only_tar_bz2=self.s.use_only_tar_bz2)
            pairs: Pairs = tuple(groups.get(name, ()))
            self._loaded[name] = pairs
            return pairs

    def _read(self, name: str, hexdigest: str) -> dict[str, Any]:
        url = self.index.shard_url(name)
        if is_file_url(url):
            result = self.t.get_bytes(url)
            if result.status != 200:
                raise RepodataCorrupt(redact_url(url), f"shard of {name!r} is missing")
            return self._parse(result.body, url, name)
        path = self.src.entry.shard_path(hexdigest)
        with contextlib.suppress(OSError, RepodataCorrupt):
            return self._parse(path.read_bytes(), str(path), name)
        if self.s.offline:
            raise OfflineError(self.src.channel, f"shard of {name!r} ({self.src.subdir}) is not cached",
                               hint="run once online, or drop --offline")
        result = self.t.get_bytes(url)
        if result.status != 200:
            hint = "the channel needs credentials or a valid token" if result.status in (401, 403) else None
            raise HTTPError(url, result.status, f"shard of {name!r}", hint=hint)
        shard = self._parse(result.body, url, name)
        if shard_ok(result.body, hexdigest):
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(path, result.body)
        self.reporter.shards_fetched(redact_url(self.src.url), 1)
        return shard

    @staticmethod
    def _parse(data: bytes, where: str, name: str) -> dict[str, Any]:
        try:
            return parse_shard(data)
        except ValueError as err:
            raise RepodataCorrupt(redact_url(where), f"shard of {name!r}: {err}") from err

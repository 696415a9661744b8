"""Index: the RecordSource the solver pulls records from, name by name, across channels in priority order.

`load()` (called by the first query when the caller did not) refreshes every (channel, subdir) in parallel
(`repodata_threads`). Records are built only for the names asked for: a prepared index answers a name with one
binary search and one unmarshal; a sharded channel fetches that name's shard (from the shard cache, else the
network). `prefetch(names)` fetches many shards at once; `closure(names)` walks depends to the full set of
reachable names, a wave of parallel fetches per depth.

Errors: a `noarch` 404 (UnavailableInvalidChannel), 401/403, 5xx and corrupt data raise from `load()`; offline with
nothing cached for ANY subdir of a channel raises OfflineError naming it (a single missing platform subdir is
empty). With `repodata_fn` other than repodata.json (e.g. current_repodata.json), a subdir lacking that file is read
from repodata.json instead.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterable, Sequence

from ._cache import REPODATA_FN
from ._fetch import SubdirFetcher, SubdirSource
from ._parallel import run_parallel
from ._records import make_records
from ._reporter import Reporter
from ._settings import RepodataSettings
from ._shardfetch import ShardLoader
from ._transport import Transport
from .errors import CacheNotWritable, OfflineError, RepodataError, UnavailableInvalidChannel

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from cantil.specs import Channel, MatchSpec, PackageRecord

__all__ = ["Index"]


_DEP_NAMES: dict[str, str] = {}


def dep_name(spec: str) -> str:
    """The package name of a depends string (`"python >=3.8"` -> `python`), cheaply (memoised)."""
    hit = _DEP_NAMES.get(spec)
    if hit is not None:
        return hit
    name = spec.split(None, 1)[0] if spec else ""
    for ch in "<>=!~[":
        i = name.find(ch)
        if i > 0:
            name = name[:i]
    if "::" in name:
        name = name.rsplit("::", 1)[1]
    if len(_DEP_NAMES) < 200_000:
        _DEP_NAMES[spec] = name
    return name


class Index:
    """Repodata of `channels` x `subdirs`, implementing cantil.specs.RecordSource."""

    def __init__(self, channels: Sequence[Channel], subdirs: Sequence[str], settings: RepodataSettings,
                 *, session: Any = None, reporter: Reporter | None = None) -> None:
        self.channels = list(channels)
        self.subdirs = list(dict.fromkeys(subdirs))
        self.settings = settings
        self.reporter = reporter or Reporter()
        self._transport = Transport(settings, session=session, reporter=self.reporter)
        self._sources: list[SubdirSource] | None = None
        self._loaders: dict[int, ShardLoader] = {}
        self._priority: dict[str, int] = {}
        self._records: dict[str, tuple[PackageRecord, ...]] = {}
        self._lock = threading.RLock()
        # a multichannel (defaults) stands for its members, which share its priority (as in conda)
        self._members: list[tuple[int, Channel]] = []
        for i, ch in enumerate(self.channels):
            members = ch.settings.expand(ch.name) if getattr(ch, "is_multichannel", False) else [ch]
            for member in members:
                self._members.append((i, member))
                self._priority.setdefault(member.name, i)

    # -- loading ---------------------------------------------------------------------------------------------------
    def _threads(self, jobs: int) -> int:
        return max(1, min(jobs, self.settings.repodata_threads or 8))

    def _jobs(self) -> list[tuple[int, Channel, str, str, str]]:
        jobs = []
        for i, ch in self._members:
            plain = ch.urls(self.subdirs)
            cred = ch.urls(self.subdirs, with_credentials=True)
            for url, url_c in zip(plain, cred, strict=True):
                jobs.append((i, ch, url.rstrip("/").rsplit("/", 1)[1], url, url_c))
        return jobs

    def _fetch_one(self, ch: Channel, subdir: str, url: str, url_c: str) -> SubdirSource:
        try:
            return self._fetch_subdir(ch, subdir, url, url_c)
        except OSError as err:   # the cache folder: permissions, read-only or full disk
            raise CacheNotWritable(str(self.settings.cache_dir), err.strerror or str(err)) from err

    def _fetch_subdir(self, ch: Channel, subdir: str, url: str, url_c: str) -> SubdirSource:
        fetcher = SubdirFetcher(self._transport, self.settings, ch.name, url, url_w_credentials=url_c, subdir=subdir,
                                reporter=self.reporter)
        try:
            return fetcher.load()
        except UnavailableInvalidChannel:
            if self.settings.repodata_fn == REPODATA_FN:
                raise
            fallback = SubdirFetcher(self._transport, self.settings, ch.name, url, url_w_credentials=url_c,
                                     subdir=subdir, repodata_fn=REPODATA_FN, reporter=self.reporter)
            return fallback.load()

    def load(self) -> None:
        """Refresh (or read from the cache) every channel subdir, in parallel. Idempotent."""
        with self._lock:
            if self._sources is not None:
                return
            jobs = self._jobs()
            results: list[SubdirSource | BaseException] = []
            if len(jobs) <= 1:
                for _, ch, subdir, url, url_c in jobs:
                    try:
                        results.append(self._fetch_one(ch, subdir, url, url_c))
                    except RepodataError as err:
                        results.append(err)
            else:
                calls = [functools.partial(self._fetch_one, ch, subdir, url, url_c) for _, ch, subdir, url, url_c in jobs]
                for res in run_parallel(calls, self._threads(len(jobs)), "cantil-repodata"):
                    if isinstance(res, BaseException) and not isinstance(res, RepodataError):
                        raise res
                    results.append(res)
            sources: list[SubdirSource] = []
            by_channel: dict[int, list[SubdirSource | BaseException]] = {}
            for (i, *_), res in zip(jobs, results, strict=True):
                by_channel.setdefault(i, []).append(res)
            for i in sorted(by_channel):
                outcome = by_channel[i]
                errors = [r for r in outcome if isinstance(r, BaseException)]
                hard = [e for e in errors if not isinstance(e, OfflineError)]
                if hard:
                    raise hard[0]
                if errors and len(errors) == len(outcome):
                    ch = self.channels[i]
                    raise OfflineError(ch.name, "no cached repodata",
                                       hint="run once online, or drop --offline") from errors[0]
                sources.extend(r for r in outcome if isinstance(r, SubdirSource))
            for n, src in enumerate(sources):
                if src.shards is not None:
                    self._loaders[n] = ShardLoader(src, self._transport, self.settings, self.reporter)
            self._sources = sources

    @property
    def sources(self) -> list[SubdirSource]:
        """Each loaded channel subdir (how it was obtained in `.how`), in priority order."""
        self.load()
        assert self._sources is not None
        return self._sources

    # -- RecordSource ------------------------------------------------------------------------------------------------
    def records(self, name: str) -> Sequence[PackageRecord]:
        """Every record named `name`, channels in priority order (then subdirs in the order given)."""
        hit = self._records.get(name)
        if hit is not None:
            return hit
        out: list[PackageRecord] = []
        for n, src in enumerate(self.sources):
            loader = self._loaders.get(n)
            if loader is not None:
                pairs = loader.get(name)
            elif src.prepared is not None:
                pairs = src.prepared.get(name)
            else:
                continue
            if pairs:
                out.extend(make_records(pairs, src.channel, src.subdir, src.package_base_url))
        result = tuple(out)
        self._records[name] = result
        return result

    def priority(self, record: PackageRecord) -> int:
        """0 for the first channel; records of an unknown channel sort last."""
        return self._priority.get(record.channel, len(self.channels))

    def prefetch(self, names: Iterable[str]) -> None:
        """Fetch the shards of many names at once (prepared indexes need nothing)."""
        wanted = [n for n in dict.fromkeys(names) if n not in self._records]
        if not wanted:
            return
        self.load()
        tasks = [(loader, name) for loader in self._loaders.values() for name in wanted if loader.needs(name)]
        if not tasks:
            return
        if len(tasks) == 1:
            tasks[0][0].get(tasks[0][1])
            return
        calls = [functools.partial(loader.get, name) for loader, name in tasks]
        for res in run_parallel(calls, self._threads(len(tasks)), "cantil-shards"):
            if isinstance(res, BaseException):
                raise res

    # -- extras ------------------------------------------------------------------------------------------------------
    def names(self) -> set[str]:
        """Every package name in every channel subdir (for did-you-mean hints and `search`)."""
        out: set[str] = set()
        for src in self.sources:
            if src.shards is not None:
                out.update(src.shards.shards)
            elif src.prepared is not None:
                out.update(src.prepared.names())
        return out

    def closure(self, names: Iterable[str]) -> set[str]:
        """`names` and every name reachable from them through depends, fetching each depth in parallel."""
        seen: set[str] = set()
        wave = list(dict.fromkeys(names))
        while wave:
            seen.update(wave)
            self.prefetch(wave)
            nxt: dict[str, None] = {}
            for name in wave:
                for rec in self.records(name):
                    for dep in rec.depends:
                        dn = dep_name(dep)
                        if dn and dn not in seen:
                            nxt[dn] = None
            wave = list(nxt)
        return seen

    def query(self, spec: MatchSpec | str) -> list[PackageRecord]:
        """Records matching `spec` (a name glob like `num*` searches every name)."""
        from fnmatch import fnmatchcase

        from cantil.specs import MatchSpec

        ms = spec if isinstance(spec, MatchSpec) else MatchSpec(spec)
        if any(c in ms.name for c in "*?["):
            names = sorted(n for n in self.names() if fnmatchcase(n, ms.name))
            self.prefetch(names)
        else:
            names = [ms.name]
        return [rec for name in names for rec in self.records(name) if ms.match(rec)]

    def close(self) -> None:
        for src in self._sources or ():
            if src.prepared is not None:
                src.prepared.close()

"""Refresh one subdir of one channel: choose the source, talk HTTP, update the cache, return what it holds.

Order (DESIGN.md): CEP 16 shards (`repodata_shards.msgpack.zst`; `has_shards` remembered) -> JLAP update of the
cached full file (`repodata.jlap`; `has_jlap`) -> `repodata.json.zst` (`has_zst`) -> `.json.bz2` (`has_bz2`) ->
`.json`. A format the server lacked (4xx) is skipped for 7 days (`last_checked`), as conda does. A cached file is
used without any request while fresh (`local_repodata_ttl` / `Cache-Control: max-age`); when stale, ETag and
Last-Modified are sent back and a 304 only moves `refresh_ns` on.

Failures: 401/403 stop at once (with a hint about tokens); 5xx and connection errors were already retried by the
transport, then raise HTTPError; bad zstd/bz2 falls through to the next format; invalid JSON or HTML raises
RepodataCorrupt. Nothing replaces the cached file before the new one parsed. A 404 on `.json` means an empty
platform subdir (cached as `{}`, as conda does) or, on `noarch`, no channel at all (UnavailableInvalidChannel).

Concurrency: a refresh holds the key's `.cantil-lock` (flock): a second process waits, re-reads the state and
usually finds the cache fresh. Offline mode never reaches the transport for http(s) URLs.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping
from pathlib import Path

from ._cache import REPODATA_FN, CacheEntry, RepodataState
from ._jlap import blake2_256
from ._jlap_step import try_jlap
from ._prepared import PreparedIndex, build_prepared, parse_repodata
from ._reporter import Reporter
from ._settings import RepodataSettings
from ._shards import ShardIndex, parse_shard_index
from ._transport import Result, Transport, file_url_path, is_file_url
from .errors import HTTPError, OfflineError, RepodataCorrupt, RepodataError, UnavailableInvalidChannel, redact_url

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["SubdirFetcher", "SubdirSource", "package_base_url"]

SHARDS_FN = "repodata_shards.msgpack.zst"
SNIPPET = 32


class SubdirSource:
    """What one channel subdir provides: a prepared index (full repodata) or a shard index, or nothing.

    `url` is the subdir URL without credentials; `how` one of cache, not-modified, shards, jlap, zst, bz2, json,
    file, empty; `package_base_url` ends with "/" ("" = the subdir URL).
    """

    __slots__ = ("channel", "entry", "how", "package_base_url", "prepared", "shards", "subdir", "url",
                 "url_w_credentials")

    def __init__(self, *, channel: str, subdir: str, url: str, url_w_credentials: str, entry: CacheEntry, how: str,
                 prepared: PreparedIndex | None = None, shards: ShardIndex | None = None,
                 package_base_url: str = "") -> None:
        self.channel = channel
        self.subdir = subdir
        self.url = url
        self.url_w_credentials = url_w_credentials
        self.entry = entry
        self.how = how
        self.prepared = prepared
        self.shards = shards
        self.package_base_url = package_base_url

    def __repr__(self) -> str:
        return f"SubdirSource({self.channel!r}, {self.subdir!r}, how={self.how!r})"


def _token_hint(status: int) -> str:
    if status == 401:
        return "the channel needs credentials, or the token/password given is wrong: check the channel URL (/t/<token>/), .netrc"
    return "you may lack access to this channel: check its token (/t/<token>/) or credentials"


class SubdirFetcher:
    """Fetches one (channel, subdir); `load()` returns its SubdirSource."""

    def __init__(self, transport: Transport, settings: RepodataSettings, channel: str, url: str, *,
                 url_w_credentials: str, subdir: str, repodata_fn: str | None = None,
                 reporter: Reporter | None = None) -> None:
        self.t = transport
        self.s = settings
        self.channel = channel
        self.url = url.rstrip("/")
        self.url_c = url_w_credentials.rstrip("/")
        self.subdir = subdir
        self.fn = repodata_fn or settings.repodata_fn
        self.reporter = reporter or Reporter()
        self.entry = CacheEntry(settings.cache_dir, self.url_c, self.fn, use_only_tar_bz2=settings.use_only_tar_bz2)

    # -- results -------------------------------------------------------------------------------------------------
    def _source(self, how: str, **kw: Any) -> SubdirSource:
        return SubdirSource(channel=self.channel, subdir=self.subdir, url=self.url, url_w_credentials=self.url_c,
                            entry=self.entry, how=how, **kw)

    def _prepared(self, json_path: Path, data: Mapping[str, Any] | None = None) -> PreparedIndex:
        """The prepared index of `json_path`, rebuilt when it was made from another file."""
        st = json_path.stat()
        tar = self.s.use_only_tar_bz2
        with contextlib.suppress(OSError, ValueError):
            pi = PreparedIndex(self.entry.prepared_path)
            if pi.matches(st.st_size, st.st_mtime_ns, tar):
                return pi
            pi.close()
        if data is None:
            data = parse_repodata(json_path.read_bytes(), str(json_path))
        self.entry.cache_dir.mkdir(parents=True, exist_ok=True)
        build_prepared(data, self.entry.prepared_path, source_size=st.st_size, source_mtime_ns=st.st_mtime_ns,
                       use_only_tar_bz2=tar)
        return PreparedIndex(self.entry.prepared_path)

    def _from_json(self, how: str, data: Mapping[str, Any] | None = None) -> SubdirSource:
        pi = self._prepared(self.entry.json_path, data)
        return self._source(how, prepared=pi, package_base_url=self._package_base(pi.info))

    def _package_base(self, info: Mapping[str, Any]) -> str:
        """Where package files are (CEP 15 `base_url`, relative to the subdir URL), without credentials."""
        base = info.get("base_url") if isinstance(info, Mapping) else None
        return package_base_url(self.url, base if isinstance(base, str) else "")

    def _from_shards(self, how: str, raw: bytes, url: str) -> SubdirSource:
        try:
            index = parse_shard_index(raw, url)
        except ValueError as err:
            raise RepodataCorrupt(redact_url(url), str(err)) from err
        return self._source(how, shards=index, package_base_url=self._package_base(index.info))

    def _cached(self, state: RepodataState) -> SubdirSource | None:
        """The cached data if it is whole and consistent with its state; else None."""
        if (self.s.shards and self.fn == REPODATA_FN and state.has_format("shards")[0] and state.get("has_shards")
                and state.matches(self.entry.shards_index_path)):
            with contextlib.suppress(OSError, RepodataCorrupt):
                return self._from_shards("cache", self.entry.shards_index_path.read_bytes(), self._shards_url())
        if state.matches(self.entry.json_path):
            with contextlib.suppress(OSError, RepodataCorrupt):
                return self._from_json("cache")
        return None

    def _shards_url(self) -> str:
        return f"{self.url_c}/{SHARDS_FN}"

    # -- entry point ---------------------------------------------------------------------------------------------
    def load(self) -> SubdirSource:
        self.reporter.fetch_start(redact_url(self.url))
        src = self._load_file() if is_file_url(self.url_c) else self._load_http()
        self.reporter.fetch_end(redact_url(self.url), src.how)
        return src

    def _load_http(self) -> SubdirSource:
        state = self.entry.read_state()
        if self.s.offline:
            cached = self._cached(state)
            if cached is None:
                raise OfflineError(self.channel, f"no cached repodata for {self.subdir}",
                                   hint="run once online, or drop --offline")
            return cached
        max_age = self.s.max_age(state.text("cache_control"))
        if state.fresh(max_age) and (cached := self._cached(state)) is not None:
            return cached
        with self.entry.refresh_lock():
            state = self.entry.read_state()   # another process may have refreshed while we waited
            if state.fresh(self.s.max_age(state.text("cache_control"))) and (cached := self._cached(state)):
                return cached
            return self._refresh(state)

    # -- HTTP ------------------------------------------------------------------------------------------------------
    def _conditional(self, state: RepodataState, path: Path) -> dict[str, str]:
        if not state.matches(path):
            return {}
        headers = {}
        if etag := state.text("etag"):
            headers["If-None-Match"] = etag
        if mod := state.text("mod"):
            headers["If-Modified-Since"] = mod
        return headers

    def _remember(self, state: RepodataState, result: Result, url: str) -> None:
        state["url"] = redact_url(url)
        state["etag"] = result.header("etag")
        state["mod"] = result.header("last-modified")
        state["cache_control"] = result.header("cache-control")

    def _not_modified(self, state: RepodataState, result: Result) -> None:
        if cc := result.header("cache-control"):
            state["cache_control"] = cc
        if etag := result.header("etag"):
            state["etag"] = etag
        self.entry.commit(state)

    def _progress(self, url: str) -> Callable[[int, int | None], None]:
        shown = redact_url(url)

        def hook(done: int, total: int | None) -> None:
            self.reporter.fetch_progress(shown, done, total)

        return hook

    def _fail(self, url: str, result: Result) -> HTTPError:
        status = result.status
        hint = _token_hint(status) if status in (401, 403) else (
            "the server failed; retry later" if status >= 500 else None)
        return HTTPError(url, status, hint=hint)

    def _refresh(self, state: RepodataState) -> SubdirSource:
        self.entry.cache_dir.mkdir(parents=True, exist_ok=True)
        shards_error: RepodataError | None = None
        if self.s.shards and self.fn == REPODATA_FN and state.should_check_format("shards"):
            try:
                src = self._try_shards(state)
            except (HTTPError, RepodataCorrupt) as err:
                if isinstance(err, HTTPError) and err.status in (401, 403):
                    raise
                shards_error = err
                src = None
            if src is not None:
                return src
        try:
            return self._monolithic(state)
        except HTTPError:
            if shards_error is not None and self.entry.shards_index_path.exists():
                raise shards_error from None
            raise

    def _try_shards(self, state: RepodataState) -> SubdirSource | None:
        url = self._shards_url()
        result = self.t.get_bytes(url, self._conditional(state, self.entry.shards_index_path))
        if result.status == 304:
            self._not_modified(state, result)
            return self._from_shards("not-modified", self.entry.shards_index_path.read_bytes(), url)
        if result.status == 200:
            src = self._from_shards("shards", result.body, url)   # validates before anything is replaced
            temp = self.entry.temp_path()
            temp.write_bytes(result.body)
            self._remember(state, result, url)
            state.set_has_format("shards", True)
            self.entry.commit(state, temp, self.entry.shards_index_path)
            return src
        if result.status in (401, 403):
            raise self._fail(url, result)
        if 400 <= result.status < 500:
            state.set_has_format("shards", False)
            return None
        raise self._fail(url, result)

    def _monolithic(self, state: RepodataState) -> SubdirSource:
        if (self.s.jlap and self.fn == REPODATA_FN and state.matches(self.entry.json_path)
                and state.get("blake2_256_nominal") and state.should_check_format("jlap")):
            src = try_jlap(self, state)
            if src is not None:
                return src
        base = f"{self.url_c}/{self.fn}"
        formats: list[tuple[str, str, str | None]] = [("zst", base + ".zst", "zst")]
        if self.fn == REPODATA_FN:
            formats.append(("bz2", base + ".bz2", "bz2"))
        formats.append(("json", base, None))
        for fmt, url, decode in formats:
            if fmt != "json" and not state.should_check_format(fmt):
                continue
            temp: Path | None = self.entry.temp_path()
            assert temp is not None
            try:
                try:
                    result, digest = self.t.get_to_file(
                        url, temp, headers=self._conditional(state, self.entry.json_path), decode=decode,
                        progress=self._progress(url))
                except RepodataCorrupt:
                    if fmt == "json":
                        raise
                    continue   # bad zstd/bz2 (or HTML under that name): try the next format
                if result.status == 304:
                    self._not_modified(state, result)
                    return self._from_json("not-modified")
                if result.status == 200:
                    src = self._commit_full(state, result, url, temp=temp, digest=digest, fmt=fmt)
                    temp = None
                    return src
                if result.status in (401, 403) or result.status >= 500:
                    raise self._fail(url, result)
                if fmt != "json":
                    state.set_has_format(fmt, False)
                    continue
                return self._missing(state, result, url)
            finally:
                if temp is not None:
                    with contextlib.suppress(OSError):
                        temp.unlink()
        raise AssertionError("unreachable")  # pragma: no cover

    def _commit_full(self, state: RepodataState, result: Result, url: str, *, temp: Path, digest: str,
                     fmt: str) -> SubdirSource:
        data = parse_repodata(temp.read_bytes(), redact_url(url))
        st = temp.stat()
        build_prepared(data, self.entry.prepared_path, source_size=st.st_size, source_mtime_ns=st.st_mtime_ns,
                       use_only_tar_bz2=self.s.use_only_tar_bz2)
        self._remember(state, result, url)
        if fmt != "json":
            state.set_has_format(fmt, True)
        state["blake2_256_nominal"] = state["blake2_256"] = digest
        state.pop("jlap", None)
        self.entry.commit(state, temp)
        return self._from_json(fmt, data)

    def _missing(self, state: RepodataState, result: Result, url: str) -> SubdirSource:
        if self.subdir == "noarch" or self.fn != REPODATA_FN:   # the Index retries another repodata_fn with repodata.json
            raise UnavailableInvalidChannel(self.channel, url, result.status,
                                            hint="check the channel name or URL")
        temp = self.entry.temp_path()
        temp.write_bytes(b"{}")
        self._remember(state, result, url)
        state["blake2_256_nominal"] = state["blake2_256"] = blake2_256(b"{}")
        self.entry.commit(state, temp)
        return self._from_json("empty", {})

    # -- file:// ---------------------------------------------------------------------------------------------------
    def _load_file(self) -> SubdirSource:
        folder = file_url_path(self.url_c)
        shards = folder / SHARDS_FN
        if self.s.shards and self.fn == REPODATA_FN and shards.is_file():
            return self._from_shards("file", shards.read_bytes(), f"{self.url_c}/{SHARDS_FN}")
        for name, decode in ((self.fn, None), (self.fn + ".zst", "zst"), (self.fn + ".bz2", "bz2")):
            path = folder / name
            if path.is_file():
                return self._from_local(path, decode)
        if self.subdir == "noarch" or self.fn != REPODATA_FN:
            raise UnavailableInvalidChannel(self.channel, f"{self.url}/{self.fn}", 404,
                                            hint=f"no {self.fn} in {folder}")
        return self._source("empty", prepared=None)

    def _from_local(self, path: Path, decode: str | None) -> SubdirSource:
        st = path.stat()
        tar = self.s.use_only_tar_bz2
        with contextlib.suppress(OSError, ValueError):
            pi = PreparedIndex(self.entry.prepared_path)
            if pi.matches(st.st_size, st.st_mtime_ns, tar):
                return self._source("file", prepared=pi, package_base_url=self._package_base(pi.info))
            pi.close()
        raw = path.read_bytes()
        if decode is not None:
            from ._shards import decompress_zstd

            try:
                raw = decompress_zstd(raw, 1 << 34) if decode == "zst" else _bunzip(raw)
            except (ValueError, OSError) as err:
                raise RepodataCorrupt(str(path), str(err)) from err
        data = parse_repodata(raw, str(path))
        self.entry.cache_dir.mkdir(parents=True, exist_ok=True)
        build_prepared(data, self.entry.prepared_path, source_size=st.st_size, source_mtime_ns=st.st_mtime_ns,
                       use_only_tar_bz2=tar)
        pi = PreparedIndex(self.entry.prepared_path)
        return self._source("file", prepared=pi, package_base_url=self._package_base(pi.info))


def package_base_url(subdir_url: str, base_url: str) -> str:
    """CEP 15: package files live at `base_url` (absolute, or relative to the subdir URL); default the subdir."""
    from urllib.parse import urljoin

    if not base_url:
        return subdir_url.rstrip("/") + "/"
    return urljoin(subdir_url.rstrip("/") + "/", base_url if base_url.endswith("/") else base_url + "/")


def _bunzip(raw: bytes) -> bytes:
    import bz2

    return bz2.decompress(raw)

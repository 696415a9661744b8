"""The repodata cache directory, in conda's layout, so conda reads our cache and we read conda's.

For a subdir URL (WITH credentials, as conda computes it) the key is `cache_fn_url(url)`: the first 8 hex digits of
the md5 of the URL with a trailing `/` (plus `repodata_fn` when it is not `repodata.json`). Files for key `abcd1234`:

    abcd1234.json            the full repodata, byte for byte as served (or as re-serialised after JLAP patches)
    abcd1234.info.json       state: url, etag, mod, cache_control, size, mtime_ns, refresh_ns, has_zst/has_jlap/
                             has_shards as {"value", "last_checked"}, jlap {iv, pos, footer, headers},
                             blake2_256_nominal (hash of the upstream file we are equivalent to), blake2_256 (on disk)
    abcd1234.msgpack.zst     the CEP 16 shard index, when the channel has one (state shared with the .json)
    abcd1234.cantil-index    ours: the prepared per-name index of the .json (see _prepared.py)
    abcd1234.cantil-lock     ours: held (flock) by the process refreshing this key; never replaced
    cantil-shards/<sha256>.msgpack.zst   ours: shards, immutable, named by their hash

With `use_only_tar_bz2` conda appends `1` to the stem (`abcd12341.json`): so do we.

Traps: the `.info.json` is only trusted when its `mtime_ns` and `size` match the `.json` on disk (another tool may
have replaced one without the other); conda also accepts the old underscore keys (`_etag`, `_mod`, ...). conda and
mamba lock byte 21 of the `.info.json` with `lockf`; POSIX record locks do not exclude threads of one process, so a
process-wide mutex is taken first.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import json
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import IO, Any

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

__all__ = ["CacheEntry", "RepodataState", "atomic_write", "cache_fn_url"]

REPODATA_FN = "repodata.json"
CHECK_ALTERNATE_FORMAT_INTERVAL = datetime.timedelta(days=7)
LOCK_BYTE = 21  # conda and mamba lock this byte of the .info.json
_ALIASES = {"_mod": "mod", "_etag": "etag", "_cache_control": "cache_control", "_url": "url"}
_STRINGS = ("mod", "etag", "cache_control", "url")


def cache_fn_url(url: str, repodata_fn: str = REPODATA_FN) -> str:
    """conda's cache file name for a subdir URL: `<8 hex of md5>.json`."""
    if not url.endswith("/"):
        url += "/"
    if repodata_fn != REPODATA_FN:
        url += repodata_fn
    return hashlib.md5(url.encode("utf-8"), usedforsecurity=False).hexdigest()[:8] + ".json"


def _umask() -> int:
    """The process umask, read without changing it where the OS allows (Linux), else set and restored."""
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


FILE_MODE = 0o666 & ~_umask()   # what open() would give: cache files are shared like conda's, not 0600


def make_temp(folder: Path, name: str) -> tuple[int, str]:
    """A new file `.<name>.<random>.tmp` in `folder`, created exclusively, as `(fd, path)`.

    What `tempfile.mkstemp` does, without importing `tempfile` (and `random`, `shutil`) on every command.
    """
    for _ in range(100):
        tmp = os.path.join(folder, f".{name}.{os.urandom(6).hex()}.tmp")
        try:
            fd = os.open(tmp, os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o600)
        except FileExistsError:
            continue
        break
    else:
        raise FileExistsError(f"no free temporary name for {name!r} in {folder}")
    if hasattr(os, "fchmod"):
        with contextlib.suppress(OSError):
            os.fchmod(fd, FILE_MODE)
    return fd, tmp


def atomic_write(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temp file in the same folder and `os.replace`."""
    fd, tmp = make_temp(path.parent, path.name)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _utcnow() -> datetime.datetime:
    return datetime.datetime.now(tz=datetime.timezone.utc)


class RepodataState(dict[str, "Any"]):
    """The `.info.json` content: a dict with conda's keys and a few helpers."""

    @classmethod
    def from_json(cls, data: Any) -> RepodataState:
        state = cls()
        if isinstance(data, dict):
            for key, value in data.items():
                key = _ALIASES.get(key, key)
                if key in _STRINGS and not isinstance(value, str):
                    value = ""
                state[key] = value
        return state

    def text(self, key: str) -> str:
        value = self.get(key)
        return value if isinstance(value, str) else ""

    def has_format(self, fmt: str) -> tuple[bool, datetime.datetime | None]:
        """(available?, when last checked); (True, None) when never checked (conda's reading)."""
        obj = self.get(f"has_{fmt}")
        if obj is None:
            return True, None
        try:
            checked = str(obj["last_checked"])
            if checked.endswith("Z"):
                checked = checked[:-1] + "+00:00"
            when = datetime.datetime.fromisoformat(checked)
            if when.tzinfo is None:
                when = when.replace(tzinfo=datetime.timezone.utc)
            return bool(obj["value"]), when
        except (KeyError, TypeError, ValueError):
            self.pop(f"has_{fmt}", None)
            return False, _utcnow()

    def set_has_format(self, fmt: str, value: bool) -> None:
        now = _utcnow().isoformat()
        self[f"has_{fmt}"] = {"last_checked": now[: -len("+00:00")] + "Z", "value": value}

    def should_check_format(self, fmt: str) -> bool:
        """True unless the server lacked this format when checked less than 7 days ago."""
        has, when = self.has_format(fmt)
        return has or when is None or _utcnow() - when > CHECK_ALTERNATE_FORMAT_INTERVAL

    def fresh(self, max_age: int, now_ns: int | None = None) -> bool:
        refresh = self.get("refresh_ns", 0)
        if not isinstance(refresh, int):
            return False
        now_ns = time.time_ns() if now_ns is None else now_ns
        return now_ns - refresh <= max_age * 10**9 and max_age > 0

    def matches(self, path: Path) -> bool:
        """True when `path` is the file this state describes (size and mtime_ns agree)."""
        try:
            st = path.stat()
        except OSError:
            return False
        return self.get("mtime_ns") == st.st_mtime_ns and self.get("size") == st.st_size


_process_locks: dict[str, threading.Lock] = {}
_process_locks_guard = threading.Lock()


def _process_lock(path: Path) -> threading.Lock:
    key = str(path)
    with _process_locks_guard:
        lock = _process_locks.get(key)
        if lock is None:
            lock = _process_locks[key] = threading.Lock()
        return lock


class CacheEntry:
    """The files of one cache key (one subdir URL and repodata_fn)."""

    def __init__(self, cache_dir: Path, url_w_credentials: str, repodata_fn: str = REPODATA_FN,
                 *, use_only_tar_bz2: bool = False) -> None:
        self.cache_dir = cache_dir
        stem = cache_fn_url(url_w_credentials, repodata_fn)[: -len(".json")] + ("1" if use_only_tar_bz2 else "")
        self.stem = stem
        self.json_path = cache_dir / f"{stem}.json"
        self.state_path = cache_dir / f"{stem}.info.json"
        self.shards_index_path = cache_dir / f"{stem}.msgpack.zst"
        self.prepared_path = cache_dir / f"{stem}.cantil-index"
        self.lock_path = cache_dir / f"{stem}.cantil-lock"
        self.shards_dir = cache_dir / "cantil-shards"

    def read_state(self) -> RepodataState:
        """The state on disk; empty when missing or unreadable (then every cached file counts as unknown)."""
        try:
            data = json.loads(self.state_path.read_bytes())
        except (OSError, ValueError):
            return RepodataState()
        return RepodataState.from_json(data)

    def temp_path(self) -> Path:
        fd, tmp = make_temp(self.cache_dir, self.stem)
        os.close(fd)
        return Path(tmp)

    @contextlib.contextmanager
    def _state_lock(self) -> Iterator[None]:
        """conda's lock (byte 21 of the .info.json), for the short moment files are swapped."""
        with _process_lock(self.state_path):
            fh: IO[bytes] | None = None
            try:
                fh = open(self.state_path, "ab")  # noqa: SIM115 - held for the lock
                if fcntl is not None:
                    fcntl.lockf(fh, fcntl.LOCK_EX, 1, LOCK_BYTE)
            except OSError:
                pass
            try:
                yield
            finally:
                if fh is not None:
                    with contextlib.suppress(OSError):
                        if fcntl is not None:
                            fcntl.lockf(fh, fcntl.LOCK_UN, 1, LOCK_BYTE)
                    fh.close()

    def commit(self, state: RepodataState, temp: Path | None = None, target: Path | None = None) -> None:
        """Move `temp` onto `target` (default: the .json) and write `state` describing it, under conda's lock.

        Without `temp`, only the state is written (a 304: `refresh_ns` moves on).
        """
        with self._state_lock():
            if temp is not None:
                st = temp.stat()
                state["mtime_ns"] = st.st_mtime_ns
                state["size"] = st.st_size
                os.replace(temp, target or self.json_path)
            state["refresh_ns"] = time.time_ns()
            atomic_write(self.state_path, json.dumps(dict(state), indent=2).encode())

    @contextlib.contextmanager
    def refresh_lock(self) -> Iterator[None]:
        """Exclusive across processes and threads: one refresh of this key at a time (flock on our own file)."""
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        with _process_lock(self.lock_path), open(self.lock_path, "ab") as fh:
            if fcntl is not None:
                fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                if fcntl is not None:
                    fcntl.flock(fh, fcntl.LOCK_UN)

    def shard_path(self, sha256_hex: str) -> Path:
        return self.shards_dir / f"{sha256_hex}.msgpack.zst"

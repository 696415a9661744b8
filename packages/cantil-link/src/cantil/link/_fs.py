"""Small file-system helpers: atomic writes, hashing, advisory locks (flock), and the prefix lock.

Traps: flock locks belong to the open file description, so a second open in the same process conflicts (tests rely on
it) and the kernel drops the lock when the holder dies, even by SIGKILL. Our fds are non-inheritable (PEP 446), so a
script started while the lock is held does not keep it alive after our death.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

from .errors import PrefixLocked

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

LOCK_NAME = ".cantil.lock"


def sha256_file(path: Path | str) -> str:
    import hashlib  # lazily: 4 ms of import that only hashing needs

    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def hash_file(path: Path | str) -> tuple[str, str, int]:
    """(sha256, md5, size) of a file in one pass."""
    import hashlib

    s, m, n = hashlib.sha256(), hashlib.md5(usedforsecurity=False), 0
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            s.update(chunk)
            m.update(chunk)
            n += len(chunk)
    return s.hexdigest(), m.hexdigest(), n


def fsync_dir(path: Path | str) -> None:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes, *, fsync: bool = False, mode: int | None = None) -> None:
    """Write `data` to a temp file beside `path`, then os.replace it in place."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666 if mode is None else mode)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            if fsync:
                f.flush()
                os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if fsync:
        fsync_dir(path.parent)


def write_json_atomic(path: Path, obj: Any, *, fsync: bool = False, indent: int | None = 2) -> None:
    write_atomic(path, (json.dumps(obj, indent=indent, sort_keys=True) + "\n").encode(), fsync=fsync)


@contextlib.contextmanager
def flocked(path: Path, *, timeout: float | None = None) -> Iterator[int]:
    """Hold an exclusive flock on `path` (created if missing). timeout None waits forever."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        _acquire(fd, timeout)
        yield fd
    finally:
        os.close(fd)  # closing drops the lock


def _acquire(fd: int, timeout: float | None) -> bool:
    if timeout is None:
        fcntl.flock(fd, fcntl.LOCK_EX)
        return True
    deadline = time.monotonic() + timeout
    delay = 0.005
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except OSError as e:
            if e.errno not in (errno.EAGAIN, errno.EACCES):
                raise
        now = time.monotonic()
        if now >= deadline:
            return False
        time.sleep(min(delay, deadline - now))
        delay = min(delay * 2, 0.2)


class PrefixLock:
    """One writer per prefix: an exclusive flock on conda-meta/.cantil.lock, which holds the owner's pid.

    A second process waits up to `timeout` seconds, then raises PrefixLocked naming the holder's pid.
    """

    def __init__(self, prefix: Path, timeout: float = 60.0) -> None:
        self.prefix = Path(prefix)
        self.path = self.prefix / "conda-meta" / LOCK_NAME
        self.timeout = timeout
        self._fd: int | None = None

    def acquire(self) -> None:
        if self._fd is not None:
            raise RuntimeError("PrefixLock is not reentrant")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            if not _acquire(fd, self.timeout):
                raise PrefixLocked(self.prefix, read_lock_pid(self.path), self.timeout)
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, 0)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> PrefixLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def read_lock_pid(path: Path) -> int | None:
    try:
        text = path.read_text().strip()
        return int(text) if text else None
    except (OSError, ValueError):
        return None

"""Deterministic writers for the two conda package formats.

`.tar.bz2` (CEP 34): one bzip2-compressed tar, `info/` members first. `.conda` (CEP 35): an uncompressed zip of
`metadata.json` (`{"conda_pkg_format_version": 2}`), `pkg-<dist>.tar.zst` and `info-<dist>.tar.zst`. Determinism
needs fixed mtimes (tar and zip), uid/gid 0 with empty user names, sorted members and single-threaded compressors.
"""

from __future__ import annotations

import bz2
import io
import os
import tarfile
import tempfile
import zipfile
from collections.abc import Iterable
from pathlib import Path

__all__ = ["TarEntry", "atomic_write", "conda_bytes", "tar_bytes", "tar_bz2_bytes"]

ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)

# (path, data, mode, symlink target or None)
TarEntry = tuple[str, bytes, int, "str | None"]


def tar_bytes(entries: Iterable[TarEntry], mtime: int) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path, data, mode, target in entries:
            info = tarfile.TarInfo(path)
            info.mtime = mtime
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            if target is not None:
                info.type = tarfile.SYMTYPE
                info.linkname = target
                info.mode = 0o777
                tar.addfile(info)
            else:
                info.mode = mode
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def tar_bz2_bytes(info: list[TarEntry], pkg: list[TarEntry], mtime: int) -> bytes:
    return bz2.compress(tar_bytes([*info, *pkg], mtime), 9)


def _zstd(data: bytes) -> bytes:
    import zstandard

    return zstandard.ZstdCompressor(level=19, write_content_size=True).compress(data)


def conda_bytes(dist_name: str, info: list[TarEntry], pkg: list[TarEntry], mtime: int) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as zf:
        for member, data in (
            ("metadata.json", b'{"conda_pkg_format_version": 2}'),
            (f"pkg-{dist_name}.tar.zst", _zstd(tar_bytes(pkg, mtime))),
            (f"info-{dist_name}.tar.zst", _zstd(tar_bytes(info, mtime))),
        ):
            zi = zipfile.ZipInfo(member, date_time=ZIP_EPOCH)
            zi.compress_type = zipfile.ZIP_STORED
            zi.external_attr = 0o100644 << 16
            zi.create_system = 3
            zf.writestr(zi, data)
    return buf.getvalue()


def atomic_write(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temp file in the same folder and os.replace."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise

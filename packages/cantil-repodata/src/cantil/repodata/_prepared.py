"""The prepared index: a per-name on-disk form of one repodata.json, so a query never parses the whole file.

Built once after each download (the JSON is parsed then anyway, to validate it), read through `mmap`:

    header   magic "CNTLIDX2", then little-endian u64: source size, source mtime_ns (i64), flags, name count n,
             and the offsets of the sections below
    info     marshal of repodata["info"] (subdir, base_url, ...)
    nidx     (n+1) u32: offsets of each name in `names`
    names    the package names, sorted by their UTF-8 bytes, joined by "\\n"
    pidx     (n+1) u64: offsets of each name's payload in `payload`
    payload  per name, marshal of a tuple of normalised record rows (see _records.normalize)

Finding a name is a binary search over `nidx`/`names` (about log2(n) tiny reads): the cost of a query does not grow
with the size of the channel. Only the chosen artifact of a package is kept: the `.conda` when both a `.conda` and a
`.tar.bz2` of the same name-version-build exist (conda's preference), or only `.tar.bz2` with `use_only_tar_bz2`.

Invalidation: the header holds the size and mtime_ns of the JSON it was built from; a reader given a different
JSON (replaced by conda, patched by JLAP, re-downloaded) rebuilds. A truncated or foreign file fails the magic or
bounds checks and is rebuilt. marshal is only ever read from files this module wrote in the user's own cache.
"""

from __future__ import annotations

import json
import marshal
import mmap
import struct
from collections.abc import Iterator, Mapping
from pathlib import Path

from ._cache import atomic_write
from ._records import Row, normalize
from .errors import RepodataCorrupt

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["PreparedIndex", "build_prepared", "group_by_name", "group_rows", "parse_repodata"]

MAGIC = b"CNTLIDX3"
_HEADER = struct.Struct("<8sQqQQQQQQQ")
FLAG_ONLY_TAR_BZ2 = 1


def _name_of(fn: str, rec: Mapping[str, Any]) -> str | None:
    name = rec.get("name")
    if isinstance(name, str) and name:
        return name
    stem = fn.removesuffix(".conda").removesuffix(".tar.bz2")
    parts = stem.rsplit("-", 2)
    return parts[0] if len(parts) == 3 else None


def parse_repodata(raw: bytes, url: str) -> dict[str, Any]:
    """Parse a repodata.json body; RepodataCorrupt (with a hint for an HTML page) when it is not one."""
    try:
        data = json.loads(raw)
    except ValueError as err:
        snippet = raw[:32].decode("utf-8", "replace").strip()
        hint = "the server sent an HTML page" if snippet.lstrip().lower().startswith(("<!doctype", "<html")) else None
        reason = getattr(err, "msg", None) or str(err)
        raise RepodataCorrupt(url, f"invalid JSON ({reason}); got {snippet!r}", hint=hint) from err
    if not isinstance(data, dict):
        raise RepodataCorrupt(url, f"expected a JSON object, got {type(data).__name__}")
    for key in ("packages", "packages.conda"):
        if key in data and not isinstance(data[key], dict):
            raise RepodataCorrupt(url, f"{key!r} is not an object")
    return data


def group_by_name(repodata: Mapping[str, Any], *, use_only_tar_bz2: bool = False) -> dict[str, list[tuple[str, Any]]]:
    """{name: [(fn, record), ...]} with the .conda preferred over the .tar.bz2 of the same package."""
    groups: dict[str, list[tuple[str, Any]]] = {}
    conda_pkgs = {} if use_only_tar_bz2 else repodata.get("packages.conda") or {}
    tar_pkgs = repodata.get("packages") or {}
    if not isinstance(conda_pkgs, Mapping) or not isinstance(tar_pkgs, Mapping):
        raise ValueError("'packages' and 'packages.conda' must be objects")
    for fn, rec in conda_pkgs.items():
        if isinstance(rec, dict) and (name := _name_of(fn, rec)) is not None:
            groups.setdefault(name, []).append((fn, rec))
    for fn, rec in tar_pkgs.items():
        if not isinstance(rec, dict):
            continue
        if conda_pkgs and fn.endswith(".tar.bz2") and fn[:-8] + ".conda" in conda_pkgs:
            continue
        if (name := _name_of(fn, rec)) is not None:
            groups.setdefault(name, []).append((fn, rec))
    return groups


def group_rows(repodata: Mapping[str, Any], *, use_only_tar_bz2: bool = False) -> dict[str, list[Row]]:
    """{name: [normalised record row, ...]} (see _records.normalize); unusable entries are left out."""
    out: dict[str, list[Row]] = {}
    memo: dict[str, str] = {}
    for name, pairs in group_by_name(repodata, use_only_tar_bz2=use_only_tar_bz2).items():
        rows = [_share(row, memo) for fn, rec in pairs if (row := normalize(fn, rec)) is not None]
        if rows:
            out[name] = rows
    return out


def _share(row: Row, memo: dict[str, str]) -> Row:
    """The row with equal strings made one object, so marshal writes repeats as back-references (smaller, faster)."""
    def s(x: Any) -> Any:
        if isinstance(x, str):
            return memo.setdefault(x, x)
        if isinstance(x, tuple):
            return tuple(s(i) for i in x)
        if isinstance(x, dict):
            return {s(k): s(v) for k, v in x.items()}
        return x

    return tuple(s(f) for f in row)


def build_prepared(repodata: Mapping[str, Any], dest: Path, *, source_size: int, source_mtime_ns: int,
                   use_only_tar_bz2: bool = False) -> None:
    """Write the prepared index of `repodata` (parsed) to `dest`, atomically."""
    groups = group_rows(repodata, use_only_tar_bz2=use_only_tar_bz2)
    info = repodata.get("info")
    info_blob = marshal.dumps(dict(info) if isinstance(info, Mapping) else {})
    names = sorted(groups, key=lambda n: n.encode())
    nidx: list[int] = [0]
    name_blobs: list[bytes] = []
    pos = 0
    for name in names:
        raw = name.encode()
        name_blobs.append(raw)
        pos += len(raw) + 1
        nidx.append(pos)
    names_blob = b"\n".join(name_blobs) + (b"\n" if name_blobs else b"")
    pidx: list[int] = [0]
    payloads: list[bytes] = []
    pos = 0
    for name in names:
        blob = marshal.dumps(tuple(groups[name]))
        payloads.append(blob)
        pos += len(blob)
        pidx.append(pos)
    n = len(names)
    nidx_blob = struct.pack(f"<{n + 1}I", *nidx)
    pidx_blob = struct.pack(f"<{n + 1}Q", *pidx)
    off_info = _HEADER.size
    off_nidx = off_info + len(info_blob)
    off_names = off_nidx + len(nidx_blob)
    off_pidx = off_names + len(names_blob)
    off_payload = off_pidx + len(pidx_blob)
    flags = FLAG_ONLY_TAR_BZ2 if use_only_tar_bz2 else 0
    header = _HEADER.pack(MAGIC, source_size, source_mtime_ns, flags, n, off_info, off_nidx, off_names, off_pidx,
                          off_payload)
    atomic_write(dest, b"".join([header, info_blob, nidx_blob, names_blob, pidx_blob, *payloads]))


class PreparedIndex:
    """A read-only view of a prepared index file (kept mapped while the object lives)."""

    def __init__(self, path: Path) -> None:
        with open(path, "rb") as fh:
            size = fh.seek(0, 2)
            if size < _HEADER.size:
                raise ValueError(f"{path}: too short")
            self._mm = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        (magic, self.source_size, self.source_mtime_ns, self.flags, self.n, self._off_info, self._off_nidx,
         self._off_names, self._off_pidx, self._off_payload) = _HEADER.unpack_from(self._mm, 0)
        if magic != MAGIC:
            raise ValueError(f"{path}: not a prepared index")
        n = self.n
        if not (self._off_info <= self._off_nidx <= self._off_names <= self._off_pidx <= self._off_payload <= size
                and self._off_names - self._off_nidx == 4 * (n + 1) and self._off_payload - self._off_pidx == 8 * (n + 1)):
            raise ValueError(f"{path}: damaged prepared index")
        end = self._off_payload + struct.unpack_from("<Q", self._mm, self._off_pidx + 8 * n)[0]
        if end != size:
            raise ValueError(f"{path}: truncated prepared index")
        self._nidx = struct.Struct(f"<{n + 1}I")
        self._cache: dict[str, int] = {}

    def close(self) -> None:
        self._mm.close()

    def matches(self, size: int, mtime_ns: int, use_only_tar_bz2: bool) -> bool:
        return (self.source_size == size and self.source_mtime_ns == mtime_ns
                and bool(self.flags & FLAG_ONLY_TAR_BZ2) == use_only_tar_bz2)

    @property
    def info(self) -> dict[str, Any]:
        value = marshal.loads(self._mm[self._off_info:self._off_nidx])
        return value if isinstance(value, dict) else {}

    def _name_at(self, i: int) -> bytes:
        a, b = struct.unpack_from("<II", self._mm, self._off_nidx + 4 * i)
        return self._mm[self._off_names + a:self._off_names + b - 1]

    def _find(self, name: str) -> int:
        hit = self._cache.get(name)
        if hit is not None:
            return hit
        target = name.encode()
        lo, hi = 0, self.n
        while lo < hi:
            mid = (lo + hi) // 2
            if self._name_at(mid) < target:
                lo = mid + 1
            else:
                hi = mid
        found = lo if lo < self.n and self._name_at(lo) == target else -1
        self._cache[name] = found
        return found

    def __contains__(self, name: str) -> bool:
        return self._find(name) >= 0

    def _payload(self, i: int) -> tuple[Row, ...]:
        a, b = struct.unpack_from("<QQ", self._mm, self._off_pidx + 8 * i)
        value = marshal.loads(self._mm[self._off_payload + a:self._off_payload + b])
        return value  # type: ignore[no-any-return]

    def get(self, name: str) -> tuple[Row, ...]:
        """The record rows of `name`; empty when absent."""
        i = self._find(name)
        return self._payload(i) if i >= 0 else ()

    def names(self) -> list[str]:
        blob = self._mm[self._off_names:self._off_pidx]
        return blob.decode().split("\n")[:-1] if blob else []

    def items(self) -> Iterator[tuple[str, tuple[Row, ...]]]:
        for i, name in enumerate(self.names()):
            yield name, self._payload(i)

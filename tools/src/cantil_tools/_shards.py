"""CEP 16 sharded repodata: `repodata_shards.msgpack.zst` and content-addressed `<sha256>.msgpack.zst` shards.

The index is zstd(msgpack({"info": {"base_url", "shards_base_url", "subdir"}, "version": 1, "shards": {name: sha256
as 32 raw bytes}})). Each shard is zstd(msgpack({"packages": {fn: record}, "packages.conda": {fn: record}})) and is
named by the sha256 of its compressed bytes, as in the real sharded subdir of conda-format-repo. That subdir keeps
`md5`/`sha256` as hex strings inside the records; conda-index packs them as raw bytes: `checksums="bytes"` does that.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cantil_tools._archive import atomic_write

__all__ = ["read_shards", "write_shards"]

SHARDS_INDEX = "repodata_shards.msgpack.zst"


def _pack(value: Any) -> bytes:
    import msgpack
    import zstandard

    return zstandard.ZstdCompressor(level=16, write_content_size=True).compress(msgpack.packb(value))


def _unpack(data: bytes) -> Any:
    import msgpack
    import zstandard

    return msgpack.unpackb(zstandard.ZstdDecompressor().decompressobj().decompress(data))


def write_shards(subdir_path: Path, repodata: Mapping[str, Any], *, base_url: str = "", shards_base_url: str = "",
                 checksums: str = "hex") -> dict[str, str]:
    """Write the shards and the index for `repodata` into `subdir_path`; return {name: shard hex sha256}.

    Shards that no longer belong to the index are removed.
    """
    by_name: dict[str, dict[str, dict[str, Any]]] = {}
    for key in ("packages", "packages.conda"):
        for fn, record in repodata.get(key, {}).items():
            shard = by_name.setdefault(record["name"], {"packages": {}, "packages.conda": {}})
            rec = dict(record)
            if checksums == "bytes":
                for field in ("md5", "sha256"):
                    if isinstance(rec.get(field), str):
                        rec[field] = bytes.fromhex(rec[field])
            shard[key][fn] = rec
    hashes: dict[str, str] = {}
    for name in sorted(by_name):
        data = _pack({"packages": dict(sorted(by_name[name]["packages"].items())),
                      "packages.conda": dict(sorted(by_name[name]["packages.conda"].items()))})
        digest = hashlib.sha256(data).hexdigest()
        hashes[name] = digest
        target = subdir_path / f"{digest}.msgpack.zst"
        if not target.exists():
            atomic_write(target, data)
    info = {"base_url": base_url, "shards_base_url": shards_base_url, "subdir": repodata["info"]["subdir"]}
    index = {"info": info, "version": 1, "shards": {n: bytes.fromhex(h) for n, h in hashes.items()}}
    atomic_write(subdir_path / SHARDS_INDEX, _pack(index))
    keep = {f"{h}.msgpack.zst" for h in hashes.values()}
    for stale in subdir_path.glob("*.msgpack.zst"):
        if stale.name != SHARDS_INDEX and stale.name not in keep and len(stale.name) == 64 + len(".msgpack.zst"):
            stale.unlink()
    return hashes


def read_shards(subdir_path: Path) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """(index, {name: shard}) of a sharded subdir, checking each shard's sha256 against the index."""
    index = _unpack((subdir_path / SHARDS_INDEX).read_bytes())
    shards = {}
    for name, digest in index["shards"].items():
        data = (subdir_path / f"{bytes(digest).hex()}.msgpack.zst").read_bytes()
        if hashlib.sha256(data).digest() != bytes(digest):
            raise ValueError(f"shard {name!r}: sha256 mismatch")
        shards[name] = _unpack(data)
    return index, shards

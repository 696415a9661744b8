"""CEP 16 sharded repodata: a small index naming one content-addressed shard per package name.

    <subdir>/repodata_shards.msgpack.zst    zstd(msgpack({"version": 1, "info": {"base_url", "shards_base_url",
                                             "subdir"}, "shards": {name: <32 raw bytes of sha256>}}))
    <shards_base_url><sha256 hex>.msgpack.zst  zstd(msgpack({"packages": {fn: record}, "packages.conda": {...}}))

Traps: `shards_base_url` and `base_url` may be relative to the index URL, or absolute, or empty (= the subdir
itself); a relative one without a trailing `/` gets one. Inside shards `md5` and `sha256` are raw bytes, not hex.
A zstd frame may omit its content size, and a truncated frame decompresses "successfully" to a prefix: we require
the end of the frame (`eof`) and cap the output size. A shard is immutable: its name is the sha256 of its bytes,
checked here before it is cached (conda does not check; a mismatching shard is used but never cached).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from urllib.parse import urljoin

from .errors import redact_url

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["ShardIndex", "decompress_zstd", "parse_shard", "parse_shard_index", "shard_ok"]

MAX_INDEX_SIZE = 1 << 30
MAX_SHARD_SIZE = 1 << 30


def decompress_zstd(data: bytes, max_size: int) -> bytes:
    """The whole content of one zstd stream; ValueError when it is not zstd, truncated or too large."""
    import zstandard

    dobj = zstandard.ZstdDecompressor().decompressobj()
    try:
        out = dobj.decompress(data)
    except zstandard.ZstdError as err:
        raise ValueError(f"not valid zstd: {err}") from err
    if not dobj.eof:
        raise ValueError("truncated zstd stream")
    if len(out) > max_size:
        raise ValueError("zstd content too large")
    return out


def _unpack(data: bytes) -> Any:
    import msgpack

    try:
        return msgpack.unpackb(data, raw=False, strict_map_key=False)
    except (ValueError, msgpack.UnpackException) as err:
        raise ValueError(f"not valid msgpack: {err}") from err


def _join(base: str, rel: str) -> str:
    """`rel` (absolute, relative, or empty for "here") against the folder of the URL `base`, ending in `/`."""
    rel = rel or "./"
    if not rel.endswith("/"):
        rel += "/"
    return urljoin(base, rel)


class ShardIndex:
    """The parsed shard index of one subdir; `url` is the index URL (with credentials when the channel has any)."""

    __slots__ = ("info", "shards", "url")

    def __init__(self, url: str, info: Mapping[str, Any], shards: Mapping[str, bytes]) -> None:
        self.url = url
        self.info = info
        self.shards = shards

    def __repr__(self) -> str:
        return f"ShardIndex(url={redact_url(self.url)!r}, {len(self.shards)} shards)"

    @property
    def shards_base_url(self) -> str:
        rel = self.info.get("shards_base_url") or ""
        return _join(self.url, rel if isinstance(rel, str) else "")

    def shard_hex(self, name: str) -> str | None:
        digest = self.shards.get(name)
        return digest.hex() if digest is not None else None

    def shard_url(self, name: str) -> str:
        return f"{self.shards_base_url}{self.shards[name].hex()}.msgpack.zst"


def parse_shard_index(data: bytes, url: str) -> ShardIndex:
    """Parse the bytes of `repodata_shards.msgpack.zst`; ValueError when malformed."""
    obj = _unpack(decompress_zstd(data, MAX_INDEX_SIZE))
    if not isinstance(obj, dict) or not isinstance(obj.get("shards"), dict):
        raise ValueError("shard index has no 'shards' map")
    shards = obj["shards"]
    for key, value in shards.items():
        if not isinstance(key, str) or not isinstance(value, (bytes, bytearray)) or len(value) != 32:
            raise ValueError(f"shard index entry {key!r} is not a 32-byte sha256")
    info = obj.get("info")
    return ShardIndex(url=url, info=info if isinstance(info, dict) else {}, shards=shards)


def _hexify(rec: dict[str, Any]) -> dict[str, Any]:
    for key in ("md5", "sha256"):
        value = rec.get(key)
        if isinstance(value, (bytes, bytearray)):
            rec[key] = bytes(value).hex()
    return rec


def parse_shard(data: bytes) -> dict[str, dict[str, dict[str, Any]]]:
    """Parse one shard's bytes to {"packages": {...}, "packages.conda": {...}} with hex md5/sha256."""
    obj = _unpack(decompress_zstd(data, MAX_SHARD_SIZE))
    if not isinstance(obj, dict):
        raise ValueError("shard is not a map")
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for key in ("packages", "packages.conda"):
        group = obj.get(key) or {}
        if not isinstance(group, dict):
            raise ValueError(f"shard {key!r} is not a map")
        out[key] = {fn: _hexify(rec) for fn, rec in group.items() if isinstance(fn, str) and isinstance(rec, dict)}
    return out


def shard_ok(data: bytes, sha256_hex: str) -> bool:
    return hashlib.sha256(data).hexdigest() == sha256_hex

"""JLAP: a `repodata.jlap` log of JSON patches a client applies to its cached `repodata.json`.

Format (the JLAP CEP draft; conda's former implementation): lines separated by `\\n`.

    line 0      64 hex digits: the initialisation vector (usually all zeros)
    lines 1..   one JSON object each: {"from": <hash>, "to": <hash>, "patch": [RFC 6902 operations]}
    footer      a JSON object {"latest": <hash of the current repodata.json>, "url": "repodata.json"}
    last line   64 hex digits: the running checksum after the footer

Running checksum: `c_0 = iv`, `c_n = blake2b(line_n, key=c_(n-1), digest_size=32)` over each line's bytes without
the newline; the last line must equal the checksum after the footer. `from`/`to`/`latest` are the (unkeyed)
BLAKE2b-256 of a whole repodata.json. A client keeps `pos` (the byte offset of the footer line) and `iv` (the running
checksum before it), then asks for `Range: bytes=<pos>-`: the answer starts at the old footer, which new patches
replaced, and the chain continues from `iv`.

Traps: a 200 to a Range request is the whole file (start again at 0); a 416 or a broken chain means the server
rewrote the file (fetch it whole once, then give up on JLAP); a patch chain that does not reach our hash means
our copy is too old (download the full file). After patches, the file we write is not byte-identical to upstream:
`blake2_256_nominal` keeps the upstream hash we are equivalent to, `blake2_256` the hash of the bytes on disk.
"""

from __future__ import annotations

import hashlib
import json

from ._jsonpatch import PatchError, apply_patch

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["JlapError", "JlapLog", "find_patches", "keyed_hash", "parse_jlap"]

DIGEST_SIZE = 32
ZERO_IV = b"\0" * DIGEST_SIZE


class JlapError(ValueError):
    """A JLAP stream that cannot be used: broken checksum chain, bad JSON, missing footer, no path of patches."""


def keyed_hash(data: bytes, key: bytes) -> bytes:
    return hashlib.blake2b(data, key=key, digest_size=DIGEST_SIZE).digest()


def blake2_256(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=DIGEST_SIZE).hexdigest()


class JlapLog:
    """What a (partial) JLAP stream says: patches in file order, the footer, and where to resume.

    `pos` is the byte offset of the footer line (the next Range request starts there); `iv` the hex running
    checksum before the footer line.
    """

    __slots__ = ("footer", "iv", "patches", "pos")

    def __init__(self, patches: list[dict[str, Any]] | None = None, footer: dict[str, Any] | None = None,
                 pos: int = 0, iv: str = "") -> None:
        self.patches: list[dict[str, Any]] = patches if patches is not None else []
        self.footer: dict[str, Any] = footer if footer is not None else {}
        self.pos = pos
        self.iv = iv

    def __repr__(self) -> str:
        return f"JlapLog({len(self.patches)} patches, pos={self.pos})"

    @property
    def latest(self) -> str:
        value = self.footer.get("latest")
        if not isinstance(value, str):
            raise JlapError("footer has no 'latest' hash")
        return value


def parse_jlap(data: bytes, *, pos: int = 0, iv: bytes = b"") -> JlapLog:
    """Read the bytes of a JLAP file from offset `pos` (0: the whole file, first line is the iv).

    Raises JlapError when the checksum chain does not end in the trailing checksum, or a line is not JSON.
    """
    if data.endswith(b"\n"):
        data = data[:-1]
    lines = data.split(b"\n")
    offset = pos
    chain = iv
    if pos == 0:
        try:
            chain = bytes.fromhex(lines[0].decode("ascii"))
        except (UnicodeDecodeError, ValueError) as err:
            raise JlapError("first line is not a hex initialisation vector") from err
        if len(chain) != DIGEST_SIZE:
            raise JlapError("initialisation vector is not 32 bytes")
        offset += len(lines[0]) + 1
        lines = lines[1:]
    elif len(chain) != DIGEST_SIZE:
        raise JlapError("no initialisation vector to resume from")
    if len(lines) < 2:
        raise JlapError("no footer and trailing checksum")
    body, trailer = lines[:-1], lines[-1]
    before_last = chain
    positions: list[int] = []
    for line in body:
        positions.append(offset)
        before_last = chain
        chain = keyed_hash(line, chain)
        offset += len(line) + 1
    if trailer.strip().decode("ascii", "replace") != chain.hex():
        raise JlapError("checksum chain mismatch")
    try:
        objects = [json.loads(line) for line in body]
    except ValueError as err:
        raise JlapError(f"a line is not JSON: {err}") from err
    if not all(isinstance(o, dict) for o in objects):
        raise JlapError("a line is not a JSON object")
    footer = objects[-1]
    if "latest" not in footer:
        raise JlapError("footer has no 'latest' hash")
    return JlapLog(patches=objects[:-1], footer=footer, pos=positions[-1], iv=before_last.hex())


def find_patches(patches: list[dict[str, Any]], have: str, want: str) -> list[dict[str, Any]]:
    """The patches leading from hash `have` to `want`, in the order to apply them; JlapError when there is none."""
    chain: list[dict[str, Any]] = []
    for patch in reversed(patches):
        if have == want:
            break
        if patch.get("to") == want:
            chain.append(patch)
            want = patch.get("from", "")
    if have != want:
        raise JlapError(f"no patch path from {have[:16]}…")
    chain.reverse()
    return chain


def apply_patches(doc: Any, chain: list[dict[str, Any]]) -> Any:
    """Apply each patch of `chain` to `doc` in place; JlapError on any bad operation."""
    for patch in chain:
        try:
            doc = apply_patch(doc, patch.get("patch", []))
        except PatchError as err:
            raise JlapError(f"patch {str(patch.get('to', ''))[:16]}… does not apply: {err}") from err
    return doc


def build_jlap(iv: bytes, patches: list[dict[str, Any]], latest: str) -> bytes:
    """Write a JLAP file (used by tests and benchmarks to make logs the client must read)."""
    lines = [iv.hex().encode()]
    chain = iv
    for obj in [*patches, {"latest": latest, "url": "repodata.json"}]:
        line = json.dumps(obj, separators=(",", ":"), sort_keys=True).encode()
        chain = keyed_hash(line, chain)
        lines.append(line)
    lines.append(chain.hex().encode())
    return b"\n".join(lines)

"""Write `repodata.jlap`: the JSON Lines patch log of conda's former JLAP support and the JLAP CEP draft.

Layout, one JSON document or hex digest per line, lines joined by `\\n` (no newline after the last line):

    <iv: 64 hex digits, 32 zero bytes for a new file>
    {"from": <hash of older repodata.json>, "patch": [RFC 6902 ops], "to": <hash of newer>}     (zero or more)
    {"latest": <hash of the current repodata.json>, "url": "repodata.json"}                     (the footer)
    <checksum: the running hash after the footer line>

Hashes of repodata.json are BLAKE2b-256 of the exact file bytes. The running hash chains every line after the first:
`h_i = blake2b(line_i, key=h_{i-1}, digest_size=32)`, `h_0` = the iv. The last line repeats the running hash after the
footer. Appending keeps every byte before the old footer, so a client that has read the file up to there can fetch
the rest with a Range request and verify it from its saved position and hash.
"""

from __future__ import annotations

import json
from hashlib import blake2b
from pathlib import Path
from typing import Any

__all__ = ["DEFAULT_IV", "append_patch", "chain", "repodata_hash", "verify"]

DIGEST_SIZE = 32
DEFAULT_IV = "0" * 64


def repodata_hash(data: bytes) -> str:
    return blake2b(data, digest_size=DIGEST_SIZE).hexdigest()


def chain(lines: list[str]) -> list[str]:
    """Running hashes of `lines` (first line = the iv): one hex digest per line."""
    iv = bytes.fromhex(lines[0])
    out = [lines[0]]
    for line in lines[1:]:
        iv = blake2b(line.encode("utf-8"), key=iv, digest_size=DIGEST_SIZE).digest()
        out.append(iv.hex())
    return out


def verify(text: str) -> list[str]:
    """Check a complete .jlap text's trailing checksum; return its lines; raise ValueError when it is wrong."""
    lines = text.split("\n")
    if len(lines) < 3:
        raise ValueError("a .jlap file has at least an iv, a footer and a checksum")
    if chain(lines[:-1])[-1] != lines[-1]:
        raise ValueError("jlap checksum mismatch")
    return lines


def _dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def append_patch(jlap_path: Path, old_hash: str | None, new_hash: str, patch: list[dict[str, Any]] | None,
                 url: str = "repodata.json") -> str:
    """The new text of `jlap_path` after appending `patch` (old -> new) and a fresh footer and checksum.

    A missing or damaged file starts over from the default iv.
    """
    lines: list[str] = [DEFAULT_IV]
    if jlap_path.exists():
        try:
            lines = verify(jlap_path.read_text(encoding="utf-8"))[:-2]
        except (ValueError, UnicodeDecodeError):
            lines = [DEFAULT_IV]
    if patch is not None and old_hash is not None and old_hash != new_hash:
        lines.append(_dumps({"from": old_hash, "patch": patch, "to": new_hash}))
    lines.append(_dumps({"latest": new_hash, "url": url}))
    lines.append(chain(lines)[-1])
    return "\n".join(lines)

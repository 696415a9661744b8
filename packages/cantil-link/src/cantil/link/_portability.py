"""Prefix placeholder replacement, as conda does it.

- text mode: every occurrence of the placeholder becomes the prefix; in a first-line shebang, spaces in the prefix are
  escaped with a backslash first, and then a shebang longer than the kernel limit (127 bytes on Linux, 512 on macOS)
  or with an escaped space becomes `#!/usr/bin/env <exe><options>` (this assumes the environment is activated).
- binary mode: each NUL-terminated string holding the placeholder gets the prefix and is padded with NULs to keep its
  length; a prefix longer than the placeholder cannot fit (PrefixTooLong).
- both modes try conda's encodings (utf-8, utf-16/32 le/be) in turn, so wide-string placeholders are found too.
"""

from __future__ import annotations

import re
import sys

MAX_SHEBANG = 512 if sys.platform == "darwin" else 127
ENCODINGS = ("utf-8", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")

_SHEBANG = re.compile(rb"^(#![ ]*(/(?:\\ |[^ \n\r\t])*)(.*))$", re.MULTILINE)


class PaddingTooShort(Exception):
    """The binary placeholder is shorter than the prefix."""


def replace_text(data: bytes, placeholder: str, prefix: str) -> bytes:
    for enc in ENCODINGS:
        search = placeholder.encode(enc)
        if search not in data:
            continue
        nl = data.find(b"\n")
        if nl > -1:
            first, rest = data[:nl], data[nl:]
            marker = f"#!{placeholder}".encode(enc)
            if marker in first:
                first = first.replace(marker, f"#!{prefix}".replace(" ", "\\ ").encode(enc))
                data = first + rest
        data = data.replace(search, prefix.encode(enc))
    return shorten_shebang(data)


def shorten_shebang(data: bytes) -> bytes:
    if not data.startswith(b"#!"):
        return data
    m = _SHEBANG.match(data)
    if not m:
        return data
    whole, exe, options = m.groups()
    folder, _, name = exe.rpartition(b"/")
    if len(whole) > MAX_SHEBANG or b"\\ " in folder:
        return b"#!/usr/bin/env " + name + options + data[len(whole):]
    return data


def replace_binary(data: bytes, placeholder: str, prefix: str) -> bytes:
    for enc in ENCODINGS:
        search = placeholder.encode(enc)
        if search not in data:
            continue
        data = _binary_one(data, search, prefix.encode(enc), "\0".encode(enc))
    return data


def _binary_one(data: bytes, search: bytes, replacement: bytes, zero: bytes) -> bytes:
    out = []
    pos = 0
    n = len(data)
    while True:
        start = data.find(search, pos)
        if start < 0:
            break
        # the C string holding this occurrence ends at the next NUL (aligned for wide encodings)
        end = start + len(search)
        while True:
            end = data.find(zero, end)
            if end < 0 or (end - start) % len(zero) == 0:
                break
            end += 1
        if end < 0:
            # no terminator: conda leaves such an occurrence alone
            out.append(data[pos:start + len(search)])
            pos = start + len(search)
            continue
        segment = data[start:end]
        count = segment.count(search)
        padding = (len(search) - len(replacement)) * count
        if padding < 0:
            raise PaddingTooShort
        out.append(data[pos:start])
        out.append(segment.replace(search, replacement) + b"\0" * padding)
        pos = end
    if pos == 0:
        return data
    out.append(data[pos:n])
    result = b"".join(out)
    if len(result) != n:  # pragma: no cover - guarded by construction
        raise PaddingTooShort
    return result


def needs_padding_room(placeholder: str, prefix: str) -> bool:
    """True when a binary replacement of `placeholder` by `prefix` cannot fit."""
    return len(prefix.encode()) > len(placeholder.encode())

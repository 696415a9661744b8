"""A compact manifest of an extracted package, cached as `<extracted>/info/.cantil-manifest.json`.

Linking needs, per package, the paths of its files in order, their sizes, the few entries that are not plain
hardlinks, the directory entries, the folders that hold files, and where the "paths" array lies in paths.json (the
prefix record reuses that text). Building those from info/paths.json means one JSON parse and one object per file
(20,000 files: most of the plan's time); the manifest keeps just the columns.

It is a cache, never a source of truth. It is used only when every check passes; otherwise paths.json is read and
the manifest rebuilt:
- it names the paths.json it was made from by (size, mtime_ns, inode); any difference means stale (not ctime:
  a hardlink to paths.json, e.g. `cp -al` of the cache, changes it without changing the content);
- a crc32 of its body is on its first line (a damaged file is detected, whatever JSON it still parses as);
- every field is checked for shape and type (a hand-edited file cannot crash the linker);
- it is written atomically (temp file + os.replace), only into the writable package cache, and only when paths.json
  was not modified in the last seconds (a same-size rewrite within one timestamp tick would keep the stamp: "racy");
- it lives inside the extracted directory, so a new extraction (a new directory renamed into place) drops it.
"""

from __future__ import annotations

import array
import contextlib
import json
import os
import sys
import time
import zlib
from pathlib import Path
from typing import Any

from ._struct import Struct

MANIFEST_NAME = ".cantil-manifest.json"
_MAGIC = "cantil-manifest 3 "
RACY_NS = 3_000_000_000  # a paths.json modified less than 3 s ago is not cached

Stamp = tuple[int, int, int]


def stamp_of(st: os.stat_result) -> Stamp:
    return (st.st_size, st.st_mtime_ns, st.st_ino)


class Columns(Struct):
    """What linking needs from paths.json (see the module docstring); `special` maps an index of `files` to the
    paths.json entry (a dict) of a file that is not a plain hardlink; `spans` where each special entry's object
    lies in the "paths" array text (the record splices rewritten entries in)."""

    __slots__ = ("dirs", "files", "parents", "sizes", "span", "spans", "special")

    def __init__(self, files: list[str], sizes: list[int | None],  # noqa: PLR0917
                 special: dict[int, dict[str, Any]], dirs: list[str], parents: list[str],
                 span: tuple[int, int] | None, spans: dict[int, tuple[int, int]] | None = None) -> None:
        self.files = files
        self.sizes = sizes
        self.special = special
        self.dirs = dirs
        self.parents = parents
        self.span = span
        self.spans: dict[int, tuple[int, int]] = {} if spans is None else spans


def is_plain(p: dict[str, Any]) -> bool:
    return (p.get("path_type", "hardlink") == "hardlink" and not p.get("prefix_placeholder")
            and not p.get("no_link", False))


def load(info_dir: Path, stamp: Stamp) -> Columns | None:
    """The cached columns when the manifest exists, is intact and was made from the paths.json of `stamp`.

    Layout (text, UTF-8): `cantil-manifest 3 <crc32 of the rest, hex>`, then a JSON header (stamp, special entries
    with the span of their object in the "paths" array text, directory entries, parents, span), then the sizes (hex of little-endian int64, -1 for none), then the file paths
    one a line to the end: splitting lines and reading an array is ten times faster than parsing JSON."""
    try:
        with open(info_dir / MANIFEST_NAME, "rb") as f:
            data = f.read()
    except OSError:
        return None
    try:
        head, _, body = data.partition(b"\n")
        text = head.decode("ascii")
        if not text.startswith(_MAGIC) or int(text[len(_MAGIC):], 16) != zlib.crc32(body):
            return None
        header, sizes_line, files_text = body.decode("utf-8").split("\n", 2)
        obj = json.loads(header)
        arr = array.array("q", bytes.fromhex(sizes_line))
        if sys.byteorder == "big":
            arr.byteswap()
        sizes: list[int | None] = arr.tolist()  # type: ignore[assignment]  # list is invariant; no copy
        if -1 in arr:
            sizes = [None if n == -1 else n for n in sizes]
    except (ValueError, UnicodeDecodeError):
        return None
    files = files_text.split("\n") if files_text else []
    if len(files) != len(sizes):
        return None
    return _checked(obj, stamp, files, sizes)


def _checked(obj: Any, stamp: Stamp, files: list[str], sizes: list[int | None]) -> Columns | None:
    if not isinstance(obj, dict) or obj.get("stamp") != list(stamp):
        return None
    special, dirs, parents, span = obj.get("special"), obj.get("dirs"), obj.get("parents"), obj.get("span")
    if not (isinstance(special, list) and isinstance(dirs, list) and isinstance(parents, list)):
        return None
    if not (set(map(type, dirs)) <= {str} and set(map(type, parents)) <= {str}):
        return None
    if span is not None:
        if not (isinstance(span, list) and len(span) == 2 and all(type(x) is int for x in span)
                and 0 < span[0] < span[1] <= stamp[0]):
            return None
        span = (span[0], span[1])
    spec: dict[int, dict[str, Any]] = {}
    spans: dict[int, tuple[int, int]] = {}
    for item in special:
        if not (isinstance(item, list) and len(item) in (2, 4) and type(item[0]) is int and isinstance(item[1], dict)):
            return None
        i, entry = item[:2]
        if not 0 <= i < len(files) or entry.get("_path") != files[i] or is_plain(entry):
            return None
        spec[i] = entry
        if len(item) == 4:
            s, e = item[2:]
            if not (span is not None and type(s) is int and type(e) is int and 0 < s < e < span[1] - span[0]):
                return None
            spans[i] = (s, e)
    return Columns(files, sizes, spec, dirs, parents, span, spans)


def save(info_dir: Path, stamp: Stamp, cols: Columns, *, racy_ok: bool = False) -> None:
    """Write the manifest atomically; silently nothing when it cannot be written or paths.json is racy."""
    if not racy_ok and time.time_ns() - stamp[1] < RACY_NS:
        return
    if not set(map(type, cols.sizes)) <= {int, type(None)} or any("\n" in f for f in cols.files):
        return  # odd sizes or a newline in a path (paths.json allows it): not cached, read as they are each time
    header = json.dumps({"stamp": list(stamp), "special": [[i, e, *cols.spans.get(i, ())] for i, e in cols.special.items()],
                         "dirs": cols.dirs, "parents": cols.parents, "span": list(cols.span) if cols.span else None},
                        ensure_ascii=False, separators=(",", ":"))
    try:
        arr = array.array("q", [-1 if n is None else n for n in cols.sizes])
    except OverflowError:
        return
    if sys.byteorder == "big":
        arr.byteswap()
    sizes = arr.tobytes().hex()
    try:
        body = "\n".join([header, sizes, "\n".join(cols.files)]).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate from a \ud800 escape in paths.json
        return
    data = f"{_MAGIC}{zlib.crc32(body):08x}\n".encode("ascii") + body
    tmp = info_dir / f".{MANIFEST_NAME}.{os.getpid()}.tmp"
    try:
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, info_dir / MANIFEST_NAME)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def parents_of(files: list[str], dirs: list[str]) -> list[str]:
    """The folders directly holding each file or directory entry (sorted, without the root)."""
    out = {f.rpartition("/")[0] for f in files}
    out.update(d.strip("/").rpartition("/")[0] for d in dirs)
    out.discard("")
    return sorted(out)

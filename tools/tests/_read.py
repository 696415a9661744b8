"""Readers used by the tests: open a built package with the standard library only."""

from __future__ import annotations

import bz2
import io
import json
import tarfile
import zipfile
from pathlib import Path
from typing import Any

import zstandard


def members(path: Path) -> dict[str, tarfile.TarInfo | Any]:
    """{name: (TarInfo, bytes)} of every member of a .conda or .tar.bz2 package."""
    out: dict[str, Any] = {}
    if path.name.endswith(".tar.bz2"):
        tars = [bz2.decompress(path.read_bytes())]
    else:
        with zipfile.ZipFile(path) as zf:
            tars = [zstandard.ZstdDecompressor().decompressobj().decompress(zf.read(n))
                    for n in zf.namelist() if n.endswith(".tar.zst")]
    for raw in tars:
        with tarfile.open(fileobj=io.BytesIO(raw)) as tar:
            for m in tar.getmembers():
                f = tar.extractfile(m) if m.isfile() else None
                out[m.name] = (m, f.read() if f else b"")
    return out


def info_json(path: Path, name: str) -> Any:
    return json.loads(members(path)[f"info/{name}"][1])

"""Read the info/ metadata of a package file (either format) for indexing.

Only the small info/ members are read: `.conda` keeps them in `info-*.tar.zst`; a `.tar.bz2` is streamed until the
payload begins (conda-build and cantil-tools put info/ first, but we read the whole stream when they are not).
"""

from __future__ import annotations

import bz2
import hashlib
import io
import json
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cantil_tools.errors import ChannelError

__all__ = ["PackageInfo", "read_package_info"]

_WANTED = ("info/index.json", "info/about.json", "info/run_exports.json", "info/has_prefix", "info/files")


@dataclass(frozen=True)
class PackageInfo:
    fn: str
    index: dict[str, Any]
    about: dict[str, Any]
    run_exports: dict[str, Any]
    has_prefix: str
    files: tuple[str, ...]
    md5: str
    sha256: str
    size: int


def _read_tar(raw: bytes) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    with tarfile.open(fileobj=io.BytesIO(raw)) as tar:
        for member in tar:
            if member.name in _WANTED and member.isfile():
                f = tar.extractfile(member)
                out[member.name] = f.read() if f else b""
    return out


def read_package_info(path: Path) -> PackageInfo:
    """Read the metadata and checksums of one `.conda` or `.tar.bz2`; raises ChannelError when unreadable."""
    data = path.read_bytes()
    try:
        if path.name.endswith(".conda"):
            import zstandard

            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = [n for n in zf.namelist() if n.startswith("info-") and n.endswith(".tar.zst")]
                if not names:
                    raise ChannelError(str(path), "no info-*.tar.zst member (not a .conda package)")
                raw = zstandard.ZstdDecompressor().decompressobj().decompress(zf.read(names[0]))
        else:
            raw = bz2.decompress(data)
        members = _read_tar(raw)
        index = json.loads(members["info/index.json"])
    except ChannelError:
        raise
    except KeyError:
        raise ChannelError(str(path), "no info/index.json") from None
    except Exception as err:  # zip, bz2, zstd, tar and json errors all mean "not a readable package"
        raise ChannelError(str(path), f"unreadable package: {err}") from err

    def _j(name: str) -> dict[str, Any]:
        try:
            value = json.loads(members[name]) if name in members else {}
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}

    return PackageInfo(
        fn=path.name, index=index, about=_j("info/about.json"), run_exports=_j("info/run_exports.json"),
        has_prefix=members.get("info/has_prefix", b"").decode("utf-8", "replace"),
        files=tuple(members.get("info/files", b"").decode("utf-8", "replace").splitlines()),
        md5=hashlib.md5(data).hexdigest(), sha256=hashlib.sha256(data).hexdigest(), size=len(data),
    )

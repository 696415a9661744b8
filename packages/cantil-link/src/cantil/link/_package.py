"""Reading an extracted package's info/: paths.json (or the older files + has_prefix + no_link), link.json, index.json.

Traps: paths.json `path_type` is hardlink | softlink | directory; `file_mode` text | binary with `prefix_placeholder`;
old packages have no paths.json and list prefix files in `info/has_prefix` as `placeholder mode path` (or just
`path`, meaning the default placeholder in text mode), possibly quoted. noarch comes from link.json (`noarch.type`)
or index.json (`noarch: python|generic`, or the legacy `noarch_python: true`).
"""

from __future__ import annotations

import json
import os
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import CorruptPackage

PREFIX_PLACEHOLDER = "/opt/anaconda1anaconda2anaconda3"


@dataclass(slots=True)
class PathEntry:
    path: str
    path_type: str = "hardlink"
    sha256: str | None = None
    size: int | None = None
    prefix_placeholder: str | None = None
    file_mode: str | None = None
    no_link: bool = False
    raw: dict[str, Any] | None = None  # the paths.json entry as read (reused for the prefix record)

    def to_paths_data(self) -> dict[str, Any]:
        if self.raw is not None:
            return dict(self.raw)
        d: dict[str, Any] = {"_path": self.path, "path_type": self.path_type}
        if self.sha256 is not None:
            d["sha256"] = self.sha256
        if self.size is not None:
            d["size_in_bytes"] = self.size
        if self.prefix_placeholder is not None:
            d["prefix_placeholder"] = self.prefix_placeholder
            d["file_mode"] = self.file_mode or "text"
        if self.no_link:
            d["no_link"] = True
        return d


@dataclass(slots=True)
class PackageInfo:
    """What linking needs from one extracted package."""

    extracted_dir: Path
    index: dict[str, Any]
    paths: list[PathEntry]
    noarch: str | None = None
    entry_points: list[str] = field(default_factory=list)
    paths_text: str | None = None  # the JSON text of paths.json's "paths" array, as read (reused by the record)

    @property
    def name(self) -> str:
        return str(self.index.get("name", self.extracted_dir.name))


def _read_json(path: Path, dist: str) -> Any:
    try:
        with open(path, "rb") as f:
            return json.load(f)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as e:
        raise CorruptPackage(dist, f"unreadable {path.name} ({e})") from e


def read_package_info(extracted_dir: Path) -> PackageInfo:
    dist = extracted_dir.name
    info = extracted_dir / "info"
    index = _read_json(info / "index.json", dist)
    if not isinstance(index, dict):
        raise CorruptPackage(dist, "missing or invalid info/index.json")
    paths_json, paths_text = _read_paths_json(info / "paths.json", dist)
    if paths_json is not None:
        raw_paths = paths_json.get("paths", ()) if isinstance(paths_json, dict) else None
        if not isinstance(raw_paths, (list, tuple)):
            raise CorruptPackage(dist, "invalid info/paths.json (no list of paths)")
        try:  # one comprehension, no call per entry (20,000 entries: a tenth of the warm install)
            paths = [PathEntry(p["_path"], p.get("path_type", "hardlink"), p.get("sha256"), p.get("size_in_bytes"),
                               p.get("prefix_placeholder"), p.get("file_mode"), bool(p.get("no_link", False)), p)
                     for p in raw_paths]
        except (KeyError, TypeError, AttributeError):
            paths = [_entry(p, dist) for p in raw_paths]  # names the bad entry
    else:
        paths = _legacy_paths(info, dist)
    link = _read_json(info / "link.json", dist) or {}
    noarch_obj = link.get("noarch") if isinstance(link, dict) else None
    noarch: str | None = None
    entry_points: list[str] = []
    if isinstance(noarch_obj, dict):
        noarch = noarch_obj.get("type")
        entry_points = list(noarch_obj.get("entry_points") or ())
    if noarch is None:
        raw = index.get("noarch")
        if raw is True or index.get("noarch_python"):
            noarch = "python"
        elif isinstance(raw, str) and raw:
            noarch = raw
    return PackageInfo(extracted_dir, index, paths, noarch, entry_points, paths_text)


_PATHS_HEAD = re.compile(r'\s*\{\s*"paths"\s*:\s*')
_DECODER = json.JSONDecoder()


def _read_paths_json(path: Path, dist: str) -> tuple[Any, str | None]:
    """paths.json parsed, and the text of its "paths" array when the file starts with that key (conda-build's and
    rattler's files do): one parse, and the record can reuse the text instead of encoding 20,000 entries again."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        return None, None
    except OSError as e:
        raise CorruptPackage(dist, f"unreadable {path.name} ({e})") from e
    try:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return json.loads(data), None  # json's own encoding detection (UTF-16/32), no text reused
        m = _PATHS_HEAD.match(text)
        if m is not None:
            paths, end = _DECODER.raw_decode(text, m.end())
            rest = json.loads('{"paths":[]' + text[end:])  # validates the rest of the object
            if isinstance(paths, list) and isinstance(rest, dict) and rest.get("paths") == []:
                rest["paths"] = paths
                return rest, text[m.end():end]
        return json.loads(text), None
    except ValueError as e:
        raise CorruptPackage(dist, f"unreadable {path.name} ({e})") from e


def _entry(p: dict[str, Any], dist: str) -> PathEntry:
    try:
        g = p.get
        return PathEntry(p["_path"], g("path_type", "hardlink"), g("sha256"), g("size_in_bytes"),
                         g("prefix_placeholder"), g("file_mode"), bool(g("no_link", False)), p)
    except (KeyError, TypeError, AttributeError) as e:
        raise CorruptPackage(dist, f"bad entry in info/paths.json: {p!r}") from e


def _lines(path: Path) -> list[str]:
    try:
        return [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
    except FileNotFoundError:
        return []


def _legacy_paths(info: Path, dist: str) -> list[PathEntry]:
    files = _lines(info / "files")
    if not files and not (info / "files").exists():
        raise CorruptPackage(dist, "neither info/paths.json nor info/files")
    prefix: dict[str, tuple[str, str]] = {}
    for line in _lines(info / "has_prefix"):
        parts = shlex.split(line) if '"' in line or "'" in line else line.split()
        if len(parts) == 1:
            prefix[parts[0]] = (PREFIX_PLACEHOLDER, "text")
        elif len(parts) >= 3:
            prefix[parts[2]] = (parts[0], parts[1])
    no_link = set(_lines(info / "no_link"))
    out = []
    for f in files:
        ph = prefix.get(f)
        kind = "softlink" if os.path.islink(info.parent / f) else "hardlink"  # old packages do not say
        out.append(PathEntry(path=f, path_type=kind, prefix_placeholder=ph[0] if ph else None,
                             file_mode=ph[1] if ph else None, no_link=f in no_link))
    return out

"""Reading an extracted package's info/: paths.json (or the older files + has_prefix + no_link), link.json, index.json.

Traps: paths.json `path_type` is hardlink | softlink | directory; `file_mode` text | binary with `prefix_placeholder`;
old packages have no paths.json and list prefix files in `info/has_prefix` as `placeholder mode path` (or just
`path`, meaning the default placeholder in text mode), possibly quoted. noarch comes from link.json (`noarch.type`)
or index.json (`noarch: python|generic`, or the legacy `noarch_python: true`).
"""

from __future__ import annotations

import json
import json.scanner
import os
import re
import shlex
from pathlib import Path
from typing import Any

from . import _manifest
from ._struct import Struct
from .errors import CorruptPackage

PREFIX_PLACEHOLDER = "/opt/anaconda1anaconda2anaconda3"


class PathEntry(Struct):
    """One paths.json entry; `raw` is the entry as read (reused for the prefix record)."""

    __slots__ = ("file_mode", "no_link", "path", "path_type", "prefix_placeholder", "raw", "sha256", "size")

    def __init__(self, path: str, path_type: str = "hardlink", sha256: str | None = None,  # noqa: PLR0917
                 size: int | None = None, prefix_placeholder: str | None = None, file_mode: str | None = None,
                 no_link: bool = False, raw: dict[str, Any] | None = None) -> None:
        self.path = path
        self.path_type = path_type
        self.sha256 = sha256
        self.size = size
        self.prefix_placeholder = prefix_placeholder
        self.file_mode = file_mode
        self.no_link = no_link
        self.raw = raw

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


class PackageInfo:
    """What linking needs from one extracted package.

    `files` (every entry that is not a directory, in paths.json's order), `sizes`, `special` (index in `files` ->
    the entry of a file that is not a plain hardlink: softlink, prefix placeholder, no_link), `dirs` (directory
    entries) and `parents` (folders holding them) come from the cached manifest when it is valid (see _manifest);
    `paths` (every entry as a PathEntry) and `paths_text` (the "paths" array's JSON text, when the file starts with
    that key) read paths.json when first asked, and refuse a paths.json that changed since the columns were made.
    """

    __slots__ = ("_entries", "_stamp", "_text", "dirs", "entry_points", "extracted_dir", "files", "index", "noarch",
                 "parents", "sizes", "span", "spans", "special")

    def __init__(self, extracted_dir: Path, index: dict[str, Any], cols: _manifest.Columns, *,
                 noarch: str | None = None, entry_points: list[str] | None = None,
                 stamp: _manifest.Stamp | None = None, entries: list[PathEntry] | None = None,
                 text: str | None = None) -> None:
        self.extracted_dir = extracted_dir
        self.index = index
        self.files = cols.files
        self.sizes = cols.sizes
        self.special = {i: _entry(e, extracted_dir.name) for i, e in cols.special.items()}
        self.dirs = cols.dirs
        self.parents = cols.parents
        self.span = cols.span
        self.spans = cols.spans  # index in files -> (start, end) of a special entry's object in paths_text
        self.noarch = noarch
        self.entry_points = entry_points or []
        self._stamp = stamp
        self._entries = entries
        self._text = text

    @property
    def name(self) -> str:
        return str(self.index.get("name", self.extracted_dir.name))

    @property
    def paths(self) -> list[PathEntry]:
        if self._entries is None:
            self._entries, self._text = self._reread()[:2]
        return self._entries

    @property
    def paths_text(self) -> str | None:
        if self.span is None:
            return None
        if self._text is None:
            # the text alone (no parse), from the very file the columns were made from
            path = self.extracted_dir / "info" / "paths.json"
            try:
                with open(path, "rb") as f:
                    same = _manifest.stamp_of(os.fstat(f.fileno())) == self._stamp
                    data = f.read()
                text = data.decode("utf-8")[self.span[0]:self.span[1]]
            except (OSError, UnicodeDecodeError) as e:
                raise CorruptPackage(self.extracted_dir.name, f"unreadable paths.json ({e})") from e
            if not same or text[:1] != "[" or text[-1:] != "]":
                raise CorruptPackage(self.extracted_dir.name,
                                     "info/paths.json changed while the transaction was prepared")
            self._text = text
        return self._text

    def _reread(self) -> tuple[list[PathEntry], str | None, _manifest.Columns]:
        dist = self.extracted_dir.name
        entries, text, span, stamp = _paths_json(self.extracted_dir / "info" / "paths.json", dist)
        if entries is None or stamp != self._stamp or span != self.span:
            raise CorruptPackage(dist, "info/paths.json changed while the transaction was prepared")
        return entries, text, _columns(entries, span, text)


def _read_json(path: Path, dist: str) -> Any:
    try:
        with open(path, "rb") as f:
            return json.load(f)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as e:
        raise CorruptPackage(dist, f"unreadable {path.name} ({e})") from e


def read_package_info(extracted_dir: Path, *, cache_manifest: bool = False, extracting: bool = False) -> PackageInfo:
    """The package's info/; with `cache_manifest`, a missing or stale manifest is written (see _manifest).
    `extracting`: the directory is our private extraction folder (nobody else writes there: never racy)."""
    dist = extracted_dir.name
    info = extracted_dir / "info"
    index = _read_json(info / "index.json", dist)
    if not isinstance(index, dict):
        raise CorruptPackage(dist, "missing or invalid info/index.json")
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
    kw: dict[str, Any] = {"noarch": noarch, "entry_points": entry_points}
    try:
        stamp: _manifest.Stamp | None = _manifest.stamp_of(os.stat(info / "paths.json"))
    except FileNotFoundError:
        stamp = None
    except OSError as e:
        raise CorruptPackage(dist, f"unreadable paths.json ({e})") from e
    if stamp is not None:
        cols = _manifest.load(info, stamp)
        if cols is not None:
            return PackageInfo(extracted_dir, index, cols, stamp=stamp, **kw)
        entries, text, span, stamp = _paths_json(info / "paths.json", dist)
    else:
        entries, text, span = None, None, None
    if entries is None or stamp is None:  # no paths.json: the older files + has_prefix + no_link
        entries = _legacy_paths(info, dist)
        return PackageInfo(extracted_dir, index, _columns(entries, None), entries=entries, **kw)
    cols = _columns(entries, span, text)
    if cache_manifest:
        _manifest.save(info, stamp, cols, racy_ok=extracting)
    return PackageInfo(extracted_dir, index, cols, stamp=stamp, entries=entries, text=text, **kw)


def _columns(entries: list[PathEntry], span: tuple[int, int] | None, text: str | None = None) -> _manifest.Columns:
    files = [e.path for e in entries if e.path_type != "directory"]
    if len(files) == len(entries):
        nondir = entries
        dirs: list[str] = []
    else:
        nondir = [e for e in entries if e.path_type != "directory"]
        dirs = [e.path for e in entries if e.path_type == "directory"]
    sizes = [e.size for e in nondir]
    special = {i: e.to_paths_data() for i, e in enumerate(nondir)
               if e.path_type != "hardlink" or e.prefix_placeholder or e.no_link}
    spans: dict[int, tuple[int, int]] = {}
    if special and text is not None:
        # positions in the whole array (directory entries included) of the special entries, then their text spans
        pos = {id(e): k for k, e in enumerate(entries)} if dirs else None
        where = {i: (pos[id(nondir[i])] if pos is not None else i) for i in special}
        found = _entry_spans(text, max(where.values()) + 1)
        if found is not None:
            spans = {i: found[k] for i, k in where.items()}
    return _manifest.Columns(files, sizes, special, dirs, _manifest.parents_of(files, dirs), span, spans)


_WS = re.compile(r"[ \t\n\r]*")


def _entry_spans(text: str, count: int) -> list[tuple[int, int]] | None:
    """(start, end) of the first `count` objects of a JSON array's text (the array as json.loads read it)."""
    scan = _SCAN

    def skip(i: int) -> int:
        m = _WS.match(text, i)
        return m.end() if m else i

    out: list[tuple[int, int]] = []
    i = skip(1)
    try:
        while len(out) < count:
            _, end = scan(text, i)
            out.append((i, end))
            j = skip(end)
            if text[j:j + 1] != ",":
                break
            i = skip(j + 1)
    except StopIteration:
        return None
    return out if len(out) == count and all(text[s] == "{" and text[e - 1] == "}" for s, e in out) else None


def _paths_json(path: Path, dist: str) -> tuple[list[PathEntry] | None, str | None, tuple[int, int] | None,
                                                   _manifest.Stamp | None]:
    """paths.json's entries, the "paths" array's text and span, and the file's stamp (taken on the open file)."""
    paths_json, text, span, stamp = _read_paths_json(path, dist)
    if paths_json is None:
        return None, None, None, None
    raw_paths = paths_json.get("paths", ()) if isinstance(paths_json, dict) else None
    if not isinstance(raw_paths, (list, tuple)):
        raise CorruptPackage(dist, "invalid info/paths.json (no list of paths)")
    try:  # one comprehension, no call per entry (20,000 entries: a tenth of the warm install)
        paths = [PathEntry(p["_path"], p.get("path_type", "hardlink"), p.get("sha256"), p.get("size_in_bytes"),
                           p.get("prefix_placeholder"), p.get("file_mode"), bool(p.get("no_link", False)), p)
                 for p in raw_paths]
    except (KeyError, TypeError, AttributeError):
        paths = [_entry(p, dist) for p in raw_paths]  # names the bad entry
    if not set(map(type, [e.path for e in paths])) <= {str}:
        bad = next(e for e in paths if not isinstance(e.path, str))
        raise CorruptPackage(dist, f"bad entry in info/paths.json: {bad.raw!r}")
    return paths, text, span, stamp


_PATHS_HEAD = re.compile(r'\s*\{\s*"paths"\s*:\s*')
_DECODER = json.JSONDecoder()
_SCAN = json.scanner.make_scanner(_DECODER)  # type: ignore[arg-type]  # one JSON value at a position (C)


def _read_paths_json(path: Path, dist: str) -> tuple[Any, str | None, tuple[int, int] | None,
                                                    _manifest.Stamp | None]:
    """paths.json parsed, the text of its "paths" array and its span (in characters) when the file starts with that
    key (conda-build's and rattler's files do: one parse, and the record can reuse the text instead of encoding
    20,000 entries again), and the file's stamp."""
    try:
        with open(path, "rb") as f:
            stamp = _manifest.stamp_of(os.fstat(f.fileno()))
            data = f.read()
    except FileNotFoundError:
        return None, None, None, None
    except OSError as e:
        raise CorruptPackage(dist, f"unreadable {path.name} ({e})") from e
    try:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return json.loads(data), None, None, stamp  # json's own encoding detection (UTF-16/32), no text reused
        m = _PATHS_HEAD.match(text)
        if m is not None:
            paths, end = _DECODER.raw_decode(text, m.end())
            rest = json.loads('{"paths":[]' + text[end:])  # validates the rest of the object
            if isinstance(paths, list) and isinstance(rest, dict) and rest.get("paths") == []:
                rest["paths"] = paths
                return rest, text[m.end():end], (m.end(), end), stamp
        return json.loads(text), None, None, stamp
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

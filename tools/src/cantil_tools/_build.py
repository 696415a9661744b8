"""Build a conda package (both formats) from a PackageDescription.

info/ contents follow CEP 34 and conda-build: index.json, paths.json (paths_version 1), files, has_prefix
(`<placeholder> <text|binary> <path>` lines), link.json (noarch python: type and entry points), about.json,
run_exports.json. The payload paths are listed in `info/files` and `info/paths.json` in sorted order.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from cantil_tools._archive import TarEntry, atomic_write, conda_bytes, tar_bz2_bytes
from cantil_tools._describe import Member, PackageDescription
from cantil_tools.errors import InvalidDescription

__all__ = ["build_package", "info_entries"]

FORMATS = ("conda", "tar.bz2")


def _json(data: Any) -> bytes:
    return (json.dumps(data, indent=2, sort_keys=True) + "\n").encode("utf-8")


def _quoted(path: str) -> str:
    """has_prefix fields are split on whitespace (conda uses shlex): a path with a space is double-quoted."""
    return f'"{path}"' if any(c.isspace() for c in path) else path


def _path_entry(member: Member, by_path: Mapping[str, Member]) -> dict[str, Any]:
    if member.symlink is not None:
        target = by_path.get(str(Path(member.path).parent / member.symlink).lstrip("./"))
        data = target.data if target is not None else member.symlink.encode()
        entry: dict[str, Any] = {"_path": member.path, "path_type": "softlink"}
    else:
        data = member.data
        entry = {"_path": member.path, "path_type": "hardlink"}
    entry["sha256"] = hashlib.sha256(data).hexdigest()
    entry["size_in_bytes"] = len(data)
    if member.file_mode:
        entry["file_mode"] = member.file_mode
        entry["prefix_placeholder"] = member.placeholder
    if member.no_link:
        entry["no_link"] = True
    return entry


def info_entries(desc: PackageDescription) -> list[TarEntry]:
    """The info/ members of the package, sorted by path."""
    by_path = {m.path: m for m in desc.members}
    files: dict[str, bytes] = {
        "info/index.json": _json(desc.index_json()),
        "info/files": "".join(f"{m.path}\n" for m in desc.members).encode("utf-8"),
        "info/paths.json": _json({"paths": [_path_entry(m, by_path) for m in desc.members], "paths_version": 1}),
    }
    about = {"summary": f"{desc.name} built by cantil-tools", **desc.about}
    if desc.license is not None:
        about.setdefault("license", desc.license)
    files["info/about.json"] = _json(about)
    prefixed = [m for m in desc.members if m.file_mode]
    if prefixed:
        files["info/has_prefix"] = "".join(f"{m.placeholder} {m.file_mode} {_quoted(m.path)}\n" for m in prefixed).encode()
    if desc.noarch:
        noarch: dict[str, Any] = {"type": desc.noarch}
        if desc.noarch == "python" and desc.entry_points:
            noarch["entry_points"] = list(desc.entry_points)
        files["info/link.json"] = _json({"noarch": noarch, "package_metadata_version": 1})
    if desc.run_exports is not None:
        files["info/run_exports.json"] = _json(desc.run_exports)
    no_link = [m.path for m in desc.members if m.no_link]
    if no_link:
        files["info/no_link"] = "".join(f"{p}\n" for p in no_link).encode()
    for path, data in desc.info_files.items():
        files[f"info/{path.removeprefix('info/')}"] = data
    return [(path, data, 0o644, None) for path, data in sorted(files.items())]


def _pkg_entries(members: Iterable[Member]) -> list[TarEntry]:
    return [(m.path, m.data, m.mode, m.symlink) for m in members]


def build_package(desc: Mapping[str, Any] | PackageDescription, outdir: Path | str, *,
                  formats: Iterable[str] = FORMATS) -> list[Path]:
    """Write the package described by `desc` into `outdir/<subdir>/`, once per format; return the paths written.

    The same description gives byte-identical archives. Raises InvalidDescription on a bad description.
    """
    pkg = desc if isinstance(desc, PackageDescription) else PackageDescription.from_dict(desc)
    formats = tuple(formats)
    for fmt in formats:
        if fmt not in FORMATS:
            raise InvalidDescription(pkg.name, f"unknown format {fmt!r} (expected 'conda' or 'tar.bz2')")
    info = info_entries(pkg)
    payload = _pkg_entries(pkg.members)
    mtime = pkg.timestamp // 1000
    out = Path(outdir) / pkg.subdir
    written = []
    for fmt in formats:
        path = out / f"{pkg.dist_name}.{fmt}"
        data = conda_bytes(pkg.dist_name, info, payload, mtime) if fmt == "conda" else tar_bz2_bytes(info, payload, mtime)
        atomic_write(path, data)
        written.append(path)
    return written

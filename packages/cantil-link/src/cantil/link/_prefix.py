"""PrefixData (the installed records of a prefix, conda's own files included) and its verify() for `doctor`.

Traps: conda-meta holds records (`*.json`) and also `history`, `state`, `pinned` and our dot-files; only `*.json`
files that are not dot-files are records. A record's `paths_data` may lack sha256 (old conda), list softlinks (not
hashed: their target is what matters), pyc files and entry points (no sha256), and carry `sha256_in_prefix` for files
whose placeholder was replaced: that is the hash to compare.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from ._fs import sha256_file
from ._struct import Struct
from .errors import LinkError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from cantil.specs import PrefixRecord


class Problem(Struct):
    """One file of an installed package that is not as its record says. kind: "missing" | "changed"."""

    __slots__ = ("actual", "expected", "kind", "package", "path")

    def __init__(self, package: str, path: str, kind: str, expected: str | None = None,
                 actual: str | None = None) -> None:
        self.package = package
        self.path = path
        self.kind = kind
        self.expected = expected
        self.actual = actual

    def __str__(self) -> str:
        if self.kind == "missing":
            return f"{self.package}: {self.path} is missing"
        return f"{self.package}: {self.path} changed (sha256 {self.actual}, expected {self.expected})"


def read_record_file(path: Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as f:
            data = json.load(f)
    except (OSError, ValueError) as e:
        raise LinkError(f"unreadable package record {path}: {e}") from e
    if not isinstance(data, dict):
        raise LinkError(f"unreadable package record {path}: not a JSON object")
    return data


class PrefixData:
    """The packages installed in a prefix, read from conda-meta/*.json (conda's files and ours)."""

    def __init__(self, prefix: Path | str) -> None:
        self.prefix = Path(prefix)
        self.meta = self.prefix / "conda-meta"
        self._raw: dict[str, tuple[Path, dict[str, Any]]] | None = None

    def is_environment(self) -> bool:
        return self.meta.is_dir()

    def raw(self) -> dict[str, tuple[Path, dict[str, Any]]]:
        """name -> (record file, its JSON)."""
        if self._raw is None:
            out: dict[str, tuple[Path, dict[str, Any]]] = {}
            try:
                names = sorted(os.listdir(self.meta))
            except (FileNotFoundError, NotADirectoryError):
                names = []
            for fn in names:
                if fn.startswith(".") or not fn.endswith(".json"):
                    continue
                data = read_record_file(self.meta / fn)
                name = data.get("name")
                if isinstance(name, str):
                    out[name] = (self.meta / fn, data)
            self._raw = out
        return self._raw

    def records(self) -> dict[str, PrefixRecord]:
        from cantil.specs import PrefixRecord

        out = {}
        for name, (path, data) in self.raw().items():
            try:
                out[name] = PrefixRecord.from_dict(data)
            except ValueError as e:  # cantil.specs' InvalidRecord
                raise LinkError(f"unreadable package record {path}: {e}") from e
        return out

    def get(self, name: str) -> PrefixRecord | None:
        return self.records().get(name)

    def reload(self) -> None:
        self._raw = None

    def owners(self) -> dict[str, str]:
        """prefix-relative path -> the name of the package whose record lists it."""
        out: dict[str, str] = {}
        for name, (_, data) in self.raw().items():
            for f in data.get("files") or ():
                out[f] = name
        return out

    def verify(self) -> list[Problem]:
        """Files missing or changed against each record's paths_data sha256 (pyc files may legitimately be absent)."""
        problems: list[Problem] = []
        for name, (_, data) in sorted(self.raw().items()):
            paths = (data.get("paths_data") or {}).get("paths")
            if paths is None:
                paths = [{"_path": f} for f in data.get("files") or ()]
            for p in paths:
                rel = p.get("_path")
                if not isinstance(rel, str):
                    continue
                kind = p.get("path_type", "hardlink")
                full = self.prefix / rel
                if kind == "directory":
                    if not full.is_dir():
                        problems.append(Problem(name, rel, "missing"))
                    continue
                if not os.path.lexists(full):
                    if kind != "pyc_file":
                        problems.append(Problem(name, rel, "missing"))
                    continue
                if kind == "softlink" or os.path.islink(full):
                    continue
                expected = p.get("sha256_in_prefix") or p.get("sha256")
                if expected:
                    actual = sha256_file(full)
                    if actual != expected:
                        problems.append(Problem(name, rel, "changed", expected, actual))
        return problems
